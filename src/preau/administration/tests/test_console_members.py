"""The console's member pages: editing a member (and delegating the administration through the
« administrator » function), and the guardians of a student."""

from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.core.actor import Actor
from preau.core.testing import Isolation, isolation_test, log_in_with_second_factor, query_budget
from preau.directory.actions import MemberUpdateRefused, do_update_member
from preau.directory.models import (
    AcademyAdministrator,
    Function,
    Guardianship,
    Membership,
    Profile,
    SchoolYear,
)

pytestmark = pytest.mark.django_db

User = get_user_model()

# Jean Moulin's member pages: its head only. Marie Curie's head, the CPE (no administrative
# function), a teacher and a guardian of Jean Moulin all get 404.
REFUSED = ("principal_curie", "cpe_moulin", "bernard", "sophie")


def membership_of(c: Any, user: Any, establishment: Any = None) -> Membership:
    return Membership.objects.get(
        person=user, establishment=establishment or c.moulin, school_year=SchoolYear.current()
    )


def member_kwargs(c: Any, user: Any, **extra: Any) -> dict[str, Any]:
    return {
        "public_id": c.moulin.public_id,
        "member_id": membership_of(c, user).public_id,
        **extra,
    }


def lea(c: Any) -> dict[str, Any]:
    return member_kwargs(c, c.lea)


def lea_and_sophie(c: Any) -> dict[str, Any]:
    return member_kwargs(c, c.lea, guardian_id=c.sophie.public_id)


def member_route(route: str, **options: Any) -> Isolation:
    return Isolation(
        route=f"administration:{route}", owner="principal_moulin", refused=REFUSED, **options
    )


test_isolation = isolation_test(
    [
        member_route("member_edit", kwargs=lambda c: member_kwargs(c, c.garcia)),
        member_route("guardian_link", kwargs=lea),
        member_route("guardian_create", kwargs=lea),
        member_route("guardianship", kwargs=lea_and_sophie),
        member_route("guardian_unlink", kwargs=lea_and_sophie, method="post", owner_status=302),
    ]
)


def url(route: str, **kwargs: Any) -> str:
    return reverse(f"administration:{route}", kwargs=kwargs)


def edit_url(c: Any, user: Any) -> str:
    return url("member_edit", **member_kwargs(c, user))


def edit_data(user: Any, functions: list[str], **changes: Any) -> dict[str, Any]:
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "birth_date": user.birth_date.isoformat() if user.birth_date else "",
        "functions": functions,
    }
    return {**data, **changes}


def functions_of(c: Any, user: Any) -> list[str]:
    return membership_of(c, user).functions


# -- editing a member ---------------------------------------------------------------------------


