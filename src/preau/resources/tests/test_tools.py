"""The LTI tools of the reader's classes in the médiacentre: listed beside the resources for
the students and teachers of the class (the LTI app's policies), opening the LTI launch."""

from typing import Any

import pytest
from django.urls import reverse

from preau.core.actor import Actor
from preau.core.testing import query_budget
from preau.directory.models import TeachingAssignment
from preau.lti.actions import do_place_tool, do_register_tool, do_set_tool_active
from preau.resources.tests.helpers import build
from preau.resources.tests.test_catalogue import CATALOGUE_QUERIES

pytestmark = pytest.mark.django_db


@pytest.fixture
def tool(cast: Any) -> Any:
    return do_register_tool(
        actor=cast.principal_moulin,
        name="Exerciseur",
        login_url="https://tool.example/login",
        launch_url="https://tool.example/launch",
        jwks_url="https://tool.example/jwks",
        establishment=cast.moulin,
    )


def place(cast: Any, tool: Any, title: str) -> Any:
    assignment = TeachingAssignment.objects.get(teacher=cast.bernard, school_class=cast.class_4b)
    return do_place_tool(actor=Actor(cast.bernard), tool=tool, assignment=assignment, title=title)


def tools(client: Any, query: str = "") -> list[str]:
    response = client.get(reverse("resources:index") + query)
    assert response.status_code == 200
    return [p.title for p in response.context["tools"]]


def test_the_class_and_its_teacher_see_the_tool_and_open_its_launch(cast, client, tool):
    placement = place(cast, tool, "Fractions")
    launch = reverse("lti:launch", args=[placement.public_id])
    for person in (cast.lea, cast.noah, cast.bernard):
        client.force_login(person)
        response = client.get(reverse("resources:index"))
        assert [p.title for p in response.context["tools"]] == ["Fractions"], person
        assert f'href="{launch}"' in response.content.decode()
    client.force_login(cast.lea)
    opened = client.get(launch)
    assert opened.status_code == 302
    assert opened["Location"].startswith("https://tool.example/login?")


def test_other_classes_schools_and_families_do_not_see_it(cast, client, tool):
    place(cast, tool, "Fractions")
    for person in (cast.jade, cast.hugo, cast.sophie, cast.principal_curie):
        client.force_login(person)
        response = client.get(reverse("resources:index"))
        assert response.status_code == 200
        assert not response.context.get("tools"), person
        assert "Fractions" not in response.content.decode()


def test_a_disabled_tool_leaves_the_catalogue(cast, client, tool):
    place(cast, tool, "Fractions")
    do_set_tool_active(actor=cast.principal_moulin, tool=tool, active=False)
    client.force_login(cast.lea)
    assert tools(client) == []


def test_the_filters_apply_to_the_tools(cast, client, tool):
    build(cast)
    place(cast, tool, "Fractions")
    place(cast, tool, "Puissances")
    client.force_login(cast.lea)
    assert tools(client, "?kind=lti") == ["Fractions", "Puissances"]
    response = client.get(reverse("resources:index") + "?kind=lti")
    assert list(response.context["page"].object_list) == []
    assert tools(client, "?kind=link") == []
    assert tools(client, "?q=puiss") == ["Puissances"]
    assert tools(client, "?q=exerciseur") == ["Fractions", "Puissances"]
    assert tools(client, "?subject=Mathématiques") == ["Fractions", "Puissances"]
    assert tools(client, "?level=4") == ["Fractions", "Puissances"]
    assert tools(client, "?level=3") == []


def test_the_catalogue_with_tools_runs_a_fixed_number_of_queries(cast, client, tool):
    build(cast)
    place(cast, tool, "Fractions")
    client.force_login(cast.lea)
    url = reverse("resources:index")
    client.get(url)  # the school year and the services, cached for the process
    with query_budget(CATALOGUE_QUERIES):
        assert len(client.get(url).context["tools"]) == 1
    for number in range(5):
        place(cast, tool, f"Exercice {number}")
    with query_budget(CATALOGUE_QUERIES):
        assert len(client.get(url + "?q=e").context["tools"]) == 6
