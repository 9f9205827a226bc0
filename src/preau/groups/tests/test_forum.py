"""The forum of a workspace: topics, replies, unread markers, moderation and reports."""

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.audit.models import AuditEntry
from preau.core.testing import query_budget
from preau.groups import actions
from preau.groups.actions import GroupsRefused
from preau.groups.models import ForumPost, PostReport, ReportStatus, Topic, WorkspaceMember
from preau.groups.tests.helpers import (
    CLUB_ID,
    FIRST_POST_ID,
    NOAH_POST_ID,
    TOPIC_ID,
    club,
    club_with_report,
    opened,
)
from preau.messaging.models import MessagingRules, Suspension
from preau.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

TOPIC_URL = reverse("groups:topic", args=[CLUB_ID, TOPIC_ID])


def test_a_member_replies_and_the_animator_reads_it(cast: Any, client: Any) -> None:
    club(cast)
    client.force_login(cast.noah)
    response = client.post(TOPIC_URL, {"body": "Je serai là mercredi."})
    assert response.status_code == 302
    post = ForumPost.objects.latest("created_at")
    assert response["Location"] == f"{TOPIC_URL}?page=last#post-{post.public_id}"
    assert client.get(response["Location"]).status_code == 200
    topic = Topic.objects.get(public_id=TOPIC_ID)
    assert topic.post_count == 4
    client.force_login(cast.garcia)
    page = client.get(reverse("groups:detail", args=[CLUB_ID])).content.decode()
    assert "Répétition de mercredi" in page and "non lu" in page
    page = client.get(TOPIC_URL).content.decode()
    assert "Je serai là mercredi." in page
    # Once read, the topic is no longer marked.
    page = client.get(reverse("groups:detail", args=[CLUB_ID])).content.decode()
    assert "non lu" not in page.split("Répétition de mercredi")[1].split("</tr>")[0]


def test_a_member_starts_a_topic(cast: Any, client: Any) -> None:
    club(cast)
    client.force_login(cast.lea)
    response = client.post(
        reverse("groups:new_topic", args=[CLUB_ID]),
        {"title": "Affiche", "body": "Qui dessine l'affiche ?"},
    )
    topic = Topic.objects.get(title="Affiche")
    assert response["Location"] == reverse("groups:topic", args=[CLUB_ID, topic.public_id])
    assert topic.author == cast.lea and topic.post_count == 1


def test_html_is_sanitised(cast: Any, client: Any) -> None:
    club(cast)
    client.force_login(cast.noah)
    client.post(
        TOPIC_URL,
        {
            "body": '<p onclick="x()">Voir <a href="https://example.org/">ici</a>'
            '<script>alert(1)</script><a href="javascript:alert(2)">là</a></p>'
        },
    )
    body = ForumPost.objects.latest("created_at").body
    assert "script" not in body and "onclick" not in body and "javascript" not in body
    assert '<a href="https://example.org/" rel="noopener noreferrer">ici</a>' in body
    # Plain text keeps its paragraphs, « < » included.
    client.post(TOPIC_URL, {"body": "2 < 3\n\nÉvident."})
    assert ForumPost.objects.latest("created_at").body == "<p>2 &lt; 3</p>\n\n<p>Évident.</p>"


@pytest.mark.parametrize("body", ["", "   ", "<p> </p>", "<script>alert(1)</script>"])
def test_an_empty_post_is_refused(cast: Any, client: Any, body: str) -> None:
    club(cast)
    before = ForumPost.objects.count()
    client.force_login(cast.noah)
    response = client.post(TOPIC_URL, {"body": body})
    assert response.status_code == 400
    assert "Le message est vide." in response.content.decode()
    response = client.post(
        reverse("groups:new_topic", args=[CLUB_ID]), {"title": "Vide", "body": body}
    )
    assert response.status_code == 400
    assert ForumPost.objects.count() == before
    assert not Topic.objects.filter(title="Vide").exists()


