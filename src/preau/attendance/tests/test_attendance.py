"""Absences and lateness: justifications by the family, decisions by school life, records
entered by school life, half-days, totals, the alert list and the absenteeism rate."""

from __future__ import annotations

import html
import io
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from preau.attendance import actions, halfdays
from preau.attendance.models import (
    AttendanceRecord,
    HalfDay,
    Justification,
    RecordKind,
    RecordStatus,
)
from preau.attendance.tests.helpers import actor_for, at, build_week, reason
from preau.audit.models import AuditEntry
from preau.core.testing import log_in_with_second_factor, query_budget
from preau.directory.models import SchoolYear
from preau.notifications.models import Notification
from preau.timetable.generation import PARIS

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def noah_absent(cast: Any, week: Any) -> AttendanceRecord:
    with at(week.monday, "08:05"):
        actions.do_save_roll_call(
            actor=actor_for(cast.bernard),
            lesson=week.maths_4b,
            marks={str(cast.noah.public_id): actions.MarkInput("absent")},
        )
    return AttendanceRecord.objects.get(student=cast.noah)


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def justify(client: Any, record: AttendanceRecord, reason_id: Any, **extra: Any) -> Any:
    return client.post(
        reverse("attendance:justify", args=[record.public_id]),
        {"reason": reason_id, "comment": "Fièvre", **extra},
    )


def test_the_family_justifies_and_school_life_accepts(cast: Any, client: Any) -> None:
    week = build_week(cast)
    record = noah_absent(cast, week)
    client.force_login(cast.karim)
    listing = client.get(reverse("attendance:records")).content.decode()
    assert "À justifier" in listing and "Justifier" in listing
    page = client.get(reverse("attendance:record", args=[record.public_id])).content.decode()
    assert "Maladie" in page
    assert "Exclusion" not in page  # not usable by guardians
    response = justify(client, record, reason(cast, "illness").public_id)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.PENDING
    client.force_login(cast.cpe_moulin)
    office = client.get(reverse("attendance:index")).content.decode()
    assert "Leroy" in office and "Justifications à examiner" in office
    client.post(
        reverse("attendance:decide", args=[record.public_id]),
        {"decision": "accept", "comment": "Certificat reçu"},
    )
    record.refresh_from_db()
    assert (record.status, record.reason.code) == (RecordStatus.JUSTIFIED, "illness")
    entry = AuditEntry.objects.get(action="attendance.justification_accepted")
    assert entry.actor == cast.cpe_moulin and entry.after["comment"] == "Certificat reçu"
    assert Notification.objects.filter(
        recipient=cast.karim, title="Justification acceptée"
    ).exists()
    # Decided: the family can no longer change it.
    client.force_login(cast.karim)
    response = justify(client, record, reason(cast, "family").public_id)
    follow = text(client.get(response.url))
    assert "La vie scolaire a déjà statué" in follow
    assert Justification.objects.get().reason.code == "illness"


def test_a_reason_the_family_may_not_use_is_refused(cast: Any, client: Any) -> None:
    week = build_week(cast)
    record = noah_absent(cast, week)
    client.force_login(cast.karim)
    response = justify(client, record, reason(cast, "exclusion").public_id)
    assert "Choisissez un des motifs proposés." in text(client.get(response.url))
    assert not Justification.objects.exists()


def test_another_familys_child_is_404(cast: Any, client: Any) -> None:
    week = build_week(cast)
    record = noah_absent(cast, week)
    for other in (cast.sophie, cast.lea, cast.principal_curie, cast.dupont):
        client.force_login(other)
        assert justify(client, record, reason(cast, "illness").public_id).status_code == 404
        assert client.get(reverse("attendance:record", args=[record.public_id])).status_code == 404
    assert not Justification.objects.exists()
    # Sophie's own page shows Léa, never Noah.
    client.force_login(cast.sophie)
    assert (
        client.get(reverse("attendance:records") + f"?child={cast.noah.public_id}").status_code
        == 404
    )


