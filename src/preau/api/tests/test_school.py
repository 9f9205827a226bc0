"""Timetable, homework, marks and attendance through the API: the owning apps' policies, the
filters and their 422s, pages, query budgets and isolation."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.api.models import Scope
from preau.api.tests.conftest import bearer
from preau.attendance import actions as attendance_actions
from preau.attendance.tests.helpers import build_week, reason
from preau.core.actor import Actor
from preau.core.testing import Isolation, isolation_test, query_budget
from preau.grades import actions as grades_actions
from preau.grades.tests.helpers import FRENCH, assessment, monday
from preau.logbook.tests.helpers import Week, garcia_homework
from preau.timetable import actions as timetable_actions
from preau.timetable.tests.helpers import lesson_on, moulin_week, plain_week

pytestmark = pytest.mark.django_db


def days(start: Any, end: Any) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat()}


def student_url(name: str, student: Any) -> str:
    return reverse(f"api:{name}", kwargs={"public_id": student.public_id})


# -- timetable -----------------------------------------------------------------------------------


def test_a_student_reads_their_week_with_its_changes(
    cast: Any, client: Any, token_for: Any
) -> None:
    courses = moulin_week(cast)
    week = plain_week()
    maths = lesson_on(courses["maths_4b"], week)
    timetable_actions.do_cancel_lesson(
        actor=Actor(cast.principal_moulin, {}), lesson=maths, note="Sortie"
    )
    response = client.get(
        reverse("api:timetable"),
        days(week, week + timedelta(days=6)),
        headers=bearer(token_for(cast.lea)),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(i["subject"]["code"], i["status"]) for i in body["items"]] == [
        ("061300", "cancelled"),
        ("020700", "planned"),
    ]
    assert body["items"][0]["status_label"] == "Annulé"
    assert body["items"][0]["change_note"] == "Sortie"
    assert body["items"][1]["teachers"][0]["last_name"] == "Garcia"
    assert body["items"][1]["school_class"]["name"] == "4e B"


def test_a_teacher_reads_their_own_lessons(cast: Any, client: Any, token_for: Any) -> None:
    moulin_week(cast)
    week = plain_week()
    body = client.get(
        reverse("api:timetable"),
        days(week, week + timedelta(days=6)),
        headers=bearer(token_for(cast.bernard)),
    ).json()
    assert [i["school_class"]["name"] for i in body["items"]] == ["4e B", "3e A"]


def test_a_guardian_reads_their_child_s_lessons(cast: Any, client: Any, token_for: Any) -> None:
    moulin_week(cast)
    week = plain_week()
    url = reverse("api:timetable")
    query = {**days(week, week + timedelta(days=6)), "child": str(cast.noah.public_id)}
    body = client.get(url, query, headers=bearer(token_for(cast.karim))).json()
    assert body["count"] == 2
    # Another family's child is a 404, as a child that does not exist.
    query["child"] = str(cast.lea.public_id)
    response = client.get(url, query, headers=bearer(token_for(cast.karim)))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"start": "2026-13-01"}, "validation_error"),
        ({"end": "demain"}, "validation_error"),
        ({"child": "pas-un-uuid"}, "validation_error"),
        ({"start": "2026-10-10", "end": "2026-10-01"}, "invalid_range"),
        ({"start": "2025-01-01", "end": "2026-12-31"}, "invalid_range"),
    ],
)
def test_bad_filters_are_422(cast: Any, client: Any, query: dict, code: str) -> None:
    client.force_login(cast.lea)
    for route in ("api:timetable", "api:homework"):
        response = client.get(reverse(route), query)
        assert response.status_code == 422, response.content
        assert response.json()["error"]["code"] == code


def test_timetable_query_budget_is_constant(cast: Any, client: Any, token_for: Any) -> None:
    moulin_week(cast)
    secret = token_for(cast.lea)
    url = reverse("api:timetable")
    start = plain_week()
    client.get(url, headers=bearer(secret))  # the token's first use, the school year's cache

    def page(weeks: int) -> Any:
        query = {**days(start, start + timedelta(days=7 * weeks - 1)), "page_size": 50}
        # The token (with its person), the memberships, the enrolment, the groups, the count,
        # the page, its teachers.
        with query_budget(7):
            response = client.get(url, query, headers=bearer(secret))
        return response.json()

    assert page(1)["count"] == 2
    assert len(page(10)["items"]) == 20


# -- homework ------------------------------------------------------------------------------------


def test_homework_of_a_student_a_guardian_s_child_and_a_teacher(
    cast: Any, client: Any, token_for: Any
) -> None:
    week = Week(cast)
    homework = garcia_homework(cast, week)
    query = days(week.monday, week.monday + timedelta(days=13))
    url = reverse("api:homework")
    for person, extra in [
        (cast.lea, {}),
        (cast.sophie, {"child": str(cast.lea.public_id)}),
        (cast.garcia, {}),
        (cast.bernard, {}),  # teaches 4e B too: the class's logbook is his to read
    ]:
        body = client.get(url, {**query, **extra}, headers=bearer(token_for(person))).json()
        assert [h["public_id"] for h in body["items"]] == [str(homework.public_id)], person
    item = body["items"][0]
    assert item["due_date"] == week.french_next.date.isoformat()
    assert item["set_on"] == week.french.date.isoformat()
    assert item["kind_label"] == "Travail écrit"
    # Another class (Noah, Karim's son, is in 4e B too), another establishment.
    for person, extra in [(cast.jade, {}), (cast.hugo, {}), (cast.dupont, {})]:
        body = client.get(url, {**query, **extra}, headers=bearer(token_for(person))).json()
        assert body["count"] == 0
    response = client.get(
        url, {**query, "child": str(cast.lea.public_id)}, headers=bearer(token_for(cast.karim))
    )
    assert response.status_code == 404


def test_homework_filters(cast: Any, client: Any) -> None:
    week = Week(cast)
    garcia_homework(cast, week)
    client.force_login(cast.lea)
    url = reverse("api:homework")
    query = days(week.monday, week.monday + timedelta(days=13))
    assert client.get(url, {**query, "kind": "test"}).json()["count"] == 0
    assert client.get(url, {**query, "kind": "written"}).json()["count"] == 1
    assert client.get(url, {**query, "kind": "nope"}).status_code == 422
    # Due after the range.
    assert client.get(url, days(week.monday, week.monday)).json()["count"] == 0


def test_homework_query_budget_is_constant(cast: Any, client: Any) -> None:
    week = Week(cast)
    client.force_login(cast.lea)
    url = reverse("api:homework")
    query = {**days(week.monday, week.monday + timedelta(days=30)), "page_size": 50}
    client.get(url)
    for count in (1, 3):
        while True:
            from preau.logbook.models import Homework

            if Homework.objects.count() >= count:
                break
            garcia_homework(cast, week, instructions=f"<p>{Homework.objects.count()}</p>")
        # The person, the memberships, the enrolment, the groups, the children (a student may
        # be a guardian too), the count, the page.
        with query_budget(7):
            body = client.get(url, query).json()
        assert body["count"] == count


# -- marks ---------------------------------------------------------------------------------------


def _published_and_hidden(cast: Any) -> tuple[Any, Any]:
    bernard = Actor(cast.bernard, {})
    shown = assessment(cast, title="Fractions")
    grades_actions.record_marks(bernard, shown, {str(cast.lea.public_id): "14"})
    grades_actions.do_publish_now(actor=bernard, assessment=shown)
    hidden = assessment(cast, title="Équations", day=monday() + timedelta(days=2))
    hidden.publish_at = timezone.now() + timedelta(days=3)
    hidden.save(update_fields=["publish_at"])
    grades_actions.record_marks(bernard, hidden, {str(cast.lea.public_id): "8"})
    return shown, hidden


def test_families_read_published_marks_only(cast: Any, client: Any, token_for: Any) -> None:
    _published_and_hidden(cast)
    url = student_url("student_marks", cast.lea)
    for person in (cast.lea, cast.sophie):
        body = client.get(url, headers=bearer(token_for(person))).json()
        assert [m["assessment"]["title"] for m in body["items"]] == ["Fractions"], person
        assert body["items"][0]["value"] == "14.00"
        assert body["items"][0]["assessment"]["period"]["label"] == "Trimestre 1"
    # The teacher reads both; the French teacher of the class neither.
    body = client.get(url, headers=bearer(token_for(cast.bernard))).json()
    assert {m["assessment"]["title"] for m in body["items"]} == {"Fractions", "Équations"}
    assert client.get(url, headers=bearer(token_for(cast.garcia))).json()["count"] == 0


def test_averages_by_subject(cast: Any, client: Any, token_for: Any) -> None:
    shown, _hidden = _published_and_hidden(cast)
    bernard = Actor(cast.bernard, {})
    second = assessment(cast, title="Géométrie", scale="10", day=monday() + timedelta(days=3))
    grades_actions.record_marks(bernard, second, {str(cast.lea.public_id): "9"})
    grades_actions.do_publish_now(actor=bernard, assessment=second)
    url = student_url("student_averages", cast.lea)
    body = client.get(
        url, {"period": str(shown.period.public_id)}, headers=bearer(token_for(cast.sophie))
    ).json()
    assert body["period"]["public_id"] == str(shown.period.public_id)
    # 14/20 and 9/10 = 18/20: 16; the unpublished 8 is not counted.
    assert body["subjects"] == [
        {
            "subject": {
                "public_id": str(shown.subject.public_id),
                "code": "061300",
                "label": "Mathématiques",
            },
            "average": "16.00",
            "marks_count": 2,
        }
    ]
    missing = client.get(
        url,
        {"period": "00000000-0000-4000-8000-000000000000"},
        headers=bearer(token_for(cast.sophie)),
    )
    assert missing.status_code == 404


def test_marks_filters_and_budget(cast: Any, client: Any, token_for: Any) -> None:
    shown, _hidden = _published_and_hidden(cast)
    secret = token_for(cast.lea)
    url = student_url("student_marks", cast.lea)
    french = assessment(cast, title="Dictée", code=FRENCH, teacher=cast.garcia)
    grades_actions.record_marks(Actor(cast.garcia, {}), french, {str(cast.lea.public_id): "12"})
    grades_actions.do_publish_now(actor=Actor(cast.garcia, {}), assessment=french)
    body = client.get(url, {"subject": str(shown.subject.public_id)}, headers=bearer(secret))
    assert [m["assessment"]["title"] for m in body.json()["items"]] == ["Fractions"]
    day = shown.date.isoformat()
    assert client.get(url, {"start": day, "end": day}, headers=bearer(secret)).json()["count"] == 2
    assert client.get(url, {"start": "x"}, headers=bearer(secret)).status_code == 422
    # The token, the memberships, the children, the student, the count, the page.
    client.get(url, headers=bearer(secret))
    with query_budget(6):
        assert client.get(url, headers=bearer(secret)).json()["count"] == 2
    for number in range(3):
        more = assessment(cast, title=f"Interrogation {number}")
        grades_actions.record_marks(Actor(cast.bernard, {}), more, {str(cast.lea.public_id): "11"})
        grades_actions.do_publish_now(actor=Actor(cast.bernard, {}), assessment=more)
    with query_budget(6):
        assert client.get(url, headers=bearer(secret)).json()["count"] == 5


def test_a_token_needs_the_marks_scope(cast: Any, client: Any, token_for: Any) -> None:
    secret = token_for(cast.lea, (Scope.READ_TIMETABLE,))
    response = client.get(student_url("student_marks", cast.lea), headers=bearer(secret))
    assert response.status_code == 403
    assert response.json()["error"]["details"] == {"required_scope": "read:marks"}


# -- attendance ----------------------------------------------------------------------------------


def _absence_and_lateness(cast: Any) -> Any:
    week = build_week(cast)
    cpe = Actor(cast.cpe_moulin, {})
    start = week.maths_4b.start
    attendance_actions.do_enter_record(
        actor=cpe,
        student=cast.lea,
        kind="absence",
        start=start,
        end=start + timedelta(hours=4),
        reason=reason(cast, "illness"),
    )
    attendance_actions.do_enter_record(
        actor=cpe, student=cast.lea, kind="lateness", start=week.french_4b.start, minutes=10
    )
    return week


def test_attendance_for_the_family_and_the_teachers(cast: Any, client: Any, token_for: Any) -> None:
    week = _absence_and_lateness(cast)
    url = student_url("student_attendance", cast.lea)
    for person in (cast.lea, cast.sophie, cast.bernard, cast.cpe_moulin):
        body = client.get(url, headers=bearer(token_for(person))).json()
        assert [r["kind"] for r in body["items"]] == ["lateness", "absence"], person
    lateness, absence = body["items"]
    assert lateness["minutes"] == 10
    assert absence["status"] == "justified"
    assert absence["reason"]["label"]
    assert "note" not in absence
    client.force_login(cast.lea)
    assert client.get(url, {"kind": "absence"}).json()["count"] == 1
    assert client.get(url, {"status": "unexplained"}).json()["count"] == 1
    monday_only = client.get(url, days(week.monday, week.monday)).json()
    assert [r["kind"] for r in monday_only["items"]] == ["absence"]
    assert client.get(url, {"kind": "holiday"}).status_code == 422


def test_attendance_query_budget(cast: Any, client: Any, token_for: Any) -> None:
    _absence_and_lateness(cast)
    secret = token_for(cast.sophie)
    url = student_url("student_attendance", cast.lea)
    client.get(url, headers=bearer(secret))
    # The token, the memberships, the children and their enrolments, the student, the count,
    # the page.
    with query_budget(7):
        assert client.get(url, headers=bearer(secret)).json()["count"] == 2
    week = build_week(cast)
    for day in range(1, 4):
        attendance_actions.do_enter_record(
            actor=Actor(cast.cpe_moulin, {}),
            student=cast.lea,
            kind="lateness",
            start=week.maths_4b.start + timedelta(days=7 * day),
            minutes=5,
        )
    with query_budget(7):
        assert client.get(url, headers=bearer(secret)).json()["count"] == 5


test_isolation = isolation_test(
    [
        Isolation(
            route=f"api:{route}",
            owner="sophie",
            kwargs=lambda c: {"public_id": c.lea.public_id},
            refused=("karim", "noah", "jade", "principal_curie", "dupont", "hugo"),
            api=True,
            anonymous_status=401,
            owner_status=owner_status,
        )
        for route, owner_status in [
            ("student_marks", 200),
            # No grading period: the averages of a period that is not there.
            ("student_averages", 200),
            ("student_attendance", 200),
        ]
    ]
    + [
        Isolation(
            route="api:student_attendance",
            owner="bernard",
            kwargs=lambda c: {"public_id": c.jade.public_id},
            refused=("garcia", "karim", "principal_curie", "lea"),
            api=True,
            anonymous_status=401,
        ),
        Isolation(
            route="api:student_marks",
            owner="lea",
            kwargs=lambda c: {"public_id": c.lea.public_id},
            refused=("noah", "jade", "karim", "principal_curie", "dupont"),
            api=True,
            anonymous_status=401,
        ),
    ]
)
