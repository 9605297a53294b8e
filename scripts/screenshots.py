"""Screenshots of the key pages into docs/screenshots/ (Debian's Chromium via Playwright).

    .venv/bin/python scripts/screenshots.py

Fills the demo data into a throw-away SQLite file, serves it on a free local port, logs in as
demo users and saves one PNG per page. Not part of the test run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("RUSMIDDEL_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "rusmiddel-demo"

#: (file name, user or None for public pages, path or a callable that finds the path)
PAGES = [
    ("citizen-apply", None, "/borger/helsingoer/soeg/"),
    ("standard-helsingoer", None, "/standarder/helsingoer/"),
    ("caseload-caseworker", "gentofte-sagsbehandler", "/sager/"),
    ("due-list", "gentofte-sagsbehandler", "/frister/"),
    ("follow-ups", "helsingoer-behandler", "/opfoelgning/"),
    ("case-page", "gentofte-sagsbehandler", "first-case"),
    ("assessment", "gentofte-sagsbehandler", "first-case/udredning/"),
    ("decision", "gentofte-sagsbehandler", "first-case/afgoerelse/"),
    ("audit-log", "helsingoer-leder", "/log/"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    from playwright.sync_api import sync_playwright

    data = tempfile.mkdtemp(prefix="rusmiddel-shots-")
    env = {**os.environ, "RUSMIDDEL_DATA_DIR": data, "RUSMIDDEL_DEBUG": "1"}
    port = _free_port()
    exe = str(Path(sys.executable).with_name("rusmiddel"))
    server = subprocess.Popen(
        [exe, "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/sundhed/", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            for name, user, path in PAGES:
                context = browser.new_context(
                    viewport={"width": 1280, "height": 900}, locale="da-DK"
                )
                page = context.new_page()
                if user:
                    page.goto(f"{base}/log-ind/")
                    page.get_by_label("Brugernavn").fill(user)
                    page.get_by_label("Adgangskode").fill(PASSWORD)
                    with page.expect_navigation():
                        page.get_by_role("button", name="Log ind").click()
                if path.startswith("first-case"):
                    page.goto(f"{base}/sager/")
                    href = page.locator("main table a[href^='/sager/']").first.get_attribute("href")
                    path = href.rstrip("/") + "/" + path.removeprefix("first-case").lstrip("/")
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
                print(f"{OUT / (name + '.png')}  {path}")
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
