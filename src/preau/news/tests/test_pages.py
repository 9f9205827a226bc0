"""The news pages: isolation, the form, uploads, downloads, deletion, audit and query budgets."""

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.core.actor import Actor
from preau.core.testing import Isolation, isolation_test, query_budget
from preau.demo.cast import Cast
from preau.directory import versions
from preau.news.forms import ATTACHMENT_MAX_BYTES, IMAGE_MAX_BYTES
from preau.news.models import Post, PostAttachment
from preau.news.panels import panel_context
from preau.news.tests.helpers import (
    CLASS_FILE_ID,
    CLASS_POST_ID,
    PDF_BYTES,
    SCHEDULED_POST_ID,
    class_post_with_files,
    demo_posts,
    png_bytes,
    setup_files,
    setup_scheduled,
)

pytestmark = pytest.mark.django_db


def post_kwargs(_cast: Any) -> dict[str, Any]:
    return {"public_id": CLASS_POST_ID}


test_isolation = isolation_test(
    [
        # A class post: its class and their guardians; not another class, family or school.
        Isolation(
            route="news:detail",
            owner="lea",
            kwargs=post_kwargs,
            refused=("jade", "hugo", "principal_curie", "dupont"),
            setup=setup_files,
        ),
        Isolation(
            route="news:detail",
            owner="sophie",
            kwargs=post_kwargs,
            refused=("principal_curie", "hugo"),
            setup=setup_files,
        ),
        # A scheduled post: its author (and the head) only, not yet its audience.
        Isolation(
            route="news:detail",
            owner="bernard",
            kwargs=lambda c: {"public_id": SCHEDULED_POST_ID},
            refused=("lea", "karim", "garcia", "principal_curie"),
            setup=setup_scheduled,
        ),
        # Only its author edits a post, even colleagues of the class and the head.
        Isolation(
            route="news:edit",
            owner="bernard",
            kwargs=post_kwargs,
            refused=("garcia", "lea", "principal_moulin", "principal_curie", "dupont"),
            setup=setup_files,
        ),
        # Its author and the head delete it.
        Isolation(
            route="news:delete",
            owner="bernard",
            kwargs=post_kwargs,
            refused=("garcia", "lea", "karim", "cpe_moulin", "principal_curie"),
            setup=setup_files,
        ),
        Isolation(
            route="news:delete",
            owner="principal_moulin",
            kwargs=post_kwargs,
            refused=("principal_curie", "jade"),
            setup=setup_files,
        ),
        Isolation(
            route="news:image",
            owner="lea",
            kwargs=post_kwargs,
            refused=("jade", "hugo", "principal_curie"),
            setup=setup_files,
        ),
        Isolation(
            route="news:attachment",
            owner="noah",
            kwargs=lambda c: {"public_id": CLASS_POST_ID, "attachment_id": CLASS_FILE_ID},
            refused=("jade", "hugo", "principal_curie", "dupont"),
            setup=setup_files,
        ),
        Isolation(
            route="news:attachment",
            owner="karim",
            kwargs=lambda c: {"public_id": CLASS_POST_ID, "attachment_id": CLASS_FILE_ID},
            refused=("jade", "principal_curie"),
            setup=setup_files,
        ),
    ]
)


def form_data(cast: Cast, **overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Sortie au théâtre",
        "body": "<p>Rendez-vous à 8 h.</p>",
        "classes": [str(cast.class_4b.public_id)],
        "publish_at": "",
        "unpublish_at": "",
    }
    data.update(overrides)
    return data


def test_a_teacher_publishes_to_a_class_they_teach(cast: Cast, client: Any) -> None:
    client.force_login(cast.garcia)
    response = client.post(reverse("news:create"), form_data(cast))
    post = Post.objects.get(title="Sortie au théâtre")
    assert response.status_code == 302
    assert response["Location"] == reverse("news:detail", kwargs={"public_id": post.public_id})
    assert post.author == cast.garcia and post.establishment == cast.moulin
    assert list(post.classes.all()) == [cast.class_4b]
    assert post.audience_classes.get().establishment == cast.moulin
    entry = AuditEntry.objects.get(action="news.post.publish", target_id=str(post.public_id))
    assert entry.actor == cast.garcia and entry.after["audience"] == ["4e B"]


def test_a_teacher_cannot_post_to_a_class_they_do_not_teach(cast: Cast, client: Any) -> None:
    client.force_login(cast.garcia)
    response = client.post(
        reverse("news:create"), form_data(cast, classes=[str(cast.class_3a.public_id)])
    )
    assert response.status_code == 200
    assert "Vous ne pouvez pas publier pour cette classe." in response.content.decode()
    assert not Post.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="news.").exists()


