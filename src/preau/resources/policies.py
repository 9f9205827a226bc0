"""Who sees and opens which resource of the médiacentre, and who manages them. The one place
these rules live.

- A teacher's document or link is for the classes and teaching groups it is placed in: their
  students and the teachers who teach them, and its author. Guardians do not see it: the
  médiacentre is the students' working space, and what a teacher gives a class for its lessons
  reaches families through the logbook.
- A publisher's resource is for the people a licence of the current establishment covers while
  it runs (from its first day to its last, unless withdrawn): every student and staff member of
  the establishment, some profiles, some classes (their students and their teachers) or named
  people. Guardians never hold one.
- Everything else answers 404 — another establishment, another class, a licence that does not
  cover the person — except a licence that covered them and has ended, which the open page
  explains (« Licence expirée ») rather than hiding: the person knew the resource.
- The administrators of an establishment (head, deputy, ENT administrator, its academy's
  administrators) register publishers' resources and licences, and read the statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from preau.directory.models import Establishment, Profile
from preau.directory.policies import (
    access_administered_establishment,
    can_administer,
    get_or_404,
    visible_classes,
    visible_groups,
)
from preau.drive.models import Node, NodeKind, SpaceKind
from preau.resources.models import (
    TEACHER_KINDS,
    Licence,
    LicenceAudience,
    LicenceTarget,
    Resource,
    ResourceKind,
    ResourcePlacement,
)

if TYPE_CHECKING:
    from preau.core.actor import Actor

# The profile an opening is counted under, when a person holds several in the establishment.
COUNTED_PROFILE_ORDER = (
    Profile.STUDENT,
    Profile.TEACHER,
    Profile.LIBRARIAN,
    Profile.DIRECTION,
    Profile.EDUCATION,
    Profile.STAFF,
    Profile.AUTHORITY,
    Profile.GUARDIAN,
)


@dataclass(frozen=True)
class Reader:
    """What a resource's placements and licences are matched against."""

    establishment_id: int
    person_id: int
    profiles: frozenset[str]
    class_ids: frozenset[int]
    group_ids: frozenset[int]

    @property
    def licensable(self) -> bool:
        return bool(self.profiles - {Profile.GUARDIAN})

    def licence_condition(self, today: date) -> Q:
        """The licences of the establishment covering this reader, whatever their dates."""
        targets = Q(profile__in=self.profiles - {Profile.GUARDIAN}) | Q(person_id=self.person_id)
        if self.class_ids:
            targets |= Q(school_class_id__in=self.class_ids)
        matched = LicenceTarget.objects.filter(
            targets, establishment_id=self.establishment_id
        ).values("licence_id")
        return Q(
            Q(audience=LicenceAudience.ESTABLISHMENT) | Q(pk__in=matched),
            establishment_id=self.establishment_id,
            revoked_at__isnull=True,
        )

    def placement_condition(self) -> Q:
        condition = Q(pk__in=[])
        if self.class_ids:
            condition |= Q(school_class_id__in=self.class_ids)
        if self.group_ids:
            condition |= Q(group_id__in=self.group_ids)
        return condition


def reader_of(actor: Actor) -> Reader | None:
    """Students: their class and groups. Teachers: the classes and groups they teach."""
    establishment = actor.establishment
    if not actor.is_authenticated or establishment is None:
        return None
    class_ids: set[int] = set()
    group_ids: set[int] = set()
    if actor.is_student:
        if actor.enrolment is not None:
            class_ids.add(actor.enrolment.school_class_id)
        group_ids.update(actor.group_ids)
    if actor.is_teacher:
        class_ids.update(actor.taught_class_ids)
        group_ids.update(actor.taught_group_ids)
    return Reader(
        establishment.pk,
        actor.user.pk,
        frozenset(actor.profiles),
        frozenset(class_ids),
        frozenset(group_ids),
    )


def current_licences(reader: Reader, today: date | None = None) -> QuerySet[Licence]:
    """The licences covering the reader today."""
    if not reader.licensable:
        return Licence.objects.none()
    today = today or timezone.localdate()
    return Licence.objects.filter(
        reader.licence_condition(today), starts_on__lte=today, ends_on__gte=today
    )


