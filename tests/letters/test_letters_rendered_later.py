"""Letters stored without their PDF (`letters_rendered_later`, the demo's first start): each is
rendered, logged with its PDF's hash and sent exactly once, afterwards or on its first read,
and nothing sends or exports one before it has its PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import pytest

from factories import staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import services
from rusmiddel.letters.models import Delivery, DeliveryStatus, Letter
from rusmiddel.letters.outbox import FileOutbox, outbox_process
from rusmiddel.letters.services import (
    letter_rendered,
    letters_render_pending,
    letters_rendered_later,
)
from rusmiddel.privacy.selectors import citizen_export

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
CPR = "0702921234"


def receipt_later():
    """A case whose contact receipt is made inside `letters_rendered_later`."""
    with letters_rendered_later():
        case = services.case_create(
            actor=staff("caseworker", "gentofte"),
            received_on=dt.date(2026, 11, 24),
            channel="phone",
            citizen_cpr=CPR,
            citizen_name="Mette Jensen",
        )
    Delivery.objects.update(next_attempt_at=NOW)
    return case, Letter.objects.get(case=case)


def created_entries(letter: Letter):
    return AuditEntry.objects.filter(event="letter_created", object_id=letter.pk)


@pytest.mark.django_db
def test_the_letter_is_stored_at_once_without_its_pdf_and_not_sent(tenants, tmp_path):
    # given a receipt made while letters are rendered later
    _, letter = receipt_later()
    # then it is there with all it says, but no PDF, no log entry yet, and it is not sent
    assert letter.title and letter.context["recipient"]
    assert (bytes(letter.pdf), letter.sha256) == (b"", "")
    assert not created_entries(letter).exists()
    assert outbox_process(now=NOW, outbox=FileOutbox(tmp_path)).sent == 0
    assert Delivery.objects.get(letter=letter).status == DeliveryStatus.PENDING
    # and outside the block letters are rendered at once again
    case = services.case_create(
        actor=staff("caseworker", "gentofte"),
        received_on=dt.date(2026, 11, 24),
        channel="phone",
        citizen_cpr="0803851234",
        citizen_name="Ole Hansen",
    )
    assert bytes(Letter.objects.get(case=case).pdf).startswith(b"%PDF")


@pytest.mark.django_db
def test_rendering_afterwards_stores_logs_and_lets_it_be_sent_once(tenants, tmp_path):
    _, letter = receipt_later()
    seen = []
    # when the pending letters are rendered
    assert letters_render_pending(progress=lambda n, total: seen.append((n, total))) == 1
    letter.refresh_from_db()
    # then the PDF is stored with its hash, and its creation is logged with that hash
    pdf = bytes(letter.pdf)
    assert pdf.startswith(b"%PDF") and letter.sha256 == hashlib.sha256(pdf).hexdigest()
    (entry,) = created_entries(letter)
    assert entry.new["sha256"] == letter.sha256
    assert seen == [(1, 1)]
    # and the outbox sends it now
    assert outbox_process(now=NOW, outbox=FileOutbox(tmp_path)).sent == 1
    # rendering again changes nothing
    assert letters_render_pending() == 0
    assert letter_rendered(letter).sha256 == letter.sha256
    assert created_entries(letter).count() == 1


@pytest.mark.django_db
def test_a_second_render_of_the_same_letter_keeps_the_first(tenants):
    _, letter = receipt_later()
    stale = Letter.objects.get(pk=letter.pk)  # read by another request before the render
    first = letter_rendered(letter)
    again = letter_rendered(stale)  # its own PDF is thrown away: the stored one stands
    assert again.sha256 == first.sha256 and bytes(again.pdf) == bytes(first.pdf)
    assert created_entries(letter).count() == 1


@pytest.mark.django_db
def test_the_first_read_renders_it(tenants, as_role):
    case, letter = receipt_later()
    api = as_role("caseworker", "gentofte")
    response = api.client.get(f"/api/letters/{letter.pk}/pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    letter.refresh_from_db()
    assert bytes(letter.pdf) == response.content
    assert created_entries(letter).count() == 1


@pytest.mark.django_db
def test_an_export_renders_it_first(tenants):
    case, letter = receipt_later()
    export = citizen_export(municipality=case.municipality, cpr=CPR)
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        assert archive.read(f"letters/{letter.pk}.pdf").startswith(b"%PDF")
