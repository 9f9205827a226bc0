"""The SP-initiated SAML login against a real pysaml2 identity provider."""

from __future__ import annotations

import base64
import shutil
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse

from preau.audit.models import LoginEvent
from preau.federation.actions import do_register_provider
from preau.federation.models import IdentityProvider
from preau.federation.tests.saml_peer import PeerIdentityProvider

pytestmark = [
    pytest.mark.peer,
    pytest.mark.skipif(not shutil.which("xmlsec1"), reason="needs xmlsec1 (Debian: xmlsec1)"),
]


@pytest.fixture
def idp(tmp_path: Any) -> PeerIdentityProvider:
    return PeerIdentityProvider(tmp_path)


@pytest.fixture
def provider(cast: Any, idp: PeerIdentityProvider, client: Any) -> IdentityProvider:
    provider = do_register_provider(
        actor=None,
        academy=cast.moulin.academy,
        kind=IdentityProvider.Kind.SAML,
        name="ÉduConnect",
        saml_metadata=idp.metadata(),
    )
    metadata = client.get(reverse("federation:saml_metadata", args=[provider.public_id]))
    assert metadata.status_code == 200
    idp.trust(metadata.content.decode())
    return provider


def _start(client: Any, provider: IdentityProvider, next_url: str = "/news/") -> str:
    login_page = client.get(reverse("accounts:login"), {"next": next_url})
    start = reverse("federation:start", args=[provider.public_id])
    assert start in login_page.content.decode()
    response = client.get(start, {"next": next_url})
    assert response.status_code == 302
    return response["Location"]


def _post(client: Any, provider: IdentityProvider, answer: dict[str, str]) -> Any:
    return client.post(
        reverse("federation:saml_acs", args=[provider.public_id]),
        {"SAMLResponse": answer["SAMLResponse"], "RelayState": answer["RelayState"]},
    )


def _logged_in_as(client: Any) -> Any:
    return client.get(reverse("accounts:profile")).wsgi_request.user


def test_full_flow_logs_in_the_account_with_that_directory_id(
    cast: Any, client: Any, provider: IdentityProvider, idp: PeerIdentityProvider
) -> None:
    cast.lea.directory_id = "EDU-LEA-1"
    cast.lea.save()
    answer = idp.answer(_start(client, provider), {"FrEduCtId": ["EDU-LEA-1"]})
    assert answer["destination"].endswith(reverse("federation:saml_acs", args=[provider.public_id]))
    response = _post(client, provider, answer)
    assert response.status_code == 302
    assert response["Location"] == "/news/"
    assert _logged_in_as(client) == cast.lea
    assert LoginEvent.objects.filter(person=cast.lea, succeeded=True).exists()
    # The same path as a password login: the session appears in the person's list.
    assert cast.lea.account_sessions.exists()


def test_the_same_response_is_not_accepted_twice(
    cast: Any, client: Any, provider: IdentityProvider, idp: PeerIdentityProvider
) -> None:
    cast.lea.directory_id = "EDU-LEA-1"
    cast.lea.save()
    answer = idp.answer(_start(client, provider), {"FrEduCtId": ["EDU-LEA-1"]})
    assert _post(client, provider, answer).status_code == 302
    client.logout()
    replay = _post(client, provider, answer)
    assert replay.status_code == 403
    assert not _logged_in_as(client).is_authenticated


def _refused(client: Any, response: Any) -> None:
    assert response.status_code == 403
    assert "Connexion refusée" in response.content.decode()
    assert not _logged_in_as(client).is_authenticated


def test_a_tampered_response_is_refused(
    cast: Any, client: Any, provider: IdentityProvider, idp: PeerIdentityProvider
) -> None:
    cast.lea.directory_id = "EDU-LEA-1"
    cast.lea.save()
    cast.noah.directory_id = "EDU-NOAH-2"
    cast.noah.save()
    answer = idp.answer(_start(client, provider), {"FrEduCtId": ["EDU-LEA-1"]})
    xml = base64.b64decode(answer["SAMLResponse"]).decode()
    assert "EDU-LEA-1" in xml
    answer["SAMLResponse"] = base64.b64encode(
        xml.replace("EDU-LEA-1", "EDU-NOAH-2").encode()
    ).decode()
    _refused(client, _post(client, provider, answer))
    assert LoginEvent.objects.filter(succeeded=False, username_tried="ÉduConnect").exists()


