"""Who reads and writes which notebook entries. The one place these rules live.

- **Guardians**: every entry of their children, in whichever establishment (also those marked
  « pour les responsables seulement »). Any legal guardian signs a school entry; an entry is signed
  when one of them has, unless its author asked for every legal guardian's signature. They answer
  authorisations until the deadline, and write requests and messages to the head teacher or to
  school life.
- **Students**: their own notebook, read only, without the entries marked « pour les
  responsables seulement ».
- **Teachers**: write to the guardians of the students of the classes and groups they teach or
  head; read the entries they wrote, the family entries addressed to them, and the school's
  entries about the students they teach (the paper notebook is shown to every teacher). A family
  entry addressed to school life is not shown to teachers.
- **Direction and school life** (head, deputy, CPE, education staff): every entry of their
  establishment; they write to any student's guardians and answer the families.

Missing and forbidden get the same answer (Http404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404

from preau.directory.policies import (
    get_or_404,
    visible_classes,
    visible_groups,
    visible_students,
)
from preau.notebook.models import SCHOOL_KINDS, Attachment, Entry

if TYPE_CHECKING:
    from preau.core.actor import Actor


def is_school_life(actor: Actor) -> bool:
    return (
        actor.is_authenticated
        and actor.establishment is not None
        and actor.sees_whole_establishment
    )


def can_write(actor: Actor) -> bool:
    """Write to families: teachers, direction and school life of the current establishment."""
    return (
        actor.is_authenticated
        and actor.establishment is not None
        and (actor.is_teacher or is_school_life(actor))
    )


def writable_students(actor: Actor) -> QuerySet:
    if not can_write(actor):
        return visible_students(actor).none()
    return visible_students(actor)


def writable_classes(actor: Actor) -> QuerySet:
    if not can_write(actor):
        return visible_classes(actor).none()
    return visible_classes(actor)


def writable_groups(actor: Actor) -> QuerySet:
    if not can_write(actor):
        return visible_groups(actor).none()
    return visible_groups(actor)


def child_establishments(actor: Actor) -> set[int]:
    return {e.establishment_id for child in actor.children for e in child.enrolments}


def visible_entries(actor: Actor) -> QuerySet[Entry]:
    if not actor.is_authenticated:
        return Entry.objects.none()
    condition = Q(pk__in=[])
    if actor.child_ids:
        condition |= Q(student__in=actor.child_ids, establishment__in=child_establishments(actor))
    establishment = actor.establishment
    if establishment is not None:
        here = Q(establishment=establishment)
        if is_school_life(actor):
            condition |= here
        else:
            if actor.is_student:
                condition |= here & Q(student=actor.user, guardians_only=False)
            if actor.is_teacher:
                own_students = visible_students(actor).values("pk")
                condition |= here & (
                    Q(author=actor.user)
                    | Q(addressed_to=actor.user)
                    | Q(kind__in=SCHOOL_KINDS, student__in=own_students)
                )
    return Entry.objects.filter(condition)


def access_entry(actor: Actor, public_id: Any) -> Entry:
    return get_or_404(
        visible_entries(actor).select_related(
            "student", "author", "answered_by", "addressed_to", "establishment", "measure"
        ),
        public_id,
    )


def access_attachment(actor: Actor, public_id: Any) -> Attachment:
    return get_or_404(
        Attachment.objects.filter(entry__in=visible_entries(actor).values("pk")), public_id
    )


def is_family(actor: Actor, entry: Entry) -> bool:
    """The reader is a guardian of the entry's student."""
    return entry.student_id in actor.child_ids


def is_staff_reader(actor: Actor, entry: Entry) -> bool:
    """A member of staff of the entry's establishment reading it (sees the signatures)."""
    return (
        can_write(actor)
        and actor.establishment.pk == entry.establishment_id
        and not is_family(actor, entry)
    )


def can_sign(actor: Actor, entry: Entry) -> bool:
    return is_family(actor, entry) and entry.needs_signature


def can_answer(actor: Actor, entry: Entry, now: Any) -> bool:
    return is_family(actor, entry) and entry.answer_open(now)


def can_reply(actor: Actor, entry: Entry) -> bool:
    """The thread: the student's guardians, the author, the addressee and school life."""
    if is_family(actor, entry):
        return True
    if not is_staff_reader(actor, entry):
        return False
    return is_school_life(actor) or actor.user.pk in (entry.author_id, entry.addressed_to_id)


def access_notebook_student(actor: Actor, public_id: Any) -> Any:
    """A student whose notebook the actor opens: a guardian's child, the student themselves,
    a student of a teacher's classes, any student of the establishment for school life."""
    for child in actor.children:
        if str(child.public_id) == str(public_id):
            return child.student
    if actor.is_student and str(actor.user.public_id) == str(public_id):
        return actor.user
    if can_write(actor):
        return get_or_404(visible_students(actor), public_id)
    raise Http404


def access_batch(actor: Actor, batch: Any) -> list[Entry]:
    """The entries of a class send the actor wrote or, for school life, of their
    establishment; 404 otherwise."""
    if not can_write(actor):
        raise Http404
    entries = Entry.objects.filter(establishment=actor.establishment, batch=batch)
    if not is_school_life(actor):
        entries = entries.filter(author=actor.user)
    rows = list(entries.select_related("student", "author").order_by("student__last_name"))
    if not rows:
        raise Http404
    return rows


def access_settings_establishment(actor: Actor, public_id: Any) -> Any:
    """The establishment whose notebook settings the actor sets (its administration console)."""
    from preau.directory.policies import administered_establishments

    return get_or_404(administered_establishments(actor), public_id)
