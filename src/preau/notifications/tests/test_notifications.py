"""The notification centre: delivery after quiet hours, urgency, e-mails, pages and isolation."""

from __future__ import annotations

import math
import re
import uuid
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from preau.audit.models import AuditEntry
from preau.core.actor import Actor
from preau.core.testing import Isolation, isolation_test, log_in_with_second_factor, query_budget
from preau.demo.cast import Cast
from preau.notifications import actions, demo, emails
from preau.notifications.models import Kind, Notification, NotificationPreference, QuietHours
from preau.notifications.panels import panel_context
from preau.portal.registry import get_service

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SOPHIES_NOTIFICATION = uuid.UUID("5f0c3a52-8d7e-4b1a-9a44-3f2d6c1e0b01")


def this_week(weekday: int, hour: int, minute: int = 0) -> datetime:
    """A moment of the current week in Paris (0 = Monday): dates stay in this school year."""
    today = timezone.localdate()
    day = today - timedelta(days=today.weekday()) + timedelta(days=weekday)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def set(self, moment: datetime) -> None:
        self.now = moment


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Stops the time: timezone.now() answers what the test sets."""
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def actor(user: Any) -> Actor:
    return Actor(user, {})


def grade_for(cast: Cast, people: list[Any], **options: Any) -> list[Notification]:
    return actions.notify(
        recipients=people,
        establishment=cast.moulin,
        kind=Kind.GRADE,
        title="Nouvelle note en mathématiques",
        body="Contrôle sur les fractions : 15/20.",
        **{"url": reverse("notifications:index"), **options},
    )


def sophies_notification(cast: Cast) -> None:
    Notification.objects.create(
        public_id=SOPHIES_NOTIFICATION,
        recipient=cast.sophie,
        establishment=cast.moulin,
        kind=Kind.NEWS,
        title="Sortie au château de Versailles",
        url="/",
        deliver_at=timezone.now() - timedelta(hours=1),
    )


def sophies(cast: Cast) -> dict[str, Any]:
    return {"public_id": SOPHIES_NOTIFICATION}


test_isolation = isolation_test(
    [
        # A notification is its recipient's only: not another family's, not her child's.
        Isolation(
            route="notifications:open",
            owner="sophie",
            kwargs=sophies,
            refused=("karim", "lea", "principal_curie"),
            owner_status=302,
            setup=sophies_notification,
        ),
        Isolation(
            route="notifications:read",
            owner="sophie",
            kwargs=sophies,
            method="post",
            refused=("karim", "lea", "principal_curie"),
            owner_status=302,
            setup=sophies_notification,
        ),
        # Quiet hours: those who administer the establishment; not its CPE or teachers.
        Isolation(
            route="notifications:quiet_hours",
            owner="principal_moulin",
            kwargs=lambda c: {"public_id": c.moulin.public_id},
            refused=("cpe_moulin", "bernard", "principal_curie"),
        ),
    ]
)


# -- delivery after quiet hours ----------------------------------------------------------------


def test_a_notification_sent_at_night_waits_in_the_centre_until_seven(
    cast: Cast, client: Any, clock: Clock
) -> None:
    clock.set(this_week(2, 21))  # Wednesday 21:00
    (notification,) = grade_for(cast, [cast.sophie])
    assert notification.deliver_at == this_week(3, 7)
    client.force_login(cast.sophie)
    assert "Nouvelle note" not in client.get(reverse("notifications:index")).content.decode()
    bell = client.get(reverse("notifications:bell")).content.decode()
    assert 'aria-label="Aucune notification non lue"' in bell
    url = reverse("notifications:open", args=[notification.public_id])
    assert client.get(url).status_code == 404  # not delivered yet

    clock.set(this_week(3, 7))
    page = client.get(reverse("notifications:index")).content.decode()
    assert "Nouvelle note en mathématiques" in page
    assert "Non lue" in page
    assert (
        'aria-label="1 notification non lue"'
        in client.get(reverse("notifications:bell")).content.decode()
    )


def test_the_establishments_quiet_hours_and_a_personal_window_combine(
    cast: Cast, clock: Clock
) -> None:
    QuietHours.objects.create(establishment=cast.moulin, start=time(19), end=time(8))
    NotificationPreference.objects.create(
        person=cast.karim, quiet_start=time(12), quiet_end=time(14)
    )
    clock.set(this_week(1, 12, 30))  # Tuesday lunchtime
    sophie, karim = sorted(
        grade_for(cast, [cast.sophie, cast.karim]), key=lambda n: n.recipient_id != cast.sophie.pk
    )
    assert sophie.deliver_at == this_week(1, 12, 30)
    assert karim.deliver_at == this_week(1, 14)
    clock.set(this_week(1, 19, 30))
    assert grade_for(cast, [cast.sophie])[0].deliver_at == this_week(2, 8)


def test_notify_runs_the_same_queries_for_five_or_eight_hundred_recipients(
    cast: Cast, clock: Clock
) -> None:
    clock.set(this_week(2, 21))
    User = get_user_model()
    people = User.objects.bulk_create(
        [User(username=f"famille.{i}", password="!") for i in range(800)]
    )
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(person=p, quiet_start=time(18), quiet_end=time(19))
            for p in people[::2]
        ]
    )

    def count(recipients: list[Any]) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            grade_for(cast, recipients)
        inserts = [q for q in context.captured_queries if q["sql"].startswith("INSERT")]
        return len(context.captured_queries) - len(inserts), len(inserts)

    few_others, few_inserts = count(people[:5])
    many_others, many_inserts = count(people)
    # Quiet hours, preferences, savepoint and its release: the same whatever the number.
    assert few_others == many_others == 4
    assert few_inserts == 1
    # One bulk_create; Django splits it in batches only where the database limits parameters.
    fields = [f for f in Notification._meta.concrete_fields if f.name != "id"]
    batch = connection.ops.bulk_batch_size(fields, people) or len(people)
    assert many_inserts == math.ceil(len(people) / batch)
    assert Notification.objects.filter(recipient__in=people).count() == 805


def test_notify_refuses_an_address_outside_the_portal(cast: Cast) -> None:
    for url in ("https://example.org/", "//example.org/x", "javascript:alert(1)", "/\\evil"):
        with pytest.raises(ValueError):
            grade_for(cast, [cast.sophie], url=url)
    with pytest.raises(ValueError):
        actions.notify(recipients=[cast.sophie], establishment=cast.moulin, kind="x", title="x")


# -- urgency -------------------------------------------------------------------------------------


def test_a_teacher_may_not_send_an_urgent_notification(cast: Cast, clock: Clock) -> None:
    clock.set(this_week(2, 21))
    with pytest.raises(actions.UrgentNotAllowed):
        grade_for(cast, [cast.sophie], urgent=True, actor=actor(cast.bernard))
    with pytest.raises(actions.UrgentNotAllowed):  # a head, but of another establishment
        grade_for(cast, [cast.sophie], urgent=True, actor=actor(cast.principal_curie))
    assert not Notification.objects.filter(recipient=cast.sophie).exists()
    assert not AuditEntry.objects.filter(action="notifications.urgent").exists()


def test_the_cpe_sends_an_urgent_notification_at_night_and_it_is_audited(
    cast: Cast, clock: Clock
) -> None:
    clock.set(this_week(2, 21))
    (notification,) = actions.notify(
        recipients=[cast.sophie],
        establishment=cast.moulin,
        kind=Kind.ABSENCE,
        title="Léa n'est pas rentrée de la sortie",
        urgent=True,
        actor=actor(cast.cpe_moulin),
    )
    assert notification.urgent and notification.deliver_at == this_week(2, 21)
    entry = AuditEntry.objects.get(action="notifications.urgent")
    assert entry.actor == cast.cpe_moulin and entry.establishment == cast.moulin
    assert entry.after == {"kind": "absence", "title": notification.title, "recipients": 1}


# -- e-mails -------------------------------------------------------------------------------------


def wants_grades_by_email(person: Any, **options: Any) -> NotificationPreference:
    return NotificationPreference.objects.create(
        person=person, email_immediate=[Kind.GRADE], **options
    )


def test_an_immediate_email_is_sent_outside_quiet_hours(
    cast: Cast, clock: Clock, django_capture_on_commit_callbacks: Any
) -> None:
    wants_grades_by_email(cast.sophie)
    clock.set(this_week(2, 10))
    with django_capture_on_commit_callbacks(execute=True):
        grade_for(cast, [cast.sophie, cast.karim])
    assert len(mail.outbox) == 1  # Karim did not ask for e-mails
    message = mail.outbox[0]
    assert message.to == ["sophie.martin@example.org"]
    assert "Nouvelle note en mathématiques" in message.subject
    assert "Contrôle sur les fractions" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The body's unsubscribe link names Sophie and the kind (its signature carries a time).
    link = re.search(r"/notifications/unsubscribe/\?t=(\S+)", message.body)
    assert link is not None
    person, kinds = emails.read_unsubscribe_token(unquote(link.group(1)))
    assert (person, kinds) == (str(cast.sophie.public_id), [Kind.GRADE])
    assert Notification.objects.get(recipient=cast.sophie).emailed_at == this_week(2, 10)


def test_an_email_waits_for_the_end_of_quiet_hours(
    cast: Cast, clock: Clock, django_capture_on_commit_callbacks: Any
) -> None:
    wants_grades_by_email(cast.sophie)
    clock.set(this_week(2, 21))
    with django_capture_on_commit_callbacks(execute=True):
        grade_for(cast, [cast.sophie])
    assert mail.outbox == []
    clock.set(this_week(3, 6, 59))
    call_command("send_notification_emails", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert mail.outbox == []
    clock.set(this_week(3, 7))
    call_command("send_notification_emails", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1
    call_command("send_notification_emails", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1  # once only


def test_a_notification_read_in_the_portal_is_not_emailed(
    cast: Cast, clock: Clock, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    wants_grades_by_email(cast.sophie)
    clock.set(this_week(2, 21))
    (notification,) = grade_for(cast, [cast.sophie])
    clock.set(this_week(3, 7, 1))
    client.force_login(cast.sophie)
    client.get(reverse("notifications:open", args=[notification.public_id]))
    emails.send_due_emails()
    assert mail.outbox == []


def test_the_unsubscribe_link_works_without_login_after_confirmation(
    cast: Cast, client: Any
) -> None:
    wants_grades_by_email(cast.sophie, email_digest=[Kind.GRADE, Kind.NEWS])
    link = emails.unsubscribe_url(cast.sophie, [Kind.GRADE])
    path = link.removeprefix(emails.portal_url())
    page = client.get(path)
    assert page.status_code == 200
    assert "Notes" in page.content.decode()
    preference = NotificationPreference.objects.get(person=cast.sophie)
    assert preference.email_immediate == [Kind.GRADE]  # a GET (a link scanner) changes nothing
    response = client.post(path)  # as a mail client's one-click does
    assert response.status_code == 200
    preference.refresh_from_db()
    assert preference.email_immediate == [] and preference.email_digest == [Kind.NEWS]


def test_a_tampered_unsubscribe_link_is_refused(cast: Cast, client: Any) -> None:
    wants_grades_by_email(cast.sophie)
    token = emails.unsubscribe_token(cast.sophie, [Kind.GRADE])
    url = reverse("notifications:unsubscribe")
    for bad in (token[:-2] + "xx", "nonsense", ""):
        assert client.get(url, {"t": bad}).status_code == 400
        assert client.post(url, {"t": bad}).status_code == 400
    assert NotificationPreference.objects.get(person=cast.sophie).email_immediate == ["grade"]


def test_the_daily_digest(cast: Cast, clock: Clock) -> None:
    NotificationPreference.objects.create(person=cast.sophie, email_digest=[Kind.GRADE, Kind.NEWS])
    clock.set(this_week(2, 10))
    grade_for(cast, [cast.sophie, cast.karim])
    actions.notify(
        recipients=[cast.sophie], establishment=cast.moulin, kind=Kind.NEWS, title="Kermesse"
    )
    actions.notify(
        recipients=[cast.sophie], establishment=cast.moulin, kind=Kind.MESSAGE, title="Bonjour"
    )
    clock.set(this_week(2, 21))  # in quiet hours: left for the next run
    assert emails.send_digests() == 0
    clock.set(this_week(3, 17))
    call_command("send_notification_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Nouvelle note en mathématiques" in body and "Kermesse" in body
    assert "Bonjour" not in body.split("Voici")[1]  # messages were not asked for
    assert "2 nouvelles notifications" in mail.outbox[0].subject
    clock.set(this_week(4, 17))
    assert emails.send_digests() == 0  # nothing new since the last digest


# -- pages ---------------------------------------------------------------------------------------


def test_open_marks_read_and_never_leaves_the_portal(cast: Cast, client: Any) -> None:
    sophies_notification(cast)
    Notification.objects.filter(public_id=SOPHIES_NOTIFICATION).update(url="//evil.example/")
    client.force_login(cast.sophie)
    response = client.get(reverse("notifications:open", args=[SOPHIES_NOTIFICATION]))
    assert response.url == reverse("notifications:index")
    assert Notification.objects.get(public_id=SOPHIES_NOTIFICATION).read_at is not None


def test_mark_all_read(cast: Cast, client: Any, clock: Clock) -> None:
    clock.set(this_week(2, 10))
    grade_for(cast, [cast.sophie, cast.karim])
    client.force_login(cast.sophie)
    assert client.get(reverse("notifications:read_all")).status_code == 405
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=cast.sophie, read_at=None).exists()
    assert Notification.objects.filter(recipient=cast.karim, read_at=None).exists()


def test_centre_query_budget_does_not_grow(cast: Cast, client: Any, clock: Clock) -> None:
    clock.set(this_week(2, 10))
    grade_for(cast, [cast.sophie])
    client.force_login(cast.sophie)
    client.get(reverse("notifications:index"))
    # user, memberships (header), count and page of notifications
    with query_budget(4):
        assert client.get(reverse("notifications:index")).status_code == 200
    for i in range(44):
        actions.notify(
            recipients=[cast.sophie], establishment=cast.moulin, kind=Kind.NEWS, title=f"n{i}"
        )
    with query_budget(4):
        response = client.get(reverse("notifications:index"), {"page": 2})
    assert "Page 2 sur 3" in response.content.decode()


def test_bell_query_budget(cast: Cast, client: Any) -> None:
    sophies_notification(cast)
    client.force_login(cast.sophie)
    with query_budget(2):  # the session's user, the count
        response = client.get(reverse("notifications:bell"))
    assert 'aria-label="1 notification non lue"' in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")


def test_preferences_are_saved(cast: Cast, client: Any) -> None:
    client.force_login(cast.sophie)
    assert client.get(reverse("notifications:preferences")).status_code == 200
    response = client.post(
        reverse("notifications:preferences"),
        {"immediate_grade": "on", "digest_news": "on", "quiet_start": "18:30", "quiet_end": "19h"},
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(person=cast.sophie)
    assert preference.email_immediate == ["grade"] and preference.email_digest == ["news"]
    assert (preference.quiet_start, preference.quiet_end) == (time(18, 30), time(19))
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="immediate_grade" id="id_immediate_grade" checked' in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "Saisissez une heure au format HH:MM"),
        ({"quiet_start": "demain", "quiet_end": "07:00"}, "Saisissez une heure au format HH:MM"),
        ({"quiet_start": "18:00"}, "Indiquez le début et la fin de votre plage de calme"),
        ({"quiet_start": "18:00", "quiet_end": "18:00"}, "doivent différer"),
    ],
)
def test_bad_preferences_are_explained_and_nothing_is_written(
    cast: Cast, client: Any, data: dict[str, str], error: str
) -> None:
    client.force_login(cast.sophie)
    response = client.post(reverse("notifications:preferences"), {"immediate_grade": "on", **data})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not NotificationPreference.objects.filter(person=cast.sophie).exists()


def test_the_head_sets_the_quiet_hours_and_it_is_audited(cast: Cast, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("notifications:quiet_hours", args=[cast.moulin.public_id])
    page = client.get(url).content.decode()
    assert 'value="20:00"' in page and 'value="07:00"' in page
    bad = client.post(url, {"start": "20:00", "end": "20:00"})
    assert bad.status_code == 400
    assert "doivent différer" in bad.content.decode()
    assert not QuietHours.objects.exists()
    assert client.post(url, {"start": "19:00", "end": "07:30"}).status_code == 302
    quiet_hours = QuietHours.objects.get(establishment=cast.moulin)
    assert (quiet_hours.start, quiet_hours.end, quiet_hours.weekends) == (
        time(19),
        time(7, 30),
        False,
    )
    entry = AuditEntry.objects.get(action="notifications.quiet_hours.update")
    assert entry.after == {"start": "19:00:00", "end": "07:30:00", "weekends": False}
    assert entry.actor == cast.principal_moulin


# -- portal --------------------------------------------------------------------------------------


def test_the_service_and_its_panel(cast: Cast, clock: Clock) -> None:
    service = get_service("notifications")
    assert service is not None and not service.can_be_disabled
    assert panel_context(actor(cast.sophie), None) is None
    clock.set(this_week(2, 10))
    for i in range(7):
        actions.notify(
            recipients=[cast.sophie], establishment=cast.moulin, kind=Kind.NEWS, title=f"n{i}"
        )
    html = panel_context(actor(cast.sophie), None)["html"]
    assert [f"n{i}" in html for i in range(7)] == [False, False, True, True, True, True, True]


def test_the_dashboard_shows_the_panel(cast: Cast, client: Any) -> None:
    sophies_notification(cast)
    client.force_login(cast.sophie)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Dernières notifications" in page and "Sortie au château de Versailles" in page


def test_demo_is_idempotent(cast: Cast) -> None:
    demo.build(cast)
    count = Notification.objects.count()
    demo.build(cast)
    assert Notification.objects.count() == count > 0
    assert QuietHours.objects.filter(establishment__in=[cast.moulin, cast.curie]).count() == 2
