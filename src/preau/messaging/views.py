"""Messaging pages: the folders, a conversation, compose / reply / forward / drafts, search,
files, the establishment's rules, and the abuse limits: reporting a message, the moderation
queue, suspensions (by person, by profile, in a whole academy) and ending a profile's sessions.

Every message is reached through messaging/policies.py; writes go through actions.py. Every
flow works without JavaScript: the recipient search is a submit button of the compose form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from preau.directory.policies import access_administered_establishment
from preau.messaging import actions, policies
from preau.messaging.content import editable_text
from preau.messaging.forms import (
    ComposeForm,
    EndSessionsForm,
    ProfileSwitchForm,
    ReportForm,
    RulesForm,
    establishment_people,
)
from preau.messaging.models import Attachment, Folder, Message, MessageRecipient, Suspension

PAGE_SIZE = 20
NAMES_SHOWN = 10

FOLDER_TITLES = {
    Folder.INBOX: gettext_lazy("Boîte de réception"),
    Folder.SENT: gettext_lazy("Messages envoyés"),
    Folder.DRAFTS: gettext_lazy("Brouillons"),
    Folder.TRASH: gettext_lazy("Corbeille"),
}


def _nav(actor: Any, current: str) -> dict[str, Any]:
    return {"current_folder": current, "unread": policies.unread_count(actor)}


def _writer(request: HttpRequest) -> Any:
    actor = request.actor
    if not policies.can_write(actor):
        raise Http404
    return actor


def _suspended(request: HttpRequest) -> HttpResponse | None:
    """The refusal page when the actor's messaging is suspended here, else None."""
    reason = policies.suspension_reason(request.actor)
    if not reason:
        return None
    return render(
        request,
        "messaging/suspended.html",
        {"reason": reason, **_nav(request.actor, "")},
        status=403,
    )


def _names(people_ids: set[int]) -> dict[int, str]:
    if not people_ids:
        return {}
    return {
        p.pk: p.get_full_name() or p.username
        for p in policies.User.objects.filter(pk__in=people_ids).only(
            "pk", "username", "first_name", "last_name"
        )
    }


def _addressees(message: Message, names: dict[int, str], limit: int) -> str:
    """The « À » line: lists by name, then people, then « et N autres »."""
    parts = [item["label"] for item in message.lists]
    people = message.people_ids
    parts += [names[pk] for pk in people[:limit] if pk in names]
    if len(people) > limit:
        parts.append(
            ngettext("et %(count)d autre", "et %(count)d autres", len(people) - limit)
            % {"count": len(people) - limit}
        )
    return ", ".join(parts)


