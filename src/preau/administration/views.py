"""The administration console: an establishment's people, structure, services and look, and the
academy's establishments. Views find the establishment through the policies (404 otherwise),
parse forms and call the named actions; the rules live in policies, forms and actions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from preau.accounts.actions import do_issue_activation_code, do_issue_activation_letters
from preau.accounts.letters import ActivationLetter, activation_letters_pdf
from preau.accounts.policies import activation_code_people
from preau.administration.forms import BrandingForm, ServicesForm
from preau.audit.models import AuditEntry
from preau.directory import actions
from preau.directory import policies as console
from preau.directory.forms import (
    AppointHeadForm,
    AssignmentForm,
    EnrolmentForm,
    EstablishmentCreateForm,
    GuardianCreateForm,
    GuardianLinkForm,
    GuardianshipForm,
    MemberEditForm,
    MemberForm,
    MemberSearchForm,
    PeriodForm,
    SchoolClassForm,
    SubjectForm,
    TeachingGroupForm,
    establishment_people,
)
from preau.directory.models import (
    Enrolment,
    Establishment,
    Function,
    Guardianship,
    Membership,
    Period,
    Profile,
    SchoolClass,
    Subject,
    TeachingAssignment,
    TeachingGroup,
)
from preau.directory.policies import (
    access_administered_establishment,
    administered_establishments,
    can_manage_academy,
    get_or_404,
)
from preau.directory.rollover import do_rollover, plan_rollover
from preau.portal.actions import ServiceCannotBeDisabled, do_update_branding, do_update_services
from preau.portal.registry import all_services
from preau.portal.selectors import service_choices
from preau.usage import policies as usage_policies

PAGE_SIZE = 50

SECTIONS = [
    ("overview", gettext_lazy("Accueil"), "administration:establishment"),
    ("members", gettext_lazy("Membres"), "administration:members"),
    ("classes", gettext_lazy("Classes"), "administration:classes"),
    ("groups", gettext_lazy("Groupes"), "administration:groups"),
    ("enrolments", gettext_lazy("Inscriptions"), "administration:enrolments"),
    ("subjects", gettext_lazy("Matières"), "administration:subjects"),
    ("assignments", gettext_lazy("Services d'enseignement"), "administration:assignments"),
    ("periods", gettext_lazy("Périodes"), "administration:periods"),
    ("services", gettext_lazy("Services du portail"), "administration:services"),
    ("branding", gettext_lazy("Apparence"), "administration:branding"),
    ("cas", gettext_lazy("Services connectés (CAS)"), "administration:cas_services"),
    ("oidc", gettext_lazy("Applications (OpenID Connect)"), "administration:oidc_clients"),
    ("rosters", gettext_lazy("Import et export"), "administration:rosters"),
    ("lti", gettext_lazy("Outils LTI"), "administration:lti_tools"),
    ("audit", gettext_lazy("Journal"), "administration:audit"),
    ("retention", gettext_lazy("Conservation des données"), "administration:retention"),
]


def _establishment(request: HttpRequest, public_id: UUID) -> Establishment:
    return access_administered_establishment(request.actor, public_id)


def _page(
    request: HttpRequest,
    template: str,
    establishment: Establishment,
    section: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render a console page of ``establishment`` with the section navigation."""
    nav = [
        {
            "label": label,
            "url": reverse(route, args=[establishment.public_id]),
            "current": key == section,
        }
        for key, label, route in SECTIONS
    ]
    # Services bring their own settings pages (quiet hours, messaging rules…).
    nav += [
        {
            "label": service.settings_page[0],
            "url": reverse(service.settings_page[1], args=[establishment.public_id]),
            "current": section == service.code,
        }
        for service in all_services()
        if service.settings_page
    ]
    return render(
        request,
        template,
        {"establishment": establishment, "console_nav": nav, "section": section, **(context or {})},
        status=status,
    )


def _year(request: HttpRequest) -> Any:
    return request.actor.school_year


def _letters(
    request: HttpRequest, establishment: Establishment, people: list[Any]
) -> list[ActivationLetter]:
    """A fresh activation code for each person, as letters to print."""
    return do_issue_activation_letters(
        actor=request.actor,
        people=people,
        establishment=establishment,
        portal_url=request.build_absolute_uri("/"),
    )


