"""Changes to messages: send, save a draft, trash, restore, read state, the rules, and the
abuse limits (reports, suspensions, ending a profile's sessions).

Sending checks every recipient against the establishment's rules first: one forbidden
recipient refuses the whole message, naming them, and nothing is written. So does a suspended
sender, and a send that would take the sender over their recipients per hour. Recipients'
entries are inserted with one INSERT … SELECT whatever their number. Urgent messages (head and
CPE only) and mass sends are audited, without their subject or body: messages are private.
Reports, suspensions and ended sessions are audited too, never with a message's text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from preau.accounts.backends import forget_users
from preau.accounts.twofactor import step_up_needed
from preau.audit.actions import record, snapshot
from preau.core.actor import ADMIN_FUNCTIONS
from preau.directory.models import STAFF_PROFILES, Academy, Establishment, Membership
from preau.messaging import policies
from preau.messaging.content import CheckedFile, sanitise_html
from preau.messaging.models import (
    Attachment,
    Conversation,
    Folder,
    Message,
    MessageRecipient,
    MessagingRules,
    Report,
    ReportOutcome,
    ReportStatus,
    Suspension,
)
from preau.portal.panel_cache import forget_panels

MASS_SEND_THRESHOLD = 30
SUBJECT_MAX = 200


class MessagingRefused(Exception):
    """The message cannot be sent; ``message`` says why, in the sender's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StepUpRequired(MessagingRefused):
    """A mass send from a new device: the sender gives their second factor again first
    (accounts.twofactor.step_up_needed). Nothing was sent."""


@dataclass(frozen=True)
class Delivery:
    """How many recipients are notified at a time: now, or at the end of quiet hours."""

    at: datetime
    count: int
    held: bool


@dataclass
class SendResult:
    message: Message
    recipient_count: int
    deliveries: list[Delivery] = field(default_factory=list)


def _addressed(people: Iterable[Any], lists: Iterable[policies.RecipientList]) -> dict:
    return {
        "people": sorted({p.pk for p in people}),
        "lists": [{"code": item.code, "label": item.label} for item in lists],
    }


def _store_attachments(message: Message, files: Iterable[CheckedFile]) -> None:
    for checked in files:
        attachment = Attachment(
            establishment=message.establishment,
            message=message,
            original_name=checked.original_name,
            size=checked.size,
            content_type=checked.content_type,
        )
        attachment.file.save(f"file.{checked.extension}", ContentFile(checked.content), save=False)
        attachment.save()


def _copy_attachments(source: Message, target: Message) -> None:
    Attachment.objects.bulk_create(
        [
            Attachment(
                establishment=target.establishment,
                message=target,
                file=a.file.name,
                original_name=a.original_name,
                size=a.size,
                content_type=a.content_type,
            )
            for a in source.attachments.all()
        ]
    )


def _forwarded_body(body: str, original: Message) -> str:
    """The sender's words, then the forwarded message quoted (both already sanitised)."""
    sender = original.sender.get_full_name() if original.sender else ""
    when = timezone.localtime(original.sent_at or original.created_at)
    header = _("Message transféré de %(sender)s, le %(date)s :") % {
        "sender": sender,
        "date": when.strftime("%d/%m/%Y %H:%M"),
    }
    return (
        f"{body}<blockquote><p><em>{escape(header)}</em></p>"
        f"<p><strong>{escape(original.conversation.subject)}</strong></p>"
        f"{original.body}</blockquote>"
    )


