"""Text with a NUL character is refused at the door.

PostgreSQL cannot store or even compare text holding NUL (0x00), so such input would end in a
server error deep in a query. Django's form fields already refuse it with a field error; this
middleware covers what bypasses forms: the query strings of every page and the API's JSON
bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse


def _null_character_at(value: Any, path: str) -> str | None:
    """The dotted path of the first string holding NUL in a parsed JSON value, else None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return f"{path}.{key!r}".lstrip(".")
        found = _null_character_at(item, f"{path}.{key}".lstrip("."))
        if found:
            return found
    return None


def null_character_field(request: HttpRequest) -> str | None:
    """The first query parameter or JSON body field whose name or value holds NUL, else None."""
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return key.replace("\x00", "")  # the name as it can be shown
    # JSON can only carry NUL as the escape \u0000 (a raw NUL byte is not JSON, which the
    # API's parser refuses itself): parse a second time only a body that holds the escape.
    # The API reads its body as JSON whatever the content type says, so check it whatever.
    json_body = request.content_type == "application/json" or request.path.startswith("/api/")
    if json_body and b"\\u0000" in request.body:
        try:
            body = json.loads(request.body)
        except ValueError:
            return None  # not JSON: the API's parser answers that with its own 422
        found = _null_character_at(body, "")
        return None if found is None else (found or "body")
    return None


class RejectNullCharactersMiddleware:
    """Input with a NUL character is bad input: 422 naming the field on the API (its error
    shape), 400 with a Danish message on pages. Nothing is read from or written to the
    database for such a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = null_character_field(request)
        if field is None:
            return self.get_response(request)
        message = f"Feltet »{field}« indeholder et ugyldigt tegn (NUL)."
        if request.path.startswith("/api/"):
            error = {"code": "invalid", "field": field, "message": message}
            return JsonResponse({"error": error, "errors": [error]}, status=422)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
