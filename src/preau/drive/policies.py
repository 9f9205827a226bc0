"""Who reaches which space, folder and file of the drive, and who may share with whom.
The one place these rules live.

- A personal space is its owner's, in its establishment, and nobody else's: not the head, not
  the academy, not a superuser. Its owner does everything there (the trash included).
- A share lets its grantees (a person; the students of a class; the students of a teaching
  group) read, or edit, the shared node and, for a folder, its whole subtree, while the node is
  not in the trash and only in the share's establishment. Editing means creating folders,
  uploading, replacing a file's content, renaming, moving, copying in and trashing *inside* the
  shared folder (not the shared node itself); uploads count against the owner's quota. Only the
  owner shares, restores and deletes forever.
- A group space (``Space.kind == "group"``) is the shared folder of one group workspace, reached
  by the workspace's members in its establishment only: animators and members read and write
  (create folders, upload, rename, move inside, trash); readers (``Role.READER``), members an
  animator took the floor from (muted), and everyone in an archived workspace only read. The
  person who trashed a node and the animators restore it; animators delete forever. Nobody
  shares a group node (the workspace's members are its audience); anyone who reads it may copy
  it into their own space. Uploads count against the group space's quota.

Who may share with whom, in the establishment where both are this year:
- teachers: the classes and teaching groups they teach (and the classes they head), the
  students of those, and the establishment's teachers and staff;
- staff (direction, school life, librarian, administrative): anyone of the establishment except
  guardians, every class and every group;
- students: only their classmates, one by one, and only to read;
- guardians: nobody, and nothing is shared with them.

``access_*`` answer 404 (Http404) for missing and forbidden alike; the actions raise
PermissionDenied when a caller skips the policies.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from preau.directory.models import (
    STAFF_PROFILES,
    Enrolment,
    Establishment,
    GroupMembership,
    Membership,
    Profile,
    SchoolClass,
    TeachingGroup,
)
from preau.directory.policies import administered_establishments, can_administer, get_or_404
from preau.drive.models import (
    MIB,
    DriveSettings,
    Node,
    NodeKind,
    Permission,
    Share,
    Space,
    SpaceKind,
)
from preau.groups.models import Role, WorkspaceMember
from preau.groups.policies import contributes, visible_workspaces
from preau.portal.selectors import is_service_enabled

if TYPE_CHECKING:
    from preau.core.actor import Actor

User = get_user_model()

OWNER = "owner"
EDIT = Permission.EDIT.value
READ = Permission.READ.value
_RANK = {None: 0, READ: 1, EDIT: 2, OWNER: 3}
# Profiles whose holders share with anyone of their establishment.
STAFF_SHARERS = frozenset(STAFF_PROFILES - {Profile.TEACHER})


# -- settings and quotas -------------------------------------------------------------------------
def drive_settings(establishment: Establishment | int) -> DriveSettings:
    """The establishment's drive settings, or the defaults when it never set them (1 query)."""
    establishment_id = getattr(establishment, "pk", establishment)
    found = DriveSettings.objects.filter(establishment_id=establishment_id).first()
    return found or DriveSettings(establishment_id=establishment_id)


def quota_for_profiles(settings: DriveSettings, profiles: Any) -> int:
    """The quota in bytes of a person holding ``profiles``: the largest of theirs."""
    megabytes = [settings.guardian_quota_mb] if not profiles else []
    for profile in profiles:
        if profile == Profile.STUDENT:
            megabytes.append(settings.student_quota_mb)
        elif profile == Profile.GUARDIAN:
            megabytes.append(settings.guardian_quota_mb)
        elif profile == Profile.TEACHER:
            megabytes.append(settings.teacher_quota_mb)
        else:
            megabytes.append(settings.staff_quota_mb)
    return max(megabytes) * MIB


def space_quota(space: Space, *, settings: DriveSettings | None = None) -> int:
    """The space's quota in bytes: its own, or the establishment's for its owner's profiles
    this year; a group space without its own gets the establishment's group quota (2 queries at
    most)."""
    if space.quota_bytes is not None:
        return space.quota_bytes
    settings = settings or drive_settings(space.establishment_id)
    if space.kind == SpaceKind.GROUP:
        return settings.group_quota_mb * MIB
    from preau.core.actor import current_school_year

    profiles = Membership.objects.filter(
        person_id=space.owner_id,
        establishment_id=space.establishment_id,
        school_year=current_school_year(),
        is_active=True,
    ).values_list("profile", flat=True)
    return quota_for_profiles(settings, list(profiles))


