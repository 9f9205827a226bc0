"""Forms of the notebook. Choices come from the policies: a teacher's lists never hold another
class's students, a guardian's only their own children. Uploads are checked before anything is
stored (core/uploads.py), with the same rules as the messaging."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.core import uploads
from preau.core.uploads import CheckedFile, MultipleFileField
from preau.directory.models import Enrolment, GroupMembership
from preau.notebook import policies
from preau.notebook.actions import EntryData
from preau.notebook.models import FAMILY_KINDS, SCHOOL_KINDS, Kind, Recipient

ATTACHMENT_EXTENSIONS = frozenset(uploads.FILE_TYPES)
ATTACHMENT_MAX_BYTES = 10 * uploads.MIB
ATTACHMENTS_PER_ENTRY = 5


def check_attachment(upload: Any) -> CheckedFile:
    return uploads.check_attachment(
        upload,
        extensions=ATTACHMENT_EXTENSIONS,
        max_bytes=ATTACHMENT_MAX_BYTES,
        refused_message=_(
            "« %(name)s » n'est pas accepté : seuls les PDF, les images (PNG, JPEG, GIF, "
            "WebP) et les documents bureautiques (docx, xlsx, pptx, odt, ods, odp) le sont."
        ),
    )


def _date() -> forms.DateInput:
    # The browser's date field reads and writes ISO dates, whatever the language.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.last_name} {obj.first_name}"


class MeasureChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.student.last_name} {obj.student.first_name} · {obj}"


class AttachmentsMixin(forms.Form):
    attachments = MultipleFileField(
        label=_("Pièces jointes"),
        required=False,
        help_text=_("PDF, images ou documents bureautiques, 10 Mo au plus chacun, 5 au plus."),
    )

    def clean_attachments(self) -> list[CheckedFile]:
        files = self.cleaned_data.get("attachments") or []
        if len(files) > ATTACHMENTS_PER_ENTRY:
            raise ValidationError(_("Cinq pièces jointes au plus."), code="too_many_attachments")
        return [check_attachment(upload) for upload in files]


class WriteForm(AttachmentsMixin):
    """A school entry to one student's guardians, or to those of a whole class or group."""

    student = PersonChoice(
        queryset=None, required=False, to_field_name="public_id", label=_("Élève")
    )
    school_class = forms.ModelChoiceField(
        queryset=None, required=False, to_field_name="public_id", label=_("ou toute la classe")
    )
    group = forms.ModelChoiceField(
        queryset=None, required=False, to_field_name="public_id", label=_("ou tout le groupe")
    )
    kind = forms.ChoiceField(label=_("Nature"), choices=[(k.value, k.label) for k in SCHOOL_KINDS])
    title = forms.CharField(label=_("Objet"), max_length=150)
    text = forms.CharField(
        label=_("Texte"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    meeting_date = forms.DateField(
        required=False, label=_("Date de la convocation"), widget=_date()
    )
    meeting_time = forms.TimeField(
        required=False, label=_("Heure de la convocation"), widget=_time()
    )
    place = forms.CharField(required=False, max_length=120, label=_("Lieu de la convocation"))
    question = forms.CharField(
        required=False,
        max_length=300,
        label=_("Question posée aux responsables (oui ou non)"),
        help_text=_("Par exemple : « Autorisez-vous votre enfant à participer à la sortie ? »"),
    )
    answer_by = forms.DateField(
        required=False,
        label=_("Réponse attendue au plus tard le"),
        widget=_date(),
    )
    measure = MeasureChoice(
        queryset=None,
        required=False,
        to_field_name="public_id",
        label=_("Punition liée (observation)"),
    )
    every_guardian = forms.BooleanField(
        required=False,
        label=_("Signature de chaque responsable légal demandée"),
        help_text=_("Sinon, la signature d'un seul responsable suffit."),
    )
    guardians_only = forms.BooleanField(
        required=False,
        label=_("Pour les responsables seulement"),
        help_text=_("L'élève ne verra pas ce mot dans son carnet."),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["student"].queryset = policies.writable_students(actor).order_by(
            "last_name", "first_name"
        )
        self.fields["school_class"].queryset = policies.writable_classes(actor).order_by("name")
        self.fields["group"].queryset = policies.writable_groups(actor).order_by("name")
        from preau.discipline.policies import visible_measures

        self.fields["measure"].queryset = (
            visible_measures(actor)
            .filter(school_year=actor.school_year, cancelled_at__isnull=True)
            .select_related("student", "other_kind")
            .order_by("-decided_on")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        targets = [name for name in ("student", "school_class", "group") if data.get(name)]
        if len(targets) != 1:
            raise ValidationError(
                _("Choisissez un élève, ou une classe, ou un groupe (un seul des trois)."),
                code="target",
            )
        measure = data.get("measure")
        if measure is not None:
            if data.get("kind") != Kind.DISCIPLINE:
                raise ValidationError(
                    _("Une punition ne se lie qu'à une observation."), code="measure_kind"
                )
            if data.get("student") is None or data["student"].pk != measure.student_id:
                raise ValidationError(
                    _("La punition liée doit concerner l'élève choisi."), code="measure_student"
                )
        return data

    def audience(self) -> str:
        target = self.cleaned_data.get("school_class") or self.cleaned_data.get("group")
        return target.name if target is not None else ""

    def students(self) -> list[Any]:
        """The students the entry goes to (1 query)."""
        data = self.cleaned_data
        if data.get("student"):
            return [data["student"]]
        writable = policies.writable_students(self.actor)
        if data.get("school_class"):
            members = Enrolment.objects.filter(school_class=data["school_class"]).values(
                "student_id"
            )
        else:
            members = GroupMembership.objects.filter(group=data["group"]).values("student_id")
        return list(writable.filter(pk__in=members).order_by("last_name", "first_name"))

    def entry_data(self) -> EntryData:
        data = self.cleaned_data
        meeting_at = None
        if data.get("meeting_date") and data.get("meeting_time"):
            meeting_at = timezone.make_aware(
                datetime.combine(data["meeting_date"], data["meeting_time"])
            )
        answer_by = None
        if data.get("answer_by"):
            # Until the end of the day chosen.
            answer_by = timezone.make_aware(datetime.combine(data["answer_by"], time(23, 59)))
        return EntryData(
            kind=data["kind"],
            title=data["title"],
            text=data["text"],
            guardians_only=data["guardians_only"],
            every_guardian=data["every_guardian"],
            meeting_at=meeting_at,
            place=data["place"],
            question=data["question"],
            answer_by=answer_by,
            measure=data.get("measure"),
        )


class AskForm(AttachmentsMixin):
    """A guardian writing to the school about one of their children."""

    child = forms.ChoiceField(label=_("Enfant"))
    kind = forms.ChoiceField(label=_("Nature"), choices=[(k.value, k.label) for k in FAMILY_KINDS])
    recipient = forms.ChoiceField(label=_("Destinataire"), choices=Recipient.choices)
    title = forms.CharField(label=_("Objet"), max_length=150)
    text = forms.CharField(
        label=_("Texte"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    guardians_only = forms.BooleanField(
        required=False,
        label=_("Pour les responsables seulement"),
        help_text=_("Votre enfant ne verra pas ce mot dans son carnet."),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.children = {str(c.public_id): c for c in actor.children}
        self.fields["child"].choices = [
            (key, f"{c.student.first_name} {c.student.last_name}")
            for key, c in self.children.items()
        ]

    def student(self) -> Any:
        return self.children[self.cleaned_data["child"]].student


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Votre réponse"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class SettingsForm(forms.Form):
    reminder_days = forms.IntegerField(
        label=_("Relancer les familles qui n'ont pas signé après (jours)"),
        min_value=0,
        max_value=30,
        help_text=_("0 : pas de relance. Une seule relance par mot."),
    )


KIND_FILTERS = [
    ("", _("Tous les mots")),
    ("to_sign", _("À signer")),
    *[(k.value, k.label) for k in Kind],
]
