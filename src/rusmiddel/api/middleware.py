"""A body too big for the server, sent to the API, answers the API's JSON error."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",").removesuffix(",0")


class ApiBodyTooLargeMiddleware:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) under /api/ answers 413 with
    `{"error": {"code": "too_large", "field": "body", …}}` instead of Django's HTML 400.
    It runs before anything else reads the body (the check for NUL and lone surrogates does);
    pages keep Django's answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            try:
                request.body  # noqa: B018 - reads (and so measures) the body once, here
            except RequestDataTooBig:
                size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
                message = f"Forespørgslen er for stor: højst {_megabytes(size)} MB."
                error = {"code": "too_large", "field": "body", "message": message}
                return JsonResponse({"error": error, "errors": [error]}, status=413)
        return self.get_response(request)