def _insert_entries(message: Message, recipients: Any, sort_at: datetime) -> None:
    """One entry in « Réception » per recipient, in one statement (INSERT … SELECT)."""
    chosen = recipients.annotate(chosen_id=F("pk")).values_list("chosen_id").order_by()
    select_sql, params = chosen.query.sql_with_params()
    table = connection.ops.quote_name(MessageRecipient._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(c)
        for c in (
            "establishment_id",
            "message_id",
            "conversation_id",
            "folder",
            "previous_folder",
            "sort_at",
            "person_id",
        )
    )
    sql = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names are ours, values are parameters
        f"SELECT %s, %s, %s, %s, %s, %s, chosen.chosen_id FROM ({select_sql}) chosen"
    )
    values = [
        message.establishment_id,
        message.pk,
        message.conversation_id,
        Folder.INBOX.value,
        "",
        connection.ops.adapt_datetimefield_value(sort_at),
        *params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def _deliveries(notifications: list[Any], now: datetime) -> list[Delivery]:
    times = Counter(n.deliver_at for n in notifications)
    return [
        Delivery(at=at, count=count, held=at > now + timedelta(minutes=1))
        for at, count in sorted(times.items())
    ]


def _notify(actor: Any, message: Message, people: list[Any], now: datetime) -> list[Delivery]:
    from preau.notifications.actions import notify

    sender = actor.user.get_full_name() or actor.user.username
    title = _("Nouveau message de %(sender)s") % {"sender": sender}
    if message.urgent:
        title = _("Urgent : %(title)s") % {"title": title}
    notifications = notify(
        recipients=people,
        establishment=message.establishment,
        kind="message",
        title=title,
        body=message.conversation.subject,
        url=reverse("messaging:conversation", args=[message.conversation.public_id]),
        urgent=message.urgent,
        actor=actor,
        now=now,
    )
    return _deliveries(notifications, now)


def resolve_recipients(
    *, actor: Any, recipients: Iterable[Any], lists: Iterable[policies.RecipientList | str]
) -> tuple[list[Any], list[policies.RecipientList], Any]:
    """The lists the actor may use and the queryset of everyone reached; raises
    MessagingRefused, naming them, when a person or a list is not allowed (2 queries)."""
    lists = list(lists)
    if lists and not actor.is_staff_member:
        # Whatever the establishment's rules: a student or a guardian never mass mails.
        raise MessagingRefused(_("Seuls les personnels peuvent écrire à une liste."))
    usable = policies.lists_by_code(actor)
    chosen_lists = []
    for item in lists:
        code = item if isinstance(item, str) else item.code
        if code not in usable:
            label = code if isinstance(item, str) else item.label
            raise MessagingRefused(
                _("Vous ne pouvez pas écrire à la liste « %(list)s ».") % {"list": label}
            )
        chosen_lists.append(usable[code])
    people = list({p.pk: p for p in recipients}.values())
    allowed = policies.allowed_recipients(actor)
    if people:
        permitted = set(allowed.filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))
        forbidden = [p for p in people if p.pk not in permitted]
        if forbidden:
            raise MessagingRefused(
                _("Message non envoyé. %(reason)s")
                % {"reason": policies.refusal_reason(actor, forbidden)}
            )
    condition = Q(pk__in=[p.pk for p in people])
    for item in chosen_lists:
        condition |= item.condition
    return people, chosen_lists, allowed.filter(condition)


def _refuse_if_suspended(actor: Any) -> None:
    reason = policies.suspension_reason(actor)
    if reason:
        raise MessagingRefused(reason)


