"""Forms of the directory's administration. Every choice comes from the establishment being edited
(or, for academy forms, from the academies the actor manages): a value posted by hand from
elsewhere is not among the choices and fails validation, so it is never written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from preau.directory.actions import member_update_refusals
from preau.directory.models import (
    Academy,
    Establishment,
    Function,
    Guardianship,
    Level,
    Membership,
    Period,
    PeriodKind,
    Profile,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
    TeachingGroup,
)

User = get_user_model()


# -- choices of one establishment --------------------------------------------------------------


def establishment_people(establishment: Establishment, year: SchoolYear, profile: str) -> QuerySet:
    """People with an active membership of ``profile`` in the establishment this year."""
    return (
        User.objects.filter(
            memberships__establishment=establishment,
            memberships__school_year=year,
            memberships__profile=profile,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def establishment_classes(establishment: Establishment, year: SchoolYear) -> QuerySet:
    return SchoolClass.objects.filter(establishment=establishment, school_year=year).select_related(
        "level"
    )


def establishment_groups(establishment: Establishment, year: SchoolYear) -> QuerySet:
    return TeachingGroup.objects.filter(establishment=establishment, school_year=year)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.last_name} {obj.first_name} ({obj.username})".strip()


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.last_name} {obj.first_name} ({obj.username})".strip()


class EstablishmentForm(forms.Form):
    """A form bound to one establishment and school year."""

    def __init__(
        self, *args: Any, establishment: Establishment, year: SchoolYear, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.establishment = establishment
        self.year = year


# -- members -----------------------------------------------------------------------------------


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher"),
        required=False,
        max_length=100,
        help_text=_("Nom, prénom, identifiant ou adresse e-mail."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    profile = forms.ChoiceField(
        label=_("Profil"), required=False, choices=[("", _("Tous")), *Profile.choices]
    )


class MemberForm(EstablishmentForm):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Adresse e-mail"), required=False)
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    profile = forms.ChoiceField(label=_("Profil"), choices=Profile.choices)
    functions = forms.MultipleChoiceField(
        label=_("Fonctions"),
        required=False,
        choices=Function.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    school_class = forms.ModelChoiceField(
        label=_("Classe"),
        required=False,
        queryset=SchoolClass.objects.none(),
        help_text=_("Pour un élève : la classe où l'inscrire cette année."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = establishment_classes(self.establishment, self.year)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("school_class") and data.get("profile") != Profile.STUDENT:
            self.add_error("school_class", _("Seul un élève peut être inscrit dans une classe."))
        if data.get("functions") and data.get("profile") in (Profile.STUDENT, Profile.GUARDIAN):
            self.add_error("functions", _("Un élève ou un responsable n'a pas de fonction."))
        return data


class MemberEditForm(EstablishmentForm):
    """A member's identity and the functions of their membership.

    The identity fields are disabled (their posted values ignored) when ``identity_editable`` is
    false: the person is known elsewhere too, and their e-mail address opens their account.
    """

    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Adresse e-mail"), required=False)
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    functions = forms.MultipleChoiceField(
        label=_("Fonctions"),
        required=False,
        choices=Function.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Pour les personnels seulement. La fonction « Administrateur de l'ENT » donne accès "
            "à cette console."
        ),
    )

    def __init__(
        self,
        *args: Any,
        actor: Any,
        membership: Membership,
        identity_editable: bool = True,
        **kwargs: Any,
    ) -> None:
        person = membership.person
        kwargs.setdefault(
            "initial",
            {
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": person.email,
                "birth_date": person.birth_date,
                "functions": list(membership.functions),
            },
        )
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.membership = membership
        if not identity_editable:
            for name in ("first_name", "last_name", "email", "birth_date"):
                self.fields[name].disabled = True
            self.fields["email"].help_text = _(
                "Ce compte ne relève pas de votre seule administration (autre établissement, "
                "enfant scolarisé ailleurs ou fonction de direction) : son identité se modifie "
                "auprès de l'académie."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "functions" in data:
            for message in member_update_refusals(
                actor=self.actor,
                establishment=self.establishment,
                membership=self.membership,
                functions=data["functions"],
            ):
                self.add_error("functions", message)
        return data


# -- guardians ---------------------------------------------------------------------------------


class GuardianshipForm(forms.Form):
    """The link between a guardian and a student: what the guardian is, and the legal flags."""

    relationship = forms.CharField(
        label=_("Lien avec l'élève"),
        required=False,
        max_length=40,
        help_text=_("Par exemple : mère, père, tuteur."),
    )
    legal = forms.BooleanField(label=_("Responsable légal"), required=False, initial=True)
    financial = forms.BooleanField(label=_("Responsable financier"), required=False)
    contact = forms.BooleanField(label=_("À contacter"), required=False, initial=True)

    def __init__(self, *args: Any, instance: Guardianship | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "relationship": instance.relationship,
                    "legal": instance.legal,
                    "financial": instance.financial,
                    "contact": instance.contact,
                },
            )
        super().__init__(*args, **kwargs)


class GuardianLinkForm(EstablishmentForm, GuardianshipForm):
    """An existing guardian of the establishment, chosen by public id, for one of its students."""

    guardian = PersonChoiceField(
        label=_("Responsable"), queryset=User.objects.none(), to_field_name="public_id"
    )
    field_order = ["guardian", "relationship", "legal", "financial", "contact"]

    def __init__(self, *args: Any, student: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = (
            establishment_people(self.establishment, self.year, Profile.GUARDIAN)
            .exclude(pk=student.pk)
            .exclude(guardianships__student=student)
        )


class GuardianCreateForm(EstablishmentForm, GuardianshipForm):
    """A new person, guardian in the establishment, for one of its students."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Adresse e-mail"), required=False)
    field_order = ["first_name", "last_name", "email", "relationship"]


