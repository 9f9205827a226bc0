"""Punishments and sanctions as the staff give them and families read them."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from preau.audit.models import AuditEntry
from preau.core.actor import Actor
from preau.directory.models import Period
from preau.discipline import actions, demo
from preau.discipline.models import Kind, Measure, OtherPunishment
from preau.discipline.tests.helpers import build, jade_warning, lea_extra_work, noah_detention
from preau.notifications.models import Kind as NotificationKind
from preau.notifications.models import Notification

pytestmark = pytest.mark.django_db


def actor_of(user: Any) -> Actor:
    return Actor(user)


def next_day(weekday: int = 2) -> date:
    today = timezone.localdate()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def detention_post(cast: Any, student: Any, **extra: Any) -> dict[str, Any]:
    return {
        "student": str(student.public_id),
        "kind": Kind.DETENTION,
        "reason": "Bavardages répétés",
        "decided_on": timezone.localdate().isoformat(),
        "detention_date": next_day().isoformat(),
        "start_time": "13:30",
        "end_time": "15:00",
        "place": "Salle d'étude",
        "family_text": "Retenue pour bavardages répétés malgré les avertissements.",
        "staff_notes": "NOTE-PRIVEE-XYZ",
        "acknowledgement_required": "on",
        "publish": "on",
        **extra,
    }


def test_a_teacher_gives_a_detention_published_to_the_family(cast: Any, client: Any) -> None:
    client.force_login(cast.garcia)
    response = client.post(reverse("discipline:punish"), detention_post(cast, cast.noah))
    measure = Measure.objects.get(student=cast.noah, reason="Bavardages répétés")
    assert response.status_code == 302
    assert measure.decided_by == cast.garcia and measure.published_at is not None
    assert measure.establishment == cast.moulin
    notification = Notification.objects.get(recipient=cast.karim)
    assert notification.kind == NotificationKind.DISCIPLINE
    assert notification.url == reverse("discipline:measure", args=[measure.public_id])
    assert "NOTE-PRIVEE-XYZ" not in notification.body
    assert AuditEntry.objects.filter(action="discipline.punish", target_id=measure.public_id)
    assert not Notification.objects.filter(recipient=cast.sophie).exists()


def test_the_supervisor_of_a_detention_is_told(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    client.post(
        reverse("discipline:punish"),
        detention_post(cast, cast.noah, supervisor=str(cast.cpe_moulin.public_id)),
    )
    told = Notification.objects.get(recipient=cast.cpe_moulin)
    assert told.title.startswith("Retenue à surveiller")
    assert "NOTE-PRIVEE-XYZ" not in told.body


def test_a_teacher_cannot_punish_a_student_of_another_class(cast: Any, client: Any) -> None:
    client.force_login(cast.garcia)  # she teaches 4e B, not 3e A
    response = client.post(reverse("discipline:punish"), detention_post(cast, cast.jade))
    assert response.status_code == 200
    assert "student" in response.context["form"].errors
    client.force_login(cast.bernard)
    client.post(reverse("discipline:punish"), detention_post(cast, cast.hugo))
    assert not Measure.objects.exists()


def test_a_detention_outside_the_school_year_is_refused(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    year = Actor(cast.bernard).school_year
    late = year.end_date + timedelta(days=3)
    response = client.post(
        reverse("discipline:punish"),
        detention_post(cast, cast.noah, detention_date=late.isoformat()),
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "La date de la retenue doit être dans l'année scolaire, du " in errors
    assert not Measure.objects.exists()
    assert not Notification.objects.exists()


def test_a_detention_needs_its_time_and_place(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    response = client.post(
        reverse("discipline:punish"), detention_post(cast, cast.noah, place="", end_time="")
    )
    assert "Une retenue a une date" in " ".join(response.context["form"].non_field_errors())
    assert not Measure.objects.exists()


def test_a_teacher_cannot_give_a_sanction(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    page = client.get(reverse("discipline:sanction"))
    assert page.status_code == 403
    assert "Seuls le chef d" in page.content.decode()
    response = client.post(
        reverse("discipline:sanction"),
        {**detention_post(cast, cast.noah), "kind": Kind.WARNING},
    )
    assert response.status_code == 403
    # The punishment form does not take a sanction either.
    response = client.post(
        reverse("discipline:punish"), {**detention_post(cast, cast.noah), "kind": Kind.WARNING}
    )
    assert "kind" in response.context["form"].errors
    with pytest.raises(actions.SanctionRefused):
        actions.do_give_measure(
            actor=actor_of(cast.cpe_moulin),
            data=actions.MeasureData(
                student=cast.noah,
                kind=Kind.WARNING,
                reason="x",
                family_text="x",
                decided_on=timezone.localdate(),
            ),
        )
    assert not Measure.objects.exists()


def sanction(cast: Any, **values: Any) -> Measure:
    data = {
        "student": cast.jade,
        "kind": Kind.SCHOOL_EXCLUSION,
        "reason": "Violence physique",
        "family_text": "Exclusion temporaire.",
        "decided_on": timezone.localdate(),
        **values,
    }
    return actions.do_give_measure(
        actor=actor_of(cast.principal_moulin), data=actions.MeasureData(**data)
    )


def test_the_head_pronounces_sanctions_within_the_law(cast: Any) -> None:
    start = next_day(0)
    with pytest.raises(actions.ValidationError, match="huit jours"):
        sanction(cast, start_date=start, end_date=start + timedelta(days=9))
    with pytest.raises(actions.ValidationError, match="conseil de discipline"):
        sanction(cast, kind=Kind.PERMANENT_EXCLUSION)
    with pytest.raises(actions.ValidationError, match="sursis"):
        sanction(cast, kind=Kind.WARNING, suspended=True)
    excluded = sanction(cast, start_date=start, end_date=start + timedelta(days=2), suspended=True)
    assert excluded.is_sanction and excluded.suspended
    council = sanction(
        cast,
        start_date=start,
        end_date=start + timedelta(days=14),
        by_council=True,
        kind=Kind.CLASS_EXCLUSION,
    )
    assert council.by_council
    assert AuditEntry.objects.filter(action="discipline.sanction.give").count() == 2


def test_the_head_gives_a_sanction_through_the_form(cast: Any, client: Any) -> None:
    client.force_login(cast.principal_moulin)
    response = client.post(
        reverse("discipline:sanction"),
        {
            "student": str(cast.jade.public_id),
            "kind": Kind.REPRIMAND,
            "reason": "Insolence envers un surveillant",
            "decided_on": timezone.localdate().isoformat(),
            "family_text": "Un blâme est prononcé.",
            "publish": "on",
            "acknowledgement_required": "on",
        },
    )
    assert response.status_code == 302
    assert Measure.objects.get(kind=Kind.REPRIMAND).student == cast.jade


def test_staff_notes_never_reach_the_family(cast: Any, client: Any) -> None:
    build(cast)
    detention = noah_detention(cast)
    for user, url in [
        (cast.karim, reverse("discipline:measure", args=[detention.public_id])),
        (cast.karim, reverse("discipline:child", args=[cast.noah.public_id])),
        (cast.noah, reverse("discipline:measure", args=[detention.public_id])),
        (cast.noah, reverse("discipline:index")),
        (cast.garcia, reverse("discipline:measure", args=[detention.public_id])),
    ]:
        client.force_login(user)
        page = client.get(url).content.decode()
        assert demo.DETENTION_TEXT in page or user == cast.garcia
        assert demo.DETENTION_NOTES not in page, (user, url)
        if user != cast.garcia:
            # Neither the incident's description nor the other student involved.
            assert demo.INCIDENT not in page
            assert "Léa" not in page and "Martin" not in page
    client.force_login(cast.bernard)
    page = client.get(reverse("discipline:measure", args=[detention.public_id]))
    assert demo.DETENTION_NOTES in page.content.decode()


def test_a_student_sees_only_their_own_published_measures(cast: Any, client: Any) -> None:
    build(cast)
    actions.do_give_measure(
        actor=actor_of(cast.bernard),
        data=actions.MeasureData(
            student=cast.noah,
            kind=Kind.APOLOGY,
            reason="Pas encore publiée",
            family_text="Excuse écrite",
            decided_on=timezone.localdate(),
        ),
        publish=False,
    )
    client.force_login(cast.noah)
    page = client.get(reverse("discipline:index")).content.decode()
    assert demo.DETENTION_TEXT in page
    assert demo.EXTRA_WORK_REASON not in page and "Excuse écrite" not in page
    client.force_login(cast.karim)
    page = client.get(reverse("discipline:child", args=[cast.noah.public_id])).content.decode()
    assert "Excuse écrite" not in page


def test_a_guardian_acknowledges_once(cast: Any, client: Any) -> None:
    build(cast)
    detention = noah_detention(cast)
    client.force_login(cast.karim)
    home = client.get(reverse("portal:home")).content.decode()
    assert "À signer pour Noah" in home
    page = client.get(reverse("discipline:measure", args=[detention.public_id]))
    assert "J&#x27;ai pris connaissance" in page.content.decode() or "J'ai pris" in (
        page.content.decode()
    )
    response = client.post(reverse("discipline:acknowledge", args=[detention.public_id]))
    assert response.status_code == 302
    detention.refresh_from_db()
    assert detention.acknowledged_by == cast.karim and detention.acknowledged_at is not None
    assert AuditEntry.objects.filter(action="discipline.measure.acknowledge").count() == 1
    response = client.post(
        reverse("discipline:acknowledge", args=[detention.public_id]), follow=True
    )
    assert "n&#x27;attend pas" in response.content.decode()
    assert AuditEntry.objects.filter(action="discipline.measure.acknowledge").count() == 1
    home = client.get(reverse("portal:home")).content.decode()
    assert "À signer pour Noah" not in home
    client.force_login(cast.cpe_moulin)
    page = client.get(reverse("discipline:establishment")).content.decode()
    assert "Pris connaissance" in page


def test_a_change_the_family_reads_asks_a_new_acknowledgement(cast: Any) -> None:
    build(cast)
    detention = noah_detention(cast)
    karim = actor_of(cast.karim)
    actions.do_acknowledge(actor=karim, measure=detention)
    data = actions.MeasureData(
        student=cast.noah,
        kind=detention.kind,
        reason=detention.reason,
        family_text=detention.family_text,
        decided_on=detention.decided_on,
        staff_notes="Autre note",
        incident=detention.incident,
        detention_date=detention.detention_date,
        start_time=detention.start_time,
        end_time=detention.end_time,
        place=detention.place,
        supervisor=detention.supervisor,
    )
    actions.do_update_measure(actor=actor_of(cast.bernard), measure=detention, data=data)
    detention.refresh_from_db()
    assert detention.acknowledged_at is not None  # the notes are not the family's
    data.place = "CDI"
    actions.do_update_measure(actor=actor_of(cast.bernard), measure=detention, data=data)
    detention.refresh_from_db()
    assert detention.acknowledged_at is None and detention.place == "CDI"
    assert Notification.objects.filter(recipient=cast.karim, title__startswith="Modif").exists()
    update = AuditEntry.objects.filter(action="discipline.measure.update").order_by("pk").last()
    assert update.before == {"place": "Salle d'étude (B04)"} and update.after == {"place": "CDI"}


def test_only_the_author_and_school_life_change_a_punishment(cast: Any, client: Any) -> None:
    build(cast)
    detention = noah_detention(cast)
    client.force_login(cast.garcia)  # sees Noah's record, did not give the detention
    page = client.get(reverse("discipline:measure_edit", args=[detention.public_id]))
    assert page.status_code == 403
    client.force_login(cast.bernard)  # a teacher does not change the head's sanction
    warning = jade_warning(cast)
    page = client.get(reverse("discipline:measure_edit", args=[warning.public_id]))
    assert page.status_code == 403 and "Seuls le chef" in page.content.decode()
    client.force_login(cast.cpe_moulin)
    response = client.post(reverse("discipline:measure_cancel", args=[detention.public_id]), {})
    assert response.status_code == 200
    detention.refresh_from_db()
    assert detention.cancelled_at is None
    client.post(
        reverse("discipline:measure_cancel", args=[detention.public_id]),
        {"reason": "Erreur d'élève"},
    )
    detention.refresh_from_db()
    assert detention.cancelled_at is not None
    assert Notification.objects.filter(recipient=cast.karim, title__startswith="Annul").exists()


def rows(response: Any) -> str:
    """The rows of a page's table (the filters also name every kind)."""
    page = response.content.decode()
    return page[page.index("<tbody>") : page.index("</tbody>")]


