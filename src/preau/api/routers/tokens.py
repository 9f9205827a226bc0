"""The caller's own personal access tokens: list and revoke. Creation is on the web page, where
the secret can be shown once to a person rather than to a program."""

from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from preau.api import actions, policies
from preau.api.auth import api_auth
from preau.api.errors import ErrorOut
from preau.api.models import PersonalAccessToken, Scope
from preau.api.pagination import PageNumberPagination
from preau.api.schemas import TokenOut

router = Router(auth=api_auth(Scope.MANAGE_TOKENS), tags=["jetons"])
SCOPE = {"x-required-scope": Scope.MANAGE_TOKENS.value}
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get(
    "/tokens",
    response={200: list[TokenOut], **ERRORS},
    url_name="token_list",
    summary="Mes jetons d'accès",
    openapi_extra=SCOPE,
)
@paginate(PageNumberPagination)
def token_list(request: HttpRequest) -> QuerySet:
    return policies.visible_tokens(request.actor)


@router.post(
    "/tokens/{uuid:public_id}/revoke",
    response={200: TokenOut, **ERRORS},
    url_name="token_revoke",
    summary="Révoquer un jeton",
    openapi_extra=SCOPE,
)
def token_revoke(request: HttpRequest, public_id: UUID) -> PersonalAccessToken:
    actor = request.actor
    token = policies.access_token(actor, public_id)
    return actions.do_revoke_token(actor=actor, token=token)
