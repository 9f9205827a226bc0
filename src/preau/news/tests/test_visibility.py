"""Who sees which post: audiences, publication window, a guardian's children in two schools."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from preau.core.actor import SESSION_ESTABLISHMENT_KEY, Actor
from preau.demo.cast import Cast
from preau.directory.models import GroupMembership, Profile, SchoolYear, TeachingGroup
from preau.news import policies
from preau.news.actions import do_publish_post
from preau.news.models import Post
from preau.news.panels import panel_context
from preau.news.policies import AudienceSpec
from preau.news.tests.helpers import demo_posts

pytestmark = pytest.mark.django_db

WELCOME = "Bienvenue au collège Jean Moulin"
CLASS_4B = "4e B : contrôle de mathématiques jeudi"
GUARDIANS = "Élections des représentants de parents d'élèves"
OPEN_DAY = "Journée portes ouvertes"
FORUM = "Forum des métiers et de l'orientation"
CLASS_2NDE3 = "2nde 3 : sortie au musée des Confluences"


def seen(user: Any, session: dict | None = None) -> set[str]:
    return set(policies.visible_posts(Actor(user, session or {})).values_list("title", flat=True))


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("lea", {WELCOME, CLASS_4B}),
        ("noah", {WELCOME, CLASS_4B}),
        ("jade", {WELCOME}),
        ("sophie", {WELCOME, CLASS_4B, GUARDIANS}),
        ("karim", {WELCOME, CLASS_4B, GUARDIANS}),
        ("bernard", {WELCOME, CLASS_4B}),
        ("garcia", {WELCOME, CLASS_4B}),
        ("principal_moulin", {WELCOME, GUARDIANS}),
        ("cpe_moulin", {WELCOME}),
        ("hugo", {FORUM, CLASS_2NDE3}),
        ("dupont", {FORUM, CLASS_2NDE3}),
        ("principal_curie", {FORUM}),
        ("rectorat_versailles", set()),
    ],
)
def test_each_member_sees_the_posts_of_their_audiences(
    cast: Cast, member: str, expected: set[str]
) -> None:
    demo_posts(cast)
    assert seen(getattr(cast, member)) == expected


def test_a_guardian_working_in_the_other_school_sees_its_posts(cast: Cast) -> None:
    demo_posts(cast)
    session = {SESSION_ESTABLISHMENT_KEY: str(cast.curie.public_id)}
    assert seen(cast.sophie, session) == {FORUM, CLASS_2NDE3}


def test_the_scheduled_post_waits_for_its_time(cast: Cast) -> None:
    posts = demo_posts(cast)
    assert OPEN_DAY not in seen(cast.lea)
    Post.objects.filter(pk=posts[OPEN_DAY].pk).update(
        publish_at=timezone.now() - timedelta(minutes=1)
    )
    assert OPEN_DAY in seen(cast.lea)


def test_a_withdrawn_post_is_no_longer_shown(cast: Cast) -> None:
    posts = demo_posts(cast)
    Post.objects.filter(pk=posts[CLASS_4B].pk).update(
        unpublish_at=timezone.now() - timedelta(seconds=1)
    )
    assert CLASS_4B not in seen(cast.lea)
    Post.objects.filter(pk=posts[CLASS_4B].pk).update(
        unpublish_at=timezone.now() + timedelta(hours=1)
    )
    assert CLASS_4B in seen(cast.lea)


def test_authors_and_the_head_manage_scheduled_posts(cast: Cast) -> None:
    demo_posts(cast)
    mine = set(policies.managed_posts(Actor(cast.cpe_moulin)).values_list("title", flat=True))
    assert mine == {OPEN_DAY}
    head = set(policies.managed_posts(Actor(cast.principal_moulin)).values_list("title", flat=True))
    assert head == {WELCOME, CLASS_4B, GUARDIANS, OPEN_DAY}
    assert set(policies.managed_posts(Actor(cast.bernard)).values_list("title", flat=True)) == {
        CLASS_4B
    }


def test_access_post_answers_404_outside_the_audience(cast: Cast) -> None:
    from django.http import Http404

    posts = demo_posts(cast)
    assert policies.access_post(Actor(cast.lea), posts[CLASS_4B].public_id)
    for member in (cast.jade, cast.hugo, cast.principal_curie):
        with pytest.raises(Http404):
            policies.access_post(Actor(member), posts[CLASS_4B].public_id)
    # The scheduled post: its author and the head only.
    assert policies.access_post(Actor(cast.cpe_moulin), posts[OPEN_DAY].public_id)
    assert policies.access_post(Actor(cast.principal_moulin), posts[OPEN_DAY].public_id)
    with pytest.raises(Http404):
        policies.access_post(Actor(cast.lea), posts[OPEN_DAY].public_id)
    # Sophie, working in Jean Moulin, opens Hugo's school's posts for Hugo.
    assert policies.access_post(Actor(cast.sophie), posts[CLASS_2NDE3].public_id)
    with pytest.raises(Http404):
        policies.access_post(Actor(cast.karim), posts[CLASS_2NDE3].public_id)


def test_groups_reach_their_students_and_their_guardians(cast: Cast) -> None:
    year = SchoolYear.current()
    latin = TeachingGroup.objects.create(establishment=cast.moulin, school_year=year, name="Latin")
    GroupMembership.objects.create(establishment=cast.moulin, group=latin, student=cast.noah)
    do_publish_post(
        actor=cast.principal_moulin,
        establishment=cast.moulin,
        title="Latin : voyage à Rome",
        body="Réunion mardi.",
        audience=AudienceSpec(groups=(latin,)),
    )
    assert "Latin : voyage à Rome" in seen(cast.noah)
    assert "Latin : voyage à Rome" in seen(cast.karim)
    assert "Latin : voyage à Rome" not in seen(cast.lea)
    assert "Latin : voyage à Rome" not in seen(cast.sophie)


def test_profiles_reach_only_their_holders(cast: Cast) -> None:
    do_publish_post(
        actor=cast.principal_moulin,
        establishment=cast.moulin,
        title="Réunion pédagogique",
        body="Salle des professeurs.",
        audience=AudienceSpec(profiles=(Profile.TEACHER,)),
    )
    assert "Réunion pédagogique" in seen(cast.garcia)
    assert "Réunion pédagogique" not in seen(cast.lea)
    assert "Réunion pédagogique" not in seen(cast.sophie)
    assert "Réunion pédagogique" not in seen(cast.dupont)


def test_the_guardian_panel_follows_the_selected_child(cast: Cast) -> None:
    demo_posts(cast)
    actor = Actor(cast.sophie)
    lea, hugo = (next(c for c in actor.children if c.student == s) for s in (cast.lea, cast.hugo))
    for_lea = panel_context(actor, lea)["html"]
    assert in_order(for_lea, [WELCOME, GUARDIANS, CLASS_4B])
    assert cast.curie.name not in for_lea
    for_hugo = panel_context(actor, hugo)["html"]
    assert in_order(for_hugo, [FORUM, CLASS_2NDE3])
    assert cast.curie.name in for_hugo  # the panel says which establishment the posts are from


def in_order(html: str, titles: list[str]) -> bool:
    """Each title is in the rendered panel, in this order."""
    from django.utils.html import escape

    positions = [html.find(str(escape(title))) for title in titles]
    return -1 not in positions and positions == sorted(positions)


def test_the_panel_is_left_out_when_there_is_nothing(cast: Cast) -> None:
    assert panel_context(Actor(cast.jade), None) is None


def test_audience_recipients(cast: Cast) -> None:
    posts = demo_posts(cast)
    recipients = set(policies.audience_recipients(posts[CLASS_4B]))
    assert recipients == {cast.lea, cast.noah, cast.sophie, cast.karim}
    recipients = set(policies.audience_recipients(posts[GUARDIANS]))
    assert recipients == {cast.sophie, cast.karim}
    everyone = set(policies.audience_recipients(posts[WELCOME]))
    assert cast.hugo not in everyone and cast.principal_moulin not in everyone
    assert {cast.lea, cast.jade, cast.bernard, cast.cpe_moulin, cast.sophie} <= everyone


def test_publishing_notifies_the_audience_once(cast: Cast) -> None:
    from preau.notifications.models import Notification

    posts = demo_posts(cast)
    notified = Notification.objects.filter(url=f"/news/{posts[CLASS_4B].public_id}/")
    assert {n.recipient for n in notified} == {cast.lea, cast.noah, cast.sophie, cast.karim}
    assert {n.kind for n in notified} == {"news"}
    # The scheduled post's notifications wait for its publication.
    scheduled = Notification.objects.filter(title=OPEN_DAY)
    assert scheduled.exists()
    assert all(n.deliver_at >= posts[OPEN_DAY].publish_at for n in scheduled)
    # Building the demo again changes nothing.
    count = Notification.objects.count()
    demo_posts(cast)
    assert Notification.objects.count() == count


def test_a_scheduled_post_notifies_at_publication_and_follows_its_changes(cast: Cast) -> None:
    from preau.news.actions import do_delete_post, do_update_post
    from preau.notifications.models import Notification
    from preau.notifications.policies import visible_notifications

    post = do_publish_post(
        actor=cast.bernard,
        establishment=cast.moulin,
        title="Conseil de classe",
        body="Bientôt.",
        audience=AudienceSpec(classes=(cast.class_4b,)),
        publish_at=timezone.now() + timedelta(days=2),
    )
    pending = Notification.objects.filter(url=f"/news/{post.public_id}/")
    assert {n.recipient for n in pending} == {cast.lea, cast.noah, cast.sophie, cast.karim}
    assert all(n.deliver_at >= post.publish_at for n in pending)
    assert not visible_notifications(cast.noah).filter(url=f"/news/{post.public_id}/").exists()

    # Moved to another class and to later: the old notifications go, new ones wait.
    later = timezone.now() + timedelta(days=5)
    do_update_post(
        actor=cast.bernard,
        post=post,
        title=post.title,
        body=post.body,
        audience=AudienceSpec(classes=(cast.class_3a,)),
        publish_at=later,
        unpublish_at=None,
        pinned=False,
    )
    assert {n.recipient for n in pending.all()} >= {cast.jade}
    assert cast.noah not in {n.recipient for n in pending.all()}
    assert all(n.deliver_at >= later for n in pending.all())

    do_delete_post(actor=cast.bernard, post=post)
    assert not pending.all().exists()
