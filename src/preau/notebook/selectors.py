"""Reads of the notebook pages and panel, each in a fixed number of queries whatever the
number of entries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from preau.notebook import policies
from preau.notebook.actions import legal_guardians
from preau.notebook.models import SCHOOL_KINDS, Entry, Kind, Signature
from preau.portal.panel_cache import cached_panel

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

PANEL_SIZE = 5


def unsigned_first(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    """School entries still to sign first, then the others, newest first."""
    pending = Case(
        When(kind__in=SCHOOL_KINDS, signed_at__isnull=True, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return entries.annotate(pending=pending).order_by("pending", "-created_at", "-id")


def for_listing(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    """What a list row shows: the author, the signatures (with their guardian), the files and
    the number of replies (one query for the page, one per prefetch)."""
    from django.db.models import Count

    return (
        entries.select_related("author", "answered_by", "student")
        .prefetch_related(
            Prefetch("signatures", queryset=Signature.objects.select_related("guardian")),
            "attachments",
        )
        .annotate(reply_count=Count("replies", distinct=True))
    )


def filtered(entries: QuerySet[Entry], kind: str) -> QuerySet[Entry]:
    if kind == "to_sign":
        return entries.filter(kind__in=SCHOOL_KINDS, signed_at__isnull=True)
    if kind in Kind.values:
        return entries.filter(kind=kind)
    return entries


def signed_by(entry: Entry) -> set[int]:
    return {s.guardian_id for s in entry.signatures.all()}


@dataclass
class GuardianStatus:
    guardian: Any
    signature: Signature | None


@dataclass
class StudentRow:
    """One student of a class send: the entry and each legal guardian's signature."""

    entry: Entry
    guardians: list[GuardianStatus] = field(default_factory=list)


def batch_rows(entries: list[Entry]) -> list[StudentRow]:
    """The send's entries with every legal guardian's signature or its absence (2 queries)."""
    signatures: dict[int, dict[int, Signature]] = defaultdict(dict)
    for signature in Signature.objects.filter(entry__in=entries):
        signatures[signature.entry_id][signature.guardian_id] = signature
    guardians = legal_guardians([e.student_id for e in entries])
    return [
        StudentRow(
            entry,
            [
                GuardianStatus(g, signatures[entry.pk].get(g.pk))
                for g in guardians.get(entry.student_id, [])
            ],
        )
        for entry in entries
    ]


def guardian_statuses(entry: Entry) -> list[GuardianStatus]:
    """Each legal guardian of the entry's student, signed or not (2 queries)."""
    return batch_rows([entry])[0].guardians


def sends(actor: Actor) -> QuerySet[Entry]:
    """The school entries the actor wrote this year."""
    return Entry.objects.filter(
        establishment=actor.establishment,
        school_year=actor.school_year,
        author=actor.user,
        kind__in=SCHOOL_KINDS,
    )


def send_summaries(actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
    """The actor's sends, one row per class send or single entry, with how many are signed
    (1 query)."""
    from django.db.models import Count, Max, Min

    rows = (
        sends(actor)
        .annotate(
            key=Coalesce("batch", "public_id"),
        )
        .values("key", "batch")
        .annotate(
            created_at=Max("created_at"),
            title=Max("title"),
            kind=Max("kind"),
            audience=Max("audience"),
            student_last=Min("student__last_name"),
            student_first=Min("student__first_name"),
            total=Count("id"),
            signed=Count("id", filter=Q(signed_at__isnull=False)),
            yes=Count("id", filter=Q(answer=True)),
            no=Count("id", filter=Q(answer=False)),
        )
        .order_by("-created_at")[:limit]
    )
    labels = dict(Kind.choices)
    return [{**row, "kind_label": labels.get(row["kind"], "")} for row in rows]


def family_inbox(actor: Actor, limit: int = 50) -> list[Entry]:
    """The families' requests and messages the actor reads as their addressee (school life:
    those addressed to school life), newest first (1 query)."""
    from django.db.models import Count

    entries = policies.visible_entries(actor).filter(
        kind__in=[Kind.REQUEST, Kind.MESSAGE], establishment=actor.establishment
    )
    condition = Q(addressed_to=actor.user)
    if policies.is_school_life(actor):
        condition |= Q(addressed_to__isnull=True)
    return list(
        entries.filter(condition)
        .select_related("student", "author")
        .annotate(reply_count=Count("replies"))
        .order_by("-created_at")[:limit]
    )


# -- home panel --------------------------------------------------------------------------------


def _guardian(actor: Actor, child: Child) -> tuple[dict[str, Any] | None, Any]:
    """The child's entries this guardian has yet to sign or answer (1 query)."""
    now = timezone.now()
    waiting = list(
        policies.visible_entries(actor)
        .filter(student=child.student, kind__in=SCHOOL_KINDS)
        .filter(
            Q(signed_at__isnull=True)
            | Q(kind=Kind.AUTHORISATION, answer__isnull=True, answer_by__gt=now)
        )
        .exclude(pk__in=Signature.objects.filter(guardian=actor.user).values("entry_id"))
        .only("public_id", "kind", "title", "created_at", "answer_by")
        .order_by("-created_at")[:PANEL_SIZE]
    )
    if not waiting:
        return None, None
    deadlines = [e.answer_by for e in waiting if e.answer_by is not None and e.answer_by > now]
    return {"child": child.student, "entries": waiting}, min(deadlines, default=None)


def panel_context(actor: Actor, child: Child | None) -> dict[str, Any] | None:
    if actor.home_kind != "guardian" or child is None:
        return None
    # Kept until the family's notebook changes (actions forget the guardians' panels), or an
    # authorisation's deadline passes.
    return cached_panel(
        actor, child, "notebook", lambda: _guardian(actor, child), "notebook/panel.html"
    )
