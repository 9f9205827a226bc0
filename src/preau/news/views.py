"""News pages: the list, one post, « mes publications », the form, deletion and the files.

Every post is reached through news/policies.py; files are streamed after that check, never
from a public media URL.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from preau.news import actions, policies
from preau.news.forms import PostForm
from preau.news.models import Post

PAGE_SIZE = 10


def _page(request: HttpRequest, posts: Any) -> Any:
    return Paginator(posts.select_related("author"), PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    return render(
        request,
        "news/index.html",
        {
            "page": _page(request, policies.visible_posts(actor)),
            "can_post": policies.can_post(actor),
            "manages": policies.can_post(actor) or actor.is_head,
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not (policies.can_post(actor) or actor.is_head):
        raise Http404
    return render(
        request,
        "news/mine.html",
        {
            "page": _page(request, policies.managed_posts(actor)),
            "can_post": policies.can_post(actor),
        },
    )


@login_required
def detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    post = policies.access_post(actor, public_id)
    return render(
        request,
        "news/detail.html",
        {
            "post": post,
            "attachments": post.attachments.all(),
            "profiles": post.audience_profiles.all(),
            "classes": post.classes.all(),
            "groups": post.groups.all(),
            "workspaces": post.workspaces.all(),
            "can_edit": policies.can_edit_post(actor, post),
            "can_delete": policies.can_delete_post(actor, post),
        },
    )


def _save(request: HttpRequest, form: PostForm, post: Post | None) -> Post:
    data = form.cleaned_data
    common = {
        "actor": request.actor,
        "title": data["title"],
        "body": data["body"],
        "audience": form.audience(),
        "publish_at": data.get("publish_at"),
        "unpublish_at": data.get("unpublish_at"),
        "pinned": data.get("pinned", False),
        "image": data.get("image"),
        "image_alt": data.get("image_alt", ""),
        "attachments": data.get("attachments") or [],
    }
    if post is None:
        return actions.do_publish_post(establishment=request.actor.establishment, **common)
    return actions.do_update_post(
        post=post,
        remove_image=data.get("remove_image", False),
        remove_attachments=list(data.get("remove_attachments") or []),
        **common,
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not policies.can_post(actor):
        raise Http404
    # « Publier une actualité » from a workspace's page addresses the post to that workspace.
    initial = {"workspaces": request.GET.getlist("workspace")[:1]}
    form = PostForm(request.POST or None, request.FILES or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        post = _save(request, form, None)
        messages.success(request, _("L'actualité est enregistrée."))
        return redirect("news:detail", public_id=post.public_id)
    return render(request, "news/form.html", {"form": form, "post": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    post = policies.access_post(actor, public_id)
    if not policies.can_edit_post(actor, post):
        raise Http404
    form = PostForm(request.POST or None, request.FILES or None, actor=actor, post=post)
    if request.method == "POST" and form.is_valid():
        post = _save(request, form, post)
        messages.success(request, _("L'actualité est modifiée."))
        return redirect("news:detail", public_id=post.public_id)
    return render(request, "news/form.html", {"form": form, "post": post})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    post = policies.access_post(actor, public_id)
    if not policies.can_delete_post(actor, post):
        raise Http404
    if request.method == "POST":
        actions.do_delete_post(actor=actor, post=post)
        messages.success(request, _("L'actualité est supprimée."))
        return redirect("news:mine")
    return render(request, "news/delete.html", {"post": post})


def _file_response(file: Any, *, content_type: str, filename: str, inline: bool) -> FileResponse:
    response = FileResponse(
        file.open("rb"), content_type=content_type, as_attachment=not inline, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def image(request: HttpRequest, public_id: UUID) -> HttpResponse:
    post = policies.access_post(request.actor, public_id)
    if not post.image:
        raise Http404
    extension = post.image.name.rsplit(".", 1)[-1]
    content_type = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}.get(extension)
    if content_type is None:
        raise Http404
    return _file_response(
        post.image, content_type=content_type, filename=f"image.{extension}", inline=True
    )


@login_required
def attachment(request: HttpRequest, public_id: UUID, attachment_id: UUID) -> HttpResponse:
    post = policies.access_post(request.actor, public_id)
    attached = policies.access_attachment(post, attachment_id)
    return _file_response(
        attached.file,
        content_type=attached.content_type,
        filename=attached.original_name,
        inline=False,
    )
