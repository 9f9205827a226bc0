"""Pages of the drive. Views find nodes through the policies (404 otherwise), parse forms and
call the actions; files are served only from here, after the access check."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import load_handler
from django.core.paginator import Paginator
from django.db.models import F
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from preau.drive import actions, filetypes, policies, previews, selectors, storage
from preau.drive.errors import DriveError
from preau.drive.forms import ACCEPT, NameForm, SettingsForm, ShareForm, TargetForm, UploadForm
from preau.drive.models import MIB, TRASH_DAYS, Node, NodeKind
from preau.drive.uploads import DriveUploadHandler
from preau.groups import policies as group_policies

PAGE_SIZE = 50


# -- helpers -------------------------------------------------------------------------------------
def _folder_url(node: Node) -> str:
    if node.parent_id is None and node.grant.permission == policies.OWNER:
        return reverse("drive:index")
    if node.parent_id is None and node.grant.group:
        return reverse("drive:group", args=[node.space.workspace.public_id])
    return reverse("drive:folder", args=[node.public_id])


def _workspace_of(node: Node) -> Any:
    """The workspace whose shared folder holds ``node``, when the actor reaches it as one of
    its members."""
    return node.space.workspace if node.grant.group else None


def _trash_url(node: Node) -> str:
    if node.grant.group:
        return reverse("drive:group_trash", args=[node.space.workspace.public_id])
    return reverse("drive:trash")


def _back(node: Node) -> HttpResponse:
    """To the folder holding ``node`` (or the node itself when the actor reaches no further)."""
    parent = node.parent
    if parent is None or not parent.path.startswith(node.grant.top_path):
        return redirect(_item_url(node))
    parent.grant = node.grant
    return redirect(_folder_url(parent))


def _item_url(node: Node) -> str:
    if node.kind == NodeKind.FOLDER:
        return _folder_url(node)
    return reverse("drive:item", args=[node.public_id])


def _refusal(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _usage(actor: Any) -> Any:
    space = policies.personal_space(actor)
    return policies.usage(space) if space is not None else None


# -- browsing ------------------------------------------------------------------------------------
@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if actor.establishment is None:
        raise Http404
    space = actions.do_ensure_personal_space(actor=actor)
    root = actions.root_of(space)
    root.grant = policies.grant_for(actor, root)
    return _folder_page(request, root)


@login_required
def folder(request: HttpRequest, public_id: UUID) -> HttpResponse:
    node = policies.access_folder(request.actor, public_id)
    if node.is_root and (node.grant.permission == policies.OWNER or node.grant.group):
        return redirect(_folder_url(node))
    return _folder_page(request, node)


# -- group workspaces' shared folders ------------------------------------------------------------
@login_required
def groups(request: HttpRequest) -> HttpResponse:
    """« Espaces de groupe »: the shared folders of the actor's workspaces, open ones first."""
    actor = request.actor
    if actor.establishment is None or not policies.groups_enabled(actor.establishment):
        raise Http404
    rows = group_policies.visible_workspaces(actor).order_by(
        F("archived_at").asc(nulls_first=True), "name", "id"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "drive/groups.html", {"page": page})


def _group_root(request: HttpRequest, public_id: UUID) -> Node:
    """The root of a workspace's shared folder, for one of its members (made on first visit);
    404 for anyone else."""
    actor = request.actor
    if actor.establishment is None or not policies.groups_enabled(actor.establishment):
        raise Http404
    workspace = group_policies.access_workspace(actor, public_id)
    space = actions.do_ensure_group_space(workspace=workspace)
    root = actions.root_of(space)
    root.space = space
    root.grant = policies.grant_for(actor, root)
    if root.grant is None:
        raise Http404
    return root