def _code_holder(request: HttpRequest, establishment: Establishment, membership: Membership) -> Any:
    """The person of ``membership`` if the actor may hand them a code, else None."""
    people = activation_code_people(request.actor, establishment)
    if not membership.is_active or not people.filter(pk=membership.person_id).exists():
        return None
    return membership.person


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# -- home and overview -------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    establishments = list(administered_establishments(request.actor).select_related("academy"))
    manages_academies = console.managed_academies(request.actor).exists()
    if not establishments and not manages_academies:
        raise Http404
    return render(
        request,
        "administration/home.html",
        {
            "establishments": establishments,
            "manages_academies": manages_academies,
            "reads_usage": usage_policies.can_read_any(request.actor),
        },
    )


@login_required
def establishment(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    year = _year(request)
    counts = {
        row["profile"]: row["n"]
        for row in Membership.objects.filter(establishment=school, school_year=year, is_active=True)
        .values("profile")
        .annotate(n=Count("pk"))
    }
    profiles = [(label, counts.get(value, 0)) for value, label in Profile.choices]
    return _page(
        request,
        "administration/establishment.html",
        school,
        "overview",
        {"profiles": profiles, "year": year},
    )


# -- members -----------------------------------------------------------------------------------


@login_required
def members(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    form = MemberSearchForm(request.GET or None)
    rows = Membership.objects.filter(establishment=school, school_year=_year(request))
    if form.is_valid():
        for word in form.cleaned_data["q"].split():
            rows = rows.filter(
                Q(person__first_name__icontains=word)
                | Q(person__last_name__icontains=word)
                | Q(person__username__icontains=word)
                | Q(person__email__icontains=word)
            )
        if form.cleaned_data["profile"]:
            rows = rows.filter(profile=form.cleaned_data["profile"])
    rows = rows.select_related("person").order_by(
        "person__last_name", "person__first_name", "profile", "pk"
    )
    # Two queries whatever the page size: the count, then the page.
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "administration/members.html",
        school,
        "members",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
def member_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    form = MemberForm(request.POST or None, establishment=school, year=_year(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = actions.do_create_member(
            actor=request.actor,
            establishment=school,
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            birth_date=data["birth_date"],
            profile=data["profile"],
            functions=data["functions"],
            school_class=data["school_class"],
        )
        return _page(
            request,
            "administration/member_code.html",
            school,
            "members",
            {"membership": created.membership, "code": created.activation_code, "created": True},
            status=201,
        )
    return _page(request, "administration/member_form.html", school, "members", {"form": form})


def _member_id_in(school: Establishment, year: Any, person_field: str, profile: str) -> Subquery:
    """The public id of the membership of ``profile`` in ``school`` this year of the person in
    ``person_field`` of the outer row, or None: links to member pages, one subquery."""
    return Subquery(
        Membership.objects.filter(
            person=OuterRef(person_field), establishment=school, school_year=year, profile=profile
        ).values("public_id")[:1]
    )


def _guardians(school: Establishment, year: Any, student: Any) -> list[Guardianship]:
    """Every guardian of ``student``, with their member id here when they have one (1 query)."""
    return list(
        Guardianship.objects.filter(student=student)
        .select_related("guardian")
        .annotate(member_id=_member_id_in(school, year, "guardian", Profile.GUARDIAN))
        .order_by("-legal", "guardian__last_name", "guardian__first_name", "pk")
    )


def _children(school: Establishment, year: Any, guardian: Any) -> tuple[list[Guardianship], int]:
    """The guardian's children who are students of ``school``, and how many others they have.

    Children elsewhere are only counted: their names belong to their own schools (2 queries).
    """
    links = Guardianship.objects.filter(guardian=guardian).annotate(
        member_id=_member_id_in(school, year, "student", Profile.STUDENT)
    )
    here = list(
        links.filter(member_id__isnull=False)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "pk")
    )
    return here, links.filter(member_id__isnull=True).count()


@login_required
def member(request: HttpRequest, public_id: UUID, member_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    membership = console.access_establishment_member(school, member_id)
    year = membership.school_year
    others = (
        Membership.objects.filter(person=membership.person)
        .exclude(pk=membership.pk)
        .select_related("establishment", "school_year")
    )
    # Other establishments are named only to those who administer them too.
    visible = set(administered_establishments(request.actor).values_list("pk", flat=True))
    context: dict[str, Any] = {
        "membership": membership,
        "person": membership.person,
        "others": [m for m in others if m.establishment_id in visible],
        "is_self": membership.person_id == request.user.pk,
    }
    if membership.profile == Profile.STUDENT:
        context["guardians"] = _guardians(school, year, membership.person)
    elif membership.profile == Profile.GUARDIAN:
        context["children"], context["children_elsewhere"] = _children(
            school, year, membership.person
        )
    return _page(request, "administration/member.html", school, "members", context)


@login_required
def member_edit(request: HttpRequest, public_id: UUID, member_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    membership = console.access_establishment_member(school, member_id)
    identity_editable = console.can_take_charge_of_account(request.actor, membership.person, school)
    form = MemberEditForm(
        request.POST or None,
        establishment=school,
        year=membership.school_year,
        actor=request.actor,
        membership=membership,
        identity_editable=identity_editable,
    )
    if request.method == "POST" and form.is_valid():
        actions.do_update_member(
            actor=request.actor, establishment=school, membership=membership, **form.cleaned_data
        )
        messages.success(request, _("La fiche du membre est enregistrée."))
        return redirect("administration:member", school.public_id, membership.public_id)
    academy_url = None
    if can_manage_academy(request.actor, school.academy_id):
        academy_url = reverse("administration:academy_establishment", args=[school.public_id])
    return _page(
        request,
        "administration/member_edit.html",
        school,
        "members",
        {
            "form": form,
            "membership": membership,
            "person": membership.person,
            "identity_editable": identity_editable,
            "academy_url": academy_url,
        },
    )


@login_required
@require_POST
def member_deactivate(request: HttpRequest, public_id: UUID, member_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    membership = console.access_establishment_member(school, member_id)
    if membership.person_id == request.user.pk:
        messages.error(request, _("Vous ne pouvez pas désactiver votre propre rattachement."))
    elif Function.HEAD in membership.functions and not console.holds_head_rights(
        request.actor, school
    ):
        messages.error(request, _("Seul le chef d'établissement peut désactiver ce rattachement."))
    elif membership.is_active:
        actions.do_deactivate_membership(
            actor=request.actor, establishment=school, membership=membership
        )
        messages.success(request, _("Le rattachement est désactivé."))
    return redirect("administration:member", school.public_id, membership.public_id)


@login_required
@require_POST
def member_reactivate(request: HttpRequest, public_id: UUID, member_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    membership = console.access_establishment_member(school, member_id)
    if not membership.is_active or not membership.person.is_active:
        actions.do_reactivate_membership(
            actor=request.actor, establishment=school, membership=membership
        )
        messages.success(request, _("Le rattachement est réactivé."))
    return redirect("administration:member", school.public_id, membership.public_id)


@login_required
@require_POST
def member_code(request: HttpRequest, public_id: UUID, member_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    membership = console.access_establishment_member(school, member_id)
    person = _code_holder(request, school, membership)
    if person is None:
        messages.error(request, _("Vous ne pouvez pas émettre de code pour ce rattachement."))
        return redirect("administration:member", school.public_id, membership.public_id)
    code = do_issue_activation_code(actor=request.actor, person=person, establishment=school)
    return _page(
        request,
        "administration/member_code.html",
        school,
        "members",
        {"membership": membership, "code": code, "created": False},
    )


@login_required
@require_POST
def member_letter(request: HttpRequest, public_id: UUID, member_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    membership = console.access_establishment_member(school, member_id)
    person = _code_holder(request, school, membership)
    if person is None:
        messages.error(request, _("Vous ne pouvez pas émettre de code pour ce rattachement."))
        return redirect("administration:member", school.public_id, membership.public_id)
    letters = _letters(request, school, [person])
    return _pdf(activation_letters_pdf(letters), f"activation-{person.username}.pdf")


# -- guardians of a student -------------------------------------------------------------------


def _student(school: Establishment, member_id: UUID) -> Membership:
    """A student's membership in ``school``; any other membership is as absent as a missing one."""
    membership = console.access_establishment_member(school, member_id)
    if membership.profile != Profile.STUDENT:
        raise Http404
    return membership


def _guardianship(student: Membership, guardian_id: UUID) -> Guardianship:
    """A guardianship of the student of ``student``, addressed by the guardian's public id.

    Only this student's guardianships are searched: a guardian of another student, or of a
    student of another school, is not found (Http404).
    """
    try:
        return Guardianship.objects.select_related("guardian", "student").get(
            student_id=student.person_id, guardian__public_id=guardian_id
        )
    except (Guardianship.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def _guardian_page(
    request: HttpRequest, school: Establishment, student: Membership, **context: Any
) -> HttpResponse:
    return _page(
        request,
        "administration/guardian_form.html",
        school,
        "members",
        {"membership": student, "student": student.person, **context},
    )


@login_required
def guardian_link(request: HttpRequest, public_id: UUID, member_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    student = _student(school, member_id)
    form = GuardianLinkForm(
        request.POST or None, establishment=school, year=_year(request), student=student.person
    )
    if request.method == "POST" and form.is_valid():
        link = actions.do_link_guardian(
            actor=request.actor, establishment=school, student=student.person, **form.cleaned_data
        )
        messages.success(
            request,
            _("%(guardian)s est responsable de l'élève.") % {"guardian": link.guardian},
        )
        return redirect("administration:member", school.public_id, student.public_id)
    return _guardian_page(request, school, student, form=form, mode="link")


@login_required
def guardian_create(request: HttpRequest, public_id: UUID, member_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    student = _student(school, member_id)
    form = GuardianCreateForm(request.POST or None, establishment=school, year=_year(request))
    if request.method == "POST" and form.is_valid():
        created = actions.do_create_guardian(
            actor=request.actor, establishment=school, student=student.person, **form.cleaned_data
        )
        return _page(
            request,
            "administration/member_code.html",
            school,
            "members",
            {
                "membership": created.membership,
                "code": created.activation_code,
                "created": True,
                "student_membership": student,
            },
            status=201,
        )
    return _guardian_page(request, school, student, form=form, mode="create")


@login_required
def guardianship(
    request: HttpRequest, public_id: UUID, member_id: UUID, guardian_id: UUID
) -> HttpResponse:
    school = _establishment(request, public_id)
    student = _student(school, member_id)
    link = _guardianship(student, guardian_id)
    form = GuardianshipForm(request.POST or None, instance=link)
    if request.method == "POST" and form.is_valid():
        actions.do_update_guardianship(
            actor=request.actor, establishment=school, guardianship=link, **form.cleaned_data
        )
        messages.success(request, _("La responsabilité est enregistrée."))
        return redirect("administration:member", school.public_id, student.public_id)
    return _guardian_page(request, school, student, form=form, mode="edit", guardianship=link)


@login_required
@require_POST
def guardian_unlink(
    request: HttpRequest, public_id: UUID, member_id: UUID, guardian_id: UUID
) -> HttpResponse:
    school = _establishment(request, public_id)
    student = _student(school, member_id)
    link = _guardianship(student, guardian_id)
    actions.do_unlink_guardian(actor=request.actor, establishment=school, guardianship=link)
    messages.success(
        request,
        _("%(guardian)s n'est plus responsable de l'élève.") % {"guardian": link.guardian},
    )
    return redirect("administration:member", school.public_id, student.public_id)


# -- classes, groups, enrolments ---------------------------------------------------------------


@login_required
def classes(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    year = _year(request)
    form = SchoolClassForm(request.POST or None, establishment=school, year=year)
    if request.method == "POST" and form.is_valid():
        created = actions.do_create_class(
            actor=request.actor, establishment=school, **form.cleaned_data
        )
        messages.success(request, _("La classe %(name)s est créée.") % {"name": created.name})
        return redirect("administration:classes", school.public_id)
    rows = (
        SchoolClass.objects.filter(establishment=school, school_year=year)
        .select_related("level", "head_teacher")
        .annotate(student_count=Count("enrolments"))
    )
    return _page(
        request, "administration/classes.html", school, "classes", {"form": form, "rows": rows}
    )


@login_required
def school_class(request: HttpRequest, public_id: UUID, class_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    obj = console.access_establishment_class(school, class_id)
    form = SchoolClassForm(
        request.POST or None, establishment=school, year=obj.school_year, instance=obj
    )
    if request.method == "POST" and form.is_valid():
        actions.do_update_class(
            actor=request.actor, establishment=school, school_class=obj, **form.cleaned_data
        )
        messages.success(request, _("La classe est enregistrée."))
        return redirect("administration:class", school.public_id, obj.public_id)
    students = [
        e.student
        for e in Enrolment.objects.filter(school_class=obj, establishment=school)
        .select_related("student")
        .order_by("student__last_name", "student__first_name")
    ]
    return _page(
        request,
        "administration/class.html",
        school,
        "classes",
        {"school_class": obj, "form": form, "students": students},
    )


@login_required
@require_POST
def class_letters(request: HttpRequest, public_id: UUID, class_id: UUID) -> HttpResponse:
    """Letters for every student of the class whose account is not activated yet."""
    school = _establishment(request, public_id)
    obj = console.access_establishment_class(school, class_id)
    students = list(
        activation_code_people(request.actor, school)
        .filter(
            enrolments__school_class=obj,
            enrolments__establishment=school,
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
        )
        .order_by("last_name", "first_name")
    )
    if not students:
        messages.success(request, _("Tous les élèves de la classe ont activé leur compte."))
        return redirect("administration:class", school.public_id, obj.public_id)
    letters = _letters(request, school, students)
    return _pdf(activation_letters_pdf(letters), f"activation-{obj.name}.pdf".replace(" ", "-"))


@login_required
def groups(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    year = _year(request)
    form = TeachingGroupForm(request.POST or None, establishment=school, year=year)
    if request.method == "POST" and form.is_valid():
        created = actions.do_create_group(
            actor=request.actor,
            establishment=school,
            name=form.cleaned_data["name"],
            students=list(form.cleaned_data["students"]),
        )
        messages.success(request, _("Le groupe %(name)s est créé.") % {"name": created.name})
        return redirect("administration:groups", school.public_id)
    rows = TeachingGroup.objects.filter(establishment=school, school_year=year).annotate(
        student_count=Count("groupmembership")
    )
    return _page(
        request, "administration/groups.html", school, "groups", {"form": form, "rows": rows}
    )


@login_required
def group(request: HttpRequest, public_id: UUID, group_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    obj = console.access_establishment_group(school, group_id)
    form = TeachingGroupForm(
        request.POST or None, establishment=school, year=obj.school_year, instance=obj
    )
    if request.method == "POST" and form.is_valid():
        actions.do_update_group(
            actor=request.actor,
            establishment=school,
            group=obj,
            name=form.cleaned_data["name"],
            students=list(form.cleaned_data["students"]),
        )
        messages.success(request, _("Le groupe est enregistré."))
        return redirect("administration:group", school.public_id, obj.public_id)
    return _page(
        request, "administration/group.html", school, "groups", {"group": obj, "form": form}
    )


@login_required
def enrolments(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    year = _year(request)
    form = EnrolmentForm(request.POST or None, establishment=school, year=year)
    if request.method == "POST" and form.is_valid():
        actions.do_enrol_student(actor=request.actor, establishment=school, **form.cleaned_data)
        messages.success(
            request,
            _("%(student)s est inscrit(e) en %(class)s.")
            % {
                "student": form.cleaned_data["student"],
                "class": form.cleaned_data["school_class"],
            },
        )
        return redirect("administration:enrolments", school.public_id)
    page = Paginator(establishment_people(school, year, Profile.STUDENT), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    enrolled = {
        e.student_id: e.school_class
        for e in Enrolment.objects.filter(
            establishment=school, school_year=year, student__in=[s.pk for s in page]
        ).select_related("school_class")
    }
    students = [(student, enrolled.get(student.pk)) for student in page]
    return _page(
        request,
        "administration/enrolments.html",
        school,
        "enrolments",
        {"form": form, "students": students, "page": page},
    )


# -- subjects, teaching assignments, periods ---------------------------------------------------


@login_required
def subjects(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    form = SubjectForm(request.POST or None, establishment=school, year=_year(request))
    if request.method == "POST" and form.is_valid():
        actions.do_create_subject(actor=request.actor, establishment=school, **form.cleaned_data)
        messages.success(request, _("La matière est créée."))
        return redirect("administration:subjects", school.public_id)
    rows = Subject.objects.filter(establishment=school)
    return _page(
        request, "administration/subjects.html", school, "subjects", {"form": form, "rows": rows}
    )


@login_required
def subject(request: HttpRequest, public_id: UUID, subject_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    obj = console.access_establishment_subject(school, subject_id)
    form = SubjectForm(
        request.POST or None, establishment=school, year=_year(request), instance=obj
    )
    if request.method == "POST" and form.is_valid():
        actions.do_update_subject(
            actor=request.actor, establishment=school, subject=obj, **form.cleaned_data
        )
        messages.success(request, _("La matière est enregistrée."))
        return redirect("administration:subjects", school.public_id)
    return _page(
        request, "administration/subject.html", school, "subjects", {"subject": obj, "form": form}
    )


@login_required
def assignments(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    year = _year(request)
    rows = TeachingAssignment.objects.filter(establishment=school, school_year=year)
    if request.method == "POST" and "delete" in request.POST:
        assignment = get_or_404(
            rows.select_related("teacher", "subject", "school_class", "group"),
            request.POST["delete"],
        )
        actions.do_delete_assignment(
            actor=request.actor, establishment=school, assignment=assignment
        )
        messages.success(request, _("Le service d'enseignement est retiré."))
        return redirect("administration:assignments", school.public_id)
    form = AssignmentForm(request.POST or None, establishment=school, year=year)
    if request.method == "POST" and form.is_valid():
        actions.do_create_assignment(actor=request.actor, establishment=school, **form.cleaned_data)
        messages.success(request, _("Le service d'enseignement est attribué."))
        return redirect("administration:assignments", school.public_id)
    rows = rows.select_related("teacher", "subject", "school_class", "group").order_by(
        "teacher__last_name", "teacher__first_name", "subject__label"
    )
    return _page(
        request,
        "administration/assignments.html",
        school,
        "assignments",
        {"form": form, "rows": rows},
    )


@login_required
def periods(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    year = _year(request)
    form = PeriodForm(request.POST or None, establishment=school, year=year)
    if request.method == "POST" and form.is_valid():
        actions.do_create_period(actor=request.actor, establishment=school, **form.cleaned_data)
        messages.success(request, _("La période est créée."))
        return redirect("administration:periods", school.public_id)
    rows = Period.objects.filter(establishment=school, school_year=year)
    return _page(
        request,
        "administration/periods.html",
        school,
        "periods",
        {"form": form, "rows": rows, "year": year},
    )


@login_required
def period(request: HttpRequest, public_id: UUID, period_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    obj = console.access_establishment_period(school, period_id)
    form = PeriodForm(
        request.POST or None, establishment=school, year=obj.school_year, instance=obj
    )
    if request.method == "POST" and form.is_valid():
        actions.do_update_period(
            actor=request.actor, establishment=school, period=obj, **form.cleaned_data
        )
        messages.success(request, _("La période est enregistrée."))
        return redirect("administration:periods", school.public_id)
    return _page(
        request, "administration/period.html", school, "periods", {"period": obj, "form": form}
    )


# -- portal: services and branding -------------------------------------------------------------


@login_required
def services(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    form = ServicesForm(request.POST or None, choices=service_choices(school))
    if request.method == "POST" and form.is_valid():
        try:
            do_update_services(
                actor=request.actor, establishment=school, choices=form.service_settings()
            )
        except ServiceCannotBeDisabled:
            form.add_error(None, _("Ce service ne peut pas être désactivé."))
        else:
            messages.success(request, _("Les services sont enregistrés."))
            return redirect("administration:services", school.public_id)
    return _page(request, "administration/services.html", school, "services", {"form": form})


@login_required
def branding(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    form = BrandingForm(request.POST or None, request.FILES or None, establishment=school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        do_update_branding(
            actor=request.actor,
            establishment=school,
            primary_colour=data["primary_colour"],
            accent_colour=data["accent_colour"],
            welcome_text=data["welcome_text"],
            logo=data["logo"],
            remove_logo=data["remove_logo"],
        )
        messages.success(request, _("L'apparence est enregistrée."))
        return redirect("administration:branding", school.public_id)
    return _page(request, "administration/branding.html", school, "branding", {"form": form})


# -- audit -------------------------------------------------------------------------------------


def _changes(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    before, after = entry.before or {}, entry.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return [(key, before.get(key), after.get(key)) for key in keys]


@login_required
def audit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    entries = AuditEntry.objects.filter(establishment=school).select_related("actor")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(entry, _changes(entry)) for entry in page]
    return _page(
        request, "administration/audit.html", school, "audit", {"page": page, "rows": rows}
    )


# -- academy -----------------------------------------------------------------------------------


def _academies(request: HttpRequest) -> Any:
    academies = console.managed_academies(request.actor)
    if not academies.exists():
        raise Http404
    return academies


@login_required
def academy(request: HttpRequest) -> HttpResponse:
    academies = _academies(request)
    rows = console.academy_establishments(request.actor).select_related("academy")
    return render(
        request,
        "administration/academy.html",
        {"academies": academies, "rows": rows.order_by("academy__name", "name")},
    )


@login_required
def academy_audit(request: HttpRequest) -> HttpResponse:
    """What was registered or changed for the whole academy (its CAS services, applications,
    LTI tools and identity providers); each establishment's own changes are in its journal."""
    academies = _academies(request)
    entries = AuditEntry.objects.filter(academy__in=academies).select_related("actor", "academy")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(entry, _changes(entry)) for entry in page]
    return render(request, "administration/academy_audit.html", {"page": page, "rows": rows})


@login_required
def academy_establishment_create(request: HttpRequest) -> HttpResponse:
    academies = _academies(request)
    form = EstablishmentCreateForm(request.POST or None, academies=academies)
    if request.method == "POST" and form.is_valid():
        created = actions.do_create_establishment(actor=request.actor, **form.cleaned_data)
        messages.success(request, _("L'établissement %(name)s est créé.") % {"name": created.name})
        return redirect("administration:academy_establishment", created.public_id)
    return render(request, "administration/academy_establishment_form.html", {"form": form})


def _heads(school: Establishment, year: Any) -> list[Membership]:
    return [
        m
        for m in Membership.objects.filter(
            establishment=school, school_year=year, is_active=True
        ).select_related("person")
        if "head" in m.functions
    ]


@login_required
def academy_establishment(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = console.access_academy_establishment(request.actor, public_id)
    return render(
        request,
        "administration/academy_establishment.html",
        {
            "establishment": school,
            "heads": _heads(school, _year(request)),
            "form": AppointHeadForm(),
        },
    )


@login_required
@require_POST
def academy_establishment_active(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = console.access_academy_establishment(request.actor, public_id)
    actions.do_set_establishment_active(
        actor=request.actor, establishment=school, is_active=not school.is_active
    )
    if school.is_active:
        messages.success(request, _("L'établissement est réactivé."))
    else:
        messages.success(request, _("L'établissement est désactivé."))
    return redirect("administration:academy_establishment", school.public_id)


@login_required
@require_POST
def academy_establishment_head(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = console.access_academy_establishment(request.actor, public_id)
    form = AppointHeadForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "administration/academy_establishment.html",
            {"establishment": school, "heads": _heads(school, _year(request)), "form": form},
            status=400,
        )
    data = form.cleaned_data
    appointment = actions.do_appoint_head(
        actor=request.actor,
        establishment=school,
        person=data["person"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
    )
    return render(
        request,
        "administration/academy_head_appointed.html",
        {
            "establishment": school,
            "membership": appointment.membership,
            "code": appointment.activation_code,
        },
    )


@login_required
def academy_establishment_rollover(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The school-year rollover of one establishment: what it will do (GET), done (POST)."""
    school = console.access_academy_establishment(request.actor, public_id)
    if request.method == "POST":
        done = do_rollover(actor=request.actor, establishment=school)
        messages.success(
            request,
            _("L'année scolaire %(year)s est archivée ; l'année %(next)s est prête.")
            % {"year": done.closing.label, "next": done.next_label},
        )
        return redirect("administration:academy_establishment", school.public_id)
    return render(
        request,
        "administration/academy_rollover.html",
        {"establishment": school, "plan": plan_rollover(school)},
    )
