"""Pages of the report cards. Views find objects through the policies (404 otherwise), parse
forms and call the actions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from preau.core.actor import selected_child
from preau.directory.models import GroupMembership, Period, Subject, TeachingGroup
from preau.directory.policies import get_or_404
from preau.reportcards import actions, policies, selectors
from preau.reportcards.models import (
    GENERAL_COMMENT_MAX,
    SUBJECT_COMMENT_MAX,
    ClassCouncil,
    CouncilDecision,
    ReportCard,
)
from preau.reportcards.pdf import card_pdfs, filename


def _messages(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


# -- index -----------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Staff: the councils of the year. Families: the published report cards of every year."""
    actor = request.actor
    if actor.establishment is not None and (
        policies.reads_establishment(actor) or actor.is_teacher
    ):
        year = actor.school_year
        councils = list(selectors.year_councils(policies.visible_councils(actor), year))
        periods = (
            selectors.year_periods(actor.establishment.pk, year) if policies.directs(actor) else []
        )
        return render(
            request,
            "reportcards/index.html",
            {"councils": councils, "periods": periods, "directs": policies.directs(actor)},
        )
    # A guardian looks at a child; anyone else at their own report cards (a student's).
    child = selected_child(request, actor) if actor.children else None
    student = child.student if child is not None else actor.user
    cards = list(policies.family_cards(student.pk))
    return render(
        request,
        "reportcards/family.html",
        {"cards": cards, "student": student, "child": child, "children": actor.children},
    )


