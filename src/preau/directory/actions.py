"""Changes to the directory: people, memberships, classes, groups, enrolments, subjects, teaching
assignments, periods and establishments.

Each action takes the acting person and the establishment it works in, runs in one transaction,
saves with ``update_fields`` and writes an audit row with the values before and after. Callers
(views, API handlers) have already checked access through the policies and parsed the input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.accounts.actions import do_issue_activation_code
from preau.audit.actions import record, save_audited, snapshot
from preau.core.actor import ADMIN_FUNCTIONS, current_school_year
from preau.directory import policies, versions
from preau.directory.models import (
    STAFF_PROFILES,
    Academy,
    Enrolment,
    Establishment,
    Function,
    GroupMembership,
    Guardianship,
    Level,
    Membership,
    Period,
    Profile,
    SchoolClass,
    Subject,
    TeachingAssignment,
    TeachingGroup,
)

User = get_user_model()

PERSON_FIELDS = ["username", "first_name", "last_name", "email", "is_active"]
IDENTITY_FIELDS = ["first_name", "last_name", "email", "birth_date"]
GUARDIANSHIP_FLAGS = ["relationship", "legal", "financial", "contact"]
MEMBERSHIP_FIELDS = ["profile", "functions", "is_active"]
CLASS_FIELDS = ["name", "level", "head_teacher"]
SUBJECT_FIELDS = ["code", "label", "short_label"]
PERIOD_FIELDS = ["kind", "number", "start_date", "end_date"]
ESTABLISHMENT_FIELDS = ["uai", "name", "kind", "academy", "city", "is_active"]


# -- people and memberships --------------------------------------------------------------------


def username_base(first_name: str, last_name: str) -> str:
    """« prénom.nom » in lowercase ASCII: accents dropped, other characters turned into dashes."""

    def part(text: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")

    first, last = part(first_name), part(last_name)
    return ".".join(p for p in (first, last) if p) or "utilisateur"


def unique_username(first_name: str, last_name: str) -> str:
    """The username base, followed by the smallest number that makes it unique (1 query)."""
    base = username_base(first_name, last_name)[:140]
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {name.lower() for name in taken}
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


@dataclass(frozen=True)
class NewMember:
    membership: Membership
    activation_code: str


def do_create_member(
    *,
    actor: Any,
    establishment: Establishment,
    first_name: str,
    last_name: str,
    email: str = "",
    birth_date: date | None = None,
    profile: str,
    functions: list[str] | None = None,
    school_class: SchoolClass | None = None,
) -> NewMember:
    """A new person with a membership in ``establishment`` and a fresh activation code."""
    year = current_school_year()
    with transaction.atomic():
        person = User(
            username=unique_username(first_name, last_name),
            first_name=first_name,
            last_name=last_name,
            email=email,
            birth_date=birth_date,
        )
        person.set_unusable_password()
        person.save()
        membership = Membership.objects.create(
            person=person,
            establishment=establishment,
            school_year=year,
            profile=profile,
            functions=sorted(functions or []),
        )
        record(
            actor=actor,
            establishment=establishment,
            action="directory.member.create",
            target=membership,
            before=None,
            after={**snapshot(person, PERSON_FIELDS), **snapshot(membership, MEMBERSHIP_FIELDS)},
        )
        if school_class is not None and profile == Profile.STUDENT:
            do_enrol_student(
                actor=actor, establishment=establishment, student=person, school_class=school_class
            )
        code = do_issue_activation_code(actor=actor, person=person, establishment=establishment)
    return NewMember(membership, code)


def do_deactivate_membership(
    *, actor: Any, establishment: Establishment, membership: Membership
) -> Membership:
    """Close a membership; the account closes too when the person belongs nowhere else."""
    with transaction.atomic():
        person = membership.person
        before = {**snapshot(membership, ["is_active"]), "account_active": person.is_active}
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        elsewhere = (
            Membership.objects.filter(person=person, is_active=True)
            .exclude(pk=membership.pk)
            .exists()
        )
        if not elsewhere and person.is_active:
            person.is_active = False
            person.left_at = timezone.now()
            person.save(update_fields=["is_active", "left_at"])
        record(
            actor=actor,
            establishment=establishment,
            action="directory.member.deactivate",
            target=membership,
            before=before,
            after={**snapshot(membership, ["is_active"]), "account_active": person.is_active},
        )
    return membership


def do_reactivate_membership(
    *, actor: Any, establishment: Establishment, membership: Membership
) -> Membership:
    """Reopen a membership and the account it belongs to."""
    with transaction.atomic():
        person = membership.person
        before = {**snapshot(membership, ["is_active"]), "account_active": person.is_active}
        membership.is_active = True
        membership.save(update_fields=["is_active"])
        if not person.is_active or person.left_at is not None:
            person.is_active = True
            person.left_at = None
            person.save(update_fields=["is_active", "left_at"])
        record(
            actor=actor,
            establishment=establishment,
            action="directory.member.reactivate",
            target=membership,
            before=before,
            after={**snapshot(membership, ["is_active"]), "account_active": person.is_active},
        )
    return membership


class MemberUpdateRefused(Exception):
    """The change of functions breaks a rule of member_update_refusals; nothing was written."""


def member_update_refusals(
    *, actor: Any, establishment: Establishment, membership: Membership, functions: list[str]
) -> list[str]:
    """Why ``actor`` may not give ``membership`` these functions (empty when they may).

    Functions are for staff; a school has one head, appointed by its academy; only head rights
    grant or remove the head function; nobody removes their own administrative functions.
    """
    before, after = set(membership.functions), set(functions)
    added, removed = after - before, before - after
    refusals = []
    if after - set(Function.values):
        refusals.append(_("Cette fonction n'existe pas."))
    if after and membership.profile not in STAFF_PROFILES:
        refusals.append(_("Un élève ou un responsable n'a pas de fonction."))
    if Function.HEAD in added | removed and not policies.holds_head_rights(actor, establishment):
        refusals.append(
            _(
                "Seul le chef d'établissement attribue ou retire la fonction de chef "
                "d'établissement."
            )
        )
    elif Function.HEAD in added:
        refusals.append(
            _(
                "Un établissement n'a qu'un chef d'établissement : il est nommé par l'académie, "
                "sur sa page « Nommer le chef d'établissement »."
            )
        )
    if membership.person_id == actor.user.pk and removed & ADMIN_FUNCTIONS:
        refusals.append(
            _(
                "Vous ne pouvez pas retirer vos propres fonctions d'administration : "
                "demandez-le à un autre administrateur."
            )
        )
    return refusals


def _member_state(membership: Membership) -> dict[str, Any]:
    return {
        **snapshot(membership.person, IDENTITY_FIELDS),
        **snapshot(membership, ["functions"]),
    }


def do_update_member(
    *,
    actor: Any,
    establishment: Establishment,
    membership: Membership,
    first_name: str,
    last_name: str,
    email: str,
    birth_date: date | None,
    functions: list[str],
) -> Membership:
    """Change a member's identity and the functions of their membership.

    The functions are checked against member_update_refusals (MemberUpdateRefused otherwise).
    Only the fields that change are saved; nothing changes, nothing is written.
    """
    functions = sorted(set(functions))
    refusals = member_update_refusals(
        actor=actor, establishment=establishment, membership=membership, functions=functions
    )
    if refusals:
        raise MemberUpdateRefused(" ".join(refusals))
    with transaction.atomic():
        person = membership.person
        before = _member_state(membership)
        values = {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "birth_date": birth_date,
        }
        person_fields = [name for name, value in values.items() if getattr(person, name) != value]
        for name in person_fields:
            setattr(person, name, values[name])
        if person_fields:
            person.save(update_fields=person_fields)
        if sorted(membership.functions) != functions:
            membership.functions = functions
            membership.save(update_fields=["functions"])
        after = _member_state(membership)
        if after != before:
            record(
                actor=actor,
                establishment=establishment,
                action="directory.member.update",
                target=membership,
                before=before,
                after=after,
            )
    return membership


# -- guardians ---------------------------------------------------------------------------------


def _guardianship_state(guardianship: Guardianship) -> dict[str, Any]:
    return {
        "guardian": guardianship.guardian.username,
        "student": guardianship.student.username,
        **snapshot(guardianship, GUARDIANSHIP_FLAGS),
    }


def do_link_guardian(
    *,
    actor: Any,
    establishment: Establishment,
    student: Any,
    guardian: Any,
    relationship: str = "",
    legal: bool = True,
    financial: bool = False,
    contact: bool = True,
) -> Guardianship:
    """Make ``guardian`` a guardian of ``student``, with the legal flags."""
    with transaction.atomic():
        guardianship = Guardianship.objects.create(
            guardian=guardian,
            student=student,
            relationship=relationship,
            legal=legal,
            financial=financial,
            contact=contact,
        )
        record(
            actor=actor,
            establishment=establishment,
            action="directory.guardianship.link",
            target=guardianship,
            before=None,
            after=_guardianship_state(guardianship),
        )
    return guardianship


@dataclass(frozen=True)
class NewGuardian:
    membership: Membership
    guardianship: Guardianship
    activation_code: str


def do_create_guardian(
    *,
    actor: Any,
    establishment: Establishment,
    student: Any,
    first_name: str,
    last_name: str,
    email: str = "",
    relationship: str = "",
    legal: bool = True,
    financial: bool = False,
    contact: bool = True,
) -> NewGuardian:
    """A new person, guardian in ``establishment`` and of ``student``, with an activation code."""
    with transaction.atomic():
        created = do_create_member(
            actor=actor,
            establishment=establishment,
            first_name=first_name,
            last_name=last_name,
            email=email,
            profile=Profile.GUARDIAN,
        )
        guardianship = do_link_guardian(
            actor=actor,
            establishment=establishment,
            student=student,
            guardian=created.membership.person,
            relationship=relationship,
            legal=legal,
            financial=financial,
            contact=contact,
        )
    return NewGuardian(created.membership, guardianship, created.activation_code)


def do_update_guardianship(
    *,
    actor: Any,
    establishment: Establishment,
    guardianship: Guardianship,
    relationship: str,
    legal: bool,
    financial: bool,
    contact: bool,
) -> Guardianship:
    with transaction.atomic():
        before = _guardianship_state(guardianship)
        guardianship.relationship = relationship
        guardianship.legal, guardianship.financial = legal, financial
        guardianship.contact = contact
        guardianship.save(update_fields=GUARDIANSHIP_FLAGS)
        record(
            actor=actor,
            establishment=establishment,
            action="directory.guardianship.update",
            target=guardianship,
            before=before,
            after=_guardianship_state(guardianship),
        )
    return guardianship


def do_unlink_guardian(
    *, actor: Any, establishment: Establishment, guardianship: Guardianship
) -> None:
    """End a guardianship. The guardian keeps their account and memberships."""
    with transaction.atomic():
        record(
            actor=actor,
            establishment=establishment,
            action="directory.guardianship.unlink",
            target=guardianship,
            before=_guardianship_state(guardianship),
            after=None,
        )
        guardianship.delete()


# -- classes, groups, enrolments ---------------------------------------------------------------


def do_create_class(
    *,
    actor: Any,
    establishment: Establishment,
    name: str,
    level: Level,
    head_teacher: Any = None,
) -> SchoolClass:
    with transaction.atomic():
        school_class = SchoolClass.objects.create(
            establishment=establishment,
            school_year=current_school_year(),
            name=name,
            level=level,
            head_teacher=head_teacher,
        )
        record(
            actor=actor,
            establishment=establishment,
            action="directory.class.create",
            target=school_class,
            after=snapshot(school_class, CLASS_FIELDS),
        )
    return school_class


def do_update_class(
    *,
    actor: Any,
    establishment: Establishment,
    school_class: SchoolClass,
    name: str,
    level: Level,
    head_teacher: Any = None,
) -> SchoolClass:
    with transaction.atomic():
        save_audited(
            actor=actor,
            establishment=establishment,
            action="directory.class.update",
            target=school_class,
            changes={"name": name, "level": level, "head_teacher": head_teacher},
        )
    return school_class


def _group_state(group: TeachingGroup) -> dict[str, Any]:
    students = GroupMembership.objects.filter(group=group).values_list(
        "student__username", flat=True
    )
    return {"name": group.name, "students": sorted(students)}


def _set_group_students(group: TeachingGroup, students: list[Any]) -> None:
    wanted = {s.pk for s in students}
    GroupMembership.objects.filter(group=group).exclude(student_id__in=wanted).delete()
    present = set(GroupMembership.objects.filter(group=group).values_list("student_id", flat=True))
    GroupMembership.objects.bulk_create(
        [
            GroupMembership(establishment_id=group.establishment_id, group=group, student_id=pk)
            for pk in sorted(wanted - present)
        ]
    )
    versions.bump()  # bulk_create sends no signal


def do_create_group(
    *, actor: Any, establishment: Establishment, name: str, students: list[Any]
) -> TeachingGroup:
    with transaction.atomic():
        group = TeachingGroup.objects.create(
            establishment=establishment, school_year=current_school_year(), name=name
        )
        _set_group_students(group, students)
        record(
            actor=actor,
            establishment=establishment,
            action="directory.group.create",
            target=group,
            after=_group_state(group),
        )
    return group


def do_update_group(
    *,
    actor: Any,
    establishment: Establishment,
    group: TeachingGroup,
    name: str,
    students: list[Any],
) -> TeachingGroup:
    with transaction.atomic():
        before = _group_state(group)
        group.name = name
        group.save(update_fields=["name"])
        _set_group_students(group, students)
        record(
            actor=actor,
            establishment=establishment,
            action="directory.group.update",
            target=group,
            before=before,
            after=_group_state(group),
        )
    return group


def do_enrol_student(
    *, actor: Any, establishment: Establishment, student: Any, school_class: SchoolClass
) -> Enrolment:
    """Put a student in a class for the current year, or move them there from another class."""
    year = current_school_year()
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update()
            .select_related("school_class")
            .filter(student=student, establishment=establishment, school_year=year)
            .first()
        )
        if enrolment is None:
            before = None
            enrolment = Enrolment.objects.create(
                student=student,
                establishment=establishment,
                school_year=year,
                school_class=school_class,
            )
        else:
            before = {"student": student.username, "school_class": str(enrolment.school_class)}
            enrolment.school_class = school_class
            enrolment.save(update_fields=["school_class"])
        record(
            actor=actor,
            establishment=establishment,
            action="directory.enrolment.move" if before else "directory.enrolment.create",
            target=enrolment,
            before=before,
            after={"student": student.username, "school_class": str(school_class)},
        )
    return enrolment


# -- subjects, teaching assignments, periods ---------------------------------------------------


def do_create_subject(
    *, actor: Any, establishment: Establishment, code: str, label: str, short_label: str = ""
) -> Subject:
    with transaction.atomic():
        subject = Subject.objects.create(
            establishment=establishment, code=code, label=label, short_label=short_label
        )
        record(
            actor=actor,
            establishment=establishment,
            action="directory.subject.create",
            target=subject,
            after=snapshot(subject, SUBJECT_FIELDS),
        )
    return subject


def do_update_subject(
    *,
    actor: Any,
    establishment: Establishment,
    subject: Subject,
    code: str,
    label: str,
    short_label: str = "",
) -> Subject:
    with transaction.atomic():
        save_audited(
            actor=actor,
            establishment=establishment,
            action="directory.subject.update",
            target=subject,
            changes={"code": code, "label": label, "short_label": short_label},
        )
    return subject


def _assignment_state(assignment: TeachingAssignment) -> dict[str, Any]:
    return {
        "teacher": assignment.teacher.username,
        "subject": assignment.subject.code,
        "school_class": str(assignment.school_class) if assignment.school_class_id else None,
        "group": str(assignment.group) if assignment.group_id else None,
    }


def do_create_assignment(
    *,
    actor: Any,
    establishment: Establishment,
    teacher: Any,
    subject: Subject,
    school_class: SchoolClass | None = None,
    group: TeachingGroup | None = None,
) -> TeachingAssignment:
    with transaction.atomic():
        assignment = TeachingAssignment.objects.create(
            establishment=establishment,
            school_year=current_school_year(),
            teacher=teacher,
            subject=subject,
            school_class=school_class,
            group=group,
        )
        record(
            actor=actor,
            establishment=establishment,
            action="directory.assignment.create",
            target=assignment,
            after=_assignment_state(assignment),
        )
    return assignment


def do_delete_assignment(
    *, actor: Any, establishment: Establishment, assignment: TeachingAssignment
) -> None:
    with transaction.atomic():
        before = _assignment_state(assignment)
        record(
            actor=actor,
            establishment=establishment,
            action="directory.assignment.delete",
            target=assignment,
            before=before,
            after=None,
        )
        assignment.delete()


def do_create_period(
    *,
    actor: Any,
    establishment: Establishment,
    kind: str,
    number: int,
    start_date: date,
    end_date: date,
) -> Period:
    with transaction.atomic():
        period = Period.objects.create(
            establishment=establishment,
            school_year=current_school_year(),
            kind=kind,
            number=number,
            start_date=start_date,
            end_date=end_date,
        )
        record(
            actor=actor,
            establishment=establishment,
            action="directory.period.create",
            target=period,
            after=snapshot(period, PERIOD_FIELDS),
        )
    return period


def do_update_period(
    *,
    actor: Any,
    establishment: Establishment,
    period: Period,
    kind: str,
    number: int,
    start_date: date,
    end_date: date,
) -> Period:
    changes = {"kind": kind, "number": number, "start_date": start_date, "end_date": end_date}
    with transaction.atomic():
        save_audited(
            actor=actor,
            establishment=establishment,
            action="directory.period.update",
            target=period,
            changes=changes,
        )
    return period


# -- establishments (academy administration) ---------------------------------------------------


def do_create_establishment(
    *,
    actor: Any,
    academy: Academy,
    uai: str,
    name: str,
    kind: str,
    city: str = "",
) -> Establishment:
    with transaction.atomic():
        establishment = Establishment.objects.create(
            uai=uai, name=name, kind=kind, academy=academy, city=city
        )
        record(
            actor=actor,
            establishment=establishment,
            action="directory.establishment.create",
            target=establishment,
            after=snapshot(establishment, ESTABLISHMENT_FIELDS),
        )
    return establishment


def do_set_establishment_active(
    *, actor: Any, establishment: Establishment, is_active: bool
) -> Establishment:
    state = "activate" if is_active else "deactivate"
    with transaction.atomic():
        save_audited(
            actor=actor,
            establishment=establishment,
            action=f"directory.establishment.{state}",
            target=establishment,
            changes={"is_active": is_active},
        )
    return establishment


@dataclass(frozen=True)
class Appointment:
    membership: Membership
    activation_code: str | None  # set when the head is a new person


def _heads(establishment: Establishment, year: Any) -> list[str]:
    return sorted(
        m.person.username
        for m in Membership.objects.filter(
            establishment=establishment, school_year=year, is_active=True
        ).select_related("person")
        if Function.HEAD in m.functions
    )


def do_appoint_head(
    *,
    actor: Any,
    establishment: Establishment,
    person: Any = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> Appointment:
    """Make ``person`` (or a new person with these names) the head of ``establishment``.

    The previous head keeps their membership but loses the head function: a school has one head.
    An activation code comes with it for a person without a password whose account the actor
    may take charge of (policies.can_take_charge_of_account).
    """
    year = current_school_year()
    with transaction.atomic():
        before = {"heads": _heads(establishment, year)}
        code = None
        if person is None:
            person = User(
                username=unique_username(first_name, last_name),
                first_name=first_name,
                last_name=last_name,
                email=email,
            )
            person.set_unusable_password()
            person.save()
        elif not person.is_active:
            person.is_active = True
            person.save(update_fields=["is_active"])
        for previous in (
            Membership.objects.select_for_update()
            .filter(establishment=establishment, school_year=year)
            .exclude(person=person)
        ):
            if Function.HEAD in previous.functions:
                previous.functions = [f for f in previous.functions if f != Function.HEAD]
                previous.save(update_fields=["functions"])
        membership, _created = Membership.objects.get_or_create(
            person=person,
            establishment=establishment,
            school_year=year,
            profile=Profile.DIRECTION,
        )
        functions = set(membership.functions) | {Function.HEAD}
        membership.functions = sorted(functions)
        membership.is_active = True
        membership.save(update_fields=["functions", "is_active"])
        record(
            actor=actor,
            establishment=establishment,
            action="directory.establishment.appoint_head",
            target=membership,
            before=before,
            after={"heads": _heads(establishment, year)},
        )
        # A code hands over the account: not one that reaches beyond what the actor manages
        # (a pupil or parent of another academy), who activates with their own school's code.
        if not person.has_usable_password() and policies.can_take_charge_of_account(
            actor, person, establishment
        ):
            code = do_issue_activation_code(actor=actor, person=person, establishment=establishment)
    return Appointment(membership, code)
