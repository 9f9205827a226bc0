"""Reads of the directory that several pages share. Callers pass objects already checked by
the policies; these functions only shape the data, in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

from preau.directory.models import (
    Enrolment,
    GroupMembership,
    Guardianship,
    SchoolClass,
    TeachingAssignment,
)

User = get_user_model()


def teachers_of_enrolment(enrolment: Enrolment) -> list[TeachingAssignment]:
    """Who teaches what to the student of ``enrolment``: their class and their groups (1 query)."""
    groups = GroupMembership.objects.filter(
        student_id=enrolment.student_id, establishment_id=enrolment.establishment_id
    ).values("group_id")
    return list(
        TeachingAssignment.objects.filter(
            Q(school_class_id=enrolment.school_class_id) | Q(group_id__in=groups),
            establishment_id=enrolment.establishment_id,
            school_year_id=enrolment.school_year_id,
        )
        .select_related("teacher", "subject", "group")
        .order_by("subject__label", "teacher__last_name")
    )


def class_roster(school_class: SchoolClass) -> list[Any]:
    """The students of a class, by name (1 query)."""
    return list(
        User.objects.filter(enrolments__school_class=school_class, is_active=True).order_by(
            "last_name", "first_name"
        )
    )


def class_teachers(school_class: SchoolClass) -> list[TeachingAssignment]:
    return list(
        TeachingAssignment.objects.filter(school_class=school_class)
        .select_related("teacher", "subject")
        .order_by("subject__label")
    )


def guardians_of(student: Any) -> list[Guardianship]:
    return list(
        Guardianship.objects.filter(student=student, guardian__is_active=True)
        .select_related("guardian")
        .order_by("-legal", "guardian__last_name")
    )


def current_enrolment(student: Any, establishment: Any, school_year: Any) -> Enrolment | None:
    return (
        Enrolment.objects.filter(
            student=student, establishment=establishment, school_year=school_year
        )
        .select_related("school_class__level", "school_class__head_teacher", "establishment")
        .first()
    )


def establishment_overview(establishment: Any, school_year: Any) -> dict[str, int]:
    """Headcounts shown to the establishment's staff (3 queries)."""
    from preau.directory.models import STAFF_PROFILES, Membership

    members = Membership.objects.filter(
        establishment=establishment, school_year=school_year, is_active=True
    )
    return {
        "students": Enrolment.objects.filter(
            establishment=establishment, school_year=school_year
        ).count(),
        "classes": SchoolClass.objects.filter(
            establishment=establishment, school_year=school_year
        ).count(),
        "staff": members.filter(profile__in=STAFF_PROFILES).values("person").distinct().count(),
    }
