"""Who may write to whom, which lists a person may use, and who may read which message.

The establishment's MessagingRules decide, with safe defaults: a student writes to their
teachers, their class's head teacher and the CPE; a guardian to their children's teachers in
this establishment, the CPE, the head and the office; staff to anyone in the establishment.
Students to students and guardians to guardians are off unless the establishment turns them on.
Replies follow the same rules. Messages are private: only their sender and recipients read them,
not the head nor any administrator — except a message a recipient reported: those who administer
the establishment read it, and only it, in the moderation queue.

Abuse limits: each sender reaches a number of recipients per hour set by profile in the rules
(a student stays under the mass-send threshold, and never uses a list); messaging is suspended
for a whole profile (students or guardians, never staff) or for one person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from preau.directory.models import (
    STAFF_PROFILES,
    Enrolment,
    Function,
    GroupMembership,
    Guardianship,
    Membership,
    Profile,
    SchoolClass,
    TeachingAssignment,
)
from preau.directory.policies import administered_establishments, get_or_404, managed_academies
from preau.messaging.models import (
    STUDENT_LIMIT_MAX,
    Attachment,
    Conversation,
    Folder,
    MessageRecipient,
    MessagingRules,
    Report,
    ReportStatus,
    Suspension,
)

if TYPE_CHECKING:
    from preau.core.actor import Actor
    from preau.directory.models import Academy, Establishment

User = get_user_model()

URGENT_FUNCTIONS = frozenset({Function.HEAD, Function.CPE})
GUARDIAN_CONTACTS = frozenset({Function.HEAD, Function.CPE, Function.SECRETARY})
FOLDERS = [Folder.INBOX, Folder.SENT, Folder.DRAFTS, Folder.TRASH]


# -- the rules ---------------------------------------------------------------------------------


def rules_of(establishment: Establishment) -> MessagingRules:
    """The establishment's rules, or the defaults when it never set them (1 query)."""
    return MessagingRules.objects.filter(establishment=establishment).first() or MessagingRules(
        establishment=establishment
    )


def _actor_rules(actor: Actor) -> MessagingRules:
    """The rules of the actor's current establishment, read once per actor."""
    cached = getattr(actor, "_messaging_rules", None)
    if cached is None or cached.establishment_id != actor.establishment.pk:
        cached = rules_of(actor.establishment)
        actor._messaging_rules = cached
    return cached


def _members(actor: Actor) -> QuerySet[Membership]:
    return Membership.objects.filter(
        establishment=actor.establishment, school_year=actor.school_year, is_active=True
    )


def _function_holders(actor: Actor, functions: frozenset[str]) -> list[int]:
    """People of the current establishment holding one of ``functions`` (1 query per actor).

    Functions are a JSON list: read the few memberships that have any, and filter here (the
    same on SQLite and PostgreSQL).
    """
    holders = getattr(actor, "_messaging_functions", None)
    if holders is None:
        holders = list(_members(actor).exclude(functions=[]).values_list("person_id", "functions"))
        actor._messaging_functions = holders
    return [person for person, held in holders if set(held) & functions]


def _teachers_of(enrolments: list[Enrolment]) -> Q:
    """The teachers of these enrolments (class and groups) and their classes' head teachers."""
    class_ids = [e.school_class_id for e in enrolments]
    groups = GroupMembership.objects.filter(
        student_id__in=[e.student_id for e in enrolments],
        establishment_id__in={e.establishment_id for e in enrolments},
    ).values("group_id")
    teachers = TeachingAssignment.objects.filter(
        Q(school_class_id__in=class_ids) | Q(group_id__in=groups),
        establishment_id__in={e.establishment_id for e in enrolments},
        school_year_id__in={e.school_year_id for e in enrolments},
    ).values("teacher_id")
    heads = SchoolClass.objects.filter(pk__in=class_ids, head_teacher__isnull=False).values(
        "head_teacher_id"
    )
    return Q(pk__in=teachers) | Q(pk__in=heads)


def children_enrolments(actor: Actor) -> list[Enrolment]:
    """The actor's children's enrolments in the current establishment."""
    establishment = actor.establishment
    return [
        enrolment
        for child in actor.children
        for enrolment in child.enrolments
        if establishment is not None and enrolment.establishment_id == establishment.pk
    ]


