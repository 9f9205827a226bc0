"""Forms of the médiacentre. They parse; the rules are in actions.py (whose refusals the views
put back on the form) and their choices come from the policies."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Establishment, Level, Profile, SchoolClass
from preau.resources import policies
from preau.resources.models import TEACHER_KINDS, IdentifierKind, LicenceAudience, ResourceKind

User = get_user_model()


class FiltersForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    subject = forms.ChoiceField(label=_("Matière"), required=False)
    level = forms.ChoiceField(label=_("Niveau"), required=False)

    def __init__(self, *args: Any, subjects: list[str], levels: list[Level], **kwargs: Any):
        from preau.resources.selectors import TOOL_KIND

        super().__init__(*args, **kwargs)
        everything = [("", _("Tous"))]
        self.fields["kind"].choices = (
            everything + list(ResourceKind.choices) + [(TOOL_KIND, _("Outil pédagogique (LTI)"))]
        )
        self.fields["subject"].choices = [("", _("Toutes"))] + [(s, s) for s in subjects]
        self.fields["level"].choices = everything + [(lv.code, lv.label) for lv in levels]


class TeacherResourceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[(k.value, k.label) for k in TEACHER_KINDS],
        widget=forms.RadioSelect,
        initial=ResourceKind.LINK,
    )
    title = forms.CharField(label=_("Titre"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea
    )
    subject = forms.CharField(label=_("Matière"), max_length=120, required=False)
    levels = forms.ModelMultipleChoiceField(
        label=_("Niveaux"),
        queryset=Level.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    url = forms.CharField(
        label=_("Adresse du lien"), max_length=2000, required=False, help_text="https://…"
    )
    drive_file = forms.ModelChoiceField(
        label=_("Fichier de votre espace"), queryset=None, required=False
    )
    classes = forms.ModelMultipleChoiceField(
        label=_("Classes"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Groupes"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["levels"].queryset = Level.objects.order_by("order")
        self.fields["drive_file"].queryset = policies.placeable_files(actor)
        self.fields["classes"].queryset = policies.placeable_classes(actor)
        self.fields["groups"].queryset = policies.placeable_groups(actor)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == ResourceKind.LINK and not data.get("url"):
            self.add_error("url", _("Indiquez l'adresse du lien."))
        if data.get("kind") == ResourceKind.DOCUMENT and not data.get("drive_file"):
            self.add_error("drive_file", _("Choisissez un fichier de votre espace."))
        return data


class PublisherResourceForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    publisher = forms.CharField(label=_("Éditeur"), max_length=120)
    distributor = forms.CharField(label=_("Distributeur"), max_length=120, required=False)
    identifier_kind = forms.ChoiceField(
        label=_("Type d'identifiant"),
        choices=[("", "—"), *IdentifierKind.choices],
        required=False,
    )
    identifier = forms.CharField(
        label=_("Identifiant de la ressource"),
        max_length=200,
        required=False,
        help_text=_("L'identifiant du GAR (« idRessource ») : un ARK ou celui du distributeur."),
    )
    url = forms.CharField(label=_("Adresse d'accès"), max_length=2000, help_text="https://…")
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea
    )
    subject = forms.CharField(label=_("Matière"), max_length=120, required=False)
    levels = forms.ModelMultipleChoiceField(
        label=_("Niveaux"),
        queryset=Level.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["levels"].queryset = Level.objects.order_by("order")


_SEPARATORS = re.compile(r"[\s,;]+")


class LicenceForm(forms.Form):
    resource = forms.ModelChoiceField(label=_("Ressource"), queryset=None)
    audience = forms.ChoiceField(
        label=_("Affectée à"),
        choices=LicenceAudience.choices,
        initial=LicenceAudience.ESTABLISHMENT,
        widget=forms.RadioSelect,
    )
    profiles = forms.MultipleChoiceField(
        label=_("Profils"),
        choices=[(p.value, p.label) for p in Profile if p != Profile.GUARDIAN],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    classes = forms.ModelMultipleChoiceField(
        label=_("Classes"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    people = forms.CharField(
        label=_("Personnes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leurs identifiants de connexion, séparés par des espaces ou des virgules."),
    )
    seats = forms.IntegerField(
        label=_("Nombre de licences"),
        required=False,
        help_text=_("Vide : sans limite de nombre."),
    )
    starts_on = forms.DateField(
        label=_("Premier jour"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    ends_on = forms.DateField(
        label=_("Dernier jour"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    reference = forms.CharField(label=_("Référence de la commande"), max_length=120, required=False)

    def __init__(self, *args: Any, establishment: Establishment, year: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = policies.licensable_resources(establishment).order_by(
            "title"
        )
        self.fields["classes"].queryset = SchoolClass.objects.filter(
            establishment=establishment, school_year=year
        ).select_related("level")

    def clean_people(self) -> list[Any]:
        names = [name for name in _SEPARATORS.split(self.cleaned_data["people"]) if name]
        if not names:
            return []
        found = {u.username: u for u in User.objects.filter(username__in=names)}
        unknown = [name for name in names if name not in found]
        if unknown:
            raise forms.ValidationError(
                _("Identifiants inconnus : %(names)s.") % {"names": ", ".join(unknown)}
            )
        return list(dict.fromkeys(found[name] for name in names))