def _check_hourly_limit(actor: Any, count: int, now: datetime) -> None:
    """Refuse, saying how many recipients are left and when, a send of ``count`` recipients
    that would take the actor over their limit per hour (1 query)."""
    limit = policies.hourly_limit(actor)
    sends = policies.recent_sends(actor, now)
    left = max(limit - sum(reached for _sent_at, reached in sends), 0)
    if count <= left:
        return
    if count > limit:
        raise MessagingRefused(
            ngettext(
                "Message non envoyé : vous pouvez écrire à %(limit)d destinataire par heure au "
                "plus, et ce message en compte %(count)d.",
                "Message non envoyé : vous pouvez écrire à %(limit)d destinataires par heure au "
                "plus, et ce message en compte %(count)d.",
                limit,
            )
            % {"limit": limit, "count": count}
        )
    if left:
        first = ngettext(
            "Message non envoyé : vous ne pouvez plus écrire qu'à %(left)d destinataire cette "
            "heure-ci, et ce message en compte %(count)d.",
            "Message non envoyé : vous ne pouvez plus écrire qu'à %(left)d destinataires cette "
            "heure-ci, et ce message en compte %(count)d.",
            left,
        ) % {"left": left, "count": count}
    else:
        first = ngettext(
            "Message non envoyé : vous avez atteint la limite de %(limit)d destinataire par heure.",
            "Message non envoyé : vous avez atteint la limite de %(limit)d destinataires par "
            "heure.",
            limit,
        ) % {"limit": limit}
    needed, freed, when = count - left, 0, now + policies.LIMIT_WINDOW
    for sent_at, reached in sends:
        freed += reached
        if freed >= needed:
            when = sent_at + policies.LIMIT_WINDOW
            break
    second = _("Vous pourrez l'envoyer à partir de %(time)s.") % {
        "time": timezone.localtime(when).strftime("%H:%M")
    }
    raise MessagingRefused(f"{first} {second}")


def do_send_message(
    *,
    actor: Any,
    subject: str,
    body: str,
    recipients: Iterable[Any] = (),
    lists: Iterable[policies.RecipientList | str] = (),
    attachments: Iterable[CheckedFile] = (),
    urgent: bool = False,
    reply_to: Message | None = None,
    forward_of: Message | None = None,
    draft: Message | None = None,
    now: datetime | None = None,
) -> SendResult:
    """Send a message in the actor's current establishment; a draft, if given, becomes it.

    A reply joins the conversation of ``reply_to``; anything else starts one. A forward quotes
    ``forward_of`` and carries its attachments. Refused (MessagingRefused, nothing written) when
    a recipient or a list is not allowed, when nobody is reached, or when a person other than
    the head or the CPE marks it urgent; when the sender's messaging is suspended; when the
    recipients would take the sender over their limit per hour.
    """
    establishment = actor.establishment
    if establishment is None:
        raise MessagingRefused(_("Vous n'écrivez depuis aucun établissement."))
    _refuse_if_suspended(actor)
    if urgent and not policies.can_mark_urgent(actor):
        raise MessagingRefused(
            _("Seuls le chef d'établissement et le CPE peuvent marquer un message urgent.")
        )
    started_in = reply_to or draft
    if started_in is not None and started_in.establishment_id != establishment.pk:
        raise MessagingRefused(
            _("Pour répondre, passez dans l'établissement de cette conversation.")
        )
    subject = (subject or "").strip()[:SUBJECT_MAX]
    if reply_to is None and draft is None and not subject:
        raise MessagingRefused(_("Donnez un objet au message."))
    people, chosen_lists, reached = resolve_recipients(
        actor=actor, recipients=recipients, lists=lists
    )
    chosen = list(reached.only("pk", "username", "first_name", "last_name"))
    if not chosen:
        raise MessagingRefused(_("Choisissez au moins un destinataire à qui vous pouvez écrire."))
    if len(chosen) > MASS_SEND_THRESHOLD and step_up_needed(actor):
        raise StepUpRequired(
            _(
                "Cet envoi à de nombreux destinataires part d'un appareil nouveau pour votre "
                "compte : confirmez d'abord votre identité avec un code."
            )
        )
    now = now or timezone.now()
    text = sanitise_html(body)
    if forward_of is not None:
        text = _forwarded_body(text, forward_of)
    with transaction.atomic():
        # One send at a time per sender, so that parallel requests cannot pass the limit together.
        list(policies.User.objects.select_for_update().filter(pk=actor.user.pk).values_list("pk"))
        _check_hourly_limit(actor, len(chosen), now)
        if reply_to is not None:
            conversation = reply_to.conversation
        elif draft is not None:
            conversation = draft.conversation
            if (
                subject
                and not Message.objects.filter(
                    conversation=conversation, sent_at__isnull=False
                ).exists()
            ):
                conversation.subject = subject
                conversation.created_at = now
                conversation.save(update_fields=["subject", "created_at"])
        else:
            conversation = Conversation.objects.create(
                establishment=establishment, subject=subject, created_at=now, created_by=actor.user
            )
        message = draft or Message(establishment=establishment, sender=actor.user)
        message.conversation = conversation
        message.body = text
        message.addressed_to = _addressed(people, chosen_lists)
        message.recipient_count = len(chosen)
        message.sent_at = now
        message.urgent = urgent
        message.forwarded_from = forward_of
        if draft is None:
            message.created_at = now
            message.save()
            MessageRecipient.objects.create(
                establishment=establishment,
                message=message,
                conversation=conversation,
                person=actor.user,
                folder=Folder.SENT,
                sort_at=now,
                read_at=now,
            )
        else:
            message.save(
                update_fields=[
                    "conversation",
                    "body",
                    "addressed_to",
                    "recipient_count",
                    "sent_at",
                    "urgent",
                    "forwarded_from",
                ]
            )
            MessageRecipient.objects.filter(message=message, person=actor.user).update(
                conversation=conversation, folder=Folder.SENT, previous_folder="", sort_at=now
            )
        _insert_entries(message, reached, now)
        _store_attachments(message, attachments)
        if forward_of is not None:
            _copy_attachments(forward_of, message)
        if urgent:
            record(
                actor=actor,
                establishment=establishment,
                action="messaging.message.urgent",
                target=message,
                after={"recipients": len(chosen)},
            )
        if len(chosen) > MASS_SEND_THRESHOLD:
            record(
                actor=actor,
                establishment=establishment,
                action="messaging.message.mass_send",
                target=message,
                after={
                    "recipients": len(chosen),
                    "lists": [item.label for item in chosen_lists],
                },
            )
        forget_panels("messaging", [person.pk for person in chosen])
        deliveries = _notify(actor, message, chosen, now)
    return SendResult(message=message, recipient_count=len(chosen), deliveries=deliveries)


