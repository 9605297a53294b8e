"""The waitlist's order (the standard's `waitlist.order` and priority groups) and the start
proposals: never over capacity, never outside an age band, never at a provider the citizen
did not choose; and a warning with a remedy for whoever cannot start in time."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from rusmiddel.rules import waitlist as wl
from rusmiddel.standards.registry import load

TODAY = dt.date(2026, 11, 30)  # a Monday
D = dt.timedelta


def _helsingoer():
    standard = load("helsingoer", TODAY).standard
    ranks = {}
    for p in standard.priorities:
        for offer in p.offers:
            ranks.setdefault(offer, {})[p.id] = p.rank
    return standard, ranks


def waiting(
    key, *, offer="doegnbehandling", since=-10, due=None, priorities=(), born=None, wish=None
):
    return wl.Waiting(
        key=key,
        case_id=key,
        offer=offer,
        waiting_since=TODAY + D(days=since),
        guarantee_due=None if due is None else TODAY + D(days=due),
        earliest=TODAY + D(days=since),
        priorities=tuple(priorities),
        birth_date=born,
        wish=wish,
    )


# --- order -------------------------------------------------------------------------------------


def test_helsingoer_orders_by_guarantee_then_priority_then_waiting_time():
    """Visitation – Behandlingsgaranti; Døgnbehandling: the standard's order rule, read from
    the file, applied to hand-made citizens."""
    standard, ranks = _helsingoer()
    assert standard.waitlist.order == ["guarantee_days_left", "priority", "waiting_days"]
    # given six citizens waiting for residential treatment
    people = [
        waiting(1, since=-40),  # no priority, waited longest
        waiting(2, since=-5, priorities=["employed"]),  # rank 3
        waiting(3, since=-2, priorities=["pregnant", "employed"]),  # rank 1 counts
        waiting(4, since=-30, priorities=["small_children"]),  # rank 2
        waiting(5, since=-3, due=4),  # a guarantee running out first of all
        waiting(6, since=-50, priorities=["youth_final_detox"]),  # rank 4
    ]
    # when ordered by the standard's rules
    ordered = wl.waitlist_order(
        people, today=TODAY, order=standard.waitlist.order, priorities=ranks
    )
    # then the guarantee first, the priority groups by rank, then the longest wait
    assert [w.key for w in ordered] == [5, 3, 4, 2, 6, 1]


def test_a_priority_group_counts_only_for_the_offers_the_standard_lists_it_for():
    standard, ranks = _helsingoer()
    # given an employed citizen waiting for individual talks (the priorities are residential)
    people = [
        waiting(1, offer="individuelle_samtaler", since=-20),
        waiting(2, offer="individuelle_samtaler", since=-1, priorities=["employed"]),
    ]
    # when ordered
    ordered = wl.waitlist_order(
        people, today=TODAY, order=standard.waitlist.order, priorities=ranks
    )
    # then waiting time decides
    assert [w.key for w in ordered] == [1, 2]


def test_fewest_days_left_go_first_and_an_uncovered_offer_last():
    standard, ranks = _helsingoer()
    people = [waiting(1, due=None, since=-90), waiting(2, due=9), waiting(3, due=-2)]
    ordered = wl.waitlist_order(
        people, today=TODAY, order=standard.waitlist.order, priorities=ranks
    )
    assert [w.key for w in ordered] == [3, 2, 1]


def test_gentofte_names_no_priority_groups_so_only_guarantee_and_waiting_time_order():
    standard = load("gentofte", TODAY).standard
    assert standard.waitlist.order == ["guarantee_days_left", "waiting_days"]
    people = [waiting(1, since=-3, due=11, priorities=["pregnant"]), waiting(2, since=-4, due=11)]
    ordered = wl.waitlist_order(people, today=TODAY, order=standard.waitlist.order, priorities={})
    assert [w.key for w in ordered] == [2, 1]


# --- proposals ---------------------------------------------------------------------------------


def line(key="capacity:1", *, offer="ambulant", provider="a", kind="places", amount=1, **kw):
    return wl.Line(
        key=key,
        offer=offer,
        provider=provider,
        kind=kind,
        amount=amount,
        valid_from=TODAY - D(days=365),
        **kw,
    )


def test_one_place_goes_to_the_first_in_line_and_the_next_gets_a_warning_with_a_remedy():
    # given one place, free today, and a course lasting 20 days
    places = line(amount=1, length_days=20)
    people = [waiting(1, offer="ambulant", due=3), waiting(2, offer="ambulant", due=10)]
    # when proposing
    first, second = wl.proposals(people, [places], today=TODAY)
    # then the first starts today; the second only when the place is free again (day 20 is a
    # Sunday: the next working day), too late
    assert (first.start, first.in_time) == (TODAY, True)
    assert (second.start, second.in_time, second.days_left) == (TODAY + D(days=21), False, 10)
    assert [(r.kind, r.line.key, r.start) for r in second.remedies] == [
        ("one_more", "capacity:1", TODAY)
    ]
    assert wl.guarantee_share([first, second]) == (1, 2)


def test_a_wish_under_free_choice_is_kept_and_another_provider_is_offered_as_a_remedy():
    # given a full provider the citizen chose and a free one they did not
    busy = (TODAY - D(days=10), TODAY + D(days=60))
    chosen = line("capacity:1", provider="chosen", busy=(busy,))
    other = line("capacity:2", provider="other")
    person = waiting(1, offer="ambulant", due=10, wish="chosen")
    # when proposing
    (p,) = wl.proposals([person], [chosen, other], today=TODAY)
    # then the start is at the chosen provider, late, and the other is named as a way out
    assert p.line.provider == "chosen" and not p.in_time
    assert ("another_provider", "other", TODAY) in [
        (r.kind, r.line.provider, r.start) for r in p.remedies
    ]


def test_an_age_band_is_never_broken_not_even_by_a_birthday():
    # given a youth line (under 25) and an adult line; a citizen turning 25 in three days
    born = TODAY.replace(year=TODAY.year - 25) + D(days=3)
    youth = line("capacity:1", provider="u", age_max=24, kind="weekly_slots")
    adult = line("capacity:2", provider="v", age_min=25, kind="weekly_slots")
    person = waiting(1, offer="ambulant", born=born)
    (p,) = wl.proposals([person], [youth, adult], today=TODAY)
    assert p.line.key == "capacity:1" and p.start < born.replace(year=born.year + 25)
    # and with only the adult line, the start waits for the birthday
    (q,) = wl.proposals([person], [adult], today=TODAY)
    assert q.start == born.replace(year=born.year + 25)
    # and an unknown age never passes a band
    (r,) = wl.proposals([waiting(2, offer="ambulant")], [adult], today=TODAY)
    assert r.line is None


def test_a_group_without_rolling_intake_starts_only_at_its_first_meeting():
    meetings = tuple(TODAY + D(days=7 * n) for n in range(12))
    closed = line("group:1", kind="group", amount=5, meetings=meetings, rolling=False)
    rolling = line("group:2", kind="group", amount=5, meetings=meetings, rolling=True)
    person = waiting(1, offer="ambulant", since=0)
    later = TODAY + D(days=1)
    assert wl.proposals([person], [closed], today=later)[0].line is None
    (p,) = wl.proposals([person], [rolling], today=later)
    assert p.start == TODAY + D(days=7)


def test_line_admits_repeats_the_check_a_booking_makes():
    places = line(amount=1, busy=((TODAY - D(days=5), TODAY + D(days=3)),), length_days=30)
    assert not wl.line_admits(places, TODAY, today=TODAY)
    assert wl.line_admits(places, TODAY + D(days=7), today=TODAY)  # after the grace period
    assert not wl.line_admits(places, TODAY - D(days=1), today=TODAY)


# --- properties: whatever the input ------------------------------------------------------------

KINDS = st.sampled_from(["places", "weekly_slots", "group"])


@st.composite
def worlds(draw):
    lines = []
    for n in range(draw(st.integers(1, 4))):
        kind = draw(KINDS)
        provider = draw(st.sampled_from(["a", "b"]))
        band = draw(st.sampled_from([(None, None), (None, 24), (25, None), (18, 30)]))
        first = TODAY + D(days=draw(st.integers(-20, 20)))
        meetings = tuple(first + D(days=7 * k) for k in range(draw(st.integers(1, 10))))
        busy = tuple(
            (TODAY - D(days=draw(st.integers(0, 60))), TODAY + D(days=draw(st.integers(0, 60))))
            for _ in range(draw(st.integers(0, 4)))
        )
        lines.append(
            line(
                f"{kind}:{n}",
                provider=provider,
                kind=kind,
                amount=draw(st.integers(1, 3)),
                age_min=band[0],
                age_max=band[1],
                length_days=draw(st.integers(7, 60)),
                busy=busy if kind == "places" else (),
                meetings=meetings if kind == "group" else (),
                rolling=draw(st.booleans()),
                taken=draw(st.integers(0, 2)) if kind == "group" else 0,
            )
        )
    people = [
        waiting(
            k,
            offer="ambulant",
            since=-draw(st.integers(0, 30)),
            due=draw(st.one_of(st.none(), st.integers(-5, 14))),
            born=TODAY.replace(year=TODAY.year - draw(st.integers(16, 40)))
            - D(days=draw(st.integers(0, 364))),
            wish=draw(st.sampled_from([None, "a", "b"])),
        )
        for k in range(draw(st.integers(1, 12)))
    ]
    return lines, people


def _age(born, on):
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@settings(max_examples=150, deadline=None)
@given(worlds())
def test_proposals_never_exceed_capacity_break_an_age_band_or_a_wish(world):
    lines, people = world
    result = wl.proposals(people, lines, today=TODAY)
    placed = [p for p in result if p.line is not None]
    for p in placed:
        ln, age = p.line, _age(p.waiting.birth_date, p.start)
        assert p.start >= TODAY
        assert ln.age_min is None or age >= ln.age_min
        assert ln.age_max is None or age <= ln.age_max
        assert p.waiting.wish is None or ln.provider == p.waiting.wish
        assert p.in_time == (p.waiting.guarantee_due is None or p.start <= p.waiting.guarantee_due)
    for ln in lines:
        mine = [p.start for p in placed if p.line.key == ln.key]
        if ln.kind == "group":
            assert ln.taken + len(mine) <= ln.amount or not mine
            days = ln.meetings if ln.rolling else ln.meetings[:1]
            assert all(d in days for d in mine)
        elif ln.kind == "weekly_slots":
            weeks = Counter(d.isocalendar()[:2] for d in mine)
            assert all(n <= ln.amount for n in weeks.values())
        else:
            floor = TODAY + D(days=wl.OVERDUE_GRACE_DAYS)
            spans = [(s, max(e, floor)) for s, e in ln.busy]
            spans += [(d, d + D(days=ln.length_days)) for d in mine]
            for d in mine:
                for t in [d] + [s for s, _ in spans if d < s < d + D(days=ln.length_days)]:
                    assert sum(1 for s, e in spans if s <= t < e) <= ln.amount
    # whoever is unplaced or late has had the line searched: a remedy is only ever in time
    for p in result:
        for r in p.remedies:
            assert p.waiting.guarantee_due and r.start <= p.waiting.guarantee_due
