"""The demo population: deterministic, complete, and built around an untouched cast."""

from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count

from preau.demo.cast import CURIE_UAI, MOULIN_UAI, Cast
from preau.demo.population import (
    AlreadyPopulated,
    build_population,
    population_digest,
)
from preau.directory.models import (
    STAFF_PROFILES,
    Enrolment,
    GroupMembership,
    Guardianship,
    Membership,
    Profile,
    SchoolClass,
    SchoolYear,
    TeachingAssignment,
    TeachingGroup,
)

User = get_user_model()
pytestmark = pytest.mark.django_db


def built_digest(students: int, seed: int = 2026) -> str:
    """Build in a savepoint, fingerprint, and roll back: each build starts from the cast alone."""
    with transaction.atomic():
        build_population(students, seed=seed, password_hash="!")
        digest = population_digest()
        transaction.set_rollback(True)
    return digest


def profile_count(uai: str, profile: str) -> int:
    return Membership.objects.filter(
        establishment__uai=uai, school_year=SchoolYear.current(), profile=profile
    ).count()


def test_the_build_is_deterministic() -> None:
    first = built_digest(40)
    assert built_digest(40) == first
    assert built_digest(40, seed=7) != first


def test_a_small_school_has_the_expected_size() -> None:
    build_population(46, password_hash="!")
    year = SchoolYear.current()
    assert profile_count(MOULIN_UAI, Profile.STUDENT) == 46
    assert profile_count(CURIE_UAI, Profile.STUDENT) == 80  # 800 for 460
    moulin_classes = SchoolClass.objects.filter(establishment__uai=MOULIN_UAI, school_year=year)
    assert sorted(moulin_classes.values_list("name", flat=True)) == [
        "3e A",
        "4e A",
        "4e B",
        "5e A",
        "6e A",
    ]
    assert set(
        SchoolClass.objects.filter(establishment__uai=CURIE_UAI, school_year=year).values_list(
            "name", flat=True
        )
    ) == {"2nde 1", "2nde 2", "2nde 3", "1re 1", "Tle 1"}
    moulin_staff = Membership.objects.filter(
        establishment__uai=MOULIN_UAI, profile__in=STAFF_PROFILES
    )
    assert 12 <= moulin_staff.count() <= 25
    # Every college subject is taught, and the options exist.
    taught = set(
        TeachingAssignment.objects.filter(establishment__uai=MOULIN_UAI).values_list(
            "subject__code", flat=True
        )
    )
    assert len(taught) == 13
    groups = TeachingGroup.objects.filter(establishment__uai=MOULIN_UAI)
    assert groups.filter(name__startswith="Latin").exists()
    assert groups.filter(name__endswith="Allemand").exists()


def test_the_default_school_matches_the_description() -> None:
    build_population(password_hash="!")
    year = SchoolYear.current()
    assert profile_count(MOULIN_UAI, Profile.STUDENT) == 460
    assert profile_count(CURIE_UAI, Profile.STUDENT) == 800
    names = set(
        SchoolClass.objects.filter(establishment__uai=MOULIN_UAI, school_year=year).values_list(
            "name", flat=True
        )
    )
    assert names == {f"{level} {letter}" for level in ("6e", "5e", "4e", "3e") for letter in "ABCD"}
    staff = Membership.objects.filter(establishment__uai=MOULIN_UAI, profile__in=STAFF_PROFILES)
    assert 35 <= staff.count() <= 45
    functions = Counter(f for fs in staff.values_list("functions", flat=True) for f in fs)
    assert functions["head"] == functions["deputy_head"] == functions["secretary"] == 1
    assert staff.filter(profile=Profile.LIBRARIAN).count() == 1
    sizes = Enrolment.objects.filter(establishment__uai=MOULIN_UAI).values("school_class")
    assert {row["n"] for row in sizes.annotate(n=Count("id"))} <= {28, 29}


def test_the_cast_is_intact(cast: Cast) -> None:
    def children(guardian: Any) -> set[str]:
        return set(
            Guardianship.objects.filter(guardian=guardian).values_list(
                "student__username", flat=True
            )
        )

    def assignments(teacher: Any) -> set[tuple[str, str]]:
        return set(
            TeachingAssignment.objects.filter(teacher=teacher).values_list(
                "subject__code", "school_class__name"
            )
        )

    before = {
        name: (children(person), assignments(person))
        for name, person in vars(cast).items()
        if isinstance(person, User)
    }
    build_population(30, password_hash="!")
    after_cast = Cast.load()
    for name, (kids, taught) in before.items():
        person = getattr(after_cast, name)
        assert person.pk == getattr(cast, name).pk
        assert children(person) == kids, name
        assert assignments(person) == taught, name
    assert children(cast.sophie) == {"eleve.lea", "eleve.hugo"}
    assert after_cast.class_4b.head_teacher_id == cast.bernard.pk
    assert after_cast.class_2nde3.head_teacher_id == cast.dupont.pk
    enrolled = dict(
        Enrolment.objects.filter(
            student__username__in=["eleve.lea", "eleve.noah", "eleve.jade", "eleve.hugo"]
        ).values_list("student__username", "school_class__name")
    )
    assert enrolled == {
        "eleve.lea": "4e B",
        "eleve.noah": "4e B",
        "eleve.jade": "3e A",
        "eleve.hugo": "2nde 3",
    }
    assert Enrolment.objects.filter(school_class=cast.class_4b).count() > 2
    assert not GroupMembership.objects.filter(student__username__startswith="eleve.").exists()


def test_every_student_has_a_guardian_and_every_class_a_head_teacher() -> None:
    build_population(60, password_hash="!")
    year = SchoolYear.current()
    students = User.objects.filter(memberships__profile=Profile.STUDENT).distinct()
    guardians_per_student = students.annotate(n=Count("guarded_by")).values_list("n", flat=True)
    assert set(guardians_per_student) <= {1, 2}
    assert not students.exclude(enrolments__school_year=year).exists()
    assert not students.filter(birth_date__isnull=True).exists()
    classes = SchoolClass.objects.filter(school_year=year).annotate(n=Count("teaching_assignments"))
    assert not classes.filter(head_teacher__isnull=True).exists()
    assert min(c.n for c in classes) >= 1
    generated = classes.exclude(name__in=["4e B", "3e A", "2nde 3"])
    assert min(c.n for c in generated) >= 8
    # Siblings share their guardians.
    assert Guardianship.objects.values("guardian").annotate(n=Count("id")).filter(n__gt=1)


def test_a_second_build_is_refused() -> None:
    build_population(30, password_hash="!")
    with pytest.raises(AlreadyPopulated):
        build_population(30, password_hash="!")


def test_the_command_refuses_production_and_runs_once() -> None:
    with pytest.raises(CommandError):
        call_command("demo", students=30)
    out = StringIO()
    call_command("demo", students=30, allow_production=True, stdout=out)
    assert "Collège Jean Moulin : 30 élèves" in out.getvalue()
    users = User.objects.count()
    out = StringIO()
    call_command("demo", students=30, allow_production=True, stdout=out)
    assert "déjà en place" in out.getvalue()
    assert User.objects.count() == users
