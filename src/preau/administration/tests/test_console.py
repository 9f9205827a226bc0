"""The administration console: who reaches it, what its forms refuse, what its actions record."""

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from preau.audit.models import AuditEntry
from preau.core.testing import Isolation, isolation_test, log_in_with_second_factor, query_budget
from preau.directory.models import (
    Enrolment,
    Establishment,
    Membership,
    Period,
    Profile,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
    TeachingGroup,
)
from preau.portal.models import EstablishmentService

pytestmark = pytest.mark.django_db

User = get_user_model()

# Jean Moulin's console: its head only. Marie Curie's head, the CPE (no administrative function),
# a teacher, a guardian and a student of Jean Moulin all get 404.
REFUSED = ("principal_curie", "cpe_moulin", "bernard", "sophie", "lea")


def moulin(c: Any, **extra: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id, **extra}


def membership_of(c: Any, user: Any) -> Any:
    return Membership.objects.get(
        person=user, establishment=c.moulin, school_year=SchoolYear.current()
    )


def jade_membership(c: Any) -> dict[str, Any]:
    return moulin(c, member_id=membership_of(c, c.jade).public_id)


def moulin_subject(c: Any) -> dict[str, Any]:
    return moulin(c, subject_id=Subject.objects.filter(establishment=c.moulin).first().public_id)


def moulin_period(c: Any) -> dict[str, Any]:
    return moulin(c, period_id=Period.objects.filter(establishment=c.moulin).first().public_id)


def make_group(c: Any) -> None:
    TeachingGroup.objects.get_or_create(
        establishment=c.moulin, school_year=SchoolYear.current(), name="Latin"
    )


def moulin_group(c: Any) -> dict[str, Any]:
    return moulin(c, group_id=TeachingGroup.objects.get(establishment=c.moulin).public_id)


def console(route: str, **options: Any) -> Isolation:
    options.setdefault("kwargs", moulin)
    return Isolation(
        route=f"administration:{route}", owner="principal_moulin", refused=REFUSED, **options
    )


test_isolation = isolation_test(
    [
        console("establishment"),
        console("members"),
        console("member_create"),
        console("member", kwargs=jade_membership),
        console("member_deactivate", kwargs=jade_membership, method="post", owner_status=302),
        console("member_reactivate", kwargs=jade_membership, method="post", owner_status=302),
        console("member_code", kwargs=jade_membership, method="post"),
        console("member_letter", kwargs=jade_membership, method="post"),
        console("classes"),
        console("class", kwargs=lambda c: moulin(c, class_id=c.class_4b.public_id)),
        console(
            "class_letters",
            kwargs=lambda c: moulin(c, class_id=c.class_4b.public_id),
            method="post",
            owner_status=302,
        ),
        console("groups"),
        console("group", kwargs=moulin_group, setup=make_group),
        console("enrolments"),
        console("subjects"),
        console("subject", kwargs=moulin_subject),
        console("assignments"),
        console("periods"),
        console("period", kwargs=moulin_period),
        console("services"),
        console("branding"),
        console("audit"),
        # The academy administrator of Versailles reaches Jean Moulin's console, not Marie Curie's.
        Isolation(
            route="administration:establishment",
            owner="rectorat_versailles",
            kwargs=moulin,
            refused=("principal_curie", "cpe_moulin", "garcia"),
        ),
        Isolation(
            route="administration:members",
            owner="principal_curie",
            kwargs=lambda c: {"public_id": c.curie.public_id},
            refused=("rectorat_versailles", "principal_moulin", "dupont", "hugo"),
        ),
        # Academy pages: Versailles' administrator for Versailles' establishments; heads never.
        Isolation(
            route="administration:academy_establishment",
            owner="rectorat_versailles",
            kwargs=moulin,
            refused=("principal_moulin", "principal_curie", "cpe_moulin", "bernard"),
        ),
        Isolation(
            route="administration:academy_establishment",
            owner="admin",
            kwargs=lambda c: {"public_id": c.curie.public_id},
            refused=("rectorat_versailles", "principal_curie", "principal_moulin"),
        ),
        Isolation(
            route="administration:academy_establishment_active",
            owner="rectorat_versailles",
            kwargs=moulin,
            method="post",
            owner_status=302,
            refused=("principal_moulin", "principal_curie", "cpe_moulin"),
        ),
        Isolation(
            route="administration:academy_establishment_head",
            owner="rectorat_versailles",
            kwargs=moulin,
            method="post",
            data={"username": "principal.moulin"},
            refused=("principal_moulin", "principal_curie", "cpe_moulin"),
        ),
    ]
)