def max_file_bytes(establishment: Establishment | int) -> int:
    return drive_settings(establishment).max_file_mb * MIB


@dataclass(frozen=True)
class Usage:
    used: int
    quota: int

    @property
    def remaining(self) -> int:
        return max(0, self.quota - self.used)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.used / self.quota)) if self.quota else 100


def usage(space: Space, *, settings: DriveSettings | None = None) -> Usage:
    return Usage(space.used_bytes, space_quota(space, settings=settings))


# -- spaces --------------------------------------------------------------------------------------
def visible_spaces(actor: Actor) -> QuerySet[Space]:
    """The spaces the actor owns in their current establishment."""
    establishment = actor.establishment
    if not actor.is_authenticated or establishment is None:
        return Space.objects.none()
    return Space.objects.filter(
        establishment=establishment, kind=SpaceKind.PERSONAL, owner=actor.user
    )


def personal_space(actor: Actor) -> Space | None:
    """The actor's personal space in their current establishment, if it exists yet."""
    return visible_spaces(actor).first()


def group_spaces(actor: Actor) -> QuerySet[Space]:
    """The shared folders of the workspaces the actor is a member of, in their current
    establishment (archived workspaces included)."""
    establishment = actor.establishment
    if not actor.is_authenticated or establishment is None or not groups_enabled(establishment):
        return Space.objects.none()
    return Space.objects.filter(
        establishment=establishment,
        kind=SpaceKind.GROUP,
        workspace__in=visible_workspaces(actor).values("pk"),
    )


def groups_enabled(establishment: Establishment) -> bool:
    """Whether the establishment has the group workspaces turned on: when it turns them off,
    their shared folders close with them (read from the cache the portal keeps)."""
    return is_service_enabled(establishment, "groups")


def group_membership(actor: Actor, space: Space) -> WorkspaceMember | None:
    """The actor's membership in the workspace of a group space, with its workspace (1 query,
    kept on the space for the rest of the request)."""
    if space.kind != SpaceKind.GROUP or space.workspace_id is None:
        return None
    if not groups_enabled(actor.establishment):
        return None
    cache = space.__dict__.setdefault("_memberships", {})
    if actor.user.pk not in cache:
        cache[actor.user.pk] = (
            WorkspaceMember.objects.filter(
                workspace_id=space.workspace_id,
                person=actor.user,
                establishment_id=space.establishment_id,
            )
            .select_related("workspace")
            .first()
        )
    return cache[actor.user.pk]


def writes_in_group(membership: WorkspaceMember) -> bool:
    """Animators and members write in their workspace's shared folder while it is open and
    they have the floor; readers and muted members read (the workspaces' rule)."""
    return contributes(membership)


def space_permission(actor: Actor, space: Space) -> str | None:
    """What the actor may do in a whole space: OWNER for their personal space; EDIT or READ in
    the shared folder of a workspace they are a member of (by their role); else None (nodes of
    other spaces are reached through shares only)."""
    establishment = actor.establishment
    if not actor.is_authenticated or establishment is None:
        return None
    if space.establishment_id != establishment.pk:
        return None
    if space.kind == SpaceKind.PERSONAL and space.owner_id == actor.user.pk:
        return OWNER
    membership = group_membership(actor, space)
    if membership is not None:
        return EDIT if writes_in_group(membership) else READ
    return None


# -- shares: who receives them -------------------------------------------------------------------
def grantee_condition(actor: Actor) -> Q | None:
    """The shares meant for the actor in their current establishment (a condition on Share),
    or None when nothing may be shared with them (guardians, no establishment)."""
    establishment = actor.establishment
    if not actor.is_authenticated or establishment is None:
        return None
    if actor.profiles and actor.profiles <= {Profile.GUARDIAN}:
        return None
    condition = Q(person=actor.user)
    if actor.is_student:
        if actor.enrolment is not None:
            condition |= Q(school_class_id=actor.enrolment.school_class_id)
        if actor.group_ids:
            condition |= Q(group_id__in=actor.group_ids)
    return Q(establishment=establishment) & condition


