"""The OpenID Connect clients in the administration console: an establishment's (its
administrators) and an academy's (the academy's administrators). Views find the owner through
the policies (404 otherwise), parse the form and call the actions. A confidential client's
secret is shown once, on the page that follows its registration."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from preau.administration.views import _establishment, _page
from preau.core.forms import add_validation_errors
from preau.directory import policies as directory_policies
from preau.oidc import actions, policies
from preau.oidc.forms import AcademyClientForm, ClientForm, NewClientForm


def _fields(form: ClientForm) -> dict:
    return {
        name: form.cleaned_data[name]
        for name in ("name", "redirect_uris", "post_logout_redirect_uris")
    }


@login_required
def establishment_clients(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    form = NewClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = actions.do_register_client(
                actor=request.actor,
                establishment=school,
                public=form.cleaned_data["public"],
                **_fields(form),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            return _page(
                request, "oidc/console_created.html", school, "oidc", {"registration": registration}
            )
    return _page(
        request,
        "oidc/console_clients.html",
        school,
        "oidc",
        {
            "form": form,
            "rows": policies.establishment_clients(school),
            "academy_rows": policies.academy_clients_for(school),
        },
    )


@login_required
def establishment_client(request: HttpRequest, public_id: UUID, client_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    client = policies.access_establishment_client(school, client_id)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_client(actor=request.actor, client=client, **_fields(form))
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("L'application est enregistrée."))
            return redirect("administration:oidc_clients", school.public_id)
    return _page(
        request, "oidc/console_client.html", school, "oidc", {"client": client, "form": form}
    )


@login_required
@require_POST
def establishment_client_remove(
    request: HttpRequest, public_id: UUID, client_id: UUID
) -> HttpResponse:
    school = _establishment(request, public_id)
    client = policies.access_establishment_client(school, client_id)
    actions.do_remove_client(actor=request.actor, client=client)
    messages.success(request, _("L'application est supprimée : ses connexions sont fermées."))
    return redirect("administration:oidc_clients", school.public_id)


# -- the academy's clients ------------------------------------------------------------------------


@login_required
def academy_clients(request: HttpRequest) -> HttpResponse:
    academies = directory_policies.managed_academies(request.actor)
    if not academies.exists():
        raise Http404
    form = AcademyClientForm(request.POST or None, academies=academies)
    if request.method == "POST" and form.is_valid():
        try:
            registration = actions.do_register_client(
                actor=request.actor,
                academy=form.cleaned_data["academy"],
                public=form.cleaned_data["public"],
                **_fields(form),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            return render(request, "oidc/academy_created.html", {"registration": registration})
    rows = policies.managed_academy_clients(request.actor).order_by(
        "academy__name", "application__name"
    )
    return render(request, "oidc/academy_clients.html", {"form": form, "rows": rows})


@login_required
def academy_client(request: HttpRequest, client_id: UUID) -> HttpResponse:
    client = policies.access_academy_client(request.actor, client_id)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_client(actor=request.actor, client=client, **_fields(form))
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("L'application est enregistrée."))
            return redirect("administration:academy_oidc_clients")
    return render(request, "oidc/academy_client.html", {"client": client, "form": form})


@login_required
@require_POST
def academy_client_remove(request: HttpRequest, client_id: UUID) -> HttpResponse:
    client = policies.access_academy_client(request.actor, client_id)
    actions.do_remove_client(actor=request.actor, client=client)
    messages.success(request, _("L'application est supprimée : ses connexions sont fermées."))
    return redirect("administration:academy_oidc_clients")