@login_required
def group_folder(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _folder_page(request, _group_root(request, public_id))


@login_required
def group_trash(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The trash of a workspace's shared folder: its members see it; the person who trashed a
    node and the animators restore it; animators delete forever."""
    actor = request.actor
    root = _group_root(request, public_id)
    rows = policies.group_trashed(root.space).select_related("trashed_by")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for node in page.object_list:
        node.grant = root.grant
        node.restorable = policies.can_restore(actor, node)
        node.deletable = policies.can_delete_forever(actor, node)
    return render(
        request,
        "drive/trash.html",
        {
            "page": page,
            "usage": policies.usage(root.space),
            "days": TRASH_DAYS,
            "group": root.space.workspace,
            "root": root,
        },
    )


def _folder_page(request: HttpRequest, node: Node) -> HttpResponse:
    actor = request.actor
    rows = policies.children(actor, node).select_related("modified_by")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    owner = node.grant.permission == policies.OWNER
    group = _workspace_of(node)
    can_write = policies.can_write_into(actor, node)
    usage, max_bytes = None, 0
    if can_write or group is not None:
        settings = policies.drive_settings(node.establishment_id)
        usage = policies.usage(node.space, settings=settings)
        max_bytes = settings.max_file_mb * MIB
    return render(
        request,
        "drive/folder.html",
        {
            "folder": node,
            "page": page,
            "ancestors": [] if node.is_root else list(policies.ancestors(node)),
            "owner": owner,
            "group": group,
            "can_write": can_write,
            "can_change": policies.can_change(actor, node),
            "can_share": policies.can_share(actor, node),
            # Only the owner sees the usage of their space, and a workspace's members that of
            # its shared folder; an editor's uploads are checked against what it leaves
            # (``remaining``) all the same.
            "usage": usage if owner or group is not None else None,
            "remaining": usage.remaining if usage else 0,
            "max_bytes": max_bytes,
            "accept": ACCEPT,
            "upload_form": UploadForm(),
            "folder_form": NameForm(),
        },
    )


@login_required
def item(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A file's page: its preview, what it is, what one may do with it."""
    actor = request.actor
    node = policies.access_node(actor, public_id)
    if node.kind == NodeKind.FOLDER:
        return redirect(_folder_url(node))
    kind = filetypes.kind_of(node.extension)
    excerpt, more = previews.text_excerpt(node) if kind == "text" else ("", False)
    return render(
        request,
        "drive/item.html",
        {
            "node": node,
            "kind": kind,
            "excerpt": excerpt,
            "more": more,
            "ancestors": list(policies.ancestors(node)),
            "can_write": policies.can_write_into(actor, node),
            "can_change": policies.can_change(actor, node),
            "can_share": policies.can_share(actor, node),
            "owner": node.grant.permission == policies.OWNER,
            "group": _workspace_of(node),
            "type_label": filetypes.TYPES[node.extension].label
            if node.extension in filetypes.TYPES
            else node.content_type,
        },
    )


# -- serving -------------------------------------------------------------------------------------
def serve_node(node: Node, *, inline: bool) -> HttpResponseBase:
    """The file's content (the caller checked access): streamed, or handed to the front web
    server; never rendered as a page of ours."""
    known = filetypes.TYPES.get(node.extension)
    text = node.extension in filetypes.TEXT_TYPES
    inline = inline and known is not None and (known.inline or text)
    # Text is always plain text: a browser never renders it as a page.
    content_type = "text/plain; charset=utf-8" if text and inline else node.content_type
    prefix = settings.DRIVE_X_ACCEL_REDIRECT_PREFIX
    if prefix and storage.local_path(node.blob) is not None:
        # The front web server sends the file from its internal location.
        response: HttpResponseBase = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix + quote(node.blob)
        response["Content-Disposition"] = content_disposition_header(not inline, node.name)
    else:
        response = FileResponse(
            storage.open_blob(node.blob),
            content_type=content_type,
            as_attachment=not inline,
            filename=node.name,
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    # The browser's PDF viewer does not open in a sandbox; a PDF runs no script of ours.
    sandbox = "" if node.extension == "pdf" else "; sandbox"
    response["Content-Security-Policy"] = f"default-src 'none'; frame-ancestors 'none'{sandbox}"
    return response


@login_required
def download(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    return serve_node(policies.access_file(request.actor, public_id), inline=False)


@login_required
def view(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    """The file shown by the browser itself (image, PDF, sound, video, text as text)."""
    return serve_node(policies.access_file(request.actor, public_id), inline=True)


@login_required
def thumbnail(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    node = policies.access_file(request.actor, public_id)
    if node.extension not in filetypes.IMAGE_TYPES:
        raise Http404
    name = previews.thumbnail(node)
    if name is None:
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), content_type="image/webp")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# -- writing -------------------------------------------------------------------------------------
@csrf_exempt
@login_required
def upload(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Files into a folder. The upload handler is put in place before the body is read (so
    the CSRF check comes after it, in ``_upload``)."""
    actor = request.actor
    node = policies.access_folder(actor, public_id)
    if request.method != "POST" or not policies.can_write_into(actor, node):
        raise Http404
    usage = policies.usage(node.space)
    handler = DriveUploadHandler(
        request,
        max_file_bytes=policies.max_file_bytes(node.establishment_id),
        remaining_bytes=usage.remaining,
    )
    request.upload_handlers = [
        handler,
        *(load_handler(path, request) for path in settings.FILE_UPLOAD_HANDLERS),
    ]
    request.POST  # noqa: B018 - reads the body through the handlers now
    if handler.request_too_big:
        # Nothing was read, so there is no form (nor CSRF token) to check: only say why.
        messages.error(
            request,
            _("Ces fichiers dépassent ce qu'il reste de votre quota (%(left)s).")
            % {"left": filesizeformat(usage.remaining)},
        )
        return _after_upload(request, node)
    return _upload(request, node, handler)


@csrf_protect
def _upload(request: HttpRequest, node: Node, handler: DriveUploadHandler) -> HttpResponse:
    actor = request.actor
    form = UploadForm(request.POST, request.FILES)
    files = form.cleaned_data["files"] if form.is_valid() else []
    for name, reason in handler.refused:
        if reason == "size":
            messages.error(
                request,
                _("« %(name)s » dépasse la taille maximale d'un fichier (%(size)s).")
                % {"name": name, "size": filesizeformat(handler.max_file_bytes)},
            )
        else:
            messages.error(
                request,
                _("« %(name)s » dépasse ce qu'il reste de votre quota.") % {"name": name},
            )
    stored = 0
    for file in files:
        try:
            actions.do_upload_file(
                actor=actor, folder=node, name=file.name, content=file, on_conflict="rename"
            )
            stored += 1
        except DriveError as error:
            _refusal(request, error)
        finally:
            file.close()
    if stored:
        messages.success(
            request,
            ngettext("%(count)s fichier ajouté.", "%(count)s fichiers ajoutés.", stored)
            % {"count": stored},
        )
    elif not files and not handler.refused:
        messages.error(request, _("Choisissez au moins un fichier."))
    return _after_upload(request, node)


def _after_upload(request: HttpRequest, node: Node) -> HttpResponse:
    """Back to the folder; the page's script gets the address to go to instead of the page
    itself, so that the messages are shown there."""
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return JsonResponse({"redirect": _folder_url(node)})
    return redirect(_folder_url(node))


@login_required
@require_POST
def new_folder(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    parent = policies.access_folder(actor, public_id)
    if not policies.can_write_into(actor, parent):
        raise Http404
    form = NameForm(request.POST)
    if form.is_valid():
        try:
            created = actions.do_create_folder(
                actor=actor, parent=parent, name=form.cleaned_data["name"]
            )
            created.grant = parent.grant
            messages.success(request, _("Dossier « %(name)s » créé.") % {"name": created.name})
            return redirect(_folder_url(created))
        except DriveError as error:
            _refusal(request, error)
    else:
        messages.error(request, _("Donnez un nom."))
    return redirect(_folder_url(parent))


def _changeable(request: HttpRequest, public_id: UUID) -> Node:
    node = policies.access_node(request.actor, public_id)
    if not policies.can_change(request.actor, node):
        raise Http404
    return node


@login_required
def rename(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    node = _changeable(request, public_id)
    form = NameForm(request.POST or None, initial={"name": node.name})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_rename(actor=actor, node=node, name=form.cleaned_data["name"])
            messages.success(request, _("Renommé en « %(name)s ».") % {"name": node.name})
            return _back(node)
        except DriveError as error:
            form.add_error("name", error)
    return render(request, "drive/rename.html", {"node": node, "form": form})


@login_required
def move(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    node = _changeable(request, public_id)
    folders = [
        f for f in selectors.folder_choices(actor, node) if f.public_id != node.parent.public_id
    ]
    return _target_page(request, node, folders, copy=False)


@login_required
def copy(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    node = policies.access_node(actor, public_id)
    if node.is_root:
        raise Http404
    # A copy goes to the actor's own space, made on first use like the drive's home.
    actions.do_ensure_personal_space(actor=actor)
    folders = selectors.folder_choices(actor, node, for_copy=True)
    return _target_page(request, node, folders, copy=True)


def _target_page(request: HttpRequest, node: Node, folders: list, *, copy: bool) -> HttpResponse:
    actor = request.actor
    form = TargetForm(request.POST or None, folders=folders)
    if request.method == "POST" and form.is_valid():
        target = policies.access_folder(actor, form.cleaned_data["target"].public_id)
        try:
            if copy:
                done = actions.do_copy(actor=actor, node=node, target=target, on_conflict="rename")
                messages.success(request, _("Copie « %(name)s » créée.") % {"name": done.name})
            else:
                actions.do_move(actor=actor, node=node, target=target)
                messages.success(request, _("« %(name)s » déplacé.") % {"name": node.name})
            return redirect(_folder_url(target))
        except DriveError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            raise Http404 from error
    return render(
        request,
        "drive/target.html",
        {"node": node, "form": form, "copy": copy, "empty": not folders},
    )


@login_required
@require_POST
def trash(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    node = _changeable(request, public_id)
    actions.do_trash(actor=actor, node=node)
    if node.grant.group:
        messages.success(
            request,
            _("« %(name)s » est dans la corbeille de l'espace de groupe pour %(days)s jours.")
            % {"name": node.name, "days": TRASH_DAYS},
        )
    elif node.grant.permission == policies.OWNER:
        messages.success(
            request,
            _("« %(name)s » est dans la corbeille pour %(days)s jours.")
            % {"name": node.name, "days": TRASH_DAYS},
        )
    else:
        messages.success(
            request,
            _("« %(name)s » est dans la corbeille de son propriétaire.") % {"name": node.name},
        )
    return _back(node)


# -- trash ---------------------------------------------------------------------------------------
@login_required
def trash_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if actor.establishment is None:
        raise Http404
    rows = policies.trashed(actor).select_related("trashed_by")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "drive/trash.html",
        {"page": page, "usage": _usage(actor), "days": TRASH_DAYS},
    )


@login_required
@require_POST
def restore(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    node = policies.access_trashed(actor, public_id)
    if not policies.can_restore(actor, node):
        raise Http404
    actions.do_restore(actor=actor, node=node)
    messages.success(request, _("« %(name)s » est restauré.") % {"name": node.name})
    return redirect(_trash_url(node))


@login_required
def delete_forever(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    node = policies.access_trashed(actor, public_id)
    if not policies.can_delete_forever(actor, node):
        raise Http404
    if request.method == "POST":
        freed = actions.do_delete_forever(actor=actor, node=node)
        messages.success(
            request,
            _("« %(name)s » est supprimé définitivement (%(size)s libérés).")
            % {"name": node.name, "size": filesizeformat(freed)},
        )
        return redirect(_trash_url(node))
    return render(request, "drive/delete.html", {"node": node, "back_url": _trash_url(node)})


@login_required
@require_POST
def empty_trash(request: HttpRequest) -> HttpResponse:
    freed = actions.do_empty_trash(actor=request.actor)
    messages.success(
        request, _("Corbeille vidée : %(size)s libérés.") % {"size": filesizeformat(freed)}
    )
    return redirect("drive:trash")


# -- sharing -------------------------------------------------------------------------------------
@login_required
def shared(request: HttpRequest) -> HttpResponse:
    """« Partagés avec moi »."""
    actor = request.actor
    rows = policies.shared_with_me(actor).select_related(
        "node", "node__space__owner", "school_class", "group"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "drive/shared.html", {"page": page})


@login_required
def share(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    node = policies.access_node(actor, public_id)
    if not policies.can_share(actor, node):
        raise Http404
    form = ShareForm(
        request.POST or None,
        classes=list(policies.shareable_classes(actor).order_by("level__order", "name")),
        groups=list(policies.shareable_groups(actor).order_by("name")),
        people=list(policies.shareable_people(actor).order_by("last_name", "first_name")),
        permissions=policies.permissions_allowed(actor),
    )
    if request.method == "POST" and form.is_valid():
        kind, grantee = form.cleaned_data["grantee"]
        actions.do_share(
            actor=actor, node=node, permission=form.cleaned_data["permission"], **{kind: grantee}
        )
        messages.success(request, _("« %(name)s » est partagé.") % {"name": node.name})
        return redirect("drive:share", node.public_id)
    shares = node.shares.select_related("person", "school_class", "group").order_by("created_at")
    return render(request, "drive/share.html", {"node": node, "form": form, "shares": shares})


@login_required
@require_POST
def revoke(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    share_row = policies.access_share(actor, public_id)
    actions.do_revoke_share(actor=actor, share=share_row)
    messages.success(request, _("Le partage est retiré."))
    return redirect("drive:share", share_row.node.public_id)


# -- the establishment's settings ----------------------------------------------------------------
@login_required
def settings_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_settings_establishment(actor, public_id)
    current = policies.drive_settings(establishment)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        actions.do_update_settings(
            actor=actor,
            establishment=establishment,
            **{name: form.cleaned_data[name] for name in SettingsForm.Meta.fields},
        )
        messages.success(request, _("Les réglages de l'espace de stockage sont enregistrés."))
        return redirect("drive:settings", establishment.public_id)
    return render(
        request,
        "drive/settings.html",
        {"establishment": establishment, "form": form, "extensions": filetypes.ACCEPTED_EXTENSIONS},
    )
