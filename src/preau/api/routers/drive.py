"""The drive: a folder's contents (metadata) and a file's content, through the drive's own
checks (the owner's spaces, shares, group workspaces; the current establishment only)."""

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from ninja import Router
from ninja.pagination import paginate

from preau.api.auth import api_auth
from preau.api.errors import ErrorOut
from preau.api.models import Scope
from preau.api.pagination import PageNumberPagination
from preau.api.schemas import DriveFolderOut, DriveItemOut
from preau.core.actor import Actor
from preau.drive import actions, policies
from preau.drive.models import Node
from preau.drive.views import serve_node

router = Router(auth=api_auth(Scope.READ_DRIVE), tags=["porte-documents"])
SCOPE = {"x-required-scope": Scope.READ_DRIVE.value}
BINARY = {"type": "string", "format": "binary"}
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _root(actor: Actor) -> Node:
    """The root of the actor's personal space; 404 before the drive was ever opened."""
    space = policies.personal_space(actor)
    if space is None:
        raise Http404
    root = actions.root_of(space)
    root.grant = policies.grant_for(actor, root)
    return root


@router.get(
    "/drive/root",
    response={200: DriveFolderOut, **ERRORS},
    url_name="drive_root",
    summary="Mon dossier personnel",
    openapi_extra=SCOPE,
)
def root(request: HttpRequest) -> Node:
    """The caller's personal folder in the current establishment, to list with /items."""
    return _root(request.actor)


@router.get(
    "/drive/folders/{uuid:public_id}/items",
    response={200: list[DriveItemOut], **ERRORS},
    url_name="drive_items",
    summary="Contenu d'un dossier",
    openapi_extra=SCOPE,
)
@paginate(PageNumberPagination)
def items(request: HttpRequest, public_id: UUID) -> QuerySet[Node]:
    """The folder's subfolders then files, by name (not the trash).

    Queries: the folder, the caller's rights on it (none for the owner), the count, the page.
    """
    folder = policies.access_folder(request.actor, public_id)
    return policies.children(request.actor, folder)


@router.get(
    "/drive/files/{uuid:public_id}/content",
    response=ERRORS,
    url_name="drive_download",
    summary="Télécharger un fichier",
    openapi_extra={
        **SCOPE,
        "responses": {
            "200": {
                "description": "Le contenu du fichier, en pièce jointe.",
                "content": {"application/octet-stream": {"schema": BINARY}},
            }
        },
    },
)
def download(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    """The file's content, streamed, as the drive's own download link gives it."""
    return serve_node(policies.access_file(request.actor, public_id), inline=False)
