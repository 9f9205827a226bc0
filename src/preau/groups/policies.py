"""Who may see and do what in group workspaces. The one place these rules live.

Seeing: a workspace is seen by its members only, in its establishment, when the person works
there now (the establishment switcher). Neither the head nor an administrator reads a workspace
they are not a member of; anyone else gets the same 404 as for a missing one.

Creating: teachers and staff (any staff profile) of the establishment; students and guardians
do not. The creator is its first animator.

Roles: animators (``Role.ANIMATOR``) manage members and settings, moderate the forum and post
news to the workspace; members (``Role.MEMBER``) read and post; readers (``Role.READER``) read.
Only staff can be animators: an adult answers for what happens in the workspace. Members are
the establishment's students and staff; guardians are not members (see docs/groups.md).

Posting in the forum: a member or animator who is not muted in the workspace, in a topic that
is not locked, in a workspace that is not archived, and whose messaging is not suspended in the
establishment (the messaging suspension, by person or by profile, stops forum posts as well).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from preau.core.actor import current_school_year
from preau.directory.models import (
    STAFF_PROFILES,
    Membership,
    Profile,
    SchoolClass,
    TeachingGroup,
)
from preau.directory.policies import get_or_404
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
from preau.messaging.policies import suspension_reason

if TYPE_CHECKING:
    from preau.core.actor import Actor
    from preau.directory.models import Establishment

User = get_user_model()

# Who may be a member, and who may be an animator, by national profile.
MEMBER_PROFILES = frozenset({Profile.STUDENT, *STAFF_PROFILES})
ANIMATOR_PROFILES = frozenset(STAFF_PROFILES)
POSTING_ROLES = frozenset({Role.ANIMATOR, Role.MEMBER})


# -- seeing ------------------------------------------------------------------------------------


def my_memberships(actor: Actor) -> QuerySet[WorkspaceMember]:
    """The actor's memberships in workspaces of their current establishment."""
    if not actor.is_authenticated or actor.establishment is None:
        return WorkspaceMember.objects.none()
    return WorkspaceMember.objects.filter(person=actor.user, establishment=actor.establishment)


def visible_workspaces(actor: Actor) -> QuerySet[Workspace]:
    """Workspaces of the actor's current establishment they are a member of (archived ones
    included: filter ``archived_at__isnull=True`` for the open ones)."""
    if not actor.is_authenticated or actor.establishment is None:
        return Workspace.objects.none()
    mine = WorkspaceMember.objects.filter(workspace=OuterRef("pk"), person=actor.user)
    return Workspace.objects.filter(Exists(mine), establishment=actor.establishment)


