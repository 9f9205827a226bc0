"""The audit entries about a person, for the export of their data (preau.privacy).

The changes they made (what, on which object, when) and those made to their own account, with
the values before and after for the latter. The values of a change they made to someone else's
record (a mark, an absence) are that person's data and stay out.
"""

from typing import Any

from django.db.models import F

from preau.audit.models import AuditEntry
from preau.privacy.registry import PersonalData, rows

FIELDS = ("at", "action", "target_type", "target_label")


def export(person: Any) -> PersonalData:
    made = (
        AuditEntry.objects.filter(actor=person)
        .order_by("at", "pk")
        .values(*FIELDS, etablissement=F("establishment__name"))
    )
    about = (
        AuditEntry.objects.filter(target_type="accounts.user", target_id=str(person.public_id))
        .order_by("at", "pk")
        .values(*FIELDS, "before", "after", etablissement=F("establishment__name"))
    )
    return PersonalData(records={"actions_faites": rows(made), "me_concernant": rows(about)})
