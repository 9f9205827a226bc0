"""Appointing an existing person as head hands out an activation code only for an account the
academy may take charge of: not for a pupil, parent or teacher known to another academy."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from preau.accounts.models import ActivationCode
from preau.core.testing import log_in_with_second_factor
from preau.directory.models import Membership

pytestmark = pytest.mark.django_db

User = get_user_model()


def not_activated(user: Any) -> Any:
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def appoint(client: Any, cast: Any, username: str) -> Any:
    return client.post(
        reverse("administration:academy_establishment_head", args=[cast.moulin.public_id]),
        {"username": username},
    )


def test_no_code_for_an_account_of_another_academy(cast: Any, client: Any) -> None:
    hugo = not_activated(cast.hugo)  # a pupil of Marie Curie, in the académie de Lyon
    log_in_with_second_factor(client, cast.rectorat_versailles)
    response = appoint(client, cast, hugo.username)
    assert response.status_code == 200
    assert Membership.objects.get(person=hugo, establishment=cast.moulin).functions == ["head"]
    assert not response.context["code"]
    assert not ActivationCode.objects.filter(person=hugo).exists()


def test_a_code_for_an_account_of_the_academy(cast: Any, client: Any) -> None:
    garcia = not_activated(cast.garcia)  # known to Jean Moulin only
    log_in_with_second_factor(client, cast.rectorat_versailles)
    response = appoint(client, cast, garcia.username)
    assert response.context["code"]
    assert ActivationCode.objects.filter(person=garcia).count() == 1


def test_a_platform_administrator_cannot_be_appointed_head(cast: Any, client: Any) -> None:
    from django.urls import reverse

    from preau.directory.models import Membership

    log_in_with_second_factor(client, cast.rectorat_versailles)
    url = reverse(
        "administration:academy_establishment_head", kwargs={"public_id": cast.moulin.public_id}
    )
    response = client.post(url, {"username": "admin"})
    assert response.status_code == 400
    assert not Membership.objects.filter(person=cast.admin).exists()
