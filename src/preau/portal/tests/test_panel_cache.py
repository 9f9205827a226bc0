"""Cached dashboard panels show a change at the next visit."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from preau.core.actor import Actor
from preau.demo.cast import Cast
from preau.messaging.actions import do_mark_read, do_send_message
from preau.news.actions import do_publish_post
from preau.news.policies import AudienceSpec
from preau.news.selectors import next_change
from preau.notifications.actions import notify
from preau.portal.panel_cache import cached_panel

pytestmark = pytest.mark.django_db


def home(client: Any) -> str:
    return client.get(reverse("portal:home")).content.decode()


def test_a_new_message_shows_at_once_and_goes_once_read(cast: Cast, client: Any) -> None:
    client.force_login(cast.karim)
    assert "Sortie au musée" not in home(client)  # the panels are now cached
    result = do_send_message(
        actor=Actor(cast.bernard),
        subject="Sortie au musée",
        body="Bonjour, la sortie est confirmée.",
        recipients=[cast.karim],
    )
    assert "Sortie au musée" in home(client)
    do_mark_read(actor=Actor(cast.karim), conversation=result.message.conversation)
    assert "Sortie au musée" not in home(client)


def test_a_new_post_shows_at_once(cast: Cast, client: Any) -> None:
    client.force_login(cast.karim)
    assert "Conseil de classe" not in home(client)
    do_publish_post(
        actor=Actor(cast.principal_moulin),
        establishment=cast.moulin,
        title="Conseil de classe",
        body="Le conseil de classe aura lieu jeudi.",
        audience=AudienceSpec(everyone=True),
    )
    assert "Conseil de classe" in home(client)


def test_a_scheduled_post_bounds_how_long_the_panel_is_kept(cast: Cast, monkeypatch: Any) -> None:
    starts = timezone.now() + timedelta(seconds=40)
    do_publish_post(
        actor=Actor(cast.principal_moulin),
        establishment=cast.moulin,
        title="Portes ouvertes",
        body="Samedi matin.",
        audience=AudienceSpec(everyone=True),
        publish_at=starts,
    )
    assert next_change(cast.moulin) == starts
    timeouts = []
    original = cache.set
    monkeypatch.setattr(
        cache,
        "set",
        lambda key, value, timeout=None: timeouts.append(timeout) or original(key, value, timeout),
    )
    context = cached_panel(
        Actor(cast.karim), None, "news", lambda: ({"posts": []}, starts), "news/panel.html"
    )
    assert "html" in context
    assert 1 <= timeouts[-1] <= 41  # kept no longer than until the post starts


def test_a_notification_shows_at_once(cast: Cast, client: Any) -> None:
    client.force_login(cast.karim)
    home(client)
    notify(
        recipients=[cast.karim],
        establishment=cast.moulin,
        kind="system",
        title="Bulletin disponible",
        urgent=True,
        actor=Actor(cast.principal_moulin),
    )
    assert "Bulletin disponible" in home(client)


def test_a_new_school_bookmark_shows_at_once(cast: Cast, client: Any) -> None:
    from preau.bookmarks.actions import do_create_pushed_bookmark

    client.force_login(cast.karim)
    assert "Menu de la cantine" not in home(client)
    do_create_pushed_bookmark(
        actor=Actor(cast.principal_moulin),
        establishment=cast.moulin,
        title="Menu de la cantine",
        url="https://cantine.example/",
    )
    assert "Menu de la cantine" in home(client)


def test_kept_pages_are_never_shared_between_people(cast: Cast, client: Any) -> None:
    # Neither of them has a panel: their pages differ only by whose they are.
    client.force_login(cast.admin)
    assert "Alice" in home(client)
    client.force_login(cast.rectorat_versailles)
    page = home(client)
    assert "Régis" in page and "Alice" not in page


def test_a_renamed_person_is_greeted_by_the_new_name(cast: Cast, client: Any) -> None:
    client.force_login(cast.lea)
    assert "Bonjour Léa" in home(client)
    cast.lea.first_name = "Léane"
    cast.lea.save(update_fields=["first_name"])
    assert "Bonjour Léane" in home(client)
