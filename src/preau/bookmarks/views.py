"""Pages of the bookmarks: one's own, by folder, with what the establishment pushes; and the
management of an establishment's pushed bookmarks. Views find objects through the policies
(404 otherwise), parse forms and call the actions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from preau.bookmarks import actions, policies, selectors
from preau.bookmarks.forms import BookmarkForm, FolderForm, MoveForm, PushedBookmarkForm
from preau.bookmarks.models import Audience, PushedBookmarkClass
from preau.core.forms import apply_action
from preau.directory.models import Establishment, Profile

# -- helpers -----------------------------------------------------------------------------------


def _index_at(anchor: str = "") -> HttpResponse:
    """Back to the bookmarks page, scrolled to the item just changed."""
    url = reverse("bookmarks:index")
    return redirect(f"{url}#{anchor}" if anchor else url)


def _offset(request: HttpRequest) -> int:
    return -1 if request.POST.get("direction") == "up" else 1


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


# -- one's own bookmarks -----------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    sections = selectors.my_bookmarks(actor)
    folders = [section.folder for section in sections if section.folder is not None]
    establishment = actor.establishment
    return render(
        request,
        "bookmarks/index.html",
        {
            "sections": sections,
            "folders": folders,
            "has_bookmarks": any(section.bookmarks for section in sections),
            "pushed": policies.visible_pushed_bookmarks(actor).order_by("position", "title"),
            "elsewhere": selectors.other_children_links(actor),
            "manages": establishment is not None
            and policies.can_manage_pushed_bookmarks(actor, establishment),
        },
    )


@login_required
def bookmark_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    initial = {}
    wanted = request.GET.get("folder")
    # A folder that is not the person's is ignored: the form starts outside any folder.
    if wanted and policies.visible_folders(actor).filter(public_id=_uuid(wanted)).exists():
        initial["folder"] = wanted
    form = BookmarkForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        bookmark = apply_action(
            form, lambda: actions.do_create_bookmark(actor=actor, **form.cleaned_data)
        )
        if bookmark is not None:
            messages.success(request, _("Le signet est ajouté."))
            return _index_at(f"bookmark-{bookmark.public_id}")
    return render(request, "bookmarks/bookmark_form.html", {"form": form, "bookmark": None})


@login_required
def bookmark_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    bookmark = policies.access_bookmark(actor, public_id)
    form = BookmarkForm(request.POST or None, actor=actor, instance=bookmark)
    if request.method == "POST" and form.is_valid():
        saved = apply_action(
            form,
            lambda: actions.do_update_bookmark(actor=actor, bookmark=bookmark, **form.cleaned_data),
        )
        if saved is not None:
            messages.success(request, _("Le signet est enregistré."))
            return _index_at(f"bookmark-{bookmark.public_id}")
    return render(request, "bookmarks/bookmark_form.html", {"form": form, "bookmark": bookmark})


@login_required
def bookmark_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    bookmark = policies.access_bookmark(actor, public_id)
    if request.method == "POST":
        actions.do_delete_bookmark(actor=actor, bookmark=bookmark)
        messages.success(request, _("Le signet est supprimé."))
        return _index_at()
    return render(
        request,
        "bookmarks/confirm_delete.html",
        {
            "heading": _("Supprimer le signet « %(title)s » ?") % {"title": bookmark.title},
            "explanation": "",
        },
    )


@login_required
@require_POST
def bookmark_move(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    bookmark = policies.access_bookmark(actor, public_id)
    form = MoveForm(request.POST, actor=actor)
    if form.is_valid():
        actions.do_move_bookmark(actor=actor, bookmark=bookmark, folder=form.cleaned_data["folder"])
        messages.success(request, _("Le signet est déplacé."))
    else:
        messages.error(request, _("Ce dossier n'existe pas."))
    return _index_at(f"bookmark-{bookmark.public_id}")


@login_required
@require_POST
def bookmark_order(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    bookmark = policies.access_bookmark(actor, public_id)
    actions.do_shift_bookmark(actor=actor, bookmark=bookmark, offset=_offset(request))
    return _index_at(f"bookmark-{bookmark.public_id}")


@login_required
def folder_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = FolderForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        folder = apply_action(
            form, lambda: actions.do_create_folder(actor=actor, **form.cleaned_data)
        )
        if folder is not None:
            messages.success(request, _("Le dossier est créé."))
            return _index_at(f"folder-{folder.public_id}")
    return render(request, "bookmarks/folder_form.html", {"form": form, "folder": None})


@login_required
def folder_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    folder = policies.access_folder(actor, public_id)
    form = FolderForm(request.POST or None, actor=actor, instance=folder)
    if request.method == "POST" and form.is_valid():
        actions.do_update_folder(actor=actor, folder=folder, **form.cleaned_data)
        messages.success(request, _("Le dossier est renommé."))
        return _index_at(f"folder-{folder.public_id}")
    return render(request, "bookmarks/folder_form.html", {"form": form, "folder": folder})


@login_required
def folder_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    folder = policies.access_folder(actor, public_id)
    if request.method == "POST":
        actions.do_delete_folder(actor=actor, folder=folder)
        messages.success(request, _("Le dossier est supprimé ; ses signets sont conservés."))
        return _index_at()
    return render(
        request,
        "bookmarks/confirm_delete.html",
        {
            "heading": _("Supprimer le dossier « %(name)s » ?") % {"name": folder.name},
            "explanation": _(
                "Les signets de ce dossier ne sont pas supprimés : ils sont placés hors dossier."
            ),
        },
    )


@login_required
@require_POST
def folder_order(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    folder = policies.access_folder(actor, public_id)
    actions.do_shift_folder(actor=actor, folder=folder, offset=_offset(request))
    return _index_at(f"folder-{folder.public_id}")


# -- an establishment's pushed bookmarks -------------------------------------------------------


def _audience_label(bookmark: Any) -> str:
    if bookmark.audience == Audience.PROFILES:
        labels = dict(Profile.choices)
        names = ", ".join(
            str(labels.get(row.profile, row.profile)) for row in bookmark.profile_rows.all()
        )
        return _("Profils : %(names)s") % {"names": names}
    if bookmark.audience == Audience.CLASSES:
        names = ", ".join(row.school_class.name for row in bookmark.class_rows.all())
        return _("Classes : %(names)s") % {"names": names}
    return str(Audience.ESTABLISHMENT.label)


def _pushed_rows(actor: Any, establishment: Establishment) -> Any:
    classes = PushedBookmarkClass.objects.select_related("school_class").order_by(
        "school_class__name"
    )
    return policies.administered_pushed_bookmarks(actor, establishment).prefetch_related(
        "profile_rows", Prefetch("class_rows", queryset=classes)
    )


@login_required
def manage(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    form = PushedBookmarkForm(
        request.POST or None, establishment=establishment, year=actor.school_year
    )
    if request.method == "POST" and form.is_valid():
        created = apply_action(
            form,
            lambda: actions.do_create_pushed_bookmark(
                actor=actor, establishment=establishment, **form.cleaned_data
            ),
        )
        if created is not None:
            messages.success(request, _("Le signet est proposé à son public."))
            return redirect("bookmarks:manage", establishment.public_id)
    rows = list(_pushed_rows(actor, establishment).order_by("-active", "position", "title"))
    for row in rows:
        row.audience_label = _audience_label(row)
    return render(
        request,
        "bookmarks/manage.html",
        {"establishment": establishment, "rows": rows, "form": form},
    )


@login_required
def pushed_edit(request: HttpRequest, public_id: UUID, bookmark_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    bookmark = policies.access_administered_pushed_bookmark(actor, establishment, bookmark_id)
    form = PushedBookmarkForm(
        request.POST or None,
        establishment=establishment,
        year=actor.school_year,
        instance=bookmark,
    )
    if request.method == "POST" and form.is_valid():
        saved = apply_action(
            form,
            lambda: actions.do_update_pushed_bookmark(
                actor=actor, bookmark=bookmark, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, _("Le signet est enregistré."))
            return redirect("bookmarks:manage", establishment.public_id)
    return render(
        request,
        "bookmarks/pushed_form.html",
        {"establishment": establishment, "bookmark": bookmark, "form": form},
    )


@login_required
@require_POST
def pushed_active(request: HttpRequest, public_id: UUID, bookmark_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    bookmark = policies.access_administered_pushed_bookmark(actor, establishment, bookmark_id)
    active = request.POST.get("active") == "1"
    actions.do_set_pushed_bookmark_active(actor=actor, bookmark=bookmark, active=active)
    if active:
        messages.success(request, _("Le signet est de nouveau affiché."))
    else:
        messages.success(request, _("Le signet n'est plus affiché."))
    return redirect("bookmarks:manage", establishment.public_id)


@login_required
def pushed_delete(request: HttpRequest, public_id: UUID, bookmark_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    bookmark = policies.access_administered_pushed_bookmark(actor, establishment, bookmark_id)
    if request.method == "POST":
        actions.do_delete_pushed_bookmark(actor=actor, bookmark=bookmark)
        messages.success(request, _("Le signet est supprimé."))
        return redirect("bookmarks:manage", establishment.public_id)
    return render(
        request,
        "bookmarks/confirm_delete.html",
        {
            "heading": _("Supprimer le signet « %(title)s » ?") % {"title": bookmark.title},
            "explanation": _(
                "Il disparaîtra du portail de son public. Pour le masquer sans le perdre, "
                "désactivez-le plutôt."
            ),
            "back": reverse("bookmarks:manage", args=[establishment.public_id]),
        },
    )