@login_required
@require_POST
def open_period(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The head opens the councils of every class for a period."""
    actor = request.actor
    if not policies.directs(actor):
        raise Http404
    period = get_or_404(
        Period.objects.filter(establishment=actor.establishment, school_year=actor.school_year),
        public_id,
    )
    count = actions.do_open_period(actor=actor, period=period)
    messages.success(
        request,
        _("Saisie des bulletins ouverte pour %(count)d classe(s).") % {"count": count},
    )
    return redirect("reportcards:index")


# -- a council -------------------------------------------------------------------------------------


@login_required
def council(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    found = policies.access_council(actor, public_id)
    subjects = selectors.council_subjects(found)
    counts = selectors.comment_counts(found)
    mine = policies.taught_subject_ids(actor, found)
    reads_all = policies.reads_establishment(actor)
    cards = selectors.council_cards(found)
    mine_groups = policies.taught_group_subjects(actor, found)
    groups = []
    for grid in selectors.council_groups(found):
        grid.mine = (grid.group.pk, grid.subject.pk) in mine_groups
        if reads_all or grid.mine:
            groups.append(grid)
    return render(
        request,
        "reportcards/council.html",
        {
            "council": found,
            "subjects": [
                (s, counts.get(s.pk, 0), s.pk in mine)
                for s in subjects
                if reads_all or s.pk in mine
            ],
            "groups": groups,
            "cards": cards,
            "general": policies.can_read_general(actor, found),
            "decides": policies.can_decide(actor, found),
            "progress": selectors.pdf_progress(found) if found.is_published else None,
        },
    )


def _cells_from_post(
    request: HttpRequest, cells: list[selectors.Cell]
) -> list[actions.CommentInput]:
    entries = []
    for cell in cells:
        key = str(cell.card.public_id)
        if f"text-{key}" not in request.POST:
            continue
        cell.text = request.POST.get(f"text-{key}", "")
        cell.original = request.POST.get(f"original-{key}", "")
        cell.version = _int(request.POST.get(f"version-{key}"))
        entries.append(actions.CommentInput(cell.card, cell.text, cell.version, cell.original))
    return entries


@login_required
def subject_grid(request: HttpRequest, public_id: UUID, subject_id: UUID) -> HttpResponse:
    """A subject's comments for every student of the class: one form, saved at once (plain
    form), each cell also saved as it is typed (htmx)."""
    actor = request.actor
    found = policies.access_council(actor, public_id)
    subject = policies.access_council_subject(actor, found, subject_id)
    return _grid(
        request,
        found,
        subject,
        None,
        writes=policies.can_write_subject(actor, found, subject),
        would_write=subject.pk in policies.taught_subject_ids(actor, found),
    )


@login_required
def group_grid(
    request: HttpRequest, public_id: UUID, group_id: UUID, subject_id: UUID
) -> HttpResponse:
    """A group subject's comments for the students of the class who are in the group: the
    same grid, each class council keeping its own lock."""
    actor = request.actor
    found = policies.access_council(actor, public_id)
    group, subject = policies.access_council_group(actor, found, group_id, subject_id)
    return _grid(
        request,
        found,
        subject,
        group,
        writes=policies.can_write_group(actor, found, group, subject),
        would_write=(group.pk, subject.pk) in policies.taught_group_subjects(actor, found),
    )


def _grid_url(council: ClassCouncil, subject: Subject, group: TeachingGroup | None) -> str:
    if group is None:
        return reverse("reportcards:subject", args=[council.public_id, subject.public_id])
    return reverse(
        "reportcards:group", args=[council.public_id, group.public_id, subject.public_id]
    )


def _grid(
    request: HttpRequest,
    found: ClassCouncil,
    subject: Subject,
    group: TeachingGroup | None,
    *,
    writes: bool,
    would_write: bool,
) -> HttpResponse:
    if request.method == "POST" and not writes:
        return _closed(request, found, would_write)
    cells = selectors.subject_cells(found, subject, group)
    status = 200
    if request.method == "POST":
        entries = _cells_from_post(request, cells)
        try:
            actions.do_save_subject_comments(
                actor=request.actor, council=found, subject=subject, entries=entries, group=group
            )
        except actions.GridRefused as refused:
            status = 400
            for cell in cells:
                key = str(cell.card.public_id)
                cell.error = refused.errors.get(key, "")
                current = refused.current.get(key)
                if current is not None:
                    # The typed text stays in the box; the other version is shown beside it,
                    # and the next save goes over it.
                    cell.conflict = current.text
                    cell.version = current.version
                    cell.original = current.text
        else:
            messages.success(request, _("Appréciations enregistrées."))
            return redirect(_grid_url(found, subject, group))
    return render(
        request,
        "reportcards/subject.html",
        {
            "council": found,
            "subject": subject,
            "group": group,
            "cells": cells,
            "writes": writes,
            "limit": SUBJECT_COMMENT_MAX,
        },
        status=status,
    )


def _closed(request: HttpRequest, council: ClassCouncil, would_write: bool) -> HttpResponse:
    """A write refused: a clear word to whoever writes here while the council is in draft,
    404 to anyone else."""
    if not would_write:
        raise Http404
    messages.error(request, _("La saisie de ces bulletins est close : rien n'a été enregistré."))
    return redirect("reportcards:council", public_id=council.public_id)


@login_required
@require_POST
def subject_cell(
    request: HttpRequest, public_id: UUID, subject_id: UUID, card_id: UUID
) -> HttpResponse:
    """Autosave of one cell (htmx): the cell again, saved or with why it was not."""
    actor = request.actor
    found = policies.access_council(actor, public_id)
    subject = policies.access_council_subject(actor, found, subject_id)
    cards = ReportCard.objects.filter(council=found)
    return _save_cell(
        request,
        found,
        subject,
        None,
        get_or_404(cards.select_related("student"), card_id),
        writes=policies.can_write_subject(actor, found, subject),
        would_write=subject.pk in policies.taught_subject_ids(actor, found),
    )


@login_required
@require_POST
def group_cell(
    request: HttpRequest, public_id: UUID, group_id: UUID, subject_id: UUID, card_id: UUID
) -> HttpResponse:
    """Autosave of one cell of a group's grid: only a report card of a student of the group."""
    actor = request.actor
    found = policies.access_council(actor, public_id)
    group, subject = policies.access_council_group(actor, found, group_id, subject_id)
    cards = ReportCard.objects.filter(
        council=found,
        student_id__in=GroupMembership.objects.filter(group=group).values("student_id"),
    )
    return _save_cell(
        request,
        found,
        subject,
        group,
        get_or_404(cards.select_related("student"), card_id),
        writes=policies.can_write_group(actor, found, group, subject),
        would_write=(group.pk, subject.pk) in policies.taught_group_subjects(actor, found),
    )


def _save_cell(
    request: HttpRequest,
    found: ClassCouncil,
    subject: Subject,
    group: TeachingGroup | None,
    card: ReportCard,
    *,
    writes: bool,
    would_write: bool,
) -> HttpResponse:
    if not writes:
        if not would_write:
            raise Http404
        # The council was validated while the teacher typed: said in the box's status.
        cell = selectors.Cell(card, "", -1, "")
        cell.error = _("La saisie de ces bulletins est close : rien n'a été enregistré.")
        return render(request, "reportcards/_cell_status.html", {"cell": cell})
    key = str(card.public_id)
    text = request.POST.get(f"text-{key}", "")
    cell = selectors.Cell(card, text, _int(request.POST.get(f"version-{key}")), text)
    try:
        written = actions.do_save_subject_comments(
            actor=request.actor,
            council=found,
            subject=subject,
            entries=[actions.CommentInput(card, text, cell.version)],
            group=group,
        )
    except actions.GridRefused as refused:
        cell.error = refused.errors.get(key, "")
        current = refused.current.get(key)
        if current is not None:
            cell.conflict = current.text
            cell.version = current.version
    else:
        cell.saved = True
        if written:
            cell.version = written[0].version
    return render(
        request,
        "reportcards/_cell_saved.html",
        {
            "council": found,
            "subject": subject,
            "group": group,
            "cell": cell,
            "writes": True,
            "limit": SUBJECT_COMMENT_MAX,
        },
    )