def allowed_recipients(actor: Actor) -> QuerySet:
    """The people the actor may write to in the current establishment, per its rules.

    Everyone returned has an active membership of the establishment this year; never the actor.
    """
    if not actor.is_authenticated or actor.establishment is None:
        return User.objects.none()
    rules = _actor_rules(actor)
    members = _members(actor)
    condition = Q(pk__in=[])
    if actor.is_staff_member:
        profiles = set(STAFF_PROFILES)
        if rules.staff_to_students:
            profiles.add(Profile.STUDENT)
        if rules.staff_to_guardians:
            profiles.add(Profile.GUARDIAN)
        condition |= Q(pk__in=members.filter(profile__in=profiles).values("person_id"))
    if actor.is_student:
        if rules.students_to_teachers and actor.enrolment is not None:
            condition |= _teachers_of([actor.enrolment])
        if rules.students_to_school_life:
            condition |= Q(pk__in=_function_holders(actor, frozenset({Function.CPE})))
        if rules.students_to_students:
            condition |= Q(pk__in=members.filter(profile=Profile.STUDENT).values("person_id"))
    if actor.is_guardian:
        enrolments = children_enrolments(actor)
        if rules.guardians_to_teachers and enrolments:
            condition |= _teachers_of(enrolments)
        if rules.guardians_to_direction:
            condition |= Q(pk__in=_function_holders(actor, GUARDIAN_CONTACTS))
        if rules.guardians_to_guardians:
            condition |= Q(pk__in=members.filter(profile=Profile.GUARDIAN).values("person_id"))
    return (
        User.objects.filter(condition, is_active=True, pk__in=members.values("person_id"))
        .exclude(pk=actor.user.pk)
        .order_by("last_name", "first_name", "pk")
    )


def can_write_to(actor: Actor, person: Any) -> bool:
    return allowed_recipients(actor).filter(pk=person.pk).exists()


def can_write(actor: Actor) -> bool:
    return actor.is_authenticated and actor.establishment is not None


def refusal_reason(actor: Actor, people: Iterable[Any]) -> str:
    """Why the actor may not write to ``people``, naming them, in one sentence (1 query)."""
    people = list(people)
    names = ", ".join(p.get_full_name() or p.username for p in people)
    profiles = set(_members(actor).filter(person__in=people).values_list("profile", flat=True))
    if not profiles:
        reason = _("ne fait pas partie de votre établissement")
    elif actor.is_student and profiles == {Profile.STUDENT}:
        reason = _("les élèves ne peuvent pas écrire à d'autres élèves dans cet établissement")
    elif actor.is_guardian and profiles == {Profile.GUARDIAN}:
        reason = _(
            "les responsables ne peuvent pas écrire à d'autres responsables dans cet établissement"
        )
    else:
        reason = _("les règles de la messagerie de l'établissement ne le permettent pas")
    return _("Vous ne pouvez pas écrire à %(names)s : %(reason)s.") % {
        "names": names,
        "reason": reason,
    }


def can_mark_urgent(actor: Actor) -> bool:
    """Only the head and the CPE mark a message urgent: it is notified even in quiet hours."""
    return actor.establishment is not None and bool(actor.functions & URGENT_FUNCTIONS)


def read_receipts_on(actor: Actor, establishment: Establishment) -> bool:
    if actor.establishment is not None and actor.establishment.pk == establishment.pk:
        return _actor_rules(actor).read_receipts
    return rules_of(establishment).read_receipts


# -- lists -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientList:
    """A named set of people: « Responsables de 4e B », « Tous les personnels »…"""

    code: str
    label: str
    condition: Q = field(compare=False, repr=False)


