"""What the national directory feed (AAF) leaves behind: the link from its structures to our
establishments, the national labels of subjects and MEFs, and the log of imports."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Academy, Establishment


class StructureLink(models.Model):
    """A structure of the feed (its join id) is one of our establishments.

    ``classes`` holds the class names the structure declares (``ENTStructureClasses``): a student
    or teacher of the feed may only refer to one of them.
    """

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="+")
    jointure = models.CharField(_("identifiant de jointure"), max_length=64)
    establishment = models.OneToOneField(
        Establishment, on_delete=models.CASCADE, related_name="feed_link"
    )
    classes = models.JSONField(_("classes déclarées"), default=list)
    # The teaching groups the feed has named in this establishment: the import changes the
    # members and teachers of these only, never those of a group made in Préau.
    groups = models.JSONField(_("groupes du flux"), default=list)

    class Meta:
        verbose_name = _("structure de l'annuaire")
        verbose_name_plural = _("structures de l'annuaire")
        constraints = [
            models.UniqueConstraint(fields=["academy", "jointure"], name="feed_structure_unique")
        ]

    def __str__(self) -> str:
        return f"{self.jointure} → {self.establishment}"


class CodeKind(models.TextChoices):
    SUBJECT = "subject", _("Matière")
    MEF = "mef", _("MEF")


class NationalCode(models.Model):
    """A national subject or MEF code and its label (MatiereEducNat, MefEducNat files)."""

    kind = models.CharField(_("type"), max_length=8, choices=CodeKind.choices)
    code = models.CharField(_("code"), max_length=16)
    label = models.CharField(_("libellé"), max_length=120)

    class Meta:
        verbose_name = _("nomenclature")
        verbose_name_plural = _("nomenclatures")
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="national_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class FeedImport(models.Model):
    """One file imported (or tried, or dry-run): what it changed or why it was refused."""

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="feed_imports")
    file_name = models.CharField(_("fichier"), max_length=255)
    kind = models.CharField(_("type"), max_length=16)
    complete = models.BooleanField(_("complet"), default=False)
    dry_run = models.BooleanField(_("essai à blanc"), default=False)
    started_at = models.DateTimeField(_("début"))
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    records = models.PositiveIntegerField(_("enregistrements"), default=0)
    counts = models.JSONField(_("changements"), default=dict)
    error = models.TextField(_("erreur"), blank=True)

    class Meta:
        verbose_name = _("import de l'annuaire")
        verbose_name_plural = _("imports de l'annuaire")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["academy", "-started_at"])]

    def __str__(self) -> str:
        return self.file_name


class SeenId(models.Model):
    """A join id met in the file being imported: duplicates and, for a complete file, who is
    missing are found by the database rather than by a set in memory. Emptied after each file."""

    feed_import = models.ForeignKey(FeedImport, on_delete=models.CASCADE, related_name="+")
    jointure = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feed_import", "jointure"], name="feed_seen_unique")
        ]

    def __str__(self) -> str:
        return self.jointure
