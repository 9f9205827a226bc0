"""The demo workspaces: built once, kept when built again."""

from typing import Any

import pytest

from preau.groups.demo import CLUB, COUNCIL, build
from preau.groups.models import ForumPost, Role, Topic, Workspace, WorkspaceMember
from preau.news.models import Post

pytestmark = pytest.mark.django_db


def test_the_demo_builds_a_club_and_a_staff_team_once(cast: Any) -> None:
    build(cast)
    build(cast)
    club = Workspace.objects.get(name=CLUB, establishment=cast.moulin)
    council = Workspace.objects.get(name=COUNCIL, establishment=cast.moulin)
    assert dict(
        WorkspaceMember.objects.filter(workspace=club).values_list("person__username", "role")
    ) == {"prof.garcia": Role.ANIMATOR, "eleve.lea": Role.MEMBER, "eleve.noah": Role.MEMBER}
    assert set(
        WorkspaceMember.objects.filter(workspace=council).values_list("person__username", flat=True)
    ) == {"principal.moulin", "cpe.moulin", "prof.bernard", "prof.garcia"}
    assert Topic.objects.filter(workspace=club).count() == 2
    assert ForumPost.objects.filter(topic__workspace=club).count() == 4
    assert Post.objects.filter(workspaces=club).count() == 1
