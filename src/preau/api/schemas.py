"""What the API answers: plain shapes, built from rows the policies already let through."""

from __future__ import annotations

from datetime import datetime
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
