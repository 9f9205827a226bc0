"""Creating a workspace, its members and roles, leaving and archiving."""

from typing import Any

import pytest
from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.core.testing import query_budget
from preau.directory.models import Enrolment, Membership, Profile, SchoolClass
from preau.groups import actions, policies
from preau.groups.actions import GroupsRefused
from preau.groups.models import Role, Workspace, WorkspaceMember
from preau.groups.tests.helpers import CLUB_ID, actor, club, opened
from preau.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def roles(workspace: Workspace) -> dict[str, str]:
    return dict(
        WorkspaceMember.objects.filter(workspace=workspace).values_list("person__username", "role")
    )


def test_a_teacher_creates_a_workspace_and_is_its_animator(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    response = client.post(
        reverse("groups:create"),
        {"name": "Club échecs", "kind": "club", "description": "Le jeudi midi."},
    )
    workspace = Workspace.objects.get(name="Club échecs")
    assert response["Location"] == reverse("groups:members", args=[workspace.public_id])
    assert workspace.establishment == cast.moulin
    assert roles(workspace) == {"prof.bernard": Role.ANIMATOR}
    assert AuditEntry.objects.filter(action="groups.workspace.create").exists()
    # The same name twice in one establishment is refused, with the reason.
    response = client.post(reverse("groups:create"), {"name": "Club échecs", "kind": "club"})
    assert response.status_code == 200
    assert "Un espace porte déjà ce nom" in response.content.decode()
    assert Workspace.objects.filter(name="Club échecs").count() == 1


@pytest.mark.parametrize("name", ["lea", "sophie"])
def test_students_and_guardians_do_not_create_workspaces(cast: Any, client: Any, name: str) -> None:
    client.force_login(getattr(cast, name))
    assert client.get(reverse("groups:create")).status_code == 404
    assert client.post(reverse("groups:create"), {"name": "X", "kind": "club"}).status_code == 404
    assert "Créer un espace" not in client.get(reverse("groups:index")).content.decode()
    assert not Workspace.objects.exists()


def test_members_are_added_by_name_and_told(cast: Any, client: Any) -> None:
    workspace = club(cast)
    client.force_login(cast.garcia)
    page = client.get(reverse("groups:members", args=[CLUB_ID]), {"q": "roux"}).content.decode()
    assert "Jade Roux" in page
    # Guardians and people of another establishment are not offered, nor accepted.
    page = client.get(reverse("groups:members", args=[CLUB_ID]), {"q": "martin"}).content.decode()
    assert "Sophie Martin" not in page and "Hugo Martin" not in page
    response = client.post(
        reverse("groups:add_people", args=[CLUB_ID]),
        {"people": [str(cast.sophie.public_id), str(cast.hugo.public_id)], "role": "member"},
    )
    assert response.status_code == 302
    assert set(roles(workspace)) == {"prof.garcia", "eleve.lea", "eleve.noah"}
    client.post(
        reverse("groups:add_people", args=[CLUB_ID]),
        {"people": [str(cast.jade.public_id)], "role": "reader"},
    )
    assert roles(workspace)["eleve.jade"] == Role.READER
    notice = Notification.objects.get(recipient=cast.jade, kind=Kind.GROUPS)
    assert notice.url == reverse("groups:detail", args=[CLUB_ID])
    assert "Club théâtre" in notice.title
    assert client.get(reverse("groups:detail", args=[CLUB_ID])).status_code == 200


def test_only_staff_can_be_animators(cast: Any) -> None:
    workspace = club(cast)
    garcia, opened_club = opened(cast.garcia, workspace)
    with pytest.raises(GroupsRefused):
        actions.do_add_members(
            actor=garcia, workspace=opened_club, people=[cast.jade], role=Role.ANIMATOR
        )
    noah = WorkspaceMember.objects.get(workspace=workspace, person=cast.noah)
    with pytest.raises(GroupsRefused):
        actions.do_change_role(actor=garcia, workspace=opened_club, member=noah, role=Role.ANIMATOR)
    actions.do_add_members(
        actor=garcia, workspace=opened_club, people=[cast.bernard], role=Role.ANIMATOR
    )
    assert roles(workspace)["prof.bernard"] == Role.ANIMATOR
    assert "eleve.jade" not in roles(workspace)


def test_a_whole_class_joins_in_a_fixed_number_of_queries(cast: Any) -> None:
    """Adding a class of 3 or of 33 students costs the same queries."""
    workspace = club(cast)
    garcia, opened_club = opened(cast.garcia, workspace)
    big = SchoolClass.objects.create(
        establishment=cast.moulin,
        school_year=cast.class_4b.school_year,
        name="5e C",
        level=cast.class_4b.level,
    )
    small = SchoolClass.objects.create(
        establishment=cast.moulin,
        school_year=cast.class_4b.school_year,
        name="5e D",
        level=cast.class_4b.level,
    )
    from django.contrib.auth import get_user_model

    user_model = get_user_model()

    def students(school_class: SchoolClass, count: int) -> None:
        for i in range(count):
            person = user_model.objects.create(username=f"{school_class.name}-{i}")
            Membership.objects.create(
                person=person,
                establishment=cast.moulin,
                school_year=school_class.school_year,
                profile=Profile.STUDENT,
            )
            Enrolment.objects.create(
                establishment=cast.moulin,
                school_year=school_class.school_year,
                student=person,
                school_class=school_class,
            )

    students(small, 3)
    students(big, 33)
    # The students (1), the insert, the audit row, the quiet hours, the preferences, the
    # notifications (1 each) and the savepoints of the nested transactions (4).
    for school_class in (small, big):
        with query_budget(10, warm=True):
            added = actions.do_add_classes(
                actor=garcia, workspace=opened_club, classes=[school_class]
            )
        assert len(added) == (3 if school_class is small else 33)
    # 4e B's Léa and Noah are members already: only the others would join.
    assert not actions.do_add_classes(actor=garcia, workspace=opened_club, classes=[cast.class_4b])
    assert Notification.objects.filter(kind=Kind.GROUPS, title__contains="théâtre").count() >= 36


def test_another_establishments_class_adds_nobody(cast: Any) -> None:
    workspace = club(cast)
    garcia, opened_club = opened(cast.garcia, workspace)
    assert not actions.do_add_classes(
        actor=garcia, workspace=opened_club, classes=[cast.class_2nde3]
    )
    assert "eleve.hugo" not in roles(workspace)


def test_roles_removal_and_the_last_animator(cast: Any, client: Any) -> None:
    workspace = club(cast)
    client.force_login(cast.garcia)
    url = reverse("groups:member", args=[CLUB_ID, cast.noah.public_id])
    client.post(url, {"operation": "role", "role": "reader"})
    assert roles(workspace)["eleve.noah"] == Role.READER
    # The last animator can neither step down nor leave.
    own = reverse("groups:member", args=[CLUB_ID, cast.garcia.public_id])
    response = client.post(own, {"operation": "role", "role": "member"}, follow=True)
    assert "au moins un animateur" in response.content.decode()
    response = client.post(reverse("groups:leave", args=[CLUB_ID]), follow=True)
    assert "au moins un animateur" in response.content.decode()
    assert roles(workspace)["prof.garcia"] == Role.ANIMATOR
    client.post(url, {"operation": "remove"})
    assert "eleve.noah" not in roles(workspace)
    assert AuditEntry.objects.filter(action="groups.member.role").exists()
    assert AuditEntry.objects.filter(action="groups.member.remove").exists()
    client.force_login(cast.noah)
    assert client.get(reverse("groups:detail", args=[CLUB_ID])).status_code == 404


def test_a_member_leaves(cast: Any, client: Any) -> None:
    workspace = club(cast)
    client.force_login(cast.lea)
    assert client.get(reverse("groups:leave", args=[CLUB_ID])).status_code == 200
    response = client.post(reverse("groups:leave", args=[CLUB_ID]))
    assert response["Location"] == reverse("groups:index")
    assert "eleve.lea" not in roles(workspace)
    assert client.get(reverse("groups:detail", args=[CLUB_ID])).status_code == 404


def test_an_archived_workspace_is_read_only(cast: Any, client: Any) -> None:
    club(cast)
    client.force_login(cast.garcia)
    client.post(reverse("groups:archive", args=[CLUB_ID]))
    workspace = Workspace.objects.get(public_id=CLUB_ID)
    assert workspace.is_archived
    assert AuditEntry.objects.filter(action="groups.workspace.archive").exists()
    client.force_login(cast.lea)
    page = client.get(reverse("groups:detail", args=[CLUB_ID])).content.decode()
    assert "Espace archivé" in page and "Nouveau sujet" not in page
    assert "Club théâtre" not in client.get(reverse("groups:index")).content.decode()
    archived = client.get(reverse("groups:index"), {"archived": "1"}).content.decode()
    assert "Club théâtre" in archived
    response = client.post(
        reverse("groups:new_topic", args=[CLUB_ID]), {"title": "Encore", "body": "Bonjour"}
    )
    assert response.status_code == 400
    client.force_login(cast.garcia)
    client.post(reverse("groups:archive", args=[CLUB_ID]), {"restore": "1"})
    assert not Workspace.objects.get(public_id=CLUB_ID).is_archived


def test_the_settings_are_changed_by_an_animator(cast: Any, client: Any) -> None:
    club(cast)
    client.force_login(cast.garcia)
    response = client.post(
        reverse("groups:edit", args=[CLUB_ID]),
        {"name": "Atelier théâtre", "kind": "project", "description": "Nouveau nom."},
    )
    assert response.status_code == 302
    workspace = Workspace.objects.get(public_id=CLUB_ID)
    assert (workspace.name, workspace.kind) == ("Atelier théâtre", "project")
    entry = AuditEntry.objects.get(action="groups.workspace.update")
    assert entry.before["name"] == "Club théâtre"


def test_the_policies_other_services_use(cast: Any) -> None:
    """visible_workspaces, access_workspace and can_manage, as the drive and the calendar will
    ask them."""
    workspace = club(cast)
    assert list(policies.visible_workspaces(actor(cast.noah))) == [workspace]
    assert not policies.visible_workspaces(actor(cast.jade)).exists()
    assert not policies.visible_workspaces(actor(cast.hugo)).exists()
    garcia, opened_club = opened(cast.garcia, workspace)
    assert policies.can_manage(garcia, opened_club)
    noah, seen_by_noah = opened(cast.noah, workspace)
    assert not policies.can_manage(noah, seen_by_noah)
    assert policies.role_of(seen_by_noah) == Role.MEMBER


def test_index_query_budget(cast: Any, client: Any) -> None:
    """« Mes espaces » runs the same queries with 2 workspaces or 27."""
    club(cast)
    client.force_login(cast.garcia)
    client.get(reverse("groups:index"))  # the establishment's services, then cached
    # user, memberships, the workspaces' count and page (with their unread marks)
    with query_budget(4):
        client.get(reverse("groups:index"))
    made = Workspace.objects.bulk_create(
        [Workspace(establishment=cast.moulin, name=f"Projet {i}") for i in range(25)]
    )
    WorkspaceMember.objects.bulk_create(
        [WorkspaceMember(establishment=cast.moulin, workspace=w, person=cast.garcia) for w in made]
    )
    with query_budget(4):
        response = client.get(reverse("groups:index"), {"page": 2})
    assert "Projet" in response.content.decode()
