"""Pages of the skills. Views find objects through the policies (404 otherwise), parse forms
and call the actions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from preau.skills import actions, policies
from preau.skills.models import Component


def _messages(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def _component(value: str | None) -> Component | None:
    return Component.objects.filter(code=value or "").first()


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if actor.is_teacher:
        return redirect("skills:items")
    raise Http404


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
