"""Pages of the roll call and the attendance. Views find objects through the policies (404
otherwise), parse forms and call the actions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from preau.attendance import actions, halfdays, policies, selectors
from preau.attendance.halfdays import PARIS
from preau.attendance.models import AbsenceReason, RecordKind
from preau.core.actor import Actor, Child, selected_child
from preau.core.uploads import MIB, check_attachment
from preau.directory.models import Enrolment, Period
from preau.directory.policies import access_class, access_student, visible_classes, visible_students

DOCUMENT_TYPES = ("pdf", "jpg", "jpeg", "png")
DOCUMENT_MAX = 5 * MIB
PAGE_SIZE = 30


def _messages(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


def _periods(establishment_id: int, year: Any) -> list[Period]:
    return list(Period.objects.filter(establishment_id=establishment_id, school_year=year))


def _chosen_period(
    request: HttpRequest, periods: list[Period], year: Any
) -> tuple[Any, date, date]:
    """The period asked for (?period=), else the one of today, else the whole year."""
    wanted = request.GET.get("period")
    today = timezone.localdate()
    for period in periods:
        if str(period.public_id) == wanted:
            return period, period.start_date, period.end_date
    if wanted != "year":
        for period in periods:
            if period.start_date <= today <= period.end_date:
                return period, period.start_date, period.end_date
    return None, year.start_date, year.end_date


# -- index -------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if policies.runs_school_life(actor) or (
        policies.reads_establishment(actor) and not actor.is_teacher
    ):
        return office(request)
    if actor.is_teacher:
        return day(request)
    return records(request)


def day(request: HttpRequest) -> HttpResponse:
    """A teacher's day: their lessons, whether each roll call is taken, the one to take now."""
    actor = request.actor
    shown = _day(request.GET.get("date"))
    now = timezone.now()
    today = timezone.localdate()
    missing = list(
        selectors.missing_roll_calls(
            establishment_id=actor.establishment.pk,
            since=selectors.week_start(today),
            now=now,
            teacher_id=actor.user.pk,
        )[:20]
    )
    return render(
        request,
        "attendance/day.html",
        {
            "day": shown,
            "today": today,
            "previous": shown - timedelta(days=1),
            "following": shown + timedelta(days=1),
            "lessons": selectors.teacher_day(actor, shown, now),
            "missing": missing,
            "classes": visible_classes(actor).select_related("level").order_by("name"),
        },
    )


@login_required
def now(request: HttpRequest) -> HttpResponse:
    """The roll call of the lesson the teacher gives now, else their day."""
    from preau.timetable.policies import current_lesson

    actor = request.actor
    if actor.is_teacher and actor.establishment is not None:
        lesson = current_lesson(actor.user, establishment=actor.establishment)
        if lesson is not None:
            return redirect("attendance:roll_call", public_id=lesson.public_id)
    messages.info(request, _("Vous n'avez pas de cours en ce moment."))
    return redirect("attendance:index")


# -- roll call ---------------------------------------------------------------------------------


def _parse_marks(request: HttpRequest) -> dict[str, actions.MarkInput]:
    """The ticked students (``s-<public id>``; minutes in ``m-<public id>``); unticked or
    present ones are left out."""
    parsed: dict[str, actions.MarkInput] = {}
    for name, state in request.POST.items():
        if not name.startswith("s-") or state == "present":
            continue
        key = name[2:]
        minutes = None
        if state == "late":
            try:
                minutes = int(request.POST.get(f"m-{key}", "").strip())
            except ValueError:
                minutes = None
        parsed[key] = actions.MarkInput(state, minutes)
    return parsed