def do_save_draft(
    *,
    actor: Any,
    subject: str,
    body: str,
    recipients: Iterable[Any] = (),
    lists: Iterable[policies.RecipientList] = (),
    attachments: Iterable[CheckedFile] = (),
    remove_attachments: Iterable[Attachment] = (),
    urgent: bool = False,
    reply_to: Message | None = None,
    forward_of: Message | None = None,
    draft: Message | None = None,
) -> Message:
    """Keep a message unsent in « Brouillons »; its recipients are checked when it is sent."""
    establishment = actor.establishment
    if establishment is None:
        raise MessagingRefused(_("Vous n'écrivez depuis aucun établissement."))
    _refuse_if_suspended(actor)
    subject = (subject or "").strip()[:SUBJECT_MAX]
    now = timezone.now()
    with transaction.atomic():
        if draft is not None:
            message = draft
            conversation = message.conversation
            if not Message.objects.filter(
                conversation=conversation, sent_at__isnull=False
            ).exists():
                conversation.subject = subject or _("(sans objet)")
                conversation.save(update_fields=["subject"])
        else:
            if reply_to is not None:
                conversation = reply_to.conversation
            else:
                conversation = Conversation.objects.create(
                    establishment=establishment,
                    subject=subject or _("(sans objet)"),
                    created_at=now,
                    created_by=actor.user,
                )
            message = Message(
                establishment=establishment,
                conversation=conversation,
                sender=actor.user,
                created_at=now,
            )
        message.body = sanitise_html(body)
        message.addressed_to = _addressed(recipients, lists)
        message.urgent = urgent and policies.can_mark_urgent(actor)
        message.forwarded_from = forward_of if draft is None else message.forwarded_from
        if draft is None:
            message.save()
            MessageRecipient.objects.create(
                establishment=establishment,
                message=message,
                conversation=conversation,
                person=actor.user,
                folder=Folder.DRAFTS,
                sort_at=now,
                read_at=now,
            )
        else:
            message.save(update_fields=["body", "addressed_to", "urgent"])
            MessageRecipient.objects.filter(message=message, person=actor.user).update(sort_at=now)
        removed = [a.pk for a in remove_attachments if a.message_id == message.pk]
        if removed:
            Attachment.objects.filter(pk__in=removed).delete()
        _store_attachments(message, attachments)
    return message


