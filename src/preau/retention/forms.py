from django import forms
from django.utils.translation import gettext_lazy as _

from preau.retention.models import BOUNDS

LABELS = {
    "read_notifications_days": _("Notifications lues, conservées (jours)"),
    "justification_documents_days": _(
        "Pièces jointes des justificatifs d'absence, conservées après la décision (jours)"
    ),
}


class RetentionForm(forms.Form):
    """The periods an establishment may change, each within its national bounds."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, bounds in BOUNDS.items():
            message = _("Choisissez une durée entre %(min)s et %(max)s jours.") % {
                "min": bounds.minimum,
                "max": bounds.maximum,
            }
            self.fields[name] = forms.IntegerField(
                label=LABELS[name],
                min_value=bounds.minimum,
                max_value=bounds.maximum,
                help_text=_("Entre %(min)s et %(max)s jours ; %(default)s par défaut.")
                % {"min": bounds.minimum, "max": bounds.maximum, "default": bounds.default},
                error_messages={"min_value": message, "max_value": message},
            )
