"""Who may see and do what with parent-teacher meetings. The one place these rules live.

- The head, a deputy or the CPE creates the campaigns of their establishment; with the rest of
  the direction and school life they see every campaign and its bookings board.
- A teacher sees the campaigns of the classes they teach (a class, a group with pupils of the
  class, or as its head teacher) in their current establishment, opens their ranges there, and
  sees the bookings board. The CPE, the head and a deputy may open ranges too, for every family.
- A guardian sees the campaigns of their children's classes, in whichever establishment each
  child is, and books for a child: with the child's teachers (class and groups), the head
  teacher of the child's class, and the school-life hosts. Both guardians of a child see, and may
  cancel, what either booked for the child.
- Nobody reaches another establishment's, another class's or another family's meetings.

``access_*`` give the object or Http404, the same for missing and forbidden.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404

from preau.core.actor import SCHOOL_LIFE_FUNCTIONS
from preau.directory.models import Enrolment, GroupMembership, SchoolClass, TeachingAssignment
from preau.directory.policies import get_or_404
from preau.meetings.models import Availability, Booking, Campaign, Slot

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

# Who organises the campaigns and may meet every family of them.
ORGANISER_FUNCTIONS = SCHOOL_LIFE_FUNCTIONS


def _none() -> Q:
    return Q(pk__in=[])


def is_organiser(actor: Actor) -> bool:
    """The head, a deputy or the CPE of the current establishment."""
    return actor.establishment is not None and bool(actor.functions & ORGANISER_FUNCTIONS)


def is_overseer(actor: Actor) -> bool:
    """Direction and school life: every campaign of the establishment and its board."""
    return actor.establishment is not None and (
        actor.sees_whole_establishment or is_organiser(actor)
    )


def _teacher_class_ids(actor: Actor) -> Any:
    """The classes a teacher meets the families of: taught, headed, or with pupils in a taught
    group (a subquery and a list)."""
    grouped = Enrolment.objects.filter(
        establishment=actor.establishment,
        school_year=actor.school_year,
        student__in=GroupMembership.objects.filter(
            establishment=actor.establishment, group_id__in=list(actor.taught_group_ids)
        ).values("student"),
    ).values("school_class")
    headed = SchoolClass.objects.filter(
        establishment=actor.establishment, school_year=actor.school_year, head_teacher=actor.user
    ).values("pk")
    return (
        Q(classes__in=list(actor.taught_class_ids)) | Q(classes__in=grouped) | Q(classes__in=headed)
    )


def _teacher_condition(actor: Actor) -> Q:
    if actor.establishment is None or not actor.is_teacher:
        return _none()
    return Q(
        pk__in=Campaign.objects.filter(
            _teacher_class_ids(actor),
            establishment=actor.establishment,
            school_year=actor.school_year,
        ).values("pk")
    )


def _guardian_condition(actor: Actor) -> Q:
    class_ids = [
        enrolment.school_class_id
        for child in actor.children
        for enrolment in child.enrolments
        if enrolment.establishment.is_active
    ]
    if not class_ids:
        return _none()
    return Q(
        pk__in=Campaign.objects.filter(classes__in=class_ids, school_year=actor.school_year).values(
            "pk"
        )
    )


def _overseer_condition(actor: Actor) -> Q:
    if not is_overseer(actor):
        return _none()
    return Q(establishment=actor.establishment, school_year=actor.school_year)


# -- reading -------------------------------------------------------------------------------------


def visible_campaigns(actor: Actor) -> QuerySet[Campaign]:
    """Every campaign the actor may open, in any of their roles."""
    condition = _overseer_condition(actor) | _teacher_condition(actor) | _guardian_condition(actor)
    return Campaign.objects.filter(condition)


def teacher_campaigns(actor: Actor) -> QuerySet[Campaign]:
    return Campaign.objects.filter(_teacher_condition(actor) | _organiser_condition(actor))


def _organiser_condition(actor: Actor) -> Q:
    if not is_organiser(actor):
        return _none()
    return Q(establishment=actor.establishment, school_year=actor.school_year)


def establishment_campaigns(actor: Actor) -> QuerySet[Campaign]:
    return Campaign.objects.filter(_overseer_condition(actor))


def child_campaigns(actor: Actor, child: Child) -> QuerySet[Campaign]:
    """The campaigns of one of the guardian's children's class."""
    if child.student.pk not in actor.child_ids or not child.enrolments:
        return Campaign.objects.none()
    enrolment = child.enrolments[0]
    if not enrolment.establishment.is_active:
        return Campaign.objects.none()
    return Campaign.objects.filter(classes=enrolment.school_class_id, school_year=actor.school_year)


def access_campaign(actor: Actor, public_id: Any) -> Campaign:
    return get_or_404(visible_campaigns(actor).select_related("establishment"), public_id)


def campaign_class_ids(campaign: Campaign) -> set[int]:
    """The classes of a campaign (1 query, kept on the campaign)."""
    ids = getattr(campaign, "_class_ids", None)
    if ids is None:
        ids = campaign._class_ids = set(campaign.classes.values_list("pk", flat=True))
    return ids


def children_concerned(actor: Actor, campaign: Campaign) -> list[Child]:
    """The guardian's children in the campaign's classes."""
    if not actor.children:
        return []
    class_ids = campaign_class_ids(campaign)
    return [
        child
        for child in actor.children
        if any(
            e.school_class_id in class_ids and e.establishment_id == campaign.establishment_id
            for e in child.enrolments
        )
    ]


def here(actor: Actor, campaign: Campaign) -> bool:
    return actor.establishment is not None and actor.establishment.pk == campaign.establishment_id


def can_host(actor: Actor, campaign: Campaign) -> bool:
    """A teacher of the campaign's classes, or the head, a deputy or the CPE, working in the
    campaign's establishment (at most 1 query)."""
    if not here(actor, campaign):
        return False
    if is_organiser(actor):
        return True
    if not actor.is_teacher:
        return False
    # Asked by a page more than once: kept on the campaign for this actor.
    known = campaign.__dict__.setdefault("_hosts", {})
    if actor.user.pk not in known:
        known[actor.user.pk] = Campaign.objects.filter(
            _teacher_condition(actor), pk=campaign.pk
        ).exists()
    return known[actor.user.pk]


