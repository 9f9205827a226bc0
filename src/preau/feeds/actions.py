"""Importing files of the national directory feed (AAF) into the directory.

One file, one transaction: a refused file changes nothing. Records are applied in batches with
bulk queries (a feed holds 100,000 people); each batch reads what exists, compares, and writes
only what differs, so that importing the same file twice writes nothing the second time. The
directory's invariants are kept as its actions keep them: an account's ``left_at`` is set when
its last active membership closes and cleared when one reopens (see directory.actions).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.audit.actions import record as audit
from preau.core.actor import current_school_year
from preau.directory.actions import unique_username, username_base
from preau.directory.models import (
    STAFF_PROFILES,
    Academy,
    Enrolment,
    Establishment,
    EstablishmentKind,
    Function,
    GroupMembership,
    Guardianship,
    Level,
    Membership,
    Profile,
    SchoolClass,
    Subject,
    TeachingAssignment,
    TeachingGroup,
    validate_uai,
)
from preau.feeds.models import CodeKind, FeedImport, NationalCode, SeenId, StructureLink
from preau.feeds.xml import FeedError, Record, read_records

User = get_user_model()

BATCH = 500
SHOWN_CHANGES = 20
KINDS = ("EtabEducNat", "MefEducNat", "MatiereEducNat", "PersEducNat", "PersRelEleve", "Eleve")
# Profiles each kind of person file speaks for (and closes when a person is missing).
KIND_PROFILES = {
    "PersEducNat": sorted(STAFF_PROFILES),
    "Eleve": [Profile.STUDENT],
    "PersRelEleve": [Profile.GUARDIAN],
}
STRUCTURE_KINDS = {
    "ECOLE": EstablishmentKind.PRIMARY,
    "COLLEGE": EstablishmentKind.COLLEGE,
    "CLG": EstablishmentKind.COLLEGE,
    "LYCEE": EstablishmentKind.LYCEE,
    "LYC": EstablishmentKind.LYCEE,
    "LP": EstablishmentKind.VOCATIONAL,
    "LYCEE PROFESSIONNEL": EstablishmentKind.VOCATIONAL,
}
# The functions the feed speaks for; the others (head, ENT administrator…) are Préau's own.
# DIR is the direction, head and deputies alike: the feed cannot tell the head, whom the
# academy appoints in its console, so DIR gives the deputy's function and heads are left alone.
FEED_FUNCTIONS = {"EDU": Function.CPE, "DIR": Function.DEPUTY_HEAD}
GROUP_NAME_LENGTH = TeachingGroup._meta.get_field("name").max_length
UNKNOWN_LEVEL = ("aaf-nc", "Niveau non précisé", 999)


@dataclass(frozen=True)
class FeedFile:
    path: Path
    kind: str
    complete: bool
    stamp: str

    @property
    def name(self) -> str:
        return self.path.name


def describe_file(path: Path) -> FeedFile:
    """The kind and mode of a feed file, from its name (``…_Complet_<date>_Eleve_0000.xml``)."""
    tokens = re.split(r"[_.]", path.name)
    kinds = [token for token in tokens if token in KINDS]
    modes = [token for token in tokens if token in ("Complet", "Delta")]
    if len(kinds) != 1 or len(modes) != 1:
        raise FeedError(
            _(
                "%(file)s : nom de fichier non reconnu (attendu …_Complet_…_Eleve_….xml ou "
                "…_Delta_…, avec EtabEducNat, PersEducNat, Eleve, PersRelEleve, MatiereEducNat "
                "ou MefEducNat)."
            )
            % {"file": path.name}
        )
    stamps = [token for token in tokens if re.fullmatch(r"\d{8}", token)]
    return FeedFile(path, kinds[0], modes[0] == "Complet", stamps[0] if stamps else "")


def feed_files(paths: Iterable[Path]) -> list[FeedFile]:
    """The files to import, in the order their references need: by date, the complete files
    before the deltas, structures and codes before people, guardians before students, and
    students before teachers (whose classes they make)."""
    files: list[FeedFile] = []
    for path in paths:
        if path.is_dir():
            files.extend(describe_file(p) for p in sorted(path.glob("*.xml")))
        else:
            files.append(describe_file(path))
    order = {"EtabEducNat": 0, "MefEducNat": 1, "MatiereEducNat": 2, "PersRelEleve": 3}
    order |= {"Eleve": 4, "PersEducNat": 5}
    return sorted(files, key=lambda f: (f.stamp, not f.complete, order[f.kind], f.name))


class _DryRun(Exception):
    """Raised at the end of a dry run to roll its transaction back."""


@dataclass
class Run:
    """The state of one file's import: its counts, its first changes, what it has cached."""

    feed: FeedFile
    academy: Academy
    log: FeedImport
    year: Any
    now: datetime
    counts: Counter = field(default_factory=Counter)
    changes: list[str] = field(default_factory=list)
    links: dict[str, StructureLink] = field(default_factory=dict)
    classes: dict[tuple[int, str], SchoolClass] = field(default_factory=dict)
    # (establishment, group name) → the group's id: ids, not rows, so the cache stays small.
    groups: dict[tuple[int, str], int] = field(default_factory=dict)
    subjects: dict[tuple[int, str], Subject] = field(default_factory=dict)
    levels: dict[str, Level] = field(default_factory=dict)
    touched: set[int] = field(default_factory=set)

    def change(self, key: str, text: str, establishment_id: int | None = None) -> None:
        self.counts[key] += 1
        if len(self.changes) < SHOWN_CHANGES:
            self.changes.append(text)
        if establishment_id is not None:
            self.touched.add(establishment_id)

    def refuse(self, record: Record, message: str) -> FeedError:
        return FeedError(f"{record.where(self.feed.name)} : {message}")

    def link(self, jointure: str) -> StructureLink | None:
        return self.links.get(jointure)


