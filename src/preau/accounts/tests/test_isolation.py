"""A session of one's own account is the only one a person may close: not a child's (a
guardian), not a pupil's (the head), not another pupil's."""

import uuid
from typing import Any

import pytest

from preau.accounts.models import AccountSession, Passkey
from preau.core.testing import Isolation, isolation_test

pytestmark = pytest.mark.django_db

LEA_SESSION = uuid.UUID("5e55a0e0-0000-4000-8000-00000000a1ea")
LEA_PASSKEY = uuid.UUID("9a55c0de-0000-4000-8000-00000000a1ea")
REFUSED = ("noah", "sophie", "principal_moulin", "admin")


def lea_on_a_phone(c: Any) -> None:
    AccountSession.objects.get_or_create(
        public_id=LEA_SESSION,
        defaults={"person": c.lea, "session_key": "phone-of-lea", "device": "phone"},
    )


def _lea_session(c: Any) -> dict[str, Any]:
    return {"public_id": LEA_SESSION}


def lea_passkey(c: Any) -> None:
    Passkey.objects.get_or_create(
        public_id=LEA_PASSKEY,
        defaults={
            "person": c.lea,
            "name": "Téléphone",
            "credential_id": "cred-of-lea",
            "public_key": b"key",
        },
    )


def _lea_passkey(c: Any) -> dict[str, Any]:
    return {"public_id": LEA_PASSKEY}


test_isolation = isolation_test(
    [
        Isolation(
            "accounts:session_revoke",
            "lea",
            _lea_session,
            REFUSED,
            method="post",
            owner_status=302,
            setup=lea_on_a_phone,
        ),
        Isolation(
            "accounts:passkey_rename",
            "lea",
            _lea_passkey,
            REFUSED,
            method="post",
            data={"name": "Tablette"},
            owner_status=302,
            setup=lea_passkey,
        ),
        Isolation(
            "accounts:passkey_delete",
            "lea",
            _lea_passkey,
            REFUSED,
            method="post",
            owner_status=302,
            setup=lea_passkey,
        ),
    ]
)


@pytest.mark.parametrize("name", ["noah", "sophie", "principal_moulin", "admin"])
def test_others_get_404_while_the_session_is_open(cast: Any, client: Any, name: str) -> None:
    # The shared test above closes the session as its owner before trying the others; here
    # they try while it is still open.
    from django.urls import reverse

    from preau.core.testing import log_in_with_second_factor

    lea_on_a_phone(cast)
    log_in_with_second_factor(client, getattr(cast, name))
    url = reverse("accounts:session_revoke", args=[LEA_SESSION])
    assert client.post(url).status_code == 404
    assert AccountSession.objects.get(public_id=LEA_SESSION).ended_at is None


@pytest.mark.parametrize("name", REFUSED)
def test_others_neither_rename_nor_delete_a_passkey(cast: Any, client: Any, name: str) -> None:
    from django.urls import reverse

    from preau.core.testing import log_in_with_second_factor

    lea_passkey(cast)
    log_in_with_second_factor(client, getattr(cast, name))
    rename = reverse("accounts:passkey_rename", args=[LEA_PASSKEY])
    assert client.post(rename, {"name": "À moi"}).status_code == 404
    assert client.post(reverse("accounts:passkey_delete", args=[LEA_PASSKEY])).status_code == 404
    assert Passkey.objects.get(public_id=LEA_PASSKEY).name == "Téléphone"
