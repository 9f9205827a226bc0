"""The post form and the checks of its uploads.

Uploads are checked before anything is stored: the size first (without reading), then the
content. An image must be PNG, JPEG or WebP as Pillow reads it, and is re-encoded (metadata
dropped). An attachment needs an allowed extension AND the matching signature in its first
bytes (office documents: the inner layout of their ZIP container).
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from PIL import Image, UnidentifiedImageError

from preau.news import policies
from preau.news.actions import CheckedFile
from preau.news.models import Post

IMAGE_MAX_BYTES = 2 * 1024 * 1024
IMAGE_MAX_PIXELS = 6000 * 6000
IMAGE_MAX_SIDE = 1600  # re-encoded images are no wider nor taller than this
IMAGE_FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_PER_POST = 10
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return []


def _odf(mimetype: str) -> Callable[[bytes], bool]:
    """An OpenDocument file: a ZIP whose first entry, « mimetype », names the document type."""
    signature = b"PK\x03\x04"
    expected = mimetype.encode()

    def check(data: bytes) -> bool:
        # Local file header: 30 bytes, then the name, the extra field and the stored content.
        if not data.startswith(signature) or len(data) < 30:
            return False
        name_length = int.from_bytes(data[26:28], "little")
        extra_length = int.from_bytes(data[28:30], "little")
        start = 30 + name_length + extra_length
        return (
            data[30 : 30 + name_length] == b"mimetype"
            and data[start : start + len(expected)] == expected
        )

    return check


def _ooxml(folder: str) -> Callable[[bytes], bool]:
    """An Office Open XML file: a ZIP with [Content_Types].xml and the document's folder."""

    def check(data: bytes) -> bool:
        if not data.startswith(b"PK\x03\x04"):
            return False
        names = _zip_names(data)
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return check


def _prefix(*signatures: bytes) -> Callable[[bytes], bool]:
    return lambda data: any(data.startswith(s) for s in signatures)


def _webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


# Extension → (content type served, check of the content).
ATTACHMENT_TYPES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    "pdf": ("application/pdf", _prefix(b"%PDF-")),
    "png": ("image/png", _prefix(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", _prefix(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", _prefix(b"\xff\xd8\xff")),
    "webp": ("image/webp", _webp),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ooxml("word/"),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ooxml("xl/")),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ooxml("ppt/"),
    ),
    "odt": (
        "application/vnd.oasis.opendocument.text",
        _odf("application/vnd.oasis.opendocument.text"),
    ),
    "ods": (
        "application/vnd.oasis.opendocument.spreadsheet",
        _odf("application/vnd.oasis.opendocument.spreadsheet"),
    ),
    "odp": (
        "application/vnd.oasis.opendocument.presentation",
        _odf("application/vnd.oasis.opendocument.presentation"),
    ),
}