def shared_with_me(actor: Actor) -> QuerySet[Share]:
    """The shares meant for the actor whose node is not in the trash, newest first: one a
    node (shared with the person and with their class, it is listed once), with the best
    permission they give as ``best_permission``."""
    condition = grantee_condition(actor)
    if condition is None:
        return Share.objects.none()
    mine = Share.objects.filter(condition, node__trashed_at__isnull=True).exclude(
        node__space__owner=actor.user
    )
    first_of_each_node = mine.values("node").annotate(first=Min("pk")).values("first")
    # "edit" sorts before "read".
    best = mine.filter(node=OuterRef("node")).order_by("permission").values("permission")[:1]
    return (
        Share.objects.filter(pk__in=first_of_each_node)
        .annotate(best_permission=Subquery(best))
        .order_by("-created_at", "-id")
    )


def _ancestor_uuids(node: Node) -> list[uuid.UUID]:
    return [uuid.UUID(hex=part) for part in node.ancestor_ids]


@dataclass(frozen=True)
class Grant:
    """What the actor may do with a node, and from which ancestor they reach it (the root of
    their space, or the highest node shared with them): breadcrumbs start there."""

    permission: str
    top_path: str
    # Editing inside: a share with edit rights on a strict ancestor, or the owner.
    edit_inside: bool
    # Reached as a member of the group workspace whose shared folder it is (and as one of its
    # animators, who restore anyone's trash and delete forever).
    group: bool = False
    animator: bool = False


def grant_for(actor: Actor, node: Node) -> Grant | None:
    """The actor's rights on ``node`` (1 query for a grantee or a workspace member, none for
    the owner)."""
    own = space_permission(actor, node.space)
    if own is not None:
        root_path = "/" + node.ancestor_ids[0] + "/"
        if node.space.kind == SpaceKind.GROUP:
            membership = group_membership(actor, node.space)
            return Grant(
                own,
                root_path,
                edit_inside=own == EDIT,
                group=True,
                animator=membership.role == Role.ANIMATOR,
            )
        return Grant(own, root_path, edit_inside=True)
    if node.space.kind == SpaceKind.GROUP:
        # Group nodes are reached by the workspace's members only, never through a share.
        return None
    if node.trashed_at is not None:
        return None
    condition = grantee_condition(actor)
    if condition is None or node.establishment_id != actor.establishment.pk:
        return None
    shares = list(
        Share.objects.filter(
            condition,
            node__public_id__in=_ancestor_uuids(node),
            node__space_id=node.space_id,
            node__trashed_at__isnull=True,
        ).values_list("permission", "node__path")
    )
    if not shares:
        return None
    best = max((permission for permission, _path in shares), key=_RANK.__getitem__)
    top = min((path for _permission, path in shares), key=len)
    inside = any(p == EDIT and len(path) < len(node.path) for p, path in shares)
    return Grant(best, top, edit_inside=inside)


def visible_nodes(actor: Actor) -> QuerySet[Node]:
    """Nodes of the spaces the actor owns (trashed ones too); shared nodes are reached
    through ``shared_with_me`` and ``access_node``."""
    return Node.objects.filter(space__in=visible_spaces(actor))


def access_node(actor: Actor, public_id: Any, *, trashed: bool = False) -> Node:
    """A node the actor may read, with ``node.grant`` set; 404 otherwise. Trashed nodes only
    when ``trashed`` (the owner's trash), and then only those."""
    establishment = actor.establishment
    if not actor.is_authenticated or establishment is None:
        raise Http404
    node = get_or_404(
        Node.objects.filter(establishment=establishment).select_related(
            "space__workspace", "establishment", "modified_by"
        ),
        public_id,
    )
    if node.is_trashed != trashed:
        raise Http404
    grant = grant_for(actor, node)
    if grant is None or (trashed and grant.permission != OWNER and not grant.group):
        raise Http404
    node.grant = grant
    return node


def access_folder(actor: Actor, public_id: Any) -> Node:
    node = access_node(actor, public_id)
    if node.kind != NodeKind.FOLDER:
        raise Http404
    return node


def access_file(actor: Actor, public_id: Any) -> Node:
    node = access_node(actor, public_id)
    if node.kind != NodeKind.FILE:
        raise Http404
    return node


def access_trashed(actor: Actor, public_id: Any) -> Node:
    """A node put in the trash of the actor's own space, or of the shared folder of a workspace
    they are a member of (the node trashed itself, not its contents)."""
    node = access_node(actor, public_id, trashed=True)
    if not node.trash_root:
        raise Http404
    return node


def access_share(actor: Actor, public_id: Any) -> Share:
    """A share of a node the actor owns (to change or revoke it)."""
    share = get_or_404(
        Share.objects.filter(node__space__in=visible_spaces(actor)).select_related(
            "node__space", "person", "school_class", "group"
        ),
        public_id,
    )
    share.node.grant = grant_for(actor, share.node)
    return share


