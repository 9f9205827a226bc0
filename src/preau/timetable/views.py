"""Timetable pages: day and week views (own, a guardian's child, a class), a lesson and its
changes, the iCalendar feeds, and the head's console (courses, school calendar, import).

Every lesson and course is reached through timetable/policies.py; every change goes through
timetable/actions.py (or importing.py for a CSV file).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from preau.core.actor import (
    SESSION_ESTABLISHMENT_KEY,
    Actor,
    selected_child,
)
from preau.directory.policies import access_class, visible_classes
from preau.portal.selectors import is_service_enabled
from preau.timetable import actions, feeds, forms, importing, policies
from preau.timetable.models import (
    ClosedDay,
    Lesson,
    TimetableFeed,
    TimetableSettings,
    WeekOverride,
)
from preau.timetable.schoolcalendar import school_calendar

PAGE_SIZE = 50


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


def _days(request: HttpRequest) -> tuple[str, date, list[date], date, date]:
    """The view (day or week), the day asked, the days shown, and the previous and next."""
    view = "day" if request.GET.get("view") == "day" else "week"
    day = _day(request.GET.get("date"))
    if view == "day":
        return view, day, [day], day - timedelta(days=1), day + timedelta(days=1)
    monday = day - timedelta(days=day.weekday())
    return (
        view,
        day,
        [monday + timedelta(days=i) for i in range(6)],
        monday - timedelta(days=7),
        monday + timedelta(days=7),
    )


def _render_timetable(
    request: HttpRequest,
    timetable: policies.Timetable | None,
    *,
    establishment: Any,
    title: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    view, day, days, previous, following = _days(request)
    lessons = (
        policies.lessons_between(timetable, days[0], days[-1] + timedelta(days=1))
        if timetable is not None
        else []
    )
    calendar = school_calendar(establishment, days[0], days[-1]) if establishment else None
    by_day: dict[date, list[Lesson]] = {d: [] for d in days}
    for lesson in lessons:
        by_day.setdefault(lesson.date, []).append(lesson)
    shown = [
        (
            d,
            by_day[d],
            calendar.closure(d) if calendar else "",
            calendar.week_letter(d) if calendar else "",
        )
        for d in days
        if d.isoweekday() != 6 or by_day[d] or view == "day"
    ]
    context = {
        "title": title,
        "view": view,
        "day": day,
        "days": shown,
        "previous": previous,
        "following": following,
        "today": timezone.localdate(),
        "week_letter": calendar.week_letter(days[0]) if calendar else "",
        "teacher_view": bool(timetable and timetable.teacher_id),
    }
    context.update(extra or {})
    return render(request, "timetable/timetable.html", context)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The person's own timetable; a guardian's child's; for the school office, the classes."""
    actor = request.actor
    if actor.establishment is None:
        raise Http404
    child = selected_child(request, actor, guardian_home_only=True)
    if child is not None:
        timetable = policies.child_timetable(actor, child)
        establishment = child.enrolments[0].establishment if child.enrolments else None
        return _render_timetable(
            request,
            timetable,
            establishment=establishment,
            title=_("Emploi du temps de %s") % child.student.first_name,
            extra={"children": actor.children, "child": child},
        )
    timetable = policies.own_timetable(actor)
    if timetable is None:
        return render(
            request,
            "timetable/office.html",
            {
                "classes": visible_classes(actor).select_related("level"),
                "can_manage": policies.manages_timetable(actor),
                "establishment": actor.establishment,
            },
        )
    return _render_timetable(
        request,
        timetable,
        establishment=actor.establishment,
        title=_("Mon emploi du temps"),
        extra={
            "can_manage": policies.manages_timetable(actor),
            "establishment": actor.establishment,
        },
    )


