"""The outbox: delivery through an adapter, at most once per letter, retries with back-off,
a worklist of failures. The file and e-mail adapters are the real ones."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone

from factories import staff
from rusmiddel.cases import services
from rusmiddel.cli import main
from rusmiddel.letters.models import Delivery, DeliveryStatus, Letter
from rusmiddel.letters.outbox import (
    BACKOFF,
    DeliveryError,
    DigitalPostOutbox,
    EmailOutbox,
    FileOutbox,
    delivery_retry,
    outbox_process,
)

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def _case_with_receipt(email: str = "mette@example.dk", cpr: str = "0702921234"):
    caseworker = staff("caseworker", "gentofte")
    case = services.case_create(
        actor=caseworker,
        received_on=dt.date(2026, 11, 24),
        channel="phone",
        citizen_cpr=cpr,
        citizen_name="Mette Jensen",
        citizen_email=email,
    )
    Delivery.objects.update(next_attempt_at=NOW)
    return case


class Flaky:
    """An adapter whose transport fails the first `failures` times (a stand-in for a network
    that is down), then delivers like the file outbox."""

    name = "flaky"

    def __init__(self, failures: int, *, temporary: bool = True, folder=None) -> None:
        self.failures = failures
        self.temporary = temporary
        self.file = FileOutbox(folder)
        self.calls = 0

    def deliver(self, letter):
        self.calls += 1
        if self.calls <= self.failures:
            raise DeliveryError("forbindelsen blev afbrudt", temporary=self.temporary)
        return self.file.deliver(letter)


@pytest.mark.django_db
def test_the_file_outbox_delivers_each_letter_once(tenants, tmp_path):
    case = _case_with_receipt()
    outbox = FileOutbox(tmp_path)
    assert outbox_process(now=NOW, outbox=outbox).sent == 1
    assert outbox_process(now=NOW, outbox=outbox).sent == 0  # never twice
    pdfs = list((tmp_path / "gentofte").glob("*.pdf"))
    assert [p.name for p in pdfs] == [
        f"{case.number}-contact_receipt-{Letter.objects.get().pk}.pdf"
    ]
    meta = json.loads(pdfs[0].with_suffix(".json").read_text())
    assert meta["recipient"]["name"] == "Mette Jensen"
    assert pdfs[0].read_bytes() == bytes(Letter.objects.get().pdf)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1


@pytest.mark.django_db
def test_temporary_failures_back_off_then_land_on_the_worklist(tenants, tmp_path):
    _case_with_receipt()
    flaky = Flaky(failures=99, folder=tmp_path)
    now = NOW
    for attempt, wait in enumerate(BACKOFF, start=1):
        result = outbox_process(now=now, outbox=flaky)
        assert result.retried == 1, attempt
        delivery = Delivery.objects.get()
        assert delivery.next_attempt_at == now + wait
        # not due yet: nothing is tried before the back-off has passed
        assert outbox_process(now=now + wait - dt.timedelta(seconds=1), outbox=flaky).retried == 0
        now += wait
    assert outbox_process(now=now, outbox=flaky).failed == 1
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == len(BACKOFF) + 1
    assert delivery.last_error == "forbindelsen blev afbrudt"

    # A person fixes the cause and puts it back: it goes out, once
    delivery_retry(delivery=delivery, now=now)
    assert outbox_process(now=now, outbox=Flaky(0, folder=tmp_path)).sent == 1


@pytest.mark.django_db
def test_a_recovered_transport_delivers_on_the_next_try(tenants, tmp_path):
    _case_with_receipt()
    flaky = Flaky(failures=1, folder=tmp_path)
    assert outbox_process(now=NOW, outbox=flaky).retried == 1
    assert outbox_process(now=NOW + BACKOFF[0], outbox=flaky).sent == 1
    assert Delivery.objects.get().attempts == 2


@pytest.mark.django_db
def test_email_outbox_attaches_the_pdf_and_refuses_without_an_address(tenants, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _case_with_receipt()
    assert outbox_process(now=NOW, outbox=EmailOutbox()).sent == 1
    (message,) = mail.outbox
    assert message.to == ["mette@example.dk"]
    assert message.subject == "Kvittering for din henvendelse"
    name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")

    Delivery.objects.all().delete()
    Letter.objects.all().delete()
    # a citizen without one (opening a case never erases a known citizen's address)
    _case_with_receipt(email="", cpr="0803851234")
    result = outbox_process(now=NOW, outbox=EmailOutbox())
    assert result.failed == 1  # permanent: no retry can help
    assert Delivery.objects.get().last_error == "borgeren har ingen e-mailadresse"


@pytest.mark.django_db
def test_digital_post_seam_puts_letters_on_the_worklist_with_the_reason(tenants, as_role):
    case = _case_with_receipt()
    assert outbox_process(now=NOW, outbox=DigitalPostOutbox()).failed == 1
    api = as_role("caseworker", "gentofte")
    status, worklist = api.get("/outbox/failures")
    assert status == 200
    (item,) = worklist["items"]
    assert item["case_id"] == case.pk and "Digital Post" in item["delivery"]["last_error"]
    status, letters = api.get(f"/cases/{case.pk}/letters")
    assert [i["kind"] for i in letters["items"]] == ["contact_receipt"]
    response = api.client.get(f"/api/letters/{item['id']}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    status, retried = api.post(f"/letters/{item['id']}/retry", {})
    assert status == 200 and retried["delivery"]["status"] == "pending"
    # Another municipality sees neither the letter nor the worklist entry
    other = as_role("caseworker", "helsingoer")
    assert other.client.get(f"/api/letters/{item['id']}/pdf").status_code == 404
    assert other.get("/outbox/failures")[1]["items"] == []


@pytest.mark.django_db
def test_the_outbox_command_sends_and_lists_the_worklist(tenants, settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path
    _case_with_receipt()
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert main(["outbox", "--process"]) == 0
    out = capsys.readouterr().out
    assert "1 sendt" in out and "0 på arbejdslisten" in out
    assert len(list((tmp_path / "outbox" / "gentofte").glob("*.pdf"))) == 1


@pytest.mark.django_db(transaction=True)
def test_a_new_letter_leaves_right_after_its_transaction_commits(tenants, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    case = _case_with_receipt()
    delivery = Delivery.objects.get(letter__case=case)
    assert delivery.status == DeliveryStatus.SENT and delivery.outbox == "file"
    assert len(list((tmp_path / "outbox" / "gentofte").glob("*.pdf"))) == 1