@login_required
def roll_call(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    lesson = policies.access_roll_call_lesson(actor, public_id)
    error = ""
    parsed: dict[str, actions.MarkInput] = {}
    if request.method == "POST":
        parsed = _parse_marks(request)
        try:
            actions.do_save_roll_call(actor=actor, lesson=lesson, marks=parsed)
        except ValidationError as exc:
            error = _messages(exc)
        else:
            absent = sum(1 for m in parsed.values() if m.state == "absent")
            late = sum(1 for m in parsed.values() if m.state == "late")
            messages.success(
                request,
                _("Appel enregistré : %(absent)d absent(s), %(late)d retard(s).")
                % {"absent": absent, "late": late},
            )
            return redirect("attendance:roll_call", public_id=lesson.public_id)
    taken, marks = selectors.roll_call_marks(lesson)
    if error:
        # Show what was ticked, so that nothing typed is lost.
        for mark in marks:
            chosen = parsed.get(str(mark.student.public_id))
            mark.state = chosen.state if chosen else "present"
            mark.minutes = chosen.minutes if chosen else None
    return render(
        request,
        "attendance/roll_call.html",
        {
            "lesson": lesson,
            "roll_call": taken,
            "marks": marks,
            "refusal": policies.roll_call_refusal(actor, lesson),
            "error": error,
            "count": len(marks),
        },
        status=400 if error else 200,
    )


# -- records: a guardian's child, a student ------------------------------------------------------


@login_required
def records(request: HttpRequest) -> HttpResponse:
    """A student's own records, or a guardian's child's (with the child switcher)."""
    actor = request.actor
    child = selected_child(request, actor) if actor.is_guardian or actor.children else None
    if child is not None:
        student = child.student
        enrolment = child.enrolments[0] if child.enrolments else None
    elif actor.is_student and actor.enrolment is not None:
        student = actor.user
        enrolment = actor.enrolment
    else:
        raise Http404
    return _student_page(request, actor, student, enrolment, child=child)


def _student_page(
    request: HttpRequest, actor: Actor, student: Any, enrolment: Any, *, child: Child | None = None
) -> HttpResponse:
    establishment_id = enrolment.establishment_id if enrolment else actor.establishment.pk
    periods = _periods(establishment_id, actor.school_year)
    period, first, last = _chosen_period(request, periods, actor.school_year)
    figures = halfdays.totals(
        establishment_id=establishment_id, student_ids=[student.pk], first=first, last=last
    ).get(student.pk, halfdays.Totals())
    page = Paginator(selectors.records_of(actor, student.pk), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "attendance/student.html",
        {
            "student": student,
            "enrolment": enrolment,
            "child": child,
            "children": actor.children if child is not None else [],
            "periods": periods,
            "period": period,
            "first": first,
            "last": last,
            "totals": figures,
            "page": page,
            "can_justify": child is not None,
        },
    )


@login_required
def record(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    found = policies.access_record(actor, public_id)
    justification = getattr(found, "justification", None) if _has_justification(found) else None
    guardian = policies.can_justify(actor, found)
    decider = policies.can_decide(actor, found)
    return render(
        request,
        "attendance/record.html",
        {
            "record": found,
            "justification": justification,
            "can_justify": guardian and not policies.is_decided(found),
            "decided": policies.is_decided(found),
            "can_decide": decider,
            "guardian_reasons": policies.guardian_reasons(found.establishment_id)
            if guardian
            else [],
            "staff_reasons": policies.staff_reasons(found.establishment_id) if decider else [],
        },
    )


def _has_justification(found: Any) -> bool:
    try:
        found.justification  # noqa: B018 - one query, cached on the record
    except Exception:
        return False
    return True


def _reason(queryset: Any, value: str) -> AbsenceReason | None:
    try:
        return queryset.filter(public_id=UUID(value)).first()
    except ValueError:
        return None


@login_required
@require_POST
def justify(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    found = policies.access_record(actor, public_id)
    if not policies.can_justify(actor, found):
        raise Http404
    reason = _reason(
        policies.guardian_reasons(found.establishment_id), request.POST.get("reason", "")
    )
    try:
        if reason is None:
            raise ValidationError(_("Choisissez un des motifs proposés."))
        document = None
        upload = request.FILES.get("document")
        if upload is not None:
            document = check_attachment(
                upload,
                extensions=DOCUMENT_TYPES,
                max_bytes=DOCUMENT_MAX,
                refused_message=_(
                    "« %(name)s » n'est pas accepté : envoyez un PDF, un JPEG ou un PNG."
                ),
            )
        actions.do_justify(
            actor=actor,
            record=found,
            reason=reason,
            comment=request.POST.get("comment", ""),
            document=document,
        )
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("Justification envoyée à la vie scolaire."))
    return redirect("attendance:record", public_id=found.public_id)


@login_required
@require_POST
def decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    found = policies.access_record(actor, public_id)
    if not policies.can_decide(actor, found):
        raise Http404
    decision = request.POST.get("decision")
    reason = _reason(policies.staff_reasons(found.establishment_id), request.POST.get("reason", ""))
    try:
        if decision not in ("accept", "refuse"):
            raise ValidationError(_("Acceptez ou refusez la justification."))
        actions.do_decide(
            actor=actor,
            record=found,
            accepted=decision == "accept",
            reason=reason,
            comment=request.POST.get("comment", ""),
        )
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(
            request,
            _("Justification acceptée.") if decision == "accept" else _("Justification refusée."),
        )
    return redirect("attendance:record", public_id=found.public_id)


@login_required
def document(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = policies.access_record(request.actor, public_id)
    if not _has_justification(found) or not found.justification.document:
        raise Http404
    justification = found.justification
    response = FileResponse(
        justification.document.open("rb"),
        content_type=justification.document_type or "application/octet-stream",
        as_attachment=True,
        filename=justification.document_name or "justificatif",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# -- school life ---------------------------------------------------------------------------------


def office(request: HttpRequest) -> HttpResponse:
    """School life's page: roll calls missing, justifications to review, the alert list and the
    month's absenteeism rate, the classes."""
    actor = request.actor
    establishment = actor.establishment
    now_ = timezone.now()
    today = timezone.localdate()
    scope = "week" if request.GET.get("missing") == "week" else "today"
    since = selectors.week_start(today) if scope == "week" else today
    missing = Paginator(
        selectors.missing_roll_calls(establishment_id=establishment.pk, since=since, now=now_),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    month = _day(request.GET.get("month")).replace(day=1)
    alerts = halfdays.alert_list(establishment_id=establishment.pk, month=month)
    enrolled = Enrolment.objects.filter(
        establishment=establishment, school_year=actor.school_year
    ).count()
    people = {
        s.pk: s
        for s in visible_students(actor)
        .filter(pk__in=list(alerts))
        .only("pk", "public_id", "first_name", "last_name")
    }
    alert_rows = sorted(
        ((people[pk], figures) for pk, figures in alerts.items() if pk in people),
        key=lambda row: (-row[1].unjustified, row[0].last_name),
    )
    return render(
        request,
        "attendance/office.html",
        {
            "scope": scope,
            "missing": missing,
            "review": selectors.to_review(establishment.pk)[:PAGE_SIZE],
            "month": month,
            "previous_month": (month - timedelta(days=1)).replace(day=1),
            "next_month": (month + timedelta(days=32)).replace(day=1),
            "alerts": alert_rows,
            "enrolled": enrolled,
            "rate": (len(alert_rows) * 100 / enrolled) if enrolled else 0,
            "classes": visible_classes(actor).select_related("level").order_by("name"),
            "threshold": halfdays.ALERT_THRESHOLD,
            "can_enter": policies.runs_school_life(actor),
        },
    )


def _moment(day_text: str, time_text: str, default: time) -> datetime | None:
    try:
        day_value = date.fromisoformat(day_text)
        clock = time.fromisoformat(time_text) if time_text else default
    except ValueError:
        return None
    return datetime.combine(day_value, clock, tzinfo=PARIS)


@login_required
def enter_record(request: HttpRequest) -> HttpResponse:
    """School life enters an absence over days, a lateness or an early departure."""
    actor = request.actor
    if not policies.runs_school_life(actor):
        raise Http404
    students = (
        visible_students(actor)
        .only("pk", "public_id", "first_name", "last_name")
        .order_by("last_name", "first_name")
    )
    reasons = policies.staff_reasons(actor.establishment.pk)
    error = ""
    values = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        try:
            student = access_student(actor, values.get("student", ""))
        except Http404:
            student = None
        kind = values.get("kind", "")
        start = _moment(values.get("start_day", ""), values.get("start_time", ""), time(8, 0))
        end = _moment(values.get("end_day", ""), values.get("end_time", ""), time(18, 0))
        try:
            if student is None:
                raise ValidationError(_("Choisissez un élève."))
            if start is None or (kind == RecordKind.ABSENCE and end is None):
                raise ValidationError(_("Donnez des dates valides (AAAA-MM-JJ)."))
            minutes_text = values.get("minutes", "").strip()
            minutes = int(minutes_text) if minutes_text.isdigit() else None
            reason = _reason(reasons, values.get("reason", "")) if values.get("reason") else None
            created = actions.do_enter_record(
                actor=actor,
                student=student,
                kind=kind,
                start=start,
                end=end,
                minutes=minutes,
                reason=reason,
                note=values.get("note", ""),
            )
        except ValidationError as exc:
            error = _messages(exc)
        else:
            messages.success(request, _("Enregistré."))
            return redirect("attendance:record", public_id=created.public_id)
    return render(
        request,
        "attendance/enter.html",
        {
            "students": students,
            "reasons": reasons,
            "kinds": RecordKind.choices,
            "values": values,
            "error": error,
        },
        status=400 if error else 200,
    )


# -- totals --------------------------------------------------------------------------------------


@login_required
def class_totals(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A class's totals by period: teachers of the class, school life and direction."""
    actor = request.actor
    if not (actor.is_teacher or policies.reads_establishment(actor)):
        raise Http404
    school_class = access_class(actor, public_id)
    periods = _periods(school_class.establishment_id, actor.school_year)
    period, first, last = _chosen_period(request, periods, actor.school_year)
    students = list(
        visible_students(actor)
        .filter(enrolments__school_class=school_class)
        .only("pk", "public_id", "first_name", "last_name")
        .order_by("last_name", "first_name")
    )
    figures = halfdays.totals(
        establishment_id=school_class.establishment_id,
        student_ids=[s.pk for s in students],
        first=first,
        last=last,
    )
    rows = [(s, figures.get(s.pk, halfdays.Totals())) for s in students]
    total = halfdays.Totals()
    for _student, t in rows:
        total.half_days += t.half_days
        total.justified += t.justified
        total.lateness += t.lateness
        total.early += t.early
    return render(
        request,
        "attendance/class.html",
        {
            "school_class": school_class,
            "periods": periods,
            "period": period,
            "first": first,
            "last": last,
            "rows": rows,
            "total": total,
            "threshold": halfdays.ALERT_THRESHOLD,
        },
    )


@login_required
def student_totals(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One student's totals and records: their teachers, school life, direction (guardians and
    students have their own page)."""
    actor = request.actor
    if not (actor.is_teacher or policies.reads_establishment(actor)):
        raise Http404
    student = access_student(actor, public_id)
    enrolment = (
        Enrolment.objects.filter(
            student=student, establishment=actor.establishment, school_year=actor.school_year
        )
        .select_related("school_class")
        .first()
    )
    return _student_page(request, actor, student, enrolment)


# -- settings ------------------------------------------------------------------------------------


@login_required
def reasons(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The establishment's reasons: which guardians may use, which are offered, new ones."""
    actor = request.actor
    establishment = policies.access_managed_establishment(actor, public_id)
    actions.ensure_reasons(establishment)
    listed = AbsenceReason.objects.filter(establishment=establishment)
    if request.method == "POST":
        try:
            if request.POST.get("add"):
                actions.do_add_reason(
                    actor=actor,
                    establishment=establishment,
                    label=request.POST.get("label", ""),
                    guardian_usable=bool(request.POST.get("guardian_usable")),
                )
                messages.success(request, _("Motif ajouté."))
            else:
                reason = _reason(listed, request.POST.get("reason", ""))
                if reason is None:
                    raise Http404
                actions.do_update_reason(
                    actor=actor,
                    reason=reason,
                    guardian_usable=bool(request.POST.get("guardian_usable")),
                    active=bool(request.POST.get("active")),
                )
                messages.success(request, _("Motif enregistré."))
        except ValidationError as exc:
            messages.error(request, _messages(exc))
        return redirect("attendance:reasons", public_id=establishment.public_id)
    return render(
        request, "attendance/reasons.html", {"establishment": establishment, "reasons": listed}
    )
