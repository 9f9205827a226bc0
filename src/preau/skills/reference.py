"""The national reference data: the eight components of the common core recorded by the
national skills book (LSU). Loaded by migration 0002 (idempotent: ``load_components`` updates
the wording of rows already there)."""

from __future__ import annotations

from typing import Any

LANGUAGES = "Les langages pour penser et communiquer"

# code, LSU code, domain, domain label, label, short label.
COMPONENTS = [
    (
        "D1.1",
        "CPD_FRA",
        1,
        LANGUAGES,
        "Comprendre, s'exprimer en utilisant la langue française à l'écrit et à l'oral",
        "Langue française",
    ),
    (
        "D1.2",
        "CPD_ETR",
        1,
        LANGUAGES,
        "Comprendre, s'exprimer en utilisant une langue étrangère et, le cas échéant, "
        "une langue régionale",
        "Langues étrangères et régionales",
    ),
    (
        "D1.3",
        "CPD_SCI",
        1,
        LANGUAGES,
        "Comprendre, s'exprimer en utilisant les langages mathématiques, scientifiques et "
        "informatiques",
        "Langages mathématiques, scientifiques et informatiques",
    ),
    (
        "D1.4",
        "CPD_ART",
        1,
        LANGUAGES,
        "Comprendre, s'exprimer en utilisant les langages des arts et du corps",
        "Langages des arts et du corps",
    ),
    (
        "D2",
        "MET_APP",
        2,
        "Les méthodes et outils pour apprendre",
        "Les méthodes et outils pour apprendre",
        "Méthodes et outils pour apprendre",
    ),
    (
        "D3",
        "FRM_CIT",
        3,
        "La formation de la personne et du citoyen",
        "La formation de la personne et du citoyen",
        "Formation de la personne et du citoyen",
    ),
    (
        "D4",
        "SYS_NAT",
        4,
        "Les systèmes naturels et les systèmes techniques",
        "Les systèmes naturels et les systèmes techniques",
        "Systèmes naturels et systèmes techniques",
    ),
    (
        "D5",
        "REP_MND",
        5,
        "Les représentations du monde et l'activité humaine",
        "Les représentations du monde et l'activité humaine",
        "Représentations du monde et activité humaine",
    ),
]


def load_components(component_model: Any) -> None:
    """Create or update the eight components (the model is passed: migrations use theirs)."""
    for position, (code, lsu, domain, domain_label, label, short) in enumerate(COMPONENTS, 1):
        component_model.objects.update_or_create(
            code=code,
            defaults={
                "lsu_code": lsu,
                "domain": domain,
                "domain_label": domain_label,
                "label": label,
                "short_label": short,
                "position": position,
            },
        )
