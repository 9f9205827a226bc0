from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from preau.core.actor import (
    SESSION_CHILD_KEY,
    SESSION_ESTABLISHMENT_KEY,
    selected_child,
)
from preau.directory import policies, selectors
from preau.directory.models import Establishment
from preau.portal import panel_cache
from preau.portal.selectors import services_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    child = selected_child(request, actor) if actor.home_kind == "guardian" else None
    services = services_for(actor)
    # The page's content is kept rendered while its panels are (see portal/panel_cache.py).
    page = panel_cache.prefetch(actor, child, services)
    main = page.html
    if main is None:
        panels = []
        for service in services:
            if service.panel_template and service.panel_context:
                context = service.panel_context(actor, child)
                if context is not None:
                    panels.append({"template": service.panel_template, **context})
        overview = None
        if actor.home_kind == "staff":
            overview = selectors.establishment_overview(actor.establishment, actor.school_year)
        main = render_to_string(
            f"portal/home_{actor.home_kind}.html",
            {"services": services, "panels": panels, "child": child, "overview": overview},
            request,
        )
        panel_cache.keep_page(actor, page, main)
    return render(request, "portal/home.html", {"main": mark_safe(main)})


@login_required
@require_POST
def switch_establishment(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    wanted = request.POST.get("establishment", "")
    if not any(str(e.public_id) == wanted for e in actor.establishments):
        raise Http404
    request.session[SESSION_ESTABLISHMENT_KEY] = wanted
    request.session.pop(SESSION_CHILD_KEY, None)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "portal:home"
    return redirect(target)


@login_required
def logo(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """An establishment's logo, for its own members (files are never served from a public URL)."""
    actor = request.actor
    establishment = next((e for e in actor.establishments if e.public_id == public_id), None)
    if establishment is None:
        # Not a member: those who administer it (academy, superuser) see it in the console.
        establishment = Establishment.objects.filter(public_id=public_id).first()
        if establishment is None or not policies.can_administer(actor, establishment):
            raise Http404
    if not establishment.logo:
        raise Http404
    response = FileResponse(establishment.logo.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    return response