@login_required
def class_timetable(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A class's timetable, for those who may open the class (directory policies)."""
    actor = request.actor
    school_class = access_class(actor, public_id)
    return _render_timetable(
        request,
        policies.class_timetable(actor, school_class),
        establishment=school_class.establishment,
        title=_("Emploi du temps de la %s") % school_class.name,
        extra={"school_class": school_class},
    )


@login_required
def lesson(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    found = policies.access_lesson(actor, public_id)
    return render(
        request,
        "timetable/lesson.html",
        {
            "lesson": found,
            "can_change": policies.can_change_lesson(actor, found),
            "can_change_room": policies.can_change_room(actor, found),
        },
    )


def _apply(form: Any, change: Any) -> bool:
    """Run an action; a refusal becomes a message on the form."""
    try:
        change()
    except actions.TimetableError as error:
        form.add_error(None, str(error))
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def lesson_change(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Change one lesson: the school office makes every change, its teacher the room."""
    actor = request.actor
    found = policies.access_changeable_lesson(actor, public_id)
    full = policies.can_change_lesson(actor, found)
    establishment, year = found.establishment, found.school_year
    what = request.POST.get("change", "") if request.method == "POST" else ""
    local_start = timezone.localtime(found.start)
    local_end = timezone.localtime(found.end)
    built = {
        "room": forms.RoomForm(
            request.POST if what == "room" else None,
            prefix="room",
            initial={"room": found.room},
        ),
    }
    if full:
        built["cancel"] = forms.CancelForm(
            request.POST if what == "cancel" else None, prefix="cancel"
        )
        built["move"] = forms.MoveForm(
            request.POST if what == "move" else None,
            prefix="move",
            initial={
                "day": local_start.date(),
                "start_time": local_start.time(),
                "end_time": local_end.time(),
                "room": found.room,
            },
        )
        built["replacement"] = forms.ReplacementForm(
            request.POST if what == "replacement" else None,
            prefix="replacement",
            establishment=establishment,
            year=year,
            initial={"teacher": found.replacement_teacher},
        )
    if request.method == "POST":
        if what == "restore" and full:
            try:
                actions.do_restore_lesson(actor=actor, lesson=found)
            except actions.TimetableError as error:
                messages.error(request, str(error))
                return redirect("timetable:lesson_change", public_id=found.public_id)
            messages.success(request, _("Le cours est rétabli."))
            return redirect("timetable:lesson", public_id=found.public_id)
        form = built.get(what)
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            note = data.get("note", "")
            changes = {
                "room": lambda: actions.do_change_room(
                    actor=actor, lesson=found, room=data["room"], note=note
                ),
                "cancel": lambda: actions.do_cancel_lesson(actor=actor, lesson=found, note=note),
                "move": lambda: actions.do_move_lesson(
                    actor=actor,
                    lesson=found,
                    start=form.bounds()[0],
                    end=form.bounds()[1],
                    room=data.get("room", ""),
                    note=note,
                ),
                "replacement": lambda: actions.do_set_replacement(
                    actor=actor, lesson=found, teacher=data.get("teacher"), note=note
                ),
            }
            if _apply(form, changes[what]):
                messages.success(request, _("La modification est enregistrée et annoncée."))
                return redirect("timetable:lesson", public_id=found.public_id)
    return render(
        request,
        "timetable/lesson_change.html",
        {"lesson": found, "forms": built, "full": full},
    )


# -- feeds ---------------------------------------------------------------------------------------


def _feeds_of(actor: Actor) -> list[tuple[str, Any]]:
    """The feeds a person may have: their own (student, teacher) and one per child."""
    found = []
    if policies.own_timetable(actor) is not None:
        found.append(
            (
                _("Mon emploi du temps"),
                feeds.feed_for(person=actor.user, establishment=actor.establishment),
            )
        )
    for child in actor.children:
        if policies.child_timetable(actor, child) is None:
            continue
        found.append(
            (
                child.student.get_full_name(),
                feeds.feed_for(
                    person=actor.user,
                    establishment=child.enrolments[0].establishment,
                    student=child.student,
                ),
            )
        )
    return found


@login_required
@require_http_methods(["GET", "POST"])
def feed_settings(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if actor.establishment is None:
        raise Http404
    with transaction.atomic():
        found = _feeds_of(actor)
    if request.method == "POST":
        wanted = request.POST.get("feed", "")
        for _label, feed in found:
            if str(feed.public_id) == wanted:
                feeds.do_regenerate_feed(feed=feed)
                messages.success(
                    request, _("Nouvelle adresse créée : l'ancienne ne fonctionne plus.")
                )
                return redirect("timetable:feeds")
        raise Http404
    return render(
        request,
        "timetable/feeds.html",
        {"feeds": [(label, feed, feeds.url_of(request, feed)) for label, feed in found]},
    )


def feed(request: HttpRequest, public_id: UUID, token: str) -> HttpResponse:
    """A person's timetable (or their child's) for calendar apps; the address is the secret.
    A wrong or replaced token, or a person who lost access: 404."""
    found = (
        TimetableFeed.objects.filter(public_id=public_id)
        .select_related("person", "establishment", "student")
        .first()
    )
    if found is None or not feeds.matches(found, token) or not found.person.is_active:
        raise Http404
    if not is_service_enabled(found.establishment, "timetable"):
        raise Http404
    reader = Actor(found.person, {SESSION_ESTABLISHMENT_KEY: str(found.establishment.public_id)})
    child = None
    if found.student_id is not None:
        child = next((c for c in reader.children if c.student.pk == found.student_id), None)
        if child is None:
            raise Http404
        name = _("Emploi du temps de %s") % found.student.first_name
    else:
        if reader.establishment is None or reader.establishment.pk != found.establishment_id:
            raise Http404
        name = _("Mon emploi du temps")
    # Built once per five minutes per address; who may read it was checked just above.
    body = cache.get(feeds.cache_key(found))
    if body is None:
        now = timezone.now()
        end = policies.paris_midnight(reader.school_year.end_date + timedelta(days=1))
        query = feeds.FeedQuery(actor=reader, child=child, start=now - feeds.PAST, end=end)
        body = feeds.build_feed(name, query)
        cache.set(feeds.cache_key(found), body, feeds.CACHE_SECONDS)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


# -- the school office's console -------------------------------------------------------------------


def _course_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "school_class": data.get("school_class"),
        "group": data.get("group"),
        "subject": data["subject"],
        "room": data.get("room", ""),
        "weekday": data["weekday"],
        "start_time": data["start_time"],
        "end_time": data["end_time"],
        "weeks": data["weeks"],
        "valid_from": data.get("valid_from"),
        "valid_until": data.get("valid_until"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The courses of the year, the holiday zone and the alternation of weeks A and B."""
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    current = TimetableSettings.objects.filter(establishment=establishment).first()
    settings_form = forms.SettingsForm(
        request.POST or None, instance=current or TimetableSettings(establishment=establishment)
    )
    if request.method == "POST" and settings_form.is_valid():
        actions.do_save_settings(actor=actor, form=settings_form)
        messages.success(request, _("Les réglages sont enregistrés; les séances à venir suivent."))
        return redirect("timetable:manage", public_id=establishment.public_id)
    courses = (
        policies.managed_courses(actor)
        .select_related("subject", "school_class", "group")
        .prefetch_related("teachers")
        .order_by("school_class__name", "group__name", "weekday", "start_time")
    )
    page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "timetable/manage.html",
        {"establishment": establishment, "page": page, "settings_form": settings_form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    form = forms.CourseForm(
        request.POST or None, establishment=establishment, year=actor.school_year
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.do_create_course(
            actor=actor,
            establishment=establishment,
            school_year=actor.school_year,
            teachers=list(data["teachers"]),
            **_course_kwargs(data),
        )
        messages.success(request, _("Le cours est ajouté avec ses séances de l'année."))
        return redirect("timetable:manage", public_id=establishment.public_id)
    return render(
        request, "timetable/course_form.html", {"establishment": establishment, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, public_id: UUID, course_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    course = policies.access_course(actor, course_id)
    initial = {
        "school_class": course.school_class,
        "group": course.group,
        "subject": course.subject,
        "teachers": list(course.teachers.all()),
        "room": course.room,
        "weekday": course.weekday,
        "start_time": course.start_time,
        "end_time": course.end_time,
        "weeks": course.weeks,
        "valid_from": course.valid_from,
        "valid_until": course.valid_until,
    }
    form = forms.CourseForm(
        request.POST or None, establishment=establishment, year=actor.school_year, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.do_update_course(
            actor=actor, course=course, teachers=list(data["teachers"]), **_course_kwargs(data)
        )
        messages.success(request, _("Le cours est modifié; ses séances à venir suivent."))
        return redirect("timetable:manage", public_id=establishment.public_id)
    return render(
        request,
        "timetable/course_form.html",
        {"establishment": establishment, "form": form, "course": course},
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_remove(request: HttpRequest, public_id: UUID, course_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    course = policies.access_course(actor, course_id)
    if request.method == "POST":
        actions.do_remove_course(actor=actor, course=course)
        messages.success(
            request, _("Le cours est retiré de l'emploi du temps à partir d'aujourd'hui.")
        )
        return redirect("timetable:manage", public_id=establishment.public_id)
    return render(
        request, "timetable/course_remove.html", {"establishment": establishment, "course": course}
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_calendar_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Closed days and the weeks whose letter is fixed by hand."""
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    what = request.POST.get("form", "") if request.method == "POST" else ""
    closed_form = forms.ClosedDayForm(request.POST if what == "closed" else None, prefix="closed")
    week_form = forms.WeekOverrideForm(request.POST if what == "week" else None, prefix="week")
    if request.method == "POST":
        done = False
        if what == "closed" and closed_form.is_valid():
            done = _apply(
                closed_form,
                lambda: actions.do_add_closed_day(
                    actor=actor, establishment=establishment, **closed_form.cleaned_data
                ),
            )
        elif what == "week" and week_form.is_valid():
            done = _apply(
                week_form,
                lambda: actions.do_set_week(
                    actor=actor, establishment=establishment, **week_form.cleaned_data
                ),
            )
        elif what in ("remove_closed", "remove_week"):
            day = _day(request.POST.get("day"))
            if what == "remove_closed":
                actions.do_remove_closed_day(actor=actor, establishment=establishment, day=day)
            else:
                actions.do_remove_week(actor=actor, establishment=establishment, monday=day)
            done = True
        if done:
            messages.success(
                request, _("Le calendrier est enregistré; les séances à venir suivent.")
            )
            return redirect("timetable:school_calendar", public_id=establishment.public_id)
    year = actor.school_year
    calendar = school_calendar(establishment, year.start_date, year.end_date)
    return render(
        request,
        "timetable/school_calendar.html",
        {
            "establishment": establishment,
            "calendar": calendar,
            "closed_days": ClosedDay.objects.filter(
                establishment=establishment, day__range=(year.start_date, year.end_date)
            ),
            "weeks": WeekOverride.objects.filter(
                establishment=establishment, monday__range=(year.start_date, year.end_date)
            ),
            "closed_form": closed_form,
            "week_form": week_form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_courses(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A CSV timetable: checked in full; imported only when every line is right."""
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report: list[importing.Problem] = []
    if request.method == "POST" and form.is_valid():
        result = importing.do_import(
            actor=actor,
            establishment=establishment,
            school_year=actor.school_year,
            upload=form.cleaned_data["file"],
            replace=form.cleaned_data["replace"],
        )
        if result.problems:
            report = result.problems
        else:
            messages.success(
                request,
                _("%(courses)d cours importés, %(lessons)d séances créées.")
                % {"courses": result.courses, "lessons": result.lessons},
            )
            return redirect("timetable:manage", public_id=establishment.public_id)
    return render(
        request,
        "timetable/import.html",
        {
            "establishment": establishment,
            "form": form,
            "report": report[: importing.MAX_SHOWN],
            "more": max(0, len(report) - importing.MAX_SHOWN),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def extra_lesson(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    form = forms.ExtraLessonForm(
        request.POST or None, establishment=establishment, year=actor.school_year
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start, end = form.bounds()
        created: list[Lesson] = []
        if _apply(
            form,
            lambda: created.append(
                actions.do_add_extra_lesson(
                    actor=actor,
                    establishment=establishment,
                    school_year=actor.school_year,
                    subject=data["subject"],
                    teachers=list(data["teachers"]),
                    start=start,
                    end=end,
                    school_class=data.get("school_class"),
                    group=data.get("group"),
                    room=data.get("room", ""),
                    note=data.get("note", ""),
                )
            ),
        ):
            messages.success(request, _("Le cours supplémentaire est ajouté et annoncé."))
            return redirect("timetable:lesson", public_id=created[0].public_id)
    return render(
        request, "timetable/extra_lesson.html", {"establishment": establishment, "form": form}
    )


@login_required
def changes(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The changed lessons of the coming days, for the school office."""
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    today = timezone.localdate()
    rows = (
        policies.visible_lessons(actor)
        .filter(establishment=establishment, changed_at__isnull=False, end__gte=timezone.now())
        .select_related(*policies.LESSON_RELATED)
        .prefetch_related("teachers")
        .order_by("start", "id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "timetable/changes.html",
        {"establishment": establishment, "page": page, "today": today},
    )
