"""Only http(s) links, with a host and without credentials, are ever stored."""

import html
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from preau.bookmarks import actions
from preau.bookmarks.forms import BookmarkForm
from preau.bookmarks.models import Bookmark, PushedBookmark, validate_link_url
from preau.bookmarks.tests.helpers import actor_for
from preau.core.testing import log_in_with_second_factor
from preau.directory.models import Establishment

pytestmark = pytest.mark.django_db

SCHEME = "Seuls les liens commençant par http:// ou https:// sont acceptés."
CREDENTIALS = "Un lien ne peut pas contenir d'identifiant ni de mot de passe."
SPACES = "Un lien ne peut contenir ni espace ni caractère de contrôle."

REFUSED = [
    ("javascript:alert(document.cookie)", SCHEME),
    ("JavaScript:alert(1)", SCHEME),
    ("  javascript:alert(1)", SCHEME),
    ("java\tscript:alert(1)", SPACES),
    ("java\nscript:alert(1)", SPACES),
    ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", SCHEME),
    ("vbscript:msgbox(1)", SCHEME),
    ("ftp://ftp.example.org/sujets.pdf", SCHEME),
    ("file:///etc/passwd", SCHEME),
    ("mailto:cdi@example.org", SCHEME),
    ("https://eleve:motdepasse@ent.example.org/", CREDENTIALS),
    ("https://eleve@ent.example.org/", CREDENTIALS),
    ("https://ent.example.org@evil.example/", CREDENTIALS),
]


@pytest.mark.parametrize(("url", "message"), REFUSED)
def test_the_form_refuses_with_a_french_message(
    cast: Any, client: Any, url: str, message: str
) -> None:
    client.force_login(cast.lea)
    response = client.post(reverse("bookmarks:add"), {"title": "Piège", "url": url})
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert not Bookmark.objects.filter(owner=cast.lea).exists()


@pytest.mark.parametrize(("url", "message"), REFUSED)
def test_the_actions_refuse_whatever_the_caller(cast: Any, url: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.do_create_bookmark(actor=actor_for(cast.lea), title="Piège", url=url)
    assert message in refused.value.messages
    with pytest.raises(ValidationError):
        actions.do_create_pushed_bookmark(
            actor=actor_for(cast.principal_moulin),
            establishment=cast.moulin,
            title="Piège",
            url=url,
        )
    assert not Bookmark.objects.exists()
    assert not PushedBookmark.objects.exists()


def test_the_management_page_refuses_a_javascript_link(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.post(
        reverse("bookmarks:manage", args=[cast.moulin.public_id]),
        {
            "title": "Piège",
            "url": "javascript:alert(1)",
            "audience": "establishment",
            "position": 0,
        },
    )
    assert response.status_code == 200
    assert SCHEME in html.unescape(response.content.decode())
    assert not PushedBookmark.objects.exists()


def test_editing_to_a_javascript_link_keeps_the_old_one(cast: Any, client: Any) -> None:
    bookmark = actions.do_create_bookmark(
        actor=actor_for(cast.lea), title="Lumni", url="https://www.lumni.fr/"
    )
    client.force_login(cast.lea)
    response = client.post(
        reverse("bookmarks:edit", args=[bookmark.public_id]),
        {"title": "Lumni", "url": "javascript:alert(1)"},
    )
    assert response.status_code == 200
    bookmark.refresh_from_db()
    assert bookmark.url == "https://www.lumni.fr/"


@pytest.mark.parametrize(
    "url",
    [
        "http://",
        "https:///chemin",
        "https://exemple",
        "https://" + "a" * 64 + ".fr/",
        "https://www.lumni.fr/coll ege",
    ],
)
def test_malformed_links_are_refused(url: str) -> None:
    with pytest.raises(ValidationError):
        validate_link_url(url)


def test_a_link_is_at_most_2000_characters() -> None:
    with pytest.raises(ValidationError) as refused:
        validate_link_url("https://www.lumni.fr/" + "a" * 2000)
    assert refused.value.code == "url_too_long"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.lumni.fr/college",
        "http://cdi.example.org/recherche?q=lune&page=2#resultats",
        "HTTPS://EDUSCOL.EDUCATION.FR/",
        "https://éduscol.example/programmes",
        "https://xn--duscol-bva.example/",
        "https://ent.example.org:8443/ressources",
        "http://localhost:8000/",
    ],
)
def test_http_and_https_links_are_accepted(url: str) -> None:
    validate_link_url(url)


def test_a_link_typed_without_scheme_is_taken_as_https(cast: Any) -> None:
    form = BookmarkForm(
        {"title": "Lumni", "url": "www.lumni.fr/college"}, actor=actor_for(cast.lea)
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["url"] == "https://www.lumni.fr/college"


def test_every_link_opens_without_handing_over_the_portal(cast: Any, client: Any) -> None:
    actions.do_create_bookmark(actor=actor_for(cast.lea), title="Lumni", url="https://lumni.fr/")
    actions.do_create_pushed_bookmark(
        actor=actor_for(cast.principal_moulin),
        establishment=cast.moulin,
        title="Catalogue du CDI",
        url="https://cdi.example.org/",
    )
    client.force_login(cast.lea)
    for url in (reverse("bookmarks:index"), reverse("portal:home")):
        page = client.get(url).content.decode()
        for href in ("https://lumni.fr/", "https://cdi.example.org/"):
            assert f'<a href="{href}" target="_blank" rel="noopener noreferrer">' in page, (
                f"{href} on {url}"
            )


def test_establishments_of_the_cast_exist(cast: Any) -> None:
    assert Establishment.objects.filter(pk__in=[cast.moulin.pk, cast.curie.pk]).count() == 2
