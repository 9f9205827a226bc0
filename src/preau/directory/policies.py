"""Who may see which people, classes and groups. The one place these rules live.

``visible_*`` return querysets (used by views, API routes, form choices and prefetches);
``access_*`` return one object or raise Http404, the same for missing and forbidden.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from preau.core.actor import ADMIN_FUNCTIONS
from preau.directory.models import (
    Academy,
    AcademyAdministrator,
    Enrolment,
    Establishment,
    Guardianship,
    Membership,
    Period,
    Profile,
    SchoolClass,
    Subject,
    TeachingGroup,
)

if TYPE_CHECKING:
    from preau.core.actor import Actor

User = get_user_model()


def get_or_404(queryset: QuerySet, public_id: Any) -> Any:
    """One row of ``queryset`` by public id; a malformed id is as absent as a missing one."""
    try:
        return queryset.get(public_id=public_id)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


# -- classes and groups ------------------------------------------------------------------------


def visible_classes(actor: Actor) -> QuerySet[SchoolClass]:
    """Classes of the current establishment and year that the actor may open."""
    establishment = actor.establishment
    if establishment is None:
        return SchoolClass.objects.none()
    classes = SchoolClass.objects.filter(establishment=establishment, school_year=actor.school_year)
    if actor.sees_whole_establishment or actor.can_administer_establishment:
        return classes
    condition = Q(pk__in=actor.taught_class_ids) | Q(head_teacher=actor.user)
    if actor.is_student and actor.enrolment is not None:
        condition |= Q(pk=actor.enrolment.school_class_id)
    if actor.is_guardian:
        condition |= Q(enrolments__student__in=actor.child_ids)
    return classes.filter(condition).distinct()


def access_class(actor: Actor, public_id: Any) -> SchoolClass:
    return get_or_404(visible_classes(actor).select_related("level", "head_teacher"), public_id)


def visible_groups(actor: Actor) -> QuerySet[TeachingGroup]:
    establishment = actor.establishment
    if establishment is None:
        return TeachingGroup.objects.none()
    groups = TeachingGroup.objects.filter(
        establishment=establishment, school_year=actor.school_year
    )
    if actor.sees_whole_establishment or actor.can_administer_establishment:
        return groups
    condition = Q(pk__in=actor.taught_group_ids)
    if actor.is_student:
        condition |= Q(pk__in=actor.group_ids)
    return groups.filter(condition)


# -- people ------------------------------------------------------------------------------------


def visible_students(actor: Actor) -> QuerySet:
    """Students the actor may see the record of, in the current establishment and year.

    A student: themselves. A guardian: their children. A teacher: the students of the classes
    and groups they teach or head. Direction and school life: every student of the establishment.
    """
    establishment = actor.establishment
    if establishment is None:
        return User.objects.none()
    enrolled = Q(enrolments__establishment=establishment, enrolments__school_year=actor.school_year)
    if actor.sees_whole_establishment or actor.can_administer_establishment:
        return User.objects.filter(enrolled, is_active=True).distinct()
    condition = Q(pk__in=[])
    if actor.is_student:
        condition |= Q(pk=actor.user.pk)
    if actor.is_guardian:
        condition |= Q(pk__in=actor.child_ids)
    if actor.is_teacher:
        condition |= Q(enrolments__school_class__in=actor.taught_class_ids)
        condition |= Q(enrolments__school_class__head_teacher=actor.user)
        condition |= Q(teaching_groups__in=actor.taught_group_ids)
    return User.objects.filter(enrolled, condition, is_active=True).distinct()


def access_student(actor: Actor, public_id: Any) -> Any:
    return get_or_404(visible_students(actor), public_id)


def can_see_guardians(actor: Actor) -> bool:
    """Guardians' contact details are for direction, school life and teachers of the student."""
    return actor.sees_whole_establishment or actor.is_teacher


def visible_members(actor: Actor) -> QuerySet[Membership]:
    """Memberships the actor may manage: those of the establishments they administer."""
    return Membership.objects.filter(establishment__in=administered_establishments(actor))


# -- establishments ----------------------------------------------------------------------------


def administered_establishments(actor: Actor) -> QuerySet[Establishment]:
    """Establishments whose administration console the actor may use."""
    if not actor.is_authenticated:
        return Establishment.objects.none()
    if actor.is_superuser:
        return Establishment.objects.all()
    condition = Q(academy_id__in=actor.administered_academy_ids)
    if actor.can_administer_establishment and actor.establishment is not None:
        condition |= Q(pk=actor.establishment.pk)
    return Establishment.objects.filter(condition)


def can_administer(actor: Actor, establishment: Establishment) -> bool:
    if actor.is_superuser or establishment.academy_id in actor.administered_academy_ids:
        return True
    return (
        actor.can_administer_establishment
        and actor.establishment is not None
        and actor.establishment.pk == establishment.pk
    )


