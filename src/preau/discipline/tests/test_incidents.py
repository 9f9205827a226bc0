"""Incidents: reported by the staff, read by those concerned, never by families."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.audit.models import AuditEntry
from preau.core.actor import Actor
from preau.discipline import actions, demo
from preau.discipline.models import Incident, IncidentCategory, Involvement, OtherPunishment, Role
from preau.discipline.tests.helpers import build, quarrel

pytestmark = pytest.mark.django_db


def category(cast: Any) -> IncidentCategory:
    return IncidentCategory.objects.get(establishment=cast.moulin, label="Insolence")


def post(cast: Any, **extra: Any) -> dict[str, Any]:
    return {
        "category": category(cast).pk,
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Cour",
        "description": "Bousculade à la sortie de la cantine.",
        "authors": [str(cast.noah.public_id)],
        **extra,
    }


def test_a_teacher_reports_an_incident_about_their_students(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.garcia)
    response = client.post(
        reverse("discipline:incident_create"),
        post(cast, witnesses=[str(cast.lea.public_id)]),
    )
    incident = Incident.objects.get(description__startswith="Bousculade")
    assert response.status_code == 302
    assert incident.reported_by == cast.garcia and incident.establishment == cast.moulin
    assert set(incident.involvements.values_list("student__username", "role")) == {
        ("eleve.noah", Role.AUTHOR),
        ("eleve.lea", Role.WITNESS),
    }
    assert AuditEntry.objects.filter(action="discipline.incident.report").count() == 1


def test_an_incident_refuses_students_out_of_reach(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.garcia)
    response = client.post(
        reverse("discipline:incident_create"), post(cast, authors=[str(cast.jade.public_id)])
    )
    assert "authors" in response.context["form"].errors
    response = client.post(reverse("discipline:incident_create"), post(cast, authors=[]))
    assert "Indiquez au moins un élève" in " ".join(response.context["form"].non_field_errors())
    client.force_login(cast.cpe_moulin)
    response = client.post(
        reverse("discipline:incident_create"), post(cast, authors=[str(cast.hugo.public_id)])
    )
    assert "authors" in response.context["form"].errors
    assert not Incident.objects.filter(description__startswith="Bousculade").exists()


def test_a_teacher_reads_only_the_names_of_their_students(cast: Any, client: Any) -> None:
    build(cast)
    incident = actions.do_report_incident(
        actor=Actor(cast.cpe_moulin),
        category=category(cast),
        description="Dispute au foyer.",
        occurred_at=timezone.now() - timedelta(hours=2),
        place="Foyer",
        involved=[(cast.noah, Role.AUTHOR), (cast.jade, Role.VICTIM)],
    )
    client.force_login(cast.garcia)
    page = client.get(reverse("discipline:incident", args=[incident.public_id])).content.decode()
    assert "Leroy Noah" in page and "Jade" not in page and "et 1 autre élève" in page
    client.force_login(cast.bernard)  # teaches both classes
    page = client.get(reverse("discipline:incident", args=[incident.public_id])).content.decode()
    assert "Leroy Noah" in page and "Roux Jade" in page
    client.force_login(cast.garcia)
    assert (
        client.get(reverse("discipline:incident_edit", args=[incident.public_id])).status_code
        == 404
    )


def test_families_never_reach_incidents(cast: Any, client: Any) -> None:
    build(cast)
    for user in (cast.karim, cast.noah):
        client.force_login(user)
        assert client.get(reverse("discipline:incidents")).status_code == 404
        assert client.get(reverse("discipline:incident_create")).status_code == 404


def test_the_reporter_edits_and_it_is_audited(cast: Any, client: Any) -> None:
    build(cast)
    incident = quarrel(cast)
    client.force_login(cast.bernard)
    response = client.post(
        reverse("discipline:incident_edit", args=[incident.public_id]),
        post(
            cast,
            description=demo.INCIDENT,
            authors=[str(cast.noah.public_id)],
            victims=[str(cast.lea.public_id)],
            place="Salle B14",
        ),
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.place == "Salle B14" and incident.category == category(cast)
    assert Involvement.objects.filter(incident=incident).count() == 2
    entry = AuditEntry.objects.get(action="discipline.incident.update")
    assert entry.before["place"] == "Salle B12" and entry.after["place"] == "Salle B14"


def test_school_life_configures_its_lists(cast: Any, client: Any) -> None:
    client.force_login(cast.cpe_moulin)
    url = reverse("discipline:settings")
    client.post(url, {"list": "category", "action": "add", "label": "Retards répétés"})
    client.post(url, {"list": "other", "action": "add", "label": "Rangement de la salle"})
    assert IncidentCategory.objects.filter(establishment=cast.moulin, label="Retards répétés")
    client.post(url, {"list": "other", "action": "hide", "label": "Rangement de la salle"})
    assert not OtherPunishment.objects.get(label="Rangement de la salle").active
    client.force_login(cast.bernard)
    assert client.get(url).status_code == 404
    client.force_login(cast.principal_curie)
    client.post(url, {"list": "other", "action": "show", "label": "Rangement de la salle"})
    assert not OtherPunishment.objects.get(label="Rangement de la salle").active
