"""The messaging pages: isolation, compose / reply / forward / drafts, folders, search, files,
the rules page, and query budgets."""

import io
import re
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.core.testing import Isolation, isolation_test, log_in_with_second_factor, query_budget
from preau.messaging.actions import do_send_message
from preau.messaging.content import ATTACHMENT_MAX_BYTES, sanitise_html
from preau.messaging.models import Attachment, Folder, Message, MessageRecipient
from preau.messaging.tests.helpers import (
    KARIM_CONVERSATION,
    KARIM_DRAFT,
    KARIM_FILE,
    KARIM_MESSAGE,
    PDF_BYTES,
    actor,
    karim_draft,
    karim_to_bernard,
)

pytestmark = pytest.mark.django_db

STRANGERS = ("sophie", "lea", "garcia", "principal_moulin", "principal_curie")


def message_kwargs(_cast: Any) -> dict[str, Any]:
    return {"public_id": KARIM_MESSAGE}


def entry_case(route: str, method: str = "get", status: int = 200) -> Isolation:
    return Isolation(
        route=route,
        owner="karim",
        kwargs=message_kwargs,
        refused=STRANGERS,
        method=method,
        owner_status=status,
        setup=karim_to_bernard,
    )


test_isolation = isolation_test(
    [
        # A private conversation: its two people only; not the head of the school either.
        Isolation(
            route="messaging:conversation",
            owner="karim",
            kwargs=lambda c: {"public_id": KARIM_CONVERSATION},
            refused=STRANGERS,
            setup=karim_to_bernard,
        ),
        Isolation(
            route="messaging:conversation",
            owner="bernard",
            kwargs=lambda c: {"public_id": KARIM_CONVERSATION},
            refused=("cpe_moulin", "noah", "dupont"),
            setup=karim_to_bernard,
        ),
        entry_case("messaging:reply"),
        entry_case("messaging:reply_all"),
        entry_case("messaging:forward"),
        entry_case("messaging:move_to_trash", "post", 302),
        entry_case("messaging:restore", "post", 302),
        entry_case("messaging:delete", "post", 302),
        entry_case("messaging:mark_unread", "post", 302),
        Isolation(
            route="messaging:attachment",
            owner="bernard",
            kwargs=lambda c: {"public_id": KARIM_FILE},
            refused=STRANGERS,
            setup=karim_to_bernard,
        ),
        # A draft is its author's alone, even for its future recipient.
        Isolation(
            route="messaging:draft",
            owner="karim",
            kwargs=lambda c: {"public_id": KARIM_DRAFT},
            refused=("bernard", "sophie", "principal_moulin", "principal_curie"),
            setup=karim_draft,
        ),
        # The rules: those who administer the establishment.
        Isolation(
            route="messaging:rules",
            owner="principal_moulin",
            kwargs=lambda c: {"public_id": c.moulin.public_id},
            refused=("cpe_moulin", "bernard", "karim", "principal_curie"),
        ),
    ]
)


def send_page(client: Any, data: dict[str, Any], url: str | None = None) -> Any:
    return client.post(url or reverse("messaging:compose"), {"action": "send", **data})


def test_karim_writes_to_bernard_through_the_page(client: Any, cast: Any) -> None:
    client.force_login(cast.karim)
    page = client.get(reverse("messaging:compose"), {"q": "bern"})
    assert page.status_code == 200
    assert str(cast.bernard.public_id) in page.content.decode()
    assert str(cast.lea.public_id) not in page.content.decode()
    response = send_page(
        client,
        {"subject": "Noah", "body": "Bonjour", "people": [str(cast.bernard.public_id)]},
    )
    assert response.status_code == 302
    entry = MessageRecipient.objects.get(person=cast.bernard, folder=Folder.INBOX)
    assert entry.message.sender == cast.karim
    client.force_login(cast.bernard)
    inbox = client.get(reverse("messaging:inbox")).content.decode()
    assert "<strong>Noah</strong>" in inbox


