"""A CSV file of people being imported into an establishment, kept between the steps of the
console (upload, column mapping, validation report, import). Its text holds personal data: it is
emptied once imported, and files left behind are deleted after a day (actions.py)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Establishment, Profile


class RosterImport(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(_("fichier"), max_length=200)
    text = models.TextField()
    # One Préau field name (or "") per column of the file's header, in order.
    mapping = models.JSONField(default=list)
    default_profile = models.CharField(
        _("profil par défaut"), max_length=16, choices=Profile.choices, default=Profile.STUDENT
    )
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import de personnes")
        verbose_name_plural = _("imports de personnes")
        indexes = [models.Index(fields=["establishment", "-created_at"])]

    def __str__(self) -> str:
        return self.filename
