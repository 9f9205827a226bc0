"""Who may read and write which news posts. The one place these rules live.

Reading: a post is for its establishment's people in its audience — everyone, a national
profile, a class, a group or a group workspace — while its publication window is open. A student
belongs to their class and groups; a guardian to their children's; a teacher to the classes and
groups they teach; anyone to the workspaces they are a member of. Authors and the head also
reach the posts they manage, published or not.

Writing: the direction, school life, the librarian and administrative staff post to any
audience of their establishment; teachers only to the classes and groups they teach; the
animators of a workspace (groups/) to that workspace. Authors
edit and delete their posts; the head may delete any post of the establishment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from preau.core.actor import current_school_year
from preau.directory.models import (
    Enrolment,
    Function,
    GroupMembership,
    Guardianship,
    Membership,
    Profile,
    SchoolClass,
    TeachingGroup,
)
from preau.directory.policies import get_or_404
from preau.groups.models import Role, Workspace, WorkspaceMember
from preau.news.models import Post, PostClass, PostGroup, PostProfile, PostWorkspace

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

User = get_user_model()

# Who writes to the whole establishment: by function, or by national profile.
POSTING_FUNCTIONS = frozenset({Function.HEAD, Function.DEPUTY_HEAD, Function.CPE})
POSTING_PROFILES = frozenset(
    {Profile.DIRECTION, Profile.EDUCATION, Profile.STAFF, Profile.LIBRARIAN}
)


# -- reading -----------------------------------------------------------------------------------


def published(now: datetime | None = None) -> Q:
    """Posts whose publication window is open at ``now``."""
    now = now or timezone.now()
    return Q(publish_at__lte=now) & (Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now))


def audience(
    *,
    profiles: Any = (),
    class_ids: Any = (),
    group_ids: Any = (),
    students_in: tuple[int, list[int]] | None = None,
    member_id: int | None = None,
) -> Q:
    """Posts addressed to the whole establishment or to one of the given profiles, classes or
    groups. ``students_in`` (an establishment id and student ids) adds the groups those students
    belong to there, and ``member_id`` (a person) the workspaces they are a member of, both
    looked up inside the same query."""
    condition = Q(to_establishment=True)
    if profiles:
        condition |= Q(
            Exists(PostProfile.objects.filter(post=OuterRef("pk"), profile__in=list(profiles)))
        )
    if class_ids:
        condition |= Q(
            Exists(
                PostClass.objects.filter(post=OuterRef("pk"), school_class_id__in=list(class_ids))
            )
        )
    if group_ids:
        condition |= Q(
            Exists(PostGroup.objects.filter(post=OuterRef("pk"), group_id__in=list(group_ids)))
        )
    if students_in is not None:
        establishment_id, student_ids = students_in
        memberships = GroupMembership.objects.filter(
            establishment_id=establishment_id, student_id__in=student_ids
        ).values("group_id")
        condition |= Q(
            Exists(PostGroup.objects.filter(post=OuterRef("pk"), group_id__in=memberships))
        )
    if member_id is not None:
        workspaces = WorkspaceMember.objects.filter(person_id=member_id).values("workspace_id")
        condition |= Q(
            Exists(PostWorkspace.objects.filter(post=OuterRef("pk"), workspace_id__in=workspaces))
        )
    return condition


def _own_audience(actor: Actor) -> Q:
    """The audiences the actor belongs to in their current establishment."""
    establishment = actor.establishment
    class_ids: set[int] = set()
    group_ids: set[int] = set()
    if actor.is_teacher:
        class_ids |= actor.taught_class_ids
        group_ids |= actor.taught_group_ids
    if actor.is_student:
        if actor.enrolment is not None:
            class_ids.add(actor.enrolment.school_class_id)
        group_ids |= actor.group_ids
    children: list[int] = []
    if actor.is_guardian:
        for child in actor.children:
            for enrolment in child.enrolments:
                if enrolment.establishment_id == establishment.pk:
                    class_ids.add(enrolment.school_class_id)
                    children.append(child.student.pk)
    return audience(
        profiles=actor.profiles,
        class_ids=class_ids,
        group_ids=group_ids,
        students_in=(establishment.pk, children) if children else None,
        member_id=actor.user.pk,
    )


def _child_audience(child: Child, enrolment: Enrolment) -> Q:
    """What a guardian sees in the establishment of one child: its posts to everyone, to
    guardians, and to the child's class and groups."""
    return Q(establishment_id=enrolment.establishment_id) & audience(
        profiles=[Profile.GUARDIAN],
        class_ids=[enrolment.school_class_id],
        students_in=(enrolment.establishment_id, [child.student.pk]),
    )


