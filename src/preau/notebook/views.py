"""Pages of the notebook. Views find entries through the policies (404 otherwise), parse forms
and call the actions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from preau.core.actor import selected_child
from preau.core.forms import apply_action
from preau.notebook import actions, policies, selectors
from preau.notebook.forms import KIND_FILTERS, AskForm, ReplyForm, SettingsForm, WriteForm

PAGE_SIZE = 25


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Each person's own entry: a guardian's child's notebook, a student's own, the staff's
    sends and the families' messages."""
    actor = request.actor
    child = selected_child(request, actor)
    if child is not None and not policies.can_write(actor):
        return redirect("notebook:student", student_id=child.public_id)
    if actor.is_student:
        return redirect("notebook:student", student_id=actor.user.public_id)
    if not policies.can_write(actor):
        raise Http404
    return render(
        request,
        "notebook/index.html",
        {
            "sends": selectors.send_summaries(actor),
            "inbox": selectors.family_inbox(actor),
            "school_life": policies.is_school_life(actor),
        },
    )


@login_required
def student(request: HttpRequest, student_id: UUID) -> HttpResponse:
    """A student's notebook: every entry the reader may see, those to sign first."""
    actor = request.actor
    pupil = policies.access_notebook_student(actor, student_id)
    kind = request.GET.get("kind", "")
    entries = selectors.filtered(policies.visible_entries(actor).filter(student=pupil), kind)
    page = Paginator(selectors.for_listing(selectors.unsigned_first(entries)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    family = pupil.pk in actor.child_ids
    return render(
        request,
        "notebook/student.html",
        {
            "student": pupil,
            "page": page,
            "kind": kind,
            "kinds": KIND_FILTERS,
            "family": family,
            "children": actor.children if family else [],
            "can_write": policies.can_write(actor) and not family and pupil != actor.user,
            "own": pupil == actor.user,
        },
    )


def _printable(request: HttpRequest, student_id: UUID) -> dict[str, Any]:
    actor = request.actor
    pupil = policies.access_notebook_student(actor, student_id)
    entries = selectors.for_listing(
        selectors.unsigned_first(
            policies.visible_entries(actor).filter(student=pupil, school_year=actor.school_year)
        )
    )
    return {"student": pupil, "entries": list(entries), "printed_at": timezone.now()}


@login_required
def printable(request: HttpRequest, student_id: UUID) -> HttpResponse:
    """The notebook to print, with a signature area under each entry (families without
    internet get it on paper)."""
    return render(request, "notebook/print.html", _printable(request, student_id))


@login_required
def pdf(request: HttpRequest, student_id: UUID) -> HttpResponse:
    context = _printable(request, student_id)
    html = render_to_string("notebook/print.html", {**context, "pdf": True}, request=request)
    # Imported here: WeasyPrint loads its fonts and libraries on import, which only this needs.
    from weasyprint import HTML

    document = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(document, content_type="application/pdf")
    name = f"carnet-{context['student'].last_name}-{context['student'].first_name}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def entry(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    obj = policies.access_entry(actor, public_id)
    now = timezone.now()
    staff = policies.is_staff_reader(actor, obj)
    signs = obj.needs_signature
    # Each legal guardian, signed or not, for the staff (and for a family asked for every
    # signature); else the signatures given.
    statuses = selectors.guardian_statuses(obj) if signs and (staff or obj.every_guardian) else []
    signatures = (
        [s.signature for s in statuses if s.signature]
        if statuses
        else list(obj.signatures.select_related("guardian"))
        if signs
        else []
    )
    return render(
        request,
        "notebook/entry.html",
        {
            "entry": obj,
            "staff": staff,
            "family": policies.is_family(actor, obj),
            "statuses": statuses,
            "signatures": signatures,
            "attachments": list(obj.attachments.all()),
            "replies": list(obj.replies.select_related("author")),
            "can_sign": policies.can_sign(actor, obj),
            "can_answer": policies.can_answer(actor, obj, now),
            "can_reply": policies.can_reply(actor, obj),
            "reply_form": ReplyForm(),
            "signed_by_me": any(s.guardian_id == actor.user.pk for s in signatures),
        },
    )


@login_required
@require_POST
def sign(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    obj = policies.access_entry(actor, public_id)
    if not policies.can_sign(actor, obj):
        raise Http404
    actions.do_sign(actor=actor, entry=obj)
    messages.success(request, _("Votre signature est enregistrée."))
    return redirect("notebook:entry", public_id=obj.public_id)


@login_required
@require_POST
def answer(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    obj = policies.access_entry(actor, public_id)
    if not policies.is_family(actor, obj) or not obj.is_authorisation:
        raise Http404
    value = request.POST.get("answer")
    if value not in ("yes", "no"):
        messages.error(request, _("Répondez par oui ou par non."))
    else:
        try:
            actions.do_answer(actor=actor, entry=obj, answer=value == "yes")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Votre réponse est enregistrée."))
    return redirect("notebook:entry", public_id=obj.public_id)


@login_required
@require_POST
def reply(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    obj = policies.access_entry(actor, public_id)
    if not policies.can_reply(actor, obj):
        raise Http404
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Écrivez votre réponse."))
    else:
        try:
            actions.do_reply(actor=actor, entry=obj, text=form.cleaned_data["text"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Votre réponse est envoyée."))
    return redirect("notebook:entry", public_id=obj.public_id)


@login_required
def write(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not policies.can_write(actor):
        raise Http404
    initial = {name: request.GET[name] for name in ("student", "measure") if request.GET.get(name)}
    if initial:
        initial.setdefault("kind", "discipline" if "measure" in initial else "information")
    form = WriteForm(request.POST or None, request.FILES or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        entries = apply_action(
            form,
            lambda: actions.do_write(
                actor=actor,
                students=form.students(),
                data=form.entry_data(),
                audience=form.audience(),
                attachments=form.cleaned_data["attachments"],
            ),
        )
        if entries:
            messages.success(
                request,
                _("Le mot est envoyé aux responsables de %(count)s élève(s).")
                % {"count": len(entries)},
            )
            if entries[0].batch is not None:
                return redirect("notebook:batch", batch=entries[0].batch)
            return redirect("notebook:entry", public_id=entries[0].public_id)
    return render(request, "notebook/write.html", {"form": form})


@login_required
def ask(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not actor.children:
        raise Http404
    child = selected_child(request, actor)
    form = AskForm(
        request.POST or None,
        request.FILES or None,
        actor=actor,
        initial={"child": str(child.public_id) if child else ""},
    )
    if request.method == "POST" and form.is_valid():
        created = apply_action(
            form,
            lambda: actions.do_ask(
                actor=actor,
                student=form.student(),
                kind=form.cleaned_data["kind"],
                recipient=form.cleaned_data["recipient"],
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                guardians_only=form.cleaned_data["guardians_only"],
                attachments=form.cleaned_data["attachments"],
            ),
        )
        if created is not None:
            messages.success(request, _("Votre mot est envoyé à l'établissement."))
            return redirect("notebook:entry", public_id=created.public_id)
    return render(request, "notebook/ask.html", {"form": form})


@login_required
def batch(request: HttpRequest, batch: UUID) -> HttpResponse:
    return _batch_page(request, batch)


def _batch_page(request: HttpRequest, batch: UUID) -> HttpResponse:
    """A class send: per student, who has signed and who has not, and the answers."""
    entries = policies.access_batch(request.actor, batch)
    rows = selectors.batch_rows(entries)
    first = entries[0]
    return render(
        request,
        "notebook/batch.html",
        {
            "first": first,
            "rows": rows,
            "signed": sum(1 for r in rows if r.entry.signed_at is not None),
            "yes": sum(1 for r in rows if r.entry.answer is True),
            "no": sum(1 for r in rows if r.entry.answer is False),
        },
    )


@login_required
def open_batch(request: HttpRequest, batch: UUID) -> HttpResponse:
    """Where a class send's notification leads: a family to their child's entry, its author
    (or school life) to the send's signatures."""
    actor = request.actor
    found = (
        policies.visible_entries(actor)
        .filter(batch=batch, student__in=actor.child_ids)
        .order_by("student__first_name")
        .values_list("public_id", flat=True)
        .first()
    )
    if found is not None:
        return redirect("notebook:entry", public_id=found)
    return _batch_page(request, batch)


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
def settings_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_settings_establishment(actor, public_id)
    form = SettingsForm(
        request.POST or None, initial={"reminder_days": actions.reminder_delay(establishment)}
    )
    if request.method == "POST" and form.is_valid():
        actions.do_update_settings(
            actor=actor,
            establishment=establishment,
            reminder_days=form.cleaned_data["reminder_days"],
        )
        messages.success(request, _("Le délai de relance est enregistré."))
        return redirect("notebook:settings", establishment.public_id)
    return render(request, "notebook/settings.html", {"establishment": establishment, "form": form})