def do_move_to_trash(*, actor: Any, entry: MessageRecipient) -> None:
    if entry.folder == Folder.TRASH:
        return
    entry.previous_folder = entry.folder
    entry.folder = Folder.TRASH
    entry.save(update_fields=["folder", "previous_folder"])
    forget_panels("messaging", [entry.person_id])


def do_restore(*, actor: Any, entry: MessageRecipient) -> None:
    if entry.folder != Folder.TRASH:
        return
    entry.folder = entry.previous_folder or (
        Folder.SENT if entry.message.sender_id == entry.person_id else Folder.INBOX
    )
    entry.previous_folder = ""
    entry.save(update_fields=["folder", "previous_folder"])
    forget_panels("messaging", [entry.person_id])


def do_delete_for_good(*, actor: Any, entry: MessageRecipient) -> None:
    """Hide an entry of the trash for good; the other participants keep their copies."""
    if entry.folder != Folder.TRASH:
        return
    entry.deleted_at = timezone.now()
    entry.save(update_fields=["deleted_at"])
    forget_panels("messaging", [entry.person_id])


def do_mark_read(*, actor: Any, conversation: Conversation) -> int:
    """Mark every unread entry of the actor in the conversation read (one query)."""
    marked = MessageRecipient.objects.filter(
        person=actor.user, conversation=conversation, read_at__isnull=True
    ).update(read_at=timezone.now())
    if marked:
        forget_panels("messaging", [actor.user.pk])
    return marked


def do_mark_unread(*, actor: Any, entry: MessageRecipient) -> None:
    if entry.read_at is not None:
        entry.read_at = None
        entry.save(update_fields=["read_at"])
        forget_panels("messaging", [entry.person_id])


def do_update_rules(*, actor: Any, establishment: Establishment, values: dict) -> MessagingRules:
    """Set who may write to whom in the establishment, and the recipients per hour by profile
    (kept when ``values`` does not give them; audited)."""
    fields = [*MessagingRules.FIELDS, *MessagingRules.LIMIT_FIELDS]
    with transaction.atomic():
        rules = _locked_rules(establishment)
        before = snapshot(rules, fields) if rules.pk else None
        for name in MessagingRules.FIELDS:
            setattr(rules, name, bool(values.get(name, False)))
        for name in MessagingRules.LIMIT_FIELDS:
            if values.get(name) is not None:
                setattr(rules, name, int(values[name]))
        if rules.pk:
            rules.save(update_fields=[*fields, "updated_at"])
        else:
            rules.save()
        record(
            actor=actor,
            establishment=establishment,
            action="messaging.rules.update",
            target=establishment,
            before=before,
            after=snapshot(rules, fields),
        )
    return rules


def _locked_rules(establishment: Establishment) -> MessagingRules:
    rules = MessagingRules.objects.select_for_update().filter(establishment=establishment).first()
    return rules or MessagingRules(establishment=establishment)


# -- reports -------------------------------------------------------------------------------------


def _administrators(establishment: Establishment, school_year: Any) -> list[int]:
    """Head, deputies and ENT administrators of the establishment this year (1 query)."""
    holders = (
        Membership.objects.filter(
            establishment=establishment, school_year=school_year, is_active=True
        )
        .exclude(functions=[])
        .values_list("person_id", "functions")
    )
    return sorted({person for person, held in holders if set(held) & ADMIN_FUNCTIONS})


