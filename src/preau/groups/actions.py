"""Changes to group workspaces: the workspace, its members, its forum and its moderation.

Each action runs in one transaction, checks what only it can check (the last animator, a
muted member, a locked topic), writes an audit row for membership, role and moderation changes,
and tells people through ``notify`` once committed. Callers have opened the workspace through
groups/policies.py (``access_workspace``) and checked the actor's right to act there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from preau.audit.actions import record, save_audited, snapshot
from preau.core import html as core_html
from preau.directory.models import Enrolment, GroupMembership, SchoolClass, TeachingGroup
from preau.groups import policies
from preau.groups.models import (
    ForumPost,
    PostReport,
    ReportStatus,
    Role,
    Topic,
    TopicRead,
    Workspace,
    WorkspaceMember,
)
from preau.notifications.actions import notify
from preau.notifications.models import Kind
from preau.portal.panel_cache import forget_panels

User = get_user_model()

WORKSPACE_FIELDS = ["name", "kind", "description"]


class GroupsRefused(Exception):
    """An action the rules refuse; ``message`` says why, in French, for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _user(actor: Any) -> Any:
    return getattr(actor, "user", actor)


def sanitise_body(text: str) -> str:
    """A forum post as safe HTML (core/html.py); refused when nothing readable is left."""
    body = core_html.sanitise_html(text, allow_headings=False)
    if not strip_tags(body).strip():
        raise GroupsRefused(_("Le message est vide."))
    return body


def _member_ids(workspace: Workspace) -> list[int]:
    return list(
        WorkspaceMember.objects.filter(workspace=workspace).values_list("person_id", flat=True)
    )


# -- the workspace -----------------------------------------------------------------------------


def do_create_workspace(*, actor: Any, name: str, kind: str, description: str = "") -> Workspace:
    """A new workspace of the actor's establishment, the actor its first animator."""
    if not policies.can_create_workspace(actor):
        raise GroupsRefused(_("Seuls les enseignants et les personnels créent des espaces."))
    establishment = actor.establishment
    name = name.strip()
    with transaction.atomic():
        if Workspace.objects.filter(
            establishment=establishment, name=name, archived_at__isnull=True
        ).exists():
            raise GroupsRefused(_("Un espace porte déjà ce nom dans l'établissement."))
        workspace = Workspace.objects.create(
            establishment=establishment,
            name=name,
            kind=kind,
            description=description.strip(),
            created_by=actor.user,
        )
        WorkspaceMember.objects.create(
            establishment=establishment,
            workspace=workspace,
            person=actor.user,
            role=Role.ANIMATOR,
            added_by=actor.user,
        )
        record(
            actor=actor,
            establishment=establishment,
            action="groups.workspace.create",
            target=workspace,
            after=snapshot(workspace, WORKSPACE_FIELDS),
        )
        forget_panels("groups", [actor.user.pk])
    return workspace


def do_update_workspace(
    *, actor: Any, workspace: Workspace, name: str, kind: str, description: str
) -> Workspace:
    name = name.strip()
    with transaction.atomic():
        if (
            Workspace.objects.filter(
                establishment=workspace.establishment, name=name, archived_at__isnull=True
            )
            .exclude(pk=workspace.pk)
            .exists()
        ):
            raise GroupsRefused(_("Un espace porte déjà ce nom dans l'établissement."))
        save_audited(
            actor=actor,
            establishment=workspace.establishment,
            action="groups.workspace.update",
            target=workspace,
            changes={"name": name, "kind": kind, "description": description.strip()},
        )
        forget_panels("groups", _member_ids(workspace))
    return workspace


def do_archive_workspace(*, actor: Any, workspace: Workspace) -> Workspace:
    """Archived: read-only for its members, out of their home panel and of news audiences."""
    with transaction.atomic():
        save_audited(
            actor=actor,
            establishment=workspace.establishment,
            action="groups.workspace.archive",
            target=workspace,
            changes={"archived_at": timezone.now()},
        )
        members = _member_ids(workspace)
        forget_panels("groups", members)
        forget_panels("news", members)
    return workspace


def do_restore_workspace(*, actor: Any, workspace: Workspace) -> Workspace:
    with transaction.atomic():
        if Workspace.objects.filter(
            establishment=workspace.establishment, name=workspace.name, archived_at__isnull=True
        ).exists():
            raise GroupsRefused(
                _("Un autre espace porte ce nom : renommez-le avant de restaurer celui-ci.")
            )
        save_audited(
            actor=actor,
            establishment=workspace.establishment,
            action="groups.workspace.restore",
            target=workspace,
            changes={"archived_at": None},
        )
        members = _member_ids(workspace)
        forget_panels("groups", members)
        forget_panels("news", members)
    return workspace


