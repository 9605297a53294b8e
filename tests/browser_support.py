"""Helpers for the browser tests (fixtures are in tests/browser/conftest.py)."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).parent / "web" / "vendor" / "axe.min.js"


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page (WCAG 2.0/2.1 A and AA rules); the violations of `impacts`."""
    # Served from the page's own origin, so the strict CSP (script-src 'self') stays on
    page.route("**/__axe__.js", lambda route: route.fulfill(path=str(AXE)))
    origin = page.evaluate("location.origin")
    page.add_script_tag(url=f"{origin}/__axe__.js")
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def log_in(page, live_server, username: str, password: str = "test-password-1") -> None:
    page.goto(f"{live_server.url}/log-ind/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind").click()
