"""What WebDAV clients leave on the server besides files: their locks and their dead
properties.

Both live in the database, not in the memory of one web node, so that a client whose
requests land on different nodes finds its lock and its properties on each. They are kept by
person and by path as that person sees it under ``/dav/`` (two people see different trees
there), with the establishment the path leads into, so a school's rows go with the school.
"""

from django.conf import settings
from django.db import models

from preau.directory.models import Establishment


class DavLock(models.Model):
    """A WebDAV lock (RFC 4918 §6) until it expires or its owner releases it."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    token = models.CharField(max_length=100, unique=True)
    # The locked path, normalised without trailing slash: « /Collège X/Mes fichiers/a.odt ».
    root = models.TextField()
    # The lock as the protocol layer describes it (scope, depth, owner XML, timeout…).
    data = models.JSONField()
    expires_at = models.FloatField()  # seconds since the epoch

    class Meta:
        indexes = [models.Index(fields=["person", "root"])]

    def __str__(self) -> str:
        return self.root


class DavProperty(models.Model):
    """A dead property a client set with PROPPATCH on one of its paths."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    path = models.TextField()
    # The folder holding ``path``: a listing reads the properties of its members in one query.
    parent = models.TextField()
    # Clark notation, « {namespace}name ».
    name = models.CharField(max_length=500)
    value = models.BinaryField()  # the property element, serialised XML

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "path", "name"], name="dav_property_unique_name"
            )
        ]
        indexes = [models.Index(fields=["person", "parent"])]

    def __str__(self) -> str:
        return f"{self.path} {self.name}"