def access_administered_establishment(actor: Actor, public_id: Any) -> Establishment:
    return get_or_404(administered_establishments(actor).select_related("academy"), public_id)


def can_manage_academy(actor: Actor, academy_id: int) -> bool:
    return actor.is_superuser or academy_id in actor.administered_academy_ids


def staff_profiles() -> list[str]:
    return [p for p in Profile if p not in (Profile.STUDENT, Profile.GUARDIAN)]


def holds_head_rights(actor: Actor, establishment: Establishment) -> bool:
    """The head of ``establishment`` (working in it now), its academy administrators, superusers."""
    if actor.is_superuser or establishment.academy_id in actor.administered_academy_ids:
        return True
    current = actor.establishment
    return current is not None and current.pk == establishment.pk and actor.is_head


def accounts_beyond_charge(actor: Actor, establishment: Establishment) -> Q:
    """The people whose account reaches more than ``actor`` administers (a condition on users).

    Taking charge of an account (its e-mail address, an activation code) hands over everything
    it opens, so ``actor`` may not when the person is: one of Préau's own staff; active this
    year in an establishment the actor does not administer; a guardian of a child enrolled this
    year in such an establishment; an administrator of an academy the actor does not manage;
    or, unless the actor holds head rights, an administrator of ``establishment``.
    """
    year = actor.school_year
    administered = administered_establishments(actor)
    elsewhere = (
        Membership.objects.filter(school_year=year, is_active=True)
        .exclude(establishment__in=administered)
        .values("person")
    )
    children_elsewhere = (
        Enrolment.objects.filter(school_year=year)
        .exclude(establishment__in=administered)
        .values("student")
    )
    guardians_elsewhere = Guardianship.objects.filter(student__in=children_elsewhere).values(
        "guardian"
    )
    other_academies = AcademyAdministrator.objects.exclude(
        academy_id__in=actor.administered_academy_ids
    ).values("person")
    beyond = (
        Q(is_superuser=True)
        | Q(is_staff=True)
        | Q(pk__in=elsewhere)
        | Q(pk__in=guardians_elsewhere)
        | Q(pk__in=other_academies)
    )
    if not holds_head_rights(actor, establishment):
        staff = Membership.objects.filter(
            establishment=establishment, school_year=year, is_active=True
        ).exclude(functions=[])
        beyond |= Q(pk__in=[m.person_id for m in staff if set(m.functions) & ADMIN_FUNCTIONS])
    return beyond


def can_take_charge_of_account(actor: Actor, person: Any, establishment: Establishment) -> bool:
    """Whether ``actor``, working for ``establishment``, may change what gives access to
    ``person``'s account (its e-mail address, an activation code).

    Only when nothing the account opens lies beyond what the actor administers (see
    accounts_beyond_charge): otherwise one school could take over an account that another
    school's data, an academy, or the school's own head rights are reached through.
    """
    if actor.is_superuser:
        return True
    if not actor.is_authenticated or not can_administer(actor, establishment):
        return False
    return not (
        User.objects.filter(pk=person.pk)
        .filter(accounts_beyond_charge(actor, establishment))
        .exists()
    )


# -- academies --------------------------------------------------------------------------------


def managed_academies(actor: Actor) -> QuerySet[Academy]:
    """Academies whose establishments the actor creates, closes and gives a head to."""
    if not actor.is_authenticated:
        return Academy.objects.none()
    if actor.is_superuser:
        return Academy.objects.all()
    return Academy.objects.filter(pk__in=actor.administered_academy_ids)


def academy_establishments(actor: Actor) -> QuerySet[Establishment]:
    return Establishment.objects.filter(academy__in=managed_academies(actor))


def access_academy_establishment(actor: Actor, public_id: Any) -> Establishment:
    return get_or_404(academy_establishments(actor).select_related("academy"), public_id)


# -- rows of one administered establishment ----------------------------------------------------
# The establishment comes from access_administered_establishment; these find rows inside it.


def access_establishment_member(establishment: Establishment, public_id: Any) -> Membership:
    return get_or_404(
        Membership.objects.filter(establishment=establishment).select_related(
            "person", "school_year"
        ),
        public_id,
    )


def access_establishment_class(establishment: Establishment, public_id: Any) -> SchoolClass:
    return get_or_404(
        SchoolClass.objects.filter(establishment=establishment).select_related(
            "level", "head_teacher"
        ),
        public_id,
    )


def access_establishment_group(establishment: Establishment, public_id: Any) -> TeachingGroup:
    return get_or_404(TeachingGroup.objects.filter(establishment=establishment), public_id)


def access_establishment_subject(establishment: Establishment, public_id: Any) -> Subject:
    return get_or_404(Subject.objects.filter(establishment=establishment), public_id)


def access_establishment_period(establishment: Establishment, public_id: Any) -> Period:
    return get_or_404(Period.objects.filter(establishment=establishment), public_id)
