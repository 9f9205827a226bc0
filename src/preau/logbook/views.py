"""Logbook pages. Every object is reached through logbook/policies.py (or the timetable's);
files are streamed after that check, never from a public media URL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from preau.core.actor import Actor, Child, selected_child
from preau.directory.models import Subject
from preau.logbook import actions, policies, selectors
from preau.logbook.forms import CopyForm, EntryForm, HomeworkForm, SettingsForm, VisaForm
from preau.logbook.models import Attachment, Entry, Homework, HomeworkDone
from preau.timetable.policies import access_lesson, is_lesson_teacher, lessons_between
from preau.timetable.schoolcalendar import monday_of

PAGE_SIZE = 20
LESSON_RELATED = ("lesson__subject", "lesson__school_class", "lesson__group")


def _guardian_child(request: HttpRequest, actor: Actor) -> Child | None:
    """The child looked at; a homework notice links with ?class= to the child in that class."""
    if actor.home_kind != "guardian":
        return None  # without reading anyone's children
    preferred = _child_in_class(actor, request.GET.get("class", ""))
    return selected_child(request, actor, preferred=preferred)


def _child_in_class(actor: Actor, class_id: str) -> str:
    """The guardian's child enrolled in that class (a homework notice links with ?class=)."""
    for child in actor.children:
        if any(str(e.school_class.public_id) == class_id for e in child.enrolments):
            return str(child.public_id)
    return ""


def _week(request: HttpRequest) -> date:
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    return monday_of(day)


def _entries_page(request: HttpRequest, entries: Any) -> Any:
    """Entries newest first with their lesson, files and homework: 4 queries a page."""
    subject = request.GET.get("subject", "")
    if subject:
        entries = entries.filter(lesson__subject__public_id=_uuid_or_404(subject))
    entries = (
        entries.select_related(*LESSON_RELATED)
        .prefetch_related(
            "attachments",
            Prefetch(
                "lesson__homework",
                queryset=Homework.objects.select_related("subject").prefetch_related("attachments"),
            ),
        )
        .order_by("-lesson__start", "-id")
    )
    return Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))


