"""The school-year rollover: the closed year is kept to read and refused to write; the next
year gets its periods and the staff; a dry run writes nothing; a second run changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from preau.attendance.actions import do_enter_record
from preau.attendance.models import RecordKind
from preau.attendance.tests.helpers import actor_for
from preau.audit.models import AuditEntry
from preau.core.testing import Isolation, isolation_test, log_in_with_second_factor
from preau.directory.models import ClosedYear, Membership, Period, Profile, SchoolYear
from preau.directory.years import ClosedYearRefused, is_closed
from preau.grades.actions import record_marks
from preau.grades.models import Mark
from preau.grades.tests.helpers import assessment
from preau.logbook.tests.helpers import Week, garcia_entry

pytestmark = pytest.mark.django_db

# Versailles' administrator rolls Jean Moulin over; not its head, nor Marie Curie's.
test_isolation = isolation_test(
    [
        Isolation(
            route="administration:academy_establishment_rollover",
            owner="rectorat_versailles",
            kwargs=lambda c: {"public_id": c.moulin.public_id},
            refused=("principal_moulin", "principal_curie", "cpe_moulin", "bernard"),
        ),
        Isolation(
            route="administration:academy_establishment_rollover",
            owner="rectorat_versailles",
            kwargs=lambda c: {"public_id": c.moulin.public_id},
            method="post",
            owner_status=302,
            refused=("principal_moulin", "principal_curie"),
        ),
    ]
)


def rows() -> tuple[int, ...]:
    return (
        ClosedYear.objects.count(),
        Period.objects.count(),
        Membership.objects.count(),
        SchoolYear.objects.count(),
        AuditEntry.objects.count(),
    )


def rollover(cast: Any, *options: str) -> str:
    out = io.StringIO()
    call_command("rollover", "--establishment", cast.moulin.uai, *options, stdout=out)
    return out.getvalue()


def test_a_dry_run_writes_nothing(cast: Any) -> None:
    before = rows()
    output = rollover(cast, "--dry-run")
    assert rows() == before
    year = SchoolYear.current()
    assert f"{year.label} would be closed" in output
    assert "prof.bernard (National_ENS)" in output and "eleve.lea" not in output


def test_the_rollover_closes_the_year_and_prepares_the_next(cast: Any) -> None:
    year = SchoolYear.current()
    output = rollover(cast)
    assert f"{year.label} closed" in output
    following = SchoolYear.objects.get(start_date=year.end_date.replace(month=9, day=1))
    assert ClosedYear.objects.filter(establishment=cast.moulin, school_year=year).exists()
    assert not is_closed(cast.curie.pk, year.pk)
    # The periods, a year later.
    closing = list(Period.objects.filter(establishment=cast.moulin, school_year=year))
    opening = list(Period.objects.filter(establishment=cast.moulin, school_year=following))
    assert len(opening) == len(closing) > 0
    assert opening[0].start_date == closing[0].start_date.replace(year=following.start_date.year)
    # Staff carried, students and guardians left to the directory feed.
    carried = Membership.objects.filter(establishment=cast.moulin, school_year=following)
    people = set(carried.values_list("person__username", flat=True))
    assert {"prof.bernard", "principal.moulin", "cpe.moulin"} <= people
    assert not carried.filter(profile__in=[Profile.STUDENT, Profile.GUARDIAN]).exists()
    head = carried.get(person=cast.principal_moulin)
    assert "head" in head.functions
    entry = AuditEntry.objects.get(action="directory.year.close", establishment=cast.moulin)
    assert entry.after["year"] == year.label and entry.after["next_year"] == following.label

    # Twice is harmless.
    before = rows()
    output = rollover(cast)
    assert "already closed" in output and "0 staff membership(s) carried" in output
    assert rows() == before


def test_a_closed_year_is_read_not_written(cast: Any) -> None:
    exam = assessment(cast)
    record_marks(actor_for(cast.bernard), exam, {str(cast.lea.public_id): "15"})
    week = Week(cast)
    rollover(cast)

    with pytest.raises(ClosedYearRefused) as refused:
        record_marks(actor_for(cast.bernard), exam, {str(cast.lea.public_id): "18"})
    assert "est archivée" in refused.value.messages[0]
    with pytest.raises(ClosedYearRefused):
        assessment(cast, title="Après la clôture")
    with pytest.raises(ClosedYearRefused):
        garcia_entry(cast, week)
    with pytest.raises(ClosedYearRefused):
        do_enter_record(
            actor=actor_for(cast.cpe_moulin),
            student=cast.noah,
            kind=RecordKind.ABSENCE,
            start=week.maths.start,
            end=week.maths.end,
        )
    # What was written stays readable.
    assert Mark.objects.get(assessment=exam, student=cast.lea).value == 15


def test_the_academy_administrator_rolls_over_from_the_console(cast: Any, client: Any) -> None:
    year = SchoolYear.current()
    url = f"/manage/academy/establishments/{cast.moulin.public_id}/rollover/"
    log_in_with_second_factor(client, cast.rectorat_versailles)
    before = rows()
    page = client.get(url).content.decode()
    assert rows() == before and "sera archivée" in page and "Bernard" in page
    assert client.post(url).status_code == 302
    assert ClosedYear.objects.filter(establishment=cast.moulin, school_year=year).exists()
    assert "déjà archivée" in client.get(url).content.decode()


def test_a_page_that_writes_into_a_closed_year_says_so(cast: Any, client: Any) -> None:
    from django.urls import reverse

    from preau.logbook.models import Entry

    week = Week(cast)
    rollover(cast)
    client.force_login(cast.garcia)
    response = client.post(
        reverse("logbook:entry_edit", args=[week.french.public_id]),
        {"content": "<p>Le Horla</p>"},
    )
    assert response.status_code == 409
    assert "est archivée : elle se consulte mais ne se modifie plus" in response.content.decode()
    assert not Entry.objects.filter(lesson=week.french).exists()