# -- members -----------------------------------------------------------------------------------


def _check_open(workspace: Workspace) -> None:
    if workspace.is_archived:
        raise GroupsRefused(_("Cet espace est archivé : restaurez-le pour le modifier."))


def do_add_members(
    *, actor: Any, workspace: Workspace, people: Iterable[Any], role: str = Role.MEMBER
) -> list[WorkspaceMember]:
    """Add people of the establishment who may join (students and staff) with ``role``; those
    already members are left as they are. A fixed number of queries whatever the number of
    people: who may join, one insert, the notifications, one audit row."""
    _check_open(workspace)
    wanted = {person.pk for person in people}
    if not wanted:
        return []
    if role == Role.ANIMATOR and policies.animator_candidates(workspace).filter(
        pk__in=wanted
    ).count() < len(wanted):
        raise GroupsRefused(_("Seuls les enseignants et les personnels peuvent animer."))
    joining = list(policies.addable_people(workspace).filter(pk__in=wanted))
    return _add(actor, workspace, joining, role)


def _add(actor: Any, workspace: Workspace, joining: list[Any], role: str) -> list[WorkspaceMember]:
    """Insert the members (already checked), record it and tell them."""
    if not joining:
        return []
    with transaction.atomic():
        rows = WorkspaceMember.objects.bulk_create(
            [
                WorkspaceMember(
                    establishment=workspace.establishment,
                    workspace=workspace,
                    person=person,
                    role=role,
                    added_by=_user(actor),
                )
                for person in joining
            ],
            ignore_conflicts=True,
        )
        record(
            actor=actor,
            establishment=workspace.establishment,
            action="groups.member.add",
            target=workspace,
            after={
                "role": role,
                "people": [p.get_full_name() or p.username for p in joining[:50]],
                "count": len(joining),
            },
        )
        ids = [p.pk for p in joining]
        forget_panels("groups", ids)
        forget_panels("news", ids)
        notify(
            recipients=joining,
            establishment=workspace.establishment,
            kind=Kind.GROUPS,
            title=_("Vous êtes membre de l'espace « %(name)s »") % {"name": workspace.name},
            url=reverse("groups:detail", kwargs={"public_id": workspace.public_id}),
            actor=_user(actor),
        )
    return rows


def students_of(
    workspace: Workspace,
    classes: Iterable[SchoolClass] = (),
    groups: Iterable[TeachingGroup] = (),
) -> Any:
    """The students of these classes and groups of the workspace's establishment (a queryset:
    one query, however many students)."""
    class_ids = [c.pk for c in classes if c.establishment_id == workspace.establishment_id]
    group_ids = [g.pk for g in groups if g.establishment_id == workspace.establishment_id]
    enrolled = Enrolment.objects.filter(
        establishment=workspace.establishment, school_class_id__in=class_ids
    ).values("student_id")
    grouped = GroupMembership.objects.filter(
        establishment=workspace.establishment, group_id__in=group_ids
    ).values("student_id")
    return User.objects.filter(Q(pk__in=enrolled) | Q(pk__in=grouped))


def do_add_classes(
    *,
    actor: Any,
    workspace: Workspace,
    classes: Iterable[SchoolClass] = (),
    groups: Iterable[TeachingGroup] = (),
) -> list[WorkspaceMember]:
    """Add every student of whole classes and teaching groups at once, as members."""
    _check_open(workspace)
    students = list(
        policies.addable_people(workspace).filter(pk__in=students_of(workspace, classes, groups))
    )
    return _add(actor, workspace, students, Role.MEMBER)


def _animators_left(workspace: Workspace, without: WorkspaceMember) -> int:
    return (
        WorkspaceMember.objects.filter(workspace=workspace, role=Role.ANIMATOR)
        .exclude(pk=without.pk)
        .count()
    )


def _check_not_last_animator(workspace: Workspace, member: WorkspaceMember) -> None:
    if member.role == Role.ANIMATOR and not _animators_left(workspace, member):
        raise GroupsRefused(
            _("Un espace garde au moins un animateur : nommez-en un autre d'abord.")
        )


def do_change_role(
    *, actor: Any, workspace: Workspace, member: WorkspaceMember, role: str
) -> WorkspaceMember:
    _check_open(workspace)
    if role not in Role.values:
        raise GroupsRefused(_("Ce rôle n'existe pas."))
    with transaction.atomic():
        if (
            role == Role.ANIMATOR
            and not policies.animator_candidates(workspace).filter(pk=member.person_id).exists()
        ):
            raise GroupsRefused(_("Seuls les enseignants et les personnels peuvent animer."))
        if role != Role.ANIMATOR:
            _check_not_last_animator(workspace, member)
        save_audited(
            actor=actor,
            establishment=workspace.establishment,
            action="groups.member.role",
            target=member,
            changes={"role": role},
        )
    return member


