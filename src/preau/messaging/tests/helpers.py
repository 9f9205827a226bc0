"""Shared helpers of the messaging tests: actors of the cast and fixed-id messages."""

from __future__ import annotations

import uuid
from typing import Any

from preau.core.actor import SESSION_ESTABLISHMENT_KEY, Actor
from preau.demo.cast import Cast
from preau.messaging.actions import do_save_draft, do_send_message
from preau.messaging.content import CheckedFile
from preau.messaging.models import Attachment, Conversation, Message

KARIM_CONVERSATION = uuid.UUID("7a1e0c55-6d0b-4f7e-9b1a-3c2d4e5f0001")
KARIM_MESSAGE = uuid.UUID("7a1e0c55-6d0b-4f7e-9b1a-3c2d4e5f0002")
KARIM_FILE = uuid.UUID("7a1e0c55-6d0b-4f7e-9b1a-3c2d4e5f0003")
KARIM_DRAFT = uuid.UUID("7a1e0c55-6d0b-4f7e-9b1a-3c2d4e5f0004")

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def actor(person: Any, establishment: Any = None) -> Actor:
    """The person as they act, working in ``establishment`` (their first one by default)."""
    session = {SESSION_ESTABLISHMENT_KEY: str(establishment.public_id)} if establishment else {}
    return Actor(person, session)


def karim_to_bernard(cast: Cast) -> Message:
    """Karim writes to Bernard about Noah, with a PDF, under fixed public ids."""
    result = do_send_message(
        actor=actor(cast.karim),
        subject="Noah et les équations",
        body="Bonjour, Noah n'a pas compris l'exercice 3.",
        recipients=[cast.bernard],
        attachments=[CheckedFile(PDF_BYTES, "mot.pdf", "pdf", "application/pdf")],
    )
    message = result.message
    Conversation.objects.filter(pk=message.conversation_id).update(public_id=KARIM_CONVERSATION)
    Message.objects.filter(pk=message.pk).update(public_id=KARIM_MESSAGE)
    Attachment.objects.filter(message=message).update(public_id=KARIM_FILE)
    message.refresh_from_db()
    return message


def karim_draft(cast: Cast) -> Message:
    draft = do_save_draft(
        actor=actor(cast.karim), subject="Brouillon", body="À finir", recipients=[cast.bernard]
    )
    Message.objects.filter(pk=draft.pk).update(public_id=KARIM_DRAFT)
    draft.refresh_from_db()
    return draft


KARIM_REPORT = uuid.UUID("7a1e0c55-6d0b-4f7e-9b1a-3c2d4e5f0005")


def bernard_reports_karim(cast: Cast) -> Any:
    """Bernard reports Karim's message to the moderation of Collège Jean Moulin."""
    from preau.messaging.actions import do_report_message
    from preau.messaging.models import MessageRecipient, Report

    message = karim_to_bernard(cast)
    entry = MessageRecipient.objects.select_related("message", "establishment").get(
        message=message, person=cast.bernard
    )
    report = do_report_message(actor=actor(cast.bernard), entry=entry, reason="Ton déplacé")
    Report.objects.filter(pk=report.pk).update(public_id=KARIM_REPORT)
    report.refresh_from_db()
    return report
