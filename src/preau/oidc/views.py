"""The provider's pages: the consent screen (django-oauth-toolkit's authorization view with
Préau's membership rule and template), the RP-initiated logout confirmation, and the discovery
document also served at the site's root (the fixed contract of DESIGN.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from oauth2_provider import views as dot_views

from preau.oidc import policies


class AuthorizationView(dot_views.AuthorizationView):
    """The consent screen, once the person is logged in; refused to non-members."""

    template_name = "oidc/authorize.html"

    def _refusal(self, request: HttpRequest, client_id: str | None) -> HttpResponse | None:
        client = policies.client_for(client_id or "")
        if client is None:
            # Unknown client, or an application registered outside Préau: no redirect is
            # trusted, the person is told here.
            reason = _("Cette application n'est pas enregistrée auprès de Préau.")
            return render(request, "oidc/refused.html", {"reason": reason}, status=400)
        if not policies.may_use(request.actor, client):
            reason = _(
                "Votre compte ne donne pas accès à « %(name)s » : l'application est réservée "
                "aux membres de l'établissement ou de l'académie qui l'a enregistrée."
            ) % {"name": client.application.name}
            return render(request, "oidc/refused.html", {"reason": reason}, status=403)
        return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refusal(request, request.GET.get("client_id")) or super().get(
            request, *args, **kwargs
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refusal(request, request.POST.get("client_id")) or super().post(
            request, *args, **kwargs
        )


class LogoutView(dot_views.RPInitiatedLogoutView):
    template_name = "oidc/logout_confirm.html"