def _grant(actor: Actor, node: Node) -> Grant | None:
    grant = getattr(node, "grant", None)
    if grant is None:
        grant = grant_for(actor, node)
    return grant


def can_read(actor: Actor, node: Node) -> bool:
    return _grant(actor, node) is not None


def can_write_into(actor: Actor, node: Node) -> bool:
    """Create folders and upload into ``node`` (a folder), or replace ``node``'s content."""
    grant = _grant(actor, node)
    return grant is not None and grant.permission in (OWNER, EDIT) and not node.is_trashed


def can_change(actor: Actor, node: Node) -> bool:
    """Rename, move or trash ``node``: its owner, or an editor of a folder above it (the
    shared node itself stays as its owner named and placed it)."""
    grant = _grant(actor, node)
    return grant is not None and not node.is_root and grant.edit_inside and not node.is_trashed


def is_owner(actor: Actor, node: Node) -> bool:
    grant = _grant(actor, node)
    return grant is not None and grant.permission == OWNER


def can_restore(actor: Actor, node: Node) -> bool:
    """Bring a trashed node back: the owner of the space; in a group space, its animators and
    the person who trashed it, while they may write there."""
    grant = _grant(actor, node)
    if grant is None or not node.trash_root:
        return False
    if grant.permission == OWNER:
        return True
    return (
        grant.group
        and grant.permission == EDIT
        and (grant.animator or node.trashed_by_id == actor.user.pk)
    )


def can_delete_forever(actor: Actor, node: Node) -> bool:
    """Delete a node now: the owner of the space; in a group space, its animators while it is
    open."""
    grant = _grant(actor, node)
    if grant is None or node.is_root:
        return False
    if grant.permission == OWNER:
        return True
    return grant.group and grant.permission == EDIT and grant.animator


def can_share(actor: Actor, node: Node) -> bool:
    """The owner shares a node of their personal space (not its root), unless nothing may be
    shared by them (guardians)."""
    if not is_owner(actor, node) or node.is_root or node.is_trashed:
        return False
    return bool(actor.profiles - {Profile.GUARDIAN})


# -- shares: with whom the actor may share -------------------------------------------------------
def _is_staff_sharer(actor: Actor) -> bool:
    return bool(actor.profiles & STAFF_SHARERS)


def shareable_classes(actor: Actor) -> QuerySet[SchoolClass]:
    establishment = actor.establishment
    if establishment is None or not actor.is_authenticated:
        return SchoolClass.objects.none()
    classes = SchoolClass.objects.filter(establishment=establishment, school_year=actor.school_year)
    if _is_staff_sharer(actor):
        return classes
    if actor.is_teacher:
        return classes.filter(Q(pk__in=actor.taught_class_ids) | Q(head_teacher=actor.user))
    return SchoolClass.objects.none()


def shareable_groups(actor: Actor) -> QuerySet[TeachingGroup]:
    establishment = actor.establishment
    if establishment is None or not actor.is_authenticated:
        return TeachingGroup.objects.none()
    groups = TeachingGroup.objects.filter(
        establishment=establishment, school_year=actor.school_year
    )
    if _is_staff_sharer(actor):
        return groups
    if actor.is_teacher:
        return groups.filter(pk__in=actor.taught_group_ids)
    return TeachingGroup.objects.none()


def shareable_people(actor: Actor) -> QuerySet:
    """People the actor may share with, one by one (never themselves, never a guardian)."""
    establishment = actor.establishment
    if establishment is None or not actor.is_authenticated:
        return User.objects.none()
    year = actor.school_year
    members = Membership.objects.filter(
        establishment=establishment, school_year=year, is_active=True
    )
    condition = Q(pk__in=[])
    if _is_staff_sharer(actor):
        condition |= Q(pk__in=members.exclude(profile=Profile.GUARDIAN).values("person"))
    if actor.is_teacher:
        condition |= Q(pk__in=members.filter(profile__in=STAFF_PROFILES).values("person"))
        taught = Enrolment.objects.filter(
            establishment=establishment,
            school_year=year,
            school_class__in=shareable_classes(actor),
        ).values("student")
        in_groups = GroupMembership.objects.filter(
            establishment=establishment, group__in=shareable_groups(actor)
        ).values("student")
        condition |= Q(pk__in=taught) | Q(pk__in=in_groups)
    if actor.is_student and actor.enrolment is not None:
        classmates = Enrolment.objects.filter(
            establishment=establishment,
            school_year=year,
            school_class_id=actor.enrolment.school_class_id,
        ).values("student")
        condition |= Q(pk__in=classmates)
    return User.objects.filter(condition, is_active=True).exclude(pk=actor.user.pk)


