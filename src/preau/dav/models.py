"""What WebDAV clients leave on the server besides files: their locks, their dead properties,
and the empty files they create before writing them.

Both live in the database, not in the memory of one web node, so that a client whose
requests land on different nodes finds its lock and its properties on each. They are kept by
person and by path as that person sees it under ``/dav/`` (two people see different trees
there), with the establishment the path leads into, so a school's rows go with the school.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from preau.directory.models import Establishment
from preau.drive.models import Node

PENDING_HOURS = 24
# The largest working file of a program kept beside the drive (see PendingFile).
WORKING_FILE_MAX_BYTES = 256 * 1024


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


class PendingFile(models.Model):
    """An empty file a client created before writing its content into it.

    Windows Explorer and macOS Finder create a file empty (PUT of nothing, or LOCK of a free
    name), then send its content. The drive stores only contents it has checked, and an empty
    PDF or image is not one: the name waits here, seen by the person who created it only, until
    the content comes (the drive's upload then creates the file) or ``PENDING_HOURS`` pass.

    The small files programs write for themselves beside a document (Finder's « ._name » and
    « .DS_Store », Office's « ~$name » owner files, LibreOffice's lock files, Windows' «
    Thumbs.db ») are no documents either: they live here too, with their ``content`` (at most
    ``WORKING_FILE_MAX_BYTES``), for the same time, and never reach the drive.
    """

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    folder = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200)
    content = models.BinaryField(default=b"", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "folder", "name_key"], name="dav_pending_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name
