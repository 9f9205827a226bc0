"""Forms of the workspaces: the workspace, adding members, topics and posts, reports.

Choices come from groups/policies.py: an animator can only pick people, classes and groups of
the workspace's establishment who may join it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from preau.groups import policies
from preau.groups.models import Role, Workspace, WorkspaceKind

BODY_HELP = _(
    "Texte simple (une ligne vide sépare les paragraphes) ou HTML : paragraphes, gras, "
    "italique, listes, citations et liens."
)


class WorkspaceForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=120)
    kind = forms.ChoiceField(label=_("Type"), choices=WorkspaceKind.choices)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Donnez un nom à l'espace."))
        return name


class PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class AddPeopleForm(forms.Form):
    """People chosen among the search results (checkboxes), with the role they get."""

    people = PersonChoice(
        label=_("Personnes"),
        queryset=None,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Cochez au moins une personne."),
            "invalid_choice": _("Cette personne ne peut pas rejoindre l'espace."),
            "invalid_pk_value": _("Cette personne ne peut pas rejoindre l'espace."),
        },
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = policies.addable_people(workspace)


class NamedChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class AddClassesForm(forms.Form):
    """Whole classes and teaching groups of the establishment: their students join at once."""

    classes = NamedChoice(
        label=_("Classes"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    groups = NamedChoice(
        label=_("Groupes"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classes"].queryset = policies.addable_classes(workspace)
        self.fields["groups"].queryset = policies.addable_groups(workspace)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not (data.get("classes") or data.get("groups")):
            raise forms.ValidationError(_("Cochez au moins une classe ou un groupe."))
        return data


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Sujet"), max_length=160)
    body = forms.CharField(
        label=_("Message"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=BODY_HELP,
    )


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Votre réponse"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=BODY_HELP,
        error_messages={"required": _("Le message est vide.")},
    )


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("Motif (facultatif)"), required=False, max_length=1000)
