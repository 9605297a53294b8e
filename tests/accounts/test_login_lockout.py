"""Login throttling (django-axes, accounts/security.py): N failed attempts for one username from
one address lock that pair out for the cool-off, on the web log-in and the API token alike."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from factories import PASSWORD, staff

LIMIT = settings.AXES_FAILURE_LIMIT
PROXY = "10.0.0.9"


def web_login(client: Client, username: str, password: str, ip: str = "192.0.2.1", **meta):
    return client.post(
        "/log-ind/", {"username": username, "password": password}, REMOTE_ADDR=ip, **meta
    )


def api_token(client: Client, username: str, password: str, ip: str = "192.0.2.1"):
    body = json.dumps({"username": username, "password": password})
    return client.post("/api/auth/token", body, content_type="application/json", REMOTE_ADDR=ip)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def user(tenants):
    return staff("caseworker")


def test_the_limit_is_five_failures_for_fifteen_minutes_unless_configured():
    assert LIMIT == 5 and dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_one_failure_fewer_than_the_limit_still_lets_the_right_password_in(user, client):
    for _ in range(LIMIT - 1):
        assert web_login(client, user.username, "wrong-password").status_code == 200
    response = web_login(client, user.username, PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_after_the_limit_even_the_right_password_is_refused_with_a_danish_message(user, client):
    # given LIMIT failures (the last one locks)
    for attempt in range(1, LIMIT + 1):
        response = web_login(client, user.username, "wrong-password")
        assert response.status_code == (429 if attempt == LIMIT else 200)
    # when the right password follows
    response = web_login(client, user.username, PASSWORD)
    # then it is refused, on the log-in page, in Danish
    assert response.status_code == 429 and not logged_in(client)
    page = response.content.decode()
    assert "for mange mislykkede forsøg" in page and "15 minutter" in page
    assert 'id="login-locked"' in page and 'name="username"' in page


def test_the_lock_lifts_after_the_cool_off(user, client):
    for _ in range(LIMIT):
        web_login(client, user.username, "wrong-password")
    attempts = AccessAttempt.objects.filter(username=user.username)
    # one minute before the cool-off ends: still locked
    attempts.update(
        attempt_time=dt.datetime.now(dt.UTC) - settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1)
    )
    assert web_login(client, user.username, PASSWORD).status_code == 429
    # the cool-off has passed: the right password works again
    attempts.update(
        attempt_time=dt.datetime.now(dt.UTC) - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    )
    response = web_login(client, user.username, PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_a_different_user_or_address_is_not_locked(tenants, user, client):
    other = staff("therapist", "helsingoer")
    for _ in range(LIMIT):
        web_login(client, user.username, "wrong-password")
    assert web_login(Client(), other.username, PASSWORD).status_code == 302
    fresh = Client()  # the same username from another address
    assert web_login(fresh, user.username, PASSWORD, ip="198.51.100.7").status_code == 302


def test_the_api_token_is_locked_out_the_same_way(user, client):
    for attempt in range(1, LIMIT + 1):
        response = api_token(client, user.username, "wrong-password")
        assert response.status_code == (429 if attempt == LIMIT else 422)
    response = api_token(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert "token" not in response.json()


def test_web_and_api_failures_count_together(user, client):
    for _ in range(LIMIT - 1):
        web_login(client, user.username, "wrong-password")
    assert api_token(client, user.username, "wrong-password").status_code == 429
    assert web_login(client, user.username, PASSWORD).status_code == 429


def test_a_success_resets_the_count(user, client):
    for _ in range(LIMIT - 1):
        web_login(client, user.username, "wrong-password")
    assert api_token(client, user.username, PASSWORD).status_code == 200  # no login(): no reset
    web_login(client, user.username, PASSWORD)
    client.logout()
    for _ in range(LIMIT - 1):
        web_login(client, user.username, "wrong-password")
    assert web_login(client, user.username, PASSWORD).status_code == 302


def test_behind_a_proxy_the_client_header_names_the_client(user, client, settings):
    # given the proxy's header, as for the self-service rate limits
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    for _ in range(LIMIT):
        web_login(client, user.username, "wrong-password", ip=PROXY, HTTP_X_REAL_IP="192.0.2.50")
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.ip_address == "192.0.2.50"
    # the same user through the same proxy from another client is not locked out
    other = web_login(Client(), user.username, PASSWORD, ip=PROXY, HTTP_X_REAL_IP="192.0.2.51")
    assert other.status_code == 302
    locked = web_login(Client(), user.username, PASSWORD, ip=PROXY, HTTP_X_REAL_IP="192.0.2.50")
    assert locked.status_code == 429
