"""The directory's dashboard panel: a student's class, head teacher and teachers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from preau.directory import selectors, versions

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    """The panel for a student, a guardian's child or a teacher; none for other staff."""
    if actor.home_kind in ("staff", "none"):
        return None
    if child is not None:
        enrolment = child.enrolments[0] if child.enrolments else None
    elif actor.is_student:
        enrolment = actor.enrolment
    else:
        return {
            "classes": sorted(
                {a.school_class for a in actor.teaching_assignments if a.school_class},
                key=lambda c: (c.level.order, c.name),
            )
        }
    assignments = []
    if enrolment is not None:
        assignments = versions.cached(
            f"team:{enrolment.pk}",
            actor.directory_version,
            lambda: selectors.teachers_of_enrolment(enrolment),
        )
    return {"classes": None, "enrolment": enrolment, "assignments": assignments}
