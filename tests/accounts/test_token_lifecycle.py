"""API tokens and sessions end when they should (issue 17, item 9): a token expires after
RUSMIDDEL_API_TOKEN_HOURS, is revoked by POST /api/auth/logout, and every token and session
of a user ends when the user is deactivated or the password changes; a reactivated user starts
clean. Revoked tokens are kept, with when and why."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from factories import PASSWORD, staff
from rusmiddel.accounts.models import ApiToken, TokenRevocation
from rusmiddel.accounts.services import user_set_active
from rusmiddel.audit.models import AuditEntry, Event


@pytest.fixture
def user(tenants):
    return staff("caseworker", "helsingoer")


@pytest.fixture
def admin(tenants):
    return staff("administrator", "helsingoer")


def token_for(user) -> str:
    body = json.dumps({"username": user.get_username(), "password": PASSWORD})
    response = Client().post("/api/auth/token", body, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def me(key: str) -> int:
    return Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def logout(key: str):
    return Client().post("/api/auth/logout", HTTP_AUTHORIZATION=f"Bearer {key}")


def web_session(user) -> Client:
    """A browser logged in through the log-in page."""
    client = Client()
    response = client.post("/log-ind/", {"username": user.get_username(), "password": PASSWORD})
    assert response.status_code == 302
    return client


def logged_in(client: Client) -> bool:
    return client.get("/sager/").status_code == 200


def row(key: str) -> ApiToken:
    return ApiToken.objects.get(key_hash=ApiToken.hash_of(key))


# --- expiry -----------------------------------------------------------------------------------


def test_a_token_lasts_eight_hours_unless_configured(user, settings):
    assert settings.RUSMIDDEL_API_TOKEN_HOURS == 8
    body = json.dumps({"username": user.get_username(), "password": PASSWORD})
    answer = Client().post("/api/auth/token", body, content_type="application/json").json()
    expires = dt.datetime.fromisoformat(answer["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(hours=8))) < dt.timedelta(minutes=1)
    assert row(answer["token"]).expires_at == expires

    settings.RUSMIDDEL_API_TOKEN_HOURS = 1
    key = token_for(user)
    assert row(key).expires_at - row(key).created_at < dt.timedelta(hours=1, seconds=5)


def test_an_expired_token_is_refused(user):
    key = token_for(user)
    assert me(key) == 200
    ApiToken.objects.filter(pk=row(key).pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    response = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


# --- logout -----------------------------------------------------------------------------------


def test_logout_revokes_the_token_used_and_no_other(user):
    # given two tokens of one user (two clients)
    first, second = token_for(user), token_for(user)
    # when the first logs out
    response = logout(first)
    # then the first is refused from now on, and kept with when and why; the second works
    assert response.status_code == 200 and response.json() == {"revoked": True}
    assert me(first) == 401 and logout(first).status_code == 401
    revoked = row(first)
    assert revoked.revoked_at is not None and revoked.revoked_reason == TokenRevocation.LOGOUT
    assert me(second) == 200 and row(second).revoked_at is None


def test_logout_needs_a_bearer_token(user):
    client = Client()
    client.force_login(user)
    assert client.post("/api/auth/logout").status_code == 401
    assert logout("not-a-token").status_code == 401
    assert logged_in(client)  # a session logs out on the web, not here


# --- deactivation and reactivation --------------------------------------------------------------


def test_deactivation_ends_every_token_and_session_and_reactivation_brings_none_back(user, admin):
    # given two tokens and two browsers of the user, and another user's session
    keys = [token_for(user), token_for(user)]
    browsers = [web_session(user), web_session(user)]
    colleague = web_session(staff("therapist", "helsingoer"))
    # when an administrator deactivates the user
    user_set_active(actor=admin, user=user, active=False)
    # then the tokens are revoked (kept, with why) and the sessions are gone
    assert all(me(key) == 401 for key in keys)
    assert {row(k).revoked_reason for k in keys} == {TokenRevocation.DEACTIVATED}
    assert not any(logged_in(b) for b in browsers)
    assert logged_in(colleague)
    entry = AuditEntry.objects.get(event=Event.STAFF_ACTIVE_CHANGED)
    assert entry.new == {
        "username": user.get_username(),
        "active": False,
        "tokens_revoked": 2,
        "sessions_ended": 2,
    }
    # when the user is active again
    user_set_active(actor=admin, user=user, active=True)
    # then nothing from before works; a new log-in does
    assert all(me(key) == 401 for key in keys)
    assert not any(logged_in(b) for b in browsers)
    assert me(token_for(user)) == 200 and logged_in(web_session(user))


def test_reactivation_ends_what_a_deactivation_outside_the_service_left(user, admin):
    """A user switched off by other means (the shell, `manage`) kept their rows: their token
    and session were refused while inactive, and reactivating does not bring them back."""
    key, browser = token_for(user), web_session(user)
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert me(key) == 401 and not logged_in(browser)
    user.refresh_from_db()
    user_set_active(actor=admin, user=user, active=True)
    assert me(key) == 401 and row(key).revoked_reason == TokenRevocation.REACTIVATED
    assert not logged_in(browser)


def test_deactivation_through_the_administration_page_ends_the_sessions(user, admin, client):
    browser, key = web_session(user), token_for(user)
    client.force_login(admin)
    response = client.post(f"/administration/brugere/{user.pk}/aktiv/", {"active": "0"})
    assert response.status_code == 302
    assert not logged_in(browser) and me(key) == 401
    assert not Session.objects.filter(session_key=browser.session.session_key).exists()


# --- password change --------------------------------------------------------------------------


def test_a_password_change_ends_every_token_and_session(user):
    # given a token and a browser of the user
    key, browser = token_for(user), web_session(user)
    # when the password changes (as `manage changepassword` does: no service of ours)
    user.set_password("another-long-password-2")
    user.save()
    # then the token is refused and recorded as revoked; the session ended (Django's own
    # session hash); a log-in with the new password works
    assert me(key) == 401
    assert row(key).revoked_reason == TokenRevocation.PASSWORD_CHANGED
    assert not logged_in(browser)
    body = json.dumps({"username": user.get_username(), "password": "another-long-password-2"})
    answer = Client().post("/api/auth/token", body, content_type="application/json")
    assert answer.status_code == 200 and me(answer.json()["token"]) == 200


def test_saving_the_user_without_a_new_password_ends_nothing(user):
    key, browser = token_for(user), web_session(user)
    user.first_name = "Anna"
    user.save()
    assert me(key) == 200 and logged_in(browser)
