"""News addressed to a workspace: its animators post, its members read, nobody else does."""

from typing import Any

import pytest
from django.urls import reverse

from preau.groups.tests.helpers import CLUB_ID, club
from preau.news.models import Post
from preau.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

DEMO_TITLE = "Club théâtre : représentation le 20 juin"


def test_members_read_the_workspace_news_and_others_do_not(cast: Any, client: Any) -> None:
    club(cast)
    post = Post.objects.get(title=DEMO_TITLE)
    for name in ("lea", "noah", "garcia"):
        client.force_login(getattr(cast, name))
        assert DEMO_TITLE in client.get(reverse("groups:detail", args=[CLUB_ID])).content.decode()
        assert DEMO_TITLE in client.get(reverse("news:index")).content.decode()
        assert DEMO_TITLE in client.get(reverse("portal:home")).content.decode()
        assert client.get(reverse("news:detail", args=[post.public_id])).status_code == 200
    for name in ("jade", "bernard", "sophie", "karim", "hugo", "principal_curie"):
        client.force_login(getattr(cast, name))
        assert DEMO_TITLE not in client.get(reverse("news:index")).content.decode()
        assert client.get(reverse("news:detail", args=[post.public_id])).status_code == 404


def test_an_animator_posts_from_the_workspace_page(cast: Any, client: Any) -> None:
    club(cast)
    client.force_login(cast.garcia)
    page = client.get(reverse("groups:detail", args=[CLUB_ID])).content.decode()
    link = f"{reverse('news:create')}?workspace={CLUB_ID}"
    assert link in page
    form = client.get(link).content.decode()
    assert f'value="{CLUB_ID}" id="id_workspaces_0" checked' in form
    response = client.post(
        reverse("news:create"),
        {"title": "Costumes", "body": "Apportez un tee-shirt noir.", "workspaces": [str(CLUB_ID)]},
    )
    assert response.status_code == 302
    post = Post.objects.get(title="Costumes")
    assert [w.public_id for w in post.workspaces.all()] == [CLUB_ID]
    told = set(
        Notification.objects.filter(kind=Kind.NEWS, title="Costumes").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"eleve.lea", "eleve.noah"}


def test_only_the_animators_post_to_a_workspace(cast: Any, client: Any) -> None:
    """Bernard teaches 4e B but does not animate the club; Léa is a member, not an animator."""
    club(cast)
    client.force_login(cast.bernard)
    response = client.post(
        reverse("news:create"),
        {"title": "Intrus", "body": "Bonjour.", "workspaces": [str(CLUB_ID)]},
    )
    assert response.status_code == 200
    assert "Vous ne pouvez pas publier pour cet espace." in response.content.decode()
    client.force_login(cast.lea)
    assert client.get(reverse("news:create")).status_code == 404
    assert not Post.objects.filter(title="Intrus").exists()
