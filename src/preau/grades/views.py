"""Pages of the grades. Views find objects through the policies (404 otherwise), parse forms
and call the actions; the grid answers JSON to its script and HTML to a plain form."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from preau.core.actor import Actor, selected_child
from preau.directory.models import Period
from preau.directory.policies import get_or_404
from preau.grades import actions, policies, publication, selectors
from preau.grades.forms import AssessmentForm, CoefficientForm, SettingsForm
from preau.grades.models import Assessment, Mark, MarkCode


def _periods(establishment_id: int, school_year_id: int) -> list[Period]:
    return selectors.periods(establishment_id, school_year_id)


def _chosen(request: HttpRequest, periods: list[Period]) -> Period | None:
    wanted = request.GET.get("period")
    for period in periods:
        if str(period.public_id) == wanted:
            return period
    return selectors.current_period(periods, timezone.localdate())


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# -- index ---------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if actor.establishment is None:
        raise Http404
    if actor.is_teacher:
        return _teacher_index(request, actor)
    if policies.reads_establishment(actor):
        return _office_index(request, actor)
    return redirect("grades:marks")


def _teacher_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The teacher's assessments of a period, by class (or group) and subject."""
    periods = _periods(actor.establishment.pk, actor.school_year.pk)
    period = _chosen(request, periods)
    assessments = list(
        policies.editable_assessments(actor)
        .filter(period=period)
        .select_related("subject", "school_class", "group")
        .order_by("date", "created_at")
    )
    stats = selectors.assessment_stats([a.pk for a in assessments])
    by_assignment: dict[tuple[int, int | None, int | None], list[Any]] = defaultdict(list)
    for assessment in assessments:
        key = (assessment.subject_id, assessment.school_class_id, assessment.group_id)
        by_assignment[key].append((assessment, stats[assessment.pk]))
    sections = [
        {
            "assignment": a,
            "assessments": by_assignment.get((a.subject_id, a.school_class_id, a.group_id), []),
        }
        for a in sorted(
            actor.teaching_assignments,
            key=lambda a: (str(a.school_class or a.group), a.subject.label),
        )
    ]
    return render(
        request,
        "grades/teacher.html",
        {
            "periods": periods,
            "period": period,
            "sections": sections,
            "headed": list(policies.averages_classes(actor).order_by("name")),
            "now": timezone.now(),
        },
    )


def _office_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    classes = list(
        policies.averages_classes(actor)
        .select_related("level", "head_teacher")
        .order_by("level__order", "name")
    )
    establishment = actor.establishment
    return render(
        request,
        "grades/office.html",
        {
            "classes": classes,
            "establishment": establishment,
            "manages": policies.can_manage_settings(actor, establishment),
        },
    )


# -- assessments ---------------------------------------------------------------------------------


