"""Retention with the clock moved forward: accounts on day 91, logs after a year, the
establishments' own periods, and the settings page."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from preau.audit.models import AuditEntry, LoginEvent
from preau.core.actor import Actor
from preau.core.testing import Isolation, isolation_test, log_in_with_second_factor, query_budget
from preau.directory.actions import do_deactivate_membership, do_reactivate_membership
from preau.directory.models import Membership
from preau.drive.models import Node
from preau.grades.models import Assessment, Mark
from preau.messaging.actions import do_save_draft
from preau.messaging.models import Message
from preau.notebook.tests import helpers as notebook
from preau.notifications.models import Notification
from preau.privacy.tests.helpers import some_data
from preau.retention import actions
from preau.retention.models import RetentionSettings

pytestmark = pytest.mark.django_db

User = get_user_model()

# The head of Jean Moulin (and its academy's administrator); not Marie Curie's head, the CPE, a
# teacher, a guardian or a student.
test_isolation = isolation_test(
    [
        Isolation(
            route="administration:retention",
            owner="principal_moulin",
            kwargs=lambda c: {"public_id": c.moulin.public_id},
            refused=("principal_curie", "cpe_moulin", "bernard", "sophie", "lea"),
        ),
        Isolation(
            route="administration:retention",
            owner="rectorat_versailles",
            kwargs=lambda c: {"public_id": c.moulin.public_id},
            refused=("principal_curie",),
        ),
    ]
)


def leave(cast: Any, person: Any, moment: datetime) -> None:
    """Close every membership of ``person`` at ``moment`` (the head does it)."""
    with time_machine.travel(moment, tick=False):
        for membership in Membership.objects.filter(person=person, is_active=True):
            do_deactivate_membership(
                actor=Actor(cast.principal_moulin, {}),
                establishment=membership.establishment,
                membership=membership,
            )


def run(moment: datetime, *options: str) -> str:
    out = io.StringIO()
    # Files are deleted once the deletion commits.
    with time_machine.travel(moment, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        call_command("retention", *options, stdout=out)
    return out.getvalue()


def left_on() -> datetime:
    # 1 December, 10:00 in Paris: day 90 is 1 March, day 91 is 2 March.
    return timezone.make_aware(datetime(timezone.localdate().year, 12, 1, 10))


def test_an_account_is_deleted_on_day_91_not_on_day_89_or_90(cast: Any) -> None:
    some_data(cast)
    draft = do_save_draft(actor=Actor(cast.lea, {}), subject="Brouillon", body="Pas envoyé")
    sent = Message.objects.get(sender=cast.lea, sent_at__isnull=False)
    blob = Node.objects.get(space__owner=cast.lea, name="revision.pdf").blob
    assert default_storage.exists(blob)
    leave(cast, cast.lea, left_on())
    lea_id = actions.pseudonym(cast.lea)

    for day in (89, 90):
        output = run(left_on() + timedelta(days=day, hours=13))
        assert "0 account(s) deleted" in output
        assert User.objects.filter(pk=cast.lea.pk).exists()

    dry = run(left_on() + timedelta(days=91), "--dry-run")
    assert f"account {lea_id}" in dry and User.objects.filter(pk=cast.lea.pk).exists()

    output = run(left_on() + timedelta(days=91))
    assert f"1 account(s) deleted:\n  account {lea_id}" in output
    assert not User.objects.filter(pk=cast.lea.pk).exists()
    assert not Mark.objects.filter(student_id=cast.lea.pk).exists()
    assert not Node.objects.filter(space__owner_id=cast.lea.pk).exists()
    # Her draft goes; the message she sent stays with its recipient, from no sender.
    assert not Message.objects.filter(pk=draft.pk).exists()
    sent.refresh_from_db()
    assert sent.sender_id is None
    # Her file is gone from the storage too, not only its row.
    assert not default_storage.exists(blob)
    # Audited in her last establishment, with a pseudonymous id and nothing personal.
    entry = AuditEntry.objects.get(action=actions.ERASURE_ACTION)
    assert entry.establishment == cast.moulin and entry.actor is None
    left = f"{left_on().year}-12-01"
    assert entry.after == {"account": lea_id, "profiles": ["National_ELV"], "left_on": left}
    assert "Léa" not in str(entry.after) and "Martin" not in str(entry.after)
    assert entry.target_label == ""


def test_a_person_who_comes_back_is_not_deleted(cast: Any) -> None:
    leave(cast, cast.noah, left_on())
    with time_machine.travel(left_on() + timedelta(days=40), tick=False):
        membership = Membership.objects.filter(person=cast.noah).first()
        do_reactivate_membership(
            actor=Actor(cast.principal_moulin, {}),
            establishment=membership.establishment,
            membership=membership,
        )
    output = run(left_on() + timedelta(days=200))
    assert "0 account(s) deleted" in output
    assert User.objects.get(pk=cast.noah.pk).is_active


def test_a_teachers_records_stay_with_the_author_anonymised(cast: Any) -> None:
    year = some_data(cast)
    notebook.build(cast)
    entry = notebook.noah_observation(cast)
    author = entry.author
    assert author.memberships.exists()
    leave(cast, author, left_on())
    leave(cast, cast.bernard, left_on())
    run(left_on() + timedelta(days=91))

    assert not User.objects.filter(pk__in=[author.pk, cast.bernard.pk]).exists()
    # The marks he entered stay with the students, the assessment without its teacher.
    exam = Assessment.objects.get(pk=year.exam.pk)
    assert exam.teacher_id is None and exam.marks.filter(student=cast.noah).exists()
    # A notebook entry needs an author: the former account, with no personal data.
    entry.refresh_from_db()
    assert entry.author.username == actions.FORMER_ACCOUNT_USERNAME
    assert not entry.author.is_active and not entry.author.has_usable_password()
    assert entry.author.email == "" and not entry.author.memberships.exists()
    assert AuditEntry.objects.filter(action=actions.ERASURE_ACTION).count() == len(
        {author.pk, cast.bernard.pk}
    )


def test_connection_logs_are_kept_one_year(cast: Any) -> None:
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=366), tick=False):
        LoginEvent.objects.create(person=cast.lea, username_tried="eleve.lea", succeeded=True)
    with time_machine.travel(now - timedelta(days=364), tick=False):
        LoginEvent.objects.create(person=cast.noah, username_tried="eleve.noah", succeeded=True)
    output = run(now)
    assert "1 login event(s) deleted" in output
    assert not LoginEvent.objects.filter(person=cast.lea).exists()
    assert LoginEvent.objects.filter(person=cast.noah).exists()


def notification(person: Any, establishment: Any, read_days_ago: int) -> Notification:
    now = timezone.now()
    return Notification.objects.create(
        recipient=person,
        establishment=establishment,
        kind="news",
        title="Sortie au musée",
        deliver_at=now - timedelta(days=read_days_ago + 1),
        read_at=now - timedelta(days=read_days_ago),
    )


def test_read_notifications_follow_each_establishments_period(cast: Any) -> None:
    RetentionSettings.objects.create(establishment=cast.moulin, read_notifications_days=30)
    old_moulin = notification(cast.lea, cast.moulin, 31)
    young_moulin = notification(cast.lea, cast.moulin, 29)
    curie_default = notification(cast.hugo, cast.curie, 60)
    curie_old = notification(cast.hugo, cast.curie, 91)
    run(timezone.now())
    left = set(Notification.objects.values_list("pk", flat=True))
    assert old_moulin.pk not in left and curie_old.pk not in left
    assert {young_moulin.pk, curie_default.pk} <= left


def test_the_head_sets_the_periods_within_bounds(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    url = f"/manage/establishments/{cast.moulin.public_id}/retention/"
    with query_budget(7):
        response = client.get(url)
    assert response.status_code == 200
    assert 'value="90"' in response.content.decode()

    response = client.post(
        url, {"read_notifications_days": "10", "justification_documents_days": "365"}
    )
    assert response.status_code == 400
    assert "Choisissez une durée entre 30 et 365 jours." in response.content.decode()
    assert not RetentionSettings.objects.exists()

    response = client.post(
        url, {"read_notifications_days": "60", "justification_documents_days": "200"}
    )
    assert response.status_code == 302
    row = RetentionSettings.objects.get(establishment=cast.moulin)
    assert (row.read_notifications_days, row.justification_documents_days) == (60, 200)
    audit = AuditEntry.objects.get(action="retention.settings")
    assert audit.before["read_notifications_days"] == 90
    assert audit.after["read_notifications_days"] == 60


def test_the_settings_are_the_heads_only(cast: Any, client: Any) -> None:
    url = f"/manage/establishments/{cast.moulin.public_id}/retention/"
    log_in_with_second_factor(client, cast.principal_curie)
    assert client.get(url).status_code == 404
    log_in_with_second_factor(client, cast.bernard)
    assert client.get(url).status_code == 404


def test_justification_documents_go_after_the_period_and_the_justification_stays(
    cast: Any,
) -> None:
    from preau.attendance.actions import do_decide, do_enter_record, do_justify
    from preau.attendance.models import Justification
    from preau.attendance.tests.helpers import actor_for, build_week, reason
    from preau.messaging.content import CheckedFile
    from preau.messaging.tests.helpers import PDF_BYTES

    week = build_week(cast)
    record = do_enter_record(
        actor=actor_for(cast.cpe_moulin),
        student=cast.noah,
        kind="absence",
        start=week.maths_4b.start,
        end=week.maths_4b.end,
    )
    do_justify(
        actor=actor_for(cast.karim),
        record=record,
        reason=reason(cast, "illness"),
        document=CheckedFile(PDF_BYTES, "certificat.pdf", "pdf", "application/pdf"),
    )
    do_decide(actor=actor_for(cast.cpe_moulin), record=record, accepted=True)
    justification = Justification.objects.get(record=record)
    stored = justification.document.name
    assert default_storage.exists(stored)

    run(justification.decided_at + timedelta(days=364))
    assert Justification.objects.get(pk=justification.pk).document.name == stored
    output = run(justification.decided_at + timedelta(days=366))
    assert "1 justification document(s) deleted" in output
    justification.refresh_from_db()
    assert justification.document.name == "" and justification.decision == "accepted"
    assert not default_storage.exists(stored)
