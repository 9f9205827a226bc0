"""Small generated files and shortcuts for the drive's tests."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from PIL import Image

from preau.core.actor import Actor
from preau.drive import actions
from preau.drive.models import Node

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def actor_for(user: Any) -> Actor:
    return Actor(user, {})


def png(width: int = 32, height: int = 24, colour: str = "teal") -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(output, format="PNG")
    return output.getvalue()


def upload(user: Any, folder: Node, name: str, content: bytes, **kwargs: Any) -> Node:
    return actions.do_upload_file(
        actor=actor_for(user), folder=folder, name=name, content=io.BytesIO(content), **kwargs
    )


def root(user: Any) -> Node:
    space = actions.do_ensure_personal_space(actor=actor_for(user))
    node = actions.root_of(space)
    return node


def stored_files() -> list[str]:
    """Every file under the drive's storage folder (the test's own media folder)."""
    base = settings.MEDIA_ROOT / "drive"
    return sorted(str(p) for p in base.rglob("*") if p.is_file()) if base.exists() else []
