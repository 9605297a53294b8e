"""Withdrawing (tilbagekalde) and correcting a decision: it stays on the case, in the timeline
and in the log, no longer counts as the basis of a course or a place on the waitlist, and the
citizen gets a letter saying what changed, why, and how to complain (docs/decisions.md)."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest

from factories import END_KEY_FACTS, START_KEY_FACTS, staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.capacity.selectors import _waiting_decisions_all
from rusmiddel.cases import services
from rusmiddel.cases.errors import Conflict, Forbidden, Invalid, NotFound
from rusmiddel.cases.models import Case, Course, Decision, DecisionStatus
from rusmiddel.letters.models import Delivery, Letter, LetterKind
from support import AFTER_THE_EVENTS

# the decisions and complaints are dated ahead of the real today (the services refuse that)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(AFTER_THE_EVENTS, tick=False)]

FACTS = {
    "person": {"role": "user", "children_at_home": 0, "pregnant": False},
    "use": {
        "substances": [{"substance": "cannabis", "primary": True}],
        "level": "problematic",
        "harms_daily_life": True,
    },
    "social": {"self_supporting": True, "housing": "rented", "social_problems": "none"},
    "health": {"psychiatric_disorder": "none"},
}
CONTACT = dt.date(2026, 11, 24)
DECIDED = dt.date(2026, 11, 26)
CHANGED = dt.date(2026, 12, 1)  # the withdrawal or correction (a Tuesday, before today)
REASON = "Afgørelsen byggede på en forkert oplysning om boligen."


def _v(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def _text(letter: Letter) -> str:
    reader = pypdf.PdfReader(io.BytesIO(bytes(letter.pdf)))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def caseworker(tenants):
    return staff("caseworker", "gentofte")


@pytest.fixture
def granted(caseworker) -> Decision:
    """Ambulant behandling at KABS, granted on 26 November, not started."""
    case = services.case_create(
        actor=caseworker,
        received_on=CONTACT,
        channel="phone",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
        citizen_address="Strandvejen 1, 2900 Hellerup",
        requested_offer="ambulant",
    )
    services.assessment_record(
        actor=caseworker, case_id=case.pk, version=_v(case.pk), facts=FACTS, on=CONTACT
    )
    return services.decision_record(
        actor=caseworker,
        case_id=case.pk,
        version=_v(case.pk),
        offer="ambulant",
        outcome="granted",
        decided_on=DECIDED,
        provider="kabs",
    )


def _withdraw(actor, decision: Decision, **kw) -> Decision:
    args = {"reason": REASON, "withdrawn_on": CHANGED, "version": _v(decision.case_id), **kw}
    return services.decision_withdraw(actor=actor, decision_id=decision.pk, **args)


def _correct(actor, decision: Decision, **kw) -> Decision:
    args = {"reason": REASON, "decided_on": CHANGED, "version": _v(decision.case_id), **kw}
    return services.decision_correct(actor=actor, decision_id=decision.pk, **args)


def _start(actor, decision: Decision) -> Course:
    return services.course_start(
        actor=actor,
        case_id=decision.case_id,
        version=_v(decision.case_id),
        started_on=dt.date(2026, 12, 2),
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )


# --- withdrawal -------------------------------------------------------------------------------


def test_a_withdrawn_decision_stays_logged_writes_a_letter_and_no_longer_counts(
    caseworker, granted
):
    case_id = granted.case_id
    version = _v(case_id)
    assert granted in _waiting_decisions_all(granted.case.municipality_id)

    withdrawn = _withdraw(caseworker, granted)

    withdrawn.refresh_from_db()
    assert withdrawn.status == DecisionStatus.WITHDRAWN
    assert (withdrawn.withdrawn_on, withdrawn.withdrawal_reason) == (CHANGED, REASON)
    assert withdrawn.withdrawn_by == caseworker and withdrawn.withdrawn_at is not None
    # a decision of its own: four weeks from the letter's receipt (Digital Post: that day)
    assert withdrawn.withdrawal_complaint_deadline == dt.date(2026, 12, 29)
    case = Case.objects.get(pk=case_id)
    assert case.version == version + 1
    assert case.status == "assessment"  # no decision stands: the case waits for one again
    # the log: old and new values
    entry = AuditEntry.objects.get(event="decision_withdrawn")
    assert (entry.case_id, entry.object_type, entry.object_id) == (case_id, "Decision", granted.pk)
    assert entry.old == {"status": "active"}
    assert entry.new["status"] == "withdrawn" and entry.new["reason"] == REASON
    assert entry.new["complaint_deadline"] == "2026-12-29"
    # the letter, in the outbox
    letter = Letter.objects.get(case_id=case_id, kind=LetterKind.DECISION_WITHDRAWAL)
    assert Delivery.objects.get(letter=letter).status == "pending"
    text = _text(letter)
    assert "Tilbagekaldelse af afgørelse" in text
    assert "Vi har tilbagekaldt vores afgørelse af 26. november 2026" in text
    assert "Ambulant behandling" in text and "1. december 2026" in text
    assert REASON in text
    assert "Klagefristen er 29. december 2026" in text
    assert "Send klagen til: Gentofte Kommune" in text
    # no longer the basis of a course, nor on the waitlist
    assert granted not in _waiting_decisions_all(granted.case.municipality_id)
    with pytest.raises(Invalid) as refused:
        _start(caseworker, granted)
    assert refused.value.field == "decision_id" and "tilbagekaldt" in refused.value.message


def test_withdrawal_is_refused_while_an_active_course_rests_on_it(caseworker, granted):
    course = _start(caseworker, granted)
    with pytest.raises(Invalid) as refused:
        _withdraw(caseworker, granted)
    assert refused.value.field == "decision_id"
    assert "Ambulant behandling (startet 02.12.2026)" in refused.value.message
    assert "afslut forløbet" in refused.value.message
    assert Decision.objects.get(pk=granted.pk).status == DecisionStatus.ACTIVE
    # once the course has ended, the decision can be withdrawn
    services.course_end(
        actor=caseworker,
        course_id=course.pk,
        version=_v(granted.case_id),
        ended_on=dt.date(2026, 12, 4),
        reason="other",
        outcome="unchanged",
        final_report="Afbrudt: afgørelsen tilbagekaldes.",
        **END_KEY_FACTS,
    )
    _withdraw(caseworker, granted, withdrawn_on=dt.date(2026, 12, 4))
    assert Decision.objects.get(pk=granted.pk).status == DecisionStatus.WITHDRAWN


def test_a_withdrawal_needs_a_reason_a_standing_decision_and_a_date_in_range(caseworker, granted):
    before = _v(granted.case_id)
    for kw, field in [
        ({"reason": "  "}, "reason"),
        ({"withdrawn_on": dt.date(2026, 11, 25)}, "withdrawn_on"),  # before the decision
        ({"withdrawn_on": dt.date(2099, 1, 2)}, "withdrawn_on"),  # in the future
        ({"send_channel": "pigeon"}, "send_channel"),
    ]:
        with pytest.raises(Invalid) as refused:
            _withdraw(caseworker, granted, **kw)
        assert refused.value.field == field, kw
    assert _v(granted.case_id) == before
    _withdraw(caseworker, granted)
    with pytest.raises(Invalid) as again:
        _withdraw(caseworker, granted)
    assert again.value.field == "decision_id" and "allerede tilbagekaldt" in again.value.message


def test_stale_version_role_and_municipality(caseworker, granted):
    with pytest.raises(Conflict):
        _withdraw(caseworker, granted, version=_v(granted.case_id) - 1)
    with pytest.raises(Forbidden):  # sees the case, may not decide
        _withdraw(staff("substance_consultant", "gentofte"), granted)
    with pytest.raises(Forbidden):
        _correct(staff("head_of_unit", "gentofte"), granted)
    with pytest.raises(NotFound):  # another municipality's decision
        _withdraw(staff("caseworker", "helsingoer"), granted)
    with pytest.raises(NotFound):
        _correct(staff("therapist", "helsingoer"), granted)
    assert Decision.objects.get(pk=granted.pk).status == DecisionStatus.ACTIVE
    assert not AuditEntry.objects.filter(event__in=["decision_withdrawn", "decision_corrected"])


def test_a_complaint_of_a_withdrawn_decision_counts_from_the_withdrawal(caseworker, granted):
    _withdraw(caseworker, granted)
    complaint = services.complaint_receive(
        actor=caseworker,
        case_id=granted.case_id,
        version=_v(granted.case_id),
        decision_id=granted.pk,
        received_on=dt.date(2026, 12, 28),  # after the grant's deadline, within the withdrawal's
        text="Jeg er uenig i tilbagekaldelsen",
    )
    assert complaint.within_deadline


# --- correction -------------------------------------------------------------------------------


def test_a_correction_replaces_the_decision_with_its_own_deadline_and_letter(caseworker, granted):
    new = _correct(
        caseworker,
        granted,
        provider="gladsaxe_rusmiddelcenter",
        send_channel="post",
        note="Rettet.",
    )
    old = Decision.objects.get(pk=granted.pk)
    assert old.status == DecisionStatus.CORRECTED and old.replaced_by == new
    assert (old.withdrawn_on, old.withdrawal_reason) == (CHANGED, REASON)
    assert new.status == DecisionStatus.ACTIVE and new.replaces == old
    assert (new.offer, new.outcome, new.provider.slug) == (
        "ambulant",
        "granted",
        "gladsaxe_rusmiddelcenter",
    )
    assert new.decided_on == CHANGED
    # its own deadline: ordinary post received six working days after 1 December (9 Dec),
    # four weeks on
    assert new.received_on == dt.date(2026, 12, 9)
    assert new.complaint_deadline == dt.date(2027, 1, 6)
    assert new.complaint_deadline != granted.complaint_deadline
    # the old one is no basis any more, the new one is
    waiting = set(_waiting_decisions_all(granted.case.municipality_id))
    assert new in waiting and old not in waiting
    with pytest.raises(Invalid):
        _start(caseworker, old)
    assert _start(caseworker, new).decision == new
    # one letter: the new decision in full, saying what changed and why
    letters = Letter.objects.filter(case_id=granted.case_id).exclude(kind="contact_receipt")
    assert sorted(letters.values_list("kind", flat=True)) == ["decision", "decision_corrected"]
    text = _text(letters.get(kind=LetterKind.DECISION_CORRECTED))
    assert "Ændret afgørelse om Ambulant behandling" in text
    assert "erstatter vores afgørelse af 26. november 2026" in text
    assert "Behandlingsstedet: KABS" in text and "Gladsaxe" in text
    assert REASON in text
    assert "Du har fået bevilget Ambulant behandling" in text
    assert "Klagefristen er 6. januar 2027" in text
    # the log: the old decision's entry with old and new values; the new one recorded
    entry = AuditEntry.objects.get(event="decision_corrected")
    assert (entry.object_type, entry.object_id) == ("Decision", old.pk)
    assert entry.old["status"] == "active" and entry.new["status"] == "corrected"
    assert entry.new["replaced_by"] == new.pk and entry.new["reason"] == REASON
    assert entry.old["provider_id"] != entry.new["provider_id"]
    assert AuditEntry.objects.filter(event="decision_recorded", object_id=new.pk).exists()
    # a complaint goes to the new decision
    with pytest.raises(Invalid) as refused:
        services.complaint_receive(
            actor=caseworker,
            case_id=granted.case_id,
            version=_v(granted.case_id),
            decision_id=old.pk,
            received_on=dt.date(2026, 12, 10),
            text="Klage",
        )
    assert str(new.pk) in refused.value.message


def test_a_correction_moves_a_running_course_or_is_refused(caseworker, granted):
    course = _start(caseworker, granted)
    with pytest.raises(Invalid) as refused:
        _correct(caseworker, granted, outcome="refused")
    assert refused.value.field == "outcome" and "Ambulant behandling" in refused.value.message
    with pytest.raises(Invalid) as refused:
        _correct(caseworker, granted, offer="dagbehandling", override_reason="Vurderet")
    assert refused.value.field == "offer"
    new = _correct(caseworker, granted, note="Begrundelsen er uddybet.")
    assert Course.objects.get(pk=course.pk).decision == new
    entry = AuditEntry.objects.get(event="decision_corrected")
    assert entry.new["courses_moved"] == [course.pk]


def test_a_correction_of_the_outcome_says_so(caseworker, granted):
    new = _correct(caseworker, granted, outcome="refused")
    assert new.outcome == "refused"
    text = _text(Letter.objects.get(case_id=granted.case_id, kind=LetterKind.DECISION_CORRECTED))
    assert "bevillingen er ændret til et afslag" in text
    assert "Du har fået afslag på Ambulant behandling" in text
    with pytest.raises(Invalid) as again:
        _correct(caseworker, granted)
    assert "allerede ændret" in again.value.message


def test_a_case_with_a_corrected_decision_can_be_erased(caseworker, granted):
    """Retention erases a case's rows model by model (`privacy.graph`): the link from the
    corrected decision to its replacement does not stand in the way."""
    from rusmiddel.privacy.graph import case_held, deletion_order, rows_of

    new = _correct(caseworker, granted)
    _withdraw(caseworker, new)
    for held in deletion_order(case_held()):
        rows_of(held, [granted.case_id]).delete()
    assert not Decision.objects.filter(case_id=granted.case_id).exists()
