"""A session of one's own account is the only one a person may close: not a child's (a
guardian), not a pupil's (the head), not another pupil's."""

import uuid
from typing import Any

import pytest

from preau.accounts.models import AccountSession
from preau.core.testing import Isolation, isolation_test

pytestmark = pytest.mark.django_db

LEA_SESSION = uuid.UUID("5e55a0e0-0000-4000-8000-00000000a1ea")


def lea_on_a_phone(c: Any) -> None:
    AccountSession.objects.get_or_create(
        public_id=LEA_SESSION,
        defaults={"person": c.lea, "session_key": "phone-of-lea", "device": "phone"},
    )


def _lea_session(c: Any) -> dict[str, Any]:
    return {"public_id": LEA_SESSION}


test_isolation = isolation_test(
    [
        Isolation(
            "accounts:session_revoke",
            "lea",
            _lea_session,
            ("noah", "sophie", "principal_moulin", "admin"),
            method="post",
            owner_status=302,
            setup=lea_on_a_phone,
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
