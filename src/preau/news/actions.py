"""Changes to news posts: publish, update, delete.

Each action runs in one transaction, sanitises the HTML body, saves with ``update_fields`` and
writes an audit row; a post published at once notifies its audience. Callers (views, the demo)
have already checked access through the policies and checked uploaded files (forms.py): files
reach the storage only once accepted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from preau.audit.actions import record, snapshot
from preau.core import html as core_html
from preau.core.uploads import CheckedFile
from preau.directory.models import Establishment
from preau.news.models import (
    Post,
    PostAttachment,
    PostClass,
    PostGroup,
    PostProfile,
    PostWorkspace,
)
from preau.news.policies import AudienceSpec, audience_recipients
from preau.notifications.actions import notify
from preau.notifications.models import Kind, Notification
from preau.portal.panel_cache import bump_scope

POST_FIELDS = ["title", "publish_at", "unpublish_at", "pinned", "to_establishment"]


def sanitise_html(text: str) -> str:
    """The body as safe HTML: only the allowed tags, links to http, https and mailto only.

    Text without any tag is taken as plain text: its blank lines make paragraphs.
    """
    return core_html.sanitise_html(text, allow_headings=True, link_rel="noopener")


def _audience_labels(post: Post) -> list[str]:
    labels = ["*"] if post.to_establishment else []
    labels += [row.profile for row in post.audience_profiles.all()]
    labels += [c.name for c in post.classes.all()]
    labels += [g.name for g in post.groups.all()]
    labels += [w.name for w in post.workspaces.all()]
    return labels


def _set_audience(post: Post, spec: AudienceSpec) -> None:
    establishment = post.establishment
    PostProfile.objects.filter(post=post).exclude(profile__in=spec.profiles).delete()
    PostClass.objects.filter(post=post).exclude(school_class__in=spec.classes).delete()
    PostGroup.objects.filter(post=post).exclude(group__in=spec.groups).delete()
    PostWorkspace.objects.filter(post=post).exclude(workspace__in=spec.workspaces).delete()
    PostProfile.objects.bulk_create(
        [PostProfile(establishment=establishment, post=post, profile=p) for p in spec.profiles],
        ignore_conflicts=True,
    )
    PostClass.objects.bulk_create(
        [
            PostClass(establishment=establishment, post=post, school_class=c)
            for c in spec.classes
            if c.establishment_id == establishment.pk
        ],
        ignore_conflicts=True,
    )
    PostGroup.objects.bulk_create(
        [
            PostGroup(establishment=establishment, post=post, group=g)
            for g in spec.groups
            if g.establishment_id == establishment.pk
        ],
        ignore_conflicts=True,
    )
    PostWorkspace.objects.bulk_create(
        [
            PostWorkspace(establishment=establishment, post=post, workspace=w)
            for w in spec.workspaces
            if w.establishment_id == establishment.pk
        ],
        ignore_conflicts=True,
    )


def _store_image(post: Post, image: CheckedFile) -> None:
    post.image.save(f"image.{image.extension}", ContentFile(image.content), save=False)


def _store_attachments(post: Post, files: list[CheckedFile]) -> list[PostAttachment]:
    stored = []
    for checked in files:
        attachment = PostAttachment(
            establishment=post.establishment,
            post=post,
            original_name=checked.original_name,
            size=checked.size,
            content_type=checked.content_type,
        )
        attachment.file.save(f"file.{checked.extension}", ContentFile(checked.content), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _forget_files(names: list[str]) -> None:
    """Delete stored files once the transaction that dropped their rows has committed."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def _after(post: Post) -> dict[str, Any]:
    return {
        **snapshot(post, POST_FIELDS),
        "audience": _audience_labels(post),
        "image": bool(post.image),
        "attachments": [a.original_name for a in post.attachments.all()],
    }


def _notify_audience(actor: Any, post: Post) -> None:
    """Tell the audience of a post (its recipients in one query).

    A scheduled post's notifications are stored now with their delivery time at publication
    (later still in someone's quiet hours): nothing has to run when the time comes.
    """
    notify(
        recipients=audience_recipients(post),
        establishment=post.establishment,
        kind=Kind.NEWS,
        title=post.title,
        url=reverse("news:detail", kwargs={"public_id": post.public_id}),
        actor=getattr(actor, "user", actor),
        now=max(post.publish_at, timezone.now()),
    )


