"""The « Jetons d'accès » pages: list my tokens, create one (its secret shown once), revoke."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from preau.api import actions, policies
from preau.api.forms import TokenForm


def _list_page(request: HttpRequest, form: TokenForm, **extra: object) -> HttpResponse:
    tokens = policies.visible_tokens(request.actor)
    return render(request, "api/tokens.html", {"tokens": tokens, "form": form, **extra})


@login_required
@never_cache
def token_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, TokenForm(request.user))


@login_required
@never_cache
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.user, request.POST)
    if form.is_valid():
        try:
            token, secret = actions.do_create_token(
                actor=request.actor,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Answered directly rather than redirected: the secret is never stored, so this
            # page (not cached) is the only place it appears.
            return _list_page(request, TokenForm(request.user), created=token, secret=secret)
    return _list_page(request, form)


@login_required
@require_POST
def token_revoke(request: HttpRequest, public_id: UUID) -> HttpResponse:
    token = policies.access_token(request.actor, public_id)
    actions.do_revoke_token(actor=request.actor, token=token)
    messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
    return redirect("api_tokens:list")