# -- general comments and the council's decisions --------------------------------------------------


def _general_rows(found: ClassCouncil) -> list[dict[str, Any]]:
    return [
        {
            "card": card,
            "comment": card.general_comment,
            "decision": card.decision,
            "version": card.version,
            "original": card.general_comment,
            "original_decision": card.decision,
            "error": "",
        }
        for card in selectors.council_cards(found)
    ]


@login_required
def general_grid(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    found = policies.access_council(actor, public_id)
    if not policies.can_read_general(actor, found):
        raise Http404
    writes = policies.can_write_general(actor, found)
    rows = _general_rows(found)
    status = 200
    if request.method == "POST" and not writes:
        return _closed(
            request, found, policies.is_head_teacher(actor, found) or policies.directs(actor)
        )
    if request.method == "POST":
        entries = []
        for row in rows:
            key = str(row["card"].public_id)
            if f"comment-{key}" not in request.POST:
                continue
            row["comment"] = request.POST.get(f"comment-{key}", "")
            row["decision"] = request.POST.get(f"decision-{key}", "")
            row["version"] = _int(request.POST.get(f"version-{key}"))
            original = (
                request.POST.get(f"original-{key}", ""),
                request.POST.get(f"original_decision-{key}", ""),
            )
            entries.append(
                actions.GeneralInput(
                    row["card"], row["comment"], row["decision"], row["version"], original
                )
            )
        try:
            actions.do_save_general(actor=actor, council=found, entries=entries)
        except actions.GridRefused as refused:
            status = 400
            for row in rows:
                key = str(row["card"].public_id)
                row["error"] = refused.errors.get(key, "")
                current = refused.current.get(key)
                if current is not None:
                    row["conflict"] = current.general_comment
                    row["version"] = current.version
                    row["original"] = current.general_comment
                    row["original_decision"] = current.decision
        else:
            messages.success(request, _("Appréciations générales enregistrées."))
            return redirect("reportcards:general", public_id=found.public_id)
    return render(
        request,
        "reportcards/general.html",
        {
            "council": found,
            "rows": rows,
            "writes": writes,
            "decisions": CouncilDecision.choices,
            "limit": GENERAL_COMMENT_MAX,
        },
        status=status,
    )


# -- validation and publication --------------------------------------------------------------------


def _decision_view(action: Any, done: str) -> Any:
    @login_required
    @require_POST
    def view(request: HttpRequest, public_id: UUID) -> HttpResponse:
        actor = request.actor
        found = policies.access_council(actor, public_id)
        if not policies.can_decide(actor, found):
            raise Http404
        try:
            action(actor=actor, council=found)
        except ValidationError as exc:
            messages.error(request, _messages(exc))
        else:
            messages.success(request, _(done))
        return redirect("reportcards:council", public_id=found.public_id)

    return view


validate = _decision_view(actions.do_validate, "Bulletins validés : la saisie est close.")
reopen = _decision_view(actions.do_reopen, "Saisie rouverte.")
publish = _decision_view(
    actions.do_publish, "Bulletins publiés : les PDF sont en cours de préparation."
)


@login_required
def progress(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """How far the PDFs of a published council are (htmx polls it until complete)."""
    found = policies.access_council(request.actor, public_id)
    return render(
        request,
        "reportcards/_progress.html",
        {"council": found, "progress": selectors.pdf_progress(found)},
    )


# -- one report card -------------------------------------------------------------------------------


@login_required
def card(request: HttpRequest, public_id: UUID) -> HttpResponse:
    from preau.reportcards.figures import class_figures

    found = policies.access_card(request.actor, public_id)
    figures = class_figures(found.council, [found])[found.pk]
    return render(
        request,
        "reportcards/card.html",
        {"card": found, "council": found.council, "figures": figures},
    )


@login_required
def card_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The stored PDF of a published report card (stored now if its task has not yet); for staff
    before publication, a preview made on the fly."""
    found = policies.access_card(request.actor, public_id)
    if found.council.is_published:
        if not found.pdf:
            found = actions.do_store_pdf(found)
        content: Any = found.pdf.open("rb")
    else:
        content = card_pdfs(found.council, [found])[found.pk]
    response = (
        FileResponse(
            content, content_type="application/pdf", as_attachment=True, filename=filename(found)
        )
        if not isinstance(content, bytes)
        else HttpResponse(content, content_type="application/pdf")
    )
    if isinstance(content, bytes):
        response["Content-Disposition"] = f'attachment; filename="{_ascii(filename(found))}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _ascii(name: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