def test_a_teacher_cannot_post_to_the_whole_establishment(cast: Cast, client: Any) -> None:
    client.force_login(cast.bernard)
    response = client.post(
        reverse("news:create"),
        form_data(cast, classes=[], everyone="on", profiles=["National_TUT"]),
    )
    assert response.status_code == 200
    assert "Choisissez à qui s&#x27;adresse l&#x27;actualité." in response.content.decode()
    assert not Post.objects.exists()


def test_the_form_offers_only_the_allowed_audiences(cast: Cast, client: Any) -> None:
    client.force_login(cast.garcia)
    page = client.get(reverse("news:create")).content.decode()
    assert str(cast.class_4b.public_id) in page
    assert str(cast.class_3a.public_id) not in page
    assert 'name="everyone"' not in page
    client.force_login(cast.cpe_moulin)
    page = client.get(reverse("news:create")).content.decode()
    assert str(cast.class_3a.public_id) in page and 'name="everyone"' in page
    assert str(cast.class_2nde3.public_id) not in page


@pytest.mark.parametrize("member", ["lea", "sophie", "rectorat_versailles"])
def test_students_and_guardians_do_not_post(cast: Cast, client: Any, member: str) -> None:
    client.force_login(getattr(cast, member))
    assert client.get(reverse("news:create")).status_code == 404
    assert client.post(reverse("news:create"), form_data(cast)).status_code == 404
    assert client.get(reverse("news:mine")).status_code == 404


def test_the_body_is_sanitised(cast: Cast, client: Any) -> None:
    client.force_login(cast.principal_moulin)
    body = (
        '<p onclick="steal()">Bonjour <script>alert(1)</script>'
        '<a href="javascript:alert(2)">piège</a> <a href="https://example.org">site</a>'
        '<img src="x" onerror="alert(3)"><iframe src="https://example.org"></iframe>'
        '<strong style="color:red">important</strong></p>'
    )
    client.post(reverse("news:create"), form_data(cast, body=body, classes=[], everyone="on"))
    post = Post.objects.get()
    assert post.body == (
        '<p>Bonjour <a rel="noopener">piège</a> '
        '<a href="https://example.org" rel="noopener">site</a><strong>important</strong></p>'
    )
    page = client.get(reverse("news:detail", kwargs={"public_id": post.public_id}))
    html = page.content.decode()
    assert "alert" not in html and "onclick" not in html and "javascript:" not in html


def test_plain_text_becomes_paragraphs(cast: Cast, client: Any) -> None:
    client.force_login(cast.bernard)
    client.post(reverse("news:create"), form_data(cast, body="Premier.\n\nSecond <3"))
    assert Post.objects.get().body.startswith("<p>Premier.</p>")


def test_the_publication_window_is_checked(cast: Cast, client: Any) -> None:
    client.force_login(cast.bernard)
    response = client.post(
        reverse("news:create"),
        form_data(cast, publish_at="2030-05-02T10:00", unpublish_at="2030-05-01T10:00"),
    )
    assert "Le retrait doit suivre la publication." in response.content.decode()
    assert not Post.objects.exists()
    client.post(
        reverse("news:create"),
        form_data(cast, publish_at="2030-05-02T10:00", unpublish_at="2030-05-09T18:00"),
    )
    post = Post.objects.get()
    assert post.publish_at.isoformat() == "2030-05-02T08:00:00+00:00"  # Paris summer time
    client.force_login(cast.lea)
    assert "Sortie au théâtre" not in client.get(reverse("news:index")).content.decode()


# -- uploads -------------------------------------------------------------------------------------


def stored_files(settings: Any) -> list[Any]:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def docx_bytes() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return output.getvalue()


def odt_bytes() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return output.getvalue()


def test_images_and_attachments_are_stored_and_served(
    cast: Cast, client: Any, settings: Any
) -> None:
    client.force_login(cast.bernard)
    files = [
        SimpleUploadedFile("programme.pdf", PDF_BYTES, "application/pdf"),
        SimpleUploadedFile("liste.docx", docx_bytes(), "application/octet-stream"),
        SimpleUploadedFile("notes.odt", odt_bytes(), "application/octet-stream"),
    ]
    response = client.post(
        reverse("news:create"),
        form_data(
            cast,
            image=SimpleUploadedFile("photo.png", png_bytes((2400, 1200)), "image/png"),
            image_alt="La classe au musée",
            attachments=files,
        ),
    )
    assert response.status_code == 302
    post = Post.objects.get()
    names = sorted(a.original_name for a in post.attachments.all())
    assert names == ["liste.docx", "notes.odt", "programme.pdf"]
    # Stored under unguessable names, in the establishment's folder, outside any public URL.
    for attachment in post.attachments.all():
        assert attachment.file.name.startswith(f"news/{cast.moulin.public_id}/")
        assert attachment.original_name not in attachment.file.name
    client.force_login(cast.lea)
    detail = client.get(reverse("news:detail", kwargs={"public_id": post.public_id}))
    html = detail.content.decode()
    assert 'alt="La classe au musée"' in html and "/media/" not in html
    image = client.get(reverse("news:image", kwargs={"public_id": post.public_id}))
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    from PIL import Image

    with Image.open(io.BytesIO(b"".join(image.streaming_content))) as reencoded:
        assert max(reencoded.size) == 1600
    pdf = post.attachments.get(original_name="programme.pdf")
    download = client.get(
        reverse(
            "news:attachment", kwargs={"public_id": post.public_id, "attachment_id": pdf.public_id}
        )
    )
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="programme.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF_BYTES


