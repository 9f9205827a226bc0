"""Who sees which bookmarks, and who manages an establishment's. The one place these rules live.

A person's own bookmarks and folders are theirs alone: nobody else, not even the head of their
school, sees or opens them (the same 404 for missing and not yours).

A pushed bookmark is shown, in its establishment and while active, to its audience: everyone
of the establishment; the holders of some national profiles; or some classes — their students,
the guardians of those students, and the teachers who teach them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet

from preau.bookmarks.models import (
    Audience,
    Bookmark,
    BookmarkFolder,
    PushedBookmark,
    PushedBookmarkClass,
    PushedBookmarkProfile,
)
from preau.directory.models import Establishment, Profile
from preau.directory.policies import administered_establishments, can_administer, get_or_404

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

# -- a person's own bookmarks ------------------------------------------------------------------


def visible_folders(actor: Actor) -> QuerySet[BookmarkFolder]:
    if not actor.is_authenticated:
        return BookmarkFolder.objects.none()
    return BookmarkFolder.objects.filter(owner=actor.user)


def visible_bookmarks(actor: Actor) -> QuerySet[Bookmark]:
    if not actor.is_authenticated:
        return Bookmark.objects.none()
    return Bookmark.objects.filter(owner=actor.user)


def access_folder(actor: Actor, public_id: Any) -> BookmarkFolder:
    return get_or_404(visible_folders(actor), public_id)


def access_bookmark(actor: Actor, public_id: Any) -> Bookmark:
    return get_or_404(visible_bookmarks(actor).select_related("folder"), public_id)


# -- pushed bookmarks: who they are shown to ---------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """What a pushed bookmark's audience is matched against: a place, profiles and classes.

    ``condition()`` filters querysets; ``admits()`` checks a cached row (selectors.py). Both say
    the same thing, and a test holds them together.
    """

    establishment_id: int
    profiles: frozenset[str]
    class_ids: frozenset[int]

    def condition(self) -> Q:
        profile_rows = PushedBookmarkProfile.objects.filter(
            establishment_id=self.establishment_id, profile__in=self.profiles
        ).values("bookmark_id")
        class_rows = PushedBookmarkClass.objects.filter(
            establishment_id=self.establishment_id, school_class_id__in=self.class_ids
        ).values("bookmark_id")
        audience = Q(audience=Audience.ESTABLISHMENT)
        if self.profiles:
            audience |= Q(audience=Audience.PROFILES, pk__in=profile_rows)
        if self.class_ids:
            audience |= Q(audience=Audience.CLASSES, pk__in=class_rows)
        return Q(establishment_id=self.establishment_id, active=True) & audience

    def admits(self, audience: str, profiles: Iterable[str], class_ids: Iterable[int]) -> bool:
        if audience == Audience.ESTABLISHMENT:
            return True
        if audience == Audience.PROFILES:
            return not self.profiles.isdisjoint(profiles)
        if audience == Audience.CLASSES:
            return not self.class_ids.isdisjoint(class_ids)
        return False


def reader_of(actor: Actor) -> Reader | None:
    """The actor as a reader of their current establishment's pushed bookmarks.

    Students: their class. Guardians: their children's classes in that establishment. Teachers:
    the classes they teach. Everyone: the establishment-wide ones and those of their profiles.
    """
    establishment = actor.establishment
    if establishment is None:
        return None
    class_ids: set[int] = set()
    if actor.is_student and actor.enrolment is not None:
        class_ids.add(actor.enrolment.school_class_id)
    if actor.is_guardian:
        class_ids.update(
            enrolment.school_class_id
            for child in actor.children
            for enrolment in child.enrolments
            if enrolment.establishment_id == establishment.pk
        )
    if actor.is_teacher:
        class_ids.update(actor.taught_class_ids)
    return Reader(establishment.pk, frozenset(actor.profiles), frozenset(class_ids))


def readers_for_child(child: Child) -> list[Reader]:
    """A guardian reading for one child: in each establishment the child is enrolled in this
    year (the guardian's current one or another), what that establishment pushes to guardians
    and to the child's class."""
    return [
        Reader(
            enrolment.establishment_id,
            frozenset({Profile.GUARDIAN}),
            frozenset({enrolment.school_class_id}),
        )
        for enrolment in child.enrolments
        if enrolment.establishment.is_active
    ]


def visible_pushed_bookmarks(actor: Actor) -> QuerySet[PushedBookmark]:
    """The active pushed bookmarks of the actor's current establishment meant for them."""
    reader = reader_of(actor)
    if reader is None:
        return PushedBookmark.objects.none()
    return PushedBookmark.objects.filter(reader.condition())


# -- pushed bookmarks: who manages them --------------------------------------------------------


def can_manage_pushed_bookmarks(actor: Actor, establishment: Establishment) -> bool:
    """Those who may administer the establishment, and its librarian working in it now."""
    if not actor.is_authenticated:
        return False
    if can_administer(actor, establishment):
        return True
    current = actor.establishment
    return (
        current is not None
        and current.pk == establishment.pk
        and Profile.LIBRARIAN in actor.profiles
    )


def managed_establishments(actor: Actor) -> QuerySet[Establishment]:
    """Establishments whose pushed bookmarks the actor manages."""
    if not actor.is_authenticated:
        return Establishment.objects.none()
    condition = Q(pk__in=administered_establishments(actor).values("pk"))
    if actor.establishment is not None and Profile.LIBRARIAN in actor.profiles:
        condition |= Q(pk=actor.establishment.pk)
    return Establishment.objects.filter(condition)


def access_managed_establishment(actor: Actor, public_id: Any) -> Establishment:
    return get_or_404(managed_establishments(actor).select_related("academy"), public_id)


def administered_pushed_bookmarks(
    actor: Actor, establishment: Establishment
) -> QuerySet[PushedBookmark]:
    """Every pushed bookmark of ``establishment``, active or not, if the actor manages them."""
    if not can_manage_pushed_bookmarks(actor, establishment):
        return PushedBookmark.objects.none()
    return PushedBookmark.objects.filter(establishment=establishment)


def access_administered_pushed_bookmark(
    actor: Actor, establishment: Establishment, public_id: Any
) -> PushedBookmark:
    classes = PushedBookmarkClass.objects.select_related("school_class")
    bookmark = get_or_404(
        administered_pushed_bookmarks(actor, establishment).prefetch_related(
            "profile_rows", Prefetch("class_rows", queryset=classes)
        ),
        public_id,
    )
    bookmark.establishment = establishment
    return bookmark
