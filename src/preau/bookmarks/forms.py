"""Forms of the bookmarks. Folder choices are the person's own folders and class choices the
establishment's classes of the year: a value posted by hand from elsewhere fails validation."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from preau.bookmarks import policies
from preau.bookmarks.models import (
    Audience,
    Bookmark,
    BookmarkFolder,
    PushedBookmark,
    validate_link_url,
)
from preau.directory.models import Establishment, Profile, SchoolClass, SchoolYear

# A scheme ("https:", "javascript:"), not a host followed by a port ("localhost:8000").
_HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d)")


class LinkField(forms.CharField):
    """A web address; one typed without a scheme (« www.lumni.fr ») is taken as https."""

    widget = forms.URLInput
    default_validators = [validate_link_url]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Lien"))
        kwargs.setdefault("help_text", _("Une adresse web commençant par https:// ou http://."))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        if value and not _HAS_SCHEME.match(value):
            value = "https://" + value.lstrip("/")
        return value


class FolderChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("Dossier"),
            queryset=BookmarkFolder.objects.none(),
            to_field_name="public_id",
            required=False,
            empty_label=_("Aucun dossier"),
            **kwargs,
        )


class BookmarkForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    url = LinkField()
    description = forms.CharField(
        label=_("Description"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    folder = FolderChoiceField()

    def __init__(self, *args: Any, actor: Any, instance: Bookmark | None = None, **kwargs: Any):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": instance.title,
                    "url": instance.url,
                    "description": instance.description,
                    "folder": instance.folder.public_id if instance.folder else None,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["folder"].queryset = policies.visible_folders(actor)


class MoveForm(forms.Form):
    folder = FolderChoiceField()

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["folder"].queryset = policies.visible_folders(actor)


class FolderForm(forms.Form):
    name = forms.CharField(label=_("Nom du dossier"), max_length=80)

    def __init__(
        self, *args: Any, actor: Any, instance: BookmarkFolder | None = None, **kwargs: Any
    ) -> None:
        if instance is not None:
            kwargs.setdefault("initial", {"name": instance.name})
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.instance = instance

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = policies.visible_folders(self.actor).filter(name__iexact=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Vous avez déjà un dossier de ce nom."))
        return name


class ClassesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class PushedBookmarkForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    url = LinkField()
    description = forms.CharField(
        label=_("Description"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    audience = forms.ChoiceField(
        label=_("Montré à"),
        choices=Audience.choices,
        initial=Audience.ESTABLISHMENT,
        widget=forms.RadioSelect,
    )
    profiles = forms.MultipleChoiceField(
        label=_("Profils"),
        required=False,
        choices=Profile.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Si le signet est montré à des profils."),
    )
    classes = ClassesField(
        label=_("Classes"),
        required=False,
        queryset=SchoolClass.objects.none(),
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Si le signet est montré à des classes : leurs élèves, leurs responsables et leurs "
            "enseignants."
        ),
    )
    position = forms.IntegerField(
        label=_("Ordre d'affichage"),
        min_value=0,
        max_value=9999,
        initial=0,
        help_text=_("Les signets sont montrés du plus petit nombre au plus grand."),
    )

    def __init__(
        self,
        *args: Any,
        establishment: Establishment,
        year: SchoolYear,
        instance: PushedBookmark | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": instance.title,
                    "url": instance.url,
                    "description": instance.description,
                    "audience": instance.audience,
                    "profiles": [row.profile for row in instance.profile_rows.all()],
                    "classes": [row.school_class.public_id for row in instance.class_rows.all()],
                    "position": instance.position,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["classes"].queryset = SchoolClass.objects.filter(
            establishment=establishment, school_year=year
        ).select_related("level")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        audience = data.get("audience")
        if audience == Audience.PROFILES and not data.get("profiles"):
            self.add_error("profiles", _("Choisissez au moins un profil."))
        if audience == Audience.CLASSES and not data.get("classes"):
            self.add_error("classes", _("Choisissez au moins une classe."))
        return data