def _class_lists(actor: Actor, school_class: SchoolClass, rules: MessagingRules) -> list:
    lists = []
    year = actor.school_year
    if rules.staff_to_guardians:
        students = Enrolment.objects.filter(school_class=school_class, school_year=year).values(
            "student_id"
        )
        guardians = Guardianship.objects.filter(
            Q(legal=True) | Q(contact=True), student__in=students
        ).values("guardian_id")
        lists.append(
            RecipientList(
                f"guardians:{school_class.public_id}",
                _("Responsables des élèves de %(name)s") % {"name": school_class.name},
                Q(pk__in=guardians),
            )
        )
    if rules.staff_to_students:
        lists.append(
            RecipientList(
                f"students:{school_class.public_id}",
                _("Élèves de %(name)s") % {"name": school_class.name},
                Q(pk__in=Enrolment.objects.filter(school_class=school_class).values("student_id")),
            )
        )
    groups = GroupMembership.objects.filter(student__enrolments__school_class=school_class).values(
        "group_id"
    )
    teachers = TeachingAssignment.objects.filter(
        Q(school_class=school_class) | Q(group_id__in=groups), school_year=year
    ).values("teacher_id")
    lists.append(
        RecipientList(
            f"teachers:{school_class.public_id}",
            _("Professeurs de %(name)s") % {"name": school_class.name},
            Q(pk__in=teachers) | Q(pk=school_class.head_teacher_id or 0),
        )
    )
    return lists


def recipient_lists(actor: Actor) -> list[RecipientList]:
    """The lists the actor may address (1 query for the classes; none for students, guardians).

    A teacher: the lists of the classes they teach or head. Direction, school life and other
    staff: every class, and the lists of the whole establishment.
    """
    cached = getattr(actor, "_messaging_lists", None)
    if cached is not None:
        return cached
    if not actor.is_authenticated or actor.establishment is None or not actor.is_staff_member:
        return []
    rules = _actor_rules(actor)
    wide = (
        not actor.is_teacher or actor.sees_whole_establishment or actor.can_administer_establishment
    )
    classes = SchoolClass.objects.filter(
        establishment=actor.establishment, school_year=actor.school_year
    ).order_by("level__order", "name")
    if not wide:
        classes = classes.filter(Q(pk__in=actor.taught_class_ids) | Q(head_teacher=actor.user))
    members = _members(actor)
    lists: list[RecipientList] = []
    if wide:

        def whole(code: str, label: str, profiles: Iterable[str]) -> RecipientList:
            people = members.filter(profile__in=list(profiles)).values("person_id")
            return RecipientList(code, label, Q(pk__in=people))

        lists.append(whole("staff", _("Tous les personnels"), STAFF_PROFILES))
        lists.append(whole("teachers", _("Tous les enseignants"), [Profile.TEACHER]))
        if rules.staff_to_guardians:
            lists.append(whole("guardians", _("Tous les responsables"), [Profile.GUARDIAN]))
        if rules.staff_to_students:
            lists.append(whole("students", _("Tous les élèves"), [Profile.STUDENT]))
    for school_class in classes:
        lists.extend(_class_lists(actor, school_class, rules))
    actor._messaging_lists = lists
    return lists


def lists_by_code(actor: Actor) -> dict[str, RecipientList]:
    return {item.code: item for item in recipient_lists(actor)}


# -- reading -----------------------------------------------------------------------------------


def _establishment_ids(actor: Actor) -> list[int]:
    return [e.pk for e in actor.establishments]


def entries(actor: Actor) -> QuerySet[MessageRecipient]:
    """The actor's mailbox entries, in every establishment they work in, not deleted."""
    if not actor.is_authenticated:
        return MessageRecipient.objects.none()
    return MessageRecipient.objects.filter(
        person=actor.user,
        establishment_id__in=_establishment_ids(actor),
        deleted_at__isnull=True,
    )


def folder_entries(actor: Actor, folder: str) -> QuerySet[MessageRecipient]:
    """One folder of the current establishment, newest first (one indexed query)."""
    if actor.establishment is None or folder not in Folder.values:
        return MessageRecipient.objects.none()
    return MessageRecipient.objects.filter(
        person=actor.user,
        establishment=actor.establishment,
        folder=folder,
        deleted_at__isnull=True,
    ).order_by("-sort_at", "-id")


def unread_count(actor: Actor) -> int:
    return folder_entries(actor, Folder.INBOX).filter(read_at__isnull=True).count()


