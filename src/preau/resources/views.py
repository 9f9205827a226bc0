"""Pages of the médiacentre: the catalogue, opening a resource, favourites, teachers' documents
and links, and the console's publishers' resources, licences and statistics. Views find
objects through the policies (404 otherwise), parse forms and call the actions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from preau.core.forms import apply_action
from preau.directory.models import Level, Profile
from preau.drive import policies as drive_policies
from preau.resources import actions, policies, selectors
from preau.resources.forms import (
    FiltersForm,
    LicenceForm,
    PublisherResourceForm,
    TeacherResourceForm,
)
from preau.resources.models import LicenceAudience, ResourceKind

# -- the catalogue ----------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    levels = list(Level.objects.order_by("order"))
    tools = selectors.placed_tools(actor)
    subjects = sorted(set(selectors.subjects(actor)) | {p.assignment.subject.label for p in tools})
    form = FiltersForm(request.GET or None, subjects=subjects, levels=levels)
    filters = selectors.Filters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.Filters(
            kind=data["kind"], subject=data["subject"], level=data["level"], text=data["q"]
        )
    if filters.kind == selectors.TOOL_KIND:
        page = Paginator([], selectors.PAGE_SIZE).get_page(1)
    else:
        page = selectors.catalogue(actor, filters, request.GET.get("page"))
    # The tools of the reader's classes come first, on the first page only.
    tools = selectors.filter_tools(tools, filters) if page.number == 1 else []
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "resources/index.html",
        {
            "form": form,
            "page": page,
            "tools": tools,
            "filters": filters,
            "query": query.urlencode(),
            "can_add": policies.can_add_resources(actor),
            "kinds": ResourceKind,
        },
    )


@login_required
def open_resource(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Check, count, and send the person to the resource (302)."""
    actor = request.actor
    try:
        resource = policies.access_resource(actor, public_id)
    except Http404:
        licence = policies.expired_licence(actor, public_id)
        if licence is None:
            raise
        return render(request, "resources/expired.html", {"licence": licence}, status=410)
    target = resource.url
    if resource.kind == ResourceKind.DOCUMENT:
        node = resource.drive_file
        if node is None or node.is_trashed or not drive_policies.can_read(actor, node):
            raise Http404
        target = reverse("drive:download", args=[node.public_id])
    licence = policies.licence_for(actor, resource)
    actions.do_record_opening(actor=actor, resource=resource, licence=licence)
    return redirect(target)


@login_required
@require_POST
def favourite(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    resource = policies.access_resource(actor, public_id)
    keep = request.POST.get("favourite") == "1"
    actions.do_set_favourite(actor=actor, resource=resource, favourite=keep)
    if keep:
        messages.success(request, _("« %(title)s » est dans vos favoris.") % {"title": resource})
    else:
        messages.success(
            request, _("« %(title)s » n'est plus dans vos favoris.") % {"title": resource}
        )
    return redirect(f"{reverse('resources:index')}#resource-{resource.public_id}")


# -- teachers' documents and links ------------------------------------------------------------


@login_required
def add(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not policies.can_add_resources(actor):
        raise Http404
    form = TeacherResourceForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        created = apply_action(
            form, lambda: actions.do_add_resource(actor=actor, **form.cleaned_data)
        )
        if created is not None:
            messages.success(request, _("La ressource est proposée à vos classes."))
            return redirect("resources:index")
    return render(request, "resources/add.html", {"form": form})


@login_required
def delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    resource = policies.access_own_resource(actor, public_id)
    if request.method == "POST":
        actions.do_delete_resource(actor=actor, resource=resource)
        messages.success(request, _("La ressource est retirée du médiacentre."))
        return redirect("resources:index")
    return render(request, "resources/confirm_delete.html", {"resource": resource})


# -- the console ------------------------------------------------------------------------------


def _audience_label(licence: Any) -> str:
    targets = list(licence.targets.all())
    if licence.audience == LicenceAudience.PROFILES:
        labels = dict(Profile.choices)
        names = ", ".join(str(labels.get(t.profile, t.profile)) for t in targets)
        return _("Profils : %(names)s") % {"names": names}
    if licence.audience == LicenceAudience.CLASSES:
        names = ", ".join(t.school_class.name for t in targets)
        return _("Classes : %(names)s") % {"names": names}
    if licence.audience == LicenceAudience.PEOPLE:
        names = ", ".join(t.person.get_full_name() or t.person.get_username() for t in targets)
        return _("Personnes : %(names)s") % {"names": names}
    return str(LicenceAudience.ESTABLISHMENT.label)


STATUS_LABELS = {
    "running": _("En cours"),
    "upcoming": _("À venir"),
    "expired": _("Expirée"),
    "revoked": _("Retirée"),
}


@login_required
def manage(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    form = PublisherResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = apply_action(
            form,
            lambda: actions.do_register_publisher_resource(
                actor=actor, establishment=establishment, **form.cleaned_data
            ),
        )
        if created is not None:
            messages.success(
                request, _("La ressource « %(title)s » est enregistrée.") % {"title": created}
            )
            return redirect("resources:manage", establishment.public_id)
    today = timezone.localdate()
    licences = selectors.licence_rows(establishment)
    for licence in licences:
        licence.audience_label = _audience_label(licence)
        licence.status = selectors.licence_status(licence, today)
        licence.status_label = STATUS_LABELS[licence.status]
    resources = list(policies.licensable_resources(establishment).order_by("title"))
    return render(
        request,
        "resources/manage.html",
        {
            "establishment": establishment,
            "licences": licences,
            "resources": resources,
            "form": form,
        },
    )


@login_required
def licence_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    form = LicenceForm(
        request.POST or None,
        establishment=establishment,
        year=actor.school_year,
        initial={"resource": request.GET.get("resource")},
    )
    if request.method == "POST" and form.is_valid():
        created = apply_action(
            form,
            lambda: actions.do_add_licence(
                actor=actor, establishment=establishment, **form.cleaned_data
            ),
        )
        if created is not None:
            messages.success(request, _("La licence est enregistrée."))
            return redirect("resources:manage", establishment.public_id)
    return render(
        request, "resources/licence_form.html", {"establishment": establishment, "form": form}
    )


@login_required
@require_POST
def licence_revoke(request: HttpRequest, public_id: UUID, licence_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    licence = policies.access_licence(establishment, licence_id)
    actions.do_revoke_licence(actor=actor, licence=licence)
    messages.success(request, _("La licence est retirée."))
    return redirect("resources:manage", establishment.public_id)


@login_required
def statistics(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    months, figures = selectors.statistics(establishment)
    return render(
        request,
        "resources/statistics.html",
        {
            "establishment": establishment,
            "months": months,
            "figures": figures,
            "min_people": selectors.MIN_PEOPLE,
        },
    )