def do_remove_member(*, actor: Any, workspace: Workspace, member: WorkspaceMember) -> None:
    """Remove a member; an animator removing themselves is leaving (do_leave_workspace)."""
    _check_open(workspace)
    with transaction.atomic():
        _check_not_last_animator(workspace, member)
        record(
            actor=actor,
            establishment=workspace.establishment,
            action="groups.member.remove",
            target=member,
            before={"role": member.role},
        )
        member.delete()
        forget_panels("groups", [member.person_id])
        forget_panels("news", [member.person_id])


def do_leave_workspace(*, actor: Any, workspace: Workspace) -> None:
    """The actor leaves; the last animator cannot (they archive the workspace instead)."""
    member = workspace.membership
    with transaction.atomic():
        _check_not_last_animator(workspace, member)
        record(
            actor=actor,
            establishment=workspace.establishment,
            action="groups.member.leave",
            target=member,
            before={"role": member.role},
        )
        member.delete()
        forget_panels("groups", [member.person_id])
        forget_panels("news", [member.person_id])


def do_mute_member(
    *, actor: Any, workspace: Workspace, member: WorkspaceMember, muted: bool
) -> WorkspaceMember:
    """Take away (or give back) a member's right to post in this workspace."""
    _check_open(workspace)
    if member.role == Role.ANIMATOR:
        raise GroupsRefused(_("On ne retire pas la parole à un animateur."))
    with transaction.atomic():
        save_audited(
            actor=actor,
            establishment=workspace.establishment,
            action="groups.member.mute" if muted else "groups.member.unmute",
            target=member,
            changes={"muted_at": timezone.now() if muted else None},
        )
    return member


# -- the forum ---------------------------------------------------------------------------------


def _check_may_post(actor: Any, workspace: Workspace, topic: Topic | None = None) -> None:
    refusal = policies.posting_refusal(actor, workspace, topic)
    if refusal:
        raise GroupsRefused(refusal)


def _activity(workspace: Workspace, at: Any) -> None:
    """The workspace moved: its members' home panels are recomputed at their next visit."""
    Workspace.objects.filter(pk=workspace.pk).update(last_activity_at=at)
    forget_panels("groups", _member_ids(workspace))


def _mark_read(person: Any, topic: Topic, at: Any) -> None:
    TopicRead.objects.bulk_create(
        [
            TopicRead(
                establishment_id=topic.establishment_id, topic=topic, person=person, read_at=at
            )
        ],
        update_conflicts=True,
        unique_fields=["topic", "person"],
        update_fields=["read_at"],
    )


def do_start_topic(*, actor: Any, workspace: Workspace, title: str, body: str) -> Topic:
    """A new topic and its opening post."""
    _check_may_post(actor, workspace)
    title = title.strip()
    if not title:
        raise GroupsRefused(_("Donnez un titre au sujet."))
    body = sanitise_body(body)
    now = timezone.now()
    with transaction.atomic():
        topic = Topic.objects.create(
            establishment=workspace.establishment,
            workspace=workspace,
            title=title,
            author=actor.user,
            created_at=now,
            last_post_at=now,
            post_count=1,
        )
        ForumPost.objects.create(
            establishment=workspace.establishment,
            topic=topic,
            author=actor.user,
            body=body,
            created_at=now,
        )
        _mark_read(actor.user, topic, now)
        _activity(workspace, now)
    return topic


def do_reply(*, actor: Any, workspace: Workspace, topic: Topic, body: str) -> ForumPost:
    _check_may_post(actor, workspace, topic)
    body = sanitise_body(body)
    now = timezone.now()
    with transaction.atomic():
        post = ForumPost.objects.create(
            establishment=workspace.establishment,
            topic=topic,
            author=actor.user,
            body=body,
            created_at=now,
        )
        Topic.objects.filter(pk=topic.pk).update(last_post_at=now, post_count=F("post_count") + 1)
        _mark_read(actor.user, topic, now)
        _activity(workspace, now)
    return post


def do_edit_post(*, actor: Any, workspace: Workspace, post: ForumPost, body: str) -> ForumPost:
    """The author corrects their post (while they may still post there)."""
    if not policies.can_edit_post(actor, workspace, post):
        raise GroupsRefused(_("Vous ne pouvez pas modifier ce message."))
    post.body = sanitise_body(body)
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "edited_at"])
    return post


def do_mark_read(*, actor: Any, topic: Topic) -> None:
    """The actor has read the topic up to now (one upsert); their home panel follows."""
    with transaction.atomic():
        _mark_read(actor.user, topic, timezone.now())
        forget_panels("groups", [actor.user.pk])


