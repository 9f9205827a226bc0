"""The statistics pages: who reads what, the suppression rule, exports and query budgets."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from preau.core.testing import Isolation, isolation_test, log_in_with_second_factor, query_budget
from preau.usage.actions import do_aggregate_day
from preau.usage.nomenclature import GUARDIAN
from preau.usage.tests.helpers import students_of, visit

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 12)
OTHER_SCHOOL = ("principal_curie", "dupont", "hugo")
NOT_READERS = ("bernard", "lea", "sophie", "cpe_moulin")


@pytest.fixture(autouse=True)
def _clock() -> Any:
    with time_machine.travel("2026-11-27 09:00 +01:00", tick=False):
        yield


def _moulin(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id}


def _versailles(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.academy.public_id}


ISOLATION = [
    Isolation("usage:establishment", "principal_moulin", _moulin, OTHER_SCHOOL + NOT_READERS),
    Isolation(
        "usage:establishment_daily_csv", "principal_moulin", _moulin, OTHER_SCHOOL + NOT_READERS
    ),
    Isolation(
        "usage:establishment_monthly_csv",
        "rectorat_versailles",
        _moulin,
        OTHER_SCHOOL + NOT_READERS,
    ),
    Isolation(
        "usage:academy", "rectorat_versailles", _versailles, ("principal_moulin", "principal_curie")
    ),
    Isolation(
        "usage:academy_csv",
        "rectorat_versailles",
        _versailles,
        ("principal_moulin", "principal_curie", "bernard"),
    ),
]
test_isolation = isolation_test(ISOLATION)


def _aggregate(cast: Any, students: int, guardians: int = 0) -> None:
    people = students_of(cast.moulin, students)
    visit(cast.moulin, people, DAY, services=("Page_ENT", "Cahier_Textes"))
    if guardians:
        visit(cast.moulin, [cast.sophie, cast.karim][:guardians], DAY, profile=GUARDIAN)
    do_aggregate_day(day=DAY)


def test_a_class_of_four_students_gives_no_figure(client: Any, cast: Any) -> None:
    _aggregate(cast, 4)
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.get(reverse("usage:establishment", args=[cast.moulin.public_id]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cahier_Textes" in page and "&lt; 5" in page
    report = response.context["report"]
    assert all(v is None for v in report.daily_visitors["student"])
    assert [visits for _, visits, _ in report.services] == [None, None]
    assert report.guardian_share is None
    monthly = client.get(
        reverse("usage:establishment_monthly_csv", args=[cast.moulin.public_id]) + "?month=2026-11"
    )
    rows = list(csv.reader(io.StringIO(b"".join(monthly.streaming_content).decode())))
    assert rows == [["uai", "mois", "service", "profil", "visites", "visiteurs_uniques"]]
    daily = client.get(
        reverse("usage:establishment_daily_csv", args=[cast.moulin.public_id]) + "?month=2026-11"
    )
    lines = list(csv.reader(io.StringIO(b"".join(daily.streaming_content).decode())))
    students = [line for line in lines if line[1] == "2026-11-12" and line[2] == "eleve"]
    assert students and students[0][5:] == ["", "", ""]


def test_five_students_are_shown_and_exported(client: Any, cast: Any) -> None:
    _aggregate(cast, 5)
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.get(reverse("usage:establishment", args=[cast.moulin.public_id]))
    report = response.context["report"]
    assert report.daily_visitors["student"][DAY.day - 1] == 5
    assert {s: v for s, v, _ in report.services} == {"Page_ENT": 15, "Cahier_Textes": 15}
    assert b"<svg" in response.content and b"style=" not in response.content
    monthly = client.get(
        reverse("usage:establishment_monthly_csv", args=[cast.moulin.public_id]) + "?month=2026-11"
    )
    rows = list(csv.reader(io.StringIO(b"".join(monthly.streaming_content).decode())))
    uai = cast.moulin.uai
    assert [uai, "2026-11", "ENT", "eleve", "30", "5"] in rows
    assert [uai, "2026-11", "Cahier_Textes", "eleve", "15", "5"] in rows


def test_the_guardians_share_is_a_headline_percentage(client: Any, cast: Any) -> None:
    from preau.accounts.models import User
    from preau.directory.models import Membership, Profile, SchoolYear

    year = SchoolYear.current()
    guardians = []
    for n in range(8):
        person = User.objects.create(username=f"usage.parent.{n}")
        Membership.objects.create(
            person=person, establishment=cast.moulin, school_year=year, profile=Profile.GUARDIAN
        )
        guardians.append(person)
    visit(cast.moulin, guardians[:5], DAY, profile=GUARDIAN)
    do_aggregate_day(day=DAY)
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.get(reverse("usage:establishment", args=[cast.moulin.public_id]))
    accounts = Membership.objects.filter(
        establishment=cast.moulin, school_year=year, profile=Profile.GUARDIAN
    ).count()
    assert response.context["report"].guardian_share == round(100 * 5 / accounts)
    assert "Responsables connectés ce mois-ci" in response.content.decode()


def test_academy_and_national_views(client: Any, cast: Any) -> None:
    _aggregate(cast, 6)
    log_in_with_second_factor(client, cast.rectorat_versailles)
    response = client.get(reverse("usage:academy", args=[cast.moulin.academy.public_id]))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["establishment"] for r in rows] == [cast.moulin]
    assert client.get(reverse("usage:national")).status_code == 404
    assert client.get(reverse("usage:index")).status_code == 200
    log_in_with_second_factor(client, cast.admin)
    response = client.get(reverse("usage:national"))
    assert response.status_code == 200
    assert {r["establishment"] for r in response.context["rows"]} >= {cast.moulin, cast.curie}
    exported = client.get(reverse("usage:national_csv") + "?month=2026-11")
    assert b"ENT" in b"".join(exported.streaming_content)


def test_teachers_students_and_guardians_have_no_statistics(client: Any, cast: Any) -> None:
    for person in (cast.bernard, cast.lea, cast.sophie):
        client.force_login(person)
        assert client.get(reverse("usage:index")).status_code == 404
        assert client.get(reverse("usage:national")).status_code == 404


def test_the_pages_ask_the_second_factor(client: Any, cast: Any) -> None:
    client.force_login(cast.principal_moulin)
    response = client.get(reverse("usage:establishment", args=[cast.moulin.public_id]))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


@pytest.mark.parametrize("students", [5, 40])
def test_query_budgets(client: Any, cast: Any, students: int) -> None:
    _aggregate(cast, students, guardians=2)
    log_in_with_second_factor(client, cast.principal_moulin)
    establishment = reverse("usage:establishment", args=[cast.moulin.public_id])
    # the person, the school year, memberships, academies (cold directory), the establishment,
    # the last aggregated day, the month's profiles, services and absences, the services menu.
    with query_budget(ESTABLISHMENT_BUDGET):
        assert client.get(establishment).status_code == 200
    log_in_with_second_factor(client, cast.rectorat_versailles)
    academy = reverse("usage:academy", args=[cast.moulin.academy.public_id])
    with query_budget(ACADEMY_BUDGET):
        assert client.get(academy).status_code == 200
    log_in_with_second_factor(client, cast.admin)
    with query_budget(NATIONAL_BUDGET):
        assert client.get(reverse("usage:national")).status_code == 200


ESTABLISHMENT_BUDGET = 10
ACADEMY_BUDGET = 11
NATIONAL_BUDGET = 9
