"""Shared helpers of the news tests: posts from the demo, and fixed ids for isolation cases."""

from __future__ import annotations

import io
import uuid
from typing import Any

from PIL import Image

from preau.demo.cast import Cast
from preau.news.actions import CheckedFile, do_publish_post
from preau.news.demo import build
from preau.news.models import Post, PostAttachment
from preau.news.policies import AudienceSpec

CLASS_POST_ID = uuid.UUID("5f0c1f3e-3a51-4c1e-9a43-1b1f6f5b0001")
CLASS_FILE_ID = uuid.UUID("5f0c1f3e-3a51-4c1e-9a43-1b1f6f5b0002")
SCHEDULED_POST_ID = uuid.UUID("5f0c1f3e-3a51-4c1e-9a43-1b1f6f5b0003")


def demo_posts(cast: Cast) -> dict[str, Post]:
    return {post.title: post for post in build(cast)}


def png_bytes(size: tuple[int, int] = (16, 16)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (29, 78, 137)).save(output, "PNG")
    return output.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def class_post_with_files(cast: Cast) -> Post:
    """Bernard's post to 4e B with an image and a PDF, under fixed public ids."""
    post = do_publish_post(
        actor=cast.bernard,
        establishment=cast.moulin,
        title="Sortie au planétarium",
        body="<p>Autorisation jointe.</p>",
        audience=AudienceSpec(classes=(cast.class_4b,)),
        image=CheckedFile(png_bytes(), "ciel.png", "png", "image/png"),
        image_alt="Le ciel étoilé",
        attachments=[CheckedFile(PDF_BYTES, "autorisation.pdf", "pdf", "application/pdf")],
    )
    Post.objects.filter(pk=post.pk).update(public_id=CLASS_POST_ID)
    PostAttachment.objects.filter(post=post).update(public_id=CLASS_FILE_ID)
    post.refresh_from_db()
    return post


def scheduled_post(cast: Cast) -> Post:
    from datetime import timedelta

    from django.utils import timezone

    post = do_publish_post(
        actor=cast.bernard,
        establishment=cast.moulin,
        title="Conseil de classe",
        body="Bientôt.",
        audience=AudienceSpec(classes=(cast.class_4b,)),
        publish_at=timezone.now() + timedelta(days=2),
    )
    Post.objects.filter(pk=post.pk).update(public_id=SCHEDULED_POST_ID)
    post.refresh_from_db()
    return post


def setup_files(cast: Any) -> None:
    class_post_with_files(cast)


def setup_scheduled(cast: Any) -> None:
    scheduled_post(cast)
