"""The assessment form and the publication settings form. Choices come from the actor's own
teaching assignments: a teacher can only pick a class and subject they teach."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from preau.grades.actions import AssessmentInput
from preau.grades.models import AssessmentKind


def assignment_label(assignment: Any) -> str:
    return f"{assignment.school_class or assignment.group} · {assignment.subject.label}"


class AssessmentForm(forms.Form):
    assignment = forms.ChoiceField(label=_("Classe ou groupe, matière"))
    title = forms.CharField(label=_("Intitulé"), max_length=120)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    scale = forms.DecimalField(
        label=_("Noté sur"), initial=Decimal(20), max_digits=6, decimal_places=2, localize=True
    )
    coefficient = forms.DecimalField(
        label=_("Coefficient"), initial=Decimal(1), max_digits=5, decimal_places=2, localize=True
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=AssessmentKind.choices, initial=AssessmentKind.NORMAL
    )
    graded = forms.BooleanField(
        label=_("Noté (décochez pour une évaluation par compétences seulement)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, assignments: list[Any], fixed: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.assignments = {str(a.public_id): a for a in assignments}
        self.fields["assignment"].choices = [
            (key, assignment_label(a)) for key, a in self.assignments.items()
        ]
        if fixed:
            # Editing: the class and the subject stay those of the assessment.
            del self.fields["assignment"]

    def assessment_input(self) -> AssessmentInput:
        data = self.cleaned_data
        return AssessmentInput(
            title=data["title"],
            date=data["date"],
            scale=data["scale"],
            coefficient=data["coefficient"],
            kind=data["kind"],
            graded=data["graded"],
        )


class SettingsForm(forms.Form):
    delay_days = forms.IntegerField(
        label=_("Publication aux familles après (jours)"), min_value=0, max_value=30
    )
    time = forms.TimeField(
        label=_("à l'heure de"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class CoefficientForm(forms.Form):
    """A subject's weight in the overall average of every class of a level, or of one class."""

    target = forms.ChoiceField(label=_("Niveau ou classe"))
    subject = forms.ChoiceField(label=_("Matière"))
    coefficient = forms.DecimalField(
        label=_("Coefficient"), min_value=Decimal(0), max_digits=5, decimal_places=2, localize=True
    )

    def __init__(
        self, *args: Any, levels: list[Any], classes: list[Any], subjects: list[Any], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.targets = {f"level-{level.pk}": level for level in levels}
        self.targets.update({f"class-{c.public_id}": c for c in classes})
        self.fields["target"].choices = [
            (_("Niveaux"), [(f"level-{level.pk}", level.label) for level in levels]),
            (_("Classes"), [(f"class-{c.public_id}", c.name) for c in classes]),
        ]
        self.subjects = {str(s.public_id): s for s in subjects}
        self.fields["subject"].choices = [(key, s.label) for key, s in self.subjects.items()]
