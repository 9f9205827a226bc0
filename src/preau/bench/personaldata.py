"""The export of a person's data (preau.privacy) for a teacher with a full year of data.

``python -m preau.bench.personaldata`` (in the benchmark's environment, on the demo school)
gives M. Bernard a school year of data — messages sent and received, assessments with a mark
per student, notifications, calendar events, drive files, audit entries — then writes his
archive twice, as the export view streams it: once timed, once under tracemalloc for the peak
of Python memory (what the archive costs, whatever the account's size). Prints JSON. Everything
but the drive's files (in the media folder, which the benchmark removes) is rolled back.
"""

from __future__ import annotations

import json
import os
import resource
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal
from typing import Any

TEACHER = "prof.bernard"
MESSAGES = 2000  # sent and received over the year
ASSESSMENTS_PER_CLASS = 30
NOTIFICATIONS = 4000
EVENTS = 300
AUDIT_ENTRIES = 6000
FILES = 120
FILE_KIB = 256


class _Rollback(Exception):
    pass


def _generate(teacher: Any) -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from preau.audit.models import AuditEntry
    from preau.calendar.models import Calendar, CalendarKind, Event
    from preau.core.actor import Actor
    from preau.directory.models import Enrolment, Period, SchoolYear, TeachingAssignment
    from preau.drive import actions as drive
    from preau.grades.models import Assessment, Mark
    from preau.messaging.models import Conversation, Folder, Message, MessageRecipient
    from preau.notifications.models import Kind, Notification

    year = SchoolYear.current()
    actor = Actor(teacher, {})
    establishment = actor.establishment
    start = timezone.now() - timedelta(days=300)
    others = list(
        get_user_model()
        .objects.filter(memberships__establishment=establishment)
        .exclude(pk=teacher.pk)[:50]
    )

    conversations = Conversation.objects.bulk_create(
        Conversation(establishment=establishment, subject=f"Échange {i}", created_by=teacher)
        for i in range(MESSAGES)
    )
    messages = Message.objects.bulk_create(
        Message(
            establishment=establishment,
            conversation=conversation,
            sender=teacher if i % 2 else others[i % len(others)],
            body=f"<p>Bonjour, voici le message numéro {i} de l'année. " + "Texte. " * 40 + "</p>",
            recipient_count=1,
            created_at=start + timedelta(hours=i),
            sent_at=start + timedelta(hours=i),
        )
        for i, conversation in enumerate(conversations)
    )
    MessageRecipient.objects.bulk_create(
        MessageRecipient(
            establishment=establishment,
            message=message,
            conversation_id=message.conversation_id,
            person=teacher,
            folder=Folder.SENT if message.sender_id == teacher.pk else Folder.INBOX,
            sort_at=message.sent_at,
        )
        for message in messages
    )

    marks = assessments = 0
    periods = list(Period.objects.filter(establishment=establishment, school_year=year))
    for assignment in TeachingAssignment.objects.filter(
        teacher=teacher, school_year=year, school_class__isnull=False
    ):
        students = list(
            Enrolment.objects.filter(
                school_class_id=assignment.school_class_id, school_year=year
            ).values_list("student_id", flat=True)
        )
        created = Assessment.objects.bulk_create(
            Assessment(
                establishment=establishment,
                school_year=year,
                school_class_id=assignment.school_class_id,
                subject_id=assignment.subject_id,
                period=periods[i % len(periods)],
                teacher=teacher,
                title=f"Évaluation {i}",
                date=(start + timedelta(days=i * 9)).date(),
                scale=Decimal(20),
                coefficient=Decimal(1),
                publish_at=start + timedelta(days=i * 9 + 3),
            )
            for i in range(ASSESSMENTS_PER_CLASS)
        )
        assessments += len(created)
        rows = [
            Mark(
                establishment=establishment,
                assessment=assessment,
                student_id=student,
                value=Decimal((i * 7 + n) % 21),
                updated_by=teacher,
            )
            for i, assessment in enumerate(created)
            for n, student in enumerate(students)
        ]
        Mark.objects.bulk_create(rows, batch_size=1000)
        marks += len(rows)

    Notification.objects.bulk_create(
        (
            Notification(
                recipient=teacher,
                establishment=establishment,
                kind=Kind.MESSAGE,
                title=f"Nouveau message {i}",
                body="Un message vous attend.",
                deliver_at=start + timedelta(hours=i),
            )
            for i in range(NOTIFICATIONS)
        ),
        batch_size=1000,
    )
    calendar, _created = Calendar.objects.get_or_create(
        establishment=establishment,
        kind=CalendarKind.PERSONAL,
        owner=teacher,
        defaults={"name": "Mon agenda"},
    )
    Event.objects.bulk_create(
        Event(
            establishment=establishment,
            calendar=calendar,
            uid=f"bench-{i}@preau",
            resource=f"bench-{i}.ics",
            ical=f"BEGIN:VEVENT\r\nUID:bench-{i}@preau\r\nEND:VEVENT\r\n",
            etag=f"bench-{i}",
            title=f"Réunion {i}",
            start=start + timedelta(days=i),
            end=start + timedelta(days=i, hours=1),
            created_by=teacher,
        )
        for i in range(EVENTS)
    )
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                establishment=establishment,
                actor=teacher,
                action="grades.mark",
                target_type="grades.mark",
                target_label=f"Note {i}",
            )
            for i in range(AUDIT_ENTRIES)
        ),
        batch_size=1000,
    )
    space = drive.do_ensure_personal_space(actor=actor)
    folder = drive.root_of(space)
    payload = os.urandom(FILE_KIB * 1024)
    header = b"%PDF-1.4\n"
    for i in range(FILES):
        drive.do_upload_file(
            actor=actor,
            folder=folder,
            name=f"cours-{i:03d}.pdf",
            content=ContentFile(header + payload, name=f"cours-{i:03d}.pdf"),
        )
    return {
        "messages": MESSAGES,
        "assessments": assessments,
        "marks": marks,
        "notifications": NOTIFICATIONS,
        "events": EVENTS,
        "audit_entries": AUDIT_ENTRIES,
        "files": FILES,
        "files_mib": round(FILES * FILE_KIB / 1024),
    }


