"""Retention: what the nightly ``preau retention`` deletes, and the settings an establishment
chooses. The system acts (no actor); each account erased leaves an audit row without personal
data in the establishments of the person's last memberships."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.crypto import salted_hmac

from preau.accounts.models import AccountSession
from preau.attendance.models import Justification
from preau.audit.actions import record, save_audited
from preau.audit.models import LoginEvent
from preau.directory import versions
from preau.directory.models import Establishment, Membership
from preau.drive import storage as drive_storage
from preau.drive.models import Node
from preau.messaging.models import Message
from preau.notifications.models import Notification
from preau.retention.models import ACCOUNT_DAYS, BOUNDS, CONNECTION_LOG_DAYS, RetentionSettings

ERASURE_ACTION = "retention.account_erased"
SETTINGS_FIELDS = list(BOUNDS)
# Records another person keeps (a notebook entry, an incident report, a measure) name their
# author with a non-null key: an erased author is replaced by this account, which has no
# personal data, no password, no membership and cannot sign in.
FORMER_ACCOUNT_USERNAME = "compte-supprime"
FORMER_ACCOUNT_NAME = "Compte supprimé"


def pseudonym(person: Any) -> str:
    """A stable pseudonymous id of an account for the audit trail: a keyed hash of its public
    id, which whoever still holds the public id (a backup, a directory feed) can match, and
    nobody can turn back into the person."""
    return salted_hmac("preau.retention.erasure", str(person.public_id)).hexdigest()[:20]


def _day_start(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def account_cutoff(now: datetime | None = None) -> datetime:
    """Accounts that left before this moment are due: the start of the day ``ACCOUNT_DAYS``
    days ago, so that someone who left on 1 December is deleted on 2 March (day 91), whatever
    the hour they left."""
    today = timezone.localdate(now or timezone.now())
    return _day_start(today - timedelta(days=ACCOUNT_DAYS))


def accounts_due(now: datetime | None = None) -> models.QuerySet:
    """Accounts whose right ended more than ``ACCOUNT_DAYS`` days ago and that did not come
    back (a reopened membership clears ``left_at``)."""
    return (
        get_user_model()
        .objects.filter(left_at__lt=account_cutoff(now), is_active=False, is_superuser=False)
        .exclude(memberships__is_active=True)
        .exclude(username=FORMER_ACCOUNT_USERNAME)
        .order_by("left_at", "pk")
    )


def last_establishments(person: Any) -> list[Establishment]:
    """The establishments of the person's memberships of their latest school year."""
    memberships = list(
        Membership.objects.filter(person=person)
        .select_related("establishment", "school_year")
        .order_by("-school_year__start_date")
    )
    if not memberships:
        return []
    latest = memberships[0].school_year_id
    seen: dict[int, Establishment] = {}
    for membership in memberships:
        if membership.school_year_id == latest:
            seen.setdefault(membership.establishment_id, membership.establishment)
    return list(seen.values())


def former_account() -> Any:
    user_model = get_user_model()
    account, _created = user_model.objects.get_or_create(
        username=FORMER_ACCOUNT_USERNAME,
        defaults={
            "last_name": FORMER_ACCOUNT_NAME,
            "is_active": False,
            "password": make_password(None),
        },
    )
    return account


def _protected_keys() -> list[models.ForeignKey]:
    """Keys to an account that forbid deleting it (PROTECT or RESTRICT)."""
    keys = []
    for relation in get_user_model()._meta.get_fields(include_hidden=True):
        if not (relation.is_relation and relation.auto_created and not relation.concrete):
            continue
        if relation.on_delete in (models.PROTECT, models.RESTRICT):
            keys.append(relation.field)
    return keys


def _release_protected(person: Any) -> None:
    """Point the records that protect the account elsewhere: nobody (a nullable key) or the
    former account (a required one, e.g. the author of a notebook entry)."""
    for key in _protected_keys():
        rows = key.model._default_manager.filter(**{key.name: person})
        if key.null:
            rows.update(**{key.name: None})
        elif rows.exists():
            rows.update(**{key.name: former_account()})