def test_a_reader_reads_but_does_not_post(cast: Any, client: Any) -> None:
    club(cast)
    WorkspaceMember.objects.filter(person=cast.noah).update(role="reader")
    client.force_login(cast.noah)
    page = client.get(TOPIC_URL).content.decode()
    assert "Vous êtes lecteur" in page and "Envoyer la réponse" not in page
    response = client.post(TOPIC_URL, {"body": "Coucou"})
    assert response.status_code == 400
    assert not ForumPost.objects.filter(body__contains="Coucou").exists()


def test_a_muted_member_no_longer_posts(cast: Any, client: Any) -> None:
    club(cast)
    client.force_login(cast.garcia)
    member_url = reverse("groups:member", args=[CLUB_ID, cast.noah.public_id])
    client.post(member_url, {"operation": "mute"})
    assert AuditEntry.objects.filter(action="groups.member.mute").exists()
    client.force_login(cast.noah)
    response = client.post(TOPIC_URL, {"body": "Encore moi"})
    assert response.status_code == 400
    assert "retiré la parole" in response.content.decode()
    client.force_login(cast.garcia)
    client.post(member_url, {"operation": "unmute"})
    client.force_login(cast.noah)
    assert client.post(TOPIC_URL, {"body": "Merci"}).status_code == 302


def test_a_messaging_suspension_stops_forum_posts(cast: Any, client: Any) -> None:
    """The establishment's messaging suspension (by person or by profile) also stops posts
    in workspaces; staff keep posting."""
    club(cast)
    Suspension.objects.create(establishment=cast.moulin, person=cast.noah)
    client.force_login(cast.noah)
    response = client.post(TOPIC_URL, {"body": "Suspendu ?"})
    assert response.status_code == 400
    assert "messagerie est suspendue" in response.content.decode()
    MessagingRules.objects.update_or_create(
        establishment=cast.moulin, defaults={"students_suspended": True}
    )
    client.force_login(cast.lea)
    assert client.post(TOPIC_URL, {"body": "Et moi ?"}).status_code == 400
    assert not ForumPost.objects.filter(body__contains="moi ?").exists()
    assert not ForumPost.objects.filter(body__contains="Suspendu").exists()
    client.force_login(cast.garcia)
    assert client.post(TOPIC_URL, {"body": "Les adultes écrivent."}).status_code == 302


def test_an_author_edits_their_post(cast: Any, client: Any) -> None:
    club(cast)
    url = reverse("groups:edit_post", args=[CLUB_ID, NOAH_POST_ID])
    client.force_login(cast.noah)
    assert client.get(url).status_code == 200
    client.post(url, {"body": "Et la scène 4 ?"})
    post = ForumPost.objects.get(public_id=NOAH_POST_ID)
    assert post.body == "<p>Et la scène 4 ?</p>" and post.edited_at is not None


def test_the_animator_hides_and_deletes(cast: Any, client: Any) -> None:
    club(cast)
    client.force_login(cast.garcia)
    moderate = reverse("groups:moderate_post", args=[CLUB_ID, NOAH_POST_ID])
    client.post(moderate, {"operation": "hide"})
    client.force_login(cast.lea)
    page = client.get(TOPIC_URL).content.decode()
    assert "masqué par un animateur" in page and "scène 3" not in page
    client.force_login(cast.garcia)
    assert "scène 3" in client.get(TOPIC_URL).content.decode()
    client.post(moderate, {"operation": "unhide"})
    client.post(moderate, {"operation": "delete"})
    assert not ForumPost.objects.filter(public_id=NOAH_POST_ID).exists()
    assert Topic.objects.get(public_id=TOPIC_ID).post_count == 2
    actions_done = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"groups.post.hide", "groups.post.unhide", "groups.post.delete"} <= actions_done
    deleted = AuditEntry.objects.get(action="groups.post.delete")
    assert deleted.before["excerpt"] == "Est-ce qu'on répète aussi la scène 3 ?"
    # Deleting the opening post deletes the topic.
    first = reverse("groups:moderate_post", args=[CLUB_ID, FIRST_POST_ID])
    response = client.post(first, {"operation": "delete"})
    assert response["Location"] == reverse("groups:detail", args=[CLUB_ID])
    assert not Topic.objects.filter(public_id=TOPIC_ID).exists()
    assert AuditEntry.objects.filter(action="groups.topic.delete").exists()


