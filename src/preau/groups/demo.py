"""Demo workspaces for the cast: Garcia's theatre club and the collège's teaching council, with
forum topics and replies, and a news post to the club. Idempotent: a workspace already there
is kept as it is."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from preau.core.actor import SESSION_ESTABLISHMENT_KEY, Actor
from preau.groups import actions
from preau.groups.models import Role, Workspace, WorkspaceKind
from preau.news.actions import do_publish_post
from preau.news.policies import AudienceSpec

if TYPE_CHECKING:
    from preau.demo.cast import Cast

CLUB = "Club théâtre"
COUNCIL = "Conseil pédagogique"


def _actor(person: Any, establishment: Any) -> Actor:
    return Actor(person, {SESSION_ESTABLISHMENT_KEY: str(establishment.public_id)})


def _discussion(workspace: Workspace, establishment: Any, title: str, messages: list) -> None:
    """A topic opened by the first (person, text), answered by the others."""
    (author, body), *replies = messages
    topic = actions.do_start_topic(
        actor=_opened(author, establishment, workspace), workspace=workspace, title=title, body=body
    )
    for person, text in replies:
        actions.do_reply(
            actor=_opened(person, establishment, workspace),
            workspace=workspace,
            topic=topic,
            body=text,
        )


def _opened(person: Any, establishment: Any, workspace: Workspace) -> Actor:
    """The person as an actor, with the workspace opened as they see it."""
    from preau.groups.policies import access_workspace

    actor = _actor(person, establishment)
    workspace.membership = access_workspace(actor, workspace.public_id).membership
    return actor


def build(cast: Cast) -> list[Workspace]:
    moulin = cast.moulin
    built = []
    existing = set(
        Workspace.objects.filter(establishment=moulin, name__in=[CLUB, COUNCIL]).values_list(
            "name", flat=True
        )
    )
    if CLUB not in existing:
        garcia = _actor(cast.garcia, moulin)
        club = actions.do_create_workspace(
            actor=garcia,
            name=CLUB,
            kind=WorkspaceKind.CLUB,
            description="Le mercredi de 13 h à 15 h en salle polyvalente. "
            "Cette année : une pièce courte pour la fête du collège.",
        )
        actions.do_add_members(actor=garcia, workspace=club, people=[cast.lea, cast.noah])
        _discussion(
            club,
            moulin,
            "Répétition de mercredi",
            [
                (
                    cast.garcia,
                    "Mercredi, nous reprenons la scène 2.\n\nApportez vos textes annotés.",
                ),
                (cast.lea, "Je connais presque tout mon texte !"),
                (cast.noah, "Est-ce qu'on répète aussi la scène 3 ?"),
            ],
        )
        _discussion(
            club,
            moulin,
            "Idées de costumes",
            [(cast.lea, "On pourrait demander des tissus au foyer du collège.")],
        )
        do_publish_post(
            actor=cast.garcia,
            establishment=moulin,
            title="Club théâtre : représentation le 20 juin",
            body="<p>La représentation aura lieu le <strong>20 juin à 18 h</strong> dans la "
            "salle polyvalente. Les familles sont les bienvenues.</p>",
            audience=AudienceSpec(workspaces=(club,)),
            publish_at=timezone.now() - timedelta(hours=2),
        )
        built.append(club)
    if COUNCIL not in existing:
        head = _actor(cast.principal_moulin, moulin)
        council = actions.do_create_workspace(
            actor=head,
            name=COUNCIL,
            kind=WorkspaceKind.TEAM,
            description="Préparation des conseils pédagogiques et suivi des projets de l'année.",
        )
        actions.do_add_members(
            actor=head, workspace=council, people=[cast.cpe_moulin], role=Role.ANIMATOR
        )
        actions.do_add_members(actor=head, workspace=council, people=[cast.bernard, cast.garcia])
        _discussion(
            council,
            moulin,
            "Ordre du jour du prochain conseil",
            [
                (
                    cast.principal_moulin,
                    "<p>Proposition : <ul><li>bilan du premier trimestre</li>"
                    "<li>projets interdisciplinaires</li></ul></p>",
                ),
                (cast.bernard, "Je propose d'ajouter le devoir commun de mathématiques."),
            ],
        )
        built.append(council)
    return built
