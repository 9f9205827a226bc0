"""Page-number pagination for every list of the API.

``?page=&page_size=`` (page_size capped at API_MAX_PAGE_SIZE) gives
``{"items": [...], "count": n, "page": p, "pages": k}``. A page past the last one is a 404;
an empty list still has page 1.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase


class PageNumberPagination(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, description="Numéro de page, à partir de 1.")
        page_size: int | None = Field(
            None,
            ge=1,
            description="Éléments par page (par défaut API_PAGE_SIZE, au plus API_MAX_PAGE_SIZE).",
        )

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        pages: int

    def paginate_queryset(
        self, queryset: Any, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        page_size = min(pagination.page_size or settings.API_PAGE_SIZE, settings.API_MAX_PAGE_SIZE)
        count = self._items_count(queryset)
        pages = max(1, math.ceil(count / page_size))
        if pagination.page > pages:
            raise Http404
        offset = (pagination.page - 1) * page_size
        return {
            "items": queryset[offset : offset + page_size],
            "count": count,
            "page": pagination.page,
            "pages": pages,
        }