def access_conversation(actor: Actor, public_id: Any) -> Conversation:
    """A conversation the actor takes part in (an entry not deleted); anything else is a 404."""
    conversations = Conversation.objects.filter(
        establishment_id__in=_establishment_ids(actor),
        pk__in=entries(actor).values("conversation_id"),
    ).select_related("establishment")
    return get_or_404(conversations, public_id)


def access_entry(actor: Actor, message_public_id: Any) -> MessageRecipient:
    """The actor's own entry for a message, found by the message's public id."""
    found = (
        entries(actor)
        .filter(message__public_id=message_public_id)
        .select_related("message__conversation", "message__sender", "establishment")
    )
    try:
        return found.get()
    except (MessageRecipient.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def access_draft(actor: Actor, message_public_id: Any) -> MessageRecipient:
    entry = access_entry(actor, message_public_id)
    if not entry.message.is_draft or entry.message.sender_id != actor.user.pk:
        raise Http404
    return entry


def access_attachment(actor: Actor, public_id: Any) -> Attachment:
    """A file of a message the actor has (sent, received or drafted, not deleted)."""
    files = Attachment.objects.filter(message_id__in=entries(actor).values("message_id"))
    return get_or_404(files, public_id)


# -- replies -----------------------------------------------------------------------------------


@dataclass
class ReplyTargets:
    """Who a reply goes to, and who was left out because the actor may not write to them."""

    people: list[Any]
    lists: list[RecipientList]
    dropped: list[Any]
    dropped_lists: list[str]

    def explanation(self) -> str:
        parts = []
        if self.dropped:
            shown = [p.get_full_name() or p.username for p in self.dropped[:5]]
            names = ", ".join(shown)
            others = len(self.dropped) - 5
            if others > 0:
                names = ngettext(
                    "%(names)s et %(count)d autre", "%(names)s et %(count)d autres", others
                ) % {"names": names, "count": others}
            parts.append(
                _("Retirés des destinataires, car vous ne pouvez pas leur écrire : %(names)s.")
                % {"names": names}
            )
        if self.dropped_lists:
            parts.append(
                _("Listes retirées, car vous ne pouvez pas les utiliser : %(lists)s.")
                % {"lists": ", ".join(self.dropped_lists)}
            )
        return " ".join(parts)


def reply_targets(actor: Actor, message: Any, *, everyone: bool) -> ReplyTargets:
    """The recipients of a reply (to the sender) or a reply-all (sender, people and lists).

    Replying to one's own message goes to its recipients. Anyone the actor may not write to is
    dropped and named (2 queries).
    """
    own = message.sender_id == actor.user.pk
    wanted = set()
    if not own and message.sender_id:
        wanted.add(message.sender_id)
    if everyone or own:
        wanted |= set(message.people_ids)
    wanted.discard(actor.user.pk)
    people = {p.pk: p for p in User.objects.filter(pk__in=wanted).order_by("last_name", "pk")}
    allowed = set(allowed_recipients(actor).filter(pk__in=wanted).values_list("pk", flat=True))
    usable = lists_by_code(actor)
    kept_lists, dropped_lists = [], []
    if everyone or own:
        for item in message.lists:
            if item["code"] in usable:
                kept_lists.append(usable[item["code"]])
            else:
                dropped_lists.append(item["label"])
    return ReplyTargets(
        people=[p for pk, p in people.items() if pk in allowed],
        lists=kept_lists,
        dropped=[p for pk, p in people.items() if pk not in allowed],
        dropped_lists=dropped_lists,
    )


# -- abuse limits ------------------------------------------------------------------------------

LIMIT_WINDOW = timedelta(hours=1)
# The profiles whose messaging may be suspended at once, by the key of their switch.
SUSPENDABLE_PROFILES = {"student": Profile.STUDENT, "guardian": Profile.GUARDIAN}


def sender_kind(actor: Actor) -> str:
    """« staff », « guardian » or « student »: the actor's most trusted profile here."""
    if actor.is_staff_member:
        return "staff"
    if actor.is_guardian:
        return "guardian"
    if actor.is_student:
        return "student"
    return ""


def hourly_limit(actor: Actor) -> int:
    """How many recipients the actor may reach in an hour in the current establishment."""
    rules = _actor_rules(actor)
    kind = sender_kind(actor)
    if kind == "staff":
        return rules.staff_hourly_limit
    if kind == "guardian":
        return rules.guardian_hourly_limit
    return min(rules.student_hourly_limit, STUDENT_LIMIT_MAX)


def recent_sends(actor: Actor, now: datetime) -> list[tuple[datetime, int]]:
    """The actor's messages of the last hour in the current establishment, oldest first, with
    how many recipients each reached (one query, on the sender index of messages)."""
    rows = (
        MessageRecipient.objects.filter(
            message__sender=actor.user,
            message__establishment=actor.establishment,
            message__sent_at__gt=now - LIMIT_WINDOW,
        )
        .exclude(person=actor.user)
        .values_list("message_id", "message__sent_at")
        .annotate(reached=Count("id"))
        .order_by("message__sent_at", "message_id")
    )
    return [(sent_at, reached) for _pk, sent_at, reached in rows]


def suspended_profiles(rules: MessagingRules) -> set[str]:
    """The keys of SUSPENDABLE_PROFILES whose messaging is suspended by ``rules``."""
    return {key for key, name in MessagingRules.SUSPENSION_FIELDS.items() if getattr(rules, name)}


def suspension_reason(actor: Actor) -> str:
    """Why the actor may not write now in the current establishment, or "" (1 query, once).

    A profile suspension reaches students and guardians, never anyone who is also staff here.
    """
    if not actor.is_authenticated or actor.establishment is None:
        return ""
    cached = getattr(actor, "_messaging_suspension", None)
    if cached is not None and cached[0] == actor.establishment.pk:
        return cached[1]
    reason = ""
    if Suspension.objects.filter(
        establishment=actor.establishment, person=actor.user, lifted_at__isnull=True
    ).exists():
        reason = _(
            "Votre messagerie est suspendue dans cet établissement à la suite d'un "
            "signalement. Adressez-vous à la direction."
        )
    elif not actor.is_staff_member:
        stopped = suspended_profiles(_actor_rules(actor))
        if (actor.is_student and "student" in stopped) or (
            actor.is_guardian and "guardian" in stopped
        ):
            reason = _(
                "La messagerie est momentanément suspendue pour votre profil dans cet "
                "établissement. Vous pourrez écrire de nouveau quand la direction la rétablira."
            )
    actor._messaging_suspension = (actor.establishment.pk, reason)
    return reason


# -- reports and moderation ----------------------------------------------------------------------


def access_received_entry(actor: Actor, message_public_id: Any) -> MessageRecipient:
    """The actor's entry of a message they received (not sent, not a draft); else a 404."""
    entry = access_entry(actor, message_public_id)
    if entry.message.is_draft or entry.message.sender_id == actor.user.pk:
        raise Http404
    return entry


def open_reports(establishment: Establishment) -> QuerySet[Report]:
    """The reports of an establishment still to handle, oldest first, with what the queue shows."""
    return (
        Report.objects.filter(establishment=establishment, status=ReportStatus.OPEN)
        .select_related("message__sender", "message__conversation", "reporter")
        .order_by("created_at", "id")
    )


def access_report(actor: Actor, public_id: Any) -> Report:
    """A report of an establishment the actor administers; anything else is a 404."""
    reports = Report.objects.filter(
        establishment__in=administered_establishments(actor)
    ).select_related("establishment", "message")
    return get_or_404(reports, public_id)


def active_suspensions(establishment: Establishment) -> QuerySet[Suspension]:
    return (
        Suspension.objects.filter(establishment=establishment, lifted_at__isnull=True)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "id")
    )


def session_profiles(actor: Actor) -> list[str]:
    """The profiles whose sessions the actor may end at once: students and guardians; staff
    profiles too for Préau's own administrators only."""
    if actor.is_superuser:
        return list(Profile.values)
    return [Profile.STUDENT, Profile.GUARDIAN]


def access_managed_academy(actor: Actor, public_id: Any) -> Academy:
    return get_or_404(managed_academies(actor), public_id)
