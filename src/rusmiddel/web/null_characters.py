"""Text that no database can hold is refused at the door: NUL and lone surrogates.

PostgreSQL cannot store or even compare text holding NUL (0x00), and neither database can take
a lone surrogate (U+D800-U+DFFF, half of a UTF-16 pair, which UTF-8 cannot encode): such input
would end in a server error deep in a query or a save. This middleware is the one place that
refuses both, before any view runs, wherever text comes in: the query string of every page and
of the API, every string (and key) of a JSON body, and every field of a form post (a browser
never sends a lone surrogate, but a crafted multipart post with another charset can)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

from rusmiddel.cases.limits import UNSTORABLE, unstorable

#: How a JSON text can carry them: only as the escapes \u0000 and \uD800-\uDFFF.
_ESCAPED = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _in_json(value: Any, path: str) -> tuple[str, str] | None:
    """(the dotted path, the character) of the first string holding one, in a parsed JSON
    value, else None."""
    if isinstance(value, str):
        what = unstorable(value)
        return None if what is None else (path, what)
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and (what := unstorable(key)):
            return f"{path}.{_shown(key)!r}".lstrip("."), what
        found = _in_json(item, f"{path}.{key}".lstrip("."))
        if found:
            return found
    return None


def _shown(name: str) -> str:
    """A name as it can be shown: without the characters it cannot hold."""
    return UNSTORABLE.sub("", name)


def _in_fields(fields: Iterable[tuple[str, list[str]]]) -> tuple[str, str] | None:
    for key, values in fields:
        for text in (key, *values):
            what = unstorable(text) if isinstance(text, str) else None
            if what:
                return _shown(key), what
    return None


def unstorable_field(request: HttpRequest) -> tuple[str, str] | None:
    """(the field, the character) of the first query parameter, JSON body field or form field
    whose name or value holds text no database can hold, else None."""
    found = _in_fields(request.GET.lists())
    if found:
        return found
    if request.method != "POST":
        return None
    if request.content_type in _FORMS and not request.path.startswith("/api/"):
        return _in_fields(request.POST.lists())
    # JSON carries them only as escapes: parse a second time only a body that holds one. The
    # API reads every body as JSON, whatever its content type says.
    if request.content_type == "application/json" or request.path.startswith("/api/"):
        if not _ESCAPED.search(request.body):
            return None
        try:
            body = json.loads(request.body)
        except (ValueError, RecursionError):
            return None  # not JSON: the API's parser answers that with its own 422
        found = _in_json(body, "")
        return None if found is None else (found[0] or "body", found[1])
    return None


class RejectNullCharactersMiddleware:
    """Text no database can hold (NUL, a lone surrogate) is bad input: 422 naming the field on
    the API (its error shape), 400 with a Danish message naming it on pages. Nothing is read
    from or written to the database for such a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = unstorable_field(request)
        if found is None:
            return self.get_response(request)
        field, what = found
        message = f"Feltet »{field}« indeholder et ugyldigt tegn ({what})."
        if request.path.startswith("/api/"):
            error = {"code": "invalid", "field": field, "message": message}
            return JsonResponse({"error": error, "errors": [error]}, status=422)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