def import_file(
    feed: FeedFile,
    *,
    academy: Academy,
    dry_run: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> FeedImport:
    """Import one file in one transaction; the returned log says what changed or the error."""
    return _import_file(feed, academy, dry_run, on_progress, roll_back=dry_run)


def import_files(
    feeds: list[FeedFile],
    *,
    academy: Academy,
    dry_run: bool = False,
    on_progress: Callable[[FeedFile], Callable[[int, int], None] | None] | None = None,
) -> list[FeedImport]:
    """Import files in order, each in its own transaction. A dry run imports them all in one
    transaction rolled back at the end, so that each file sees what the earlier ones would do."""
    progress = on_progress or (lambda feed: None)
    if not dry_run:
        return [import_file(f, academy=academy, on_progress=progress(f)) for f in feeds]
    with transaction.atomic():
        logs = [_import_file(f, academy, True, progress(f), roll_back=False) for f in feeds]
        transaction.set_rollback(True)
    for log in logs:  # the logs were rolled back with the rest: keep them
        log.pk = None
        log.save()
    return logs


def _import_file(
    feed: FeedFile,
    academy: Academy,
    dry_run: bool,
    on_progress: Callable[[int, int], None] | None,
    *,
    roll_back: bool,
) -> FeedImport:
    log = FeedImport.objects.create(
        academy=academy,
        file_name=feed.name,
        kind=feed.kind,
        complete=feed.complete,
        dry_run=dry_run,
        started_at=timezone.now(),
    )
    run = Run(feed, academy, log, current_school_year(), timezone.now())
    size = feed.path.stat().st_size
    try:
        with transaction.atomic():
            with feed.path.open("rb") as stream:
                progress = (lambda: on_progress(stream.tell(), size)) if on_progress else None
                _apply(run, read_records(stream, feed.name, progress))
            SeenId.objects.filter(feed_import=log).delete()
            if not dry_run:
                for establishment in Establishment.objects.filter(pk__in=run.touched):
                    audit(
                        actor=None,
                        establishment=establishment,
                        action="feeds.import",
                        target=log,
                        after={"file": feed.name, "changes": dict(run.counts)},
                    )
            if roll_back:
                raise _DryRun
    except _DryRun:
        pass
    except FeedError as error:
        log.error = str(error)
        run.counts.clear()
        run.changes.clear()
    log.counts = dict(sorted(run.counts.items()))
    log.finished_at = timezone.now()
    log.save(update_fields=["counts", "finished_at", "error", "records"])
    log.changes = run.changes  # shown by the command, not stored
    return log


def _batches(records: Iterator[Record], run: Run) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in records:
        run.log.records += 1
        batch.append(record)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _apply(run: Run, records: Iterator[Record]) -> None:
    run.links = {
        link.jointure: link
        for link in StructureLink.objects.filter(academy=run.academy).select_related(
            "establishment"
        )
    }
    kind = run.feed.kind
    for batch in _batches(records, run):
        _check_duplicates(run, batch)
        if kind == "EtabEducNat":
            _structures(run, batch)
        elif kind in ("MefEducNat", "MatiereEducNat"):
            _codes(run, batch)
        else:
            _people(run, batch)
    if run.feed.complete and kind in KIND_PROFILES:
        _close_missing(run)
    if kind == "Eleve":
        _close_orphan_guardians(run)


def _check_duplicates(run: Run, batch: list[Record]) -> None:
    """A join id twice in one file is refused; the database remembers those already read."""
    seen: dict[str, Record] = {}
    for record in batch:
        if record.identifier in seen:
            raise run.refuse(record, _("identifiant en double dans le fichier."))
        seen[record.identifier] = record
    earlier = SeenId.objects.filter(feed_import=run.log, jointure__in=list(seen)).values_list(
        "jointure", flat=True
    )
    for jointure in earlier[:1]:
        raise run.refuse(seen[jointure], _("identifiant en double dans le fichier."))
    SeenId.objects.bulk_create([SeenId(feed_import=run.log, jointure=j) for j in seen])


# -- structures and codes ------------------------------------------------------------------------
def _structures(run: Run, batch: list[Record]) -> None:
    for record in batch:
        if record.operation == "delete":
            # An establishment leaves the feed by an administrator's decision, not a file.
            run.counts["structure.ignored_deletion"] += 1
            continue
        link = run.link(record.identifier)
        uai = record.first("ENTStructureUAI").upper()
        if link is None:
            if not uai:
                raise run.refuse(record, _("structure sans ENTStructureUAI."))
            try:
                validate_uai(uai)
            except Exception as error:
                raise run.refuse(record, _("UAI « %(uai)s » invalide.") % {"uai": uai}) from error
            establishment = Establishment.objects.filter(uai=uai).first()
            if establishment is None:
                establishment = Establishment.objects.create(
                    uai=uai,
                    name=record.first("ENTStructureNomCourant") or uai,
                    kind=_structure_kind(record),
                    academy=run.academy,
                )
                run.change("establishment.created", f"+ {uai} {establishment.name}", None)
            elif establishment.academy_id != run.academy.pk:
                raise run.refuse(
                    record, _("l'établissement %(uai)s est d'une autre académie.") % {"uai": uai}
                )
            if StructureLink.objects.filter(establishment=establishment).exists():
                raise run.refuse(
                    record,
                    _("l'établissement %(uai)s est déjà lié à une autre structure.") % {"uai": uai},
                )
            link = StructureLink.objects.create(
                academy=run.academy, jointure=record.identifier, establishment=establishment
            )
            run.links[record.identifier] = link
            run.change("structure.linked", f"= {record.identifier} → {uai}", establishment.pk)
        establishment = link.establishment
        name = record.first("ENTStructureNomCourant")
        if name and name != establishment.name and record.operation != "delete":
            establishment.name = name[:160]
            establishment.save(update_fields=["name"])
            run.change("establishment.updated", f"~ {establishment.uai} {name}", establishment.pk)
        if "ENTStructureClasses" in record.attributes or record.operation == "add":
            declared = sorted(
                {v.split("$")[0] for v in record.attributes.get("ENTStructureClasses", [])}
            )
            if declared != link.classes:
                link.classes = declared
                link.save(update_fields=["classes"])
                run.change(
                    "structure.classes_updated",
                    f"~ {establishment.uai}: {len(declared)} classes",
                    establishment.pk,
                )


def _structure_kind(record: Record) -> str:
    kind = record.first("ENTStructureTypeStruct").upper()
    for prefix, value in STRUCTURE_KINDS.items():
        if kind.startswith(prefix):
            return value
    return EstablishmentKind.COLLEGE


def _codes(run: Run, batch: list[Record]) -> None:
    if run.feed.kind == "MefEducNat":
        kind, label_attr = CodeKind.MEF, "ENTLibelleMef"
    else:
        kind, label_attr = CodeKind.SUBJECT, "ENTLibelleMatiere"
    existing = {
        code.code: code
        for code in NationalCode.objects.filter(kind=kind, code__in=[r.identifier for r in batch])
    }
    for record in batch:
        if record.operation == "delete":
            run.counts["code.ignored_deletion"] += 1
            continue
        label = (record.first(label_attr) or record.identifier)[:120]
        code = existing.get(record.identifier)
        if code is None:
            NationalCode.objects.create(kind=kind, code=record.identifier[:16], label=label)
            run.change("code.created", f"+ {kind} {record.identifier} {label}")
        elif code.label != label and label_attr in record.attributes:
            code.label = label
            code.save(update_fields=["label"])
            run.change("code.updated", f"~ {kind} {record.identifier} {label}")


# -- people ----------------------------------------------------------------------------------------
def _birth_date(run: Run, record: Record) -> date | None:
    text = record.first("ENTPersonDateNaissance")
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise run.refuse(record, _("date de naissance « %(value)s » illisible.") % {"value": text})


def _person_fields(run: Run, record: Record) -> dict[str, Any]:
    """The account fields the record sets (for a modify, only those it names)."""
    fields: dict[str, Any] = {}
    every = record.operation == "add"
    if every or "givenName" in record.attributes:
        fields["first_name"] = record.first("givenName")[:150]
    if every or "sn" in record.attributes:
        fields["last_name"] = record.first("sn")[:150]
    if every or "mail" in record.attributes:
        fields["email"] = record.first("mail")[:254]
    if every or "ENTPersonDateNaissance" in record.attributes:
        fields["birth_date"] = _birth_date(run, record)
    if run.feed.kind == "Eleve" and (every or "ENTEleveINE" in record.attributes):
        fields["ine"] = record.first("ENTEleveINE")[:11]
    return fields


def _usernames(people: list[Any]) -> None:
    """Give new accounts « prénom.nom », then the smallest free number, in one query a batch
    (a name taken more often than the batch can settle falls back to unique_username)."""
    wanted = [username_base(p.first_name, p.last_name)[:140] for p in people]
    spare = Counter(wanted)
    candidates = {f"{base}{n}" for base, count in spare.items() for n in range(2, count + 12)}
    candidates |= set(spare)
    taken = {
        name.lower()
        for name in User.objects.filter(username__in=candidates).values_list("username", flat=True)
    }
    for person, base in zip(people, wanted, strict=True):
        name, number = base, 2
        while name in taken and number < spare[base] + 12:
            name, number = f"{base}{number}", number + 1
        if name in taken:
            name = unique_username(person.first_name, person.last_name)
        person.username = name
        taken.add(name)


def _people(run: Run, batch: list[Record]) -> None:
    kind = run.feed.kind
    ids = [r.identifier for r in batch]
    existing = {u.directory_id: u for u in User.objects.filter(directory_id__in=ids)}
    deletions = [r for r in batch if r.operation == "delete"]
    upserts = [r for r in batch if r.operation != "delete"]

    # Accounts: create the new ones, update what differs.
    new_people, changed, changed_fields = [], [], set()
    for record in upserts:
        fields = _person_fields(run, record)
        person = existing.get(record.identifier)
        if person is None:
            if record.operation == "modify" and not {"sn", "givenName"} <= set(fields):
                raise run.refuse(record, _("modification d'une personne inconnue."))
            person = User(directory_id=record.identifier, **fields)
            person.set_unusable_password()
            new_people.append(person)
            existing[record.identifier] = person
            continue
        differs = {name for name, value in fields.items() if getattr(person, name) != value}
        if differs:
            for name in differs:
                setattr(person, name, fields[name])
            changed.append(person)
            changed_fields |= differs
            run.change("person.updated", f"~ {record.identifier} {', '.join(sorted(differs))}")
    if new_people:
        _usernames(new_people)
        User.objects.bulk_create(new_people)
        for person in new_people:
            run.change("person.created", f"+ {person.directory_id} {person.get_full_name()}")
        # bulk_create sets the keys on PostgreSQL only: read them back by join id.
        keys = dict(
            User.objects.filter(directory_id__in=[p.directory_id for p in new_people]).values_list(
                "directory_id", "pk"
            )
        )
        for person in new_people:
            person.pk = keys[person.directory_id]
    if changed:
        User.objects.bulk_update(changed, sorted(changed_fields))

    for record in deletions:
        person = existing.get(record.identifier)
        if person is not None:
            _close_memberships(
                run,
                Membership.objects.filter(
                    person=person,
                    school_year=run.year,
                    establishment__in=_scope(run),
                    profile__in=KIND_PROFILES[kind],
                    is_active=True,
                ),
            )

    if kind == "PersRelEleve":
        return  # guardians belong where their children are: set by the students' file
    wanted = _wanted_memberships(run, upserts, existing)
    _sync_memberships(run, wanted, [existing[r.identifier] for r in upserts])
    if kind == "Eleve":
        _sync_enrolments(run, upserts, existing)
        _sync_group_memberships(run, upserts, existing)
        _sync_guardianships(run, upserts, existing)
    elif kind == "PersEducNat":
        _sync_assignments(run, upserts, existing)
        _sync_group_assignments(run, upserts, existing)


def _scope(run: Run) -> list[int]:
    return [link.establishment_id for link in run.links.values()]


def _structures_of(run: Run, record: Record) -> list[StructureLink]:
    """The linked establishments a person is attached to (ENTPersonStructRattach and the
    structures of their functions); refused when none is known."""
    names = set(record.attributes.get("ENTPersonStructRattach", []))
    names |= {v.split("$")[0] for v in record.attributes.get("ENTPersonFonctions", [])}
    links = [run.link(name) for name in sorted(names)]
    if None in links or not links:
        raise run.refuse(
            record,
            _("structure de rattachement inconnue (%(names)s).")
            % {"names": ", ".join(sorted(names)) or "—"},
        )
    return links


def _profile(run: Run, record: Record, establishment: int) -> str:
    """The person's profile in ``establishment``: the feed's own, or else the direction for
    a DIR function there, a teacher for what they teach, the staff otherwise."""
    if run.feed.kind == "Eleve":
        return Profile.STUDENT
    for value in record.attributes.get("ENTPersonProfils", []):
        if value in STAFF_PROFILES:
            return value
    codes = set()
    for value in record.attributes.get("ENTPersonFonctions", []):
        parts = value.split("$")
        link = run.link(parts[0])
        if len(parts) > 1 and link is not None and link.establishment_id == establishment:
            codes.add(parts[1])
    if "DIR" in codes:
        return Profile.DIRECTION
    if record.attributes.get("ENTAuxEnsClassesMatieres") or record.attributes.get(
        "ENTAuxEnsGroupesMatieres"
    ):
        return Profile.TEACHER
    return Profile.STAFF


def _wanted_memberships(
    run: Run, records: list[Record], people: dict[str, Any]
) -> dict[tuple[int, int, str], list[str] | None]:
    """(person, establishment, profile) → the feed's functions there (None: leave them)."""
    wanted: dict[tuple[int, int, str], list[str] | None] = {}
    kept = _kept_profiles(run, records, people)
    for record in records:
        if record.operation == "modify" and not (
            {"ENTPersonStructRattach", "ENTPersonProfils", "ENTPersonFonctions"}
            & set(record.attributes)
        ):
            continue
        person = people[record.identifier]
        functions: dict[int, set[str]] = {}
        for value in record.attributes.get("ENTPersonFonctions", []):
            parts = value.split("$")
            link = run.link(parts[0])
            code = FEED_FUNCTIONS.get(parts[1]) if len(parts) > 1 else None
            if link is not None and code is not None:
                functions.setdefault(link.establishment_id, set()).add(code)
        for link in _structures_of(run, record):
            own = sorted(functions.get(link.establishment_id, set()))
            profile = kept.get((person.pk, link.establishment_id)) or _profile(
                run, record, link.establishment_id
            )
            # A modification that does not say the functions leaves them as they are.
            says_functions = record.operation != "modify" or "ENTPersonFonctions" in (
                record.attributes
            )
            wanted[(person.pk, link.establishment_id, profile)] = (
                own if run.feed.kind == "PersEducNat" and says_functions else None
            )
    return wanted


def _kept_profiles(
    run: Run, records: list[Record], people: dict[str, Any]
) -> dict[tuple[int, int], str]:
    """(person, establishment) → the current profile, for the modifications that do not say
    the profile (ENTPersonProfils): a delta changing only an attachment or a function keeps
    the person a teacher or a member of the direction instead of guessing again."""
    if run.feed.kind == "Eleve":
        return {}
    partial = [
        people[r.identifier].pk
        for r in records
        if r.operation == "modify" and "ENTPersonProfils" not in r.attributes
    ]
    if not partial:
        return {}
    return {
        (person, establishment): profile
        for person, establishment, profile in Membership.objects.filter(
            person_id__in=partial,
            school_year=run.year,
            is_active=True,
            profile__in=KIND_PROFILES[run.feed.kind],
        )
        .order_by("pk")
        .values_list("person_id", "establishment_id", "profile")
    }


def _sync_memberships(
    run: Run, wanted: dict[tuple[int, int, str], list[str] | None], people: list[Any]
) -> None:
    """Open, reopen or update the wanted memberships; close the others of the file's kind for
    the people the file speaks for (a person who moved establishment)."""
    if not wanted:
        return
    persons = {key[0] for key in wanted}
    current = {
        (m.person_id, m.establishment_id, m.profile): m
        for m in Membership.objects.filter(
            person_id__in=persons,
            school_year=run.year,
            profile__in=KIND_PROFILES[run.feed.kind],
            establishment__in=_scope(run),
        )
    }
    created, reopened, updated = [], [], []
    managed = set(FEED_FUNCTIONS.values())
    # The head of an establishment (appointed by the academy) is not also made a deputy there
    # by a DIR function, whichever profile the feed lists them under.
    heads = {(k[0], k[1]) for k, m in current.items() if Function.HEAD in m.functions}
    for key, functions in wanted.items():
        if functions and (key[0], key[1]) in heads:
            functions = [f for f in functions if f != Function.DEPUTY_HEAD]
        membership = current.get(key)
        if membership is None:
            created.append(
                Membership(
                    person_id=key[0],
                    establishment_id=key[1],
                    school_year=run.year,
                    profile=key[2],
                    functions=functions or [],
                )
            )
            run.change("membership.created", f"+ {key[2]} @{key[1]} #{key[0]}", key[1])
            continue
        if not membership.is_active:
            reopened.append(membership.pk)
            run.change("membership.reopened", f"↺ {key[2]} @{key[1]} #{key[0]}", key[1])
        if functions is not None:
            kept = [f for f in membership.functions if f not in managed]
            merged = sorted(set(kept) | set(functions))
            if merged != sorted(membership.functions):
                membership.functions = merged
                updated.append(membership)
                run.change("membership.updated", f"~ functions @{key[1]} #{key[0]}", key[1])
    Membership.objects.bulk_create(created)
    if reopened:
        Membership.objects.filter(pk__in=reopened).update(is_active=True)
    if updated:
        Membership.objects.bulk_update(updated, ["functions"])
    if created or reopened:
        _reopen_accounts(run, {key[0] for key in wanted})
    # A head keeps the membership the academy appointed them in, whatever profile the feed
    # gives them; they leave with a complete file that no longer lists them.
    stale = [
        m.pk
        for key, m in current.items()
        if key not in wanted
        and m.is_active
        and key[0] in persons
        and Function.HEAD not in m.functions
    ]
    if stale:
        _close_memberships(run, Membership.objects.filter(pk__in=stale))


def _reopen_accounts(run: Run, person_ids: set[int]) -> None:
    """An account with an active membership is open and not leaving (as do_reactivate does)."""
    leaving = User.objects.filter(pk__in=person_ids).filter(
        Exists(Membership.objects.filter(person=OuterRef("pk"), is_active=True))
    )
    leaving = leaving.exclude(is_active=True, left_at__isnull=True)
    for directory_id in leaving.values_list("directory_id", flat=True)[:SHOWN_CHANGES]:
        run.change("account.reopened", f"↺ {directory_id}")
    count = leaving.count()
    if count:
        run.counts["account.reopened"] += count - min(count, SHOWN_CHANGES)
        leaving.update(is_active=True, left_at=None)


def _close_memberships(run: Run, memberships: Any) -> None:
    """Close memberships at once; accounts left without an active one close, dated (as
    do_deactivate_membership does: they are deleted three months later)."""
    rows = list(
        memberships.filter(is_active=True).values_list("pk", "person_id", "establishment_id")
    )
    if not rows:
        return
    for chunk_start in range(0, len(rows), 2000):
        chunk = rows[chunk_start : chunk_start + 2000]
        Membership.objects.filter(pk__in=[pk for pk, _p, _e in chunk]).update(is_active=False)
        for _pk, person, establishment in chunk:
            run.change("membership.closed", f"- #{person} @{establishment}", establishment)
        people = {person for _pk, person, _e in chunk}
        closing = User.objects.filter(pk__in=people, is_active=True).exclude(
            Exists(Membership.objects.filter(person=OuterRef("pk"), is_active=True))
        )
        count = closing.update(is_active=False, left_at=run.now)
        run.counts["account.closed"] += count


def _close_missing(run: Run) -> None:
    """A complete file lists everyone of its kind: fed people missing from it are closed."""
    seen = SeenId.objects.filter(feed_import=run.log, jointure=OuterRef("person__directory_id"))
    _close_memberships(
        run,
        Membership.objects.filter(
            school_year=run.year,
            establishment__in=_scope(run),
            profile__in=KIND_PROFILES[run.feed.kind],
            is_active=True,
            person__directory_id__isnull=False,
        ).exclude(Exists(seen)),
    )


def _close_orphan_guardians(run: Run) -> None:
    """A fed guardian stays a member of an establishment while one of their children is."""
    child_there = Guardianship.objects.filter(
        guardian=OuterRef("person"),
        student__memberships__establishment=OuterRef("establishment"),
        student__memberships__school_year=run.year,
        student__memberships__profile=Profile.STUDENT,
        student__memberships__is_active=True,
    )
    _close_memberships(
        run,
        Membership.objects.filter(
            school_year=run.year,
            establishment__in=_scope(run),
            profile=Profile.GUARDIAN,
            is_active=True,
            person__directory_id__isnull=False,
        ).exclude(Exists(child_there)),
    )


# -- classes, enrolments, guardianships, teaching ------------------------------------------------
def _level(run: Run, mef: str) -> Level:
    key = mef or UNKNOWN_LEVEL[0]
    if key in run.levels:
        return run.levels[key]
    level = None
    if mef:
        level = (
            Level.objects.filter(mef=mef).first()
            or Level.objects.filter(mef__startswith=mef[:3]).exclude(mef="").first()
        )
        if level is None:
            label = NationalCode.objects.filter(kind=CodeKind.MEF, code=mef).first()
            level, created = Level.objects.get_or_create(
                code=f"mef{mef[:3]}",
                defaults={
                    "label": (label.label if label else f"MEF {mef[:3]}")[:40],
                    "mef": mef[:11],
                    "order": int(mef[:3]) if mef[:3].isdigit() else 900,
                },
            )
            if created:
                run.change("level.created", f"+ {level.label}")
    if level is None:
        code, label, order = UNKNOWN_LEVEL
        level, created = Level.objects.get_or_create(
            code=code, defaults={"label": label, "order": order}
        )
        if created:
            run.change("level.created", f"+ {level.label}")
    run.levels[key] = level
    return level


def _class(run: Run, record: Record, value: str, mef: str = "") -> SchoolClass | None:
    """The class named by ``<structure>$<class>`` (None for a structure outside the feed);
    refused when the structure does not declare it."""
    parts = value.split("$")
    link = run.link(parts[0])
    if link is None:
        return None
    name = parts[1] if len(parts) > 1 else ""
    if name not in link.classes:
        raise run.refuse(
            record,
            _("la classe « %(name)s » n'est pas déclarée par la structure %(structure)s.")
            % {"name": name, "structure": parts[0]},
        )
    key = (link.establishment_id, name)
    if key not in run.classes:
        school_class = SchoolClass.objects.filter(
            establishment_id=key[0], school_year=run.year, name=name
        ).first()
        if school_class is None:
            school_class = SchoolClass.objects.create(
                establishment_id=key[0], school_year=run.year, name=name, level=_level(run, mef)
            )
            run.change("class.created", f"+ {name} @{key[0]}", key[0])
        run.classes[key] = school_class
    return run.classes[key]


def _sync_enrolments(run: Run, records: list[Record], people: dict[str, Any]) -> None:
    wanted: dict[tuple[int, int], SchoolClass] = {}
    for record in records:
        if record.operation == "modify" and "ENTEleveClasses" not in record.attributes:
            continue
        mef = record.first("ENTEleveMEF")
        for value in record.attributes.get("ENTEleveClasses", []):
            school_class = _class(run, record, value, mef)
            if school_class is not None:
                person = people[record.identifier]
                wanted[(person.pk, school_class.establishment_id)] = school_class
    if not wanted:
        return
    current = {
        (e.student_id, e.establishment_id): e
        for e in Enrolment.objects.filter(
            student_id__in={key[0] for key in wanted}, school_year=run.year
        )
    }
    created, moved = [], []
    for key, school_class in wanted.items():
        enrolment = current.get(key)
        if enrolment is None:
            created.append(
                Enrolment(
                    establishment_id=key[1],
                    school_year=run.year,
                    student_id=key[0],
                    school_class=school_class,
                )
            )
            run.change("enrolment.created", f"+ #{key[0]} → {school_class.name}", key[1])
        elif enrolment.school_class_id != school_class.pk:
            enrolment.school_class = school_class
            moved.append(enrolment)
            run.change("enrolment.updated", f"~ #{key[0]} → {school_class.name}", key[1])
    Enrolment.objects.bulk_create(created)
    if moved:
        Enrolment.objects.bulk_update(moved, ["school_class"])


def _sync_guardianships(run: Run, records: list[Record], people: dict[str, Any]) -> None:
    """A student's legal guardians are ENTEleveAutoriteParentale: fed links not in it go."""
    speaking = [
        r for r in records if r.operation == "add" or "ENTEleveAutoriteParentale" in r.attributes
    ]
    if not speaking:
        return
    guardian_ids = {v for r in speaking for v in r.attributes.get("ENTEleveAutoriteParentale", [])}
    guardians = dict(
        User.objects.filter(directory_id__in=guardian_ids).values_list("directory_id", "pk")
    )
    wanted: set[tuple[int, int]] = set()
    for record in speaking:
        student = people[record.identifier]
        for value in record.attributes.get("ENTEleveAutoriteParentale", []):
            if value not in guardians:
                raise run.refuse(
                    record, _("responsable %(id)s inconnu de l'annuaire.") % {"id": value}
                )
            if guardians[value] == student.pk:
                raise run.refuse(record, _("un élève ne peut être son propre responsable."))
            wanted.add((guardians[value], student.pk))
    students = {people[r.identifier].pk for r in speaking}
    current = {
        (g.guardian_id, g.student_id): g
        for g in Guardianship.objects.filter(student_id__in=students)
    }
    created = [
        Guardianship(guardian_id=g, student_id=s, legal=True)
        for g, s in sorted(wanted - set(current))
    ]
    for g, s in sorted(wanted - set(current)):
        run.change("guardianship.created", f"+ #{g} → #{s}")
    Guardianship.objects.bulk_create(created)
    not_legal = [current[key].pk for key in wanted & set(current) if not current[key].legal]
    if not_legal:
        Guardianship.objects.filter(pk__in=not_legal).update(legal=True)
        run.counts["guardianship.updated"] += len(not_legal)
    gone = Guardianship.objects.filter(
        pk__in=[g.pk for key, g in current.items() if key not in wanted],
        guardian__directory_id__isnull=False,
    )
    for g, s in gone.values_list("guardian_id", "student_id"):
        run.change("guardianship.deleted", f"- #{g} → #{s}")
    gone.delete()
    # Guardians are members where their children are.
    establishments = dict(
        Membership.objects.filter(
            person_id__in=students, school_year=run.year, profile=Profile.STUDENT, is_active=True
        ).values_list("person_id", "establishment_id")
    )
    guardian_memberships: dict[tuple[int, int, str], None] = {}
    for guardian, student in wanted:
        if student in establishments:
            guardian_memberships[(guardian, establishments[student], Profile.GUARDIAN)] = None
    if guardian_memberships:
        _sync_guardian_memberships(run, guardian_memberships)


def _sync_guardian_memberships(run: Run, wanted: dict[tuple[int, int, str], None]) -> None:
    current = {
        (m.person_id, m.establishment_id, m.profile): m
        for m in Membership.objects.filter(
            person_id__in={key[0] for key in wanted},
            school_year=run.year,
            profile=Profile.GUARDIAN,
        )
    }
    created = []
    reopened = []
    for key in wanted:
        membership = current.get(key)
        if membership is None:
            created.append(
                Membership(
                    person_id=key[0],
                    establishment_id=key[1],
                    school_year=run.year,
                    profile=Profile.GUARDIAN,
                )
            )
            run.change("membership.created", f"+ {key[2]} @{key[1]} #{key[0]}", key[1])
        elif not membership.is_active:
            reopened.append(membership.pk)
            run.change("membership.reopened", f"↺ {key[2]} @{key[1]} #{key[0]}", key[1])
    Membership.objects.bulk_create(created)
    if reopened:
        Membership.objects.filter(pk__in=reopened).update(is_active=True)
    if created or reopened:
        _reopen_accounts(run, {key[0] for key in wanted})


def _subject(run: Run, establishment_id: int, code: str) -> Subject:
    key = (establishment_id, code)
    if key not in run.subjects:
        subject = Subject.objects.filter(establishment_id=establishment_id, code=code).first()
        if subject is None:
            national = NationalCode.objects.filter(kind=CodeKind.SUBJECT, code=code).first()
            subject = Subject.objects.create(
                establishment_id=establishment_id,
                code=code[:16],
                label=(national.label if national else code)[:120],
            )
            run.change(
                "subject.created", f"+ {subject.label} @{establishment_id}", establishment_id
            )
        run.subjects[key] = subject
    return run.subjects[key]


def _sync_assignments(run: Run, records: list[Record], people: dict[str, Any]) -> None:
    """A teacher's classes and subjects are ENTAuxEnsClassesMatieres (structure$class$subject);
    the head teacher of a class is ENTAuxEnsClassesPrincipal (structure$class)."""
    speaking = [
        r for r in records if r.operation == "add" or "ENTAuxEnsClassesMatieres" in r.attributes
    ]
    wanted: set[tuple[int, int, int, int]] = set()
    for record in speaking:
        teacher = people[record.identifier]
        for value in record.attributes.get("ENTAuxEnsClassesMatieres", []):
            parts = value.split("$")
            if len(parts) < 3 or not parts[2]:
                raise run.refuse(
                    record,
                    _("ENTAuxEnsClassesMatieres « %(value)s » : structure$classe$matière attendu.")
                    % {"value": value},
                )
            school_class = _class(run, record, value)
            if school_class is not None:
                subject = _subject(run, school_class.establishment_id, parts[2])
                wanted.add((teacher.pk, subject.pk, school_class.pk, school_class.establishment_id))
    teachers = {people[r.identifier].pk for r in speaking}
    if teachers:
        current = {
            (a.teacher_id, a.subject_id, a.school_class_id, a.establishment_id): a.pk
            for a in TeachingAssignment.objects.filter(
                teacher_id__in=teachers,
                school_year=run.year,
                school_class__isnull=False,
                establishment__in=_scope(run),
            )
        }
        created = []
        for teacher, subject, school_class, establishment in sorted(wanted - set(current)):
            created.append(
                TeachingAssignment(
                    establishment_id=establishment,
                    school_year=run.year,
                    teacher_id=teacher,
                    subject_id=subject,
                    school_class_id=school_class,
                )
            )
            run.change(
                "assignment.created", f"+ #{teacher} {subject} @{school_class}", establishment
            )
        TeachingAssignment.objects.bulk_create(created)
        gone = [pk for key, pk in current.items() if key not in wanted]
        if gone:
            TeachingAssignment.objects.filter(pk__in=gone).delete()
            for key, _pk in [(k, p) for k, p in current.items() if k not in wanted]:
                run.change("assignment.deleted", f"- #{key[0]} @{key[2]}", key[3])
    for record in records:
        if record.operation != "add" and "ENTAuxEnsClassesPrincipal" not in record.attributes:
            continue
        teacher = people[record.identifier]
        for value in record.attributes.get("ENTAuxEnsClassesPrincipal", []):
            school_class = _class(run, record, value)
            if school_class is not None and school_class.head_teacher_id != teacher.pk:
                school_class.head_teacher_id = teacher.pk
                school_class.save(update_fields=["head_teacher"])
                run.change(
                    "class.head_teacher",
                    f"~ {school_class.name}: #{teacher.pk}",
                    school_class.establishment_id,
                )


# -- teaching groups ---------------------------------------------------------------------------
def _group_key(
    run: Run, record: Record, attribute: str, value: str, *, subject: bool
) -> tuple[int, str]:
    """(establishment, name) of the group named by ``structure$group``
    (``structure$group$subject`` when ``subject``). Refused when the value is malformed or its
    structure is not one of the feed's."""
    parts = value.split("$")
    name = parts[1] if len(parts) > 1 else ""
    if (
        len(parts) < (3 if subject else 2)
        or not parts[0]
        or not name
        or len(name) > GROUP_NAME_LENGTH
        or (subject and not parts[2])
    ):
        message = (
            _("%(attribute)s « %(value)s » : structure$groupe$matière attendu.")
            if subject
            else _("%(attribute)s « %(value)s » : structure$groupe attendu.")
        )
        raise run.refuse(record, message % {"attribute": attribute, "value": value})
    link = run.link(parts[0])
    if link is None:
        raise run.refuse(
            record,
            _("%(attribute)s « %(value)s » : structure %(structure)s inconnue de l'annuaire.")
            % {"attribute": attribute, "value": value, "structure": parts[0]},
        )
    return (link.establishment_id, name)


def _feed_links(run: Run) -> dict[int, StructureLink]:
    return {link.establishment_id: link for link in run.links.values()}


def _claim_groups(run: Run, keys: set[tuple[int, str]]) -> None:
    """Record the group names the feed uses in each establishment's link (written only when a
    name is new): from then on the feed decides who is in them and who teaches them."""
    links = _feed_links(run)
    for establishment in {key[0] for key in keys}:
        link = links[establishment]
        names = {name for owner, name in keys if owner == establishment}
        if not names <= set(link.groups):
            link.groups = sorted(set(link.groups) | names)
            link.save(update_fields=["groups"])


def _is_feed_group(run: Run, establishment: int, name: str) -> bool:
    link = _feed_links(run).get(establishment)
    return link is not None and name in link.groups


def _remove_unwanted(
    run: Run, model: type[models.Model], current: dict[tuple, tuple[int, str]], wanted: set
) -> list[tuple]:
    """Delete the rows of ``current`` (key ending with the establishment → (pk, group name))
    that the feed no longer wants, in the feed's own groups only; their keys, sorted."""
    gone = {
        key: pk
        for key, (pk, name) in current.items()
        if key not in wanted and _is_feed_group(run, key[-1], name)
    }
    if gone:
        model.objects.filter(pk__in=list(gone.values())).delete()
    return sorted(gone)


def _load_groups(run: Run, keys: set[tuple[int, str]]) -> None:
    """Read the groups of a batch in one query; create the missing ones, in bulk, for the
    school year (a group is created on first use)."""
    _claim_groups(run, keys)
    missing = keys - set(run.groups)
    if not missing:
        return
    found = TeachingGroup.objects.filter(
        establishment_id__in={key[0] for key in missing},
        school_year=run.year,
        name__in={key[1] for key in missing},
    ).values_list("pk", "establishment_id", "name")
    for pk, establishment, name in found:
        run.groups[(establishment, name)] = pk
    new = sorted(missing - set(run.groups))
    if not new:
        return
    TeachingGroup.objects.bulk_create(
        TeachingGroup(establishment_id=establishment, school_year=run.year, name=name)
        for establishment, name in new
    )
    for establishment, name in new:
        run.change("group.created", f"+ {name} @{establishment}", establishment)
    # bulk_create sets the keys on PostgreSQL only: read them back.
    for pk, establishment, name in TeachingGroup.objects.filter(
        establishment_id__in={key[0] for key in new},
        school_year=run.year,
        name__in={key[1] for key in new},
    ).values_list("pk", "establishment_id", "name"):
        run.groups[(establishment, name)] = pk


def _sync_group_memberships(run: Run, records: list[Record], people: dict[str, Any]) -> None:
    """A student's teaching groups are ENTEleveGroupes (structure$group): a record that names
    the attribute replaces the student's groups in the feed's establishments for the year (an
    empty one takes them out of all). A record without it leaves them as they are: groups
    may also be made in Préau, and the feed never takes a student out of one of those."""
    speaking = [r for r in records if "ENTEleveGroupes" in r.attributes]
    if not speaking:
        return
    named = [
        (
            people[record.identifier].pk,
            _group_key(run, record, "ENTEleveGroupes", value, subject=False),
        )
        for record in speaking
        for value in record.attributes["ENTEleveGroupes"]
    ]
    _load_groups(run, {key for _student, key in named})
    # (student, group, establishment)
    wanted = {(student, run.groups[key], key[0]) for student, key in named}
    current = {
        (student, group, establishment): (pk, name)
        for pk, student, group, establishment, name in GroupMembership.objects.filter(
            student_id__in={people[r.identifier].pk for r in speaking},
            group__school_year=run.year,
            establishment__in=_scope(run),
        ).values_list("pk", "student_id", "group_id", "establishment_id", "group__name")
    }
    names = {pk: name for (_establishment, name), pk in run.groups.items()}
    created = []
    for student, group, establishment in sorted(wanted - set(current)):
        created.append(
            GroupMembership(establishment_id=establishment, group_id=group, student_id=student)
        )
        run.change("group.joined", f"+ #{student} → {names[group]}", establishment)
    GroupMembership.objects.bulk_create(created)
    for student, group, establishment in _remove_unwanted(run, GroupMembership, current, wanted):
        run.change("group.left", f"- #{student} ✕ #{group}", establishment)


def _sync_group_assignments(run: Run, records: list[Record], people: dict[str, Any]) -> None:
    """A teacher's groups and subjects are ENTAuxEnsGroupesMatieres (structure$group$subject):
    a record that names it replaces the teacher's assignments in the feed's groups of its
    establishments for the year (assignments in groups made in Préau stay). ENTAuxEnsGroupes
    (structure$group) is checked but names no subject, and an assignment needs one: it neither
    makes nor removes any."""
    for record in records:
        for value in record.attributes.get("ENTAuxEnsGroupes", []):
            _group_key(run, record, "ENTAuxEnsGroupes", value, subject=False)
    speaking = [r for r in records if "ENTAuxEnsGroupesMatieres" in r.attributes]
    if not speaking:
        return
    named: list[tuple[int, tuple[int, str], str]] = []  # (teacher, group key, subject code)
    for record in speaking:
        for value in record.attributes["ENTAuxEnsGroupesMatieres"]:
            key = _group_key(run, record, "ENTAuxEnsGroupesMatieres", value, subject=True)
            named.append((people[record.identifier].pk, key, value.split("$")[2]))
    _load_groups(run, {key for _teacher, key, _code in named})
    wanted: set[tuple[int, int, int, int]] = set()  # (teacher, subject, group, establishment)
    for teacher, key, code in named:
        subject = _subject(run, key[0], code)
        wanted.add((teacher, subject.pk, run.groups[key], key[0]))
    current = {
        (teacher, subject, group, establishment): (pk, name)
        for pk, teacher, subject, group, establishment, name in TeachingAssignment.objects.filter(
            teacher_id__in={people[r.identifier].pk for r in speaking},
            school_year=run.year,
            group__isnull=False,
            establishment__in=_scope(run),
        ).values_list(
            "pk", "teacher_id", "subject_id", "group_id", "establishment_id", "group__name"
        )
    }
    names = {pk: name for (_establishment, name), pk in run.groups.items()}
    created = []
    for teacher, subject, group, establishment in sorted(wanted - set(current)):
        created.append(
            TeachingAssignment(
                establishment_id=establishment,
                school_year=run.year,
                teacher_id=teacher,
                subject_id=subject,
                group_id=group,
            )
        )
        run.change("assignment.created", f"+ #{teacher} {subject} @{names[group]}", establishment)
    TeachingAssignment.objects.bulk_create(created)
    for teacher, _taught, group, establishment in _remove_unwanted(
        run, TeachingAssignment, current, wanted
    ):
        run.change("assignment.deleted", f"- #{teacher} ✕ group #{group}", establishment)