def test_an_unsigned_response_is_refused(
    cast: Any, client: Any, provider: IdentityProvider, idp: PeerIdentityProvider
) -> None:
    cast.lea.directory_id = "EDU-LEA-1"
    cast.lea.save()
    answer = idp.answer(
        _start(client, provider),
        {"FrEduCtId": ["EDU-LEA-1"]},
        sign_response=False,
        sign_assertion=False,
    )
    _refused(client, _post(client, provider, answer))


def test_an_expired_response_is_refused(
    cast: Any, client: Any, provider: IdentityProvider, idp: PeerIdentityProvider, time_machine: Any
) -> None:
    cast.lea.directory_id = "EDU-LEA-1"
    cast.lea.save()
    answer = idp.answer(_start(client, provider), {"FrEduCtId": ["EDU-LEA-1"]})
    # The assertion lives five minutes at the provider; the pending login ten at ours.
    time_machine.move_to(datetime.now(UTC) + timedelta(minutes=7))
    _refused(client, _post(client, provider, answer))


def test_a_response_for_another_audience_is_refused(
    cast: Any,
    client: Any,
    provider: IdentityProvider,
    idp: PeerIdentityProvider,
    monkeypatch: Any,
) -> None:
    from saml2 import assertion

    conditions = assertion.Policy.conditions

    def other_audience(self: Any, sp_entity_id: str) -> Any:
        return conditions(self, "https://autre-service.example/sp")

    monkeypatch.setattr(assertion.Policy, "conditions", other_audience)
    cast.lea.directory_id = "EDU-LEA-1"
    cast.lea.save()
    answer = idp.answer(_start(client, provider), {"FrEduCtId": ["EDU-LEA-1"]})
    assert "autre-service.example" in base64.b64decode(answer["SAMLResponse"]).decode()
    _refused(client, _post(client, provider, answer))


def test_an_unknown_person_is_refused_without_creating_an_account(
    cast: Any, client: Any, provider: IdentityProvider, idp: PeerIdentityProvider
) -> None:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.count()
    answer = idp.answer(_start(client, provider), {"FrEduCtId": ["INCONNU-9"]})
    response = _post(client, provider, answer)
    _refused(client, response)
    assert "aucun compte Préau actif" in response.content.decode()
    assert get_user_model().objects.count() == users


def test_an_inactive_account_is_refused(
    cast: Any, client: Any, provider: IdentityProvider, idp: PeerIdentityProvider
) -> None:
    cast.lea.directory_id = "EDU-LEA-1"
    cast.lea.is_active = False
    cast.lea.save()
    answer = idp.answer(_start(client, provider), {"FrEduCtId": ["EDU-LEA-1"]})
    _refused(client, _post(client, provider, answer))


def test_a_response_posted_from_another_browser_is_refused(
    cast: Any, client: Any, provider: IdentityProvider, idp: PeerIdentityProvider
) -> None:
    from django.test import Client

    cast.lea.directory_id = "EDU-LEA-1"
    cast.lea.save()
    answer = idp.answer(_start(client, provider), {"FrEduCtId": ["EDU-LEA-1"]})
    other = Client()
    _refused(other, _post(other, provider, answer))


def test_an_account_with_an_authenticator_still_gives_its_code(
    cast: Any, client: Any, provider: IdentityProvider, idp: PeerIdentityProvider
) -> None:
    cast.principal_moulin.directory_id = "AGENT-7"
    cast.principal_moulin.has_totp = True
    cast.principal_moulin.save()
    answer = idp.answer(_start(client, provider, "/manage/"), {"FrEduCtId": ["AGENT-7"]})
    response = _post(client, provider, answer)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login_verify"))
    assert not _logged_in_as(client).is_authenticated


def test_failures_are_throttled(
    cast: Any, client: Any, provider: IdentityProvider, idp: PeerIdentityProvider, settings: Any
) -> None:
    settings.LOGIN_FAILURES_PER_ADDRESS = 2
    for _ in range(2):
        answer = idp.answer(_start(client, provider), {"FrEduCtId": ["INCONNU-9"]})
        _refused(client, _post(client, provider, answer))
    answer = idp.answer(_start(client, provider), {"FrEduCtId": ["INCONNU-9"]})
    assert _post(client, provider, answer).status_code == 429
