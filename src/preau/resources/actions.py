"""Writes of the médiacentre. Views and the ``licence`` command parse input and call these; the
rules are here and in policies.py.

Publishers' resources and licences are what an establishment buys and gives its members: each
change is audited. Favourites are a person's own and are not. Openings are counted without
naming anyone (see models.OpeningCount and models.MonthlyReader); only a licence's seats keep
who used one, because a seat is held by a person.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from preau.audit.actions import record
from preau.bookmarks.models import validate_link_url
from preau.directory.models import Academy, Establishment, Membership, Profile
from preau.drive import actions as drive_actions
from preau.drive.models import Permission
from preau.resources import policies, selectors
from preau.resources.models import (
    TEACHER_KINDS,
    Favourite,
    IdentifierKind,
    Licence,
    LicenceAudience,
    LicenceSeat,
    LicenceTarget,
    MonthlyReader,
    OpeningCount,
    Resource,
    ResourceKind,
    ResourcePlacement,
)

_READER_SALT = "preau.resources.MonthlyReader"


# -- teachers' documents and links ------------------------------------------------------------


def do_add_resource(
    *,
    actor: Any,
    kind: str,
    title: str,
    description: str = "",
    subject: str = "",
    levels: Iterable[Any] = (),
    url: str = "",
    drive_file: Any = None,
    classes: Iterable[Any] = (),
    groups: Iterable[Any] = (),
) -> Resource:
    """A teacher's document or link for some of their classes and groups. A document's file is
    shared, to read, with those classes and groups in the drive, which is what lets their
    students download it."""
    if not policies.can_add_resources(actor) or kind not in TEACHER_KINDS:
        raise PermissionDenied
    classes, groups = list(classes), list(groups)
    if not classes and not groups:
        raise ValidationError(_("Choisissez au moins une classe ou un groupe."), code="audience")
    allowed_classes = set(policies.placeable_classes(actor).values_list("pk", flat=True))
    allowed_groups = set(policies.placeable_groups(actor).values_list("pk", flat=True))
    if any(c.pk not in allowed_classes for c in classes) or any(
        g.pk not in allowed_groups for g in groups
    ):
        raise PermissionDenied
    if kind == ResourceKind.LINK:
        validate_link_url(url)
        drive_file = None
    else:
        if drive_file is None:
            raise ValidationError(_("Choisissez un fichier de votre espace."), code="file")
        if not policies.placeable_files(actor).filter(pk=drive_file.pk).exists():
            raise PermissionDenied
        url = ""
    establishment = actor.establishment
    with transaction.atomic():
        resource = Resource.objects.create(
            kind=kind,
            establishment=establishment,
            title=title,
            description=description,
            subject=subject,
            url=url,
            drive_file=drive_file,
            created_by=actor.user,
        )
        resource.levels.set(levels)
        ResourcePlacement.objects.bulk_create(
            [
                ResourcePlacement(establishment=establishment, resource=resource, school_class=c)
                for c in classes
            ]
            + [
                ResourcePlacement(establishment=establishment, resource=resource, group=g)
                for g in groups
            ]
        )
        if drive_file is not None:
            for school_class in classes:
                drive_actions.do_share(
                    actor=actor,
                    node=drive_file,
                    permission=Permission.READ,
                    school_class=school_class,
                )
            for group in groups:
                drive_actions.do_share(
                    actor=actor, node=drive_file, permission=Permission.READ, group=group
                )
    selectors.forget_catalogue(establishment)
    return resource


def do_delete_resource(*, actor: Any, resource: Resource) -> None:
    """The author removes their document or link (the drive file and its shares stay: they
    belong to the drive)."""
    if resource.created_by_id != actor.user.pk or resource.kind not in TEACHER_KINDS:
        raise PermissionDenied
    establishment_id = resource.establishment_id
    with transaction.atomic():
        resource.delete()
    selectors.forget_catalogue(establishment_id)


# -- favourites -------------------------------------------------------------------------------


def do_set_favourite(*, actor: Any, resource: Resource, favourite: bool) -> None:
    """Keep or drop a resource the actor may open among their favourites."""
    if not policies.visible_resources(actor).filter(pk=resource.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        if favourite:
            Favourite.objects.get_or_create(person=actor.user, resource=resource)
        else:
            Favourite.objects.filter(person=actor.user, resource=resource).delete()
    selectors.forget_favourites(actor.user)


# -- openings ---------------------------------------------------------------------------------


def _increment(establishment_id: int, resource: Resource, day: date, profile: str) -> None:
    """Add one to the day's counter: an update, and an insert only for the day's first."""
    key = {
        "establishment_id": establishment_id,
        "resource": resource,
        "day": day,
        "profile": profile,
    }
    if OpeningCount.objects.filter(**key).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            OpeningCount.objects.create(count=1, **key)
    except IntegrityError:
        # Another request created the day's row in between.
        OpeningCount.objects.filter(**key).update(count=F("count") + 1)


def do_record_opening(*, actor: Any, resource: Resource, licence: Licence | None = None) -> None:
    """Count an opening of ``resource`` by ``actor`` (who may open it: the caller checked)."""
    establishment_id = actor.establishment.pk
    now = timezone.now()
    today = timezone.localdate(now)
    month = today.replace(day=1)
    reader = salted_hmac(
        _READER_SALT, f"{actor.user.pk}:{resource.pk}:{month.isoformat()}"
    ).hexdigest()[:32]
    with transaction.atomic():
        _increment(establishment_id, resource, today, policies.counted_profile(actor))
        MonthlyReader.objects.bulk_create(
            [
                MonthlyReader(
                    establishment_id=establishment_id,
                    resource=resource,
                    month=month,
                    reader=reader,
                )
            ],
            ignore_conflicts=True,
        )
        if licence is not None:
            LicenceSeat.objects.bulk_create(
                [
                    LicenceSeat(
                        establishment_id=establishment_id,
                        licence=licence,
                        person=actor.user,
                        first_opened_at=now,
                    )
                ],
                ignore_conflicts=True,
            )


# -- publishers' resources and licences (the console and the command) --------------------------


def _require_manager(actor: Any, establishment: Establishment) -> None:
    # ``actor`` None: the ``licence`` command, run by whoever runs the deployment.
    if actor is not None and not policies.can_manage(actor, establishment):
        raise PermissionDenied


def do_register_publisher_resource(
    *,
    actor: Any,
    title: str,
    publisher: str,
    url: str,
    identifier: str = "",
    identifier_kind: str = "",
    distributor: str = "",
    description: str = "",
    subject: str = "",
    levels: Iterable[Any] = (),
    establishment: Establishment | None = None,
    academy: Academy | None = None,
) -> Resource:
    """A publisher's resource in an establishment's catalogue (or in an academy's, from the
    command), ready to be licensed."""
    if (establishment is None) == (academy is None):
        raise ValueError("one owner: an establishment or an academy")
    if establishment is not None:
        _require_manager(actor, establishment)
    elif actor is not None:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    try:
        validate_link_url(url)
    except ValidationError as error:
        errors["url"] = error.messages
    if not title.strip():
        errors["title"] = [_("Donnez un titre à la ressource.")]
    if not publisher.strip():
        errors["publisher"] = [_("Indiquez l'éditeur de la ressource.")]
    if identifier and identifier_kind not in IdentifierKind.values:
        errors["identifier_kind"] = [_("Précisez le type de l'identifiant.")]
    if identifier_kind == IdentifierKind.ARK and identifier and not identifier.startswith("ark:/"):
        errors["identifier"] = [_("Un identifiant ARK commence par « ark:/ ».")]
    owner = {"establishment": establishment} if establishment else {"academy": academy}
    if identifier and Resource.objects.filter(identifier=identifier, **owner).exists():
        errors["identifier"] = [_("Une ressource porte déjà cet identifiant.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        resource = Resource.objects.create(
            kind=ResourceKind.PUBLISHER,
            title=title.strip(),
            publisher=publisher.strip(),
            distributor=distributor.strip(),
            identifier=identifier.strip(),
            identifier_kind=identifier_kind if identifier else "",
            url=url,
            description=description,
            subject=subject,
            created_by=getattr(actor, "user", None),
            **owner,
        )
        resource.levels.set(levels)
        record(
            actor=actor,
            establishment=establishment,
            action="resources.register",
            target=resource,
            after={"title": resource.title, "publisher": resource.publisher, "url": url},
        )
    return resource


def do_add_licence(
    *,
    actor: Any,
    establishment: Establishment,
    resource: Resource,
    starts_on: date | None,
    ends_on: date | None,
    audience: str = LicenceAudience.ESTABLISHMENT,
    profiles: Iterable[str] = (),
    classes: Iterable[Any] = (),
    people: Iterable[Any] = (),
    seats: int | None = None,
    reference: str = "",
) -> Licence:
    """Assign a publisher's resource to the establishment, some profiles, classes or people,
    from ``starts_on`` to ``ends_on`` included. Nothing is written when a field is wrong."""
    _require_manager(actor, establishment)
    if not policies.licensable_resources(establishment).filter(pk=resource.pk).exists():
        raise PermissionDenied
    profiles, classes, people = list(profiles), list(classes), list(people)
    errors: dict[str, list[str]] = {}
    if starts_on is None:
        errors["starts_on"] = [_("Indiquez le premier jour de la licence.")]
    if ends_on is None:
        errors["ends_on"] = [_("Indiquez le dernier jour de la licence.")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("La fin de la licence ne peut pas précéder son début.")]
    if seats is not None and seats < 1:
        errors["seats"] = [_("Le nombre de licences doit être d'au moins 1.")]
    if audience == LicenceAudience.PROFILES:
        if not profiles:
            errors["profiles"] = [_("Choisissez au moins un profil.")]
        elif Profile.GUARDIAN in profiles or any(p not in Profile.values for p in profiles):
            errors["profiles"] = [_("Les ressources des éditeurs ne sont pas pour les parents.")]
    elif audience == LicenceAudience.CLASSES:
        if not classes:
            errors["classes"] = [_("Choisissez au moins une classe.")]
        elif any(c.establishment_id != establishment.pk for c in classes):
            raise PermissionDenied
    elif audience == LicenceAudience.PEOPLE:
        if not people:
            errors["people"] = [_("Indiquez au moins une personne.")]
        else:
            members = set(
                Membership.objects.filter(
                    establishment=establishment, person__in=people, is_active=True
                )
                .exclude(profile=Profile.GUARDIAN)
                .values_list("person_id", flat=True)
            )
            strangers = [p for p in people if p.pk not in members]
            if strangers:
                errors["people"] = [
                    _("Ne sont pas membres de l'établissement : %(names)s.")
                    % {"names": ", ".join(p.get_username() for p in strangers)}
                ]
    elif audience != LicenceAudience.ESTABLISHMENT:
        errors["audience"] = [_("Choisissez à qui la licence est affectée.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        licence = Licence.objects.create(
            establishment=establishment,
            resource=resource,
            audience=audience,
            seats=seats,
            starts_on=starts_on,
            ends_on=ends_on,
            reference=reference,
            created_by=getattr(actor, "user", None),
        )
        rows = []
        if audience == LicenceAudience.PROFILES:
            rows = [LicenceTarget(profile=p) for p in dict.fromkeys(profiles)]
        elif audience == LicenceAudience.CLASSES:
            rows = [LicenceTarget(school_class=c) for c in classes]
        elif audience == LicenceAudience.PEOPLE:
            rows = [LicenceTarget(person=p) for p in people]
        for row in rows:
            row.establishment = establishment
            row.licence = licence
        LicenceTarget.objects.bulk_create(rows)
        record(
            actor=actor,
            establishment=establishment,
            action="resources.licence_add",
            target=licence,
            after={
                "resource": resource.title,
                "audience": audience,
                "seats": seats,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "targets": len(rows),
            },
        )
    selectors.forget_catalogue(establishment)
    return licence


def do_revoke_licence(*, actor: Any, licence: Licence) -> Licence:
    """Withdraw a licence now: its resource leaves the catalogue of those it covered."""
    _require_manager(actor, licence.establishment)
    if licence.revoked_at is not None:
        return licence
    with transaction.atomic():
        licence.revoked_at = timezone.now()
        licence.save(update_fields=["revoked_at"])
        record(
            actor=actor,
            establishment=licence.establishment,
            action="resources.licence_revoke",
            target=licence,
            before={"revoked_at": None},
            after={"revoked_at": licence.revoked_at.isoformat()},
        )
    selectors.forget_catalogue(licence.establishment)
    return licence
