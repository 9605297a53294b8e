"""The upload check under Administration refuses a hostile standard file with its problems
on an ordinary page (issue 17, item 3): a 200 with the `file:line: field: message` lines, a
small response, and quickly; not a 500, a 172 MB page or a stalled worker."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from factories import staff
from hostile_files import BOMBS, REFUSALS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_a_hostile_upload_answers_its_problem_on_a_small_page(tenants, client, bomb):
    client.force_login(staff("administrator", "gentofte"))
    upload = SimpleUploadedFile("2024-01-01.yaml", BOMBS[bomb]().encode())
    started = time.monotonic()
    response = client.post("/administration/standard/", {"file": upload})
    assert time.monotonic() - started < 15
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.content) < 100_000
    assert "Filen er ikke gyldig" in html
    _, field, word = REFUSALS[bomb]
    assert f": {field}" in html and word in html
    assert "/tmp" not in html  # the temporary file is not shown
