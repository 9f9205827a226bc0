"""Every workspace route that takes an identifier, and who must get a 404 for it.

A workspace is for its members only: not a classmate who is not a member, not a guardian of a
member, not the head of the establishment, not another establishment. Its management and
moderation are for its animators only: members get the same 404.
"""

from typing import Any

import pytest
from django.urls import reverse

from preau.core.testing import Isolation, isolation_test
from preau.groups.models import ForumPost, Topic, WorkspaceMember
from preau.groups.tests.helpers import (
    CLUB_ID,
    COUNCIL_ID,
    NOAH_POST_ID,
    REPORT_ID,
    TOPIC_ID,
    club,
    club_with_report,
)

pytestmark = pytest.mark.django_db

# Jade: same school, not a member; Bernard: a teacher of Léa and Noah, member of another
# workspace; the head; Léa's and Noah's guardians; another establishment.
NOT_MEMBERS = (
    "jade",
    "bernard",
    "principal_moulin",
    "cpe_moulin",
    "sophie",
    "karim",
    "hugo",
    "dupont",
    "principal_curie",
    "admin",
)
NOT_ANIMATORS = ("lea", "noah", *NOT_MEMBERS)


def _club(c: Any) -> dict[str, Any]:
    return {"public_id": CLUB_ID}


def _topic(c: Any) -> dict[str, Any]:
    return {"public_id": CLUB_ID, "topic_id": TOPIC_ID}


def _post(c: Any) -> dict[str, Any]:
    return {"public_id": CLUB_ID, "post_id": NOAH_POST_ID}


def _member(c: Any) -> dict[str, Any]:
    return {"public_id": CLUB_ID, "person_id": c.noah.public_id}


def _report(c: Any) -> dict[str, Any]:
    return {"public_id": CLUB_ID, "report_id": REPORT_ID}


test_isolation = isolation_test(
    [
        Isolation("groups:detail", "lea", _club, NOT_MEMBERS, setup=club),
        # A member of one workspace does not see another: the club's pupils and the council.
        Isolation(
            "groups:detail",
            "bernard",
            lambda c: {"public_id": COUNCIL_ID},
            ("lea", "noah", "jade", "sophie", "principal_curie"),
            setup=club,
        ),
        Isolation("groups:members", "noah", _club, NOT_MEMBERS, setup=club),
        Isolation("groups:leave", "lea", _club, NOT_MEMBERS, setup=club),
        Isolation("groups:topic", "noah", _topic, NOT_MEMBERS, setup=club),
        Isolation("groups:edit_post", "noah", _post, ("lea", "garcia", *NOT_MEMBERS), setup=club),
        Isolation(
            "groups:report_post",
            "lea",
            _post,
            NOT_MEMBERS,
            method="post",
            data={"reason": "Hors sujet"},
            owner_status=302,
            setup=club,
        ),
        Isolation(
            "groups:new_topic",
            "lea",
            _club,
            NOT_MEMBERS,
            method="post",
            data={"title": "Affiche", "body": "Qui dessine l'affiche ?"},
            owner_status=302,
            setup=club,
        ),
        Isolation("groups:edit", "garcia", _club, NOT_ANIMATORS, setup=club),
        Isolation("groups:reports", "garcia", _club, NOT_ANIMATORS, setup=club_with_report),
        Isolation(
            "groups:archive",
            "garcia",
            _club,
            NOT_ANIMATORS,
            method="post",
            owner_status=302,
            setup=club,
        ),
        Isolation(
            "groups:add_people",
            "garcia",
            _club,
            NOT_ANIMATORS,
            method="post",
            data={"people": [], "role": "member"},
            owner_status=302,
            setup=club,
        ),
        Isolation(
            "groups:add_classes",
            "garcia",
            _club,
            NOT_ANIMATORS,
            method="post",
            data={},
            owner_status=302,
            setup=club,
        ),
        Isolation(
            "groups:member",
            "garcia",
            _member,
            NOT_ANIMATORS,
            method="post",
            data={"operation": "mute"},
            owner_status=302,
            setup=club,
        ),
        Isolation(
            "groups:moderate_topic",
            "garcia",
            _topic,
            NOT_ANIMATORS,
            method="post",
            data={"operation": "pin"},
            owner_status=302,
            setup=club,
        ),
        Isolation(
            "groups:moderate_post",
            "garcia",
            _post,
            NOT_ANIMATORS,
            method="post",
            data={"operation": "hide"},
            owner_status=302,
            setup=club,
        ),
        Isolation(
            "groups:dismiss_report",
            "garcia",
            _report,
            NOT_ANIMATORS,
            method="post",
            owner_status=302,
            setup=club_with_report,
        ),
    ]
)


def test_refused_moderation_changes_nothing(cast: Any, client: Any) -> None:
    club(cast)
    for name in NOT_ANIMATORS:
        client.force_login(getattr(cast, name))
        post_url = reverse("groups:moderate_post", args=[CLUB_ID, NOAH_POST_ID])
        topic_url = reverse("groups:moderate_topic", args=[CLUB_ID, TOPIC_ID])
        member_url = reverse("groups:member", args=[CLUB_ID, cast.noah.public_id])
        assert client.post(post_url, {"operation": "delete"}).status_code == 404
        assert client.post(topic_url, {"operation": "delete"}).status_code == 404
        assert client.post(member_url, {"operation": "remove"}).status_code == 404
    assert ForumPost.objects.filter(public_id=NOAH_POST_ID, hidden_at__isnull=True).exists()
    assert Topic.objects.filter(public_id=TOPIC_ID).exists()
    assert WorkspaceMember.objects.filter(workspace__public_id=CLUB_ID, person=cast.noah).exists()


def test_a_malformed_or_unknown_id_is_a_404(cast: Any, client: Any) -> None:
    club(cast)
    client.force_login(cast.lea)
    assert client.get("/groups/not-a-uuid/").status_code == 404
    assert client.get(reverse("groups:topic", args=[CLUB_ID, CLUB_ID])).status_code == 404
    assert client.get(reverse("groups:detail", args=[TOPIC_ID])).status_code == 404