def clean_filename(name: str) -> str:
    """The name as shown and offered for download: no folders, no control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 199 - len(extension)]}.{extension}" if dot else name[:200]
    return name or "fichier"


def checked_image(upload: Any) -> CheckedFile:
    """The upload re-encoded by Pillow, or a ValidationError in French."""
    if upload.size > IMAGE_MAX_BYTES:
        raise forms.ValidationError(
            _("L'image ne doit pas dépasser %(size)s Mo."),
            code="image_size",
            params={"size": IMAGE_MAX_BYTES // (1024 * 1024)},
        )
    refused = forms.ValidationError(
        _("L'image doit être au format PNG, JPEG ou WebP."), code="image_format"
    )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
        if image_format not in IMAGE_FORMATS:
            raise refused
        if width * height > IMAGE_MAX_PIXELS:
            raise forms.ValidationError(
                _("L'image est trop grande (36 millions de pixels au plus)."), code="image_pixels"
            )
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if image_format == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
            output = io.BytesIO()
            image.save(output, format=image_format)
    except forms.ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise refused from exc
    extension, content_type = IMAGE_FORMATS[image_format]
    return CheckedFile(output.getvalue(), clean_filename(upload.name), extension, content_type)


def checked_attachment(upload: Any) -> CheckedFile:
    """The upload as it came, once its size, extension and content agree."""
    name = clean_filename(upload.name or "")
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise forms.ValidationError(
            _("« %(name)s » dépasse %(size)s Mo."),
            code="attachment_size",
            params={"name": name, "size": ATTACHMENT_MAX_BYTES // (1024 * 1024)},
        )
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    known = ATTACHMENT_TYPES.get(extension)
    data = upload.read() if known else b""
    if known is None or not known[1](data):
        raise forms.ValidationError(
            _(
                "« %(name)s » n'est pas accepté : seuls les PDF, les images (PNG, JPEG, WebP) et "
                "les documents bureautiques (docx, xlsx, pptx, odt, ods, odp) le sont."
            ),
            code="attachment_type",
            params={"name": name},
        )
    return CheckedFile(data, name, "jpg" if extension == "jpeg" else extension, known[0])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _datetime_field(label: Any, help_text: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class AudienceChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class PostForm(forms.Form):
    """A post; its audience choices are those the author may write to (news/policies.py)."""

    title = forms.CharField(label=_("Titre"), max_length=160)
    body = forms.CharField(
        label=_("Texte"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Texte simple (une ligne vide sépare les paragraphes) ou HTML : paragraphes, gras, "
            "italique, listes, intertitres, citations et liens."
        ),
    )
    everyone = forms.BooleanField(label=_("Tout l'établissement"), required=False)
    profiles = forms.MultipleChoiceField(
        label=_("Profils"), required=False, widget=forms.CheckboxSelectMultiple
    )
    classes = AudienceChoice(
        label=_("Classes"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Vous ne pouvez pas publier pour cette classe."),
            "invalid_pk_value": _("Vous ne pouvez pas publier pour cette classe."),
        },
    )
    groups = AudienceChoice(
        label=_("Groupes"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Vous ne pouvez pas publier pour ce groupe."),
            "invalid_pk_value": _("Vous ne pouvez pas publier pour ce groupe."),
        },
    )
    publish_at = _datetime_field(
        _("Publier à partir du"), _("Laissez vide pour publier tout de suite.")
    )
    unpublish_at = _datetime_field(_("Retirer le"), _("Laissez vide pour ne pas la retirer."))
    pinned = forms.BooleanField(label=_("Épingler en tête des actualités"), required=False)
    image = forms.FileField(
        label=_("Image"),
        required=False,
        help_text=_("PNG, JPEG ou WebP, 2 Mo au plus."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    image_alt = forms.CharField(
        label=_("Description de l'image"),
        required=False,
        max_length=200,
        help_text=_("Pour les personnes qui ne voient pas l'image."),
    )
    remove_image = forms.BooleanField(label=_("Retirer l'image actuelle"), required=False)
    attachments = MultipleFileField(
        label=_("Pièces jointes"),
        required=False,
        help_text=_(
            "PDF, images ou documents bureautiques (docx, xlsx, pptx, odt, ods, odp), "
            "10 Mo au plus chacun."
        ),
    )
    remove_attachments = forms.ModelMultipleChoiceField(
        label=_("Pièces jointes à retirer"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, actor: Any, post: Post | None = None, **kwargs: Any) -> None:
        if post is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": post.title,
                "body": post.body,
                "everyone": post.to_establishment,
                "profiles": [row.profile for row in post.audience_profiles.all()],
                "classes": [c.public_id for c in post.classes.all()],
                "groups": [g.public_id for g in post.groups.all()],
                "publish_at": post.publish_at,
                "unpublish_at": post.unpublish_at,
                "pinned": post.pinned,
                "image_alt": post.image_alt,
            }
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.post = post
        if policies.posts_to_everyone(actor):
            self.fields["profiles"].choices = policies.postable_profiles(actor)
        else:
            del self.fields["everyone"]
            del self.fields["profiles"]
        self.fields["classes"].queryset = policies.postable_classes(actor)
        self.fields["groups"].queryset = policies.postable_groups(actor)
        if post is None or not post.image:
            del self.fields["remove_image"]
        if post is None:
            del self.fields["remove_attachments"]
        else:
            self.fields["remove_attachments"].queryset = post.attachments.all()
            self.fields["remove_attachments"].label_from_instance = lambda a: a.original_name

    def clean_image(self) -> CheckedFile | None:
        upload = self.cleaned_data.get("image")
        return checked_image(upload) if upload else None

    def clean_attachments(self) -> list[CheckedFile]:
        uploads = self.cleaned_data.get("attachments") or []
        errors, checked = [], []
        for upload in uploads:
            try:
                checked.append(checked_attachment(upload))
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        return checked

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and self.audience().is_empty():
            raise forms.ValidationError(
                _("Choisissez à qui s'adresse l'actualité."), code="no_audience"
            )
        publish_at, unpublish_at = data.get("publish_at"), data.get("unpublish_at")
        if unpublish_at is not None:
            start = publish_at or (self.post.publish_at if self.post else None)
            if unpublish_at <= (start or timezone.now()):
                self.add_error("unpublish_at", _("Le retrait doit suivre la publication."))
        kept = len(self.post.attachments.all()) if self.post is not None else 0
        kept -= len(data.get("remove_attachments") or [])
        if kept + len(data.get("attachments") or []) > ATTACHMENTS_PER_POST:
            self.add_error(
                "attachments",
                forms.ValidationError(
                    ngettext_lazy(
                        "Une actualité porte %(count)s pièce jointe au plus.",
                        "Une actualité porte %(count)s pièces jointes au plus.",
                        "count",
                    ),
                    params={"count": ATTACHMENTS_PER_POST},
                ),
            )
        return data

    def audience(self) -> policies.AudienceSpec:
        data = self.cleaned_data
        return policies.AudienceSpec(
            everyone=bool(data.get("everyone")),
            profiles=tuple(data.get("profiles") or ()),
            classes=tuple(data.get("classes") or ()),
            groups=tuple(data.get("groups") or ()),
        )
