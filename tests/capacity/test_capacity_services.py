"""Setting capacity through the services: the rules a line must keep (each refusal naming its
field), who may set it, another municipality's line not found, and a change the waitlist
plans with at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from factories import granted_waiting, staff
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.capacity.models import Capacity
from rusmiddel.capacity.selectors import waitlist_board
from rusmiddel.capacity.services import capacity_create, capacity_update, proposal_book
from rusmiddel.cases.errors import Forbidden, Invalid, NotFound
from rusmiddel.rules.calendar import next_working_day

CENTER = "helsingoer_rusmiddelcenter"
OFFER = "individuelle_samtaler"


@pytest.fixture
def head(tenants):
    return staff("head_of_unit", "helsingoer")


def line_values(**overrides):
    values = {
        "provider": CENTER,
        "offer": OFFER,
        "kind": "places",
        "amount": 1,
        "valid_from": timezone.localdate() - dt.timedelta(days=30),
    }
    return {**values, **overrides}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"offer": "kokain_hashstop"}, "offer", "gives i grupper"),
        ({"offer": "findes_ikke"}, "offer", "findes ikke i kvalitetsstandarden"),
        ({"provider": "privat_doegnbehandling"}, "provider", "leverer ikke"),
        ({"provider": "kabs"}, "provider", "er ikke kommunens"),  # Gentofte's provider
        ({"amount": 0}, "amount", "mindst 1 plads"),
        ({"kind": "weekly_slots", "amount": 0}, "amount", "mindst 1 opstartstid"),
        ({"kind": "beds"}, "kind", "Vælg pladser"),
        ({"valid_until": dt.date(2020, 1, 1)}, "valid_until", "ligger før startdatoen"),
        ({"valid_from": dt.date(2020, 1, 1)}, "valid_from", "ingen kvalitetsstandard"),
        ({"age_max": 120, "age_min": 30}, None, None),  # no upper bound on the offer: allowed
    ],
)
def test_a_line_keeps_the_standards_rules(head, overrides, field, message):
    if field is None:
        assert capacity_create(actor=head, **line_values(**overrides)).age_max == 120
        return
    with pytest.raises(Invalid, match=message) as refused:
        capacity_create(actor=head, **line_values(**overrides))
    assert refused.value.field == field
    assert not Capacity.objects.exists()
    assert not AuditEntry.objects.filter(event=Event.CAPACITY_CREATED).exists()


def test_only_the_administrator_and_the_head_of_unit_set_capacity(head):
    line = capacity_create(actor=head, **line_values())
    for role in ("caseworker", "therapist", "substance_consultant"):
        with pytest.raises(Forbidden):
            capacity_create(actor=staff(role, "helsingoer"), **line_values())
        with pytest.raises(Forbidden):
            capacity_update(
                actor=staff(role, "helsingoer"),
                capacity_id=line.pk,
                kind="places",
                amount=9,
                valid_from=line.valid_from,
            )
    admin = staff("administrator", "helsingoer")
    assert capacity_create(actor=admin, **line_values()).municipality.slug == "helsingoer"
    with pytest.raises(NotFound):
        capacity_update(
            actor=staff("administrator", "gentofte"),
            capacity_id=line.pk,
            kind="places",
            amount=9,
            valid_from=line.valid_from,
        )
    line.refresh_from_db()
    assert line.amount == 1


def test_one_more_place_lets_the_warned_citizen_start_in_time(head):
    today = timezone.localdate()
    therapist = staff("therapist", "helsingoer")
    first, d1 = granted_waiting(therapist, cpr="0101801234", offer=OFFER, contact_on=today)
    second, _ = granted_waiting(therapist, cpr="0202811234", offer=OFFER, contact_on=today)
    line = capacity_create(actor=head, **line_values())
    proposal_book(
        actor=therapist,
        case_id=first.pk,
        version=3,
        decision_id=d1.pk,
        line=f"capacity:{line.pk}",
        starts_on=next_working_day(today + dt.timedelta(days=1)),
        use_frequency="daily",
    )
    (row,) = waitlist_board(user=head, today=today).rows
    assert row.case.pk == second.pk and not row.proposal.in_time
    # when the head of unit adds the place the waitlist suggested
    capacity_update(
        actor=head, capacity_id=line.pk, kind="places", amount=2, valid_from=line.valid_from
    )
    # then the second citizen can start within the guarantee
    (row,) = waitlist_board(user=head, today=today).rows
    assert row.proposal.in_time and row.proposal.line.key == f"capacity:{line.pk}"
    entry = AuditEntry.objects.get(event=Event.CAPACITY_CHANGED)
    assert (entry.old, entry.new) == ({"amount": 1}, {"amount": 2})