def visible_resources(actor: Actor) -> QuerySet[Resource]:
    """The resources the actor may open in their current establishment now."""
    reader = reader_of(actor)
    if reader is None:
        return Resource.objects.none()
    placed = ResourcePlacement.objects.filter(
        reader.placement_condition(), establishment_id=reader.establishment_id
    ).values("resource_id")
    teacher_kinds = Q(
        Q(pk__in=placed) | Q(created_by_id=reader.person_id),
        kind__in=TEACHER_KINDS,
        establishment_id=reader.establishment_id,
    )
    licensed = Q(
        kind=ResourceKind.PUBLISHER,
        pk__in=current_licences(reader).values("resource_id"),
    )
    return Resource.objects.filter(teacher_kinds | licensed, active=True)


def access_resource(actor: Actor, public_id: Any) -> Resource:
    return get_or_404(visible_resources(actor), public_id)


def expired_licence(actor: Actor, public_id: Any) -> Licence | None:
    """The last licence that covered the actor for this resource and has ended, if the actor
    holds no running one (the open page says so instead of a bare 404)."""
    reader = reader_of(actor)
    if reader is None or not reader.licensable:
        return None
    today = timezone.localdate()
    try:
        return (
            Licence.objects.filter(
                reader.licence_condition(today),
                resource__public_id=public_id,
                resource__active=True,
                ends_on__lt=today,
            )
            .select_related("resource")
            .order_by("-ends_on")
            .first()
        )
    except ValueError:
        return None


def licence_for(actor: Actor, resource: Resource) -> Licence | None:
    """The running licence that gives the actor this resource (the one ending last)."""
    reader = reader_of(actor)
    if reader is None or resource.kind != ResourceKind.PUBLISHER:
        return None
    return current_licences(reader).filter(resource=resource).order_by("-ends_on").first()


def counted_profile(actor: Actor) -> str:
    for profile in COUNTED_PROFILE_ORDER:
        if profile in actor.profiles:
            return profile
    return Profile.STAFF


# -- teachers' documents and links ------------------------------------------------------------


def can_add_resources(actor: Actor) -> bool:
    return actor.is_authenticated and actor.establishment is not None and actor.is_teacher


def placeable_classes(actor: Actor) -> QuerySet:
    """The classes a teacher may place a document or link in: those they teach or head."""
    if not can_add_resources(actor):
        return visible_classes(actor).none()
    return visible_classes(actor).filter(
        Q(pk__in=actor.taught_class_ids) | Q(head_teacher=actor.user)
    )


def placeable_groups(actor: Actor) -> QuerySet:
    if not can_add_resources(actor):
        return visible_groups(actor).none()
    return visible_groups(actor).filter(pk__in=actor.taught_group_ids)


def placeable_files(actor: Actor) -> QuerySet[Node]:
    """Files of the teacher's own personal drive space (in the current establishment)."""
    if not can_add_resources(actor):
        return Node.objects.none()
    return Node.objects.filter(
        establishment=actor.establishment,
        space__kind=SpaceKind.PERSONAL,
        space__owner=actor.user,
        kind=NodeKind.FILE,
        trashed_at__isnull=True,
    ).order_by("name")


def own_resources(actor: Actor) -> QuerySet[Resource]:
    """The documents and links the actor added in their current establishment."""
    if not can_add_resources(actor):
        return Resource.objects.none()
    return Resource.objects.filter(
        establishment=actor.establishment, created_by=actor.user, kind__in=TEACHER_KINDS
    )


def access_own_resource(actor: Actor, public_id: Any) -> Resource:
    return get_or_404(own_resources(actor), public_id)


# -- the console ------------------------------------------------------------------------------


def can_manage(actor: Actor, establishment: Establishment) -> bool:
    return actor.is_authenticated and can_administer(actor, establishment)


def access_managed_establishment(actor: Actor, public_id: Any) -> Establishment:
    return access_administered_establishment(actor, public_id)


def licensable_resources(establishment: Establishment) -> QuerySet[Resource]:
    """Publishers' resources an establishment may license: its own and its academy's."""
    return Resource.objects.filter(
        Q(establishment=establishment) | Q(academy_id=establishment.academy_id),
        kind=ResourceKind.PUBLISHER,
    )


def access_licensable_resource(establishment: Establishment, public_id: Any) -> Resource:
    return get_or_404(licensable_resources(establishment), public_id)


def establishment_licences(establishment: Establishment) -> QuerySet[Licence]:
    return Licence.objects.filter(establishment=establishment)


def access_licence(establishment: Establishment, public_id: Any) -> Licence:
    return get_or_404(establishment_licences(establishment).select_related("resource"), public_id)