def visible_posts(actor: Actor) -> QuerySet[Post]:
    """Posts published now in the actor's current establishment for an audience they belong to
    (their own published posts too), pinned first, then newest."""
    establishment = actor.establishment
    if establishment is None:
        return Post.objects.none()
    return Post.objects.filter(
        published(), _own_audience(actor) | Q(author=actor.user), establishment=establishment
    )


def child_posts(actor: Actor, child: Child) -> QuerySet[Post]:
    """Posts published now that a guardian sees for one child, in the child's establishment."""
    enrolment = child.enrolments[0] if child.enrolments else None
    if enrolment is None or not enrolment.establishment.is_active:
        return Post.objects.none()
    if child.student.pk not in actor.child_ids:
        return Post.objects.none()
    return Post.objects.filter(published(), _child_audience(child, enrolment))


def managed_posts(actor: Actor) -> QuerySet[Post]:
    """« Mes publications »: the actor's posts in their establishment, in any state; the head
    manages every post of the establishment."""
    establishment = actor.establishment
    if establishment is None:
        return Post.objects.none()
    posts = Post.objects.filter(establishment=establishment)
    if actor.is_head:
        return posts
    return posts.filter(author=actor.user)


def access_post(actor: Actor, public_id: Any) -> Post:
    """A post the actor may open, or Http404 (the same for missing and forbidden)."""
    establishment = actor.establishment
    if establishment is None:
        return get_or_404(Post.objects.none(), public_id)
    here = Q(establishment=establishment) & (
        (published() & (_own_audience(actor) | Q(author=actor.user)))
        | Q(author=actor.user)
        | (Q(pk__isnull=False) if actor.is_head else Q(pk__in=[]))
    )
    # A guardian also reads, for each child enrolled elsewhere, that school's posts for them.
    elsewhere = Q(pk__in=[])
    if actor.is_guardian:
        for child in actor.children:
            for enrolment in child.enrolments:
                if (
                    enrolment.establishment_id != establishment.pk
                    and enrolment.establishment.is_active
                ):
                    elsewhere |= published() & _child_audience(child, enrolment)
    return get_or_404(Post.objects.filter(here | elsewhere).select_related("author"), public_id)


def access_attachment(post: Post, public_id: Any) -> Any:
    """An attachment of a post the caller has already opened through access_post."""
    return get_or_404(post.attachments.all(), public_id)


# -- writing -----------------------------------------------------------------------------------


def posts_to_everyone(actor: Actor) -> bool:
    """Direction, school life, librarian and administrative staff: any audience."""
    if actor.establishment is None:
        return False
    return bool(actor.functions & POSTING_FUNCTIONS) or bool(actor.profiles & POSTING_PROFILES)


def can_post(actor: Actor) -> bool:
    if posts_to_everyone(actor):
        return True
    if actor.establishment is None:
        return False
    if actor.is_teacher and bool(actor.taught_class_ids or actor.taught_group_ids):
        return True
    # Only staff animate workspaces (groups/policies.py): others are spared the query.
    return actor.is_staff_member and postable_workspaces(actor).exists()


def postable_profiles(actor: Actor) -> list[tuple[str, Any]]:
    return list(Profile.choices) if posts_to_everyone(actor) else []