def url(route: str, *args: Any) -> str:
    return reverse(f"administration:{route}", args=args)


# -- who reaches the console --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cpe_moulin", "bernard", "sophie", "lea", "hugo"])
def test_console_home_is_404_without_administrative_rights(
    cast: Any, client: Any, name: str
) -> None:
    log_in_with_second_factor(client, getattr(cast, name))
    assert client.get(url("home")).status_code == 404
    assert client.get(url("academy")).status_code == 404


def test_console_home_lists_administered_establishments(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.get(url("home"))
    assert list(response.context["establishments"]) == [cast.moulin]
    assert reverse("usage:index") in response.content.decode()  # the head reads the statistics
    log_in_with_second_factor(client, cast.rectorat_versailles)
    response = client.get(url("home"))
    assert cast.moulin in response.context["establishments"]
    assert cast.curie not in response.context["establishments"]
    assert client.get(url("academy")).status_code == 200
    log_in_with_second_factor(client, cast.principal_moulin)
    assert client.get(url("academy")).status_code == 404


# -- members ----------------------------------------------------------------------------------


def add_students(establishment: Any, count: int) -> None:
    year = SchoolYear.current()
    users = User.objects.bulk_create(
        [
            User(username=f"eleve.test{i}", first_name="Test", last_name=f"Élève {i:03}")
            for i in range(count)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(
                person=u, establishment=establishment, school_year=year, profile=Profile.STUDENT
            )
            for u in users
        ]
    )


def test_members_list_query_budget_does_not_grow_with_the_page(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    members_url = url("members", cast.moulin.public_id)
    client.get(members_url)  # warms the caches of the school year and the services
    # session user, actor's academies, actor's memberships, the establishment, count, page
    with query_budget(6):
        small = client.get(members_url)
    assert len(small.context["page"].object_list) == 9
    add_students(cast.moulin, 70)
    with query_budget(6):
        full = client.get(members_url)
    assert len(full.context["page"].object_list) == 50
    assert full.context["page"].paginator.num_pages == 2


def test_members_search_and_profile_filter(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    members_url = url("members", cast.moulin.public_id)
    found = client.get(members_url, {"q": "léa mar"}).context["page"].object_list
    assert [m.person for m in found] == [cast.lea]
    found = client.get(members_url, {"q": "m.bernard@"}).context["page"].object_list
    assert [m.person for m in found] == [cast.bernard]
    found = client.get(members_url, {"profile": Profile.TEACHER}).context["page"].object_list
    assert {m.person for m in found} == {cast.bernard, cast.garcia}
    # Marie Curie's people never show up, whatever the search.
    assert not client.get(members_url, {"q": "hugo"}).context["page"].object_list


def test_create_member_generates_username_and_code(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    create_url = url("member_create", cast.moulin.public_id)
    data = {
        "first_name": "Léa",
        "last_name": "Martin",
        "profile": Profile.STUDENT,
        "school_class": str(cast.class_3a.pk),
    }
    response = client.post(create_url, data)
    assert response.status_code == 201
    assert response.context["code"]
    person = User.objects.get(username="lea.martin")  # eleve.lea is Léa Martin too, another name
    assert not person.has_usable_password()
    assert Enrolment.objects.get(student=person).school_class == cast.class_3a
    entry = AuditEntry.objects.get(
        action="directory.member.create", target_id=str(response.context["membership"].public_id)
    )
    assert entry.before is None
    assert entry.after["username"] == "lea.martin"
    assert entry.after["profile"] == Profile.STUDENT
    # The same names again: numbered.
    client.post(create_url, {**data, "school_class": ""})
    assert User.objects.filter(username="lea.martin2").exists()
    client.post(
        create_url, {"first_name": "Zoë", "last_name": "D'Argent-Ñuñez", "profile": Profile.TEACHER}
    )
    assert User.objects.filter(username="zoe.d-argent-nunez").exists()


def test_create_member_refuses_a_class_of_another_establishment(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    before = User.objects.count()
    response = client.post(
        url("member_create", cast.moulin.public_id),
        {
            "first_name": "Tom",
            "last_name": "Pouce",
            "profile": Profile.STUDENT,
            "school_class": str(cast.class_2nde3.pk),
        },
    )
    assert response.status_code == 200
    assert "school_class" in response.context["form"].errors
    assert User.objects.count() == before


def test_deactivate_and_reactivate_member(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    membership = membership_of(cast, cast.jade)
    client.post(url("member_deactivate", cast.moulin.public_id, membership.public_id))
    membership.refresh_from_db()
    cast.jade.refresh_from_db()
    assert not membership.is_active
    assert not cast.jade.is_active  # Jade belongs nowhere else
    entry = AuditEntry.objects.get(action="directory.member.deactivate")
    assert entry.before == {"is_active": True, "account_active": True}
    assert entry.after == {"is_active": False, "account_active": False}
    client.post(url("member_reactivate", cast.moulin.public_id, membership.public_id))
    membership.refresh_from_db()
    cast.jade.refresh_from_db()
    assert membership.is_active and cast.jade.is_active
    assert AuditEntry.objects.filter(action="directory.member.reactivate").exists()


def test_deactivation_keeps_the_account_of_someone_active_elsewhere(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    membership = membership_of(cast, cast.sophie)  # also a guardian at Marie Curie
    client.post(url("member_deactivate", cast.moulin.public_id, membership.public_id))
    membership.refresh_from_db()
    cast.sophie.refresh_from_db()
    assert not membership.is_active
    assert cast.sophie.is_active
    log_in_with_second_factor(client, cast.sophie)  # her Jean Moulin membership no longer counts
    assert client.get(reverse("directory:student", args=[cast.lea.public_id])).status_code == 404


def test_head_cannot_deactivate_themselves(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    membership = membership_of(cast, cast.principal_moulin)
    client.post(url("member_deactivate", cast.moulin.public_id, membership.public_id))
    membership.refresh_from_db()
    assert membership.is_active


def test_member_letter_is_a_pdf(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    membership = membership_of(cast, cast.jade)
    response = client.post(url("member_letter", cast.moulin.public_id, membership.public_id))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_class_letters_for_students_without_an_activated_account(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    client.post(
        url("member_create", cast.moulin.public_id),
        {
            "first_name": "Nina",
            "last_name": "Simon",
            "profile": Profile.STUDENT,
            "school_class": str(cast.class_4b.pk),
        },
    )
    response = client.post(url("class_letters", cast.moulin.public_id, cast.class_4b.public_id))
    assert response["Content-Type"] == "application/pdf"
    # Léa and Noah have activated their accounts: no new code for them.
    issued = AuditEntry.objects.filter(action="accounts.activation_code.issue")
    assert set(issued.values_list("target_label", flat=True)) == {"Nina Simon"}


# -- classes, groups, enrolments, subjects, assignments, periods --------------------------------


def test_class_create_and_edit_with_teachers_of_the_establishment_only(
    cast: Any, client: Any
) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    classes_url = url("classes", cast.moulin.public_id)
    level = cast.class_4b.level_id
    response = client.post(
        classes_url, {"name": "4e C", "level": level, "head_teacher": cast.dupont.pk}
    )
    assert "head_teacher" in response.context["form"].errors
    assert not SchoolClass.objects.filter(name="4e C").exists()
    response = client.post(classes_url, {"name": "4e B", "level": level})
    assert "name" in response.context["form"].errors
    client.post(classes_url, {"name": "4e C", "level": level, "head_teacher": cast.garcia.pk})
    created = SchoolClass.objects.get(name="4e C", establishment=cast.moulin)
    assert created.head_teacher == cast.garcia
    assert (
        AuditEntry.objects.get(action="directory.class.create").after["head_teacher"]
        == "Inès Garcia"
    )
    client.post(
        url("class", cast.moulin.public_id, created.public_id),
        {"name": "4e D", "level": level, "head_teacher": cast.bernard.pk},
    )
    entry = AuditEntry.objects.get(action="directory.class.update")
    assert entry.before["name"] == "4e C" and entry.after["name"] == "4e D"
    assert entry.after["head_teacher"] == "Marc Bernard"


def test_class_of_another_establishment_is_404(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.get(url("class", cast.moulin.public_id, cast.class_2nde3.public_id))
    assert response.status_code == 404


def test_group_with_students_of_the_establishment_only(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    groups_url = url("groups", cast.moulin.public_id)
    response = client.post(groups_url, {"name": "Latin", "students": [cast.lea.pk, cast.hugo.pk]})
    assert "students" in response.context["form"].errors
    assert not TeachingGroup.objects.exists()
    client.post(groups_url, {"name": "Latin", "students": [cast.lea.pk, cast.jade.pk]})
    group = TeachingGroup.objects.get(name="Latin")
    assert set(group.students.all()) == {cast.lea, cast.jade}
    client.post(
        url("group", cast.moulin.public_id, group.public_id),
        {"name": "Latin", "students": [cast.noah.pk]},
    )
    assert set(group.students.all()) == {cast.noah}
    entry = AuditEntry.objects.get(action="directory.group.update")
    assert entry.before["students"] == ["eleve.jade", "eleve.lea"]
    assert entry.after["students"] == ["eleve.noah"]


def test_enrolment_moves_a_student_and_refuses_other_establishments(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    enrol_url = url("enrolments", cast.moulin.public_id)
    response = client.post(enrol_url, {"student": cast.lea.pk, "school_class": cast.class_2nde3.pk})
    assert "school_class" in response.context["form"].errors
    response = client.post(enrol_url, {"student": cast.hugo.pk, "school_class": cast.class_3a.pk})
    assert "student" in response.context["form"].errors
    client.post(enrol_url, {"student": cast.lea.pk, "school_class": cast.class_3a.pk})
    assert Enrolment.objects.get(student=cast.lea).school_class == cast.class_3a
    entry = AuditEntry.objects.get(action="directory.enrolment.move")
    assert entry.before["school_class"] == "4e B" and entry.after["school_class"] == "3e A"


def test_subject_codes_are_unique_per_establishment(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    subjects_url = url("subjects", cast.moulin.public_id)
    count = Subject.objects.count()
    response = client.post(subjects_url, {"code": "061300", "label": "Maths bis"})
    assert "061300" in response.context["form"].errors["code"][0]
    assert Subject.objects.count() == count
    client.post(subjects_url, {"code": "023000", "label": "Philosophie"})  # Curie has it; fine
    subject = Subject.objects.get(establishment=cast.moulin, code="023000")
    assert AuditEntry.objects.get(action="directory.subject.create").after["label"] == "Philosophie"
    client.post(
        url("subject", cast.moulin.public_id, subject.public_id),
        {"code": "023000", "label": "Philo"},
    )
    entry = AuditEntry.objects.get(action="directory.subject.update")
    assert (entry.before["label"], entry.after["label"]) == ("Philosophie", "Philo")


def test_assignments_within_the_establishment(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    assignments_url = url("assignments", cast.moulin.public_id)
    french = Subject.objects.get(establishment=cast.moulin, code="020700")
    count = TeachingAssignment.objects.count()
    response = client.post(
        assignments_url,
        {"teacher": cast.dupont.pk, "subject": french.pk, "school_class": cast.class_3a.pk},
    )
    assert "teacher" in response.context["form"].errors
    response = client.post(
        assignments_url,
        {"teacher": cast.garcia.pk, "subject": french.pk, "school_class": cast.class_2nde3.pk},
    )
    assert "school_class" in response.context["form"].errors
    response = client.post(assignments_url, {"teacher": cast.garcia.pk, "subject": french.pk})
    assert response.context["form"].non_field_errors()
    assert TeachingAssignment.objects.count() == count
    client.post(
        assignments_url,
        {"teacher": cast.garcia.pk, "subject": french.pk, "school_class": cast.class_3a.pk},
    )
    assignment = TeachingAssignment.objects.get(teacher=cast.garcia, school_class=cast.class_3a)
    assert (
        AuditEntry.objects.get(action="directory.assignment.create").after["teacher"]
        == "prof.garcia"
    )
    curie_assignment = TeachingAssignment.objects.get(teacher=cast.dupont)
    assert client.post(assignments_url, {"delete": curie_assignment.public_id}).status_code == 404
    client.post(assignments_url, {"delete": assignment.public_id})
    assert not TeachingAssignment.objects.filter(pk=assignment.pk).exists()
    assert (
        AuditEntry.objects.get(action="directory.assignment.delete").before["school_class"]
        == "3e A"
    )


def test_periods_do_not_overlap(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    periods_url = url("periods", cast.moulin.public_id)
    year = SchoolYear.current()
    first = year.start_date.year
    count = Period.objects.count()
    response = client.post(
        periods_url,
        {
            "kind": "trimester",
            "number": 4,
            "start_date": f"{first}-11-15",
            "end_date": f"{first}-12-15",
        },
    )
    assert "chevauchent" in str(response.context["form"].non_field_errors())
    response = client.post(
        periods_url,
        {
            "kind": "trimester",
            "number": 4,
            "start_date": f"{first + 1}-07-20",
            "end_date": f"{first + 1}-07-10",
        },
    )
    assert response.context["form"].non_field_errors()
    assert Period.objects.count() == count
    client.post(
        periods_url,
        {
            "kind": "trimester",
            "number": 4,
            "start_date": f"{first + 1}-07-05",
            "end_date": f"{first + 1}-08-20",
        },
    )
    period = Period.objects.get(establishment=cast.moulin, number=4)
    assert AuditEntry.objects.get(action="directory.period.create").after["number"] == 4
    response = client.post(
        url("period", cast.moulin.public_id, period.public_id),
        {
            "kind": "trimester",
            "number": 4,
            "start_date": f"{first + 1}-07-01",
            "end_date": f"{first + 1}-08-20",
        },
    )
    assert "chevauchent" in str(response.context["form"].non_field_errors())
    client.post(
        url("period", cast.moulin.public_id, period.public_id),
        {
            "kind": "trimester",
            "number": 4,
            "start_date": f"{first + 1}-07-06",
            "end_date": f"{first + 1}-08-20",
        },
    )
    entry = AuditEntry.objects.get(action="directory.period.update")
    assert entry.before["start_date"] == f"{first + 1}-07-05"
    assert entry.after["start_date"] == f"{first + 1}-07-06"


# -- services and branding ----------------------------------------------------------------------


def services_data(client: Any, url_: str, **changes: Any) -> dict[str, Any]:
    form = client.get(url_).context["form"]
    data = {}
    for choice in form.choices:
        code = choice.service.code
        if choice.enabled:
            data[f"enabled_{code}"] = "on"
        data[f"position_{code}"] = choice.position
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def test_turning_a_service_off_makes_its_urls_404(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.bernard)
    assert client.get(reverse("directory:classes")).status_code == 200
    log_in_with_second_factor(client, cast.principal_moulin)
    services_url = url("services", cast.moulin.public_id)
    client.post(services_url, services_data(client, services_url, enabled_directory=None))
    row = EstablishmentService.objects.get(establishment=cast.moulin, service_code="directory")
    assert not row.enabled
    entry = AuditEntry.objects.get(action="portal.services.update")
    assert entry.before["directory"]["enabled"] is True
    assert entry.after["directory"]["enabled"] is False
    log_in_with_second_factor(client, cast.bernard)
    assert client.get(reverse("directory:classes")).status_code == 404
    log_in_with_second_factor(client, cast.dupont)  # Marie Curie keeps it
    assert client.get(reverse("directory:classes")).status_code == 200


def test_services_that_cannot_be_disabled_stay_on(cast: Any, client: Any) -> None:
    from preau.portal.registry import Service, _services, register

    service = register(
        Service(
            code="test_core",
            name="Cœur",
            icon="",
            url_name="portal:home",
            namespace="test_core",
            national_code="",
            can_be_disabled=False,
        )
    )
    try:
        log_in_with_second_factor(client, cast.principal_moulin)
        services_url = url("services", cast.moulin.public_id)
        client.post(services_url, services_data(client, services_url, enabled_test_core=None))
        assert not EstablishmentService.objects.filter(
            service_code="test_core", enabled=False
        ).exists()
    finally:
        _services.pop(service.code)


def image_file(image_format: str = "PNG", name: str = "logo.png") -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (40, 20), "#336699").save(output, format=image_format)
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/png")


def branding_data(**extra: Any) -> dict[str, Any]:
    return {
        "primary_colour": "#112233",
        "accent_colour": "#445566",
        "welcome_text": "Bienvenue",
        **extra,
    }


def test_branding_saves_colours_and_a_checked_logo(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    branding_url = url("branding", cast.moulin.public_id)
    response = client.post(branding_url, branding_data(logo=image_file("WEBP", "logo.webp")))
    assert response.status_code == 302
    school = Establishment.objects.get(pk=cast.moulin.pk)
    assert school.primary_colour == "#112233"
    assert school.logo.name.endswith(".webp")
    with Image.open(school.logo.open("rb")) as stored:
        assert stored.format == "WEBP"
    entry = AuditEntry.objects.get(action="portal.branding.update")
    assert entry.before["primary_colour"] == "#1d4e89"
    assert entry.after["primary_colour"] == "#112233"


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("logo.png", b"not an image at all", content_type="image/png"),
        SimpleUploadedFile(
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            content_type="image/svg+xml",
        ),
        image_file("GIF", "logo.gif"),
    ],
    ids=["garbage", "svg", "gif"],
)
def test_branding_refuses_what_is_not_a_png_jpeg_or_webp(
    cast: Any, client: Any, upload: Any
) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    upload.seek(0)
    response = client.post(url("branding", cast.moulin.public_id), branding_data(logo=upload))
    assert response.context["form"].errors["logo"] == [
        "Le logo doit être une image PNG, JPEG ou WebP."
    ]
    school = Establishment.objects.get(pk=cast.moulin.pk)
    assert not school.logo and school.primary_colour == "#1d4e89"
    assert not AuditEntry.objects.filter(action="portal.branding.update").exists()


def test_branding_refuses_big_logos_and_bad_colours(cast: Any, client: Any, settings: Any) -> None:
    settings.LOGO_MAX_BYTES = 100
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.post(
        url("branding", cast.moulin.public_id), branding_data(logo=image_file("JPEG", "logo.jpg"))
    )
    assert "logo" in response.context["form"].errors
    response = client.post(
        url("branding", cast.moulin.public_id), branding_data(primary_colour="red")
    )
    assert response.context["form"].errors["primary_colour"] == ["Une couleur s'écrit #RRVVBB."]
    assert not AuditEntry.objects.filter(action="portal.branding.update").exists()


# -- audit log ----------------------------------------------------------------------------------


def test_audit_page_shows_the_establishments_entries_only(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    client.post(url("subjects", cast.moulin.public_id), {"code": "999999", "label": "Latin"})
    log_in_with_second_factor(client, cast.principal_curie)
    client.post(url("subjects", cast.curie.public_id), {"code": "888888", "label": "Grec"})
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.get(url("audit", cast.moulin.public_id))
    labels = [entry.target_label for entry, _changes in response.context["rows"]]
    assert labels == ["Latin"]
    assert b"Grec" not in response.content


# -- academy ------------------------------------------------------------------------------------


def test_academy_creates_an_establishment_in_its_own_academies_only(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.rectorat_versailles)
    create_url = url("academy_establishment_create")
    data = {
        "uai": "0751234J",
        "name": "Collège Neuf",
        "kind": "college",
        "city": "Sèvres",
        "academy": cast.moulin.academy_id,
    }
    count = Establishment.objects.count()
    response = client.post(create_url, {**data, "uai": "0751234A"})
    assert "n'est pas un UAI valide" in response.context["form"].errors["uai"][0]
    response = client.post(create_url, {**data, "uai": "075123"})
    assert "uai" in response.context["form"].errors
    response = client.post(create_url, {**data, "academy": cast.curie.academy_id})
    assert "academy" in response.context["form"].errors
    response = client.post(create_url, {**data, "uai": cast.moulin.uai})
    assert "uai" in response.context["form"].errors
    assert Establishment.objects.count() == count
    response = client.post(create_url, {**data, "uai": "0751234j"})
    created = Establishment.objects.get(uai="0751234J")
    assert response.status_code == 302
    assert (
        AuditEntry.objects.get(
            action="directory.establishment.create", establishment=created
        ).after["uai"]
        == "0751234J"
    )


def test_academy_deactivates_and_reactivates_an_establishment(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.rectorat_versailles)
    client.post(url("academy_establishment_active", cast.moulin.public_id))
    school = Establishment.objects.get(pk=cast.moulin.pk)
    assert not school.is_active
    entry = AuditEntry.objects.get(action="directory.establishment.deactivate")
    assert (entry.before, entry.after) == ({"is_active": True}, {"is_active": False})
    log_in_with_second_factor(
        client, cast.principal_moulin
    )  # the school's people no longer work there
    assert client.get(url("establishment", cast.moulin.public_id)).status_code == 404
    log_in_with_second_factor(client, cast.rectorat_versailles)
    client.post(url("academy_establishment_active", cast.moulin.public_id))
    assert Establishment.objects.get(pk=cast.moulin.pk).is_active


def test_academy_appoints_a_new_head(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.rectorat_versailles)
    head_url = url("academy_establishment_head", cast.moulin.public_id)
    response = client.post(head_url, {"username": "personne.inconnue"})
    assert response.status_code == 400
    response = client.post(head_url, {"first_name": "Paul", "last_name": "Durand"})
    assert response.context["code"]
    paul = User.objects.get(username="paul.durand")
    membership = Membership.objects.get(person=paul, establishment=cast.moulin)
    assert membership.profile == Profile.DIRECTION and membership.functions == ["head"]
    assert "head" not in membership_of(cast, cast.principal_moulin).functions
    entry = AuditEntry.objects.get(action="directory.establishment.appoint_head")
    assert entry.before == {"heads": ["principal.moulin"]}
    assert entry.after == {"heads": ["paul.durand"]}
    log_in_with_second_factor(client, paul)
    assert client.get(url("establishment", cast.moulin.public_id)).status_code == 200


def test_console_lists_the_settings_pages_of_services(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    page = client.get(url("members", cast.moulin.public_id)).content.decode()
    quiet_hours = reverse("notifications:quiet_hours", args=[cast.moulin.public_id])
    assert f'href="{quiet_hours}"' in page
