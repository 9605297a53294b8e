"""The error answers (config/urls.py's handlers): Danish pages in the site's layout, and under
/api/ the API's own error shape, `{"error": {code, field, message}}`, as for every other API
error (an unknown /api/ address would otherwise get an HTML page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "field": None, "message": message}}, status=status)


@requires_csrf_token  # the layout's log-out and language forms carry the token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return _api_error(400, "invalid", "Forespørgslen kunne ikke læses.")
    return defaults.bad_request(request, exception)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return _api_error(403, "forbidden", "Ingen adgang.")
    return defaults.permission_denied(request, exception)  # 403.html shows the reason given


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return _api_error(404, "not_found", "Adressen findes ikke.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500.html is rendered without the request (Django's view): whatever failed, the
    database included, cannot fail the error page too."""
    if _api(request):
        return _api_error(500, "error", "Der opstod en fejl på serveren.")
    return defaults.server_error(request)
