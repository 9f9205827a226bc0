"""The Actor: who is asking, in which establishment, with which profiles, children and classes.

Resolved once per request (``request.actor``, set by ActorMiddleware). Each part is computed on
first use and kept for the rest of the request, so a page pays only for what it reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.cache import cache
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from preau.directory import versions
from preau.directory.models import (
    STAFF_PROFILES,
    AcademyAdministrator,
    Enrolment,
    Establishment,
    Function,
    GroupMembership,
    Guardianship,
    Membership,
    Profile,
    SchoolYear,
    TeachingAssignment,
)

if TYPE_CHECKING:
    from preau.accounts.models import User

SESSION_ESTABLISHMENT_KEY = "preau_establishment"
SESSION_CHILD_KEY = "preau_child"
T = TypeVar("T")

_year_cache: dict[date, SchoolYear] = {}


def current_school_year() -> SchoolYear:
    """The school year of today, looked up once per day per process."""
    today = timezone.localdate()
    year = _year_cache.get(today)
    if year is None:
        year = SchoolYear.current()
        _year_cache.clear()
        _year_cache[today] = year
    return year


ADMIN_FUNCTIONS = frozenset({Function.HEAD, Function.DEPUTY_HEAD, Function.ADMINISTRATOR})
SCHOOL_LIFE_FUNCTIONS = frozenset({Function.HEAD, Function.DEPUTY_HEAD, Function.CPE})


@dataclass
class Child:
    """A guardian's child with their enrolment of the current year, in any establishment."""

    student: Any
    enrolments: list[Enrolment] = field(default_factory=list)

    @property
    def public_id(self) -> Any:
        return self.student.public_id


