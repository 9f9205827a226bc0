"""The abuse limits: recipients per hour by profile, reports and the moderation queue,
suspensions by person, by profile and across an academy, and ending a profile's sessions."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preau.audit.models import AuditEntry
from preau.core.testing import Isolation, isolation_test, log_in_with_second_factor, query_budget
from preau.directory.models import Profile
from preau.messaging import policies
from preau.messaging.actions import (
    MessagingRefused,
    do_report_message,
    do_send_message,
    do_update_rules,
)
from preau.messaging.models import (
    Message,
    MessageRecipient,
    MessagingRules,
    Report,
    ReportOutcome,
    ReportStatus,
    Suspension,
)
from preau.messaging.tests.helpers import (
    KARIM_MESSAGE,
    KARIM_REPORT,
    actor,
    bernard_reports_karim,
    karim_to_bernard,
)

pytestmark = pytest.mark.django_db

OPEN_RULES = dict.fromkeys(
    ("students_to_teachers", "students_to_school_life", "guardians_to_teachers"), True
) | {"guardians_to_direction": True, "staff_to_students": True, "staff_to_guardians": True}


test_isolation = isolation_test(
    [
        # Only a recipient reports a message; not its sender, nor the head.
        Isolation(
            route="messaging:report",
            owner="bernard",
            kwargs=lambda c: {"public_id": KARIM_MESSAGE},
            refused=("karim", "sophie", "lea", "garcia", "principal_moulin", "principal_curie"),
            method="post",
            owner_status=302,
            setup=karim_to_bernard,
        ),
        # The moderation queue: those who administer the establishment.
        Isolation(
            route="messaging:reports",
            owner="principal_moulin",
            kwargs=lambda c: {"public_id": c.moulin.public_id},
            refused=("cpe_moulin", "bernard", "karim", "noah", "principal_curie"),
            setup=bernard_reports_karim,
        ),
        Isolation(
            route="messaging:reports",
            owner="rectorat_versailles",
            kwargs=lambda c: {"public_id": c.moulin.public_id},
            refused=("principal_curie", "dupont"),
        ),
        Isolation(
            route="messaging:close_report",
            owner="principal_moulin",
            kwargs=lambda c: {"public_id": KARIM_REPORT},
            refused=("cpe_moulin", "bernard", "karim", "principal_curie"),
            method="post",
            owner_status=302,
            setup=bernard_reports_karim,
        ),
        Isolation(
            route="messaging:suspend_sender",
            owner="principal_moulin",
            kwargs=lambda c: {"public_id": KARIM_REPORT},
            refused=("cpe_moulin", "bernard", "karim", "principal_curie"),
            method="post",
            owner_status=302,
            setup=bernard_reports_karim,
        ),
        Isolation(
            route="messaging:suspensions",
            owner="principal_moulin",
            kwargs=lambda c: {"public_id": c.moulin.public_id},
            refused=("cpe_moulin", "bernard", "karim", "noah", "principal_curie"),
        ),
        Isolation(
            route="messaging:academy_suspend",
            owner="rectorat_versailles",
            kwargs=lambda c: {"public_id": c.moulin.academy.public_id},
            refused=("principal_moulin", "principal_curie", "bernard", "noah"),
        ),
    ]
)


def set_limits(cast: Any, **limits: int) -> None:
    do_update_rules(
        actor=actor(cast.principal_moulin), establishment=cast.moulin, values=OPEN_RULES | limits
    )


def counts() -> tuple[int, int]:
    return Message.objects.count(), MessageRecipient.objects.count()


# -- recipients per hour ----------------------------------------------------------------------


def test_a_student_reaching_the_hourly_limit_is_refused_and_nothing_is_written(cast: Any) -> None:
    set_limits(cast, student_hourly_limit=3)
    noah = actor(cast.noah)
    start = timezone.now()
    do_send_message(
        actor=noah, subject="Devoir", body="…", recipients=[cast.bernard, cast.garcia], now=start
    )
    before = counts()
    with pytest.raises(MessagingRefused) as refused:
        do_send_message(
            actor=actor(cast.noah),
            subject="Encore",
            body="…",
            recipients=[cast.bernard, cast.cpe_moulin],
            now=start + timedelta(minutes=10),
        )
    again = timezone.localtime(start + timedelta(hours=1)).strftime("%H:%M")
    assert "vous ne pouvez plus écrire qu'à 1 destinataire cette heure-ci" in refused.value.message
    assert "ce message en compte 2" in refused.value.message
    assert f"Vous pourrez l'envoyer à partir de {again}." in refused.value.message
    assert counts() == before
    # One more recipient still fits, then nothing until the hour has passed.
    do_send_message(
        actor=actor(cast.noah),
        subject="CPE",
        body="…",
        recipients=[cast.cpe_moulin],
        now=start + timedelta(minutes=20),
    )
    with pytest.raises(MessagingRefused) as refused:
        do_send_message(
            actor=actor(cast.noah),
            subject="Encore",
            body="…",
            recipients=[cast.bernard],
            now=start + timedelta(minutes=30),
        )
    assert "vous avez atteint la limite de 3 destinataires par heure" in refused.value.message
    do_send_message(
        actor=actor(cast.noah),
        subject="Plus tard",
        body="…",
        recipients=[cast.bernard],
        now=start + timedelta(minutes=61),
    )


def test_the_refusal_shows_on_the_compose_page(client: Any, cast: Any) -> None:
    set_limits(cast, student_hourly_limit=1)
    client.force_login(cast.noah)
    data = {"action": "send", "subject": "Devoir", "body": "Bonjour"}
    people = [str(cast.bernard.public_id), str(cast.garcia.public_id)]
    response = client.post(reverse("messaging:compose"), {**data, "people": people})
    assert response.status_code == 400
    assert "vous pouvez écrire à 1 destinataire par heure au plus" in response.content.decode()
    assert not Message.objects.exists()


def test_a_student_never_mass_mails_whatever_is_stored(cast: Any) -> None:
    set_limits(cast)
    MessagingRules.objects.filter(establishment=cast.moulin).update(
        student_hourly_limit=500, students_to_students=True
    )
    noah = actor(cast.noah)
    assert policies.hourly_limit(noah) == 30
    assert policies.recipient_lists(noah) == []
    with pytest.raises(MessagingRefused) as refused:
        do_send_message(actor=noah, subject="Tous", body="…", lists=["students"])
    assert "Seuls les personnels peuvent écrire à une liste" in refused.value.message
    assert not Message.objects.exists()


def test_the_guardian_limit(cast: Any) -> None:
    assert policies.hourly_limit(actor(cast.karim)) == 20
    set_limits(cast, guardian_hourly_limit=3)
    people = [cast.bernard, cast.garcia, cast.cpe_moulin, cast.principal_moulin]
    with pytest.raises(MessagingRefused) as refused:
        do_send_message(actor=actor(cast.karim), subject="Noah", body="…", recipients=people)
    assert (
        "vous pouvez écrire à 3 destinataires par heure au plus, et ce message en compte 4"
        in refused.value.message
    )
    assert not Message.objects.exists()
    result = do_send_message(
        actor=actor(cast.karim), subject="Noah", body="…", recipients=people[:3]
    )
    assert result.recipient_count == 3


def test_limits_are_per_establishment_and_the_defaults_are_safe(cast: Any) -> None:
    assert policies.hourly_limit(actor(cast.noah)) == 10
    assert policies.hourly_limit(actor(cast.bernard)) == 1000
    set_limits(cast, guardian_hourly_limit=1)
    assert policies.hourly_limit(actor(cast.sophie, cast.moulin)) == 1
    assert policies.hourly_limit(actor(cast.sophie, cast.curie)) == 20


def test_staff_are_not_limited_at_800_recipients(cast: Any) -> None:
    from preau.demo.population import build_population

    build_population(password_hash="!")
    head = actor(cast.principal_moulin)
    lists = policies.lists_by_code(head)
    sent = do_send_message(
        actor=head, subject="Rentrée", body="…", lists=[lists["guardians"]]
    ).recipient_count
    class_lists = [item for code, item in lists.items() if code.startswith("students:")]
    while sent < 800:
        item = class_lists.pop()
        sent += do_send_message(
            actor=actor(cast.principal_moulin), subject="Classe", body="…", lists=[item]
        ).recipient_count
    assert 800 <= sent <= 1000
    with pytest.raises(MessagingRefused) as refused:
        do_send_message(
            actor=actor(cast.principal_moulin), subject="Tous", body="…", lists=["students"]
        )
    assert f"vous ne pouvez plus écrire qu'à {1000 - sent} destinataires" in refused.value.message


# -- reports and the moderation queue -----------------------------------------------------------


def test_a_recipient_reports_and_the_head_reads_only_that_message(client: Any, cast: Any) -> None:
    message = karim_to_bernard(cast)
    do_send_message(
        actor=actor(cast.karim),
        subject="Cantine",
        body="Secret de famille",
        recipients=[cast.garcia],
    )
    client.force_login(cast.bernard)
    page = client.get(reverse("messaging:conversation", args=[message.conversation.public_id]))
    assert "Signaler ce message" in page.content.decode()
    response = client.post(
        reverse("messaging:report", args=[message.public_id]), {"reason": "Propos menaçants"}
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.reporter, report.message, report.establishment) == (
        cast.bernard,
        message,
        cast.moulin,
    )
    assert report.status == ReportStatus.OPEN and report.reason == "Propos menaçants"
    audit = AuditEntry.objects.get(action="messaging.report.create")
    assert audit.establishment == cast.moulin and "Noah" not in str(audit.after)
    # Reporting again changes nothing.
    client.post(reverse("messaging:report", args=[message.public_id]))
    assert Report.objects.count() == 1

    log_in_with_second_factor(client, cast.principal_moulin)
    queue = client.get(reverse("messaging:reports", args=[cast.moulin.public_id])).content.decode()
    assert "Karim Leroy" in queue
    assert "Noah n&#x27;a pas compris" in queue or "Noah n'a pas compris" in queue
    assert "Propos menaçants" in queue
    assert "Secret de famille" not in queue
    # The head still cannot open the conversation itself.
    conversation = reverse("messaging:conversation", args=[message.conversation.public_id])
    assert client.get(conversation).status_code == 404


def test_the_sender_and_strangers_cannot_report(client: Any, cast: Any) -> None:
    message = karim_to_bernard(cast)
    url = reverse("messaging:report", args=[message.public_id])
    for person in (cast.karim, cast.lea, cast.principal_moulin):
        client.force_login(person)
        assert client.post(url).status_code == 404
    assert not Report.objects.exists()
    entry = MessageRecipient.objects.select_related("message").get(person=cast.karim)
    with pytest.raises(MessagingRefused):
        do_report_message(actor=actor(cast.karim), entry=entry)


def test_the_head_closes_a_report(client: Any, cast: Any) -> None:
    report = bernard_reports_karim(cast)
    log_in_with_second_factor(client, cast.principal_moulin)
    client.post(reverse("messaging:close_report", args=[report.public_id]))
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.outcome == ReportOutcome.DISMISSED
    assert report.handled_by == cast.principal_moulin and report.handled_at is not None
    assert AuditEntry.objects.filter(action="messaging.report.close").count() == 1
    queue = client.get(reverse("messaging:reports", args=[cast.moulin.public_id])).content.decode()
    assert "Aucun signalement à traiter." in queue


def test_suspending_the_sender_and_lifting_it(client: Any, cast: Any) -> None:
    report = bernard_reports_karim(cast)
    log_in_with_second_factor(client, cast.principal_moulin)
    client.post(reverse("messaging:suspend_sender", args=[report.public_id]))
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.outcome == ReportOutcome.SUSPENDED
    suspension = Suspension.objects.get(person=cast.karim, lifted_at__isnull=True)
    assert suspension.establishment == cast.moulin
    audit = AuditEntry.objects.get(action="messaging.person.suspend")
    assert audit.after["person"] == str(cast.karim.public_id)

    karim = Client()
    karim.force_login(cast.karim)
    page = karim.get(reverse("messaging:compose"))
    assert page.status_code == 403
    assert "suspendue" in page.content.decode()
    with pytest.raises(MessagingRefused):
        do_send_message(actor=actor(cast.karim), subject="Re", body="…", recipients=[cast.bernard])
    # In another establishment he would write as before: the suspension is Moulin's.
    assert policies.suspension_reason(actor(cast.karim)) != ""

    suspensions = reverse("messaging:suspensions", args=[cast.moulin.public_id])
    assert "Karim Leroy" in client.get(suspensions).content.decode()
    client.post(suspensions, {"action": "lift", "suspension": str(suspension.public_id)})
    suspension.refresh_from_db()
    assert suspension.lifted_by == cast.principal_moulin
    assert AuditEntry.objects.filter(action="messaging.person.lift").count() == 1
    assert karim.get(reverse("messaging:compose")).status_code == 200
    do_send_message(actor=actor(cast.karim), subject="Re", body="…", recipients=[cast.bernard])


def test_a_head_cannot_suspend_themselves(client: Any, cast: Any) -> None:
    result = do_send_message(
        actor=actor(cast.principal_moulin), subject="Info", body="…", recipients=[cast.bernard]
    )
    entry = MessageRecipient.objects.select_related("message", "establishment").get(
        message=result.message, person=cast.bernard
    )
    report = do_report_message(actor=actor(cast.bernard), entry=entry)
    log_in_with_second_factor(client, cast.principal_moulin)
    client.post(reverse("messaging:suspend_sender", args=[report.public_id]))
    assert not Suspension.objects.exists()


# -- suspension by profile ------------------------------------------------------------------


def test_suspending_students_stops_noah_not_bernard_and_lifting_restores(
    client: Any, cast: Any
) -> None:
    from_bernard = do_send_message(
        actor=actor(cast.bernard), subject="Contrôle", body="Révisez", recipients=[cast.noah]
    ).message
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("messaging:suspensions", args=[cast.moulin.public_id])
    client.post(url, {"action": "profile", "profile": "student", "suspended": "on"})
    assert MessagingRules.objects.get(establishment=cast.moulin).students_suspended
    assert AuditEntry.objects.filter(action="messaging.profile.suspend").count() == 1

    noah = Client()
    noah.force_login(cast.noah)
    reply_url = reverse("messaging:reply", args=[from_bernard.public_id])
    reply_data = {"action": "send", "body": "Ok", "people": [str(cast.bernard.public_id)]}
    page = noah.get(reverse("messaging:compose"))
    assert page.status_code == 403
    assert "momentanément suspendue pour votre profil" in page.content.decode()
    send = noah.post(
        reverse("messaging:compose"),
        {
            "action": "send",
            "subject": "Salut",
            "body": "…",
            "people": [str(cast.bernard.public_id)],
        },
    )
    assert send.status_code == 403
    reply = noah.post(reply_url, reply_data)
    assert reply.status_code == 403
    with pytest.raises(MessagingRefused):
        do_send_message(
            actor=actor(cast.noah),
            subject="",
            body="Ok",
            recipients=[cast.bernard],
            reply_to=from_bernard,
        )
    assert Message.objects.filter(sender=cast.noah).count() == 0
    # Noah still reads his messages; staff write as before.
    assert noah.get(reverse("messaging:inbox")).status_code == 200
    do_send_message(actor=actor(cast.bernard), subject="Info", body="…", recipients=[cast.noah])

    client.post(url, {"action": "profile", "profile": "student"})
    assert not MessagingRules.objects.get(establishment=cast.moulin).students_suspended
    assert AuditEntry.objects.filter(action="messaging.profile.restore").count() == 1
    reply = noah.post(reply_url, reply_data)
    assert reply.status_code == 302
    assert Message.objects.filter(sender=cast.noah).count() == 1


def test_staff_are_never_suspended_by_profile(client: Any, cast: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("messaging:suspensions", args=[cast.moulin.public_id])
    client.post(url, {"action": "profile", "profile": Profile.TEACHER, "suspended": "on"})
    assert not AuditEntry.objects.filter(action="messaging.profile.suspend").exists()
    assert policies.suspension_reason(actor(cast.bernard)) == ""


def test_an_academy_administrator_suspends_guardians_in_every_establishment(
    client: Any, cast: Any
) -> None:
    log_in_with_second_factor(client, cast.rectorat_versailles)
    url = reverse("messaging:academy_suspend", args=[cast.moulin.academy.public_id])
    assert "Collège Jean Moulin" in client.get(url).content.decode()
    response = client.post(url, {"profile": "guardian", "suspended": "on"})
    assert response.status_code == 302
    assert MessagingRules.objects.get(establishment=cast.moulin).guardians_suspended
    assert not MessagingRules.objects.filter(
        establishment=cast.curie, guardians_suspended=True
    ).exists()
    assert policies.suspension_reason(actor(cast.karim)) != ""
    assert policies.suspension_reason(actor(cast.sophie, cast.curie)) == ""
    audit = AuditEntry.objects.get(action="messaging.profile.suspend")
    assert audit.establishment == cast.moulin and audit.after["academy"] == "VERSAILLES"
    client.post(url, {"profile": "guardian"})
    assert policies.suspension_reason(actor(cast.karim)) == ""


# -- ending a profile's sessions ------------------------------------------------------------


def test_ending_the_students_sessions_logs_lea_out_not_bernard(client: Any, cast: Any) -> None:
    lea, bernard = Client(), Client()
    lea.force_login(cast.lea)
    bernard.force_login(cast.bernard)
    inbox = reverse("messaging:inbox")
    assert lea.get(inbox).status_code == 200
    assert bernard.get(inbox).status_code == 200

    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("messaging:suspensions", args=[cast.moulin.public_id])
    response = client.post(url, {"action": "sessions", "profile": Profile.STUDENT})
    assert response.status_code == 302

    after = lea.get(inbox)
    assert after.status_code == 302 and after["Location"].startswith(reverse("accounts:login"))
    assert bernard.get(inbox).status_code == 200
    assert client.get(url).status_code == 200  # the head stays logged in
    audit = AuditEntry.objects.get(action="messaging.profile.end_sessions")
    assert audit.after == {"profile": Profile.STUDENT, "accounts": 3}
    assert audit.establishment == cast.moulin


def test_only_superusers_end_staff_sessions(client: Any, cast: Any) -> None:
    bernard = Client()
    bernard.force_login(cast.bernard)
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("messaging:suspensions", args=[cast.moulin.public_id])
    client.post(url, {"action": "sessions", "profile": Profile.TEACHER})
    assert not AuditEntry.objects.filter(action="messaging.profile.end_sessions").exists()
    assert bernard.get(reverse("messaging:inbox")).status_code == 200

    log_in_with_second_factor(client, cast.admin)
    client.post(url, {"action": "sessions", "profile": Profile.TEACHER})
    assert bernard.get(reverse("messaging:inbox")).status_code == 302
    audit = AuditEntry.objects.get(action="messaging.profile.end_sessions")
    assert audit.after == {"profile": Profile.TEACHER, "accounts": 2}


# -- speed --------------------------------------------------------------------------------------


def report_many(cast: Any, count: int) -> None:
    for number in range(count):
        sender = cast.karim if number % 2 else cast.garcia
        result = do_send_message(
            actor=actor(sender), subject=f"Message {number}", body="…", recipients=[cast.bernard]
        )
        entry = MessageRecipient.objects.select_related("message", "establishment").get(
            message=result.message, person=cast.bernard
        )
        do_report_message(actor=actor(cast.bernard), entry=entry, reason=f"Motif {number}")


# The user, their memberships, the establishment's service switches (3, every page); the
# academies the person administers and the establishment (access check); the page's count and
# the page of reports with their messages, conversations, senders and reporters.
QUEUE_QUERIES = 7


@pytest.mark.parametrize("count", [1, 15])
def test_queue_query_budget(client: Any, cast: Any, count: int) -> None:
    report_many(cast, count)
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("messaging:reports", args=[cast.moulin.public_id])
    with query_budget(QUEUE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Classer sans suite") == count
