"""Demo posts for the cast, in both establishments. Idempotent: a post already there is kept."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from preau.directory.models import Profile
from preau.news.actions import do_publish_post
from preau.news.models import Post
from preau.news.policies import AudienceSpec

if TYPE_CHECKING:
    from preau.demo.cast import Cast


def _post(author: Any, establishment: Any, title: str, body: str, **options: Any) -> Post:
    existing = Post.objects.filter(establishment=establishment, title=title).first()
    if existing is not None:
        return existing
    return do_publish_post(
        actor=author, establishment=establishment, title=title, body=body, **options
    )


def build(cast: Cast) -> list[Post]:
    now = timezone.now()
    return [
        _post(
            cast.principal_moulin,
            cast.moulin,
            "Bienvenue au collège Jean Moulin",
            "<p>L'équipe du collège souhaite une excellente année à tous les élèves et à leurs "
            "familles.</p><p>Les emplois du temps définitifs sont en ligne ; le carnet de "
            "correspondance est à faire signer <strong>avant vendredi</strong>.</p>",
            audience=AudienceSpec(everyone=True),
            pinned=True,
            publish_at=now - timedelta(days=3),
        ),
        _post(
            cast.bernard,
            cast.moulin,
            "4e B : contrôle de mathématiques jeudi",
            "Le contrôle portera sur le théorème de Pythagore et les puissances.\n\n"
            "Révisez les exercices 12 à 18 page 74.",
            audience=AudienceSpec(classes=(cast.class_4b,)),
            publish_at=now - timedelta(days=1),
        ),
        _post(
            cast.principal_moulin,
            cast.moulin,
            "Élections des représentants de parents d'élèves",
            "<p>Les élections auront lieu le vendredi 10 octobre. Le vote par correspondance "
            "est possible : le matériel de vote est remis aux élèves.</p>",
            audience=AudienceSpec(profiles=(Profile.GUARDIAN,)),
            publish_at=now - timedelta(hours=6),
        ),
        _post(
            cast.cpe_moulin,
            cast.moulin,
            "Journée portes ouvertes",
            "<p>Le collège ouvre ses portes aux futurs élèves de 6e et à leurs familles, "
            "de 9 h à 12 h.</p>",
            audience=AudienceSpec(everyone=True),
            publish_at=now + timedelta(days=14),
        ),
        _post(
            cast.principal_curie,
            cast.curie,
            "Forum des métiers et de l'orientation",
            "<p>Le forum se tiendra au CDI le mardi après-midi. Élèves de 2nde et de 1re, "
            "inscrivez-vous auprès de votre professeur principal.</p>",
            audience=AudienceSpec(everyone=True),
            pinned=True,
            publish_at=now - timedelta(days=2),
        ),
        _post(
            cast.dupont,
            cast.curie,
            "2nde 3 : sortie au musée des Confluences",
            "La classe visitera l'exposition sur l'énergie. Départ 8 h 15 devant le lycée ; "
            "l'autorisation de sortie est à rendre signée.",
            audience=AudienceSpec(classes=(cast.class_2nde3,)),
            publish_at=now - timedelta(hours=20),
        ),
    ]