def test_the_establishment_list_filters(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.cpe_moulin)
    url = reverse("discipline:establishment")
    table = rows(client.get(url, {"school_class": cast.class_3a.public_id}))
    assert "Avertissement" in table and "Retenue" not in table and "3e A" in table
    table = rows(client.get(url, {"kind": "punishments"}))
    assert "Retenue" in table and "Avertissement" not in table
    table = rows(client.get(url, {"kind": Kind.EXTRA_WORK}))
    assert "Devoir supplémentaire" in table and "Retenue" not in table
    client.force_login(cast.bernard)
    assert client.get(url).status_code == 404


def test_a_teacher_lists_their_punishments(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.bernard)
    table = rows(client.get(reverse("discipline:mine")))
    assert "Retenue" in table and "Devoir supplémentaire" not in table
    client.force_login(cast.garcia)
    table = rows(client.get(reverse("discipline:mine")))
    assert "Devoir supplémentaire" in table and "Retenue" not in table
    assert lea_extra_work(cast).decided_by == cast.garcia


def test_school_life_sees_the_detentions_of_the_day(cast: Any, client: Any) -> None:
    build(cast)
    actions.do_give_measure(
        actor=actor_of(cast.cpe_moulin),
        data=actions.MeasureData(
            student=cast.jade,
            kind=Kind.DETENTION,
            reason="Retards",
            family_text="Retenue",
            decided_on=timezone.localdate(),
            detention_date=timezone.localdate(),
            start_time=timezone.datetime(2000, 1, 1, 16).time(),
            end_time=timezone.datetime(2000, 1, 1, 17).time(),
            place="Permanence",
        ),
    )
    client.force_login(cast.cpe_moulin)
    home = client.get(reverse("portal:home")).content.decode()
    assert "Retenues du jour" in home and "Roux Jade" in home and "Permanence" in home


