"""A message to every guardian of the demo collège: bulk writes, a fixed number of queries, an
audit row, and the demo conversations."""

import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from preau.audit.models import AuditEntry
from preau.demo.population import build_population
from preau.directory.models import Membership, Profile
from preau.messaging import demo
from preau.messaging.actions import do_send_message
from preau.messaging.models import Conversation, Message, MessageRecipient
from preau.messaging.policies import lists_by_code
from preau.messaging.tests.helpers import actor
from preau.notifications.models import Notification

pytestmark = pytest.mark.django_db

NOTIFICATION_INSERT = 'INSERT INTO "notifications_notification"'


def send_to(sender: Any, code: str) -> tuple[Any, list[str]]:
    head = actor(sender)
    target = lists_by_code(head)[code]
    with CaptureQueriesContext(connection) as context:
        result = do_send_message(
            actor=head, subject="Réunion de rentrée", body="Madame, Monsieur,", lists=[target]
        )
    return result, [q["sql"] for q in context.captured_queries]


def test_a_message_to_every_guardian_is_written_in_bulk(cast: Any) -> None:
    build_population(password_hash="!")
    guardians = Membership.objects.filter(
        establishment=cast.moulin, profile=Profile.GUARDIAN, is_active=True
    ).count()
    assert guardians > 500
    small, small_queries = send_to(cast.principal_moulin, f"teachers:{cast.class_4b.public_id}")
    assert small.recipient_count < 30
    started = time.monotonic()
    big, big_queries = send_to(cast.principal_moulin, "guardians")
    elapsed = time.monotonic() - started
    assert big.recipient_count == guardians
    assert MessageRecipient.objects.filter(message=big.message, folder="inbox").count() == guardians
    assert Notification.objects.filter(kind="message").count() == guardians + small.recipient_count

    # The same statements whatever the number of recipients: one INSERT … SELECT of the entries.
    # Only the notifications' bulk insert is split in batches by the database driver.
    def without_notifications(queries: list[str]) -> list[str]:
        return [q for q in queries if not q.startswith(NOTIFICATION_INSERT)]

    assert len(without_notifications(big_queries)) == len(without_notifications(small_queries)) + 1
    # (+1: the audit row of a mass send, over 30 recipients)
    inserts = [q for q in big_queries if q.startswith('INSERT INTO "messaging_messagerecipient"')]
    assert len(inserts) == 2  # the sender's entry, then every recipient's in one statement
    batches = [q for q in big_queries if q.startswith(NOTIFICATION_INSERT)]
    assert len(batches) <= guardians // 50 + 1
    print(f"{guardians} recipients: {elapsed:.2f} s, {len(big_queries)} queries")
    assert elapsed < 5, f"{elapsed:.2f} s"
    audit = AuditEntry.objects.get(action="messaging.message.mass_send")
    assert audit.after == {"recipients": guardians, "lists": ["Tous les responsables"]}


def test_the_demo_is_idempotent(cast: Any) -> None:
    first = demo.build(cast)
    assert len(first) == 3
    count = Message.objects.count()
    assert count == 5
    demo.build(cast)
    assert Message.objects.count() == count
    assert Conversation.objects.filter(subject=demo.HEAD_SUBJECT).exists()
    assert MessageRecipient.objects.filter(person=cast.karim, folder="inbox").count() == 2