def do_report_message(*, actor: Any, entry: MessageRecipient, reason: str = "") -> Report:
    """Report a message the actor received to the moderation of its establishment (audited,
    its administrators notified). Reporting it again changes nothing."""
    from preau.notifications.actions import notify

    message = entry.message
    if message.is_draft or message.sender_id == actor.user.pk or entry.person_id != actor.user.pk:
        raise MessagingRefused(_("Vous ne pouvez signaler qu'un message que vous avez reçu."))
    establishment = entry.establishment
    with transaction.atomic():
        report, created = Report.objects.get_or_create(
            message=message,
            reporter=actor.user,
            defaults={"establishment": establishment, "reason": (reason or "").strip()[:1000]},
        )
        if created:
            record(
                actor=actor,
                establishment=establishment,
                action="messaging.report.create",
                target=report,
                after={"message": str(message.public_id)},
            )
            administrators = _administrators(establishment, actor.school_year)
            if administrators:
                notify(
                    recipients=list(policies.User.objects.filter(pk__in=administrators)),
                    establishment=establishment,
                    kind="message",
                    title=_("Un message a été signalé"),
                    body=_("Un destinataire a signalé un message reçu dans la messagerie."),
                    url=reverse("messaging:reports", args=[establishment.public_id]),
                    actor=actor,
                )
    return report


def _close(report: Report, actor: Any, outcome: str, now: Any) -> None:
    report.status = ReportStatus.CLOSED
    report.outcome = outcome
    report.handled_by = actor.user
    report.handled_at = now
    report.save(update_fields=["status", "outcome", "handled_by", "handled_at"])


def do_close_report(*, actor: Any, report: Report) -> None:
    """Dismiss a report (audited)."""
    if report.status == ReportStatus.CLOSED:
        return
    with transaction.atomic():
        _close(report, actor, ReportOutcome.DISMISSED, timezone.now())
        record(
            actor=actor,
            establishment=report.establishment,
            action="messaging.report.close",
            target=report,
            after={"outcome": ReportOutcome.DISMISSED.value},
        )


def do_suspend_sender(*, actor: Any, report: Report) -> Suspension:
    """Suspend the messaging of the reported message's sender in the report's establishment,
    and close every open report of their messages there (audited)."""
    sender_id = report.message.sender_id
    if sender_id is None or sender_id == actor.user.pk:
        raise MessagingRefused(_("Vous ne pouvez pas suspendre l'expéditeur de ce message."))
    establishment = report.establishment
    now = timezone.now()
    with transaction.atomic():
        suspension = Suspension.objects.filter(
            establishment=establishment, person_id=sender_id, lifted_at__isnull=True
        ).first()
        if suspension is None:
            suspension = Suspension.objects.create(
                establishment=establishment,
                person_id=sender_id,
                report=report,
                created_at=now,
                created_by=actor.user,
            )
        _close(report, actor, ReportOutcome.SUSPENDED, now)
        others = Report.objects.filter(
            establishment=establishment, status=ReportStatus.OPEN, message__sender_id=sender_id
        ).update(
            status=ReportStatus.CLOSED,
            outcome=ReportOutcome.SUSPENDED,
            handled_by=actor.user,
            handled_at=now,
        )
        record(
            actor=actor,
            establishment=establishment,
            action="messaging.person.suspend",
            target=suspension,
            after={
                "person": str(report.message.sender.public_id),
                "report": str(report.public_id),
                "reports_closed": others + 1,
            },
        )
    return suspension


def do_lift_suspension(*, actor: Any, suspension: Suspension) -> None:
    """Let a suspended person write again in the establishment (audited)."""
    if suspension.lifted_at is not None:
        return
    with transaction.atomic():
        suspension.lifted_at = timezone.now()
        suspension.lifted_by = actor.user
        suspension.save(update_fields=["lifted_at", "lifted_by"])
        record(
            actor=actor,
            establishment=suspension.establishment,
            action="messaging.person.lift",
            target=suspension,
            after={"person": str(suspension.person.public_id)},
        )


# -- suspensions by profile and sessions ----------------------------------------------------------