def test_the_edit_form_shows_the_dates_and_saves_a_change(cast: Any, client: Any) -> None:
    build(cast)
    detention = noah_detention(cast)
    client.force_login(cast.bernard)
    url = reverse("discipline:measure_edit", args=[detention.public_id])
    page = client.get(url).content.decode()
    assert f'value="{detention.detention_date.isoformat()}"' in page
    assert 'value="13:30"' in page
    response = client.post(
        url,
        {
            "kind": Kind.DETENTION,
            "reason": detention.reason,
            "decided_on": detention.decided_on.isoformat(),
            "incident": str(detention.incident.public_id),
            "detention_date": detention.detention_date.isoformat(),
            "start_time": "14:00",
            "end_time": "15:30",
            "place": detention.place,
            "supervisor": str(cast.cpe_moulin.public_id),
            "family_text": detention.family_text,
            "staff_notes": detention.staff_notes,
            "acknowledgement_required": "on",
        },
    )
    assert response.status_code == 302
    detention.refresh_from_db()
    assert detention.start_time.hour == 14
    entry = AuditEntry.objects.get(action="discipline.measure.update")
    assert entry.after == {"start_time": "14:00:00"}


def test_a_guardian_sees_a_child_in_another_establishment(cast: Any, client: Any) -> None:
    actions.do_give_measure(
        actor=actor_of(cast.principal_curie),
        data=actions.MeasureData(
            student=cast.hugo,
            kind=Kind.REPRIMAND,
            reason="Insolence",
            family_text="Un blâme est prononcé pour Hugo.",
            decided_on=timezone.localdate(),
        ),
    )
    client.force_login(cast.sophie)  # working in Jean Moulin, where Léa is
    page = client.get(reverse("discipline:child", args=[cast.hugo.public_id])).content.decode()
    assert "Un blâme est prononcé pour Hugo." in page
    assert Notification.objects.filter(recipient=cast.sophie).count() == 1
    client.force_login(cast.karim)
    response = client.get(reverse("discipline:child", args=[cast.hugo.public_id]))
    assert response.status_code == 404


