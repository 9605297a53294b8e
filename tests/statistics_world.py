"""The statistics tests' hand-made fixture: tests/reporting/test_statistics.py computes every
figure from it by hand; tests/web/test_statistics_pages.py reads the same figures back through
the page and the downloads. Import `world_fixture` and ask for `world`.

The fixture is Helsingør's (its standard has ORS with a reliable change of 5). Period:
1 January – 31 March 2026. Offers: IS = individuelle_samtaler, KH = kokain_hashstop,
AR = anonym_raadgivning (anonymous). Providers: CENTRE = helsingoer_rusmiddelcenter,
PRIVATE = privat_doegnbehandling. Dates are (month, day) in 2026 unless a year is given.

| course | case | offer/provider | contact → guarantee due | start | end | substance/outcome |
| --- | --- | --- | --- | --- | --- | --- |
| C1 | named | IS / CENTRE | 01-02 → 01-16 | 01-10 | 02-20 | drugs/substance_free |
| C2 | named | IS / CENTRE | 01-20 → 02-03 | 02-05 | – |  |
| C3 | named | KH / PRIVATE | 01-25 → 02-08 | 01-31 | 03-15 | alcohol/reduced |
| C4 | named | IS / PRIVATE | 02-10 → 02-24 | 03-01 | 03-31 | drugs/unchanged |
| C5 | named | IS / CENTRE | 2025-12-20 → 01-03 | 01-03 | 01-30 | alcohol/referred |
| C6 | named | KH / CENTRE | 03-01 → 03-15 | 04-02 | – | (after the period) |
| C7 | named | IS / CENTRE | 2025-10-01 → 2025-10-15 | 2025-11-01 | 04-15 | (ends after) |
| C8 | named | IS / CENTRE | 02-01 → 02-15, 02-05 → 02-19 | 02-17 | – | (two clocks) |
| C9 | anonymous | AR / CENTRE | no guarantee | 02-01 | 03-10 | drugs/reduced |
| C10 | C3's case | IS / PRIVATE | (change of offer) | 03-15 | – |  |
| C11 | Gentofte | ambulant / kabs | 01-02 → 01-16 | 01-05 | 03-01 | drugs/substance_free |
| C12 | anonymous | AR / CENTRE | no guarantee | 2025-12-01 | – |  |
| C13 | named | IS / CENTRE | – | 2025-09-01 | 01-15 | ""/dropped_out |
| C14 | named | KH / CENTRE | – | 2025-10-01 | 02-28 | alcohol/stabilised |
| C15 | named | IS / PRIVATE | – | 2025-08-01 | 03-20 | drugs/stabilised |
| C16 | named | IS / CENTRE | – | 2025-03-01 | 2025-07-10 | drugs/reduced |
| C17 | named | IS / CENTRE | – | 2025-05-01 | 2025-09-30 | drugs/reduced |
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from factories import staff
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.cases.models import (
    Case,
    Contact,
    Course,
    Deadline,
    DeadlineKind,
    FollowUp,
    Session,
)
from rusmiddel.outcomes.models import FitScore
from rusmiddel.reporting.statistics import Filters

START, END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
PERIOD = Filters(start=START, end=END)
CPH = ZoneInfo("Europe/Copenhagen")
_numbers = itertools.count(1)


def d(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


class Fixture:
    def __init__(self) -> None:
        self.actor = staff("therapist", "helsingoer")
        self.centre = Provider.objects.get(slug="helsingoer_rusmiddelcenter")
        self.private = Provider.objects.get(slug="privat_doegnbehandling")

    def case(self, *, anonymous: bool = False, municipality: str = "helsingoer") -> Case:
        return Case.objects.create(
            municipality=Municipality.objects.get(slug=municipality),
            number=f"STAT-{next(_numbers)}",
            anonymous=anonymous,
            status="in_course",
        )

    def contact(self, case: Case, received: dt.date, due: dt.date | None, met: dt.date | None):
        contact = Contact.objects.create(
            case=case, received_on=received, channel="phone", guarantee_due=due
        )
        if due is not None:
            Deadline.objects.create(
                municipality=case.municipality,
                case=case,
                kind=DeadlineKind.TREATMENT_GUARANTEE,
                due_on=due,
                text="Behandlingsgaranti",
                anonymous=case.anonymous,
                source_type="contact",
                source_id=contact.pk,
                met_on=met,
            )
        return contact

    def course(self, case, offer, provider, started, ended=None, substance="", outcome="", **kw):
        return Course.objects.create(
            case=case,
            offer=offer,
            provider=provider,
            started_on=started,
            ended_on=ended,
            status="ended" if ended else "active",
            end_reason="completed" if ended else "",
            substance=substance,
            outcome=outcome,
            created_by=self.actor,
            **kw,
        )

    def guaranteed(self, offer, provider, received, due, started, *ended_substance_outcome):
        """A named case whose contact's guarantee deadline the course's start met."""
        case = self.case()
        self.contact(case, received, due, met=started)
        return self.course(case, offer, provider, started, *ended_substance_outcome)

    def ors(self, course: Course, at: dt.datetime, total: int, srs: int | None = None) -> None:
        session = Session.objects.create(
            course=course,
            starts_at=at,
            ends_at=at + dt.timedelta(hours=1),
            attendance="attended",
            recorded_by=self.actor,
        )
        for instrument, value in (("ors", total), ("srs", srs)):
            if value is not None:
                FitScore.objects.create(
                    session=session,
                    instrument=instrument,
                    items=[str(value / 4)] * 4,
                    total=Decimal(value),
                    recorded_by=self.actor,
                )

    def follow_up(self, course, months, due, done=None, reached=None) -> None:
        FollowUp.objects.create(
            course=course, months=months, due_on=due, done_on=done, reached=reached
        )


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CPH)


@pytest.fixture(name="world")
def world_fixture(tenants):
    f = Fixture()
    IS, KH, AR = "individuelle_samtaler", "kokain_hashstop", "anonym_raadgivning"
    G, CEN, PRI = f.guaranteed, f.centre, f.private
    c = {}
    c[1] = G(IS, CEN, d(1, 2), d(1, 16), d(1, 10), d(2, 20), "drugs", "substance_free")
    c[2] = G(IS, CEN, d(1, 20), d(2, 3), d(2, 5))
    c[3] = G(KH, PRI, d(1, 25), d(2, 8), d(1, 31), d(3, 15), "alcohol", "reduced")
    c[4] = G(IS, PRI, d(2, 10), d(2, 24), d(3, 1), d(3, 31), "drugs", "unchanged")
    c[5] = G(IS, CEN, d(12, 20, 2025), d(1, 3), d(1, 3), d(1, 30), "alcohol", "referred")
    c[6] = G(KH, CEN, d(3, 1), d(3, 15), d(4, 2))
    c[7] = G(IS, CEN, d(10, 1, 2025), d(10, 15, 2025), d(11, 1, 2025), d(4, 15), "drugs", "reduced")
    case8 = f.case()  # two contacts before the start: the first one's clock counts
    f.contact(case8, d(2, 1), d(2, 15), met=d(2, 17))
    f.contact(case8, d(2, 5), d(2, 19), met=d(2, 17))
    c[8] = f.course(case8, IS, CEN, d(2, 17))
    case9 = f.case(anonymous=True)
    f.contact(case9, d(2, 1), None, None)  # anonymous: no guarantee
    c[9] = f.course(case9, AR, CEN, d(2, 1), d(3, 10), "drugs", "reduced")
    # a change of offer on C3's case: no guarantee deadline is met by its start
    c[10] = f.course(c[3].case, IS, PRI, d(3, 15), previous=c[3])
    gentofte = f.case(municipality="gentofte")
    f.contact(gentofte, d(1, 2), d(1, 16), met=d(1, 5))
    kabs = Provider.objects.get(slug="kabs")
    c[11] = f.course(gentofte, "ambulant", kabs, d(1, 5), d(3, 1), "drugs", "substance_free")
    c[12] = f.course(f.case(anonymous=True), AR, CEN, d(12, 1, 2025))
    c[13] = f.course(f.case(), IS, CEN, d(9, 1, 2025), d(1, 15), "", "dropped_out")
    c[14] = f.course(f.case(), KH, CEN, d(10, 1, 2025), d(2, 28), "alcohol", "stabilised")
    c[15] = f.course(f.case(), IS, PRI, d(8, 1, 2025), d(3, 20), "drugs", "stabilised")
    c[16] = f.course(f.case(), IS, CEN, d(3, 1, 2025), d(7, 10, 2025), "drugs", "reduced")
    c[17] = f.course(f.case(), IS, CEN, d(5, 1, 2025), d(9, 30, 2025), "drugs", "reduced")

    # Follow-ups (due in the period: C5 1 m, C14 1 m, C13 1 m, C16 6 m, C17 6 m)
    f.follow_up(c[5], 1, d(3, 2), done=d(3, 5), reached=True)
    f.follow_up(c[5], 6, d(7, 30))  # due after the period
    f.follow_up(c[14], 1, d(3, 28), done=d(3, 30), reached=False)
    f.follow_up(c[13], 1, d(2, 15))
    f.follow_up(c[16], 1, d(8, 10, 2025), done=d(8, 12, 2025), reached=True)  # before the period
    f.follow_up(c[16], 6, d(1, 10), done=d(1, 12), reached=True)
    f.follow_up(c[17], 6, d(3, 31))
    f.follow_up(c[11], 1, d(3, 31), done=d(3, 31), reached=True)  # Gentofte: not counted

    # ORS (SRS beside it must not count)
    f.ors(c[2], at(2, 6), 20, srs=30)
    f.ors(c[2], at(2, 20), 26, srs=38)
    f.ors(c[2], at(3, 6), 27, srs=39)  # C2: 27 − 20 = +7, a reliable improvement
    f.ors(c[8], at(2, 18), 25)
    f.ors(c[8], at(3, 31, 22, 30), 23)  # C8: late on the period's last day: −2
    f.ors(c[10], at(3, 16), 18)  # C10: one score only, not counted
    f.ors(c[1], at(1, 12), 15)
    f.ors(c[1], at(2, 16), 10)  # C1: −5, a reliable deterioration (≤ −5)
    f.ors(c[7], at(11, 5, year=2025), 12)
    f.ors(c[7], at(12, 10, year=2025), 14)
    f.ors(c[7], at(4, 5), 30)  # C7: latest up to the period end is in December: not counted
    f.ors(c[12], at(12, 5, year=2025), 10)
    f.ors(c[12], at(1, 9), 14)  # C12 (anonymous): +4, no reliable change
    return c