def test_a_document_is_checked_and_served_after_the_access_check(cast: Any, client: Any) -> None:
    week = build_week(cast)
    record = noah_absent(cast, week)
    client.force_login(cast.karim)
    fake = SimpleUploadedFile("certificat.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = justify(client, record, reason(cast, "medical").public_id, document=fake)
    assert "n'est pas accepté" in text(client.get(response.url))
    assert not Justification.objects.exists()
    real = SimpleUploadedFile("certificat.pdf", PDF, content_type="application/pdf")
    justify(client, record, reason(cast, "medical").public_id, document=real)
    url = reverse("attendance:document", args=[record.public_id])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    for other in (cast.sophie, cast.principal_curie):
        client.force_login(other)
        assert client.get(url).status_code == 404


def test_school_life_enters_an_absence_over_several_days(cast: Any, client: Any) -> None:
    week = build_week(cast)
    client.force_login(cast.cpe_moulin)
    with at(week.monday, "07:00"):
        response = client.post(
            reverse("attendance:enter"),
            {
                "student": cast.lea.public_id,
                "kind": "absence",
                "start_day": week.monday.isoformat(),
                "start_time": "07:30",
                "end_day": (week.monday + timedelta(days=1)).isoformat(),
                "end_time": "18:00",
            },
        )
    assert response.status_code == 302
    record = AttendanceRecord.objects.get(student=cast.lea)
    # Léa (4e B) has maths on Monday morning and French on Tuesday morning: 2 half-days.
    assert sorted(HalfDay.objects.values_list("day", "afternoon")) == [
        (week.monday, False),
        (week.monday + timedelta(days=1), False),
    ]
    assert record.status == RecordStatus.UNEXPLAINED
    assert Notification.objects.filter(recipient=cast.sophie, kind="absence").exists()
    # Entered with a reason: justified at once, nobody asked to justify.
    with at(week.monday, "07:00"):
        client.post(
            reverse("attendance:enter"),
            {
                "student": cast.noah.public_id,
                "kind": "lateness",
                "start_day": week.monday.isoformat(),
                "start_time": "08:20",
                "minutes": "20",
                "reason": reason(cast, "transport").public_id,
            },
        )
    late = AttendanceRecord.objects.get(student=cast.noah)
    assert (late.kind, late.minutes, late.status) == (RecordKind.LATENESS, 20, "justified")
    assert not Notification.objects.filter(recipient=cast.karim).exists()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2020-01-06", "2020-01-07", "dans l'année scolaire"),
        ("2026-13-40", "2026-10-01", "dates valides"),
        ("next-year", "next-year", "dans l'année scolaire"),
        ("same", "before", "après le début"),
    ],
)
def test_bad_dates_are_refused(cast: Any, client: Any, start: str, end: str, message: str) -> None:
    year = SchoolYear.current()
    if start == "next-year":
        start = (year.end_date + timedelta(days=3)).isoformat()
        end = (year.end_date + timedelta(days=4)).isoformat()
    if start == "same":
        start, end = year.start_date.isoformat(), year.start_date.isoformat()
    client.force_login(cast.cpe_moulin)
    response = client.post(
        reverse("attendance:enter"),
        {
            "student": cast.noah.public_id,
            "kind": "absence",
            "start_day": start,
            "start_time": "10:00",
            "end_day": end,
            "end_time": "09:00",
        },
    )
    assert response.status_code == 400
    assert message in text(response)
    assert not AttendanceRecord.objects.exists()


def test_only_school_life_enters_records(cast: Any, client: Any) -> None:
    for other in (cast.bernard, cast.karim, cast.noah, cast.dupont):
        client.force_login(other)
        assert client.get(reverse("attendance:enter")).status_code == 404


# -- half-days ---------------------------------------------------------------------------------


def _absence(cast: Any, student: Any, start: datetime, end: datetime, **extra: Any) -> Any:
    record = AttendanceRecord.objects.create(
        establishment=cast.moulin,
        school_year=SchoolYear.current(),
        student=student,
        kind=RecordKind.ABSENCE,
        start=start,
        end=end,
        **extra,
    )
    HalfDay.objects.bulk_create(halfdays.half_day_rows(record))
    return record


def paris(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=PARIS)