class Actor:
    def __init__(self, user: User | Any, session: Any = None) -> None:
        self.user = user
        self.session = session if session is not None else {}
        # What a page computes once for this request and several services read (e.g. the
        # versions of the dashboard panels, fetched together).
        self.memo: dict[str, Any] = {}

    # -- identity ---------------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return bool(self.user and self.user.is_authenticated)

    @property
    def is_superuser(self) -> bool:
        return self.is_authenticated and self.user.is_superuser

    @cached_property
    def school_year(self) -> SchoolYear:
        return current_school_year()

    @cached_property
    def directory_version(self) -> str:
        return versions.current()

    def _key(self, name: str) -> str:
        return f"actor:{self.user.pk}:{self.school_year.pk}:{name}"

    def _cached(self, name: str, compute: Callable[[], T]) -> T:
        """A part of the actor, cached for this person until the directory changes.

        The parts almost every page needs are read together, in one round trip.
        """
        prefetched = self.memo.get("directory")
        if prefetched is None:
            keys = [
                versions.full_key(self._key(part), self.directory_version)
                for part in ("memberships", "children", "academies")
            ]
            prefetched = self.memo["directory"] = cache.get_many(keys)
        return versions.cached(self._key(name), self.directory_version, compute, prefetched)

    # -- memberships and the current establishment -------------------------------------------
    @cached_property
    def memberships(self) -> list[Membership]:
        """Active memberships of the current school year, with their establishment."""
        if not self.is_authenticated:
            return []
        return self._cached(
            "memberships",
            lambda: list(
                Membership.objects.filter(
                    person=self.user, school_year=self.school_year, is_active=True
                )
                .select_related("establishment__academy")
                .filter(establishment__is_active=True)
                .order_by("establishment__name", "profile")
            ),
        )

    @cached_property
    def establishments(self) -> list[Establishment]:
        seen: dict[int, Establishment] = {}
        for membership in self.memberships:
            seen.setdefault(membership.establishment_id, membership.establishment)
        return list(seen.values())

    @cached_property
    def establishment(self) -> Establishment | None:
        """The establishment the person is working in now (chosen with the switcher)."""
        chosen = self.session.get(SESSION_ESTABLISHMENT_KEY)
        for establishment in self.establishments:
            if str(establishment.public_id) == chosen:
                return establishment
        return self.establishments[0] if self.establishments else None

    @cached_property
    def current_memberships(self) -> list[Membership]:
        if self.establishment is None:
            return []
        return [m for m in self.memberships if m.establishment_id == self.establishment.pk]

    @cached_property
    def profiles(self) -> frozenset[str]:
        return frozenset(m.profile for m in self.current_memberships)

    @cached_property
    def functions(self) -> frozenset[str]:
        return frozenset(f for m in self.current_memberships for f in m.functions)

    @property
    def is_student(self) -> bool:
        return Profile.STUDENT in self.profiles

    @property
    def is_guardian(self) -> bool:
        return Profile.GUARDIAN in self.profiles

    @property
    def is_teacher(self) -> bool:
        return Profile.TEACHER in self.profiles

    @property
    def is_staff_member(self) -> bool:
        return bool(self.profiles & STAFF_PROFILES)

    @property
    def is_head(self) -> bool:
        return Function.HEAD in self.functions

    @property
    def is_cpe(self) -> bool:
        return Function.CPE in self.functions

    @property
    def can_administer_establishment(self) -> bool:
        """Head, deputy or delegated administrator of the current establishment."""
        return bool(self.functions & ADMIN_FUNCTIONS)

    @property
    def sees_whole_establishment(self) -> bool:
        """Direction and school life see every student and class of their establishment."""
        return bool(self.functions & SCHOOL_LIFE_FUNCTIONS) or bool(
            self.profiles & {Profile.DIRECTION, Profile.EDUCATION}
        )

    @property
    def home_kind(self) -> str:
        """Which home page this person gets in the current establishment."""
        if self.is_staff_member and not self.is_teacher:
            return "staff"
        if self.is_teacher:
            return "teacher"
        if self.is_guardian:
            return "guardian"
        if self.is_student:
            return "student"
        return "none"

    # -- academies -----------------------------------------------------------------------------
    @cached_property
    def administered_academy_ids(self) -> frozenset[int]:
        if not self.is_authenticated:
            return frozenset()
        return self._cached(
            "academies",
            lambda: frozenset(
                AcademyAdministrator.objects.filter(person=self.user).values_list(
                    "academy_id", flat=True
                )
            ),
        )

    # -- family ----------------------------------------------------------------------------------
    @cached_property
    def children(self) -> list[Child]:
        """The students this person is a guardian of, in every establishment (2 queries)."""
        if not self.is_authenticated:
            return []

        def compute() -> list[Child]:
            enrolments = Enrolment.objects.filter(school_year=self.school_year).select_related(
                "school_class__level", "establishment"
            )
            links = (
                Guardianship.objects.filter(guardian=self.user, student__is_active=True)
                .select_related("student")
                .prefetch_related(Prefetch("student__enrolments", queryset=enrolments))
                .order_by("student__birth_date", "student__first_name")
            )
            return [Child(link.student, list(link.student.enrolments.all())) for link in links]

        return self._cached("children", compute)

    @cached_property
    def child_ids(self) -> frozenset[int]:
        return frozenset(child.student.pk for child in self.children)

    # -- teaching --------------------------------------------------------------------------------
    @cached_property
    def teaching_assignments(self) -> list[TeachingAssignment]:
        if self.establishment is None or not self.is_teacher:
            return []
        establishment = self.establishment
        return self._cached(
            f"assignments:{establishment.pk}",
            lambda: list(
                TeachingAssignment.objects.filter(
                    teacher=self.user, establishment=establishment, school_year=self.school_year
                ).select_related("subject", "school_class__level", "group")
            ),
        )

    @cached_property
    def taught_class_ids(self) -> frozenset[int]:
        return frozenset(a.school_class_id for a in self.teaching_assignments if a.school_class_id)

    @cached_property
    def taught_group_ids(self) -> frozenset[int]:
        return frozenset(a.group_id for a in self.teaching_assignments if a.group_id)

    # -- own schooling (students) ----------------------------------------------------------------
    @cached_property
    def enrolment(self) -> Enrolment | None:
        if self.establishment is None or not self.is_student:
            return None
        establishment = self.establishment
        return self._cached(
            f"enrolment:{establishment.pk}",
            lambda: (
                Enrolment.objects.filter(
                    student=self.user, establishment=establishment, school_year=self.school_year
                )
                .select_related(
                    "school_class__level", "school_class__head_teacher", "establishment"
                )
                .first()
            ),
        )

    @cached_property
    def group_ids(self) -> frozenset[int]:
        if self.establishment is None or not self.is_student:
            return frozenset()
        establishment = self.establishment
        return self._cached(
            f"groups:{establishment.pk}",
            lambda: frozenset(
                GroupMembership.objects.filter(
                    student=self.user, establishment=establishment
                ).values_list("group_id", flat=True)
            ),
        )


def selected_child(
    request: Any, actor: Actor, *, guardian_home_only: bool = False, preferred: str | None = None
) -> Child | None:
    """The child a guardian is looking at: ``?child=``, else ``preferred`` (a child's public
    id), else the last one chosen (kept in the session), else the first.

    A ``?child=`` that is not one of the actor's children answers 404, as for a child that does
    not exist. With ``guardian_home_only``, someone whose home is not a guardian's (a teacher
    who is also a parent) looks at no child: the page shows their own things.
    """
    # The home kind first: it is known without reading anyone's children.
    if (guardian_home_only and actor.home_kind != "guardian") or not actor.children:
        return None
    asked = request.GET.get("child")
    wanted = asked or preferred or request.session.get(SESSION_CHILD_KEY)
    for child in actor.children:
        if str(child.public_id) == wanted:
            request.session[SESSION_CHILD_KEY] = wanted
            return child
    if asked:
        raise Http404
    return actor.children[0]
