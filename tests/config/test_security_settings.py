"""The production settings pass `manage.py check --deploy`, and the HTTPS settings behave:
HSTS on HTTPS answers, HTTP redirected to HTTPS (but not the health check)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

#: Silenced on purpose, with the reason in settings.py and docs/security.md.
JUSTIFIED = {"security.W021"}  # HSTS preload: the municipality's decision for its domain


def _production_env(tmp_path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RUSMIDDEL_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="rusmiddel.config.settings",
        RUSMIDDEL_SECRET_KEY=secrets.token_urlsafe(50),
        RUSMIDDEL_AUDIT_KEY=secrets.token_urlsafe(50),
        RUSMIDDEL_ALLOWED_HOSTS="rusmiddel.example.dk",
        RUSMIDDEL_DATA_DIR=str(tmp_path),
    )
    return {**env, **extra}


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    result = _check_deploy(_production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout


@pytest.mark.slow
def test_check_deploy_catches_a_weakened_setting(tmp_path):
    # given HSTS turned off and a short key: the check is not blind
    env = _production_env(tmp_path, RUSMIDDEL_HSTS_SECONDS="0", RUSMIDDEL_SECRET_KEY="short")
    result = _check_deploy(env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W009" in result.stderr + result.stdout


def test_only_justified_checks_are_silenced():
    from django.conf import settings

    assert set(settings.SILENCED_SYSTEM_CHECKS) <= JUSTIFIED


def test_https_answers_carry_hsts_for_a_year(client, db):
    response = client.get("/sundhed/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/sundhed/")  # never on plain HTTP


def test_http_is_redirected_to_https_except_the_health_check(settings, client, db):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/log-ind/")
    assert response.status_code == 301 and response.url == "https://testserver/log-ind/"
    assert client.get("/sundhed/").status_code == 200


def test_cookies_are_secure_and_sessions_short_outside_debug():
    from django.conf import settings

    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE == 8 * 3600


def test_every_answer_carries_the_security_headers(client, db):
    response = client.get("/log-ind/", secure=True)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


@pytest.mark.slow
def test_without_a_secret_key_from_the_environment_nothing_starts(tmp_path):
    env = _production_env(tmp_path)
    del env["RUSMIDDEL_SECRET_KEY"]
    result = _check_deploy(env)
    assert result.returncode != 0
    assert "RUSMIDDEL_SECRET_KEY is not set" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("audit_key", "message"),
    [(None, "RUSMIDDEL_AUDIT_KEY is not set"), ("short", "RUSMIDDEL_AUDIT_KEY is too short")],
)
def test_without_a_proper_audit_key_from_the_environment_nothing_starts(
    tmp_path, audit_key, message
):
    env = _production_env(tmp_path)
    del env["RUSMIDDEL_AUDIT_KEY"]
    if audit_key is not None:
        env["RUSMIDDEL_AUDIT_KEY"] = audit_key
    result = _check_deploy(env)
    assert result.returncode != 0
    assert message in result.stderr
