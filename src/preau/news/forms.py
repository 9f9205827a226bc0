"""The post form and the checks of its uploads.

Uploads are checked before anything is stored (core/uploads.py): the size first (without
reading), then the content. An image must be PNG, JPEG or WebP as Pillow reads it, and is
re-encoded (metadata dropped). An attachment needs an allowed extension AND the matching
signature in its first bytes (office documents: the inner layout of their ZIP container).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from preau.core import uploads
from preau.core.uploads import CheckedFile, MultipleFileField, Refusal
from preau.news import policies
from preau.news.models import Post

IMAGE_MAX_BYTES = 2 * 1024 * 1024
IMAGE_MAX_PIXELS = 6000 * 6000
IMAGE_MAX_SIDE = 1600  # re-encoded images are no wider nor taller than this
ATTACHMENT_EXTENSIONS = frozenset(uploads.FILE_TYPES) - {"gif"}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_PER_POST = 10
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def checked_image(upload: Any) -> CheckedFile:
    """The upload re-encoded by Pillow, or a ValidationError in French."""
    return uploads.check_image(
        upload,
        max_bytes=IMAGE_MAX_BYTES,
        max_pixels=IMAGE_MAX_PIXELS,
        max_side=IMAGE_MAX_SIDE,
        too_big=Refusal(
            _("L'image ne doit pas dépasser %(size)s Mo."),
            code="image_size",
            params={"size": IMAGE_MAX_BYTES // (1024 * 1024)},
        ),
        refused=Refusal(_("L'image doit être au format PNG, JPEG ou WebP."), code="image_format"),
        too_many_pixels=Refusal(
            _("L'image est trop grande (36 millions de pixels au plus)."), code="image_pixels"
        ),
    )


def checked_attachment(upload: Any) -> CheckedFile:
    """The upload as it came, once its size, extension and content agree."""
    return uploads.check_attachment(
        upload,
        extensions=ATTACHMENT_EXTENSIONS,
        max_bytes=ATTACHMENT_MAX_BYTES,
        refused_message=_(
            "« %(name)s » n'est pas accepté : seuls les PDF, les images (PNG, JPEG, WebP) et "
            "les documents bureautiques (docx, xlsx, pptx, odt, ods, odp) le sont."
        ),
        mimetype_first=True,
    )


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
    workspaces = AudienceChoice(
        label=_("Espaces de groupe"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les espaces que vous animez : leurs membres recevront l'actualité."),
        error_messages={
            "invalid_choice": _("Vous ne pouvez pas publier pour cet espace."),
            "invalid_pk_value": _("Vous ne pouvez pas publier pour cet espace."),
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
                "workspaces": [w.public_id for w in post.workspaces.all()],
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
        self.fields["workspaces"].queryset = policies.postable_workspaces(actor)
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
            workspaces=tuple(data.get("workspaces") or ()),
        )