def sees_board(actor: Actor, campaign: Campaign) -> bool:
    return here(actor, campaign) and (is_overseer(actor) or can_host(actor, campaign))


def access_board(actor: Actor, public_id: Any) -> Campaign:
    campaign = access_campaign(actor, public_id)
    if not sees_board(actor, campaign):
        raise Http404
    return campaign


def own_availabilities(actor: Actor, campaign: Campaign) -> QuerySet[Availability]:
    return Availability.objects.filter(campaign=campaign, host=actor.user)


def access_own_availability(actor: Actor, campaign: Campaign, public_id: Any) -> Availability:
    if not can_host(actor, campaign):
        return get_or_404(Availability.objects.none(), public_id)
    return get_or_404(own_availabilities(actor, campaign), public_id)


def access_own_slot(actor: Actor, campaign: Campaign, public_id: Any) -> Slot:
    """One of the actor's own slots in the campaign, or Http404."""
    if not here(actor, campaign):
        return get_or_404(Slot.objects.none(), public_id)
    slot = get_or_404(Slot.objects.filter(campaign=campaign, host=actor.user), public_id)
    slot.campaign = campaign
    return slot


def child_hosts_condition(campaign: Campaign, child: Child) -> Q:
    """The hosts a family may book for this child: the child's teachers (class and groups), the
    head teacher of the child's class, and the school-life hosts (on slots)."""
    enrolment = next(
        (e for e in child.enrolments if e.establishment_id == campaign.establishment_id), None
    )
    if enrolment is None:
        return _none()
    teachers = TeachingAssignment.objects.filter(
        Q(school_class_id=enrolment.school_class_id)
        | Q(
            group__in=GroupMembership.objects.filter(
                establishment_id=campaign.establishment_id, student=child.student
            ).values("group")
        ),
        establishment_id=campaign.establishment_id,
        school_year_id=campaign.school_year_id,
    ).values("teacher")
    condition = Q(host__in=teachers) | Q(availability__for_all_families=True)
    head_teacher_id = enrolment.school_class.head_teacher_id
    if head_teacher_id is not None:
        condition |= Q(host_id=head_teacher_id)
    return condition


def bookable_slots(campaign: Campaign, child: Child) -> QuerySet[Slot]:
    """The open slots of the hosts the family may meet about this child (booked or not)."""
    return Slot.objects.filter(
        child_hosts_condition(campaign, child), campaign=campaign, closed_at__isnull=True
    )


def access_bookable_slot(campaign: Campaign, child: Child, public_id: Any) -> Slot:
    return get_or_404(bookable_slots(campaign, child).select_related("host"), public_id)


def family_bookings(actor: Actor, campaign: Campaign) -> QuerySet[Booking]:
    """The live bookings for the actor's children in the campaign, whoever of their guardians
    booked them."""
    ids = list(actor.child_ids)
    if not ids:
        return Booking.objects.none()
    return Booking.objects.filter(campaign=campaign, student_id__in=ids, cancelled_at__isnull=True)


def access_family_booking(actor: Actor, campaign: Campaign, public_id: Any) -> Booking:
    return get_or_404(
        family_bookings(actor, campaign).select_related("slot", "host", "student"), public_id
    )


def campaign_classes_choices(actor: Actor) -> QuerySet[SchoolClass]:
    """The classes an organiser may choose for a campaign: their establishment's, this year."""
    if not is_organiser(actor):
        return SchoolClass.objects.none()
    return SchoolClass.objects.filter(
        establishment=actor.establishment, school_year=actor.school_year
    )
