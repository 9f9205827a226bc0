"""The audit trail: who changed what, when, with the values before and after; and logins."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    # An entry belongs to the establishment whose data changed or, for what is registered for a
    # whole academy (an academy-wide CAS service, identity provider…), to that academy.
    establishment = models.ForeignKey(
        "directory.Establishment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    academy = models.ForeignKey(
        "directory.Academy",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("type d'objet"), max_length=64)
    target_id = models.CharField(_("objet"), max_length=64, blank=True)
    target_label = models.CharField(_("libellé"), max_length=200, blank=True)
    before = models.JSONField(_("avant"), null=True, blank=True)
    after = models.JSONField(_("après"), null=True, blank=True)
    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal des modifications")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["establishment", "-at"]),
            models.Index(fields=["academy", "-at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(establishment__isnull=False) | models.Q(academy__isnull=False),
                name="audit_entry_has_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"


class LoginEvent(models.Model):
    """A successful or failed login. Failed ones keep the name typed, not the password."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    username_tried = models.CharField(max_length=254, blank=True)
    succeeded = models.BooleanField()
    address = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("connexion")
        verbose_name_plural = _("connexions")
        indexes = [models.Index(fields=["person", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username_tried} {self.succeeded}"
