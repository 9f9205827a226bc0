"""Drop box pages: the lists, one drop box as each person sees it, the forms and the files.

Every drop box is reached through dropbox/policies.py; files are streamed after that check,
never from a public media URL. Views parse input and call the actions.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from preau.core.actor import Actor, selected_child
from preau.core.uploads import MIB
from preau.dropbox import actions, files, policies, selectors
from preau.dropbox.archive import stream_zip
from preau.dropbox.forms import DeleteForm, DropBoxForm, HandInForm, ReturnForm
from preau.dropbox.models import DropBox, FileRole
from preau.dropbox.policies import Role

PAGE_SIZE = 20
RELATED = ("school_class", "group", "subject", "teacher")


def _page(request: HttpRequest, queryset: Any, param: str) -> Any:
    boxes = queryset.select_related(*RELATED).order_by("-deadline", "-id")
    return Paginator(boxes, PAGE_SIZE).get_page(request.GET.get(param))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The drop boxes of each of the person's roles: opened, to hand in, a child's, the school's."""
    actor = request.actor
    context: dict[str, Any] = {"can_open": policies.can_open_drop_box(actor)}
    if actor.is_teacher:
        boxes = selectors.with_counts(policies.teacher_drop_boxes(actor))
        context["teacher_page"] = _page(request, boxes, "page")
    if actor.is_student:
        boxes = selectors.with_own_status(policies.student_drop_boxes(actor), actor.user)
        page = _page(request, boxes, "page")
        selectors.label_statuses(page.object_list)
        context["student_page"] = page
    if actor.is_guardian and actor.children:
        child = selected_child(request, actor)
        boxes = selectors.with_own_status(policies.child_drop_boxes(actor, child), child.student)
        page = _page(request, boxes, "cpage")
        selectors.label_statuses(page.object_list)
        context.update(
            child=child,
            children=actor.children,
            child_page=page,
            child_extra=f"&child={child.public_id}",
        )
    if policies.is_overseer(actor):
        boxes = selectors.with_counts(policies.establishment_drop_boxes(actor))
        context["establishment_page"] = _page(request, boxes, "epage")
    return render(request, "dropbox/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not policies.can_open_drop_box(actor):
        raise Http404
    form = DropBoxForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        box = actions.do_open_drop_box(
            actor=actor,
            establishment=actor.establishment,
            audience=data["audience"],
            title=data["title"],
            instructions=data["instructions"],
            subject=data.get("subject"),
            opens_at=data.get("opens_at"),
            deadline=data["deadline"],
            accepts_late=data.get("accepts_late", False),
            max_files=data["max_files"],
        )
        messages.success(request, _("Le casier est ouvert."))
        return redirect("dropbox:detail", public_id=box.public_id)
    return render(request, "dropbox/form.html", {"form": form, "box": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    box = policies.access_managed_drop_box(actor, public_id)
    form = DropBoxForm(request.POST or None, actor=actor, box=box)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.do_update_drop_box(
            actor=actor,
            box=box,
            title=data["title"],
            instructions=data["instructions"],
            subject=data.get("subject"),
            opens_at=data["opens_at"],
            deadline=data["deadline"],
            accepts_late=data.get("accepts_late", False),
            max_files=data["max_files"],
        )
        messages.success(request, _("Le casier est modifié."))
        return redirect("dropbox:detail", public_id=box.public_id)
    return render(request, "dropbox/form.html", {"form": form, "box": box})


@login_required
@require_POST
def close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    box = policies.access_managed_drop_box(actor, public_id)
    closed = request.POST.get("closed", "1") == "1"
    actions.do_close_drop_box(actor=actor, box=box, closed=closed)
    messages.success(
        request, _("Le casier est fermé.") if closed else _("Le casier est ouvert à nouveau.")
    )
    return redirect("dropbox:detail", public_id=box.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    box = policies.access_managed_drop_box(actor, public_id)
    handed_in, file_count = actions.handed_in_counts(box)
    form = DeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_delete_drop_box(
                actor=actor, box=box, delete_work=form.cleaned_data["delete_work"]
            )
        except actions.HandInRefused as refusal:
            form.add_error("delete_work", refusal.message)
        else:
            messages.success(request, _("Le casier est supprimé."))
            return redirect("dropbox:index")
    return render(
        request,
        "dropbox/delete.html",
        {"box": box, "form": form, "handed_in": handed_in, "file_count": file_count},
    )


# -- one drop box, as each person sees it ------------------------------------------------------


def _student_context(actor: Actor, box: DropBox, form: HandInForm | None = None) -> dict:
    submission = box.submissions.filter(student=actor.user).first()
    own = list(submission.files.all()) if submission is not None else []
    status = selectors.status_of(
        box,
        submission.submitted_at if submission else None,
        submission.returned_at if submission else None,
    )
    work = [f for f in own if f.role == FileRole.WORK]
    for f in work:
        f.withdrawable = not box.is_past_deadline() or (
            box.accepts_late and f.created_at > box.deadline
        )
    returned = submission is not None and submission.returned_at is not None
    accepting = box.accepts_hand_ins() and not returned and len(work) < box.max_files
    return {
        "box": box,
        "submission": submission,
        "status": status,
        "status_label": selectors.STATUS_LABELS[status],
        "work": work,
        "corrections": [f for f in own if f.role == FileRole.CORRECTION],
        "changeable": box.closed_at is None and not returned,
        "accepting": accepting,
        "form": form or HandInForm(),
        "remaining": box.max_files - len(work),
    }


@login_required
def detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    box = policies.access_drop_box(actor, public_id)
    role = policies.role_for(actor, box)
    if role == Role.STUDENT:
        return render(request, "dropbox/detail_student.html", _student_context(actor, box))
    if role == Role.GUARDIAN:
        students = policies.box_students(box).filter(pk__in=list(actor.child_ids))
        rows = selectors.roster(box, students=students)
        return render(request, "dropbox/detail_guardian.html", {"box": box, "rows": rows})
    rows = selectors.roster(box)
    context = {
        "box": box,
        "rows": rows,
        "summary": selectors.summary(rows),
        "manages": role == Role.TEACHER,
    }
    if role == Role.TEACHER:
        actions.do_mark_seen(actor=actor, box=box)
    return render(request, "dropbox/detail_teacher.html", context)


@csrf_exempt  # checked below, once the size is known to be acceptable
@login_required
@require_POST
def hand_in(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    box = policies.access_drop_box(actor, public_id)
    if policies.role_for(actor, box) != Role.STUDENT:
        raise Http404
    # A request far over what the drop box takes is refused from its announced length, before
    # its body is read (the CSRF check would read it: it comes next).
    limit = box.max_files * files.max_file_bytes() + MIB
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        messages.error(
            request,
            _("Ces fichiers sont trop lourds : %(size)s Mo au plus chacun.")
            % {"size": files.max_file_bytes() // MIB},
        )
        return redirect("dropbox:detail", public_id=box.public_id)
    return _receive_hand_in(request, box)


@csrf_protect
def _receive_hand_in(request: HttpRequest, box: DropBox) -> HttpResponse:
    actor = request.actor
    form = HandInForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.do_hand_in(actor=actor, box=box, files=form.cleaned_data["files"])
        except actions.HandInRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("Votre travail est déposé."))
        return redirect("dropbox:detail", public_id=box.public_id)
    return render(
        request, "dropbox/detail_student.html", _student_context(actor, box, form), status=400
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, public_id: UUID, file_id: UUID) -> HttpResponse:
    actor = request.actor
    box = policies.access_drop_box(actor, public_id)
    if policies.role_for(actor, box) != Role.STUDENT:
        raise Http404
    file = policies.access_own_work_file(actor, box, file_id)
    try:
        actions.do_withdraw_file(actor=actor, box=box, file=file)
    except actions.HandInRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Le fichier est retiré de votre dépôt."))
    return redirect("dropbox:detail", public_id=box.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def student(request: HttpRequest, public_id: UUID, student_id: UUID) -> HttpResponse:
    """The teacher's page of one student's hand-in, where the work is returned."""
    actor = request.actor
    box = policies.access_managed_drop_box(actor, public_id)
    person = policies.access_box_student(box, student_id)
    row = selectors.roster(box, students=[person])[0]
    corrections = box.submissions.none()
    if row.submission is not None:
        corrections = row.submission.files.filter(role=FileRole.CORRECTION)
    initial = {"feedback": row.submission.feedback} if row.submission else {}
    posted = request.method == "POST"
    form = ReturnForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        corrections=corrections,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.do_return_work(
            actor=actor,
            box=box,
            student=person,
            feedback=data["feedback"],
            corrections=data["corrections"],
            remove_corrections=list(data.get("remove_corrections") or []),
        )
        messages.success(request, _("Le travail est rendu à l'élève."))
        return redirect("dropbox:detail", public_id=box.public_id)
    return render(request, "dropbox/student.html", {"box": box, "row": row, "form": form})


# -- files -----------------------------------------------------------------------------------------


@login_required
def download(request: HttpRequest, public_id: UUID, file_id: UUID) -> HttpResponse:
    actor = request.actor
    box = policies.access_drop_box(actor, public_id)
    file = policies.access_file(actor, box, policies.role_for(actor, box), file_id)
    response = FileResponse(
        file.file.open("rb"),
        content_type=file.content_type,
        as_attachment=True,
        filename=file.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def archive(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Every student's files in one ZIP, by student folder, streamed."""
    box = policies.access_managed_drop_box(request.actor, public_id)
    response = StreamingHttpResponse(
        stream_zip(selectors.all_work_files(box).iterator(chunk_size=200)),
        content_type="application/zip",
    )
    name = slugify(box.title) or "casier"
    response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
