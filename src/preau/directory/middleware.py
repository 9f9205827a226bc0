"""A write refused because its school year is closed, when the view does not show the refusal
itself: a page that says so (409), instead of an error."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from preau.directory.years import ClosedYearRefused


class ClosedYearMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ClosedYearRefused):
            return render(
                request,
                "directory/closed_year.html",
                {"message": exception.messages[0]},
                status=409,
            )
        return None
