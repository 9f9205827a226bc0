"""Who may write to whom, the lists, and what a refused message leaves behind (nothing)."""

from typing import Any

import pytest

from preau.directory.models import Function, Membership, Profile
from preau.messaging import policies
from preau.messaging.actions import MessagingRefused, do_send_message, do_update_rules
from preau.messaging.models import Conversation, Message, MessageRecipient
from preau.messaging.tests.helpers import actor

pytestmark = pytest.mark.django_db


def allowed(person: Any, establishment: Any = None) -> set[str]:
    return set(
        policies.allowed_recipients(actor(person, establishment)).values_list("username", flat=True)
    )


def nothing_written() -> bool:
    return not (
        Conversation.objects.exists()
        or Message.objects.exists()
        or MessageRecipient.objects.exists()
    )


def test_a_student_writes_to_teachers_head_teacher_and_cpe(cast: Any) -> None:
    assert allowed(cast.noah) == {"prof.bernard", "prof.garcia", "cpe.moulin"}


def test_noah_cannot_write_to_lea_and_nothing_is_written(cast: Any) -> None:
    with pytest.raises(MessagingRefused) as refused:
        do_send_message(
            actor=actor(cast.noah), subject="Salut", body="Tu viens ?", recipients=[cast.lea]
        )
    assert "Léa Martin" in refused.value.message
    assert "élèves ne peuvent pas écrire à d'autres élèves" in refused.value.message
    assert nothing_written()


def test_one_forbidden_recipient_refuses_the_whole_message(cast: Any) -> None:
    with pytest.raises(MessagingRefused):
        do_send_message(
            actor=actor(cast.noah),
            subject="Salut",
            body="Bonjour",
            recipients=[cast.bernard, cast.lea],
        )
    assert nothing_written()


def test_students_write_to_students_when_the_establishment_allows_it(cast: Any) -> None:
    do_update_rules(
        actor=actor(cast.principal_moulin),
        establishment=cast.moulin,
        values={
            **dict.fromkeys(("students_to_teachers", "students_to_school_life"), True),
            "students_to_students": True,
        },
    )
    assert "eleve.lea" in allowed(cast.noah)
    result = do_send_message(
        actor=actor(cast.noah), subject="Salut", body="Tu viens ?", recipients=[cast.lea]
    )
    assert result.recipient_count == 1


def test_karim_writes_to_his_son_s_teachers_and_the_school_not_elsewhere(cast: Any) -> None:
    people = allowed(cast.karim)
    assert {"prof.bernard", "prof.garcia", "cpe.moulin", "principal.moulin"} <= people
    assert "prof.dupont" not in people
    assert "parent.sophie" not in people  # guardians to guardians: off by default
    assert not {"eleve.lea", "eleve.noah", "eleve.jade"} & people
    karim = actor(cast.karim)
    assert policies.can_write_to(karim, cast.bernard)
    assert policies.can_write_to(karim, cast.garcia)  # Noah's French teacher
    with pytest.raises(MessagingRefused) as refused:
        do_send_message(actor=karim, subject="Bonjour", body="…", recipients=[cast.dupont])
    assert "Claire Dupont" in refused.value.message
    assert "ne fait pas partie de votre établissement" in refused.value.message
    assert nothing_written()


def test_the_office_is_reachable_by_guardians(cast: Any) -> None:
    office = Membership.objects.create(
        person=cast.rectorat_versailles,
        establishment=cast.moulin,
        school_year=cast.class_4b.school_year,
        profile=Profile.STAFF,
        functions=[Function.SECRETARY],
    )
    assert "rectorat.versailles" in allowed(cast.karim)
    assert "rectorat.versailles" not in allowed(cast.noah)
    office.delete()


def test_jade_writes_to_her_maths_teacher_not_to_garcia(cast: Any) -> None:
    jade = actor(cast.jade)
    assert policies.can_write_to(jade, cast.bernard)  # 3e A mathematics
    assert not policies.can_write_to(jade, cast.garcia)
    with pytest.raises(MessagingRefused) as refused:
        do_send_message(actor=jade, subject="Devoir", body="…", recipients=[cast.garcia])
    assert "Inès Garcia" in refused.value.message


