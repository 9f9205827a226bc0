"""The identity providers in the academy's console (academy administrators, superusers; behind
the second factor as every /manage/ page). Another academy's provider is a 404."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from preau.core.forms import add_validation_errors
from preau.directory import policies as directory_policies
from preau.federation import actions, policies
from preau.federation.forms import NewProviderForm, ProviderForm


@login_required
@sensitive_post_parameters("oidc_client_secret")
def academy_providers(request: HttpRequest) -> HttpResponse:
    policies.require_console(request.actor)
    academies = directory_policies.managed_academies(request.actor)
    form = NewProviderForm(request.POST or None, request.FILES or None, academies=academies)
    if request.method == "POST" and form.is_valid():
        try:
            provider = actions.do_register_provider(actor=request.actor, **form.action_fields())
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Le fournisseur d'identité est enregistré."))
            return redirect("administration:academy_identity_provider", provider.public_id)
    rows = (
        policies.managed_providers(request.actor)
        .defer("saml_metadata", "sp_private_key", "sp_certificate", "oidc_client_secret")
        .order_by("academy__name", "name")
    )
    return render(request, "federation/academy_providers.html", {"form": form, "rows": rows})


@login_required
@sensitive_post_parameters("oidc_client_secret")
def academy_provider(request: HttpRequest, provider_id: UUID) -> HttpResponse:
    provider = policies.access_managed_provider(request.actor, provider_id)
    form = ProviderForm.for_provider(provider, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_provider(
                actor=request.actor, provider=provider, **form.action_fields()
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Le fournisseur d'identité est enregistré."))
            return redirect("administration:academy_identity_provider", provider.public_id)
    if provider.is_saml:
        address = reverse("federation:saml_metadata", args=[provider.public_id])
    else:
        address = reverse("federation:oidc_callback", args=[provider.public_id])
    return render(
        request,
        "federation/academy_provider.html",
        {"provider": provider, "form": form, "address": request.build_absolute_uri(address)},
    )


@login_required
@require_POST
def academy_provider_enabled(request: HttpRequest, provider_id: UUID) -> HttpResponse:
    provider = policies.access_managed_provider(request.actor, provider_id)
    enabled = request.POST.get("enabled") == "1"
    actions.do_set_enabled(actor=request.actor, provider=provider, enabled=enabled)
    messages.success(
        request,
        _("Le fournisseur d'identité est activé.")
        if enabled
        else _(
            "Le fournisseur d'identité est désactivé : son bouton disparaît de la page de "
            "connexion."
        ),
    )
    return redirect("administration:academy_identity_provider", provider.public_id)