@login_required
def new_assessment(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not actor.teaching_assignments:
        raise Http404
    form = AssessmentForm(
        request.POST or None,
        assignments=actor.teaching_assignments,
        initial={
            "assignment": request.GET.get("assignment"),
            "date": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        assignment = form.assignments[form.cleaned_data["assignment"]]
        try:
            assessment = actions.do_create_assessment(
                actor=actor,
                subject=assignment.subject,
                school_class=assignment.school_class,
                group=assignment.group,
                data=form.assessment_input(),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Devoir créé : saisissez les notes."))
            if not assessment.graded:
                return redirect("grades:index")
            return redirect("grades:grid", public_id=assessment.public_id)
    return render(request, "grades/assessment_form.html", {"form": form, "assessment": None})


@login_required
def edit_assessment(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = request.actor
    assessment = policies.access_editable_assessment(actor, public_id)
    form = AssessmentForm(
        request.POST or None,
        assignments=[],
        fixed=True,
        initial={
            "title": assessment.title,
            "date": assessment.date,
            "scale": assessment.scale,
            "coefficient": assessment.coefficient,
            "kind": assessment.kind,
            "graded": assessment.graded,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_assessment(
                actor=actor, assessment=assessment, data=form.assessment_input()
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Devoir modifié."))
            return redirect("grades:grid", public_id=assessment.public_id)
    return render(request, "grades/assessment_form.html", {"form": form, "assessment": assessment})


@login_required
@require_POST
def delete_assessment(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = request.actor
    assessment = policies.access_editable_assessment(actor, public_id)
    actions.do_delete_assessment(actor=actor, assessment=assessment)
    messages.success(request, _("Devoir supprimé."))
    return redirect("grades:index")


@login_required
@require_POST
def publish(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = request.actor
    assessment = policies.access_editable_assessment(actor, public_id)
    if not Mark.objects.filter(assessment=assessment).exists():
        messages.error(request, _("Saisissez des notes avant de les publier."))
    else:
        actions.do_publish_now(actor=actor, assessment=assessment)
        messages.success(request, _("Notes publiées : élèves et familles les voient."))
    return redirect("grades:grid", public_id=assessment.public_id)


# -- grids ---------------------------------------------------------------------------------------


def _cell_name(assessment: Assessment, student: Any) -> str:
    return f"{assessment.public_id}.{student.public_id}"


def _parse_cells(
    request: HttpRequest, assessments: list[Assessment], with_comments: bool
) -> dict[Assessment, dict[str, actions.MarkEntry]]:
    """Cells posted as ``m-<assessment>.<student>`` (mark), ``c-…`` (comment), ``v-…`` (the
    version read). A script posts only the cells that changed; a plain form posts them all."""
    by_id = {str(a.public_id): a for a in assessments}
    cells: dict[Assessment, dict[str, actions.MarkEntry]] = {}
    for name, text in request.POST.items():
        if not name.startswith("m-"):
            continue
        assessment_id, _dot, student_id = name[2:].partition(".")
        assessment = by_id.get(assessment_id)
        if assessment is None:
            raise Http404
        key = name[2:]
        try:
            version = int(request.POST.get(f"v-{key}", ""))
        except ValueError:
            version = 0
        comment = request.POST.get(f"c-{key}") if with_comments else None
        cells.setdefault(assessment, {})[student_id] = actions.MarkEntry(
            text=text, comment=comment, version=version
        )
    return cells


def _save(
    request: HttpRequest,
    actor: Actor,
    assessments: list[Assessment],
    students: list[Any],
    *,
    with_comments: bool,
) -> tuple[HttpResponse | None, actions.MarksRefused | None]:
    """Save a grid: a JSON answer to the script; to a plain form, a redirect or the refusal."""
    cells = _parse_cells(request, assessments, with_comments)
    try:
        saved = actions.record_grid(actor=actor, cells=cells)
    except actions.MarksRefused as refused:
        if _wants_json(request):
            return JsonResponse(
                {
                    "ok": False,
                    "errors": refused.errors,
                    "conflicts": [
                        {
                            "cell": _cell_name(c.assessment, c.student),
                            "theirs": c.theirs,
                            "version": c.version,
                            "message": _("Modifiée entre-temps par un collègue : %(theirs)s")
                            % {"theirs": c.theirs or _("vide")},
                        }
                        for c in refused.conflicts
                    ],
                },
                status=409 if refused.conflicts and not refused.errors else 400,
            ), None
        return None, refused
    except ValidationError as error:
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": error.messages, "conflicts": []}, 400), None
        return None, _refusal(error)
    if _wants_json(request):
        assessment_ids = {a.pk: a.public_id for a in assessments}
        student_ids = {s.pk: s.public_id for s in students}
        versions = {
            f"{assessment_ids[a]}.{student_ids[s]}": version
            for (a, s), version in saved.versions.items()
        }
        return JsonResponse({"ok": True, "changed": saved.changed, "versions": versions}), None
    messages.success(
        request,
        ngettext("%(count)d note enregistrée.", "%(count)d notes enregistrées.", saved.changed)
        % {"count": saved.changed},
    )
    return redirect(request.get_full_path()), None


def _refusal(error: ValidationError) -> actions.MarksRefused:
    refused = actions.MarksRefused()
    refused.errors.extend(error.messages)
    return refused


def _rows(
    students: list[Any],
    assessments: list[Assessment],
    marks: dict[tuple[int, int], Mark],
    request: HttpRequest,
    refused: actions.MarksRefused | None,
) -> list[dict[str, Any]]:
    """The grid's rows: each cell's name, value, comment and version; after a refusal, what
    the teacher typed, with the conflicts' other values."""
    conflicts = {}
    if refused is not None:
        conflicts = {(c.assessment.pk, c.student.pk): c for c in refused.conflicts}
    rows = []
    for student in students:
        cells = []
        for assessment in assessments:
            mark = marks.get((assessment.pk, student.pk))
            name = _cell_name(assessment, student)
            value = mark.display if mark is not None else ""
            comment = mark.comment if mark is not None else ""
            version = mark.version if mark is not None else 0
            conflict = conflicts.get((assessment.pk, student.pk))
            if refused is not None:
                value = request.POST.get(f"m-{name}", value)
                comment = request.POST.get(f"c-{name}", comment)
            if conflict is not None:
                # Their value stays in the cell; what was typed is shown beside it.
                value, version = conflict.theirs, conflict.version
            cells.append(
                {
                    "name": name,
                    "value": value,
                    "comment": comment,
                    "version": version,
                    "conflict": conflict,
                    "error": refused is not None
                    and (assessment.pk, student.pk) in refused.cells
                    and conflict is None,
                }
            )
        rows.append({"student": student, "cells": cells})
    return rows


@login_required
def grid(request: HttpRequest, public_id: Any) -> HttpResponse:
    """One assessment's marks: entered by its teachers, read by the head teacher and the
    direction."""
    actor = request.actor
    assessment = policies.access_assessment(actor, public_id)
    editable = policies.can_edit(actor, assessment) and assessment.graded
    students = selectors.audience_students(assessment)
    refused = None
    if request.method == "POST":
        if not editable:
            raise Http404
        response, refused = _save(request, actor, [assessment], students, with_comments=True)
        if response is not None:
            return response
    marks = selectors.grid_marks([assessment])
    stats = selectors.assessment_stats([assessment.pk])[assessment.pk]
    now = timezone.now()
    return render(
        request,
        "grades/grid.html",
        {
            "assessment": assessment,
            "assessments": [assessment],
            "rows": _rows(students, [assessment], marks, request, refused),
            "refused": refused,
            "editable": editable,
            "stats": stats,
            "published": assessment.is_published(now),
            "codes": MarkCode.choices,
            "with_comments": True,
        },
        status=400 if refused is not None else 200,
    )


@login_required
def assignment_grid(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Every assessment of a period for a class (or group) and subject the teacher teaches, as
    columns of one grid."""
    actor = request.actor
    assignment = next(
        (a for a in actor.teaching_assignments if str(a.public_id) == str(public_id)), None
    )
    if assignment is None:
        raise Http404
    periods = _periods(actor.establishment.pk, actor.school_year.pk)
    period = _chosen(request, periods)
    assessments = list(
        policies.editable_assessments(actor)
        .filter(
            period=period,
            subject_id=assignment.subject_id,
            school_class_id=assignment.school_class_id,
            group_id=assignment.group_id,
            graded=True,
        )
        .select_related(*policies.ASSESSMENT_RELATED)
        .order_by("date", "created_at")
    )
    students = selectors.students_of(
        assignment.school_class_id, assignment.group_id, assignment.school_year_id
    )
    refused = None
    if request.method == "POST":
        response, refused = _save(request, actor, assessments, students, with_comments=False)
        if response is not None:
            return response
    marks = selectors.grid_marks(assessments)
    return render(
        request,
        "grades/grid.html",
        {
            "assignment": assignment,
            "periods": periods,
            "period": period,
            "assessments": assessments,
            "rows": _rows(students, assessments, marks, request, refused),
            "refused": refused,
            "editable": True,
            "with_comments": False,
            "codes": MarkCode.choices,
        },
        status=400 if refused is not None else 200,
    )


# -- families ------------------------------------------------------------------------------------


@login_required
def marks(request: HttpRequest) -> HttpResponse:
    """« Notes »: a student's own marks of a period, or a guardian's child's, with the class's
    statistics and the averages."""
    actor = request.actor
    child = selected_child(request, actor) if actor.is_guardian or actor.children else None
    if child is not None:
        student = child.student
        enrolment = child.enrolments[0] if child.enrolments else None
    elif actor.is_student:
        student = actor.user
        enrolment = actor.enrolment
    else:
        raise Http404
    if enrolment is None:
        raise Http404
    now = timezone.now()
    periods = _periods(enrolment.establishment_id, enrolment.school_year_id)
    period = _chosen(request, periods)
    wanted = request.GET.get("devoir")
    if wanted and "period" not in request.GET:
        # From a notification: the period of that assessment (if it is the student's to see).
        found = (
            policies.visible_marks(actor, now)
            .filter(student=student, assessment__public_id__in=[wanted])
            .select_related("assessment__period")
            .first()
            if _is_uuid(wanted)
            else None
        )
        if found is not None:
            period = found.assessment.period
    report = None
    stats: dict[int, Any] = {}
    if period is not None:
        report = selectors.student_report(student, enrolment.school_class, period, now=now)
        stats = selectors.assessment_stats(
            [m.assessment_id for line in report.subjects for m in line.marks]
        )
    return render(
        request,
        "grades/marks.html",
        {
            "student": student,
            "child": child,
            "children": actor.children,
            "enrolment": enrolment,
            "periods": periods,
            "period": period,
            "report": report,
            "stats": stats,
        },
    )


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# -- classes -------------------------------------------------------------------------------------


@login_required
def class_averages(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A class's averages by student and subject (head teacher, direction, school life)."""
    actor = request.actor
    school_class = policies.access_averages_class(actor, public_id)
    periods = _periods(school_class.establishment_id, school_class.school_year_id)
    period = _chosen(request, periods)
    table = selectors.class_table(school_class, period) if period is not None else None
    rows = []
    if table is not None:
        for row in table.rows:
            by_subject = row.by_subject
            rows.append(
                {
                    "student": row.student,
                    "averages": [
                        by_subject[s.pk].average if s.pk in by_subject else None
                        for s in table.subjects
                    ],
                    "overall": row.overall,
                }
            )
    return render(
        request,
        "grades/class.html",
        {
            "school_class": school_class,
            "periods": periods,
            "period": period,
            "table": table,
            "rows": rows,
            "subject_averages": [table.subject_averages.get(s.pk) for s in table.subjects]
            if table
            else [],
            "coefficients": [table.coefficients.get(s.pk, selectors.ONE) for s in table.subjects]
            if table
            else [],
        },
    )


# -- settings ------------------------------------------------------------------------------------


@login_required
def settings(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The establishment's publication rule and the subjects' coefficients (the head)."""
    from preau.directory.models import Level, SchoolClass, Subject
    from preau.directory.policies import administered_establishments
    from preau.grades.models import SubjectCoefficient

    actor = request.actor
    establishment = get_or_404(administered_establishments(actor), public_id)
    rule = publication.settings_of(establishment)
    year = actor.school_year
    classes = list(
        SchoolClass.objects.filter(establishment=establishment, school_year=year).order_by(
            "level__order", "name"
        )
    )
    levels = list(Level.objects.filter(pk__in={c.level_id for c in classes}))
    subjects = list(Subject.objects.filter(establishment=establishment))
    posted = request.POST if request.method == "POST" else None
    form = SettingsForm(
        posted if posted and "delay_days" in posted else None,
        initial={"delay_days": rule.delay_days, "time": rule.time},
    )
    coefficient_form = CoefficientForm(
        posted if posted and "coefficient" in posted else None,
        levels=levels,
        classes=classes,
        subjects=subjects,
    )
    try:
        if form.is_bound and form.is_valid():
            actions.do_update_grade_settings(
                actor=actor,
                establishment=establishment,
                delay_days=form.cleaned_data["delay_days"],
                at=form.cleaned_data["time"],
            )
            messages.success(request, _("Règle de publication enregistrée."))
            return redirect("grades:settings", public_id=establishment.public_id)
        if coefficient_form.is_bound and coefficient_form.is_valid():
            data = coefficient_form.cleaned_data
            target = coefficient_form.targets[data["target"]]
            is_class = data["target"].startswith("class-")
            actions.do_set_subject_coefficient(
                actor=actor,
                establishment=establishment,
                subject=coefficient_form.subjects[data["subject"]],
                coefficient=data["coefficient"],
                school_class=target if is_class else None,
                level=None if is_class else target,
            )
            messages.success(request, _("Coefficient enregistré."))
            return redirect("grades:settings", public_id=establishment.public_id)
    except ValidationError as error:
        bound = form if form.is_bound else coefficient_form
        for message in error.messages:
            bound.add_error(None, message)
    coefficients = (
        SubjectCoefficient.objects.filter(establishment=establishment, school_year=year)
        .select_related("subject", "school_class", "level")
        .order_by("level__order", "school_class__name", "subject__label")
    )
    return render(
        request,
        "grades/settings.html",
        {
            "form": form,
            "coefficient_form": coefficient_form,
            "coefficients": coefficients,
            "establishment": establishment,
            "example": publication.publication_time(establishment),
        },
    )
