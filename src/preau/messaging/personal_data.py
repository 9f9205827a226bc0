"""A person's messages, for the export of their data (preau.privacy).

Every message the person may read: those they sent, received or drafted and have not deleted
for good (their own ``MessageRecipient`` rows), with the sender and the subject; and the
attachments of the messages they sent. Attachments they received are someone else's files and
stay out: the message's metadata names them.
"""

from typing import Any

from django.db.models import F

from preau.messaging.models import Attachment, MessageRecipient
from preau.privacy.registry import FileEntry, PersonalData, rows, safe_name


def export(person: Any) -> PersonalData:
    entries = (
        MessageRecipient.objects.filter(person=person, deleted_at__isnull=True)
        .order_by("sort_at", "pk")
        .values(
            "folder",
            "read_at",
            identifiant=F("message__public_id"),
            fil=F("conversation__public_id"),
            sujet=F("conversation__subject"),
            expediteur_prenom=F("message__sender__first_name"),
            expediteur_nom=F("message__sender__last_name"),
            nombre_de_destinataires=F("message__recipient_count"),
            envoye_le=F("message__sent_at"),
            texte=F("message__body"),
            etablissement=F("establishment__name"),
        )
    )
    sent = Attachment.objects.filter(message__sender=person).order_by("pk")
    attachments = sent.values(
        "original_name",
        "size",
        "content_type",
        "created_at",
        identifiant=F("public_id"),
        du_message=F("message__public_id"),
    )
    return PersonalData(
        records={"messages": rows(entries), "pieces_jointes_envoyees": rows(attachments)},
        files=_files(sent),
    )


def _files(attachments: Any) -> Any:
    for attachment in attachments.only("public_id", "file", "original_name", "created_at").iterator(
        chunk_size=200
    ):
        yield FileEntry(
            name=f"pieces-jointes/{attachment.public_id}-{safe_name(attachment.original_name)}",
            open=attachment.file.open,
            modified=attachment.created_at,
        )