def test_half_days_are_counted_once_and_justified_only_when_all_is(cast: Any) -> None:
    week = build_week(cast)
    monday = week.monday
    lesson = week.maths_4b
    # Two absences the same morning (two lessons), one in the afternoon.
    _absence(cast, cast.noah, lesson.start, lesson.end, lesson=lesson)
    _absence(cast, cast.noah, paris(monday, "10:00"), paris(monday, "11:00"), lesson=lesson)
    afternoon = _absence(
        cast, cast.noah, paris(monday, "14:00"), paris(monday, "15:00"), lesson=lesson
    )
    afternoon.half_days.all().delete()
    afternoon.start = paris(monday, "14:00")
    HalfDay.objects.bulk_create(
        [
            HalfDay(
                establishment=cast.moulin,
                record=afternoon,
                student=cast.noah,
                day=monday,
                afternoon=True,
            )
        ]
    )
    afternoon.status = RecordStatus.JUSTIFIED
    afternoon.save()
    figures = halfdays.totals(
        establishment_id=cast.moulin.pk, student_ids=[cast.noah.pk], first=monday, last=monday
    )[cast.noah.pk]
    assert (figures.half_days, figures.justified, figures.unjustified) == (2, 1, 1)
    # Justify one of the two morning absences: the morning stays unjustified.
    AttendanceRecord.objects.filter(start=lesson.start).update(status=RecordStatus.JUSTIFIED)
    figures = halfdays.totals(
        establishment_id=cast.moulin.pk, student_ids=[cast.noah.pk], first=monday, last=monday
    )[cast.noah.pk]
    assert figures.unjustified == 1
    assert halfdays.half_day_of(paris(monday, "11:59")) == (monday, False)
    assert halfdays.half_day_of(paris(monday, "12:00")) == (monday, True)


def test_without_a_timetable_a_range_counts_school_days_half_days(cast: Any) -> None:
    # Jade's class (3e A) has no lesson in this week: the calendar's half-days count.
    monday = build_week(cast).monday + timedelta(days=7 * 30)
    record = _absence(
        cast, cast.jade, paris(monday, "08:00"), paris(monday + timedelta(days=2), "18:00")
    )
    cast_class_lessons = halfdays.Lesson.objects.filter(
        school_class=cast.class_3a, date__range=(monday, monday + timedelta(days=2))
    )
    cast_class_lessons.delete()
    record.half_days.all().delete()
    HalfDay.objects.bulk_create(halfdays.half_day_rows(record))
    # Monday and Tuesday: morning and afternoon; Wednesday: the morning only.
    assert record.half_days.count() == 5


def test_the_alert_list_and_the_absenteeism_rate(cast: Any, client: Any) -> None:
    week = build_week(cast)
    monday = week.monday + timedelta(days=7)  # a week inside one month
    for offset in range(4):  # four unjustified mornings for Noah
        day = monday + timedelta(days=offset)
        _absence(cast, cast.noah, paris(day, "08:00"), paris(day, "09:00"), lesson=week.maths_4b)
    for offset in range(3):  # three for Léa: under the threshold
        day = monday + timedelta(days=offset)
        _absence(cast, cast.lea, paris(day, "08:00"), paris(day, "09:00"), lesson=week.maths_4b)
    alerts = halfdays.alert_list(establishment_id=cast.moulin.pk, month=monday)
    assert set(alerts) == {cast.noah.pk}
    client.force_login(cast.cpe_moulin)
    page = text(client.get(reverse("attendance:index") + f"?month={monday.isoformat()}"))
    assert "Leroy Noah" in page and "Martin Léa" not in page
    # 1 of the 3 students of the collège in the cast: 33.3 %.
    assert "33,3 %" in page


def test_totals_pages_by_period(cast: Any, client: Any) -> None:
    week = build_week(cast)
    noah_absent(cast, week)
    client.force_login(cast.bernard)
    page = client.get(reverse("attendance:class", args=[cast.class_4b.public_id]) + "?period=year")
    assert "Leroy Noah" in text(page)
    client.force_login(cast.noah)
    own = client.get(reverse("attendance:records") + "?period=year").content.decode()
    assert "Demi-journées d'absence" in own and "Mathématiques" in own


# -- query budgets ---------------------------------------------------------------------------------