def access_workspace(actor: Actor, public_id: Any) -> Workspace:
    """A workspace the actor is a member of, with the actor's ``membership`` attached
    (1 query); Http404 otherwise, the same for missing and forbidden."""
    try:
        membership = (
            my_memberships(actor)
            .select_related("workspace__establishment")
            .get(workspace__public_id=public_id)
        )
    except (WorkspaceMember.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
    workspace = membership.workspace
    workspace.membership = membership
    return workspace


def role_of(workspace: Workspace) -> str:
    """The role of the actor who opened the workspace through access_workspace."""
    return workspace.membership.role


# -- managing ----------------------------------------------------------------------------------


def can_create_workspace(actor: Actor) -> bool:
    """Teachers and staff of the current establishment; not students, not guardians."""
    return actor.is_authenticated and actor.establishment is not None and actor.is_staff_member


def can_manage(actor: Actor, workspace: Workspace) -> bool:
    """Animators manage members and settings, archive and restore, and moderate."""
    membership = getattr(workspace, "membership", None)
    return (
        membership is not None
        and membership.person_id == actor.user.pk
        and actor.establishment is not None
        and workspace.establishment_id == actor.establishment.pk
        and membership.role == Role.ANIMATOR
    )


def can_moderate(actor: Actor, workspace: Workspace) -> bool:
    return can_manage(actor, workspace) and not workspace.is_archived


def can_change_members(actor: Actor, workspace: Workspace) -> bool:
    return can_manage(actor, workspace) and not workspace.is_archived


def contributes(membership: WorkspaceMember) -> bool:
    """Whether a member adds to the workspace's shared folder and calendar: animators and
    members with the floor, while the workspace is open (readers and muted members read). The
    membership's workspace is loaded (access_workspace loads it)."""
    return (
        membership.role in POSTING_ROLES
        and membership.muted_at is None
        and membership.workspace.archived_at is None
    )


def members_of(workspace: Workspace) -> QuerySet[WorkspaceMember]:
    """The members of a workspace the caller has opened, animators first, then by name."""
    return (
        WorkspaceMember.objects.filter(
            workspace=workspace, establishment_id=workspace.establishment_id
        )
        .select_related("person")
        .order_by("role", "person__last_name", "person__first_name", "id")
    )


def access_member(workspace: Workspace, person_public_id: Any) -> WorkspaceMember:
    """A member of a workspace the caller manages, by the person's public id."""
    try:
        return members_of(workspace).get(person__public_id=person_public_id)
    except (WorkspaceMember.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def _establishment_people(establishment: Establishment, profiles: frozenset[str]) -> QuerySet:
    return Membership.objects.filter(
        establishment=establishment,
        school_year=current_school_year(),
        is_active=True,
        profile__in=list(profiles),
    ).values("person_id")


def addable_people(workspace: Workspace) -> QuerySet:
    """People of the establishment this year who may join: students and staff, active, not
    members yet."""
    return (
        User.objects.filter(
            is_active=True,
            pk__in=_establishment_people(workspace.establishment, MEMBER_PROFILES),
        )
        .exclude(pk__in=WorkspaceMember.objects.filter(workspace=workspace).values("person_id"))
        .order_by("last_name", "first_name", "pk")
    )


def animator_candidates(workspace: Workspace) -> QuerySet:
    """People of the establishment who may be made animators: its staff."""
    return User.objects.filter(
        pk__in=_establishment_people(workspace.establishment, ANIMATOR_PROFILES)
    )


def addable_classes(workspace: Workspace) -> QuerySet[SchoolClass]:
    """Classes of the establishment this year, whose students an animator may add at once."""
    return SchoolClass.objects.filter(
        establishment_id=workspace.establishment_id, school_year=current_school_year()
    ).select_related("level")


def addable_groups(workspace: Workspace) -> QuerySet[TeachingGroup]:
    return TeachingGroup.objects.filter(
        establishment_id=workspace.establishment_id, school_year=current_school_year()
    )


# -- the forum ---------------------------------------------------------------------------------


def posting_refusal(actor: Actor, workspace: Workspace, topic: Topic | None = None) -> str:
    """Why the actor may not post in the workspace (or the topic) now, or "" when they may."""
    membership = workspace.membership
    if workspace.is_archived:
        return _("Cet espace est archivé : on peut le lire, plus y écrire.")
    if membership.role not in POSTING_ROLES:
        return _("Vous êtes lecteur de cet espace : vous pouvez lire les discussions.")
    if membership.muted_at is not None:
        return _("Un animateur vous a retiré la parole dans cet espace.")
    if topic is not None and topic.locked:
        return _("Ce sujet est verrouillé : on ne peut plus y répondre.")
    return suspension_reason(actor)


def can_post(actor: Actor, workspace: Workspace, topic: Topic | None = None) -> bool:
    return not posting_refusal(actor, workspace, topic)


def _unread(actor: Actor) -> Exists:
    """For a topic queryset: no read of the actor's as recent as the topic's last post."""
    return ~Exists(
        TopicRead.objects.filter(
            topic=OuterRef("pk"), person=actor.user, read_at__gte=OuterRef("last_post_at")
        )
    )


def topics_of(actor: Actor, workspace: Workspace) -> QuerySet[Topic]:
    """The workspace's topics, pinned first then by last post, each with ``unread``."""
    return (
        Topic.objects.filter(workspace=workspace, establishment_id=workspace.establishment_id)
        .annotate(unread=_unread(actor))
        .select_related("author")
    )


def workspaces_with_activity(actor: Actor) -> QuerySet[Workspace]:
    """The actor's open workspaces, most recently active first, each with ``unread`` (whether
    a topic has a post the actor has not read)."""
    unread_topics = Topic.objects.filter(workspace=OuterRef("pk")).filter(_unread(actor))
    return (
        visible_workspaces(actor)
        .filter(archived_at__isnull=True)
        .annotate(unread=Exists(unread_topics))
        .order_by("-last_activity_at", "id")
    )


def access_topic(workspace: Workspace, public_id: Any) -> Topic:
    """A topic of a workspace the caller has opened through access_workspace."""
    return get_or_404(
        Topic.objects.filter(workspace=workspace, establishment_id=workspace.establishment_id),
        public_id,
    )


def posts_of(topic: Topic) -> QuerySet[ForumPost]:
    return ForumPost.objects.filter(
        topic=topic, establishment_id=topic.establishment_id
    ).select_related("author")


def access_post(workspace: Workspace, public_id: Any) -> ForumPost:
    """A post of a workspace the caller has opened, with its topic."""
    return get_or_404(
        ForumPost.objects.filter(
            topic__workspace=workspace, establishment_id=workspace.establishment_id
        ).select_related("topic", "author"),
        public_id,
    )


def can_edit_post(actor: Actor, workspace: Workspace, post: ForumPost) -> bool:
    """Authors edit their own posts while they may post there."""
    return (
        post.author_id == actor.user.pk
        and post.hidden_at is None
        and can_post(actor, workspace, post.topic)
    )


def open_reports(workspace: Workspace) -> QuerySet[PostReport]:
    """The moderation queue of a workspace: open reports, oldest first."""
    return (
        PostReport.objects.filter(
            workspace=workspace,
            establishment_id=workspace.establishment_id,
            status=ReportStatus.OPEN,
        )
        .select_related("post__topic", "post__author", "reporter")
        .order_by("created_at", "id")
    )


def access_report(workspace: Workspace, public_id: Any) -> PostReport:
    return get_or_404(
        PostReport.objects.filter(
            workspace=workspace, establishment_id=workspace.establishment_id
        ).select_related("post__topic"),
        public_id,
    )
