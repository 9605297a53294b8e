"""Management statistics against a hand-made fixture (tests/statistics_world.py, whose
table lists every course): every figure is computed by hand in the comments below."""

from __future__ import annotations

import pytest
from django.db.models import F, Q

from factories import staff
from rusmiddel.accounts.models import Provider
from rusmiddel.cases.errors import Forbidden
from rusmiddel.cases.models import Course
from rusmiddel.reporting.statistics import Filters, management_statistics, ors_reliable_change
from rusmiddel.standards import registry
from statistics_world import END, PERIOD, START, d, world_fixture  # noqa: F401 - the fixture


def head(municipality: str = "helsingoer"):
    return staff("head_of_unit", municipality)


def test_the_reliable_change_threshold_is_read_from_the_standard(tenants):
    ors = registry.load("helsingoer", END).standard.instrument("ors")
    assert ors_reliable_change("helsingoer", END) == ors.reliable_change == 5
    assert ors_reliable_change("gentofte", END) is None  # Gentofte's standard has no FIT


def test_guarantee_kept_per_month_of_the_guarantee_date(world):
    g = management_statistics(user=head(), filters=PERIOD, today=END).guarantee
    # (rules/guarantee.py) by the month of the guarantee date, on 31 March:
    # January: C5 (due 01-03, started 01-03, the due day itself), C1 (01-16, started 01-10)
    # → 2 of 2. February: C2 (due 02-03, started 02-05: missed), C3 (02-08, started 01-31:
    # met), C4 (02-24, started 03-01: missed), C8 (two requests 4 days apart, one request
    # with the first's date 02-15, started 02-17: missed) → 1 of 4. March: C6 (due 03-15,
    # not started by 03-31: its start is booked for 04-02) → not kept, 0 of 1. Not counted:
    # C7 (due in 2025), C9 and C12 (anonymous), C10 (a change of offer, no request), C11
    # (Gentofte).
    assert [(m.month, m.covered, m.met, m.share) for m in g.months] == [
        (d(1, 1), 2, 2, 100.0),
        (d(2, 1), 4, 1, 25.0),
        (d(3, 1), 1, 0, 0.0),
    ]
    march = g.months[2].tally
    assert (march.missed, march.pending_overdue) == (0, 1)
    assert (g.covered, g.met, g.share) == (7, 3, 42.9)
    # once C6 has started (late), it counts as missed, and the share stays
    later = management_statistics(user=head(), filters=PERIOD, today=d(4, 30)).guarantee
    assert (later.months[2].tally.missed, later.share) == (1, 42.9)


def test_waiting_days_histogram_and_median(world):
    g = management_statistics(user=head(), filters=PERIOD, today=END).guarantee
    # the started requests above: C5 2025-12-20→01-03 = 14, C1 01-02→01-10 = 8,
    # C2 01-20→02-05 = 16, C3 01-25→01-31 = 6, C4 02-10→03-01 = 19, C8 02-01→02-17 = 16
    # (C6 has not started on 03-31). Sorted 6 8 14 16 16 19.
    assert g.buckets == [("0–7", 1), ("8–14", 2), ("15–28", 3), ("29+", 0)]
    assert g.median_days == 15.0  # (14 + 16) / 2
    # on 30 April C6 has started: 03-01→04-02 = 32
    later = management_statistics(user=head(), filters=PERIOD, today=d(4, 30)).guarantee
    assert later.buckets[-1] == ("29+", 1) and later.median_days == 16.0


def test_caseload_per_offer_and_provider(world):
    rows = management_statistics(user=head(), filters=PERIOD).caseload
    got = {(r.offer, r.provider_id and Provider.objects.get(pk=r.provider_id).slug, r.anonymous):
           (r.active.shown, r.started.shown) for r in rows}  # fmt: skip
    # active on 03-31 = started by then and not ended by then; started = in the period.
    # IS/centre: started C1 C2 C5 C8 = 4; active C2 C8 and C7 (ends 04-15) = 3.
    # IS/private: started C4 C10 = 2; active C10 = 1 (C4 ended on 03-31).
    # KH/private: started C3 = 1; active 0. C6 starts after the period: not counted.
    # AR/centre (anonymous): started C9 = 1 → "<3"; active C12 = 1 → "<3".
    # C13–C17 ended before the period's end and started before it: no row.
    assert got == {
        ("individuelle_samtaler", "helsingoer_rusmiddelcenter", False): (3, 4),
        ("individuelle_samtaler", "privat_doegnbehandling", False): (1, 2),
        ("kokain_hashstop", "privat_doegnbehandling", False): (0, 1),
        ("anonym_raadgivning", "helsingoer_rusmiddelcenter", True): ("<3", "<3"),
    }