def _uuid_or_404(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError as exc:
        raise Http404 from exc


def _subjects(entries: Any) -> Any:
    return Subject.objects.filter(pk__in=entries.values("lesson__subject_id")).order_by("label")


# -- the reader's pages ---------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Students and guardians: the class's logbook. Teachers: their week's lessons."""
    actor = request.actor
    if actor.home_kind in ("student", "guardian"):
        return _reader_logbook(request, actor)
    if actor.is_teacher:
        return _teacher_week(request, actor)
    classes = policies.logbook_classes(actor)
    if not actor.sees_whole_establishment:
        raise Http404
    return render(
        request,
        "logbook/staff.html",
        {"classes": classes.select_related("level").order_by("level__order", "name")},
    )


def _reader_logbook(request: HttpRequest, actor: Actor) -> HttpResponse:
    child = _guardian_child(request, actor)
    timetable = policies.reader_timetable(actor, child)
    if timetable is None:
        raise Http404
    entries = Entry.objects.filter(lesson__in=policies.timetable_lessons(timetable))
    return render(
        request,
        "logbook/reader.html",
        {
            "page": _entries_page(request, entries),
            "subjects": _subjects(entries),
            "subject": request.GET.get("subject", ""),
            "child": child,
            "children": actor.children if actor.home_kind == "guardian" else [],
        },
    )


def _teacher_week(request: HttpRequest, actor: Actor) -> HttpResponse:
    monday = _week(request)
    lessons = [
        lesson
        for lesson in lessons_between(actor, monday, monday + timedelta(days=7))
        if is_lesson_teacher(actor, lesson)
    ]
    ids = [lesson.pk for lesson in lessons]
    written = set(Entry.objects.filter(lesson_id__in=ids).values_list("lesson_id", flat=True))
    counts: dict[int, int] = {}
    for lesson_id in Homework.objects.filter(lesson_id__in=ids).values_list("lesson_id", flat=True):
        counts[lesson_id] = counts.get(lesson_id, 0) + 1
    rows = [(lesson, lesson.pk in written, counts.get(lesson.pk, 0)) for lesson in lessons]
    return render(
        request,
        "logbook/teacher.html",
        {
            "rows": rows,
            "monday": monday,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "classes": policies.logbook_classes(actor).order_by("name"),
        },
    )


@login_required
def homework_list(request: HttpRequest) -> HttpResponse:
    """Homework from today on, by due date; students and guardians filter on the done marks,
    teachers see the homework they set with how many students ticked each."""
    actor = request.actor
    today = timezone.localdate()
    show = request.GET.get("show", "all")
    child = _guardian_child(request, actor)
    if actor.home_kind in ("student", "guardian"):
        timetable = policies.reader_timetable(actor, child)
        if timetable is None:
            raise Http404
        student = child.student if child is not None else actor.user
        homework = Homework.objects.filter(
            lesson__in=policies.timetable_lessons(timetable)
        ).annotate(
            is_done=Exists(HomeworkDone.objects.filter(homework=OuterRef("pk"), student=student))
        )
        teacher = False
    elif actor.is_teacher:
        homework = Homework.objects.filter(lesson__in=policies.writable_lessons(actor))
        show = "all"
        teacher = True
    else:
        raise Http404
    homework = (
        selectors.upcoming(homework, today, show)
        .select_related("subject", "school_class", "group", "drop_box", "due_lesson")
        .prefetch_related("attachments")
        .order_by("due_date", "subject__label", "id")
    )
    page = Paginator(homework, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.done_counts([h.pk for h in page]) if teacher else {}
    for item in page:
        item.done_count = counts.get(item.pk, 0)
    return render(
        request,
        "logbook/homework.html",
        {
            "page": page,
            "show": show,
            "teacher": teacher,
            "can_tick": actor.home_kind == "student",
            "child": child,
            "children": actor.children if actor.home_kind == "guardian" else [],
            "today": today,
        },
    )


@login_required
@require_POST
def mark_done(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    homework = policies.access_own_homework(actor, public_id)
    done = request.POST.get("done") == "1"
    actions.do_mark_done(actor=actor, homework=homework, done=done)
    messages.success(
        request, _("Travail marqué comme fait.") if done else _("Travail marqué à faire.")
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "logbook:homework")


@login_required
def lesson_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One lesson's entry and homework, for whoever reads the lesson."""
    actor = request.actor
    lesson = access_lesson(actor, public_id)
    entry = Entry.objects.filter(lesson=lesson).prefetch_related("attachments").first()
    homework = list(
        Homework.objects.filter(lesson=lesson)
        .select_related("subject", "due_lesson", "drop_box")
        .prefetch_related("attachments")
    )
    writer = actor.is_teacher and is_lesson_teacher(actor, lesson)
    ids = [h.pk for h in homework]
    done = selectors.done_ids(actor.user, ids) if actor.home_kind == "student" else set()
    counts = selectors.done_counts(ids) if writer else {}
    for item in homework:
        item.is_done = item.pk in done
        item.done_count = counts.get(item.pk, 0)
    return render(
        request,
        "logbook/lesson.html",
        {
            "lesson": lesson,
            "entry": entry,
            "homework": homework,
            "writer": writer,
            "can_tick": actor.home_kind == "student",
        },
    )


# -- the teacher's pages ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    lesson = policies.access_writable_lesson(actor, public_id)
    entry = Entry.objects.filter(lesson=lesson).first()
    form = EntryForm(request.POST or None, request.FILES or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        actions.do_save_entry(
            actor=actor,
            lesson=lesson,
            content=form.cleaned_data["content"],
            attachments=form.cleaned_data["attachments"],
            remove_attachments=list(form.cleaned_data.get("remove_attachments") or []),
        )
        messages.success(request, _("La séance est enregistrée dans le cahier de textes."))
        return redirect("logbook:lesson", public_id=lesson.public_id)
    return render(request, "logbook/entry_form.html", {"lesson": lesson, "form": form})


def _homework_form(
    request: HttpRequest, actor: Actor, lesson: Any, homework: Homework | None, data: Any = None
) -> HomeworkForm:
    files = request.FILES if data is request.POST else None
    return HomeworkForm(
        data,
        files,
        lesson=lesson,
        due_lessons=policies.due_lessons(lesson),
        drop_boxes=policies.teacher_drop_boxes(actor, lesson),
        homework=homework,
    )


def _homework_page(
    request: HttpRequest, lesson: Any, homework: Homework | None = None
) -> HttpResponse:
    """Set or change a homework; a day above the establishment's thresholds asks the teacher
    to confirm."""
    actor = request.actor
    form = _homework_form(request, actor, lesson, homework, request.POST or None)
    warning = limits = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        limits = selectors.thresholds(lesson.establishment)
        load = selectors.day_load_with(
            lesson.school_class_id,
            lesson.group_id,
            data["day"],
            data["kind"],
            data["minutes"],
            limits,
            replacing=homework,
        )
        if load.over and not data.get("confirm"):
            warning = load
            # Files must be chosen again: nothing is stored before the teacher confirms.
            form = _homework_form(
                request, actor, lesson, homework, {**request.POST.dict(), "confirm": "on"}
            )
        else:
            values = {
                "actor": actor,
                "kind": data["kind"],
                "instructions": data["instructions"],
                "minutes": data["minutes"],
                "due_lesson": data.get("due_lesson"),
                "due_date": data["day"],
                "drop_box": data.get("drop_box"),
                "attachments": data["attachments"],
            }
            if homework is None:
                actions.do_set_homework(lesson=lesson, **values)
                messages.success(request, _("Le travail à faire est enregistré."))
            else:
                actions.do_update_homework(
                    homework=homework,
                    remove_attachments=list(data.get("remove_attachments") or []),
                    **values,
                )
                messages.success(request, _("Le travail à faire est modifié."))
            return redirect("logbook:lesson", public_id=lesson.public_id)
    return render(
        request,
        "logbook/homework_form.html",
        {
            "lesson": lesson,
            "form": form,
            "homework": homework,
            "warning": warning,
            "limits": limits if warning else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def homework_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    lesson = policies.access_writable_lesson(request.actor, public_id)
    return _homework_page(request, lesson)


@login_required
@require_http_methods(["GET", "POST"])
def homework_edit(request: HttpRequest, public_id: UUID, homework_id: UUID) -> HttpResponse:
    lesson = policies.access_writable_lesson(request.actor, public_id)
    homework = policies.access_writable_homework(request.actor, lesson, homework_id)
    return _homework_page(request, lesson, homework)


@login_required
@require_http_methods(["GET", "POST"])
def homework_delete(request: HttpRequest, public_id: UUID, homework_id: UUID) -> HttpResponse:
    actor = request.actor
    lesson = policies.access_writable_lesson(actor, public_id)
    homework = policies.access_writable_homework(actor, lesson, homework_id)
    if request.method == "POST":
        actions.do_delete_homework(actor=actor, homework=homework)
        messages.success(request, _("Le travail à faire est supprimé."))
        return redirect("logbook:lesson", public_id=lesson.public_id)
    return render(request, "logbook/homework_delete.html", {"lesson": lesson, "homework": homework})


@login_required
@require_http_methods(["GET", "POST"])
def copy(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Copy one of the teacher's entries (another class, a previous year) into this lesson."""
    actor = request.actor
    lesson = policies.access_writable_lesson(actor, public_id)
    sources = (
        policies.copy_sources(actor, lesson)
        .select_related(*LESSON_RELATED)
        .order_by("-lesson__start", "-id")
    )
    if request.method == "GET":
        sources = sources.filter(lesson__subject_id=lesson.subject_id)[:30]
    form = CopyForm(request.POST or None, sources=sources)
    if request.method == "POST" and form.is_valid():
        actions.do_copy_entry(actor=actor, source=form.cleaned_data["source"], target=lesson)
        messages.success(request, _("La séance est copiée avec son travail à faire."))
        return redirect("logbook:lesson", public_id=lesson.public_id)
    return render(request, "logbook/copy.html", {"lesson": lesson, "form": form})


# -- classes: logbook, workload, visa -----------------------------------------------------------


@login_required
def class_logbook(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    school_class = policies.access_logbook_class(actor, public_id)
    entries = Entry.objects.filter(lesson__school_class=school_class, school_year=actor.school_year)
    page = _entries_page(request, entries)
    visas = selectors.class_visas([school_class.pk])[school_class.pk]
    reviewed = {entry.pk for entry in page if selectors.is_reviewed(entry, visas)}
    return render(
        request,
        "logbook/class.html",
        {
            "school_class": school_class,
            "page": page,
            "subjects": _subjects(entries),
            "subject": request.GET.get("subject", ""),
            "visas": visas[:5],
            "reviewed": reviewed,
            "can_review": policies.can_review(actor),
        },
    )


@login_required
def workload(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    school_class = policies.access_logbook_class(actor, public_id)
    monday = _week(request)
    limits = selectors.thresholds(school_class.establishment)
    days = selectors.workload(school_class, monday, monday + timedelta(days=6), limits)
    week = {
        "tests": sum(d.tests for d in days),
        "written": sum(d.written for d in days),
        "minutes": sum(d.minutes for d in days),
    }
    return render(
        request,
        "logbook/workload.html",
        {
            "school_class": school_class,
            "days": [d for d in days if d.day.isoweekday() != 7],
            "week": week,
            "limits": limits,
            "monday": monday,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visa(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    school_class = policies.access_reviewable_class(actor, public_id)
    last = selectors.class_visas([school_class.pk])[school_class.pk]
    today = timezone.localdate()
    start = last[0].period_end + timedelta(days=1) if last else actor.school_year.start_date
    form = VisaForm(
        request.POST or None,
        school_year=actor.school_year,
        initial={"period_start": min(start, today), "period_end": today},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.do_sign_visa(
            actor=actor,
            school_class=school_class,
            period_start=data["period_start"],
            period_end=data["period_end"],
            comment=data["comment"],
        )
        messages.success(request, _("Le cahier de textes est visé."))
        return redirect("logbook:class", public_id=school_class.public_id)
    return render(
        request, "logbook/visa.html", {"school_class": school_class, "form": form, "visas": last}
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_settings_establishment(actor, public_id)
    current = selectors.thresholds(establishment)
    form = SettingsForm(
        request.POST or None,
        initial={
            "max_tests_per_day": current.max_tests_per_day,
            "max_minutes_per_day": current.max_minutes_per_day,
        },
    )
    if request.method == "POST" and form.is_valid():
        actions.do_update_settings(actor=actor, establishment=establishment, **form.cleaned_data)
        messages.success(request, _("Les seuils de charge de travail sont enregistrés."))
        return redirect("logbook:settings", establishment.public_id)
    return render(request, "logbook/settings.html", {"establishment": establishment, "form": form})


@login_required
def attachment(request: HttpRequest, public_id: UUID) -> HttpResponse:
    attached: Attachment = policies.access_attachment(request.actor, public_id)
    response = FileResponse(
        attached.file.open("rb"),
        content_type=attached.content_type,
        as_attachment=True,
        filename=attached.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
