"""Pages of the skills. Views find objects through the policies (404 otherwise), parse forms
and call the actions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from preau.core.actor import Actor, selected_child
from preau.directory.models import Enrolment, Period
from preau.grades import policies as grades_policies
from preau.grades import selectors as grades_selectors
from preau.skills import actions, policies, selectors
from preau.skills.models import Component, Mastery


def _messages(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def _component(value: str | None) -> Component | None:
    return Component.objects.filter(code=value or "").first()


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """A student's or a guardian's summary; a teacher's assessments and classes; the classes
    of the establishment for its direction and CPE."""
    actor = request.actor
    if actor.home_kind in ("student", "guardian"):
        return mine(request)
    if not policies.reads_as_staff(actor):
        raise Http404
    assessments = list(
        grades_policies.editable_assessments(actor)
        .select_related("subject", "school_class", "group", "period")
        .annotate(evaluated=Count("assessed_skills"))
        .order_by("-date", "-created_at")[:50]
    )
    classes = list(policies.summary_classes(actor).select_related("level").order_by("name"))
    return render(
        request,
        "skills/index.html",
        {"assessments": assessments, "classes": classes, "is_teacher": actor.is_teacher},
    )


@login_required
def items(request: HttpRequest) -> HttpResponse:
    """A teacher's skills: those of the subjects they teach, grouped by component; a form to
    add one."""
    actor = request.actor
    if not (actor.is_teacher or actor.can_administer_establishment):
        raise Http404
    subjects = list(policies.managed_subjects(actor))
    components = list(Component.objects.all())
    error = ""
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = {
            "subject": request.POST.get("subject", ""),
            "component": request.POST.get("component", ""),
            "label": request.POST.get("label", ""),
        }
        subject = next((s for s in subjects if str(s.public_id) == form["subject"]), None)
        component = _component(form["component"])
        if subject is None or component is None:
            error = _("Choisissez une matière et une composante du socle.")
        else:
            try:
                skill = actions.do_create_skill(
                    actor=actor, subject=subject, component=component, label=form["label"]
                )
            except ValidationError as exc:
                error = _messages(exc)
            else:
                messages.success(request, _("Compétence « %(label)s » ajoutée.") % {"label": skill})
                return redirect("skills:items")
    skills = list(
        policies.visible_skills(actor)
        .filter(subject__in=subjects)
        .select_related("subject", "component")
        .order_by("subject__label", "component__position", "label")
    )
    return render(
        request,
        "skills/items.html",
        {
            "subjects": subjects,
            "components": components,
            "skills": skills,
            "form": form,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def item(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Change a skill's wording, component, or whether it is still offered."""
    actor = request.actor
    skill = policies.access_skill(actor, public_id)
    if not policies.can_manage_skill(actor, skill):
        raise Http404
    component = _component(request.POST.get("component")) or skill.component
    try:
        actions.do_update_skill(
            actor=actor,
            skill=skill,
            label=request.POST.get("label", skill.label),
            component=component,
            is_active=request.POST.get("is_active") == "1",
        )
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("Compétence enregistrée."))
    return redirect("skills:items")


# -- what an assessment evaluates ----------------------------------------------------------------


