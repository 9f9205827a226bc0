import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from preau.core.testing import Isolation, isolation_test, query_budget
from preau.demo.cast import Cast
from preau.portal.models import EstablishmentService
from preau.portal.selectors import forget_service_choices

pytestmark = pytest.mark.django_db


def give_moulin_a_logo(cast: Cast) -> None:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (29, 78, 137)).save(image, "PNG")
    cast.moulin.logo.save("moulin.png", ContentFile(image.getvalue()))


test_isolation = isolation_test(
    [
        # An establishment's logo is for its members: not for another establishment's people.
        Isolation(
            route="portal:logo",
            owner="lea",
            kwargs=lambda c: {"public_id": c.moulin.public_id},
            refused=("hugo", "principal_curie", "dupont"),
            setup=give_moulin_a_logo,
        ),
        # The academy administrator sees it from the console, though not a member.
        Isolation(
            route="portal:logo",
            owner="rectorat_versailles",
            kwargs=lambda c: {"public_id": c.moulin.public_id},
            refused=("principal_curie",),
            setup=give_moulin_a_logo,
        ),
    ]
)


@pytest.mark.parametrize(
    ("member", "kind", "expected"),
    [
        ("lea", "student", "4e B"),
        ("noah", "student", "4e B"),
        ("jade", "student", "3e A"),
        ("hugo", "student", "2nde 3"),
        ("sophie", "guardian", "Léa"),
        ("karim", "guardian", "Noah"),
        ("bernard", "teacher", "3e A"),
        ("garcia", "teacher", "4e B"),
        ("dupont", "teacher", "2nde 3"),
        ("principal_moulin", "staff", "Administrer l'établissement"),
        ("cpe_moulin", "staff", "Collège Jean Moulin"),
        ("principal_curie", "staff", "Lycée Marie Curie"),
        ("rectorat_versailles", "none", "Administrer les établissements"),
        ("admin", "none", "Administrer les établissements"),
    ],
)
def test_each_member_of_the_cast_has_their_home(
    cast: Cast, client: Any, member: str, kind: str, expected: str
) -> None:
    client.force_login(getattr(cast, member))
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert f"portal/home_{kind}.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert expected in page
    if kind in ("student", "guardian"):
        assert "Classe et équipe pédagogique" in page
        assert "Mes classes" not in page


def test_home_requires_login(client: Any) -> None:
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_guardian_switches_between_children_across_schools(cast: Cast, client: Any) -> None:
    client.force_login(cast.sophie)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Léa" in page and "Hugo" in page  # both children, in two establishments
    page = client.get(reverse("portal:home"), {"child": cast.hugo.public_id}).content.decode()
    assert "Physique-chimie" in page  # Hugo's teachers at Lycée Marie Curie
    assert "Claire Dupont" in page
    # The choice is remembered for the next visit.
    assert "Claire Dupont" in client.get(reverse("portal:home")).content.decode()


def test_guardian_cannot_pick_another_familys_child(cast: Cast, client: Any) -> None:
    client.force_login(cast.karim)
    response = client.get(reverse("portal:home"), {"child": cast.lea.public_id})
    assert response.status_code == 404
    response = client.get(reverse("portal:home"), {"child": "not-an-id"})
    assert response.status_code == 404


def test_establishment_switcher_offers_only_own_establishments(cast: Cast, client: Any) -> None:
    client.force_login(cast.sophie)
    page = client.get(reverse("portal:home")).content.decode()
    assert "switch-establishment" in page
    response = client.post(
        reverse("portal:switch_establishment"), {"establishment": str(cast.curie.public_id)}
    )
    assert response.status_code == 302
    assert "Lycée Marie Curie" in client.get(reverse("portal:home")).content.decode()
    # Karim belongs to Jean Moulin only: Marie Curie is not his to switch to.
    client.force_login(cast.karim)
    response = client.post(
        reverse("portal:switch_establishment"), {"establishment": str(cast.curie.public_id)}
    )
    assert response.status_code == 404


def test_switch_ignores_unsafe_next(cast: Cast, client: Any) -> None:
    client.force_login(cast.sophie)
    response = client.post(
        reverse("portal:switch_establishment"),
        {"establishment": str(cast.curie.public_id), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("portal:home")


def test_service_turned_off_disappears_for_that_school_only(cast: Cast, client: Any) -> None:
    EstablishmentService.objects.create(
        establishment=cast.moulin, service_code="directory", enabled=False
    )
    forget_service_choices(cast.moulin)
    client.force_login(cast.bernard)
    assert client.get(reverse("directory:classes")).status_code == 404
    assert reverse("directory:classes") not in client.get(reverse("portal:home")).content.decode()
    client.force_login(cast.dupont)  # Marie Curie keeps the service
    assert client.get(reverse("directory:classes")).status_code == 200


def test_branding_applied_as_custom_properties(cast: Cast, client: Any) -> None:
    client.force_login(cast.hugo)
    response = client.get(reverse("portal:home"))
    page = response.content.decode()
    assert "--brand: #5b2a86" in page
    nonce = response.wsgi_request.csp_nonce
    assert f'<style nonce="{nonce}">' in page
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_guardian_dashboard_query_budget(cast: Cast, client: Any) -> None:
    client.force_login(cast.sophie)
    client.get(reverse("portal:home"))
    # After a change to the directory every panel is computed again: user, memberships,
    # guardianships + their enrolments (2), the child's teachers (1), latest notifications and
    # the next held one (2), unread messages (1), latest news and the next scheduled change
    # (2), the child's drop boxes and the next opening or deadline (2), the next events (1),
    # the child's measures awaiting acknowledgement (1), the child's notebook entries to sign
    # (1), the child's lessons (1; their teachers when there are some), the child's homework due
    # soon (1), the absences to justify (1), the child's latest marks with the next publication
    # (1), the establishment's meetings to come (1; the child's meetings when one concerns them).
    # School year, services and bookmarks come from the cache.
    with query_budget(20):
        response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    # Then, until something shown changes, nothing is read from the database.
    with query_budget(0, warm=True):
        client.get(reverse("portal:home"))


def test_teacher_home_query_budget(cast: Cast, client: Any) -> None:
    client.force_login(cast.bernard)
    client.get(reverse("portal:home"))
    # user, memberships, teaching assignments, and the notifications (2), messaging (1),
    # news (2), workspaces (1), drop box (2), drive (2: recent files, shares), agenda (1),
    # timetable (1; the lessons' teachers when there are some), logbook (1: today's lessons;
    # their entries when there are some), attendance (1: the roll calls to take), meetings
    # (1: the campaigns to come; the teacher's meetings when they host one) and médiacentre
    # (1: the favourites they may open) panels
    with query_budget(19):
        client.get(reverse("portal:home"))


def test_every_service_icon_is_drawn() -> None:
    from pathlib import Path

    from preau.portal.registry import all_services

    sprite = (Path(__file__).parents[2] / "core/static/preau/icons.svg").read_text()
    for service in all_services():
        assert f'id="{service.icon}"' in sprite, service.code