def _many_absences(cast: Any, week: Any, count: int) -> None:
    for offset in range(count):
        day = week.monday + timedelta(days=7 * (offset // 5) + offset % 5)
        _absence(cast, cast.noah, paris(day, "08:00"), paris(day, "09:00"), lesson=week.maths_4b)


@pytest.mark.parametrize("count", [1, 25])
def test_the_absences_pages_cost_the_same_whatever_their_size(
    cast: Any, client: Any, count: int
) -> None:
    week = build_week(cast)
    _many_absences(cast, week, count)
    client.force_login(cast.karim)
    with query_budget(11):
        assert client.get(reverse("attendance:records") + "?period=year").status_code == 200
    client.force_login(cast.bernard)
    with query_budget(8):
        assert (
            client.get(reverse("attendance:class", args=[cast.class_4b.public_id])).status_code
            == 200
        )
    # School life, on a Monday with roll calls missing.
    client.force_login(cast.cpe_moulin)
    with at(week.monday, "11:30"), query_budget(11):
        assert client.get(reverse("attendance:index")).status_code == 200


def test_reasons_are_set_per_establishment(cast: Any, client: Any) -> None:
    build_week(cast)
    url = reverse("attendance:reasons", args=[cast.moulin.public_id])
    log_in_with_second_factor(client, cast.principal_moulin)
    assert "Maladie" in client.get(url).content.decode()
    illness = reason(cast, "illness")
    client.post(url, {"reason": illness.public_id, "active": "1"})
    illness.refresh_from_db()
    assert not illness.guardian_usable and illness.active
    client.post(url, {"add": "1", "label": "Sortie pédagogique", "guardian_usable": ""})
    assert not reason_labelled(cast, "Sortie pédagogique").guardian_usable
    assert AuditEntry.objects.filter(action="attendance.reason_changed").exists()
    for other in (cast.bernard, cast.karim, cast.principal_curie):
        log_in_with_second_factor(client, other)
        assert client.get(url).status_code == 404


def reason_labelled(cast: Any, label: str) -> Any:
    from preau.attendance.models import AbsenceReason

    return AbsenceReason.objects.get(establishment=cast.moulin, label=label)


def test_missing_roll_calls_are_listed_and_reminded_once(cast: Any, client: Any) -> None:
    week = build_week(cast)
    with at(week.monday, "09:30"):
        client.force_login(cast.cpe_moulin)
        page = text(client.get(reverse("attendance:index")))
        assert "4e B" in page and "Appels non faits" in page
        assert actions.do_remind_missing_roll_calls() == 1
        assert actions.do_remind_missing_roll_calls() == 0
    reminder = Notification.objects.get(recipient=cast.bernard)
    assert "Appel non fait" in reminder.title
    assert reminder.url == reverse("attendance:roll_call", args=[week.maths_4b.public_id])


def test_the_reminder_command(cast: Any) -> None:
    from django.core.management import call_command

    week = build_week(cast)
    out = io.StringIO()
    with at(week.monday, "09:10"):
        call_command("remind_roll_calls", stdout=out)
    assert out.getvalue().strip() == "1 lesson(s) reminded."


def test_a_guardian_follows_each_child_in_their_own_school(cast: Any, client: Any) -> None:
    build_week(cast)
    client.force_login(cast.sophie)
    page = text(client.get(reverse("attendance:records") + f"?child={cast.hugo.public_id}"))
    assert "Absences et retards de Hugo" in page
    assert "Aucune absence ni aucun retard cette année." in page
    # The switcher offers both children; the choice is kept for the next visit.
    assert "Léa" in page
    assert "Hugo" in text(client.get(reverse("attendance:records")))


def test_an_absence_entered_in_the_evening_reaches_the_family_after_quiet_hours(
    cast: Any,
) -> None:
    week = build_week(cast)
    tuesday = week.monday + timedelta(days=1)
    with at(week.monday, "21:00"):
        actions.do_enter_record(
            actor=actor_for(cast.cpe_moulin),
            student=cast.noah,
            kind=RecordKind.ABSENCE,
            start=paris(tuesday, "08:00"),
            end=paris(tuesday, "18:00"),
        )
    told = Notification.objects.get(recipient=cast.karim)
    assert told.deliver_at == paris(tuesday, "07:00")
