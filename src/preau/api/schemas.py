"""What the API answers: plain shapes, built from rows the policies already let through."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ninja import Field, Schema


class EstablishmentRef(Schema):
    public_id: UUID
    uai: str
    name: str


class SubjectRef(Schema):
    public_id: UUID
    code: str
    label: str


class PersonRef(Schema):
    public_id: UUID
    first_name: str
    last_name: str


class ClassRef(Schema):
    public_id: UUID
    name: str


class GroupRef(Schema):
    public_id: UUID
    name: str


class MembershipOut(Schema):
    establishment: EstablishmentRef
    profile: str = Field(description="Code national du profil, par exemple National_ELV.")
    profile_label: str
    functions: list[str]


class EnrolmentOut(Schema):
    establishment: EstablishmentRef
    school_class: ClassRef


class ChildOut(PersonRef):
    enrolments: list[EnrolmentOut] = Field(
        description="Inscriptions de l'année en cours, une par établissement."
    )


class TaughtClassOut(ClassRef):
    subject: SubjectRef


class TaughtGroupOut(GroupRef):
    subject: SubjectRef


class MeOut(Schema):
    public_id: UUID
    username: str
    first_name: str
    last_name: str
    email: str
    language: str
    current_establishment: EstablishmentRef | None = Field(
        description="L'établissement de travail : le premier, ou celui de X-Preau-Establishment."
    )
    memberships: list[MembershipOut]
    children: list[ChildOut]
    classes_taught: list[TaughtClassOut] = Field(
        description="Classes enseignées dans l'établissement de travail."
    )
    groups_taught: list[TaughtGroupOut] = Field(
        description="Groupes enseignés dans l'établissement de travail."
    )


class LevelOut(Schema):
    code: str
    label: str


class ClassOut(ClassRef):
    level: LevelOut
    head_teacher: PersonRef | None


class ClassTeacherOut(Schema):
    teacher: PersonRef
    subject: SubjectRef


class ClassDetailOut(ClassOut):
    establishment: EstablishmentRef
    school_year: str
    teachers: list[ClassTeacherOut]


class StudentOut(PersonRef):
    pass


class StudentDetailOut(PersonRef):
    school_class: ClassRef | None = Field(
        description="Classe de l'année en cours dans l'établissement de travail."
    )
    establishment: EstablishmentRef


class TokenOut(Schema):
    public_id: UUID
    name: str
    token_prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


# -- school services -------------------------------------------------------------------------


class LessonOut(Schema):
    public_id: UUID
    date: date
    start: datetime
    end: datetime
    subject: SubjectRef
    school_class: ClassRef | None
    group: GroupRef | None
    teachers: list[PersonRef]
    room: str
    status: str = Field(description="planned, cancelled, moved ou extra.")
    status_label: str
    room_changed: bool
    replacement_teacher: PersonRef | None
    moved_from: datetime | None = Field(description="Horaire initial d'un cours déplacé.")
    change_note: str

    @staticmethod
    def resolve_teachers(obj: Any) -> list[Any]:
        return list(obj.teachers.all())

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())


class HomeworkOut(Schema):
    public_id: UUID
    due_date: date
    set_on: date = Field(description="Jour du cours où le travail a été donné.")
    kind: str
    kind_label: str
    instructions: str
    subject: SubjectRef
    school_class: ClassRef | None
    group: GroupRef | None

    @staticmethod
    def resolve_set_on(obj: Any) -> date:
        return obj.lesson.date

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())


class PeriodOut(Schema):
    public_id: UUID
    label: str
    start_date: date
    end_date: date

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return str(obj)


class AssessmentRef(Schema):
    public_id: UUID
    title: str
    date: date
    kind: str
    scale: Decimal
    coefficient: Decimal
    graded: bool
    subject: SubjectRef
    period: PeriodOut
    publish_at: datetime | None


class MarkOut(Schema):
    assessment: AssessmentRef
    value: Decimal | None = Field(description="Absente quand un code remplace la note.")
    code: str = Field(description="ABS, DISP, NN… ou vide.")
    comment: str


class SubjectAverageOut(Schema):
    subject: SubjectRef
    average: Decimal | None = Field(description="Sur 20, arrondie au centième.")
    marks_count: int


class AveragesOut(Schema):
    period: PeriodOut
    subjects: list[SubjectAverageOut]


class ReasonRef(Schema):
    public_id: UUID
    label: str


class AttendanceRecordOut(Schema):
    public_id: UUID
    kind: str = Field(description="absence, lateness ou early.")
    kind_label: str
    start: datetime
    end: datetime
    minutes: int | None = Field(description="Minutes de retard.")
    status: str = Field(description="unexplained, pending, justified ou refused.")
    status_label: str
    reason: ReasonRef | None
    subject: SubjectRef | None = Field(description="La matière du cours, pour un appel.")

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_subject(obj: Any) -> Any:
        return obj.lesson.subject if obj.lesson_id else None


class ConversationOut(Schema):
    public_id: UUID
    subject: str
    establishment: UUID = Field(description="Identifiant public de l'établissement.")
    participants_count: int = Field(
        description="Personnes (expéditeurs et destinataires) des messages que vous avez."
    )
    last_message_at: datetime | None
    unread_count: int

    @staticmethod
    def resolve_establishment(obj: Any) -> UUID:
        return obj.establishment.public_id


class DriveItemOut(Schema):
    public_id: UUID
    kind: str = Field(description="folder ou file.")
    name: str
    size: int
    content_type: str
    created_at: datetime
    modified_at: datetime


class DriveFolderOut(Schema):
    public_id: UUID
    name: str
    permission: str = Field(description="Vos droits sur le dossier : owner, edit ou read.")

    @staticmethod
    def resolve_permission(obj: Any) -> str:
        return obj.grant.permission
