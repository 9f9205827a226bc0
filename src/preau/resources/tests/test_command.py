"""``preau licence add|list|revoke``: the same rules as the console, for scripted deployments."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from preau.resources.models import Licence, Resource

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("licence", *args, stdout=out)
    return out.getvalue()


def test_add_registers_the_resource_then_lists_and_revokes(cast: Any) -> None:
    uai = cast.moulin.uai
    public_id = run(
        "add",
        "--establishment", uai,
        "--resource", "ark:/99999/colibri-svt",
        "--title", "SVT 4e",
        "--publisher", "Éditions du Colibri",
        "--url", "https://colibri.example/svt-4e",
        "--class", "4e B",
        "--seats", "30",
        "--start", "2026-09-01",
        "--end", "2027-08-31",
    ).strip()  # fmt: skip
    licence = Licence.objects.get(public_id=public_id)
    assert licence.resource.identifier_kind == "ark"
    assert list(licence.targets.values_list("school_class", flat=True)) == [cast.class_4b.pk]
    # A second licence of the same resource finds it by its identifier.
    run(
        "add", "--establishment", uai, "--resource", "ark:/99999/colibri-svt",
        "--profile", "National_ENS", "--start", "2026-09-01", "--end", "2027-08-31",
    )  # fmt: skip
    assert Resource.objects.filter(identifier="ark:/99999/colibri-svt").count() == 1
    listing = run("list", "--establishment", uai)
    assert listing.count("SVT 4e") == 2 and "0/30" in listing
    run("revoke", public_id)
    licence.refresh_from_db()
    assert licence.revoked_at is not None
    assert "revoked" in run("list", "--establishment", uai)


def test_add_refuses_bad_input_and_writes_nothing(cast: Any) -> None:
    uai = cast.moulin.uai
    base = ["add", "--establishment", uai, "--resource", "ark:/99999/x"]
    with pytest.raises(CommandError, match="give --title"):
        run(*base, "--start", "2026-09-01", "--end", "2027-08-31")
    registration = ["--title", "X", "--publisher", "P", "--url", "https://x.example/"]
    with pytest.raises(CommandError, match="ne peut pas précéder"):
        run(*base, *registration, "--start", "2027-09-01", "--end", "2027-08-31")
    # Nothing half-written: not even the resource the command would have registered.
    assert not Resource.objects.filter(identifier="ark:/99999/x").exists()
    with pytest.raises(CommandError, match="No class"):
        run(*base, *registration, "--class", "9e Z", "--start", "2026-09-01", "--end", "2027-01-01")
    with pytest.raises(CommandError, match="No establishment"):
        run("list", "--establishment", "0000000A")
    with pytest.raises(CommandError, match="No licence"):
        run("revoke", "not-an-id")
    assert not Licence.objects.exists()