def _suspension_field(profile: str) -> str:
    field_name = MessagingRules.SUSPENSION_FIELDS.get(profile)
    if field_name is None:
        raise MessagingRefused(
            _("La messagerie ne se suspend que pour les élèves ou les responsables.")
        )
    return field_name


def do_suspend_profile(
    *, actor: Any, establishment: Establishment, profile: str, suspended: bool
) -> bool:
    """Suspend (or restore) messaging at once for every student or every guardian of the
    establishment; staff are never suspended by profile. Audited; False when nothing changed."""
    field_name = _suspension_field(profile)
    with transaction.atomic():
        rules = _locked_rules(establishment)
        if getattr(rules, field_name) == suspended:
            return False
        setattr(rules, field_name, suspended)
        if rules.pk:
            rules.save(update_fields=[field_name, "updated_at"])
        else:
            rules.save()
        record(
            actor=actor,
            establishment=establishment,
            action="messaging.profile.suspend" if suspended else "messaging.profile.restore",
            target=establishment,
            before={"profile": profile, "suspended": not suspended},
            after={"profile": profile, "suspended": suspended},
        )
    return True


def do_suspend_profile_in_academy(
    *, actor: Any, academy: Academy, profile: str, suspended: bool
) -> int:
    """Suspend (or restore) messaging for a profile in every establishment of an academy, at
    once; one audit row in each establishment that changed. Returns how many changed."""
    field_name = _suspension_field(profile)
    establishments = Establishment.objects.filter(academy=academy)
    with transaction.atomic():
        MessagingRules.objects.bulk_create(
            [
                MessagingRules(establishment_id=pk)
                for pk in establishments.exclude(messaging_rules__isnull=False).values_list(
                    "pk", flat=True
                )
            ],
            ignore_conflicts=True,
        )
        changing = MessagingRules.objects.select_for_update().filter(
            establishment__in=establishments, **{field_name: not suspended}
        )
        changed = list(changing.select_related("establishment"))
        MessagingRules.objects.filter(pk__in=[rules.pk for rules in changed]).update(
            **{field_name: suspended}, updated_at=timezone.now()
        )
        for rules in changed:
            record(
                actor=actor,
                establishment=rules.establishment,
                action="messaging.profile.suspend" if suspended else "messaging.profile.restore",
                target=rules.establishment,
                before={"profile": profile, "suspended": not suspended},
                after={"profile": profile, "suspended": suspended, "academy": academy.code},
            )
    return len(changed)


def do_end_profile_sessions(*, actor: Any, establishment: Establishment, profile: str) -> int:
    """End every session of every active account holding ``profile`` in the establishment this
    year: each is logged out at its next request (User.session_epoch). Staff profiles only by
    Préau's own administrators; nor then anyone who is also staff here, nor the actor.
    Audited with the count; returns it."""
    if profile not in policies.session_profiles(actor):
        raise MessagingRefused(
            _("Seuls les administrateurs de Préau ferment les sessions des personnels.")
        )
    year = actor.school_year
    members = Membership.objects.filter(
        establishment=establishment, school_year=year, is_active=True
    )
    accounts = policies.User.objects.filter(
        pk__in=members.filter(profile=profile).values("person_id"),
        is_active=True,
        is_superuser=False,
        is_staff=False,
    ).exclude(pk=actor.user.pk)
    if profile not in STAFF_PROFILES:
        accounts = accounts.exclude(
            pk__in=members.filter(profile__in=STAFF_PROFILES).values("person_id")
        )
    with transaction.atomic():
        ids = list(accounts.values_list("pk", flat=True))
        count = policies.User.objects.filter(pk__in=accounts.values("pk")).update(
            session_epoch=F("session_epoch") + 1
        )
        forget_users(ids)
        record(
            actor=actor,
            establishment=establishment,
            action="messaging.profile.end_sessions",
            target=establishment,
            after={"profile": profile, "accounts": count},
        )
    return count