def _stored_files(collector: Collector) -> list[tuple[type[models.Model], str, str]]:
    """(model, field name, stored name) of every file held by a row the deletion removes."""
    found: list[tuple[type[models.Model], str, str]] = []

    def file_fields(model: type[models.Model]) -> list[str]:
        return [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]

    for model, instances in collector.data.items():
        for name in file_fields(model):
            found += [(model, name, v) for v in (getattr(i, name).name for i in instances) if v]
    for queryset in collector.fast_deletes:
        for name in file_fields(queryset.model):
            found += [
                (queryset.model, name, v)
                for v in queryset.exclude(**{name: ""}).values_list(name, flat=True)
            ]
    return found


def _delete_files_on_commit(files: list[tuple[type[models.Model], str, str]]) -> None:
    def delete() -> None:
        for model, name, stored in files:
            # A forwarded attachment shares its file with the original: keep a file that a
            # remaining row still points to.
            if model._default_manager.filter(**{name: stored}).exists():
                continue
            if default_storage.exists(stored):
                default_storage.delete(stored)

    if files:
        transaction.on_commit(delete)


def do_erase_account(*, person: Any, now: datetime | None = None) -> bool:
    """Delete an account whose retention ran out, its rows in every service and their files.

    Returns False, writing nothing, when the account is no longer due (it came back).
    """
    user_model = get_user_model()
    with transaction.atomic():
        locked = user_model.objects.select_for_update().filter(pk=person.pk).first()
        if locked is None or not accounts_due(now).filter(pk=locked.pk).exists():
            return False
        establishments = last_establishments(locked)
        summary = {
            "account": pseudonym(locked),
            "profiles": sorted(
                set(Membership.objects.filter(person=locked).values_list("profile", flat=True))
            ),
            "left_on": timezone.localdate(locked.left_at).isoformat(),
        }
        _release_protected(locked)
        # The personal drive: its files are stored under names the rows keep (``blob``).
        drive_storage.delete_blobs(
            list(
                Node.objects.filter(space__owner=locked)
                .exclude(blob="")
                .values_list("blob", flat=True)
            )
        )
        collector = Collector(using=user_model.objects.db)
        collector.collect([locked])
        # Their drafts: a message keeps its sent copies for the recipients (sender emptied),
        # but a draft was never anyone else's.
        collector.collect(list(Message.objects.filter(sender=locked, sent_at__isnull=True)))
        files = _stored_files(collector)
        collector.delete()
        _delete_files_on_commit(files)
        for establishment in establishments:
            record(
                actor=None,
                establishment=establishment,
                action=ERASURE_ACTION,
                before=None,
                after=summary,
            )
        versions.bump()
    return True


# -- logs and per-establishment periods --------------------------------------------------------


def connection_log_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=CONNECTION_LOG_DAYS)


def login_events_due(now: datetime | None = None) -> models.QuerySet:
    return LoginEvent.objects.filter(at__lt=connection_log_cutoff(now))


def sessions_due(now: datetime | None = None) -> models.QuerySet:
    return AccountSession.objects.filter(ended_at__lt=connection_log_cutoff(now))


def periods_by_establishment() -> tuple[dict[str, dict[int, list[int]]], list[int]]:
    """For each setting, {days: [establishment ids]} of the establishments that chose a value,
    and the ids of those establishments (the others use the defaults)."""
    chosen: dict[str, dict[int, list[int]]] = {name: defaultdict(list) for name in BOUNDS}
    ids = []
    for row in RetentionSettings.objects.values("establishment_id", *BOUNDS):
        ids.append(row["establishment_id"])
        for name in BOUNDS:
            chosen[name][row[name]].append(row["establishment_id"])
    return chosen, ids


