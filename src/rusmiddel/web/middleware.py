"""The language of a request: Danish, unless the user chose another in the footer's switch.

Django's LocaleMiddleware would also follow the browser's Accept-Language; we do not, so a
Danish citizen or caseworker with an English browser still meets the Danish service. The
choice is the `django_language` cookie that Django's `set_language` view sets."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers


def chosen_language(request: HttpRequest) -> str:
    """The language of the cookie when it is one of LANGUAGES, else LANGUAGE_CODE (Danish)."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))  # a cache must not serve one language to all
        return response


class NoStoreWhenLoggedInMiddleware:
    """Nothing shown to a logged-in user is kept by the browser or a proxy: on a shared PC the
    back button after log-out shows no case. Public pages stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # Cache-Control: no-store, private, …
        return response