def test_edit_member_names_and_functions_with_an_audit_row(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    form = client.get(edit_url(cast, cast.garcia)).context["form"]
    assert form.initial["last_name"] == "Garcia"
    response = client.post(
        edit_url(cast, cast.garcia),
        edit_data(
            cast.garcia,
            [Function.SECRETARY],
            last_name="Garcia-Lopez",
            email="i.garcia-lopez@preau.localhost",
            birth_date="1985-04-02",
        ),
    )
    assert response.status_code == 302
    garcia = User.objects.get(pk=cast.garcia.pk)
    assert garcia.last_name == "Garcia-Lopez"
    assert garcia.email == "i.garcia-lopez@preau.localhost"
    assert garcia.birth_date == date(1985, 4, 2)
    assert garcia.username == "prof.garcia"  # the login does not change
    assert functions_of(cast, cast.garcia) == ["secretary"]
    entry = AuditEntry.objects.get(action="directory.member.update")
    assert entry.establishment == cast.moulin
    assert entry.target_id == str(membership_of(cast, cast.garcia).public_id)
    assert entry.before == {
        "first_name": "Inès",
        "last_name": "Garcia",
        "email": "i.garcia@preau.localhost",
        "birth_date": None,
        "functions": [],
    }
    assert entry.after == {
        "first_name": "Inès",
        "last_name": "Garcia-Lopez",
        "email": "i.garcia-lopez@preau.localhost",
        "birth_date": "1985-04-02",
        "functions": ["secretary"],
    }
    # The same values again: nothing is written.
    client.post(edit_url(cast, cast.garcia), edit_data(garcia, [Function.SECRETARY]))
    assert AuditEntry.objects.filter(action="directory.member.update").count() == 1


def test_the_head_delegates_the_console_with_the_administrator_function(
    cast: Any, client: Any
) -> None:
    home = url("home")
    log_in_with_second_factor(client, cast.cpe_moulin)
    assert client.get(home).status_code == 404
    log_in_with_second_factor(client, cast.principal_moulin)
    client.post(
        edit_url(cast, cast.cpe_moulin),
        edit_data(cast.cpe_moulin, [Function.CPE, Function.ADMINISTRATOR]),
    )
    assert functions_of(cast, cast.cpe_moulin) == ["administrator", "cpe"]
    log_in_with_second_factor(
        client, cast.cpe_moulin
    )  # no cache to wait for: the change replaced the version
    response = client.get(home)
    assert response.status_code == 200
    assert list(response.context["establishments"]) == [cast.moulin]
    assert client.get(url("members", public_id=cast.moulin.public_id)).status_code == 200
    log_in_with_second_factor(client, cast.principal_moulin)
    client.post(edit_url(cast, cast.cpe_moulin), edit_data(cast.cpe_moulin, [Function.CPE]))
    entry = AuditEntry.objects.filter(action="directory.member.update").latest("pk")
    assert (entry.before["functions"], entry.after["functions"]) == (
        ["administrator", "cpe"],
        ["cpe"],
    )
    log_in_with_second_factor(client, cast.cpe_moulin)
    assert client.get(home).status_code == 404
    assert client.get(url("members", public_id=cast.moulin.public_id)).status_code == 404


def test_functions_are_for_staff_only(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    for person in (cast.jade, cast.karim):
        response = client.post(edit_url(cast, person), edit_data(person, [Function.SECRETARY]))
        assert response.status_code == 200
        assert response.context["form"].errors["functions"] == [
            "Un élève ou un responsable n'a pas de fonction."
        ]
        assert functions_of(cast, person) == []
    assert not AuditEntry.objects.filter(action="directory.member.update").exists()


def test_nobody_removes_their_own_administrative_functions(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.post(
        edit_url(cast, cast.principal_moulin), edit_data(cast.principal_moulin, [])
    )
    assert "functions" in response.context["form"].errors
    assert functions_of(cast, cast.principal_moulin) == ["head"]
    # Their names, and functions that give no administration, they may change.
    client.post(
        edit_url(cast, cast.principal_moulin),
        edit_data(cast.principal_moulin, ["head", "secretary"], first_name="Hélène-Marie"),
    )
    assert functions_of(cast, cast.principal_moulin) == ["head", "secretary"]
    assert User.objects.get(pk=cast.principal_moulin.pk).first_name == "Hélène-Marie"
    # A delegated administrator neither.
    membership = membership_of(cast, cast.cpe_moulin)
    membership.functions = ["administrator", "cpe"]
    membership.save(update_fields=["functions"])
    log_in_with_second_factor(client, cast.cpe_moulin)
    response = client.post(edit_url(cast, cast.cpe_moulin), edit_data(cast.cpe_moulin, ["cpe"]))
    assert "functions" in response.context["form"].errors
    assert functions_of(cast, cast.cpe_moulin) == ["administrator", "cpe"]


def test_one_head_appointed_by_the_academy(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.post(edit_url(cast, cast.cpe_moulin), edit_data(cast.cpe_moulin, ["head"]))
    [message] = response.context["form"].errors["functions"]
    assert "Nommer le chef d'établissement" in message
    assert functions_of(cast, cast.cpe_moulin) == ["cpe"]
    # The academy's administrator is shown the way to the appointment page.
    log_in_with_second_factor(client, cast.rectorat_versailles)
    response = client.get(edit_url(cast, cast.cpe_moulin))
    appoint = url("academy_establishment", public_id=cast.moulin.public_id)
    assert response.context["academy_url"] == appoint
    assert appoint.encode() in response.content


def test_a_delegated_administrator_does_not_touch_the_head_function(cast: Any, client: Any) -> None:
    membership = membership_of(cast, cast.cpe_moulin)
    membership.functions = ["administrator", "cpe"]
    membership.save(update_fields=["functions"])
    log_in_with_second_factor(client, cast.cpe_moulin)
    # Other functions, they may change.
    client.post(edit_url(cast, cast.garcia), edit_data(cast.garcia, ["administrator"]))
    assert functions_of(cast, cast.garcia) == ["administrator"]
    for person, functions in [
        (cast.principal_moulin, []),
        (cast.principal_moulin, ["head", "secretary"]),  # keeps head: allowed
        (cast.bernard, ["head"]),
    ]:
        before = functions_of(cast, person)
        response = client.post(edit_url(cast, person), edit_data(person, functions))
        if "head" in before and "head" in functions:
            assert response.status_code == 302
            continue
        assert response.status_code == 200
        assert "chef d'établissement" in response.context["form"].errors["functions"][0]
        assert functions_of(cast, person) == before
    assert functions_of(cast, cast.principal_moulin) == ["head", "secretary"]


def test_the_action_refuses_what_the_form_refuses(cast: Any) -> None:
    actor = Actor(cast.cpe_moulin, {})
    membership = membership_of(cast, cast.jade)
    with pytest.raises(MemberUpdateRefused):
        do_update_member(
            actor=actor,
            establishment=cast.moulin,
            membership=membership,
            first_name="Jade",
            last_name="Roux",
            email="",
            birth_date=None,
            functions=["cpe"],
        )
    assert not AuditEntry.objects.filter(action="directory.member.update").exists()


def test_identity_of_a_person_known_to_another_school_is_not_editable(
    cast: Any, client: Any
) -> None:
    """Sophie is also a guardian at Marie Curie: her e-mail address opens her account there."""
    log_in_with_second_factor(client, cast.principal_moulin)
    sophie_url = edit_url(cast, cast.sophie)
    assert client.get(sophie_url).context["form"].fields["email"].disabled
    client.post(sophie_url, edit_data(cast.sophie, [], email="someone@example.org"))
    assert User.objects.get(pk=cast.sophie.pk).email == "sophie.martin@example.org"
    # The academy administering both schools may.
    AcademyAdministrator.objects.create(academy=cast.curie.academy, person=cast.rectorat_versailles)
    log_in_with_second_factor(client, cast.rectorat_versailles)
    client.post(sophie_url, edit_data(cast.sophie, [], email="sophie.m@example.org"))
    assert User.objects.get(pk=cast.sophie.pk).email == "sophie.m@example.org"


def test_member_of_another_establishment_is_404_for_edit(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    hugo = membership_of(cast, cast.hugo, cast.curie)
    response = client.post(
        url("member_edit", public_id=cast.moulin.public_id, member_id=hugo.public_id),
        edit_data(cast.hugo, []),
    )
    assert response.status_code == 404


# -- guardians of a student ---------------------------------------------------------------------


def lea_url(c: Any) -> str:
    return url("member", **lea(c))


def test_student_page_lists_guardians_and_guardian_page_lists_children(
    cast: Any, client: Any
) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.get(lea_url(cast))
    [sophie] = response.context["guardians"]
    assert (sophie.guardian, sophie.relationship, sophie.legal) == (cast.sophie, "Mère", True)
    assert sophie.member_id == membership_of(cast, cast.sophie).public_id
    assert b"Sophie" in response.content
    # Sophie's page: Léa by name; Hugo, at Marie Curie, only counted.
    response = client.get(url("member", **member_kwargs(cast, cast.sophie)))
    assert [g.student for g in response.context["children"]] == [cast.lea]
    assert response.context["children_elsewhere"] == 1
    assert b"Hugo" not in response.content
    assert "1 enfant dans un autre établissement" in response.content.decode()
    # A teacher's page has neither.
    response = client.get(url("member", **member_kwargs(cast, cast.bernard)))
    assert "guardians" not in response.context and "children" not in response.context


def test_student_page_query_budget(cast: Any, client: Any) -> None:
    year = SchoolYear.current()
    for name in ("Paul", "Anne", "Marc"):
        extra = User.objects.create(username=f"parent.{name.lower()}", first_name=name)
        Membership.objects.create(
            person=extra, establishment=cast.moulin, school_year=year, profile=Profile.GUARDIAN
        )
        Guardianship.objects.create(guardian=extra, student=cast.lea)
    log_in_with_second_factor(client, cast.principal_moulin)
    page = lea_url(cast)
    client.get(page)  # warms the caches of the school year and the services
    # session user, actor's academies, actor's memberships, the establishment, the membership,
    # its other memberships, the administered establishments, the guardians
    with query_budget(8):
        response = client.get(page)
    assert len(response.context["guardians"]) == 4


def test_link_an_existing_guardian_of_the_establishment(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    link_url = url("guardian_link", **lea(cast))
    choices = client.get(link_url).context["form"].fields["guardian"].queryset
    assert list(choices) == [cast.karim]  # Sophie is already Léa's guardian
    response = client.post(
        link_url,
        {"guardian": cast.karim.public_id, "relationship": "Beau-père", "contact": "on"},
    )
    assert response.status_code == 302
    link = Guardianship.objects.get(guardian=cast.karim, student=cast.lea)
    assert (link.relationship, link.legal, link.financial, link.contact) == (
        "Beau-père",
        False,
        False,
        True,
    )
    entry = AuditEntry.objects.get(action="directory.guardianship.link")
    assert entry.establishment == cast.moulin and entry.before is None
    assert entry.after == {
        "guardian": "parent.karim",
        "student": "eleve.lea",
        "relationship": "Beau-père",
        "legal": False,
        "financial": False,
        "contact": True,
    }


def test_a_guardian_of_another_establishment_cannot_be_linked(cast: Any, client: Any) -> None:
    curie_guardian = User.objects.create(username="parent.curie", last_name="Curie")
    Membership.objects.create(
        person=curie_guardian,
        establishment=cast.curie,
        school_year=SchoolYear.current(),
        profile=Profile.GUARDIAN,
    )
    log_in_with_second_factor(client, cast.principal_moulin)
    link_url = url("guardian_link", **lea(cast))
    count = Guardianship.objects.count()
    for guardian in (curie_guardian, cast.bernard, cast.noah, cast.lea, cast.sophie):
        response = client.post(link_url, {"guardian": guardian.public_id, "legal": "on"})
        assert response.status_code == 200
        assert "guardian" in response.context["form"].errors
    response = client.post(link_url, {"guardian": curie_guardian.pk, "legal": "on"})
    assert "guardian" in response.context["form"].errors
    assert Guardianship.objects.count() == count
    assert not AuditEntry.objects.filter(action__startswith="directory.guardianship").exists()


def test_create_a_new_guardian_with_an_activation_code(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.post(
        url("guardian_create", **lea(cast)),
        {
            "first_name": "Thomas",
            "last_name": "Martin",
            "email": "thomas.martin@example.org",
            "relationship": "Père",
            "legal": "on",
            "financial": "on",
        },
    )
    assert response.status_code == 201
    assert response.context["code"]
    thomas = User.objects.get(username="thomas.martin")
    assert not thomas.has_usable_password()
    assert membership_of(cast, thomas).profile == Profile.GUARDIAN
    link = Guardianship.objects.get(guardian=thomas, student=cast.lea)
    assert (link.legal, link.financial, link.contact) == (True, True, False)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "directory.member.create",
        "directory.guardianship.link",
        "accounts.activation_code.issue",
    } <= actions
    response = client.post(url("guardian_create", **lea(cast)), {"first_name": "Sans"})
    assert "last_name" in response.context["form"].errors


def test_edit_and_unlink_a_guardianship(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    edit = url("guardianship", **lea_and_sophie(cast))
    assert client.get(edit).context["form"].initial["relationship"] == "Mère"
    client.post(edit, {"relationship": "Mère", "legal": "on", "contact": "on"})
    link = Guardianship.objects.get(guardian=cast.sophie, student=cast.lea)
    assert not link.financial
    entry = AuditEntry.objects.get(action="directory.guardianship.update")
    assert (entry.before["financial"], entry.after["financial"]) == (True, False)
    response = client.post(url("guardian_unlink", **lea_and_sophie(cast)))
    assert response.status_code == 302
    assert not Guardianship.objects.filter(guardian=cast.sophie, student=cast.lea).exists()
    assert Guardianship.objects.filter(guardian=cast.sophie, student=cast.hugo).exists()
    assert membership_of(cast, cast.sophie).is_active  # she stays a member
    entry = AuditEntry.objects.get(action="directory.guardianship.unlink")
    assert entry.before["guardian"] == "parent.sophie" and entry.after is None


@pytest.mark.parametrize("route", ["guardianship", "guardian_unlink"])
def test_guardianships_are_found_among_the_students_own_only(
    cast: Any, client: Any, route: str
) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    call = client.get if route == "guardianship" else client.post
    moulin = cast.moulin.public_id
    curie_hugo = membership_of(cast, cast.hugo, cast.curie).public_id
    addresses = [
        # Karim is Noah's guardian, not Léa's.
        member_kwargs(cast, cast.lea, guardian_id=cast.karim.public_id),
        # Sophie is Hugo's guardian, but Hugo is Marie Curie's student.
        {"public_id": moulin, "member_id": curie_hugo, "guardian_id": cast.sophie.public_id},
        # Sophie's own membership is not a student's.
        member_kwargs(cast, cast.sophie, guardian_id=cast.sophie.public_id),
        # Nobody.
        member_kwargs(cast, cast.lea, guardian_id=cast.moulin.public_id),
    ]
    for kwargs in addresses:
        assert call(url(route, **kwargs)).status_code == 404
    assert Guardianship.objects.count() == 3
    assert call(url("guardian_link", public_id=moulin, member_id=curie_hugo)).status_code == 404
    bernard = member_kwargs(cast, cast.bernard)
    assert client.get(url("guardian_create", **bernard)).status_code == 404


def test_a_delegated_administrator_does_not_deactivate_the_head(cast: Any, client: Any) -> None:
    membership = membership_of(cast, cast.cpe_moulin)
    membership.functions = ["administrator", "cpe"]
    membership.save(update_fields=["functions"])
    log_in_with_second_factor(client, cast.cpe_moulin)
    head = membership_of(cast, cast.principal_moulin)
    client.post(url("member_deactivate", **member_kwargs(cast, cast.principal_moulin)))
    head.refresh_from_db()
    assert head.is_active
    client.post(url("member_deactivate", **member_kwargs(cast, cast.garcia)))
    assert not membership_of(cast, cast.garcia).is_active