def test_outcomes_against_the_governments_goals(world):
    rows = {r.substance: r for r in management_statistics(user=head(), filters=PERIOD).outcomes}
    # Ended 01-01..03-31. Drugs: C1 substance_free, C4 unchanged, C9 reduced (anonymous),
    # C15 stabilised → 4 ended, 3 in a goal → 75.0 %. C7 ends after, C16/C17 before.
    drugs = rows["drugs"]
    assert {o: c.shown for o, c in drugs.by_outcome.items()} == {
        "substance_free": 1,
        "unchanged": 1,
        "reduced": "<3",  # one anonymous course
        "stabilised": 1,
    }
    assert (drugs.ended.shown, drugs.in_goal.shown, drugs.share) == (4, 3, 75.0)
    # Alcohol: C3 reduced, C5 referred, C14 stabilised (not an alcohol goal) → 2 of 3.
    alcohol = rows["alcohol"]
    assert (alcohol.ended.shown, alcohol.in_goal.shown, alcohol.share) == (3, 2, 66.7)
    assert alcohol.by_outcome["stabilised"].n == 1
    # No substance: C13 dropped out → 1 ended, no goals to measure against.
    assert (rows[""].ended.n, rows[""].in_goal.n, rows[""].share) == (1, 0, None)
    assert list(rows) == ["drugs", "alcohol", ""]


def test_follow_up_completion(world):
    rows = {r.months: r for r in management_statistics(user=head(), filters=PERIOD).follow_ups}
    # 1 month, due in the period: C5 (done, reached), C14 (done, not reached), C13 (open)
    # → due 3, done 2, reached 1 → 33.3 %. C16's is before the period, C11's in Gentofte.
    one = rows[1]
    assert (one.due.n, one.done.n, one.reached.n, one.share) == (3, 2, 1, 33.3)
    # 6 months: C16 (done, reached), C17 (due 03-31, open) → 2, 1, 1 → 50.0 %. C5's is in July.
    six = rows[6]
    assert (six.due.n, six.done.n, six.reached.n, six.share) == (2, 1, 1, 50.0)


def test_fit_change(world):
    fit = management_statistics(user=head(), filters=PERIOD).fit
    # C2 +7, C8 −2 (its latest score late on 03-31 counts), C1 −5, C12 +4 (anonymous);
    # not C10 (one score) nor C7 (latest score up to 03-31 is in December).
    assert fit.courses.n == 4 and fit.courses.anonymous == 1
    assert fit.mean_change == 1.0  # (7 − 2 − 5 + 4) / 4
    assert fit.threshold == 5
    assert (fit.improved.n, fit.improved_share) == (1, 25.0)  # C2: +7 ≥ 5
    assert (fit.deteriorated.n, fit.deteriorated_share) == (1, 25.0)  # C1: −5 ≤ −5


def test_filters_by_offer_and_provider(world):
    by_offer = management_statistics(
        user=head(), filters=Filters(start=START, end=END, offer="individuelle_samtaler")
    )
    # IS only: January C1, C5 (2 of 2); February C2, C4, C8 (0 of 3); C6 is KH.
    assert [(m.covered, m.met) for m in by_offer.guarantee.months] == [(2, 2), (3, 0), (0, 0)]
    # drugs: C1, C4, C15 (C9 is AR) → 3 ended, 2 in a goal; alcohol: C5 → 1 of 1.
    drugs = next(r for r in by_offer.outcomes if r.substance == "drugs")
    assert (drugs.ended.n, drugs.in_goal.n) == (3, 2)
    private = Provider.objects.get(slug="privat_doegnbehandling")
    by_provider = management_statistics(
        user=head(), filters=Filters(start=START, end=END, provider_id=private.pk)
    )
    # PRIVATE: February C3 (met), C4 (not met); FIT: none of its courses has two scores.
    assert [(m.covered, m.met) for m in by_provider.guarantee.months] == [(0, 0), (2, 1), (0, 0)]
    assert by_provider.fit.courses.n == 0 and by_provider.fit.mean_change is None
    assert {(r.offer, r.started.n) for r in by_provider.caseload} == {
        ("individuelle_samtaler", 2),
        ("kokain_hashstop", 1),
    }


def test_a_period_with_no_data(world):
    stats = management_statistics(user=head(), filters=Filters(start=d(6, 1), end=d(6, 30)))
    assert [(m.covered, m.share) for m in stats.guarantee.months] == [(0, None)]
    assert stats.guarantee.median_days is None
    assert [(r.due.n, r.share) for r in stats.follow_ups] == [(0, None), (0, None)]
    assert stats.fit.courses.n == 0


def test_only_the_users_municipality_is_counted(world):
    stats = management_statistics(user=head("gentofte"), filters=PERIOD)
    # only C11: January 1 of 1 met; one drug course ended, substance_free
    assert [(m.covered, m.met) for m in stats.guarantee.months] == [(1, 1), (0, 0), (0, 0)]
    drugs = next(r for r in stats.outcomes if r.substance == "drugs")
    assert (drugs.ended.n, drugs.in_goal.n) == (1, 1)
    assert stats.fit.threshold is None and stats.fit.improved is None


@pytest.mark.parametrize("role", ["caseworker", "therapist", "substance_consultant"])
def test_other_roles_may_not_read_statistics(tenants, role):
    with pytest.raises(Forbidden):
        management_statistics(user=staff(role, "helsingoer"), filters=PERIOD)


def test_the_administrator_may(world):
    stats = management_statistics(user=staff("administrator", "helsingoer"), filters=PERIOD)
    assert stats.guarantee.covered == 7


def test_courses_carry_their_cases_municipality_and_anonymity(world):
    """The statistics read these copies instead of joining the case: they must agree."""
    courses = Course.objects.all()
    assert courses.filter(anonymous=True).exists() and courses.filter(anonymous=False).exists()
    differ = Q(municipality_id=F("case__municipality_id"), anonymous=F("case__anonymous"))
    assert not courses.exclude(differ).exists()
