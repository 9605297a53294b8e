"""web.middleware.NoStoreWhenLoggedInMiddleware: what a logged-in user sees is never cached
(a shared PC's back button after log-out shows nothing); public pages stay cacheable."""

from __future__ import annotations

from factories import staff


def test_pages_for_a_logged_in_user_are_not_stored(tenants, client):
    client.force_login(staff("caseworker"))
    for path in ["/sager/", "/api/me", "/"]:
        cache_control = client.get(path)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, path


def test_public_pages_may_be_cached(tenants, client):
    assert "no-store" not in client.get("/").get("Cache-Control", "")
    assert "no-store" not in client.get("/standarder/gentofte/").get("Cache-Control", "")
