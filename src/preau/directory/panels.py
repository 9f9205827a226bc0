"""The directory's dashboard panel: a student's class, head teacher and teachers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from preau.directory import selectors
from preau.portal.panel_cache import cached_panel

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    """The panel for a student, a guardian's child or a teacher; none for other staff.

    Kept rendered until the directory changes (the version is part of every panel's key).
    """
    if actor.home_kind in ("staff", "none"):
        return None

    def compute() -> tuple[dict[str, Any], None]:
        if child is not None:
            enrolment = child.enrolments[0] if child.enrolments else None
        elif actor.is_student:
            enrolment = actor.enrolment
        else:
            taught = {a.school_class for a in actor.teaching_assignments if a.school_class}
            return {"classes": sorted(taught, key=lambda c: (c.level.order, c.name))}, None
        assignments = selectors.teachers_of_enrolment(enrolment) if enrolment else []
        return {"classes": None, "enrolment": enrolment, "assignments": assignments}, None

    return cached_panel(actor, child, "directory", compute, "directory/panel.html")