def postable_classes(actor: Actor) -> QuerySet[SchoolClass]:
    """Classes the actor may post to: every class of the year, or the ones they teach."""
    establishment = actor.establishment
    if establishment is None or not can_post(actor):
        return SchoolClass.objects.none()
    classes = SchoolClass.objects.filter(
        establishment=establishment, school_year=actor.school_year
    ).select_related("level")
    if posts_to_everyone(actor):
        return classes
    return classes.filter(pk__in=actor.taught_class_ids)


def postable_groups(actor: Actor) -> QuerySet[TeachingGroup]:
    establishment = actor.establishment
    if establishment is None or not can_post(actor):
        return TeachingGroup.objects.none()
    groups = TeachingGroup.objects.filter(
        establishment=establishment, school_year=actor.school_year
    )
    if posts_to_everyone(actor):
        return groups
    return groups.filter(pk__in=actor.taught_group_ids)


def postable_workspaces(actor: Actor) -> QuerySet[Workspace]:
    """The open workspaces the actor animates in their establishment."""
    establishment = actor.establishment
    if establishment is None or not actor.is_authenticated:
        return Workspace.objects.none()
    animated = WorkspaceMember.objects.filter(person=actor.user, role=Role.ANIMATOR).values(
        "workspace_id"
    )
    return Workspace.objects.filter(
        establishment=establishment, archived_at__isnull=True, pk__in=animated
    ).order_by("name")


def workspace_posts(workspace: Workspace) -> QuerySet[Post]:
    """Posts published now to a workspace the caller has opened (groups.policies), pinned
    first, then newest."""
    return Post.objects.filter(
        published(),
        Exists(PostWorkspace.objects.filter(post=OuterRef("pk"), workspace=workspace)),
        establishment_id=workspace.establishment_id,
    )


def can_edit_post(actor: Actor, post: Post) -> bool:
    """The author, while still allowed to post in the post's establishment."""
    return (
        actor.establishment is not None
        and post.establishment_id == actor.establishment.pk
        and post.author_id == actor.user.pk
        and can_post(actor)
    )


def can_delete_post(actor: Actor, post: Post) -> bool:
    if actor.establishment is None or post.establishment_id != actor.establishment.pk:
        return False
    return post.author_id == actor.user.pk or actor.is_head


# -- who is told -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudienceSpec:
    """The audience of a post, as chosen in the form."""

    everyone: bool = False
    profiles: tuple[str, ...] = ()
    classes: tuple[SchoolClass, ...] = ()
    groups: tuple[TeachingGroup, ...] = ()
    workspaces: tuple[Workspace, ...] = ()

    def is_empty(self) -> bool:
        return not (
            self.everyone or self.profiles or self.classes or self.groups or self.workspaces
        )


def audience_recipients(post: Post) -> QuerySet:
    """The people a post reaches, in one query: members of its establishment this year in its
    audience; for classes and groups, their students and the students' guardians."""
    establishment_id = post.establishment_id
    members = Membership.objects.filter(
        establishment_id=establishment_id, school_year=current_school_year(), is_active=True
    )
    if post.to_establishment:
        condition = Q(pk__in=members.values("person"))
    else:
        profiles = PostProfile.objects.filter(post=post).values("profile")
        condition = Q(pk__in=members.filter(profile__in=profiles).values("person"))
        class_ids = PostClass.objects.filter(post=post).values("school_class")
        group_ids = PostGroup.objects.filter(post=post).values("group")
        students = Enrolment.objects.filter(
            establishment_id=establishment_id, school_class__in=class_ids
        ).values("student")
        grouped = GroupMembership.objects.filter(
            establishment_id=establishment_id, group__in=group_ids
        ).values("student")
        workspace_members = WorkspaceMember.objects.filter(
            workspace__in=PostWorkspace.objects.filter(post=post).values("workspace")
        ).values("person")
        condition |= Q(pk__in=students) | Q(pk__in=grouped) | Q(pk__in=workspace_members)
        condition |= Q(
            pk__in=Guardianship.objects.filter(
                Q(student__in=students) | Q(student__in=grouped)
            ).values("guardian")
        )
    return User.objects.filter(condition, is_active=True).exclude(pk=post.author_id)