@pytest.mark.parametrize(
    ("field", "upload", "message"),
    [
        (
            "attachments",
            SimpleUploadedFile("devoir.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
            "« devoir.pdf » n&#x27;est pas accepté",
        ),
        (
            "attachments",
            SimpleUploadedFile("tableau.docx", PDF_BYTES, "application/pdf"),
            "« tableau.docx » n&#x27;est pas accepté",
        ),
        (
            "attachments",
            SimpleUploadedFile("script.html", b"<script>alert(1)</script>", "text/html"),
            "« script.html » n&#x27;est pas accepté",
        ),
        (
            "attachments",
            SimpleUploadedFile(
                "gros.pdf", b"%PDF-" + b"0" * ATTACHMENT_MAX_BYTES, "application/pdf"
            ),
            "« gros.pdf » dépasse 10 Mo.",
        ),
        (
            "image",
            SimpleUploadedFile("photo.png", b"<svg onload=alert(1)></svg>", "image/png"),
            "L&#x27;image doit être au format PNG, JPEG ou WebP.",
        ),
        (
            "image",
            SimpleUploadedFile("photo.png", b"\x89PNG" + b"0" * IMAGE_MAX_BYTES, "image/png"),
            "L&#x27;image ne doit pas dépasser 2 Mo.",
        ),
    ],
)
def test_uploads_are_refused_before_being_stored(
    cast: Cast, client: Any, settings: Any, field: str, upload: Any, message: str
) -> None:
    client.force_login(cast.bernard)
    response = client.post(reverse("news:create"), form_data(cast, **{field: upload}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Post.objects.exists() and not PostAttachment.objects.exists()
    assert stored_files(settings) == []


# -- edit and delete -----------------------------------------------------------------------------


def test_the_author_edits_the_post(
    cast: Cast, client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    post = class_post_with_files(cast)
    old_files = {p.name for p in stored_files(settings)}
    assert len(old_files) == 2
    client.force_login(cast.bernard)
    url = reverse("news:edit", kwargs={"public_id": post.public_id})
    form = client.get(url).content.decode()
    assert "Sortie au planétarium" in form and "autorisation.pdf" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            form_data(
                cast,
                title="Sortie au planétarium (reportée)",
                classes=[str(cast.class_4b.public_id), str(cast.class_3a.public_id)],
                remove_image="on",
                remove_attachments=[str(CLASS_FILE_ID)],
                pinned="on",
            ),
        )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "Sortie au planétarium (reportée)" and post.pinned
    assert not post.image and not post.attachments.exists()
    assert {c.name for c in post.classes.all()} == {"4e B", "3e A"}
    assert stored_files(settings) == []  # the replaced files are gone from the storage
    entry = AuditEntry.objects.get(action="news.post.update")
    assert entry.before["title"] == "Sortie au planétarium"
    assert entry.after["attachments"] == [] and entry.before["attachments"] == ["autorisation.pdf"]


def test_the_head_deletes_a_teacher_post(
    cast: Cast, client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    post = class_post_with_files(cast)
    client.force_login(cast.principal_moulin)
    url = reverse("news:delete", kwargs={"public_id": post.public_id})
    assert "Sortie au planétarium" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert not Post.objects.exists() and not PostAttachment.objects.exists()
    assert stored_files(settings) == []
    entry = AuditEntry.objects.get(action="news.post.delete")
    assert entry.actor == cast.principal_moulin and entry.before["title"] == post.title


@pytest.mark.parametrize("member", ["garcia", "lea", "karim", "principal_curie"])
def test_others_cannot_delete(cast: Cast, client: Any, member: str) -> None:
    post = class_post_with_files(cast)
    client.force_login(getattr(cast, member))
    response = client.post(reverse("news:delete", kwargs={"public_id": post.public_id}))
    assert response.status_code == 404
    assert Post.objects.filter(pk=post.pk).exists()


def test_others_cannot_edit(cast: Cast, client: Any) -> None:
    post = class_post_with_files(cast)
    client.force_login(cast.garcia)
    response = client.post(
        reverse("news:edit", kwargs={"public_id": post.public_id}), form_data(cast, title="Piraté")
    )
    assert response.status_code == 404
    post.refresh_from_db()
    assert post.title == "Sortie au planétarium"


def test_an_attachment_of_another_post_is_not_reached_through_this_one(
    cast: Cast, client: Any
) -> None:
    class_post_with_files(cast)
    posts = demo_posts(cast)
    welcome = posts["Bienvenue au collège Jean Moulin"]
    client.force_login(cast.jade)  # sees the welcome post, not the 4e B one
    response = client.get(
        reverse(
            "news:attachment",
            kwargs={"public_id": welcome.public_id, "attachment_id": CLASS_FILE_ID},
        )
    )
    assert response.status_code == 404


# -- lists, panel, budgets -----------------------------------------------------------------------


def test_the_list_puts_pinned_posts_first(cast: Cast, client: Any) -> None:
    demo_posts(cast)
    client.force_login(cast.sophie)
    html = client.get(reverse("news:index")).content.decode()
    welcome = html.index("Bienvenue au collège Jean Moulin")
    assert welcome < html.index("Élections des représentants") < html.index("4e B : contrôle")


def test_my_posts_lists_scheduled_ones(cast: Cast, client: Any) -> None:
    demo_posts(cast)
    client.force_login(cast.cpe_moulin)
    html = client.get(reverse("news:mine")).content.decode()
    assert "Journée portes ouvertes" in html and "Programmée" in html


def test_the_home_page_shows_the_news_panel(cast: Cast, client: Any) -> None:
    demo_posts(cast)
    client.force_login(cast.sophie)
    html = client.get(reverse("portal:home"), {"child": str(cast.hugo.public_id)}).content.decode()
    assert "Forum des métiers et de l&#x27;orientation" in html
    assert "4e B : contrôle" not in html
    html = client.get(reverse("portal:home"), {"child": str(cast.lea.public_id)}).content.decode()
    assert "4e B : contrôle" in html and "Forum des métiers" not in html


def many_posts(cast: Cast, count: int) -> None:
    from preau.news.actions import do_publish_post
    from preau.news.policies import AudienceSpec

    for number in range(count):
        do_publish_post(
            actor=cast.bernard,
            establishment=cast.moulin,
            title=f"Information {number}",
            body="Texte.",
            audience=AudienceSpec(classes=(cast.class_4b,)),
            pinned=number % 3 == 0,
        )


def page_queries(client: Any, url: str, **params: Any) -> tuple[int, int]:
    """All the queries of a page, and those of the news tables (the page's own work)."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    queries = [q["sql"] for q in context.captured_queries if '"django_session"' not in q["sql"]]
    return len(queries), len([q for q in queries if '"news_' in q])


def test_list_query_budget_does_not_grow_with_the_posts(cast: Cast, client: Any) -> None:
    client.force_login(cast.lea)
    counts = []
    for added in (3, 22):
        many_posts(cast, added)
        client.get(reverse("news:index"))
        counts.append(page_queries(client, reverse("news:index"), page=2 if added > 3 else 1))
    assert counts[0] == counts[1]
    assert counts[0][1] == 2  # the count of visible posts, the page of posts with their authors


def test_home_panel_query_budget(cast: Cast, client: Any) -> None:
    client.force_login(cast.karim)
    counts = []
    for added in (3, 22):
        many_posts(cast, added)
        client.get(reverse("portal:home"))
        versions.bump()  # every panel recomputed: the cost after a change
        counts.append(page_queries(client, reverse("portal:home")))
    assert counts[0] == counts[1]
    # The three latest posts for the child with their authors, and when the next scheduled
    # post starts or ends (how long the panel may be kept).
    assert counts[0][1] == 2
    assert page_queries(client, reverse("portal:home"))[1] == 0  # then from the cache
    # The panel on its own: the same two queries, for a student and for a guardian's child.
    for member in (cast.lea, cast.karim):
        versions.bump()
        actor = Actor(member)
        child = actor.children[0] if actor.is_guardian else None
        actor.enrolment, actor.group_ids  # noqa: B018 - resolved by the page before the panel
        with query_budget(2, warm=True):
            assert panel_context(actor, child)["html"].count("<li") == 3


def test_detail_query_budget(cast: Cast, client: Any) -> None:
    post = class_post_with_files(cast)
    client.force_login(cast.lea)
    url = reverse("news:detail", kwargs={"public_id": post.public_id})
    client.get(url)
    # The post with its author, its attachments, profiles, classes, groups and workspaces.
    assert page_queries(client, url)[1] == 6