def _per_establishment(
    queryset: models.QuerySet, setting: str, moment_field: str, now: datetime
) -> models.QuerySet:
    """Rows of ``queryset`` whose ``moment_field`` is older than their establishment's period."""
    chosen, custom = periods_by_establishment()
    default = BOUNDS[setting].default
    condition = models.Q(**{f"{moment_field}__lt": now - timedelta(days=default)}) & ~models.Q(
        establishment_id__in=custom
    )
    for days, ids in chosen[setting].items():
        condition |= models.Q(
            establishment_id__in=ids, **{f"{moment_field}__lt": now - timedelta(days=days)}
        )
    return queryset.filter(condition)


def read_notifications_due(now: datetime | None = None) -> models.QuerySet:
    return _per_establishment(
        Notification.objects.filter(read_at__isnull=False),
        "read_notifications_days",
        "read_at",
        now or timezone.now(),
    )


def justification_documents_due(now: datetime | None = None) -> models.QuerySet:
    return _per_establishment(
        Justification.objects.exclude(document="").filter(decided_at__isnull=False),
        "justification_documents_days",
        "decided_at",
        now or timezone.now(),
    )


@dataclass
class Outcome:
    """What one run deleted (or, in a dry run, would delete)."""

    accounts: list[str] = field(default_factory=list)
    login_events: int = 0
    sessions: int = 0
    read_notifications: int = 0
    justification_documents: int = 0


def plan(now: datetime | None = None) -> Outcome:
    """What ``apply_retention`` would delete now; reads only."""
    return Outcome(
        accounts=[pseudonym(p) for p in accounts_due(now).only("public_id")],
        login_events=login_events_due(now).count(),
        sessions=sessions_due(now).count(),
        read_notifications=read_notifications_due(now).count(),
        justification_documents=justification_documents_due(now).count(),
    )


def apply_retention(now: datetime | None = None) -> Outcome:
    """Delete what has outlived its retention period (one transaction per account)."""
    outcome = Outcome()
    # Listed first: each erasure then deletes rows of the table being read.
    for person in list(accounts_due(now).only("pk", "public_id")):
        if do_erase_account(person=person, now=now):
            outcome.accounts.append(pseudonym(person))
    with transaction.atomic():
        outcome.login_events = login_events_due(now).delete()[0]
        outcome.sessions = sessions_due(now).delete()[0]
        outcome.read_notifications = read_notifications_due(now).delete()[0]
    for justification in list(justification_documents_due(now)):
        with transaction.atomic():
            stored = justification.document.name
            justification.document = ""
            justification.document_name = ""
            justification.document_type = ""
            justification.save(update_fields=["document", "document_name", "document_type"])
            transaction.on_commit(lambda stored=stored: default_storage.delete(stored))
            outcome.justification_documents += 1
    return outcome


# -- the establishment's settings --------------------------------------------------------------


def retention_periods(establishment: Establishment) -> dict[str, int]:
    row = RetentionSettings.objects.filter(establishment=establishment).values(*BOUNDS).first()
    return row or {name: bounds.default for name, bounds in BOUNDS.items()}


def do_update_retention(
    *, actor: Any, establishment: Establishment, changes: dict[str, int]
) -> RetentionSettings:
    """Set an establishment's periods (already checked against ``BOUNDS`` by the form)."""
    for name, value in changes.items():
        bounds = BOUNDS[name]
        if not bounds.minimum <= value <= bounds.maximum:
            raise ValueError(name)
    with transaction.atomic():
        row, _created = RetentionSettings.objects.select_for_update().get_or_create(
            establishment=establishment
        )
        save_audited(
            actor=actor,
            establishment=establishment,
            action="retention.settings",
            target=row,
            changes={name: changes[name] for name in SETTINGS_FIELDS},
        )
        row.updated_by = actor.user
        row.save(update_fields=["updated_by", "updated_at"])
    return row