def test_pin_and_lock_a_topic(cast: Any, client: Any) -> None:
    club(cast)
    client.force_login(cast.garcia)
    url = reverse("groups:moderate_topic", args=[CLUB_ID, TOPIC_ID])
    client.post(url, {"operation": "pin"})
    client.post(url, {"operation": "lock"})
    topic = Topic.objects.get(public_id=TOPIC_ID)
    assert topic.pinned and topic.locked
    assert AuditEntry.objects.filter(action="groups.topic.moderate").count() == 2
    client.force_login(cast.noah)
    response = client.post(TOPIC_URL, {"body": "Encore une question"})
    assert response.status_code == 400
    assert "verrouillé" in response.content.decode()
    client.force_login(cast.garcia)
    client.post(url, {"operation": "unlock"})
    client.force_login(cast.noah)
    assert client.post(TOPIC_URL, {"body": "Encore une question"}).status_code == 302


def test_a_member_reports_and_the_animator_handles_it(cast: Any, client: Any) -> None:
    club(cast)
    client.force_login(cast.lea)
    url = reverse("groups:report_post", args=[CLUB_ID, NOAH_POST_ID])
    response = client.post(url, {"reason": "Hors sujet"}, follow=True)
    assert "Message signalé aux animateurs" in response.content.decode()
    response = client.post(url, {"reason": "Encore"}, follow=True)
    assert "déjà signalé" in response.content.decode()
    assert PostReport.objects.count() == 1
    notice = Notification.objects.get(
        recipient=cast.garcia, kind=Kind.GROUPS, title__contains="signalé"
    )
    assert notice.url == reverse("groups:reports", args=[CLUB_ID])
    # One's own post cannot be reported.
    own = reverse("groups:report_post", args=[CLUB_ID, FIRST_POST_ID])
    client.force_login(cast.garcia)
    assert "votre propre message" in client.post(own, follow=True).content.decode()
    page = client.get(reverse("groups:detail", args=[CLUB_ID])).content.decode()
    assert "1 signalement à traiter" in page
    queue = client.get(reverse("groups:reports", args=[CLUB_ID])).content.decode()
    assert "Hors sujet" in queue and "scène 3" in queue
    client.post(
        reverse("groups:moderate_post", args=[CLUB_ID, NOAH_POST_ID]),
        {"operation": "hide", "next": "reports"},
    )
    assert PostReport.objects.get().status == ReportStatus.HIDDEN
    assert (
        "Aucun signalement"
        in client.get(reverse("groups:reports", args=[CLUB_ID])).content.decode()
    )


def test_a_report_is_dismissed(cast: Any, client: Any) -> None:
    club_with_report(cast)
    client.force_login(cast.garcia)
    report = PostReport.objects.get()
    client.post(reverse("groups:dismiss_report", args=[CLUB_ID, report.public_id]))
    report.refresh_from_db()
    assert report.status == ReportStatus.DISMISSED and report.handled_by == cast.garcia
    assert AuditEntry.objects.filter(action="groups.report.dismiss").exists()
    assert ForumPost.objects.get(public_id=NOAH_POST_ID).hidden_at is None


def test_members_do_not_moderate_through_the_actions_either(cast: Any) -> None:
    """The views refuse members (a 404, see test_isolation); posting rules hold in the actions."""
    workspace = club(cast)
    noah, seen = opened(cast.noah, workspace)
    topic = Topic.objects.get(public_id=TOPIC_ID)
    Topic.objects.filter(pk=topic.pk).update(locked=True)
    topic.refresh_from_db()
    with pytest.raises(GroupsRefused):
        actions.do_reply(actor=noah, workspace=seen, topic=topic, body="Bonjour")