def permissions_allowed(actor: Actor) -> list[str]:
    """Students share to read only; the others to read or to edit."""
    if _is_staff_sharer(actor) or actor.is_teacher:
        return [READ, EDIT]
    return [READ] if actor.is_student else []


def can_share_with(
    actor: Actor,
    *,
    permission: str,
    person: Any = None,
    school_class: SchoolClass | None = None,
    group: TeachingGroup | None = None,
) -> bool:
    if permission not in permissions_allowed(actor):
        return False
    if person is not None:
        return shareable_people(actor).filter(pk=person.pk).exists()
    if school_class is not None:
        return shareable_classes(actor).filter(pk=school_class.pk).exists()
    if group is not None:
        return shareable_groups(actor).filter(pk=group.pk).exists()
    return False


def share_recipients(share: Share) -> QuerySet:
    """The people a share reaches now: the person, or the students of the class or group."""
    from preau.core.actor import current_school_year

    if share.person_id is not None:
        return User.objects.filter(pk=share.person_id, is_active=True)
    if share.school_class_id is not None:
        students = Enrolment.objects.filter(
            school_class_id=share.school_class_id, school_year=current_school_year()
        ).values("student")
    else:
        students = GroupMembership.objects.filter(group_id=share.group_id).values("student")
    return User.objects.filter(pk__in=students, is_active=True)


# -- paths (for WebDAV and the like) ---------------------------------------------------------------
def resolve_path(actor: Actor, names: list[str], *, start: Node | None = None) -> Node:
    """The node at ``names`` (a list of names, case-insensitive) below ``start`` — a node the
    actor reached through ``access_node`` — or below the root of their personal space; 404 when
    a name is missing, in the trash, or out of reach. One query a level."""
    if start is None:
        space = personal_space(actor)
        if space is None:
            raise Http404
        node = Node.objects.select_related("space").get(space=space, parent__isnull=True)
        node.grant = grant_for(actor, node)
    else:
        node = start
        if getattr(node, "grant", None) is None:
            node.grant = grant_for(actor, node)
            if node.grant is None or node.is_trashed:
                raise Http404
    for name in names:
        if node.kind != NodeKind.FOLDER:
            raise Http404
        child = (
            Node.objects.filter(parent=node, name_key=name.casefold(), trashed_at__isnull=True)
            .select_related("space")
            .first()
        )
        if child is None:
            raise Http404
        grant = node.grant
        child.grant = replace(
            grant, edit_inside=grant.edit_inside or grant.permission in (OWNER, EDIT)
        )
        node = child
    return node


def children(actor: Actor, folder: Node) -> QuerySet[Node]:
    """The folder's contents (not in the trash): folders first, then by name. The caller
    reached ``folder`` through ``access_folder``: its children share its rights."""
    if not can_read(actor, folder):
        return Node.objects.none()
    return Node.objects.filter(parent=folder, trashed_at__isnull=True).order_by("-kind", "name_key")


def ancestors(folder: Node) -> QuerySet[Node]:
    """The folders above ``folder`` from where the actor reaches it (its ``grant.top_path``)."""
    top = folder.grant.top_path
    ids = [uuid.UUID(hex=part) for part in folder.ancestor_ids[:-1]]
    return Node.objects.filter(
        space_id=folder.space_id, public_id__in=ids, path__startswith=top
    ).order_by("path")


def trashed(actor: Actor) -> QuerySet[Node]:
    """What the actor put in the trash of their personal space, most recent first."""
    return visible_nodes(actor).filter(trash_root=True).order_by("-trashed_at", "-id")


def group_trashed(space: Space) -> QuerySet[Node]:
    """What is in the trash of a group space the caller reached, most recent first."""
    return Node.objects.filter(
        space=space, establishment_id=space.establishment_id, trash_root=True
    ).order_by("-trashed_at", "-id")


# -- settings ------------------------------------------------------------------------------------
def can_manage_settings(actor: Actor, establishment: Establishment) -> bool:
    return can_administer(actor, establishment)


def access_settings_establishment(actor: Actor, public_id: Any) -> Establishment:
    return get_or_404(administered_establishments(actor), public_id)
