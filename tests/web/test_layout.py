"""The page layout: DKFDS is vendored in the package and every page loads it, with no inline
style or script (so a strict Content-Security-Policy can be switched on later)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.templatetags.static import static

import rusmiddel.web

STATIC = Path(rusmiddel.web.__file__).parent / "static"
CSS = "dkfds/css/dkfds.min.css"
JS = "dkfds/js/dkfds.min.js"
OWN = ["web/rusmiddel.css", "web/rusmiddel.js"]
PAGES = ["/", "/standarder/gentofte/", "/log-ind/"]

pytestmark = pytest.mark.django_db


@pytest.fixture(params=PAGES)
def page(request, client) -> str:
    response = client.get(request.param)
    assert response.status_code == 200
    return response.content.decode()


def test_every_page_links_the_vendored_css_and_js(page):
    assert f'<link rel="stylesheet" href="{static(CSS)}">' in page
    assert re.search(rf'<script src="{re.escape(static(JS))}"( defer)?></script>', page)
    for own in OWN:
        assert static(own) in page


def test_pages_have_no_inline_style_or_script(page):
    assert not re.search(r"<style[\s>]", page, re.I)
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.I | re.S):
        assert "src=" in attributes and not body.strip(), "inline <script> block"
    assert not re.search(r"\sstyle\s*=", page, re.I), "inline style attribute"
    assert not re.search(r"\son[a-z]+\s*=", page, re.I), "inline event handler"


def test_pages_are_danish_with_a_skip_link_to_the_main_content(page):
    assert '<html lang="da">' in page
    assert '<a class="skipnav" href="#main-content">Gå til indhold</a>' in page
    assert '<main id="main-content"' in page


def test_every_label_is_tied_to_an_input(client):
    body = client.get("/log-ind/").content.decode()
    for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', body):
        assert f'id="{target}"' in body
    assert 'for="id_username"' in body and 'for="id_password"' in body


def test_the_linked_static_files_are_in_the_package():
    for path in [CSS, JS, "dkfds/img/all-svg-icons.svg", "dkfds/LICENSE.md", *OWN]:
        assert (STATIC / path).is_file(), path


def test_every_file_the_dkfds_css_refers_to_is_vendored():
    css_file = STATIC / CSS
    css = css_file.read_text(encoding="utf-8")
    urls = {u for _, u in re.findall(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", css)}
    local = {u.split("?")[0].split("#")[0] for u in urls if not u.startswith(("data:", "#"))}
    assert local, "the stylesheet refers to fonts and icons"
    missing = [u for u in sorted(local) if not (css_file.parent / u).resolve().is_file()]
    assert not missing
    assert "sourceMappingURL" not in css  # the maps are not vendored


def test_version_json_names_the_vendored_version():
    manifest = json.loads((STATIC / "dkfds" / "VERSION.json").read_text(encoding="utf-8"))
    assert manifest["package"] == "dkfds"
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert manifest["integrity"].startswith("sha512-")
    listed = {f["path"] for f in manifest["files"]}
    assert {"css/dkfds.min.css", "js/dkfds.min.js", "LICENSE.md"} <= listed
    for path in listed:
        assert (STATIC / "dkfds" / path).is_file(), path
