"""The error pages with DEBUG off, as in production and the demo: Danish pages in the site's
layout (English when chosen), never Django's debug pages or a list of URL patterns; under
/api/ the API's own JSON errors. The demo runs with DEBUG off (issue 17)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from django.test import Client, RequestFactory
from django.urls import include, path

from factories import staff


def boom(request):
    raise RuntimeError("a bug, with internals: SELECT secret FROM somewhere")


# A URL conf with a failing view on top of the site's own (the handlers are the site's).
urlpatterns = [
    path("boom/", boom),
    path("api/boom", boom),
    path("", include("rusmiddel.config.urls")),
]
handler400 = "rusmiddel.web.errors.bad_request"
handler403 = "rusmiddel.web.errors.permission_denied"
handler404 = "rusmiddel.web.errors.page_not_found"
handler500 = "rusmiddel.web.errors.server_error"


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def html(response) -> str:
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    return response.content.decode()


def api_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["field"] is None and error["message"]


@pytest.mark.django_db
def test_an_unknown_address_is_a_danish_page_in_the_layout_without_url_patterns(client):
    response = client.get("/findes/ikke/")
    page = html(response)
    assert response.status_code == 404
    assert "<h1>Siden findes ikke</h1>" in page and 'lang="da"' in page
    assert "dkfds.min.css" in page and 'id="main-content"' in page  # the site's layout
    for internals in ("URLconf", "urlpatterns", "int:case_id", "Not Found", "Traceback"):
        assert internals not in page, internals


@pytest.mark.django_db
def test_a_page_not_found_in_a_view_says_so_in_english_when_chosen(tenants, client):
    client.force_login(staff("caseworker", "helsingoer"))
    client.cookies["django_language"] = "en"
    response = client.get("/sager/987654321/")
    assert response.status_code == 404
    page = html(response)
    assert "<h1>Page not found</h1>" in page and 'lang="en"' in page


@pytest.mark.django_db
def test_a_refusal_is_a_danish_page_with_the_reason(tenants, client):
    client.force_login(staff("caseworker", "helsingoer"))
    response = client.get("/log/")
    assert response.status_code == 403
    page = html(response)
    assert "<h1>Ingen adgang</h1>" in page and "Din rolle (Sagsbehandler)" in page


@pytest.mark.django_db
def test_a_bad_request_is_a_danish_page(client):
    response = client.get("/", HTTP_HOST="not-our-host.example")
    assert response.status_code == 400
    assert "<h1>Forespørgslen kunne ikke behandles</h1>" in html(response)


@pytest.mark.django_db
def test_a_server_error_is_a_danish_page_without_internals(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = html(response)
    assert "<h1>Der opstod en fejl</h1>" in page
    assert "SELECT" not in page and "RuntimeError" not in page and "Traceback" not in page


def test_the_server_error_page_needs_no_database():
    from rusmiddel.web import errors

    # no django_db mark: a query would raise here
    response = errors.server_error(RequestFactory().get("/sager/"))
    assert response.status_code == 500 and "Der opstod en fejl" in response.content.decode()


@pytest.mark.django_db
def test_the_api_answers_its_errors_as_json(tenants, settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    api_error(client.get("/api/findes-ikke"), 404, "not_found")
    api_error(client.get("/api/cases", HTTP_HOST="not-our-host.example"), 400, "invalid")
    api_error(client.get("/api/boom"), 500, "error")


# --- the demo ---------------------------------------------------------------------------------


def test_the_demo_runs_with_debug_off_and_a_key_of_its_own(tmp_path):
    from rusmiddel.demo import SECRET_KEY_FILE, demo_environ

    # given a fresh data directory
    env = demo_environ({"RUSMIDDEL_DATA_DIR": str(tmp_path)})
    # then the demo sets no debug, and a key made once, kept readable by its owner only
    assert "RUSMIDDEL_DEBUG" not in env and env["RUSMIDDEL_DEMO"] == "1"
    key_file = tmp_path / SECRET_KEY_FILE
    assert env["RUSMIDDEL_SECRET_KEY"] == key_file.read_text().strip()
    assert len(env["RUSMIDDEL_SECRET_KEY"]) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert demo_environ({"RUSMIDDEL_DATA_DIR": str(tmp_path)}) == env  # the same next time
    # what is set already wins
    mine = {"RUSMIDDEL_DATA_DIR": str(tmp_path), "RUSMIDDEL_SECRET_KEY": "k" * 50}
    assert "RUSMIDDEL_SECRET_KEY" not in demo_environ(mine)


def test_the_demo_settings_have_debug_off_and_plain_http(tmp_path):
    from rusmiddel.demo import demo_environ

    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RUSMIDDEL_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env = {**clean, "RUSMIDDEL_DATA_DIR": str(tmp_path)}
    env |= demo_environ(env)
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({k: getattr(settings, k) for k in ('DEBUG', 'ALLOWED_HOSTS', "
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', "
        "'SECURE_HSTS_SECONDS')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["localhost", "127.0.0.1"],
        "SESSION_COOKIE_SECURE": False,  # http://127.0.0.1: a Secure cookie would not return
        "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
    }