def test_sophie_reaches_hugo_s_teacher_only_from_marie_curie(cast: Any) -> None:
    assert "prof.dupont" not in allowed(cast.sophie, cast.moulin)
    assert {"prof.bernard", "prof.garcia"} <= allowed(cast.sophie, cast.moulin)
    in_curie = allowed(cast.sophie, cast.curie)
    assert "prof.dupont" in in_curie
    assert "principal.curie" in in_curie
    assert not {"prof.bernard", "prof.garcia"} & in_curie


def test_staff_write_to_anyone_of_their_establishment(cast: Any) -> None:
    people = allowed(cast.bernard)
    assert {"eleve.lea", "eleve.jade", "parent.karim", "parent.sophie", "prof.garcia"} <= people
    assert "cpe.moulin" in people and "principal.moulin" in people
    assert not {"prof.dupont", "eleve.hugo", "principal.curie"} & people
    assert "prof.bernard" not in people


def test_a_teacher_uses_the_lists_of_their_classes_only(cast: Any) -> None:
    bernard = {item.code for item in policies.recipient_lists(actor(cast.bernard))}
    assert f"guardians:{cast.class_4b.public_id}" in bernard
    assert f"guardians:{cast.class_3a.public_id}" in bernard
    assert "guardians" not in bernard  # whole-establishment lists are for the school's staff
    garcia = actor(cast.garcia)
    codes = {item.code for item in policies.recipient_lists(garcia)}
    assert f"guardians:{cast.class_3a.public_id}" not in codes
    with pytest.raises(MessagingRefused):
        do_send_message(
            actor=garcia,
            subject="Sortie",
            body="…",
            lists=[f"guardians:{cast.class_3a.public_id}"],
        )
    assert nothing_written()
    assert policies.recipient_lists(actor(cast.karim)) == []
    assert policies.recipient_lists(actor(cast.lea)) == []


def test_bernard_writes_to_the_guardians_of_4e_b(cast: Any) -> None:
    bernard = actor(cast.bernard)
    families = policies.lists_by_code(bernard)[f"guardians:{cast.class_4b.public_id}"]
    result = do_send_message(
        actor=bernard, subject="Sortie au musée", body="Bonjour,", lists=[families]
    )
    reached = set(
        MessageRecipient.objects.filter(message=result.message, folder="inbox").values_list(
            "person__username", flat=True
        )
    )
    assert reached == {"parent.sophie", "parent.karim"}
    assert result.message.lists == [{"code": families.code, "label": families.label}]


def test_the_head_uses_establishment_lists(cast: Any) -> None:
    codes = {item.code for item in policies.recipient_lists(actor(cast.principal_moulin))}
    assert {"staff", "teachers", "guardians", "students"} <= codes
    assert f"guardians:{cast.class_3a.public_id}" in codes


def test_urgent_is_for_the_head_and_the_cpe(cast: Any) -> None:
    from preau.audit.models import AuditEntry

    with pytest.raises(MessagingRefused) as refused:
        do_send_message(
            actor=actor(cast.bernard),
            subject="Urgent",
            body="…",
            recipients=[cast.karim],
            urgent=True,
        )
    assert "chef d'établissement et le CPE" in refused.value.message
    assert nothing_written()
    result = do_send_message(
        actor=actor(cast.cpe_moulin),
        subject="Sortie annulée",
        body="La sortie de demain est annulée.",
        recipients=[cast.karim],
        urgent=True,
    )
    entry = AuditEntry.objects.get(action="messaging.message.urgent")
    assert entry.actor == cast.cpe_moulin
    assert entry.target_id == str(result.message.public_id)
    assert "annulée" not in str(entry.after) and "annulée" not in entry.target_label
    assert all(not d.held for d in result.deliveries)


def test_rules_follow_the_establishment(cast: Any) -> None:
    do_update_rules(
        actor=actor(cast.principal_moulin),
        establishment=cast.moulin,
        values={"students_to_teachers": True},
    )
    assert allowed(cast.noah) == {"prof.bernard", "prof.garcia"}
    assert policies.rules_of(cast.curie).students_to_school_life  # defaults elsewhere