def test_another_punishment_of_the_list_and_a_later_publication(cast: Any, client: Any) -> None:
    build(cast)
    other = OtherPunishment.objects.get(establishment=cast.moulin, label=demo.OTHERS[0])
    foreign = OtherPunishment.objects.get(establishment=cast.curie, label=demo.OTHERS[0])
    data = actions.MeasureData(
        student=cast.noah,
        kind=Kind.OTHER,
        reason="Dégradation d'une table",
        family_text="Noah nettoiera la table qu'il a dessinée.",
        decided_on=timezone.localdate(),
        other_kind=foreign,
        acknowledgement_required=False,
    )
    with pytest.raises(PermissionDenied):
        actions.do_give_measure(actor=actor_of(cast.cpe_moulin), data=data)
    data.other_kind = other
    measure = actions.do_give_measure(actor=actor_of(cast.cpe_moulin), data=data, publish=False)
    assert measure.label == demo.OTHERS[0] and measure.published_at is None
    assert not Notification.objects.filter(title__contains=demo.OTHERS[0]).exists()
    client.force_login(cast.karim)
    url = reverse("discipline:measure", args=[measure.public_id])
    assert client.get(url).status_code == 404  # not published yet
    client.force_login(cast.cpe_moulin)
    client.post(reverse("discipline:measure_publish", args=[measure.public_id]))
    client.force_login(cast.karim)
    page = client.get(url).content.decode()
    assert demo.OTHERS[0].replace("'", "&#x27;") in page
    assert "J&#x27;ai pris connaissance" not in page  # none asked
    assert Notification.objects.filter(recipient=cast.karim, url=url).exists()


def test_the_period_filter(cast: Any, client: Any) -> None:
    build(cast)
    detention = noah_detention(cast)
    period = Period.objects.get(
        establishment=cast.moulin,
        start_date__lte=detention.decided_on,
        end_date__gte=detention.decided_on,
    )
    other = Period.objects.filter(establishment=cast.moulin).exclude(pk=period.pk).first()
    client.force_login(cast.cpe_moulin)
    url = reverse("discipline:establishment")
    assert "Retenue" in rows(client.get(url, {"period": period.pk}))
    assert "Retenue" not in rows(client.get(url, {"period": other.pk}))


def test_a_student_sees_what_is_coming_at_home(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.noah)
    home = client.get(reverse("portal:home")).content.decode()
    assert "À venir" in home and "Retenue" in home
    assert demo.DETENTION_NOTES not in home
    client.force_login(cast.jade)  # a warning is nothing to come
    assert "À venir" not in client.get(reverse("portal:home")).content.decode()