@login_required
def folder(request: HttpRequest, folder: str) -> HttpResponse:
    """One folder, paginated, newest first. Queries: the page, its count, the unread count, the
    names on the « À » lines of sent messages."""
    actor = request.actor
    files = Attachment.objects.filter(message_id=OuterRef("message_id"))
    rows = (
        policies.folder_entries(actor, folder)
        .select_related("message__sender", "conversation")
        .annotate(has_files=Exists(files))
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if folder in (Folder.SENT, Folder.DRAFTS, Folder.TRASH):
        wanted = {pk for e in page for pk in e.message.people_ids[:3]}
        names = _names(wanted)
        for entry in page:
            entry.addressees = _addressees(entry.message, names, 3)
    return render(
        request,
        "messaging/folder.html",
        {"page": page, "folder": folder, "title": FOLDER_TITLES[folder], **_nav(actor, folder)},
    )


@login_required
def conversation(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A conversation: the actor's messages of it, oldest first; opening it marks them read."""
    actor = request.actor
    thread = policies.access_conversation(actor, public_id)
    entries = list(
        MessageRecipient.objects.filter(
            person=actor.user, conversation=thread, deleted_at__isnull=True
        )
        .select_related("message__sender")
        .order_by("message__sent_at", "message__created_at", "message__id")
    )
    message_ids = [e.message_id for e in entries]
    files: dict[int, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(message_id__in=message_ids):
        files.setdefault(attachment.message_id, []).append(attachment)
    names = _names({pk for e in entries for pk in e.message.people_ids[:NAMES_SHOWN]})
    own_sent = [
        e.message_id
        for e in entries
        if e.message.sender_id == actor.user.pk and not e.message.is_draft
    ]
    show_receipts = bool(own_sent) and policies.read_receipts_on(actor, thread.establishment)
    receipts: dict[int, int] = {}
    if show_receipts:
        receipts = dict(
            MessageRecipient.objects.filter(message_id__in=own_sent, read_at__isnull=False)
            .exclude(person=actor.user)
            .values_list("message_id")
            .annotate(n=Count("id"))
        )
    for entry in entries:
        entry.conversation = thread
        entry.files = files.get(entry.message_id, [])
        entry.addressees = _addressees(entry.message, names, NAMES_SHOWN)
        entry.read_by = receipts.get(entry.message_id, 0)
        entry.was_unread = entry.read_at is None
    if any(e.read_at is None for e in entries):
        actions.do_mark_read(actor=actor, conversation=thread)
    here = actor.establishment is not None and actor.establishment.pk == thread.establishment_id
    return render(
        request,
        "messaging/conversation.html",
        {
            "conversation": thread,
            "entries": entries,
            "can_reply": here,
            "show_receipts": show_receipts,
            **_nav(actor, ""),
        },
    )


def _delivery_lines(result: actions.SendResult) -> list[str]:
    lines = [
        ngettext(
            "Message envoyé à %(count)d destinataire.",
            "Message envoyé à %(count)d destinataires.",
            result.recipient_count,
        )
        % {"count": result.recipient_count}
    ]
    today = timezone.localdate()
    for delivery in result.deliveries:
        if not delivery.held:
            continue
        local = timezone.localtime(delivery.at)
        time = local.strftime("%H:%M")
        if local.date() == today:
            line = ngettext(
                "%(count)d destinataire le recevra à %(time)s (heures calmes).",
                "%(count)d destinataires le recevront à %(time)s (heures calmes).",
                delivery.count,
            ) % {"count": delivery.count, "time": time}
        else:
            line = ngettext(
                "%(count)d destinataire le recevra le %(date)s à %(time)s (heures calmes).",
                "%(count)d destinataires le recevront le %(date)s à %(time)s (heures calmes).",
                delivery.count,
            ) % {
                "count": delivery.count,
                "date": formats.date_format(local.date(), "l j F"),
                "time": time,
            }
        lines.append(line)
    return lines


def _compose(
    request: HttpRequest,
    *,
    title: str,
    chosen: list[Any] | None = None,
    lists: list[str] | None = None,
    subject: str = "",
    reply_to: Message | None = None,
    forward_of: Message | None = None,
    draft: Message | None = None,
    notice: str = "",
) -> HttpResponse:
    """The compose page and its three buttons: chercher, enregistrer le brouillon, envoyer."""
    actor = request.actor
    fixed_subject = reply_to is not None or (
        draft is not None
        and Message.objects.filter(
            conversation_id=draft.conversation_id, sent_at__isnull=False
        ).exists()
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    query = (request.POST.get("q") if request.method == "POST" else request.GET.get("q")) or ""
    status = 200
    if action == "search" or request.method == "GET":
        if action == "search":
            post = request.POST
            chosen = establishment_people(actor, post.getlist("people"))
            initial = {
                "subject": post.get("subject", ""),
                "body": post.get("body", ""),
                "people": [str(p.public_id) for p in chosen],
                "lists": post.getlist("lists"),
                "q": query,
                "urgent": bool(post.get("urgent")),
            }
        else:
            initial = {
                "subject": subject,
                "people": [str(p.public_id) for p in chosen or []],
                "lists": lists or [],
                "q": query,
                "body": editable_text(draft.body) if draft is not None else "",
                "urgent": draft.urgent if draft is not None else False,
            }
        form = ComposeForm(
            actor=actor,
            fixed_subject=fixed_subject,
            chosen=chosen,
            query=query,
            draft=draft,
            initial=initial,
        )
    else:
        form = ComposeForm(
            request.POST,
            request.FILES,
            actor=actor,
            fixed_subject=fixed_subject,
            query=query,
            draft=draft,
        )
        if form.is_valid():
            data = form.cleaned_data
            common = {
                "actor": actor,
                "subject": data.get("subject", ""),
                "body": data.get("body", ""),
                "recipients": form.chosen_people(),
                "lists": form.chosen_lists(),
                "attachments": data.get("attachments") or [],
                "urgent": data.get("urgent", False),
                "forward_of": forward_of,
            }
            if action == "draft":
                try:
                    saved = actions.do_save_draft(
                        reply_to=reply_to,
                        draft=draft,
                        remove_attachments=list(data.get("remove_attachments") or []),
                        **common,
                    )
                except actions.MessagingRefused as refused:
                    form.add_error(None, refused.message)
                else:
                    messages.success(request, _("Le brouillon est enregistré."))
                    return redirect("messaging:draft", public_id=saved.public_id)
            elif form.check_for_sending():
                try:
                    result = actions.do_send_message(reply_to=reply_to, draft=draft, **common)
                except actions.StepUpRequired as refused:
                    # Kept as a draft, sent from there once the code is given.
                    saved = actions.do_save_draft(reply_to=reply_to, draft=draft, **common)
                    messages.info(request, refused.message)
                    back = reverse("messaging:draft", kwargs={"public_id": saved.public_id})
                    query = urlencode({"next": back})
                    return redirect(f"{reverse('accounts:second_factor')}?{query}")
                except actions.MessagingRefused as refused:
                    form.add_error(None, refused.message)
                else:
                    for line in _delivery_lines(result):
                        messages.success(request, line)
                    return redirect(
                        "messaging:conversation", public_id=result.message.conversation.public_id
                    )
        status = 400
    return render(
        request,
        "messaging/compose.html",
        {
            "form": form,
            "title": title,
            "subject": reply_to.conversation.subject
            if reply_to is not None
            else (draft.conversation.subject if draft is not None and fixed_subject else ""),
            "forward_of": forward_of,
            "reply_to": reply_to,
            "draft": draft,
            "notice": notice,
            **_nav(actor, ""),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    _writer(request)
    return _suspended(request) or _compose(request, title=_("Nouveau message"))


def _reply_entry(request: HttpRequest, public_id: UUID) -> MessageRecipient:
    actor = _writer(request)
    entry = policies.access_entry(actor, public_id)
    if entry.message.is_draft:
        raise Http404
    return entry


def _reply(request: HttpRequest, public_id: UUID, *, everyone: bool) -> HttpResponse:
    actor = request.actor
    entry = _reply_entry(request, public_id)
    original = entry.message
    refusal = _suspended(request)
    if refusal is not None:
        return refusal
    if original.establishment_id != actor.establishment.pk:
        messages.error(
            request, _("Pour répondre, passez dans l'établissement de cette conversation.")
        )
        return redirect("messaging:conversation", public_id=original.conversation.public_id)
    targets = policies.reply_targets(actor, original, everyone=everyone)
    if not targets.people and not targets.lists:
        if targets.dropped:
            reason = policies.refusal_reason(actor, targets.dropped)
        else:
            reason = _("Ce message n'a pas de destinataire à qui vous pouvez répondre.")
        messages.error(request, _("Réponse impossible. %(reason)s") % {"reason": reason})
        return redirect("messaging:conversation", public_id=original.conversation.public_id)
    return _compose(
        request,
        title=_("Répondre à tous") if everyone else _("Répondre"),
        chosen=targets.people,
        lists=[item.code for item in targets.lists],
        reply_to=original,
        notice=targets.explanation(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _reply(request, public_id, everyone=False)


@login_required
@require_http_methods(["GET", "POST"])
def reply_all(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _reply(request, public_id, everyone=True)


@login_required
@require_http_methods(["GET", "POST"])
def forward(request: HttpRequest, public_id: UUID) -> HttpResponse:
    entry = _reply_entry(request, public_id)
    original = entry.message
    refusal = _suspended(request)
    if refusal is not None:
        return refusal
    return _compose(
        request,
        title=_("Transférer"),
        subject=_("TR : %(subject)s") % {"subject": original.conversation.subject},
        forward_of=original,
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _writer(request)
    entry = policies.access_draft(actor, public_id)
    message = entry.message
    if message.establishment_id != actor.establishment.pk:
        raise Http404
    refusal = _suspended(request)
    if refusal is not None:
        return refusal
    chosen = establishment_people(
        actor,
        [
            str(p)
            for p in policies.User.objects.filter(pk__in=message.people_ids).values_list(
                "public_id", flat=True
            )
        ],
    )
    return _compose(
        request,
        title=_("Brouillon"),
        chosen=chosen,
        lists=[item["code"] for item in message.lists],
        subject=message.conversation.subject,
        forward_of=message.forwarded_from,
        draft=message,
    )


def _entry_action(request: HttpRequest, public_id: UUID, do: Any, done: str) -> HttpResponse:
    actor = request.actor
    entry = policies.access_entry(actor, public_id)
    was = entry.folder
    do(actor=actor, entry=entry)
    messages.success(request, done)
    return redirect(f"messaging:{was}" if was in Folder.values else "messaging:inbox")


@login_required
@require_POST
def trash(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _entry_action(
        request, public_id, actions.do_move_to_trash, _("Message placé dans la corbeille.")
    )


@login_required
@require_POST
def restore(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _entry_action(request, public_id, actions.do_restore, _("Message restauré."))


@login_required
@require_POST
def delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _entry_action(
        request, public_id, actions.do_delete_for_good, _("Message supprimé définitivement.")
    )


@login_required
@require_POST
def unread(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _entry_action(
        request, public_id, actions.do_mark_unread, _("Message marqué comme non lu.")
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The actor's own messages (any folder but deleted) whose subject or text has every word."""
    actor = request.actor
    query = (request.GET.get("q") or "").strip()[:100]
    page = None
    if query:
        rows = MessageRecipient.objects.filter(
            person=actor.user, establishment=actor.establishment, deleted_at__isnull=True
        )
        for word in query.split()[:5]:
            rows = rows.filter(
                Q(conversation__subject__icontains=word) | Q(message__body__icontains=word)
            )
        rows = rows.select_related("message__sender", "conversation").order_by("-sort_at", "-id")
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "messaging/search.html",
        {"query": query, "page": page, "folders": dict(Folder.choices), **_nav(actor, "")},
    )


@login_required
def attachment(request: HttpRequest, public_id: UUID) -> HttpResponse:
    attached = policies.access_attachment(request.actor, public_id)
    response = FileResponse(
        attached.file.open("rb"),
        content_type=attached.content_type,
        as_attachment=True,
        filename=attached.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest, public_id: UUID) -> HttpResponse:
    establishment = access_administered_establishment(request.actor, public_id)
    current = policies.rules_of(establishment)
    form = RulesForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        actions.do_update_rules(
            actor=request.actor, establishment=establishment, values=form.cleaned_data
        )
        messages.success(request, _("Les règles de la messagerie sont enregistrées."))
        return redirect("messaging:rules", public_id=establishment.public_id)
    return render(
        request,
        "messaging/rules.html",
        {"establishment": establishment, "form": form},
        status=400 if form.is_bound else 200,
    )


# -- abuse limits ---------------------------------------------------------------------------------


@login_required
@require_POST
def report(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """« Signaler »: send a received message to the establishment's moderation."""
    actor = request.actor
    entry = policies.access_received_entry(actor, public_id)
    form = ReportForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    before = entry.message.reports.filter(reporter=actor.user).exists()
    actions.do_report_message(actor=actor, entry=entry, reason=reason)
    if before:
        messages.info(request, _("Vous avez déjà signalé ce message."))
    else:
        messages.success(
            request,
            _("Message signalé. La direction de l'établissement va l'examiner."),
        )
    return redirect("messaging:conversation", public_id=entry.message.conversation.public_id)


@login_required
def reports(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The moderation queue: the open reports and the reported messages, and only those.

    Queries: the 3 of every page, the establishment (access check), the page's count and the
    page itself (reports with their messages, senders and reporters)."""
    establishment = access_administered_establishment(request.actor, public_id)
    page = Paginator(policies.open_reports(establishment), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "messaging/reports.html", {"establishment": establishment, "page": page})


@login_required
@require_POST
def close_report(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = policies.access_report(request.actor, public_id)
    actions.do_close_report(actor=request.actor, report=found)
    messages.success(request, _("Signalement classé sans suite."))
    return redirect("messaging:reports", public_id=found.establishment.public_id)


@login_required
@require_POST
def suspend_sender(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = policies.access_report(request.actor, public_id)
    try:
        actions.do_suspend_sender(actor=request.actor, report=found)
    except actions.MessagingRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("La messagerie de l'expéditeur est suspendue dans cet établissement."),
        )
    return redirect("messaging:reports", public_id=found.establishment.public_id)


def _suspension_post(request: HttpRequest, establishment: Any) -> str:
    """Apply one of the suspension page's buttons; the confirmation to show, or ""."""
    actor = request.actor
    action = request.POST.get("action", "")
    if action == "profile":
        switch = ProfileSwitchForm(request.POST)
        if switch.is_valid():
            suspended = switch.cleaned_data["suspended"]
            actions.do_suspend_profile(
                actor=actor,
                establishment=establishment,
                profile=switch.cleaned_data["profile"],
                suspended=suspended,
            )
            if suspended:
                return _("La messagerie est suspendue pour ce profil.")
            return _("La messagerie est rétablie pour ce profil.")
    elif action == "lift":
        suspensions = Suspension.objects.filter(establishment=establishment, lifted_at__isnull=True)
        try:
            suspension = suspensions.select_related("person", "establishment").get(
                public_id=request.POST.get("suspension", "")
            )
        except (Suspension.DoesNotExist, ValueError, ValidationError) as exc:
            raise Http404 from exc
        actions.do_lift_suspension(actor=actor, suspension=suspension)
        return _("La suspension est levée.")
    elif action == "sessions":
        form = EndSessionsForm(request.POST, actor=actor)
        if form.is_valid():
            count = actions.do_end_profile_sessions(
                actor=actor, establishment=establishment, profile=form.cleaned_data["profile"]
            )
            return ngettext(
                "Les sessions de %(count)d compte sont fermées.",
                "Les sessions de %(count)d comptes sont fermées.",
                count,
            ) % {"count": count}
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def suspensions(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Suspend messaging for a profile or lift a person's suspension; end a profile's sessions."""
    actor = request.actor
    establishment = access_administered_establishment(actor, public_id)
    if request.method == "POST":
        done = _suspension_post(request, establishment)
        if not done:
            messages.error(request, _("Choisissez un profil."))
        else:
            messages.success(request, done)
        return redirect("messaging:suspensions", public_id=establishment.public_id)
    rules = policies.rules_of(establishment)
    stopped = policies.suspended_profiles(rules)
    labels = dict(ProfileSwitchForm.base_fields["profile"].choices)
    return render(
        request,
        "messaging/suspensions.html",
        {
            "establishment": establishment,
            "switches": [
                {"profile": key, "label": labels[key], "suspended": key in stopped}
                for key in policies.SUSPENDABLE_PROFILES
            ],
            "people": list(policies.active_suspensions(establishment)),
            "sessions_form": EndSessionsForm(actor=actor),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def academy_suspend(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """An academy administrator suspends (or restores) messaging for a profile in every
    establishment of the academy at once."""
    actor = request.actor
    academy = policies.access_managed_academy(actor, public_id)
    form = ProfileSwitchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        suspended = form.cleaned_data["suspended"]
        changed = actions.do_suspend_profile_in_academy(
            actor=actor, academy=academy, profile=form.cleaned_data["profile"], suspended=suspended
        )
        if suspended:
            done = ngettext(
                "Messagerie suspendue pour ce profil dans %(count)d établissement.",
                "Messagerie suspendue pour ce profil dans %(count)d établissements.",
                changed,
            )
        else:
            done = ngettext(
                "Messagerie rétablie pour ce profil dans %(count)d établissement.",
                "Messagerie rétablie pour ce profil dans %(count)d établissements.",
                changed,
            )
        messages.success(request, done % {"count": changed})
        return redirect("messaging:academy_suspend", public_id=academy.public_id)
    establishments = list(academy.establishments.select_related("messaging_rules").order_by("name"))
    rows = []
    for establishment in establishments:
        rules = getattr(establishment, "messaging_rules", None)
        stopped = policies.suspended_profiles(rules) if rules is not None else set()
        rows.append({"establishment": establishment, "stopped": stopped})
    return render(
        request,
        "messaging/academy_suspend.html",
        {"academy": academy, "rows": rows, "form": form},
        status=400 if form.is_bound else 200,
    )
