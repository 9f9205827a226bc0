"""The CAS services in the administration console: an establishment's (its administrators) and
an academy's (the academy's administrators). Views find the owner through the policies (404
otherwise), parse the form and call the actions."""

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
from preau.cas import actions, policies
from preau.cas.forms import AcademyServiceForm, ServiceForm
from preau.core.forms import add_validation_errors
from preau.directory import policies as directory_policies


def _fields(form: ServiceForm) -> dict:
    return {
        name: form.cleaned_data[name]
        for name in ("name", "match_kind", "pattern", "attributes", "may_proxy")
    }


@login_required
def establishment_services(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_register_service(actor=request.actor, establishment=school, **_fields(form))
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Le service est enregistré."))
            return redirect("administration:cas_services", school.public_id)
    return _page(
        request,
        "cas/console_services.html",
        school,
        "cas",
        {
            "form": form,
            "rows": policies.establishment_services(school),
            "academy_rows": policies.academy_services_for(school),
        },
    )


@login_required
def establishment_service(request: HttpRequest, public_id: UUID, service_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    service = policies.access_establishment_service(school, service_id)
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_service(actor=request.actor, service=service, **_fields(form))
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Le service est enregistré."))
            return redirect("administration:cas_services", school.public_id)
    return _page(
        request, "cas/console_service.html", school, "cas", {"service": service, "form": form}
    )


@login_required
@require_POST
def establishment_service_remove(
    request: HttpRequest, public_id: UUID, service_id: UUID
) -> HttpResponse:
    school = _establishment(request, public_id)
    service = policies.access_establishment_service(school, service_id)
    actions.do_remove_service(actor=request.actor, service=service)
    messages.success(request, _("Le service est supprimé : il ne reçoit plus de connexion."))
    return redirect("administration:cas_services", school.public_id)


# -- the academy's services ----------------------------------------------------------------------


@login_required
def academy_services(request: HttpRequest) -> HttpResponse:
    academies = directory_policies.managed_academies(request.actor)
    if not academies.exists():
        raise Http404
    form = AcademyServiceForm(request.POST or None, academies=academies)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_register_service(
                actor=request.actor, academy=form.cleaned_data["academy"], **_fields(form)
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Le service est enregistré."))
            return redirect("administration:academy_cas_services")
    rows = policies.managed_academy_services(request.actor).order_by("academy__name", "name")
    return render(request, "cas/academy_services.html", {"form": form, "rows": rows})


@login_required
def academy_service(request: HttpRequest, service_id: UUID) -> HttpResponse:
    service = policies.access_academy_service(request.actor, service_id)
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_service(actor=request.actor, service=service, **_fields(form))
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Le service est enregistré."))
            return redirect("administration:academy_cas_services")
    return render(request, "cas/academy_service.html", {"service": service, "form": form})


@login_required
@require_POST
def academy_service_remove(request: HttpRequest, service_id: UUID) -> HttpResponse:
    service = policies.access_academy_service(request.actor, service_id)
    actions.do_remove_service(actor=request.actor, service=service)
    messages.success(request, _("Le service est supprimé : il ne reçoit plus de connexion."))
    return redirect("administration:academy_cas_services")