# -- classes, groups, enrolments ---------------------------------------------------------------


class SchoolClassForm(EstablishmentForm):
    name = forms.CharField(label=_("Nom"), max_length=40)
    level = forms.ModelChoiceField(label=_("Niveau"), queryset=Level.objects.all())
    head_teacher = PersonChoiceField(
        label=_("Professeur principal"), required=False, queryset=User.objects.none()
    )

    def __init__(self, *args: Any, instance: SchoolClass | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "level": instance.level_id,
                "head_teacher": instance.head_teacher_id,
            }
        super().__init__(*args, **kwargs)
        self.fields["head_teacher"].queryset = establishment_people(
            self.establishment, self.year, Profile.TEACHER
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = establishment_classes(self.establishment, self.year).filter(name__iexact=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Une classe porte déjà ce nom cette année."))
        return name


class TeachingGroupForm(EstablishmentForm):
    name = forms.CharField(label=_("Nom"), max_length=60)
    students = PeopleChoiceField(
        label=_("Élèves"),
        required=False,
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, instance: TeachingGroup | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "students": list(instance.groupmembership_set.values_list("student_id", flat=True)),
            }
        super().__init__(*args, **kwargs)
        self.fields["students"].queryset = establishment_people(
            self.establishment, self.year, Profile.STUDENT
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = establishment_groups(self.establishment, self.year).filter(name__iexact=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Un groupe porte déjà ce nom cette année."))
        return name


class EnrolmentForm(EstablishmentForm):
    student = PersonChoiceField(label=_("Élève"), queryset=User.objects.none())
    school_class = forms.ModelChoiceField(label=_("Classe"), queryset=SchoolClass.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = establishment_people(
            self.establishment, self.year, Profile.STUDENT
        )
        self.fields["school_class"].queryset = establishment_classes(self.establishment, self.year)


# -- subjects, teaching assignments, periods ---------------------------------------------------


class SubjectForm(EstablishmentForm):
    code = forms.CharField(
        label=_("Code national"),
        max_length=16,
        help_text=_("Le code de la matière dans les nomenclatures nationales, par exemple 061300."),
    )
    label = forms.CharField(label=_("Libellé"), max_length=120)
    short_label = forms.CharField(label=_("Libellé court"), max_length=24, required=False)

    def __init__(self, *args: Any, instance: Subject | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": instance.code,
                "label": instance.label,
                "short_label": instance.short_label,
            }
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        others = Subject.objects.filter(establishment=self.establishment, code=code)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("Une matière de l'établissement a déjà le code « %(code)s »."),
                params={"code": code},
            )
        return code


class AssignmentForm(EstablishmentForm):
    teacher = PersonChoiceField(label=_("Enseignant"), queryset=User.objects.none())
    subject = forms.ModelChoiceField(label=_("Matière"), queryset=Subject.objects.none())
    school_class = forms.ModelChoiceField(
        label=_("Classe"), required=False, queryset=SchoolClass.objects.none()
    )
    group = forms.ModelChoiceField(
        label=_("Groupe"), required=False, queryset=TeachingGroup.objects.none()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = establishment_people(
            self.establishment, self.year, Profile.TEACHER
        )
        self.fields["subject"].queryset = Subject.objects.filter(establishment=self.establishment)
        self.fields["school_class"].queryset = establishment_classes(self.establishment, self.year)
        self.fields["group"].queryset = establishment_groups(self.establishment, self.year)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        school_class, group = data.get("school_class"), data.get("group")
        if bool(school_class) == bool(group):
            raise forms.ValidationError(_("Choisissez une classe ou un groupe, pas les deux."))
        if (
            data.get("teacher")
            and data.get("subject")
            and TeachingAssignment.objects.filter(
                establishment=self.establishment,
                teacher=data["teacher"],
                subject=data["subject"],
                school_class=school_class,
                group=group,
            ).exists()
        ):
            raise forms.ValidationError(_("Cet enseignement est déjà attribué à cet enseignant."))
        return data


class PeriodForm(EstablishmentForm):
    kind = forms.ChoiceField(label=_("Type"), choices=PeriodKind.choices)
    number = forms.IntegerField(label=_("Numéro"), min_value=1, max_value=6)
    start_date = forms.DateField(
        label=_("Début"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_date = forms.DateField(
        label=_("Fin"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, instance: Period | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": instance.kind,
                "number": instance.number,
                "start_date": instance.start_date,
                "end_date": instance.end_date,
            }
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end, number = data.get("start_date"), data.get("end_date"), data.get("number")
        if start is None or end is None:
            return data
        if end <= start:
            raise forms.ValidationError(_("La période doit finir après son début."))
        if start < self.year.start_date or end > self.year.end_date:
            raise forms.ValidationError(
                _(
                    "La période doit tenir dans l'année scolaire %(year)s "
                    "(du %(start)s au %(end)s)."
                ),
                params={
                    "year": self.year.label,
                    "start": self.year.start_date.strftime("%d/%m/%Y"),
                    "end": self.year.end_date.strftime("%d/%m/%Y"),
                },
            )
        others = Period.objects.filter(establishment=self.establishment, school_year=self.year)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        overlapping = others.filter(start_date__lte=end, end_date__gte=start).first()
        if overlapping is not None:
            raise forms.ValidationError(
                _("Ces dates chevauchent la période « %(period)s » (du %(start)s au %(end)s)."),
                params={
                    "period": str(overlapping),
                    "start": overlapping.start_date.strftime("%d/%m/%Y"),
                    "end": overlapping.end_date.strftime("%d/%m/%Y"),
                },
            )
        if number is not None and others.filter(number=number).exists():
            self.add_error("number", _("Une autre période porte déjà ce numéro cette année."))
        return data


# -- establishments (academy administration) ---------------------------------------------------


class EstablishmentCreateForm(forms.ModelForm):
    """The model's validators check the UAI (format and control letter) and its uniqueness."""

    class Meta:
        model = Establishment
        fields = ["uai", "name", "kind", "city", "academy"]

    def __init__(self, *args: Any, academies: QuerySet[Academy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academy"].queryset = academies
        self.fields["uai"].help_text = _(
            "7 chiffres et une lettre de contrôle, par exemple 0751234J."
        )

    def clean_uai(self) -> str:
        return self.cleaned_data["uai"].strip().upper()


class AppointHeadForm(forms.Form):
    """An existing person by username, or the names of a new person."""

    username = forms.CharField(
        label=_("Identifiant d'une personne existante"), required=False, max_length=150
    )
    first_name = forms.CharField(label=_("Prénom"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Nom"), required=False, max_length=150)
    email = forms.EmailField(label=_("Adresse e-mail"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        username = (data.get("username") or "").strip()
        data["person"] = None
        if username:
            # The platform's own administrators are never made heads of a school from here.
            data["person"] = User.objects.filter(
                username__iexact=username, is_superuser=False, is_staff=False
            ).first()
            if data["person"] is None:
                self.add_error("username", _("Aucune personne n'a cet identifiant."))
        elif not (data.get("first_name") and data.get("last_name")):
            raise forms.ValidationError(
                _(
                    "Indiquez l'identifiant d'une personne existante, ou le prénom et le nom "
                    "d'une nouvelle personne."
                )
            )
        return data
