"""The compose form, its recipient choices, and the establishment's rules form.

A school has hundreds of people: the recipient checkboxes list those already chosen plus the
matches of a server-side search (``q``) among the people the author may write to, never the
whole establishment. Anyone chosen is checked again by the send action, which names whoever
the rules forbid.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from preau.core.uploads import MultipleFileField
from preau.directory.models import Membership, Profile
from preau.messaging import policies
from preau.messaging.content import (
    ATTACHMENTS_PER_MESSAGE,
    CheckedFile,
    attachable_drive_files,
    check_attachment,
    check_drive_file,
)
from preau.messaging.models import MessagingRules

SEARCH_RESULTS = 40
BODY_MAX = 20000


def with_profile(actor: Any, people: QuerySet) -> QuerySet:
    """People annotated with their profile in the current establishment (same query)."""
    profile = Membership.objects.filter(
        person=OuterRef("pk"),
        establishment=actor.establishment,
        school_year=actor.school_year,
        is_active=True,
    ).values("profile")[:1]
    return people.annotate(profile=Subquery(profile))


def person_label(person: Any) -> str:
    name = f"{person.last_name} {person.first_name}".strip() or person.username
    profile = getattr(person, "profile", None)
    labels = dict(Profile.choices)
    return f"{name} · {labels[profile]}" if profile in labels else name


def search_people(actor: Any, query: str) -> list[Any]:
    """Up to SEARCH_RESULTS people the actor may write to whose name matches every word."""
    people = policies.allowed_recipients(actor)
    for word in query.split()[:5]:
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return list(with_profile(actor, people)[:SEARCH_RESULTS])


def establishment_people(actor: Any, public_ids: list[str]) -> list[Any]:
    """The chosen people who belong to the current establishment (whatever the rules say, so
    that the send action can name those it refuses)."""
    if not public_ids or actor.establishment is None:
        return []
    valid = []
    for value in public_ids:
        try:
            valid.append(forms.UUIDField().clean(value))
        except forms.ValidationError:
            continue
    members = Membership.objects.filter(
        establishment=actor.establishment, school_year=actor.school_year, is_active=True
    ).values("person_id")
    people = policies.User.objects.filter(public_id__in=valid, pk__in=members).order_by(
        "last_name", "first_name"
    )
    return list(with_profile(actor, people))


class AttachmentChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.original_name


class ComposeForm(forms.Form):
    """A new message, a reply, a forward or a draft. ``fixed_subject``: a reply's subject is
    its conversation's."""

    subject = forms.CharField(label=_("Objet"), max_length=200, required=False)
    q = forms.CharField(
        label=_("Chercher une personne"),
        max_length=100,
        required=False,
        help_text=_("Un nom ou un prénom, puis « Chercher »."),
    )
    people = forms.MultipleChoiceField(
        label=_("Personnes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    lists = forms.MultipleChoiceField(
        label=_("Listes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Texte simple (une ligne vide sépare les paragraphes) ou HTML : paragraphes, gras, "
            "italique, listes, citations et liens."
        ),
    )
    urgent = forms.BooleanField(
        label=_("Urgent"),
        required=False,
        help_text=_(
            "Notifié aussitôt, même pendant les heures calmes. Chaque message urgent est "
            "inscrit au journal."
        ),
    )
    attachments = MultipleFileField(
        label=_("Pièces jointes"),
        required=False,
        help_text=_(
            "PDF, images ou documents bureautiques, 10 Mo au plus chacun. Ajoutez-les en "
            "dernier : une recherche de destinataires ne les garde pas."
        ),
    )
    drive_files = forms.MultipleChoiceField(
        label=_("Joindre depuis Mes documents"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Vos derniers fichiers que l'on peut joindre : une copie part avec le message."
        ),
    )
    remove_attachments = AttachmentChoice(
        label=_("Retirer ces pièces jointes"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        actor: Any,
        fixed_subject: bool = False,
        chosen: list[Any] | None = None,
        query: str = "",
        draft: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.actor = actor
        self.fixed_subject = fixed_subject
        if fixed_subject:
            del self.fields["subject"]
        if not policies.can_mark_urgent(actor):
            del self.fields["urgent"]
        self.drive_files = {str(node.public_id): node for node in attachable_drive_files(actor)}
        if self.drive_files:
            self.fields["drive_files"].choices = [
                (key, f"{node.name} ({filesizeformat(node.size)})")
                for key, node in self.drive_files.items()
            ]
        else:
            del self.fields["drive_files"]
        if draft is None:
            del self.fields["remove_attachments"]
        else:
            self.fields["remove_attachments"].queryset = draft.attachments.all()
        if data is not None:
            chosen = establishment_people(actor, data.getlist("people"))
        self.chosen = chosen or []
        self.query = query.strip()
        self.results = search_people(actor, self.query) if self.query or data is None else []
        shown = {p.pk: p for p in [*self.chosen, *self.results]}
        self.people_by_id = {str(p.public_id): p for p in shown.values()}
        self.fields["people"].choices = [
            (str(p.public_id), person_label(p)) for p in shown.values()
        ]
        self.fields["people"].error_messages["invalid_choice"] = _(
            "Un destinataire choisi ne fait pas partie de votre établissement."
        )
        self.usable_lists = policies.recipient_lists(actor)
        self.fields["lists"].choices = [(item.code, item.label) for item in self.usable_lists]
        self.fields["lists"].error_messages["invalid_choice"] = _(
            "Vous ne pouvez pas écrire à cette liste."
        )
        if not self.usable_lists:
            del self.fields["lists"]

    def clean_subject(self) -> str:
        return self.cleaned_data["subject"].strip()

    def clean_attachments(self) -> list[CheckedFile]:
        files = self.cleaned_data.get("attachments") or []
        return [check_attachment(upload) for upload in files]

    def clean_drive_files(self) -> list[CheckedFile]:
        return [check_drive_file(self.drive_files[key]) for key in self.cleaned_data["drive_files"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Uploaded and drive files travel together, under one limit.
        files = [*(data.get("attachments") or []), *(data.pop("drive_files", None) or [])]
        data["attachments"] = files
        if len(files) > ATTACHMENTS_PER_MESSAGE:
            self.add_error(
                "attachments",
                forms.ValidationError(
                    ngettext_lazy(
                        "%(count)d pièce jointe au plus.",
                        "%(count)d pièces jointes au plus.",
                        ATTACHMENTS_PER_MESSAGE,
                    ),
                    params={"count": ATTACHMENTS_PER_MESSAGE},
                ),
            )
        return data

    def chosen_people(self) -> list[Any]:
        return [self.people_by_id[pk] for pk in self.cleaned_data.get("people", [])]

    def chosen_lists(self) -> list[policies.RecipientList]:
        codes = set(self.cleaned_data.get("lists", []))
        return [item for item in self.usable_lists if item.code in codes]

    def check_for_sending(self) -> bool:
        """The extra requirements of sending (a draft may lack them)."""
        if not self.fixed_subject and not self.cleaned_data.get("subject"):
            self.add_error("subject", _("Donnez un objet au message."))
        if not (self.cleaned_data.get("body") or "").strip():
            self.add_error("body", _("Écrivez un message."))
        if not self.cleaned_data.get("people") and not self.cleaned_data.get("lists"):
            self.add_error(None, _("Choisissez au moins un destinataire ou une liste."))
        return not self.errors


class RulesForm(forms.ModelForm):
    class Meta:
        model = MessagingRules
        fields = [*MessagingRules.FIELDS, *MessagingRules.LIMIT_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in MessagingRules.LIMIT_FIELDS:
            # Left empty, a limit keeps its current value.
            self.fields[name].required = False


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif (facultatif)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


SUSPENDABLE_CHOICES = [("student", _("Élèves")), ("guardian", _("Responsables"))]


class ProfileSwitchForm(forms.Form):
    """Suspend or restore messaging for a whole profile."""

    profile = forms.ChoiceField(label=_("Profil"), choices=SUSPENDABLE_CHOICES)
    suspended = forms.BooleanField(required=False)


class EndSessionsForm(forms.Form):
    """End every session of a profile; staff profiles for Préau's administrators only."""

    profile = forms.ChoiceField(label=_("Profil"))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Profile.choices)
        self.fields["profile"].choices = [
            (code, labels[code]) for code in policies.session_profiles(actor)
        ]