# -- moderation --------------------------------------------------------------------------------


def _close_reports(actor: Any, post: ForumPost, status: str) -> None:
    PostReport.objects.filter(post=post, status=ReportStatus.OPEN).update(
        status=status, handled_at=timezone.now(), handled_by=_user(actor)
    )


def _post_label(post: ForumPost) -> dict[str, Any]:
    return {
        "topic": post.topic.title,
        "author": (post.author.get_full_name() or post.author.username) if post.author else "",
        "excerpt": strip_tags(post.body)[:200],
    }


def do_hide_post(*, actor: Any, workspace: Workspace, post: ForumPost, hidden: bool) -> ForumPost:
    """Hide a post from the members (animators still see it), or show it again; hiding
    closes its open reports."""
    with transaction.atomic():
        post.hidden_at = timezone.now() if hidden else None
        post.hidden_by = _user(actor) if hidden else None
        post.save(update_fields=["hidden_at", "hidden_by"])
        if hidden:
            _close_reports(actor, post, ReportStatus.HIDDEN)
        record(
            actor=actor,
            establishment=workspace.establishment,
            action="groups.post.hide" if hidden else "groups.post.unhide",
            target=post,
            after=_post_label(post),
        )
    return post


def do_delete_post(*, actor: Any, workspace: Workspace, post: ForumPost) -> bool:
    """Delete a post; deleting a topic's opening post deletes the whole topic. Returns whether
    the topic went with it."""
    topic = post.topic
    with transaction.atomic():
        first = ForumPost.objects.filter(topic=topic).order_by("created_at", "id").first()
        if first is not None and first.pk == post.pk:
            do_delete_topic(actor=actor, workspace=workspace, topic=topic)
            return True
        record(
            actor=actor,
            establishment=workspace.establishment,
            action="groups.post.delete",
            target=post,
            before=_post_label(post),
        )
        post.delete()
        last = ForumPost.objects.filter(topic=topic).order_by("-created_at", "-id").first()
        Topic.objects.filter(pk=topic.pk).update(
            post_count=F("post_count") - 1,
            last_post_at=last.created_at if last is not None else topic.created_at,
        )
    return False


def do_delete_topic(*, actor: Any, workspace: Workspace, topic: Topic) -> None:
    with transaction.atomic():
        record(
            actor=actor,
            establishment=workspace.establishment,
            action="groups.topic.delete",
            target=topic,
            before={"title": topic.title, "posts": topic.post_count},
        )
        topic.delete()


def do_set_topic_flags(
    *,
    actor: Any,
    workspace: Workspace,
    topic: Topic,
    pinned: bool | None = None,
    locked: bool | None = None,
) -> Topic:
    """Pin or unpin, lock or unlock a topic."""
    changes: dict[str, Any] = {}
    if pinned is not None:
        changes["pinned"] = pinned
    if locked is not None:
        changes["locked"] = locked
    if not changes:
        return topic
    with transaction.atomic():
        save_audited(
            actor=actor,
            establishment=workspace.establishment,
            action="groups.topic.moderate",
            target=topic,
            changes=changes,
        )
    return topic


def do_report_post(
    *, actor: Any, workspace: Workspace, post: ForumPost, reason: str = ""
) -> PostReport | None:
    """Send a post to the animators' moderation queue; a second report by the same person is
    ignored (returns None). The animators are told."""
    if post.author_id == actor.user.pk:
        raise GroupsRefused(_("Vous ne pouvez pas signaler votre propre message."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                report = PostReport.objects.create(
                    establishment=workspace.establishment,
                    workspace=workspace,
                    post=post,
                    reporter=actor.user,
                    reason=reason.strip()[:1000],
                )
        except IntegrityError:
            return None
        animators = User.objects.filter(
            pk__in=WorkspaceMember.objects.filter(workspace=workspace, role=Role.ANIMATOR).values(
                "person_id"
            )
        )
        notify(
            recipients=animators,
            establishment=workspace.establishment,
            kind=Kind.GROUPS,
            title=_("Un message a été signalé dans « %(name)s »") % {"name": workspace.name},
            url=reverse("groups:reports", kwargs={"public_id": workspace.public_id}),
            actor=actor.user,
        )
    return report


def do_dismiss_report(*, actor: Any, workspace: Workspace, report: PostReport) -> PostReport:
    with transaction.atomic():
        save_audited(
            actor=actor,
            establishment=workspace.establishment,
            action="groups.report.dismiss",
            target=report,
            changes={
                "status": ReportStatus.DISMISSED,
                "handled_at": timezone.now(),
                "handled_by": _user(actor),
            },
        )
    return report
