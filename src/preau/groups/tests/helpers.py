"""Shared helpers of the workspace tests: the demo club under fixed ids, and actors."""

from __future__ import annotations

import uuid
from typing import Any

from preau.core.actor import SESSION_ESTABLISHMENT_KEY, Actor
from preau.demo.cast import Cast
from preau.groups import actions
from preau.groups.demo import CLUB, COUNCIL, build
from preau.groups.models import ForumPost, PostReport, Topic, Workspace
from preau.groups.policies import access_workspace

CLUB_ID = uuid.UUID("9c1b2d3e-4f50-4a61-8b72-c3d4e5f60001")
TOPIC_ID = uuid.UUID("9c1b2d3e-4f50-4a61-8b72-c3d4e5f60002")
FIRST_POST_ID = uuid.UUID("9c1b2d3e-4f50-4a61-8b72-c3d4e5f60003")
NOAH_POST_ID = uuid.UUID("9c1b2d3e-4f50-4a61-8b72-c3d4e5f60004")
REPORT_ID = uuid.UUID("9c1b2d3e-4f50-4a61-8b72-c3d4e5f60005")
COUNCIL_ID = uuid.UUID("9c1b2d3e-4f50-4a61-8b72-c3d4e5f60006")


def actor(person: Any, establishment: Any = None) -> Actor:
    session = {SESSION_ESTABLISHMENT_KEY: str(establishment.public_id)} if establishment else {}
    return Actor(person, session)


def opened(person: Any, workspace: Workspace) -> tuple[Actor, Workspace]:
    """The person as an actor and the workspace as they open it (access_workspace)."""
    who = actor(person)
    return who, access_workspace(who, workspace.public_id)


def club(cast: Cast) -> Workspace:
    """The demo « Club théâtre » (Garcia animates; Léa and Noah are members) under fixed ids:
    its « Répétition de mercredi » topic, its opening post and Noah's reply."""
    build(cast)
    workspace = Workspace.objects.get(establishment=cast.moulin, name=CLUB)
    Workspace.objects.filter(pk=workspace.pk).update(public_id=CLUB_ID)
    topic = Topic.objects.get(workspace=workspace, title="Répétition de mercredi")
    Topic.objects.filter(pk=topic.pk).update(public_id=TOPIC_ID)
    posts = ForumPost.objects.filter(topic=topic).order_by("created_at", "id")
    ForumPost.objects.filter(pk=posts[0].pk).update(public_id=FIRST_POST_ID)
    ForumPost.objects.filter(pk=posts.get(author=cast.noah).pk).update(public_id=NOAH_POST_ID)
    Workspace.objects.filter(establishment=cast.moulin, name=COUNCIL).update(public_id=COUNCIL_ID)
    workspace.refresh_from_db()
    return workspace


def club_with_report(cast: Cast) -> Workspace:
    """The club, where Léa reported Noah's reply."""
    workspace = club(cast)
    lea, opened_club = opened(cast.lea, workspace)
    post = ForumPost.objects.get(public_id=NOAH_POST_ID)
    report = actions.do_report_post(
        actor=lea, workspace=opened_club, post=post, reason="Hors sujet"
    )
    PostReport.objects.filter(pk=report.pk).update(public_id=REPORT_ID)
    return workspace