def test_noah_cannot_write_to_lea_through_the_page(client: Any, cast: Any) -> None:
    client.force_login(cast.noah)
    page = client.get(reverse("messaging:compose"), {"q": "Martin"})
    assert str(cast.lea.public_id) not in page.content.decode()
    response = send_page(
        client, {"subject": "Salut", "body": "Coucou", "people": [str(cast.lea.public_id)]}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Vous ne pouvez pas écrire à Léa Martin" in text
    assert not Message.objects.exists()


def test_the_recipient_search_keeps_what_was_written(client: Any, cast: Any) -> None:
    client.force_login(cast.karim)
    response = client.post(
        reverse("messaging:compose"),
        {
            "action": "search",
            "q": "garcia",
            "subject": "Question",
            "body": "Mon texte",
            "people": [str(cast.bernard.public_id)],
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Mon texte" in text and "Question" in text
    assert str(cast.garcia.public_id) in text and str(cast.bernard.public_id) in text
    assert not Message.objects.exists()


def test_the_sender_sees_when_quiet_hours_hold_the_notification(client: Any, cast: Any) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    night = datetime(2026, 11, 24, 22, 30, tzinfo=ZoneInfo("Europe/Paris"))
    result = do_send_message(
        actor=actor(cast.bernard),
        subject="Contrôle",
        body="Révisez le chapitre 4.",
        recipients=[cast.karim, cast.sophie, cast.lea],
        now=night,
    )
    assert [(d.count, d.held) for d in result.deliveries] == [(3, True)]
    from preau.messaging.views import _delivery_lines

    lines = _delivery_lines(result)
    assert lines[0] == "Message envoyé à 3 destinataires."
    assert "3 destinataires le recevront" in lines[1] and "07:00 (heures calmes)" in lines[1]


def test_reply_all_drops_those_the_guardian_may_not_write_to(client: Any, cast: Any) -> None:
    bernard = actor(cast.bernard)
    original = do_send_message(
        actor=bernard,
        subject="Sortie",
        body="Bonjour",
        recipients=[cast.karim, cast.sophie, cast.garcia],
    ).message
    client.force_login(cast.karim)
    page = client.get(reverse("messaging:reply_all", args=[original.public_id]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Retirés des destinataires" in text and "Sophie Martin" in text
    assert (
        f'value="{cast.bernard.public_id}"' in text and f'value="{cast.garcia.public_id}"' in text
    )
    assert f'value="{cast.sophie.public_id}"' not in text
    response = send_page(
        client,
        {"body": "Merci", "people": [str(cast.bernard.public_id), str(cast.garcia.public_id)]},
        reverse("messaging:reply_all", args=[original.public_id]),
    )
    assert response.status_code == 302
    reply = Message.objects.exclude(pk=original.pk).get()
    assert reply.conversation_id == original.conversation_id
    assert set(
        MessageRecipient.objects.filter(message=reply, folder=Folder.INBOX).values_list(
            "person__username", flat=True
        )
    ) == {"prof.bernard", "prof.garcia"}


def test_a_reply_to_someone_the_rules_forbid_is_refused(client: Any, cast: Any) -> None:
    original = do_send_message(
        actor=actor(cast.principal_moulin),
        subject="Félicitations",
        body="Bravo pour le concours.",
        recipients=[cast.lea],
    ).message
    client.force_login(cast.lea)
    response = client.get(reverse("messaging:reply", args=[original.public_id]), follow=True)
    text = response.content.decode()
    assert "Réponse impossible" in text and "Hélène Moreau" in text
    assert Message.objects.count() == 1


def test_forward_quotes_and_carries_the_attachments(client: Any, cast: Any) -> None:
    original = karim_to_bernard(cast)
    client.force_login(cast.bernard)
    response = send_page(
        client,
        {
            "subject": "TR : Noah",
            "body": "Pour information.",
            "people": [str(cast.cpe_moulin.public_id)],
        },
        reverse("messaging:forward", args=[original.public_id]),
    )
    assert response.status_code == 302
    forwarded = Message.objects.get(forwarded_from=original)
    assert forwarded.conversation_id != original.conversation_id
    assert "Pour information." in forwarded.body and "exercice 3" in forwarded.body
    copy = Attachment.objects.get(message=forwarded)
    assert copy.file.name == Attachment.objects.get(message=original).file.name
    client.force_login(cast.cpe_moulin)
    assert client.get(reverse("messaging:attachment", args=[copy.public_id])).status_code == 200
    client.force_login(cast.karim)  # the original's sender does not get the forward
    assert client.get(reverse("messaging:attachment", args=[copy.public_id])).status_code == 404


def test_drafts_are_saved_edited_then_sent(client: Any, cast: Any) -> None:
    client.force_login(cast.karim)
    response = client.post(
        reverse("messaging:compose"),
        {
            "action": "draft",
            "subject": "Plus tard",
            "body": "Début",
            "people": [str(cast.garcia.public_id)],
        },
    )
    assert response.status_code == 302
    draft = Message.objects.get()
    assert draft.is_draft
    assert MessageRecipient.objects.get().folder == Folder.DRAFTS
    page = client.get(reverse("messaging:draft", args=[draft.public_id])).content.decode()
    assert ">\nDébut</textarea>" in page
    assert re.search(f'value="{cast.garcia.public_id}" id="[^"]+" checked', page)
    client.force_login(cast.garcia)  # nothing reaches the recipient of a draft
    assert client.get(reverse("messaging:inbox")).content.decode().count("Plus tard") == 0
    client.force_login(cast.karim)
    response = send_page(
        client,
        {"subject": "Plus tard", "body": "Début et fin", "people": [str(cast.garcia.public_id)]},
        reverse("messaging:draft", args=[draft.public_id]),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert not draft.is_draft and "Début et fin" in draft.body
    assert MessageRecipient.objects.get(person=cast.karim).folder == Folder.SENT
    assert MessageRecipient.objects.get(person=cast.garcia).folder == Folder.INBOX


def test_trash_restore_and_delete_for_good(client: Any, cast: Any) -> None:
    message = karim_to_bernard(cast)
    client.force_login(cast.bernard)
    client.post(reverse("messaging:move_to_trash", args=[message.public_id]))
    entry = MessageRecipient.objects.get(person=cast.bernard)
    assert entry.folder == Folder.TRASH
    assert "Noah et les" in client.get(reverse("messaging:trash")).content.decode()
    assert "Noah et les" not in client.get(reverse("messaging:inbox")).content.decode()
    client.post(reverse("messaging:restore", args=[message.public_id]))
    entry.refresh_from_db()
    assert entry.folder == Folder.INBOX
    client.post(reverse("messaging:move_to_trash", args=[message.public_id]))
    client.post(reverse("messaging:delete", args=[message.public_id]))
    entry.refresh_from_db()
    assert entry.deleted_at is not None
    url = reverse("messaging:conversation", args=[KARIM_CONVERSATION])
    assert client.get(url).status_code == 404
    client.force_login(cast.karim)  # the sender keeps his copy
    assert client.get(url).status_code == 200


def test_reading_marks_read_and_unread_is_possible(client: Any, cast: Any) -> None:
    message = karim_to_bernard(cast)
    client.force_login(cast.bernard)
    assert "(1" in client.get(reverse("messaging:inbox")).content.decode()
    client.get(reverse("messaging:conversation", args=[KARIM_CONVERSATION]))
    assert MessageRecipient.objects.get(person=cast.bernard).read_at is not None
    client.post(reverse("messaging:mark_unread", args=[message.public_id]))
    assert MessageRecipient.objects.get(person=cast.bernard).read_at is None


def test_read_receipts_only_when_the_establishment_turns_them_on(client: Any, cast: Any) -> None:
    from preau.messaging.actions import do_update_rules
    from preau.messaging.models import MessagingRules

    karim_to_bernard(cast)
    client.force_login(cast.bernard)
    client.get(reverse("messaging:conversation", args=[KARIM_CONVERSATION]))
    client.force_login(cast.karim)
    url = reverse("messaging:conversation", args=[KARIM_CONVERSATION])
    assert "Lu par" not in client.get(url).content.decode()
    values = {f: getattr(MessagingRules(), f) for f in MessagingRules.FIELDS}
    do_update_rules(
        actor=actor(cast.principal_moulin),
        establishment=cast.moulin,
        values={**values, "read_receipts": True},
    )
    assert "Lu par 1 destinataire sur 1" in client.get(url).content.decode()


def test_search_finds_only_the_actor_s_messages(client: Any, cast: Any) -> None:
    karim_to_bernard(cast)
    do_send_message(
        actor=actor(cast.garcia), subject="Dictée", body="Les équations", recipients=[cast.lea]
    )
    client.force_login(cast.bernard)
    text = client.get(reverse("messaging:search"), {"q": "équations"}).content.decode()
    assert "Noah et les équations" in text and "Dictée" not in text
    log_in_with_second_factor(client, cast.principal_moulin)
    text = client.get(reverse("messaging:search"), {"q": "équations"}).content.decode()
    assert "Noah et les" not in text and "Dictée" not in text


def test_html_is_sanitised(cast: Any) -> None:
    dirty = (
        '<p onclick="x()">Bonjour <strong>Noah</strong></p><script>alert(1)</script>'
        '<a href="javascript:alert(1)">lien</a><img src=x onerror=alert(1)>'
        '<a href="https://example.org">site</a>'
    )
    clean = sanitise_html(dirty)
    assert "script" not in clean and "onclick" not in clean and "javascript" not in clean
    assert "<img" not in clean and "<strong>Noah</strong>" in clean
    assert 'href="https://example.org"' in clean
    assert sanitise_html("Ligne 1\n\nLigne 2") == "<p>Ligne 1</p>\n\n<p>Ligne 2</p>"
    message = do_send_message(
        actor=actor(cast.karim), subject="x", body=dirty, recipients=[cast.bernard]
    ).message
    assert "script" not in message.body


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("devoir.pdf", PDF_BYTES, True),
        ("devoir.docx", docx_bytes(), True),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, True),
        ("faux.pdf", b"MZ\x90\x00 not a pdf", False),  # extension without the content
        ("script.exe", b"MZ\x90\x00", False),
        ("page.html", b"<html><script>alert(1)</script>", False),
        ("zip.docx", b"PK\x03\x04 nothing inside", False),
    ],
)
def test_attachments_are_checked(
    client: Any, cast: Any, name: str, content: bytes, accepted: bool
) -> None:
    client.force_login(cast.karim)
    response = send_page(
        client,
        {
            "subject": "Pièce jointe",
            "body": "Voici",
            "people": [str(cast.bernard.public_id)],
            "attachments": [SimpleUploadedFile(name, content)],
        },
    )
    assert (response.status_code == 302) is accepted
    assert Attachment.objects.exists() is accepted
    if not accepted:
        assert "n&#x27;est pas accepté" in response.content.decode()
        assert not Message.objects.exists()


def test_an_attachment_over_10_mib_is_refused(client: Any, cast: Any) -> None:
    client.force_login(cast.karim)
    big = SimpleUploadedFile("gros.pdf", b"%PDF-" + b"0" * ATTACHMENT_MAX_BYTES)
    response = send_page(
        client,
        {
            "subject": "Gros",
            "body": "Voici",
            "people": [str(cast.bernard.public_id)],
            "attachments": [big],
        },
    )
    assert response.status_code == 400
    assert "dépasse 10 Mo" in response.content.decode()


def test_an_attachment_is_downloaded_with_safe_headers(client: Any, cast: Any) -> None:
    karim_to_bernard(cast)
    client.force_login(cast.bernard)
    response = client.get(reverse("messaging:attachment", args=[KARIM_FILE]))
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_the_rules_page_saves_and_audits(client: Any, cast: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("messaging:rules", args=[cast.moulin.public_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"students_to_teachers": "on", "students_to_students": "on", "guardians_to_teachers": "on"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="messaging.rules.update")
    assert entry.after["students_to_students"] is True
    assert entry.after["read_receipts"] is False
    assert entry.after["guardians_to_direction"] is False


def test_the_panel_shows_unread_conversations(client: Any, cast: Any) -> None:
    karim_to_bernard(cast)
    client.force_login(cast.bernard)
    home = client.get(reverse("portal:home")).content.decode()
    assert "1 message non lu" in home and "Noah et les équations" in home


# -- speed -------------------------------------------------------------------------------------


def fill_inbox(cast: Any, count: int) -> None:
    for number in range(count):
        do_send_message(
            actor=actor(cast.karim if number % 2 else cast.garcia),
            subject=f"Message {number}",
            body="Bonjour",
            recipients=[cast.bernard],
            attachments=[],
        )


@pytest.mark.parametrize("count", [2, 30])
def test_inbox_query_budget(client: Any, cast: Any, count: int) -> None:
    fill_inbox(cast, count)
    client.force_login(cast.bernard)
    url = reverse("messaging:inbox")
    with query_budget(INBOX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("replies", [1, 12])
def test_conversation_query_budget(client: Any, cast: Any, replies: int) -> None:
    first = karim_to_bernard(cast)
    for number in range(replies):
        do_send_message(
            actor=actor(cast.bernard if number % 2 == 0 else cast.karim),
            subject="",
            body=f"Réponse {number}",
            recipients=[cast.karim if number % 2 == 0 else cast.bernard],
            reply_to=first,
        )
    client.force_login(cast.karim)
    with query_budget(CONVERSATION_QUERIES):
        response = client.get(reverse("messaging:conversation", args=[KARIM_CONVERSATION]))
    assert response.status_code == 200


# The user, their memberships, the establishment's service switches (3, every page); the
# unread count of the tabs, the page's count and the page itself, one indexed query.
INBOX_QUERIES = 6
# The 3 of every page; the conversation (access check), the actor's entries with their
# messages and senders, the attachments, the names of the « À » lines, the establishment's
# rules (read receipts), marking read, the unread count of the tabs.
CONVERSATION_QUERIES = 10


def test_a_teacher_sends_to_a_class_list_from_the_page(client: Any, cast: Any) -> None:
    client.force_login(cast.bernard)
    page = client.get(reverse("messaging:compose")).content.decode()
    assert "Responsables des élèves de 4e B" in page and "Tous les responsables" not in page
    code = f"guardians:{cast.class_4b.public_id}"
    response = send_page(client, {"subject": "Sortie", "body": "Bonjour", "lists": [code]})
    assert response.status_code == 302
    assert set(
        MessageRecipient.objects.filter(folder=Folder.INBOX).values_list(
            "person__username", flat=True
        )
    ) == {"parent.karim", "parent.sophie"}
    client.force_login(cast.garcia)
    response = send_page(
        client,
        {"subject": "Sortie", "body": "Bonjour", "lists": [f"guardians:{cast.class_3a.public_id}"]},
    )
    assert response.status_code == 400
    assert MessageRecipient.objects.filter(folder=Folder.INBOX).count() == 2


def test_sophie_writes_to_dupont_when_working_in_marie_curie(client: Any, cast: Any) -> None:
    from preau.core.actor import SESSION_ESTABLISHMENT_KEY

    client.force_login(cast.sophie)
    data = {"subject": "Hugo", "body": "Bonjour", "people": [str(cast.dupont.public_id)]}
    assert send_page(client, data).status_code == 400  # from Collège Jean Moulin
    session = client.session
    session[SESSION_ESTABLISHMENT_KEY] = str(cast.curie.public_id)
    session.save()
    assert send_page(client, data).status_code == 302
    entry = MessageRecipient.objects.get(person=cast.dupont)
    assert entry.establishment == cast.curie


def test_plain_text_with_a_comparison_keeps_its_paragraphs() -> None:
    from preau.messaging.content import sanitise_html

    assert sanitise_html("2 < 3\n\nC'est vrai.") == "<p>2 &lt; 3</p>\n\n<p>C'est vrai.</p>"
