"""Pages of discipline. Views find records through the policies (404 otherwise), parse forms and
call the actions. A teacher asking for the sanction form gets a 403 page that says why."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from preau.core.forms import apply_action
from preau.discipline import actions, policies, selectors
from preau.discipline.forms import (
    CancelForm,
    FilterForm,
    IncidentForm,
    MeasureForm,
    SanctionForm,
    measure_initial,
)
from preau.discipline.models import IncidentCategory, Involvement, OtherPunishment

PAGE_SIZE = 25


def _page(request: HttpRequest, rows: Any, param: str = "page") -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get(param))


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "discipline/refused.html", {"message": message}, status=403)


def _measure_rows(actor: Any, measures: Any) -> Any:
    return selectors.with_class(measures).order_by("-decided_on", "-created_at")


# -- lists -------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Each person's own entry: school life's list, a teacher's punishments, a guardian's
    children, a student's record."""
    actor = request.actor
    if policies.is_school_life(actor):
        return redirect("discipline:establishment")
    if actor.is_teacher:
        return redirect("discipline:mine")
    if actor.is_guardian and actor.children:
        return redirect("discipline:child", student_id=actor.children[0].public_id)
    if actor.is_student:
        return own(request)
    raise Http404


def own(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    measures = policies.visible_measures(actor).filter(student=actor.user)
    return render(
        request,
        "discipline/student.html",
        {
            "page": _page(request, _measure_rows(actor, measures)),
            "student": actor.user,
            "for_family": True,
        },
    )


@login_required
def establishment(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not policies.is_school_life(actor):
        raise Http404
    form = FilterForm(request.GET or None, actor=actor)
    filters = form.cleaned_data if form.is_valid() else {}
    measures = selectors.filtered(
        policies.visible_measures(actor).filter(school_year=actor.school_year), filters
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "discipline/establishment.html",
        {
            "form": form,
            "page": _page(request, _measure_rows(actor, measures)),
            "query": query.urlencode(),
            "can_sanction": policies.can_sanction(actor),
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The punishments the person gave, and the detentions they supervise."""
    actor = request.actor
    if not policies.can_punish(actor):
        raise Http404
    from django.db.models import Q

    measures = policies.visible_measures(actor).filter(
        Q(decided_by=actor.user) | Q(supervisor=actor.user), school_year=actor.school_year
    )
    return render(
        request,
        "discipline/mine.html",
        {
            "page": _page(request, _measure_rows(actor, measures)),
            "can_sanction": policies.can_sanction(actor),
        },
    )


@login_required
def incidents(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not policies.can_report(actor):
        raise Http404
    rows = (
        policies.visible_incidents(actor)
        .filter(school_year=actor.school_year)
        .select_related("category", "reported_by")
        .order_by("-occurred_at")
    )
    page = _page(request, rows)
    selectors.involvements_shown(actor, list(page))
    return render(request, "discipline/incidents.html", {"page": page})


@login_required
def student(request: HttpRequest, student_id: Any) -> HttpResponse:
    """A student's record, for school life and the student's teachers."""
    actor = request.actor
    pupil = policies.access_record_student(actor, student_id)
    measures = policies.visible_measures(actor).filter(student=pupil)
    incident_rows = list(
        policies.visible_incidents(actor)
        .filter(pk__in=Involvement.objects.filter(student=pupil).values("incident_id"))
        .select_related("category", "reported_by")
        .order_by("-occurred_at")[:PAGE_SIZE]
    )
    selectors.involvements_shown(actor, incident_rows)
    return render(
        request,
        "discipline/record.html",
        {
            "student": pupil,
            "page": _page(request, _measure_rows(actor, measures)),
            "incidents": incident_rows,
            "can_sanction": policies.can_sanction(actor),
        },
    )


@login_required
def child(request: HttpRequest, student_id: Any) -> HttpResponse:
    actor = request.actor
    kid = policies.access_child(actor, student_id)
    measures = policies.visible_measures(actor).filter(student=kid.student)
    return render(
        request,
        "discipline/student.html",
        {
            "page": _page(request, _measure_rows(actor, measures)),
            "student": kid.student,
            "child": kid,
            "children": actor.children,
            "for_family": True,
        },
    )


# -- one measure -------------------------------------------------------------------------------


@login_required
def measure(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = request.actor
    obj = policies.access_measure(actor, public_id)
    family = obj.student_id == actor.user.pk or obj.student_id in actor.child_ids
    staff_view = not family and (
        policies.can_punish(actor) and actor.establishment.pk == obj.establishment_id
    )
    return render(
        request,
        "discipline/measure.html",
        {
            "measure": obj,
            "staff_view": staff_view,
            "notes": staff_view and policies.can_see_notes(actor, obj),
            "can_change": staff_view and policies.can_change(actor, obj),
            "can_acknowledge": policies.can_acknowledge(actor, obj),
        },
    )


@login_required
@require_POST
def acknowledge(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = request.actor
    obj = policies.access_measure(actor, public_id)
    if obj.student_id not in actor.child_ids:
        raise Http404
    try:
        actions.do_acknowledge(actor=actor, measure=obj)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Votre prise de connaissance est enregistrée."))
    return redirect("discipline:measure", public_id=obj.public_id)


def _create(request: HttpRequest, form_class: type[MeasureForm]) -> HttpResponse:
    actor = request.actor
    initial: dict[str, Any] = {}
    for name in ("student", "incident"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = form_class(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            obj = apply_action(
                form,
                lambda: actions.do_give_measure(
                    actor=actor,
                    data=form.data_for_action(),
                    publish=form.cleaned_data["publish"],
                ),
            )
        except actions.SanctionRefused as exc:
            return _refused(request, str(exc))
        if obj is not None:
            messages.success(request, _("La mesure est enregistrée."))
            return redirect("discipline:measure", public_id=obj.public_id)
    return render(
        request, "discipline/measure_form.html", {"form": form, "sanction": form.sanction}
    )


@login_required
def punish(request: HttpRequest) -> HttpResponse:
    if not policies.can_punish(request.actor):
        raise Http404
    return _create(request, MeasureForm)


@login_required
def sanction(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not policies.can_punish(actor):
        raise Http404
    if not policies.can_sanction(actor):
        return _refused(
            request,
            _(
                "Seuls le chef d'établissement et son adjoint prononcent les sanctions "
                "disciplinaires."
            ),
        )
    return _create(request, SanctionForm)


def _changeable(request: HttpRequest, public_id: Any) -> Any:
    """The measure if the actor may change it; a 404 when they may not see it, a 403 page
    that says why when they see a sanction they may not change."""
    actor = request.actor
    obj = policies.access_measure(actor, public_id)
    if obj.student_id == actor.user.pk or obj.student_id in actor.child_ids:
        raise Http404
    if not policies.can_punish(actor) or actor.establishment.pk != obj.establishment_id:
        raise Http404
    if not policies.can_change(actor, obj):
        if obj.cancelled_at is not None:
            raise Http404
        if obj.is_sanction:
            return _refused(
                request,
                _(
                    "Seuls le chef d'établissement et son adjoint modifient les sanctions "
                    "disciplinaires."
                ),
            )
        return _refused(request, _("Seuls son auteur et la vie scolaire modifient cette punition."))
    return obj


@login_required
def measure_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = request.actor
    obj = _changeable(request, public_id)
    if isinstance(obj, HttpResponse):
        return obj
    form_class = SanctionForm if obj.is_sanction else MeasureForm
    form = form_class(request.POST or None, actor=actor, measure=obj, initial=measure_initial(obj))
    if request.method == "POST" and form.is_valid():
        done = apply_action(
            form,
            lambda: actions.do_update_measure(
                actor=actor, measure=obj, data=form.data_for_action()
            ),
        )
        if done is not None:
            messages.success(request, _("La mesure est modifiée."))
            return redirect("discipline:measure", public_id=obj.public_id)
    return render(
        request,
        "discipline/measure_form.html",
        {"form": form, "measure": obj, "sanction": obj.is_sanction},
    )


@login_required
def measure_cancel(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = request.actor
    obj = _changeable(request, public_id)
    if isinstance(obj, HttpResponse):
        return obj
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = apply_action(
            form,
            lambda: actions.do_cancel_measure(
                actor=actor, measure=obj, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, _("La mesure est annulée."))
            return redirect("discipline:measure", public_id=obj.public_id)
    return render(request, "discipline/cancel.html", {"form": form, "measure": obj})


@login_required
@require_POST
def measure_publish(request: HttpRequest, public_id: Any) -> HttpResponse:
    obj = _changeable(request, public_id)
    if isinstance(obj, HttpResponse):
        return obj
    actions.do_publish_measure(actor=request.actor, measure=obj)
    messages.success(request, _("La mesure est publiée à la famille."))
    return redirect("discipline:measure", public_id=obj.public_id)


# -- incidents ---------------------------------------------------------------------------------


@login_required
def incident(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = request.actor
    obj = policies.access_incident(actor, public_id)
    selectors.involvements_shown(actor, [obj])
    measures = selectors.with_class(policies.visible_measures(actor).filter(incident=obj))
    return render(
        request,
        "discipline/incident.html",
        {
            "incident": obj,
            "measures": measures.order_by("-decided_on"),
            "can_edit": policies.can_edit_incident(actor, obj),
            "can_sanction": policies.can_sanction(actor),
        },
    )


def _incident_form(request: HttpRequest, obj: Any = None) -> HttpResponse:
    actor = request.actor
    initial: dict[str, Any] = {}
    if obj is not None:
        rows = list(obj.involvements.select_related("student"))
        initial = {
            "category": obj.category_id,
            "occurred_at": obj.occurred_at,
            "place": obj.place,
            "description": obj.description,
            "authors": [r.student.public_id for r in rows if r.role == "author"],
            "victims": [r.student.public_id for r in rows if r.role == "victim"],
            "witnesses": [r.student.public_id for r in rows if r.role == "witness"],
        }
    form = IncidentForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {
            "category": form.cleaned_data["category"],
            "description": form.cleaned_data["description"],
            "occurred_at": form.cleaned_data["occurred_at"],
            "place": form.cleaned_data["place"],
            "involved": form.involved(),
        }
        if obj is None:
            done = apply_action(form, lambda: actions.do_report_incident(actor=actor, **values))
        else:
            done = apply_action(
                form, lambda: actions.do_update_incident(actor=actor, incident=obj, **values)
            )
        if done is not None:
            messages.success(request, _("L'incident est enregistré."))
            return redirect("discipline:incident", public_id=done.public_id)
    return render(request, "discipline/incident_form.html", {"form": form, "incident": obj})


@login_required
def incident_create(request: HttpRequest) -> HttpResponse:
    if not policies.can_report(request.actor):
        raise Http404
    return _incident_form(request)


@login_required
def incident_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    actor = request.actor
    obj = policies.access_incident(actor, public_id)
    if not policies.can_edit_incident(actor, obj):
        raise Http404
    return _incident_form(request, obj)


# -- the establishment's lists -----------------------------------------------------------------

LISTS = {"category": IncidentCategory, "other": OtherPunishment}


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """The incident categories and the other punishments of the establishment."""
    actor = request.actor
    if not policies.is_school_life(actor):
        raise Http404
    if request.method == "POST":
        model = LISTS.get(request.POST.get("list", ""))
        if model is None:
            raise Http404
        label = request.POST.get("label", "")
        try:
            if request.POST.get("action") == "add":
                actions.do_add_choice(actor=actor, model=model, label=label)
            else:
                row = model.objects.filter(establishment=actor.establishment, label=label).first()
                if row is None:
                    raise Http404
                actions.do_set_choice_active(
                    actor=actor, row=row, active=request.POST.get("action") == "show"
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            raise Http404 from exc
        return redirect("discipline:settings")
    return render(
        request,
        "discipline/settings.html",
        {
            "categories": IncidentCategory.objects.filter(establishment=actor.establishment),
            "others": OtherPunishment.objects.filter(establishment=actor.establishment),
        },
    )