# -- query budgets ---------------------------------------------------------------------------


def _grow(cast: Any, workspace: Any, topics: int, replies: int, members: int) -> None:
    """More topics, more replies in the demo topic and more members, written in bulk."""
    from django.contrib.auth import get_user_model

    from preau.directory.models import Membership, Profile

    now = timezone.now()
    Topic.objects.bulk_create(
        [
            Topic(
                establishment=cast.moulin,
                workspace=workspace,
                title=f"Sujet {i}",
                author=cast.lea,
                post_count=1,
                last_post_at=now,
            )
            for i in range(topics)
        ]
    )
    topic = Topic.objects.get(public_id=TOPIC_ID)
    ForumPost.objects.bulk_create(
        [
            ForumPost(establishment=cast.moulin, topic=topic, author=cast.noah, body=f"<p>{i}</p>")
            for i in range(replies)
        ]
    )
    user_model = get_user_model()
    people = user_model.objects.bulk_create(
        [user_model(username=f"membre-{workspace.pk}-{topics}-{i}") for i in range(members)]
    )
    Membership.objects.bulk_create(
        [
            Membership(
                person=p,
                establishment=cast.moulin,
                school_year=cast.class_4b.school_year,
                profile=Profile.STUDENT,
            )
            for p in people
        ]
    )
    WorkspaceMember.objects.bulk_create(
        [WorkspaceMember(establishment=cast.moulin, workspace=workspace, person=p) for p in people]
    )


def test_workspace_page_query_budget(cast: Any, client: Any) -> None:
    """The same queries with 2 topics or 50, 3 members or 60."""
    workspace = club(cast)
    client.force_login(cast.garcia)
    client.get(reverse("groups:detail", args=[CLUB_ID]))
    # user, memberships, the workspace with the actor's membership and its establishment,
    # the topics' count and page (with unread marks and authors), the news, the members'
    # count, the open reports' count, and the messaging suspension; then the sections: the
    # shared folder's recent files (1) and the workspace calendar with its next events (2),
    # hence 12 rather than 9 before the sections.
    with query_budget(12):
        client.get(reverse("groups:detail", args=[CLUB_ID]))
    _grow(cast, workspace, topics=48, replies=0, members=57)
    with query_budget(12):
        response = client.get(reverse("groups:detail", args=[CLUB_ID]), {"page": 2})
    assert "Sujet" in response.content.decode()
    # A student's page: no reports to count, but the suspension check reads the rules.
    client.force_login(cast.lea)
    with query_budget(12):
        client.get(reverse("groups:detail", args=[CLUB_ID]))


def test_topic_page_query_budget(cast: Any, client: Any) -> None:
    """The same queries with 3 posts or 45."""
    workspace = club(cast)
    client.force_login(cast.noah)
    client.get(TOPIC_URL)
    # user, memberships, the workspace with the actor's membership, the topic, the posts'
    # count and page with their authors, the messaging suspension (2: the person's, the
    # rules), and the read mark (1 upsert, in a savepoint on SQLite).
    with query_budget(11):
        client.get(TOPIC_URL)
    _grow(cast, workspace, topics=0, replies=42, members=0)
    with query_budget(11):
        response = client.get(TOPIC_URL, {"page": "last"})
    assert "<p>41</p>" in response.content.decode()


def test_members_page_query_budget(cast: Any, client: Any) -> None:
    workspace = club(cast)
    client.force_login(cast.garcia)
    url = reverse("groups:members", args=[CLUB_ID])
    client.get(url)
    # user, memberships, the workspace with the actor's membership, the members' count and
    # page, the search results, the classes (2: the form tests for any, then lists them) and
    # the groups.
    with query_budget(9):
        client.get(url, {"q": "roux"})
    _grow(cast, workspace, topics=0, replies=0, members=80)
    with query_budget(9):
        client.get(url, {"q": "roux", "page": 2})
