"""Every report-card route that takes an identifier, and who must get a 404 for it: another
family, a teacher of another class or subject, another establishment."""

from __future__ import annotations

from typing import Any

import pytest

from preau.core.testing import Isolation, isolation_test
from preau.directory.models import Period, SchoolYear
from preau.reportcards import actions
from preau.reportcards.models import ClassCouncil, ReportCard
from preau.reportcards.tests.helpers import (
    MATHS,
    SPANISH,
    actor_for,
    first_period,
    make_groups,
    open_council,
    publish,
    subject,
)

pytestmark = pytest.mark.django_db

OTHER_SCHOOL = ("principal_curie", "dupont", "hugo")


def _draft(cast: Any) -> None:
    open_council(cast, marks=False)
    actions.do_open_council(
        actor=actor_for(cast.principal_moulin),
        period=first_period(cast.moulin),
        school_class=cast.class_3a,
    )


def _groups(cast: Any) -> None:
    make_groups(cast)
    _draft(cast)


def _group(c: Any) -> dict[str, Any]:
    from preau.directory.models import TeachingGroup

    return {
        **_council()(c),
        "group_id": TeachingGroup.objects.get(name="Espagnol 4e-3e").public_id,
        "subject_id": subject(c, SPANISH).public_id,
    }


def _group_cell(c: Any) -> dict[str, Any]:
    return {**_group(c), "card_id": ReportCard.objects.get(student=c.lea).public_id}


def _validated(cast: Any) -> None:
    council = open_council(cast, marks=False)
    actions.do_validate(actor=actor_for(cast.principal_moulin), council=council)


def _published(cast: Any) -> None:
    publish(cast, open_council(cast))


def _council(name: str = "4b") -> Any:
    def kwargs(c: Any) -> dict[str, Any]:
        school_class = c.class_4b if name == "4b" else c.class_3a
        return {"public_id": ClassCouncil.objects.get(school_class=school_class).public_id}

    return kwargs


def _subject(c: Any) -> dict[str, Any]:
    return {**_council()(c), "subject_id": subject(c, MATHS).public_id}


def _cell(c: Any) -> dict[str, Any]:
    return {**_subject(c), "card_id": ReportCard.objects.get(student=c.lea).public_id}


def _card(c: Any) -> dict[str, Any]:
    return {"public_id": ReportCard.objects.get(student=c.lea).public_id}


def _period(c: Any) -> dict[str, Any]:
    period = Period.objects.get(establishment=c.moulin, school_year=SchoolYear.current(), number=2)
    return {"public_id": period.public_id}


DECIDERS_ONLY = ("bernard", "garcia", "cpe_moulin", "sophie", "principal_curie", "dupont")

test_isolation = isolation_test(
    [
        Isolation(
            "reportcards:open_period",
            "principal_moulin",
            _period,
            ("bernard", "cpe_moulin", "principal_curie", "sophie"),
            method="post",
            owner_status=302,
        ),
        # A council: the class's teachers, direction and school life.
        Isolation(
            "reportcards:council",
            "bernard",
            _council(),
            ("lea", "sophie", "karim", *OTHER_SCHOOL),
            setup=_draft,
        ),
        Isolation(
            "reportcards:council",
            "cpe_moulin",
            _council("3a"),
            ("garcia", "jade", "sophie", *OTHER_SCHOOL),
            setup=_draft,
        ),
        # A subject's grid: its teacher (and direction, school life who read it).
        Isolation(
            "reportcards:subject",
            "bernard",
            _subject,
            ("garcia", "lea", "sophie", *OTHER_SCHOOL),
            setup=_draft,
        ),
        Isolation(
            "reportcards:subject_cell",
            "bernard",
            _cell,
            ("garcia", "cpe_moulin", "sophie", "lea", *OTHER_SCHOOL),
            method="post",
            setup=_draft,
        ),
        # A group's grid: its teacher (not a teacher of another group or of the class alone).
        Isolation(
            "reportcards:group",
            "garcia",
            _group,
            ("bernard", "lea", "jade", "sophie", *OTHER_SCHOOL),
            setup=_groups,
        ),
        Isolation(
            "reportcards:group_cell",
            "garcia",
            _group_cell,
            ("bernard", "cpe_moulin", "sophie", "lea", *OTHER_SCHOOL),
            method="post",
            setup=_groups,
        ),
        # Through her group only, the Spanish teacher is one of 3e A's teachers.
        Isolation(
            "reportcards:council",
            "garcia",
            _council("3a"),
            ("dupont", "jade", "sophie", *OTHER_SCHOOL),
            setup=_groups,
        ),
        Isolation(
            "reportcards:general",
            "bernard",
            _council(),
            ("garcia", "lea", "sophie", *OTHER_SCHOOL),
            setup=_draft,
        ),
        Isolation(
            "reportcards:validate",
            "principal_moulin",
            _council(),
            DECIDERS_ONLY,
            method="post",
            owner_status=302,
            setup=_draft,
        ),
        Isolation(
            "reportcards:reopen",
            "principal_moulin",
            _council(),
            DECIDERS_ONLY,
            method="post",
            owner_status=302,
            setup=_validated,
        ),
        Isolation(
            "reportcards:publish",
            "principal_moulin",
            _council(),
            DECIDERS_ONLY,
            method="post",
            owner_status=302,
            setup=_validated,
        ),
        Isolation(
            "reportcards:progress",
            "principal_moulin",
            _council(),
            ("sophie", "lea", *OTHER_SCHOOL),
            setup=_published,
        ),
        # A report card: its family once published; the class's staff at any time.
        Isolation(
            "reportcards:card",
            "sophie",
            _card,
            ("karim", "noah", "jade", *OTHER_SCHOOL),
            setup=_published,
        ),
        Isolation(
            "reportcards:card",
            "garcia",
            _card,
            ("lea", "sophie", "karim", *OTHER_SCHOOL),
            setup=_draft,
        ),
        Isolation(
            "reportcards:pdf",
            "lea",
            _card,
            ("karim", "noah", "jade", *OTHER_SCHOOL),
            setup=_published,
        ),
    ]
)