def _withdraw_pending(post: Post) -> None:
    """Drop the notifications of a post that nobody has been shown yet."""
    Notification.objects.filter(
        establishment_id=post.establishment_id,
        kind=Kind.NEWS,
        url=reverse("news:detail", kwargs={"public_id": post.public_id}),
        deliver_at__gt=timezone.now(),
    ).delete()


def do_publish_post(
    *,
    actor: Any,
    establishment: Establishment,
    title: str,
    body: str,
    audience: AudienceSpec,
    publish_at: datetime | None = None,
    unpublish_at: datetime | None = None,
    pinned: bool = False,
    image: CheckedFile | None = None,
    image_alt: str = "",
    attachments: list[CheckedFile] | None = None,
) -> Post:
    """A new post of ``establishment`` by the acting person, to ``audience``."""
    author = getattr(actor, "user", actor)
    with transaction.atomic():
        # The establishment's news panels are recomputed at the next visit.
        bump_scope("news", [establishment.pk])
        post = Post(
            establishment=establishment,
            author=author,
            title=title.strip(),
            body=sanitise_html(body),
            publish_at=publish_at or timezone.now(),
            unpublish_at=unpublish_at,
            pinned=pinned,
            to_establishment=audience.everyone,
            image_alt=image_alt.strip() if image is not None else "",
        )
        if image is not None:
            _store_image(post, image)
        post.save()
        _set_audience(post, audience)
        _store_attachments(post, attachments or [])
        record(
            actor=actor,
            establishment=establishment,
            action="news.post.publish",
            target=post,
            before=None,
            after=_after(post),
        )
        if post.is_published() or post.is_scheduled():
            _notify_audience(actor, post)
    return post


def do_update_post(
    *,
    actor: Any,
    post: Post,
    title: str,
    body: str,
    audience: AudienceSpec,
    publish_at: datetime | None,
    unpublish_at: datetime | None,
    pinned: bool,
    image: CheckedFile | None = None,
    image_alt: str | None = None,
    remove_image: bool = False,
    attachments: list[CheckedFile] | None = None,
    remove_attachments: list[PostAttachment] | None = None,
) -> Post:
    """Change a post; a new image replaces the old one, listed attachments are removed."""
    with transaction.atomic():
        # The establishment's news panels are recomputed at the next visit.
        bump_scope("news", [post.establishment_id])
        post = Post.objects.select_for_update().select_related("establishment").get(pk=post.pk)
        before = _after(post)
        was_scheduled = post.is_scheduled()
        dropped: list[str] = []
        post.title = title.strip()
        post.body = sanitise_html(body)
        post.publish_at = publish_at or post.publish_at
        post.unpublish_at = unpublish_at
        post.pinned = pinned
        post.to_establishment = audience.everyone
        fields = ["title", "body", "publish_at", "unpublish_at", "pinned", "to_establishment"]
        if image is not None or (remove_image and post.image):
            dropped.append(post.image.name)
            post.image = ""
            fields.append("image")
        if image is not None:
            _store_image(post, image)
        if image_alt is not None:
            post.image_alt = image_alt.strip() if post.image else ""
            fields.append("image_alt")
        post.save(update_fields=[*fields, "updated_at"])
        _set_audience(post, audience)
        removed = [a for a in remove_attachments or [] if a.post_id == post.pk]
        dropped += [a.file.name for a in removed]
        PostAttachment.objects.filter(pk__in=[a.pk for a in removed]).delete()
        _store_attachments(post, attachments or [])
        record(
            actor=actor,
            establishment=post.establishment,
            action="news.post.update",
            target=post,
            before=before,
            after=_after(post),
        )
        if was_scheduled:
            # Not shown to anyone yet: tell the audience as it now is, at the time now set.
            _withdraw_pending(post)
            if post.is_published() or post.is_scheduled():
                _notify_audience(actor, post)
        _forget_files(dropped)
    return post


def do_delete_post(*, actor: Any, post: Post) -> None:
    """Delete a post, its audience rows and attachments; the files go once committed."""
    with transaction.atomic():
        # The establishment's news panels are recomputed at the next visit.
        bump_scope("news", [post.establishment_id])
        before = _after(post)
        names = [post.image.name, *(a.file.name for a in post.attachments.all())]
        record(
            actor=actor,
            establishment=post.establishment,
            action="news.post.delete",
            target=post,
            before=before,
            after=None,
        )
        _withdraw_pending(post)
        post.delete()
        _forget_files(names)