def _write(teacher: Any) -> int:
    from preau.privacy.archive import stream_export

    size = 0
    for chunk in stream_export(teacher):
        size += len(chunk)
    return size


def probe() -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    teacher = get_user_model().objects.get(username=TEACHER)
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            result["data"] = _generate(teacher)
            result["generate_s"] = round(time.perf_counter() - started, 1)
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            result["archive_bytes"] = _write(teacher)
            result["export_s"] = round(time.perf_counter() - started, 2)
            result["peak_rss_before_kib"] = rss_before
            result["peak_rss_after_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            tracemalloc.start()
            _write(teacher)
            result["python_peak_kib"] = round(tracemalloc.get_traced_memory()[1] / 1024)
            tracemalloc.stop()
            raise _Rollback
    except _Rollback:
        pass
    return result


def describe(probe: dict[str, Any], say: Any) -> None:
    data = probe["data"]
    say(f"\nj) The data export of {TEACHER} with a full year of data (one process)")
    say(
        f"  {data['messages']} messages, {data['assessments']} assessments with "
        f"{data['marks']} marks, {data['notifications']} notifications, {data['events']} "
        f"events, {data['audit_entries']} audit entries, {data['files']} files "
        f"({data['files_mib']} MiB)"
    )
    say(
        f"  archive of {probe['archive_bytes'] / 1024 / 1024:.1f} MiB written in "
        f"{probe['export_s']:.1f} s; Python memory peak {probe['python_peak_kib'] / 1024:.1f} MiB"
        f" (peak RSS {probe['peak_rss_before_kib'] / 1024:.0f} MiB before, "
        f"{probe['peak_rss_after_kib'] / 1024:.0f} MiB after)"
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "preau.settings")
    import django

    django.setup()
    print(json.dumps(probe()))


if __name__ == "__main__":
    main()