@login_required
def assessment(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The skills an assessment evaluates; its teacher attaches and removes them."""
    actor = request.actor
    found = grades_policies.access_assessment(actor, public_id)
    editable = grades_policies.can_edit(actor, found)
    error = ""
    if request.method == "POST":
        if not editable:
            raise Http404
        try:
            if "remove" in request.POST:
                column = policies.access_assessed_skill(actor, found, request.POST["remove"])
                actions.do_detach(actor=actor, assessed=column)
                messages.success(request, _("Compétence retirée du devoir."))
            else:
                skill, component = _attach_choice(actor, found, request.POST.get("choice", ""))
                actions.do_attach(actor=actor, assessment=found, component=component, skill=skill)
                messages.success(request, _("Compétence ajoutée au devoir."))
        except ValidationError as exc:
            error = _messages(exc)
        else:
            return redirect("skills:assessment", public_id=found.public_id)
    columns = selectors.assessed_skills(found)
    skills = list(policies.attachable_skills(actor, found)) if editable else []
    return render(
        request,
        "skills/assessment.html",
        {
            "assessment": found,
            "columns": columns,
            "editable": editable,
            "skills": [s for s in skills if s.pk not in {c.skill_id for c in columns}],
            "components": selectors.components() if editable else [],
            "error": error,
        },
        status=400 if error else 200,
    )


def _attach_choice(actor: Actor, found: Any, choice: str) -> tuple[Any, Component]:
    """``skill:<public id>`` or ``component:<code>`` from the attach form."""
    kind, _sep, value = choice.partition(":")
    if kind == "skill":
        for skill in policies.attachable_skills(actor, found):
            if str(skill.public_id) == value:
                return skill, skill.component
    elif kind == "component":
        component = _component(value)
        if component is not None:
            return None, component
    raise ValidationError(_("Choisissez une compétence ou une composante du socle."))


# -- the grid ------------------------------------------------------------------------------------


def _parse_cells(request: HttpRequest) -> dict[tuple[str, str], actions.Cell]:
    """Cells are ``c-<column public id>_<student public id>``; the version the page showed is
    ``v-…`` with the same key."""
    cells = {}
    for name, text in request.POST.items():
        if not name.startswith("c-"):
            continue
        column_id, _sep, student_id = name[2:].partition("_")
        try:
            version = int(request.POST.get(f"v-{name[2:]}", "0"))
        except ValueError:
            version = 0
        cells[(column_id, student_id)] = actions.Cell(text, version)
    return cells


@login_required
def grid(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The levels of an assessment, one row per student, one column per skill. Without
    JavaScript a plain form; with it, each change is saved as typed (cells endpoint)."""
    actor = request.actor
    found = grades_policies.access_assessment(actor, public_id)
    editable = grades_policies.can_edit(actor, found)
    columns = selectors.assessed_skills(found)
    students = grades_selectors.audience_students(found)
    error, status = "", 200
    typed: dict[tuple[str, str], actions.Cell] = {}
    if request.method == "POST":
        if not editable:
            raise Http404
        typed = _parse_cells(request)
        try:
            saved = actions.do_save_levels(
                actor=actor, assessment=found, cells=typed, columns=columns, students=students
            )
        except actions.Conflict as exc:
            error, status = _messages(exc), 409
            typed = {k: v for k, v in typed.items() if k not in exc.current}
        except ValidationError as exc:
            error, status = _messages(exc), 400
        else:
            messages.success(
                request, _("Niveaux enregistrés (%(count)d modifié(s)).") % {"count": saved.changed}
            )
            return redirect("skills:grid", public_id=found.public_id)
    results = selectors.grid_results(columns)
    rows = []
    for student in students:
        cells = []
        for column in columns:
            result = results.get((column.pk, student.pk))
            key = (str(column.public_id), str(student.public_id))
            shown = typed[key].text if key in typed else (result.display if result else "")
            version = result.version if result else 0
            cells.append(
                {
                    "key": f"{key[0]}_{key[1]}",
                    "value": shown,
                    "version": version,
                    "label": column.label,
                }
            )
        rows.append((student, cells))
    return render(
        request,
        "skills/grid.html",
        {
            "assessment": found,
            "columns": columns,
            "rows": rows,
            "editable": editable,
            "error": error,
            "levels": list(Mastery),
        },
        status=status,
    )


@login_required
@require_POST
def cells(request: HttpRequest, public_id: UUID) -> JsonResponse:
    """The grid's autosave: the changed cells, saved all or nothing. Answers each saved cell's
    value and version, or the error (400) or the cells someone else changed (409)."""
    actor = request.actor
    found = grades_policies.access_editable_assessment(actor, public_id)
    columns = selectors.assessed_skills(found)
    students = grades_selectors.audience_students(found)
    typed = _parse_cells(request)
    try:
        saved = actions.do_save_levels(
            actor=actor, assessment=found, cells=typed, columns=columns, students=students
        )
    except actions.Conflict as exc:
        return JsonResponse(
            {
                "error": _messages(exc),
                "cells": {f"{c}_{s}": _cell_json(result) for (c, s), result in exc.current.items()},
            },
            status=409,
        )
    except ValidationError as exc:
        return JsonResponse({"error": _messages(exc)}, status=400)
    return JsonResponse(
        {
            "saved": saved.changed,
            "cells": {f"{c}_{s}": _cell_json(saved.results.get((c, s))) for c, s in typed},
        }
    )


def _cell_json(result: Any) -> dict[str, Any]:
    return {"value": result.display if result else "", "version": result.version if result else 0}


# -- summaries ---------------------------------------------------------------------------------


def _summary_page(
    request: HttpRequest,
    actor: Actor,
    student: Any,
    enrolment: Enrolment | None,
    *,
    published_only: bool,
    child: Any = None,
) -> HttpResponse:
    establishment_id = enrolment.establishment_id if enrolment else actor.establishment.pk
    school_year_id = enrolment.school_year_id if enrolment else actor.school_year.pk
    periods = grades_selectors.periods(establishment_id, school_year_id)
    period = _period(request, periods)
    components = selectors.components()
    now = timezone.now()
    summary = (
        selectors.student_summary(
            student, period, published_only=published_only, now=now, components_=components
        )
        if period
        else None
    )
    cycle = selectors.cycle_summary(
        student, enrolment, published_only=published_only, now=now, components_=components
    )
    return render(
        request,
        "skills/summary.html",
        {
            "student": student,
            "enrolment": enrolment,
            "child": child,
            "children": actor.children if child is not None else [],
            "periods": periods,
            "period": period,
            "summary": summary,
            "cycle": cycle,
            "levels": list(Mastery),
            "is_self": student.pk == actor.user.pk,
        },
    )


def _period(request: HttpRequest, periods: list[Period]) -> Period | None:
    wanted = request.GET.get("period")
    for period in periods:
        if str(period.public_id) == wanted:
            return period
    return grades_selectors.current_period(periods, timezone.localdate())


def mine(request: HttpRequest) -> HttpResponse:
    """A student's own summary, or a guardian's child's (with the child switcher)."""
    actor = request.actor
    child = selected_child(request, actor, guardian_home_only=True)
    if child is not None:
        student = child.student
        enrolment = child.enrolments[0] if child.enrolments else None
    elif actor.is_student and actor.enrolment is not None:
        student = actor.user
        enrolment = actor.enrolment
    else:
        raise Http404
    return _summary_page(request, actor, student, enrolment, published_only=True, child=child)


@login_required
def student(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One student's summary for their teachers, head teacher, the direction and the CPE."""
    actor = request.actor
    found = policies.access_summary_student(actor, public_id)
    enrolment = (
        Enrolment.objects.filter(
            student=found, establishment=actor.establishment, school_year=actor.school_year
        )
        .select_related("school_class__level")
        .first()
    )
    return _summary_page(request, actor, found, enrolment, published_only=False)


@login_required
def school_class(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A class's resulting levels per student and component for a period."""
    actor = request.actor
    found = policies.access_summary_class(actor, public_id)
    periods = grades_selectors.periods(found.establishment_id, found.school_year_id)
    period = _period(request, periods)
    components = selectors.components()
    students = list(
        policies.summary_students(actor)
        .filter(enrolments__school_class=found)
        .only("pk", "public_id", "first_name", "last_name")
        .order_by("last_name", "first_name")
    )
    rows = selectors.class_summary(students, period, components) if period else []
    return render(
        request,
        "skills/class.html",
        {
            "school_class": found,
            "periods": periods,
            "period": period,
            "components": components,
            "rows": rows,
            "levels": list(Mastery),
        },
    )
