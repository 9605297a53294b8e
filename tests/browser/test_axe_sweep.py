"""axe-core over every page of the staff application and the citizen's pages.

The pages are not listed by hand: the test walks the URL patterns of the `web` namespace and
fills each with the id of a real object of a world built once (tests/case_world.py: a case in
every state, courses with sessions and FIT scores, a group run with an enrolment, follow-ups,
complaints, letters). Each GET page is opened in Chromium as a role that may see it, and
axe-core must find no serious or critical WCAG 2.1 AA violation on any of them.

A pattern that is neither filled (`PAGES`) nor excluded on purpose (`EXCLUDED`, with the
reason) fails the test, so a new page is swept from the day it is added. An excluded POST-only
endpoint must answer a GET with 405, so it cannot hide a page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from browser_support import axe_violations, log_in
from case_world import build_world, world_clock
from factories import END_KEY_FACTS, START_KEY_FACTS, staff

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = "public"  # no one logged in


@dataclass(frozen=True)
class Visit:
    who: str  # a key of `SweepWorld.users`, or PUBLIC
    kwargs: dict[str, Any] = field(default_factory=dict)
    query: str = ""
    note: str = ""  # what state of the page this is


@dataclass(frozen=True)
class Excluded:
    reason: str
    get_status: int | None = None  # what a GET answers (405: POST only); None: not checked
    kwargs: Callable[[Any], dict[str, Any]] | None = None


@dataclass
class SweepWorld:
    """The world of tests/case_world.py and what the sweep adds to it."""

    bundles: Any
    users: dict[str, Any]
    cases: dict[str, int]  # state → case id (Gentofte, named)
    anonymous_case_id: int = 0
    anonymous_course_id: int = 0
    fit_course_id: int = 0
    receipt_case: Any = None
    capacity_id: int = 0
    # state → (case id, decision id): a withdrawn and a corrected decision (Gentofte)
    decisions: dict[str, tuple[int, int]] = field(default_factory=dict)

    def b(self, municipality: str) -> Any:
        return self.bundles.referred(municipality)


def _version(case_id: int) -> int:
    from rusmiddel.cases.models import Case

    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def build_sweep_world() -> SweepWorld:
    from rusmiddel.cases import services
    from rusmiddel.outcomes.services import fit_record

    bundles = build_world()
    users = {
        "caseworker": staff("caseworker", "gentofte"),
        "therapist": staff("therapist", "helsingoer"),
        "consultant": staff("substance_consultant", "gentofte"),
        "head": staff("head_of_unit", "helsingoer"),
        "admin": staff("administrator", "helsingoer"),
        "provider": staff("provider_staff", "gentofte", provider="kabs"),
    }
    caseworker = users["caseworker"]
    today = dt.date(2026, 11, 24)

    # A named Gentofte case in every state before "in course" (the bundles are in course)
    def opened(cpr: str, name: str):
        return services.case_create(
            actor=caseworker,
            received_on=today,
            channel="phone",
            citizen_cpr=cpr,
            citizen_name=name,
            requested_offer="ambulant",
        )

    cases: dict[str, int] = {"contact": opened("0101801234", "Anna Henvendelse").pk}
    assessed = opened("0202811234", "Bent Udredning")
    facts = {
        "person": {"role": "user", "children_at_home": 0, "pregnant": False},
        "use": {
            "substances": [{"substance": "cannabis", "primary": True}],
            "level": "problematic",
            "harms_daily_life": True,
        },
    }
    services.assessment_record(
        actor=caseworker, case_id=assessed.pk, version=_version(assessed.pk), facts=facts, on=today
    )
    cases["assessment"] = assessed.pk
    decided = opened("0303821234", "Carla Afgjort")
    services.assessment_record(
        actor=caseworker, case_id=decided.pk, version=_version(decided.pk), facts=facts, on=today
    )
    decision = services.decision_record(
        actor=caseworker,
        case_id=decided.pk,
        version=_version(decided.pk),
        offer="ambulant",
        outcome="granted",
        decided_on=today,
        provider="kabs",
        override_reason="Visitationsmødet har vurderet, at tilbuddet er det rette",
    )
    cases["decided"] = decided.pk
    refused = services.decision_record(
        actor=caseworker,
        case_id=decided.pk,
        version=_version(decided.pk),
        offer="dagbehandling",
        outcome="refused",
        decided_on=today,
    )
    services.decision_withdraw(
        actor=caseworker,
        decision_id=refused.pk,
        version=_version(decided.pk),
        reason="Afslaget byggede på en anden borgers oplysninger.",
        withdrawn_on=dt.date(2026, 11, 25),
    )
    decisions = {"withdrawn": (decided.pk, refused.pk)}
    cases["in_course"] = bundles.referred("gentofte").case_id
    ended = opened("0404831234", "Dorte Afsluttet")
    services.assessment_record(
        actor=caseworker, case_id=ended.pk, version=_version(ended.pk), facts=facts, on=today
    )
    decision = services.decision_record(
        actor=caseworker,
        case_id=ended.pk,
        version=_version(ended.pk),
        offer="ambulant",
        outcome="granted",
        decided_on=today,
        provider="kabs",
        override_reason="Visitationsmødet har vurderet, at tilbuddet er det rette",
    )
    course = services.course_start(
        actor=caseworker,
        case_id=ended.pk,
        version=_version(ended.pk),
        started_on=dt.date(2026, 11, 26),
        decision_id=decision.pk,
        provider="kabs",
        **START_KEY_FACTS,
    )
    services.course_end(
        actor=caseworker,
        course_id=course.pk,
        version=_version(ended.pk),
        ended_on=dt.date(2026, 11, 30),
        reason="completed",
        outcome="reduced",
        final_report="Forløbet er gennemført.",
        **END_KEY_FACTS,
    )
    cases["ended"] = ended.pk
    services.decision_correct(  # its course has ended: nothing rests on it
        actor=caseworker,
        decision_id=decision.pk,
        version=_version(ended.pk),
        reason="Leverandøren var forkert.",
        decided_on=dt.date(2026, 12, 1),
        provider="gladsaxe_rusmiddelcenter",
    )
    decisions["corrected"] = (ended.pk, decision.pk)

    # Helsingør: the referred bundle's course enrolled in its group, with FIT scores
    hb = bundles.referred("helsingoer")
    therapist = hb.builder
    services.group_enrol(
        actor=therapist,
        course_id=hb.course_id,
        version=_version(hb.case_id),
        group_id=hb.group_id,
        enrolled_on=dt.date(2027, 1, 4),
    )
    sessions = [hb.session_id]
    for week in (1, 2):
        start = dt.datetime(2027, 1, 6, 10, tzinfo=dt.UTC) + dt.timedelta(weeks=week)
        sessions.append(
            services.session_record(
                actor=therapist,
                course_id=hb.course_id,
                version=_version(hb.case_id),
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
            ).pk
        )
    for n, session_id in enumerate(sessions):
        for instrument, value in (("ors", 4 + n), ("srs", 9)):
            fit_record(
                actor=therapist,
                session_id=session_id,
                version=_version(hb.case_id),
                instrument=instrument,
                items=[str(value)] * 4,
            )

    # Helsingør: the region has received the referred bundle's citizen (SUL § 82 c); the
    # Gentofte bundle's referral waits (its case page shows the forms)
    services.region_referral_accept(
        actor=therapist,
        case_id=hb.case_id,
        version=_version(hb.case_id),
        accepted_on=dt.date(2026, 11, 30),
    )

    # Helsingør: an anonymous case in the anonymous group (treatment roles only)
    anonymous = services.case_create(
        actor=users["therapist"],
        received_on=today,
        channel="walk_in",
        anonymous=True,
        pseudonym="Kim",
    )
    anonymous_course = services.course_start(
        actor=users["therapist"],
        case_id=anonymous.pk,
        version=_version(anonymous.pk),
        started_on=today,
        offer="anonym_gruppe",
        **START_KEY_FACTS,
    )
    from rusmiddel.capacity.services import capacity_create
    from rusmiddel.cases.models import Case

    capacity = capacity_create(
        actor=users["admin"],
        provider="helsingoer_rusmiddelcenter",
        offer="individuelle_samtaler",
        kind="weekly_slots",
        amount=2,
        valid_from=today,
    )
    return SweepWorld(
        bundles=bundles,
        users=users,
        cases=cases,
        anonymous_case_id=anonymous.pk,
        anonymous_course_id=anonymous_course.pk,
        fit_course_id=hb.course_id,
        receipt_case=Case.objects.select_related("municipality").get(pk=cases["contact"]),
        capacity_id=capacity.pk,
        decisions=decisions,
    )


def _receipt_token(w: SweepWorld) -> str:
    from rusmiddel.web.citizen import receipt_token

    return receipt_token(w.receipt_case)


#: How each pattern of the `web` namespace is filled: the visits that open it (as whom, with
#: which ids). Each visit is a page of its own for axe.
PAGES: dict[str, Callable[[SweepWorld], list[Visit]]] = {
    "home": lambda w: [Visit(PUBLIC), Visit("caseworker")],
    "otp": lambda w: [Visit("caseworker", note="TOTP enrolment with its QR code")],
    "about": lambda w: [Visit("caseworker"), Visit("provider")],
    "standard": lambda w: [
        Visit(PUBLIC, {"municipality": "gentofte"}),
        Visit(PUBLIC, {"municipality": "helsingoer"}),
    ],
    "audit": lambda w: [Visit("head"), Visit("admin")],
    "caseload": lambda w: [
        Visit("caseworker"),
        Visit("therapist"),
        Visit("provider"),
        Visit("consultant"),
    ],
    "case_search": lambda w: [Visit("caseworker", query="q=Bent", note="search results")],
    "due": lambda w: [Visit("caseworker"), Visit("head")],
    "follow_ups": lambda w: [Visit("consultant"), Visit("caseworker")],
    "follow_up_record": lambda w: [
        Visit("caseworker", {"follow_up_id": w.b("gentofte").follow_up_id})
    ],
    "complaints": lambda w: [Visit("caseworker")],
    "complaint_reassess": lambda w: [
        Visit("caseworker", {"complaint_id": w.b("gentofte").complaint_id})
    ],
    "case": lambda w: [
        *(
            Visit("caseworker", {"case_id": case_id}, note=state)
            for state, case_id in w.cases.items()
        ),
        Visit("therapist", {"case_id": w.b("helsingoer").case_id}, note="in course, Helsingør"),
        Visit("therapist", {"case_id": w.anonymous_case_id}, note="anonymous"),
        Visit("head", {"case_id": w.b("helsingoer").case_id}, note="giving the case to"),
    ],
    "intake": lambda w: [
        Visit("caseworker", note="Ny henvendelse"),
        Visit("therapist", note="with the anonymous choice"),
    ],
    "assessment": lambda w: [
        Visit("caseworker", {"case_id": w.cases["contact"]}, note="empty"),
        Visit("caseworker", {"case_id": w.cases["assessment"]}, note="filled"),
        Visit("therapist", {"case_id": w.b("helsingoer").case_id}, note="Helsingør"),
    ],
    "decision": lambda w: [
        Visit("caseworker", {"case_id": w.cases["assessment"]}),
        Visit("therapist", {"case_id": w.b("helsingoer").case_id}, note="Helsingør"),
    ],
    "decision_view": lambda w: [
        Visit(
            "caseworker",
            {"case_id": w.b("gentofte").case_id, "decision_id": w.b("gentofte").change_decision_id},
            note="standing, with its forms",
        ),
        Visit(
            "caseworker",
            {"case_id": w.b("gentofte").case_id, "decision_id": w.b("gentofte").decision_id},
            note="a course rests on it",
        ),
        *(
            Visit("caseworker", {"case_id": case_id, "decision_id": decision_id}, note=state)
            for state, (case_id, decision_id) in w.decisions.items()
        ),
        Visit(
            "head",
            {"case_id": w.b("helsingoer").case_id, "decision_id": w.b("helsingoer").decision_id},
            note="read only",
        ),
    ],
    "decision_correct": lambda w: [
        Visit(
            "caseworker",
            {"case_id": w.b("gentofte").case_id, "decision_id": w.b("gentofte").change_decision_id},
        )
    ],
    "course": lambda w: [
        Visit("caseworker", {"course_id": w.b("gentofte").course_id}, note="active"),
        Visit("caseworker", {"course_id": w.b("gentofte").ended_course_id}, note="ended"),
        Visit("therapist", {"course_id": w.fit_course_id}, note="group and FIT"),
        Visit("therapist", {"course_id": w.anonymous_course_id}, note="anonymous"),
        Visit("caseworker", {"course_id": w.b("gentofte").residential_course_id}, note="stay"),
    ],
    "course_fit": lambda w: [Visit("therapist", {"course_id": w.fit_course_id})],
    "groups": lambda w: [
        Visit("therapist", query="uge=2027-W02", note="week"),
        Visit("therapist", query="maaned=2027-01", note="month"),
        Visit("head"),
    ],
    "group": lambda w: [
        Visit("therapist", {"group_id": w.b("helsingoer").group_id}),
        Visit("caseworker", {"group_id": w.b("gentofte").group_id}, note="no calendar"),
    ],
    "citizen_start": lambda w: [
        Visit(PUBLIC, {"municipality": "gentofte"}),
        Visit(PUBLIC, {"municipality": "helsingoer"}),
    ],
    "citizen_apply": lambda w: [
        Visit(PUBLIC, {"municipality": "gentofte"}),
        Visit(PUBLIC, {"municipality": "helsingoer"}),
    ],
    "citizen_anonymous": lambda w: [Visit(PUBLIC, {"municipality": "helsingoer"})],
    "citizen_receipt": lambda w: [
        Visit(PUBLIC, {"municipality": "gentofte", "token": _receipt_token(w)})
    ],
    "admin_home": lambda w: [Visit("admin")],
    "admin_users": lambda w: [Visit("admin")],
    "admin_providers": lambda w: [Visit("admin")],
    "admin_standard": lambda w: [Visit("admin")],
    "admin_groups": lambda w: [Visit("admin"), Visit("head")],
    "admin_group": lambda w: [
        Visit("admin", {"group_id": w.b("helsingoer").group_id}),
        Visit("head", {"group_id": w.b("helsingoer").group_id}, note="with an enrolment"),
    ],
    "admin_capacities": lambda w: [Visit("admin"), Visit("head")],
    "admin_capacity": lambda w: [
        Visit("admin", {"capacity_id": w.capacity_id}),
        Visit("head", {"capacity_id": w.capacity_id}),
    ],
    "statistics": lambda w: [Visit("head"), Visit("admin")],
    "waitlist": lambda w: [Visit("head"), Visit("therapist")],
    "admin_registers": lambda w: [
        Visit("admin"),
        Visit("admin", query="register=sib&year=2026", note="the validation report"),
    ],
}


#: Pages again with a form sent empty: the error summary and the fields' errors are swept too.
#: (who, pattern, ids, the submit button's name)
FORM_ERRORS: list[tuple[str, str, Callable[[SweepWorld], dict[str, Any]], str]] = [
    ("admin", "admin_groups", lambda w: {}, "Opret gruppehold"),
    ("admin", "admin_users", lambda w: {}, "Opret bruger"),
    ("admin", "admin_capacities", lambda w: {}, "Opret kapacitet"),
    ("admin", "admin_capacity", lambda w: {"capacity_id": w.capacity_id}, "Gem ændringerne"),
    (
        "admin",
        "admin_group",
        lambda w: {"group_id": w.b("helsingoer").group_id},
        "Gem ændringerne",
    ),
    ("caseworker", "decision", lambda w: {"case_id": w.cases["assessment"]}, "Gem afgørelsen"),
    ("caseworker", "intake", lambda w: {}, "Gem henvendelsen"),
    (
        "caseworker",
        "follow_up_record",
        lambda w: {"follow_up_id": w.b("gentofte").follow_up_id},
        "Gem opfølgningen",
    ),
    (
        "caseworker",
        "complaint_reassess",
        lambda w: {"complaint_id": w.b("gentofte").complaint_id},
        "Gem genvurderingen",
    ),
    ("caseworker", "course", lambda w: {"course_id": w.b("gentofte").course_id}, "Afslut"),
    # the referral to integrated treatment (SUL § 82 c): the region's receipt sent empty
    (
        "caseworker",
        "case",
        lambda w: {"case_id": w.b("gentofte").case_id},
        "Registrér modtagelsen",
    ),
    (
        "caseworker",
        "decision_view",
        lambda w: {
            "case_id": w.b("gentofte").case_id,
            "decision_id": w.b("gentofte").change_decision_id,
        },
        "Tilbagekald afgørelsen og send brevet",
    ),
    (
        "caseworker",
        "decision_correct",
        lambda w: {
            "case_id": w.b("gentofte").case_id,
            "decision_id": w.b("gentofte").change_decision_id,
        },
        "Gem den ændrede afgørelse og send brevet",
    ),
]


def _post_only(reason: str, **ids: str) -> Excluded:
    def kwargs(w: SweepWorld) -> dict[str, Any]:
        b = w.b("helsingoer")
        return {name: getattr(b, attr) for name, attr in ids.items()}

    return Excluded(f"POST only: {reason}", get_status=405, kwargs=kwargs)


#: Patterns not opened as pages, on purpose.
EXCLUDED: dict[str, Excluded] = {
    "health": Excluded("JSON for the load balancer, not a page", get_status=200),
    "admin_registers_download": Excluded("a file download (CSV or XML), not a page"),
    "waitlist_book": Excluded(
        "POST only: the waitlist page's booking buttons", get_status=405, kwargs=lambda w: {}
    ),
    "waitlist_breaches": Excluded(
        "an htmx fragment of the due list (/frister/): the waitlist's breaches, not a page"
    ),
    "statistics_csv": Excluded("the statistics page's tables as a CSV download"),
    "statistics_xlsx": Excluded("the statistics page's tables as an XLSX download"),
    "assessment_preview": _post_only(
        "the live evaluation panel (htmx), swept inside the assessment page", case_id="case_id"
    ),
    "decision_preview": _post_only(
        "the decision's preview (htmx), swept inside the decision page", case_id="case_id"
    ),
    "decision_withdraw": _post_only(
        "the decision page's withdrawal form",
        case_id="case_id",
        decision_id="change_decision_id",
    ),
    "course_start": _post_only("starts a course from the case page", case_id="case_id"),
    "citizen_update": _post_only(
        "the case page's form for the citizen's details", case_id="case_id"
    ),
    "case_assign": _post_only(
        "the case page's buttons for who holds the case", case_id="case_id"
    ),
    "course_plan": _post_only("the course page's plan form", course_id="course_id"),
    "course_session": _post_only("the course page's session form", course_id="course_id"),
    "course_report": _post_only("the course page's status report form", course_id="course_id"),
    "course_end": _post_only("the course page's end form", course_id="course_id"),
    "attendance": _post_only("the course page's attendance buttons", session_id="session_id"),
    "course_fit_record": _post_only(
        "the FIT page's score form", course_id="course_id", session_id="session_id"
    ),
    "group_enrol": _post_only("the group page's enrolment form", group_id="group_id"),
    "region_referral": _post_only(
        "the case page's referral to integrated treatment", case_id="case_id"
    ),
    "region_acceptance": _post_only(
        "the case page's form for the region's receipt of the citizen", case_id="case_id"
    ),
    "group_attendance": _post_only(
        "the group page's attendance (htmx)", group_id="group_id", session_id="session_id"
    ),
    "admin_user_active": Excluded(
        "POST only: the users page's (de)activate buttons",
        get_status=405,
        kwargs=lambda w: {"user_id": w.users["caseworker"].pk},
    ),
}


def web_pattern_names() -> list[str]:
    """Every named URL pattern of the `web` namespace, nested includes too."""
    _prefix, resolver = get_resolver().namespace_dict["web"]
    names: list[str] = []

    def walk(patterns: list[Any]) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
            elif isinstance(p, URLPattern):
                names.append(p.name or f"<unnamed: {p.pattern}>")

    walk(resolver.url_patterns)
    return names


def test_every_web_pattern_is_swept_or_excluded_with_a_reason():
    names = web_pattern_names()
    assert len(names) > 30
    unknown = sorted(set(names) - set(PAGES) - set(EXCLUDED))
    assert unknown == [], (
        f"URL patterns the axe sweep cannot fill: {unknown}. Add them to PAGES in "
        "tests/browser/test_axe_sweep.py (or to EXCLUDED with the reason)."
    )
    stale = sorted((set(PAGES) | set(EXCLUDED)) - set(names))
    assert stale == [], f"the sweep names patterns that no longer exist: {stale}"
    assert not set(PAGES) & set(EXCLUDED)


def test_axe_finds_no_serious_or_critical_violation_on_any_page(
    page, live_server, settings, tmp_path
):
    settings.DATA_DIR = tmp_path  # the letters' file outbox
    # as tests/case_world.py expects: letters leave on commit; on the world's clock
    with transaction.atomic(), world_clock():
        world = build_sweep_world()
    visits = [(name, v) for name, fill in PAGES.items() for v in fill(world)]
    visits.sort(key=lambda nv: nv[1].who)  # one log-in per role
    found: dict[str, list[dict]] = {}
    swept: list[str] = []
    who = None
    for name, visit in visits:
        if visit.who != who:
            page.context.clear_cookies()
            who = visit.who
            if who != PUBLIC:
                log_in(page, live_server, world.users[who].username)
        path = reverse(f"web:{name}", kwargs=visit.kwargs) + (
            f"?{visit.query}" if visit.query else ""
        )
        response = page.goto(f"{live_server.url}{path}")
        label = f"{name} {path} as {who}" + (f" ({visit.note})" if visit.note else "")
        assert response is not None and response.status == 200, (
            label,
            response and response.status,
        )
        assert page.url == f"{live_server.url}{path}", (label, page.url)  # not sent to log in
        assert page.locator("main").count() == 1, label
        swept.append(label)
        violations = axe_violations(page)
        if violations:
            found[label] = violations
    for who, name, ids, button in sorted(FORM_ERRORS, key=lambda f: f[0]):
        page.context.clear_cookies()
        log_in(page, live_server, world.users[who].username)
        path = reverse(f"web:{name}", kwargs=ids(world))
        page.goto(f"{live_server.url}{path}")
        page.locator("details").evaluate_all("all => all.forEach(d => { d.open = true; })")
        form = page.locator("form", has=page.get_by_role("button", name=button))
        for box in form.locator("input[type=text], input[type=date], textarea").all():
            box.fill("")
        # a plain POST or htmx's: either way the answer is the form with its errors
        with page.expect_response(lambda r: r.request.method == "POST") as sent:
            form.get_by_role("button", name=button).first.click()
        label = f"{name} {path} as {who} (sent empty with {button!r})"
        htmx = sent.value.request.headers.get("hx-request") == "true"  # htmx swaps only 2xx
        assert sent.value.status >= 400 or htmx, (label, sent.value.status)
        page.wait_for_load_state()
        page.locator(".form-error-message, [role=alert]").first.wait_for()
        swept.append(label)
        violations = axe_violations(page)
        if violations:
            found[label] = violations

    # …and axe does see a violation in this setting (a button without a name is critical)
    page.evaluate("document.querySelector('main').append(document.createElement('button'))")
    assert "button-name" in [v["id"] for v in axe_violations(page)]
    print(f"\naxe sweep: {len(swept)} pages, {len(found)} with violations")
    assert found == {}
    assert {name for name, _ in visits} == set(PAGES)  # every filled pattern was opened

    # an excluded POST-only endpoint answers a GET with 405: it hides no page
    page.context.clear_cookies()
    log_in(page, live_server, world.users["therapist"].username)
    for name, excluded in EXCLUDED.items():
        if excluded.get_status is None:
            continue
        kwargs = excluded.kwargs(world) if excluded.kwargs else {}
        response = page.request.get(f"{live_server.url}{reverse(f'web:{name}', kwargs=kwargs)}")
        assert response.status == excluded.get_status, (name, response.status)
