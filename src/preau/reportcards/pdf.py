"""The PDF of a report card, made with WeasyPrint from a template.

Nothing is fetched while rendering: the establishment's logo is read from the storage and
embedded, fonts are the system's (DejaVu), and the URL fetcher refuses every other address.
"""

from __future__ import annotations

import base64
import mimetypes
from functools import cache
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.reportcards.figures import class_figures
from preau.reportcards.models import ClassCouncil, CouncilState, ReportCard


class ExternalResourceRefused(ValueError):
    """A report card's PDF loads nothing from outside (no network, no other file)."""


def local_only_fetcher(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
    raise ExternalResourceRefused(url)


def logo_data_uri(establishment: Any) -> str:
    """The establishment's logo as a data: URI ('' without a logo or when it cannot be read)."""
    if not establishment.logo:
        return ""
    try:
        with establishment.logo.open("rb") as handle:
            content = handle.read()
    except OSError:
        return ""
    kind = mimetypes.guess_type(establishment.logo.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(content).decode('ascii')}"


@cache
def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def card_html(council: ClassCouncil, card: ReportCard, figures: Any, logo: str) -> str:
    return render_to_string(
        "reportcards/pdf.html",
        {
            "council": council,
            "establishment": council.establishment,
            "card": card,
            "figures": figures,
            "logo": logo,
            "head_teacher": council.school_class.head_teacher,
        },
    )


def card_pdfs(council: ClassCouncil, cards: list[ReportCard]) -> dict[int, bytes]:
    """The PDF of each report card of ``cards`` (all of ``council``), by report card id."""
    # Imported here: WeasyPrint loads its fonts and libraries on import, which only this needs.
    from weasyprint import HTML

    figures = class_figures(council, cards)
    logo = logo_data_uri(council.establishment)
    return {
        card.pk: HTML(
            string=card_html(council, card, figures[card.pk], logo),
            url_fetcher=local_only_fetcher,
        ).write_pdf(font_config=_font_config())
        for card in cards
    }


def store_council_pdfs(council: ClassCouncil, *, batch: int = 10) -> int:
    """Make and store the PDFs of a published council's report cards still without one."""
    if council.state != CouncilState.PUBLISHED:
        return 0
    stored = 0
    while True:
        cards = list(
            ReportCard.objects.filter(council=council, pdf="")
            .select_related("student")
            .order_by("student__last_name", "student__first_name", "pk")[:batch]
        )
        if not cards:
            return stored
        contents = card_pdfs(council, cards)
        now = timezone.now()
        with transaction.atomic():
            for card in cards:
                # Written only if still missing: a download may have stored it meanwhile.
                if ReportCard.objects.filter(pk=card.pk, pdf="").exists():
                    content = ContentFile(contents[card.pk])
                    card.pdf.save(f"{card.public_id}.pdf", content, save=False)
                    card.pdf_made_at = now
                    card.save(update_fields=["pdf", "pdf_made_at"])
                    stored += 1


def filename(card: ReportCard) -> str:
    council = card.council
    student = card.student
    return _("bulletin-%(year)s-%(period)s-%(last)s-%(first)s.pdf") % {
        "year": council.school_year.label,
        "period": council.period.number,
        "last": student.last_name,
        "first": student.first_name,
    }
