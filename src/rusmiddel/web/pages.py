"""What every staff page shares: logged in, and the services' NotFound and Forbidden
answered as 404 and 403 (a case of another municipality is simply not found)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from rusmiddel.accounts.permissions import Action
from rusmiddel.cases.errors import Forbidden, NotFound
from rusmiddel.cases.scoping import require


def staff_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The language is the request's (web.middleware: Danish unless chosen in the footer).
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None

    return login_required(wrapped)


def staff_for(request: HttpRequest, action: Action) -> Any:
    """The signed-in staff member, if their role may do `action`; 403 otherwise."""
    try:
        return require(request.user, action)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None


def query_int(raw: str | None) -> int | None:
    """A whole number typed into a URL or form (ASCII digits only), else None."""
    return int(raw) if raw and raw.isascii() and raw.isdigit() else None
