"""The case pages: the case with its timeline, the assessment with its live evaluation, the
decision with reasoning and complaint guidance, and the course.

Data is made through the services (`tests/factories.staff` for the people), with dates
relative to `timezone.localdate()` where the services compare them with today.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from case_world import FACTS
from factories import START_KEY_FACTS, staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import services
from rusmiddel.cases.models import (
    Assessment,
    Case,
    Course,
    Decision,
    Evaluation,
    FollowUp,
    Session,
)
from rusmiddel.letters.models import Letter
from rusmiddel.rules.facts import SECTIONS, assessment_schema
from rusmiddel.web.case_forms import (
    CONFLICT_MESSAGE,
    FIELD_LABELS,
    AssessmentForm,
    initial_from_facts,
    post_data,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
#: The most queries the case page may make, whatever the number of sessions (measured: 24,
#: of which 3 are the session, the user and the staff profile, 1 the header's municipality,
#: 1 the courses' key facts, 1 the notices of changes to the citizen's details and 1 the
#: locked read of the audit chain's head for the read's audit entry).
MAX_CASE_PAGE_QUERIES = 24
#: measured: 11 and 13 (the case and the parts of it each page shows, not its courses)
MAX_ASSESSMENT_PAGE_QUERIES = 11
MAX_DECISION_PAGE_QUERIES = 13
CPR = "0702921234"  # 7 February 1992


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def version(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_case(actor, *, cpr: str = CPR, name: str = "Mette Jensen", received: int = -20) -> Case:
    return services.case_create(
        actor=actor,
        received_on=days(received),
        channel="digital_post",
        citizen_cpr=cpr,
        citizen_name=name,
        requested_offer="ambulant",
    )


def assessed_case(actor, **kw) -> Case:
    case = open_case(actor, **kw)
    services.assessment_record(
        actor=actor,
        case_id=case.pk,
        version=version(case.pk),
        facts=FACTS["gentofte"],
        on=days(-18),
    )
    return case


def granted(actor, case: Case, *, on: int = -15) -> Decision:
    return services.decision_record(
        actor=actor,
        case_id=case.pk,
        version=version(case.pk),
        offer="ambulant",
        outcome="granted",
        decided_on=days(on),
        provider="kabs",
    )


def assessment_data(case: Case, facts: dict, **changes) -> dict:
    """The assessment form as the browser posts it, filled in with `facts`."""
    initial = initial_from_facts(facts)
    if case.citizen_id:
        initial["person__birth_date"] = case.citizen.birth_date
    return {**post_data(initial, version(case.pk)), **changes}


def decision_data(case: Case, **changes) -> dict:
    return {
        "version": str(version(case.pk)),
        "offer": "ambulant",
        "outcome": "granted",
        "decided_on": today().isoformat(),
        "send_channel": "digital_post",
        "provider": "kabs",
        "provider_for": "ambulant",
        "free_choice_requested": "",
        "free_choice_outcome": "not_requested",
        "override_reason": "",
        "note": "",
        **changes,
    }


def anchors(body: str, *prefixes: str) -> list[str]:
    """The timeline rows' ids in page order, of the given kinds."""
    return [m for m in re.findall(r'<tr id="([a-z]+-\d+)"', body) if m.split("-")[0] in prefixes]


def no_inline_style_or_script(body: str) -> None:
    assert not re.search(r"<style[\s>]", body, re.I)
    for attributes, content in re.findall(r"<script([^>]*)>(.*?)</script>", body, re.I | re.S):
        assert "src=" in attributes and not content.strip(), "inline <script> block"
    assert not re.search(r"\sstyle\s*=", body, re.I), "inline style attribute"
    assert not re.search(r"\son[a-z]+\s*=", body, re.I), "inline event handler"


def labels_tied_to_inputs(body: str) -> None:
    for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', body):
        assert f'id="{target}"' in body, target


# --- the case page ----------------------------------------------------------------------------


def test_the_case_page_shows_one_timeline_in_date_order(tenants):
    caseworker = staff("caseworker")
    therapist = staff("therapist")
    case = assessed_case(caseworker)
    decision = granted(caseworker, case)
    course = services.course_start(
        actor=therapist,
        case_id=case.pk,
        version=version(case.pk),
        started_on=days(-10),
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )
    services.plan_record(
        actor=therapist,
        course_id=course.pk,
        version=version(case.pk),
        goal="abstinence",
        goals_text="Holde op med hash",
        agreed_on=days(-10),
    )
    at = timezone.make_aware(dt.datetime.combine(days(-5), dt.time(10)))
    session = services.session_record(
        actor=therapist,
        course_id=course.pk,
        version=version(case.pk),
        starts_at=at,
        ends_at=at + dt.timedelta(hours=1),
    )
    services.attendance_record(
        actor=therapist, session_id=session.pk, version=version(case.pk), attendance="attended"
    )
    services.status_report_record(
        actor=therapist,
        course_id=course.pk,
        version=version(case.pk),
        text="Mødt stabilt",
        submitted_on=days(-2),
    )

    response = client_for(caseworker).get(f"/sager/{case.pk}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Mette Jensen" in body and "070292-1234" in body
    steps = ["henvendelse", "udredning", "visitation", "afgoerelse", "forloeb", "plan", "samtale"]
    kinds = [a.split("-")[0] for a in anchors(body, *steps, "status")]
    assert kinds == [
        "henvendelse",
        "udredning",
        "visitation",
        "afgoerelse",
        "forloeb",
        "plan",
        "samtale",
        "status",
    ]
    letter = Letter.objects.get(key=f"decision:{decision.pk}")
    assert f'href="/api/letters/{letter.pk}/pdf"' in body
    assert "Klagefrist:" in body
    assert "Mødt" in body
    # the open status-report deadline, with days left in words
    assert "Status fra leverandør" in body and re.search(r"Om \d+ dage|I dag|I morgen", body)
    assert f'href="/forloeb/{course.pk}/"' in body
    no_inline_style_or_script(body)
    labels_tied_to_inputs(body)


def test_the_case_pages_need_a_login(tenants):
    case = open_case(staff("caseworker"))

    for path in [f"/sager/{case.pk}/", f"/sager/{case.pk}/udredning/", "/forloeb/1/"]:
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/log-ind/")


def test_an_overdue_deadline_is_red_with_words(tenants):
    caseworker = staff("caseworker")
    case = open_case(caseworker, received=-20)  # the 14-day guarantee fell due 6 days ago

    body = client_for(caseworker).get(f"/sager/{case.pk}/").content.decode()

    assert '<span class="badge badge-error">Overskredet med 6 dage</span>' in body


def test_a_case_of_another_municipality_is_not_found(tenants):
    case = open_case(staff("caseworker", "gentofte"))

    response = client_for(staff("caseworker", "helsingoer")).get(f"/sager/{case.pk}/")

    assert response.status_code == 404
    assert "Mette Jensen" not in response.content.decode()


def test_an_anonymous_case_is_not_found_for_a_caseworker(tenants):
    consultant = staff("substance_consultant")
    case = services.case_create(
        actor=consultant,
        received_on=days(-3),
        channel="walk_in",
        anonymous=True,
        pseudonym="Solsikke",
    )

    assert client_for(staff("caseworker")).get(f"/sager/{case.pk}/").status_code == 404
    body = client_for(consultant).get(f"/sager/{case.pk}/").content.decode()
    assert "Solsikke" in body and "CPR" not in body


def test_action_links_show_only_what_the_role_may_do(tenants):
    caseworker = staff("caseworker")
    case = assessed_case(caseworker)

    mine = client_for(caseworker).get(f"/sager/{case.pk}/").content.decode()
    head = client_for(staff("head_of_unit"))
    theirs = head.get(f"/sager/{case.pk}/").content.decode()

    assert f'href="/sager/{case.pk}/udredning/"' in mine
    assert f'href="/sager/{case.pk}/afgoerelse/"' in mine
    assert "/udredning/" not in theirs and "/afgoerelse/" not in theirs
    assert head.get(f"/sager/{case.pk}/udredning/").status_code == 403
    assert head.get(f"/sager/{case.pk}/afgoerelse/").status_code == 403


def test_the_case_page_makes_the_same_queries_for_1_and_25_sessions(tenants):
    therapist = staff("therapist")
    case = assessed_case(therapist)
    decision = granted(therapist, case)
    course = services.course_start(
        actor=therapist,
        case_id=case.pk,
        version=version(case.pk),
        started_on=days(-14),
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )

    def book(n: int) -> None:
        at = timezone.make_aware(dt.datetime.combine(days(-13 + n % 13), dt.time(8 + n % 9)))
        session = services.session_record(
            actor=therapist,
            course_id=course.pk,
            version=version(case.pk),
            starts_at=at,
            ends_at=at + dt.timedelta(minutes=45),
        )
        services.attendance_record(
            actor=therapist, session_id=session.pk, version=version(case.pk), attendance="attended"
        )

    client = client_for(therapist)

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/sager/{case.pk}/").status_code == 200
        return len(queries)

    book(0)
    one = measure()
    for n in range(1, 25):
        book(n)
    assert Session.objects.filter(course=course).count() == 25
    many = measure()

    print(f"case page: {one} queries with 1 session, {many} with 25")
    assert one == many
    assert many <= MAX_CASE_PAGE_QUERIES, many

    # the assessment and decision pages read the parts of the case they show, not its courses
    for page, limit in (
        ("udredning", MAX_ASSESSMENT_PAGE_QUERIES),
        ("afgoerelse", MAX_DECISION_PAGE_QUERIES),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/sager/{case.pk}/{page}/").status_code == 200
        tables = " ".join(q["sql"] for q in queries.captured_queries)
        assert '"cases_session"' not in tables and '"cases_course"' not in tables, page
        assert len(queries) <= limit, (page, len(queries))


# --- the assessment ---------------------------------------------------------------------------


def test_every_fact_of_the_contract_has_a_danish_label():
    props = assessment_schema()["properties"]
    paths = {f"{s}.{k}" for s in SECTIONS for k in props[s]["properties"]}
    assert paths <= set(FIELD_LABELS)


@pytest.mark.parametrize("municipality", ["gentofte", "helsingoer"])
def test_facts_go_through_the_form_unchanged(tenants, municipality):
    facts = {
        **FACTS[municipality],
        "person": {**FACTS[municipality]["person"], "birth_date": "1992-02-07"},
    }
    initial = initial_from_facts(facts)
    form = AssessmentForm(
        post_data(initial, 1), offers=[("individuelle_samtaler", "Individuelle samtaler")]
    )
    assert form.is_valid(), form.errors
    assert form.facts() == facts


def test_the_assessment_form_is_filled_in_from_the_latest_assessment(tenants):
    caseworker = staff("caseworker")
    case = assessed_case(caseworker)

    response = client_for(caseworker).get(f"/sager/{case.pk}/udredning/")

    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<option value="problematic" selected>', body)
    assert re.search(r'name="use__harms_daily_life" value="ja"[^>]*checked', body)
    assert re.search(r'name="use__substances" value="cannabis"[^>]*checked', body)
    # the live panel: posts the form on every change to the preview, announced politely
    assert f'hx-post="/sager/{case.pk}/udredning/vurdering/"' in body
    assert 'hx-trigger="change delay:300ms"' in body
    assert '<div id="evaluation-panel" aria-live="polite">' in body
    no_inline_style_or_script(body)
    labels_tied_to_inputs(body)


def test_the_preview_evaluates_the_form_and_writes_nothing(tenants):
    caseworker = staff("caseworker")
    case = open_case(caseworker)
    client = client_for(caseworker)
    client.get(f"/sager/{case.pk}/udredning/")
    before = (
        Assessment.objects.count(),
        Evaluation.objects.count(),
        AuditEntry.objects.count(),
        version(case.pk),
    )

    eligible = client.post(
        f"/sager/{case.pk}/udredning/vurdering/", assessment_data(case, FACTS["gentofte"]), **HTMX
    )
    unknown = client.post(f"/sager/{case.pk}/udredning/vurdering/", assessment_data(case, {}))

    assert eligible.status_code == 200
    offer = re.search(r'id="tilbud-ambulant">(.*?)</li>\s*</ul>', eligible.content.decode(), re.S)
    assert "Kan bevilges" in offer[1]
    assert "✓" in offer[1] and "✗" not in offer[1]
    body = unknown.content.decode()
    ambulant = re.search(r'id="tilbud-ambulant">(.*?)</li>\s*</ul>', body, re.S)[1]
    assert "Mangler oplysninger" in ambulant
    assert "Forbrugets omfang" in body  # the missing fact named in Danish
    assert "Borgerens alder: 34 år" in body  # from the CPR number
    after = (
        Assessment.objects.count(),
        Evaluation.objects.count(),
        AuditEntry.objects.count(),
        version(case.pk),
    )
    assert after == before


def test_saving_the_assessment_records_a_new_version_and_evaluation(tenants):
    caseworker = staff("caseworker")
    case = assessed_case(caseworker)
    facts = {**FACTS["gentofte"], "social": {**FACTS["gentofte"]["social"], "housing": "own"}}

    client = client_for(caseworker)

    response = client.post(f"/sager/{case.pk}/udredning/", assessment_data(case, facts))

    assert response.status_code == 302
    assert response["Location"] == f"/sager/{case.pk}/udredning/#vurdering"
    latest = Assessment.objects.filter(case=case).order_by("-version").first()
    assert latest.version == 2
    assert latest.facts["social"]["housing"] == "own"
    assert latest.facts["person"]["birth_date"] == "1992-02-07"
    assert Evaluation.objects.filter(case=case, assessment=latest, evaluated_on=today()).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Udredningen er gemt som version 2" in page


def test_a_bad_date_is_shown_next_to_the_field_and_nothing_is_written(tenants):
    therapist = staff("therapist")
    case = services.case_create(
        actor=therapist,
        received_on=days(-2),
        channel="walk_in",
        anonymous=True,
        pseudonym="Ravn",
    )
    data = assessment_data(case, FACTS["gentofte"], person__birth_date="31.02.1990")

    response = client_for(therapist).post(f"/sager/{case.pk}/udredning/", data)

    assert response.status_code == 422
    body = response.content.decode()
    assert '<span class="form-error-message" id="id_person__birth_date_error">' in body
    field = re.search(r'<input[^>]*name="person__birth_date"[^>]*>', body)[0]
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_person__birth_date_error"' in field
    assert 'href="#id_person__birth_date"' in body  # the summary links to the field
    assert re.search(r'<option value="problematic" selected>', body)  # nothing typed is lost
    assert not Assessment.objects.filter(case=case).exists()


def test_a_birth_date_after_today_is_told_in_danish_next_to_the_field(tenants):
    therapist = staff("therapist")
    case = services.case_create(
        actor=therapist, received_on=days(-2), channel="walk_in", anonymous=True, pseudonym="Ugle"
    )
    data = assessment_data(case, FACTS["gentofte"], person__birth_date=days(30).isoformat())

    client = client_for(therapist)
    preview = client.post(f"/sager/{case.pk}/udredning/vurdering/", data, **HTMX)
    saved = client.post(f"/sager/{case.pk}/udredning/", data)

    assert "Fødselsdato: Datoen ligger efter vurderingsdatoen." in preview.content.decode()
    assert saved.status_code == 422
    body = saved.content.decode()
    assert re.search(
        r'id="id_person__birth_date_error"><span class="sr-only">Fejl: </span>'
        r"Datoen ligger efter vurderingsdatoen\.</span>",
        body,
    )
    assert not Assessment.objects.filter(case=case).exists()


def test_a_service_error_names_the_field(tenants):
    caseworker = staff("caseworker")
    case = open_case(caseworker)
    data = assessment_data(case, FACTS["gentofte"], person__birth_date="1990-01-01")

    response = client_for(caseworker).post(f"/sager/{case.pk}/udredning/", data)

    assert response.status_code == 422
    body = response.content.decode()
    assert "passer ikke med CPR-nummeret" in body
    assert 'id="id_person__birth_date_error"' in body
    assert not Assessment.objects.filter(case=case).exists()


def test_a_stale_version_shows_the_conflict_message(tenants):
    caseworker = staff("caseworker")
    case = assessed_case(caseworker)
    data = assessment_data(case, FACTS["gentofte"])
    services.contact_record(  # someone else changes the case meanwhile
        actor=staff("caseworker"),
        case_id=case.pk,
        version=version(case.pk),
        received_on=days(-1),
        channel="phone",
    )

    response = client_for(caseworker).post(f"/sager/{case.pk}/udredning/", data)

    assert response.status_code == 409
    assert CONFLICT_MESSAGE in response.content.decode()
    assert Assessment.objects.filter(case=case).count() == 1


# --- the decision -----------------------------------------------------------------------------


def test_the_decision_page_offers_each_offer_with_its_evaluation_status(tenants):
    caseworker = staff("caseworker")
    case = assessed_case(caseworker)

    response = client_for(caseworker).get(f"/sager/{case.pk}/afgoerelse/")

    body = response.content.decode()
    assert response.status_code == 200
    assert '<option value="ambulant" selected>Ambulant behandling – Kan bevilges</option>' in body
    assert "Kan ikke bevilges</option>" in body
    assert f'hx-post="/sager/{case.pk}/afgoerelse/forhaandsvisning/"' in body
    assert '<div id="decision-preview" aria-live="polite">' in body
    # the providers of the chosen offer only (Gentofte: ambulant treatment at KABS)
    provider = re.search(r'<select name="provider".*?</select>', body, re.S)[0]
    assert 'value="kabs"' in provider and "privat_leverandoer" not in provider
    no_inline_style_or_script(body)
    labels_tied_to_inputs(body)


def test_the_decision_preview_shows_reasoning_and_complaint_deadline(tenants):
    caseworker = staff("caseworker")
    case = assessed_case(caseworker)
    data = decision_data(case, decided_on="2026-12-18", send_channel="post")

    response = client_for(caseworker).post(
        f"/sager/{case.pk}/afgoerelse/forhaandsvisning/", data, **HTMX
    )

    assert response.status_code == 200
    body = response.content.decode()
    # sent by ordinary post on Friday 18 December: received six working days later (24–26
    # December closed), and the deadline is four weeks after receipt
    assert "Den anses for modtaget 29. december 2026." in body
    assert "Klagefrist: <strong>26. januar 2027</strong>" in body
    assert "Du er bevilget Ambulant behandling." in body
    assert "Afgørelsen er truffet efter SEL § 101" in body
    assert "Borgeren har et problematisk forbrug af rusmidler" in body
    assert "hx-swap-oob" not in body  # the offer did not change: the provider list stays
    assert not Decision.objects.exists()


def test_the_preview_sends_new_providers_when_the_offer_changes(tenants):
    caseworker = staff("caseworker")
    case = assessed_case(caseworker)
    data = decision_data(case, offer="dagbehandling", provider="", outcome="refused")

    body = (
        client_for(caseworker)
        .post(f"/sager/{case.pk}/afgoerelse/forhaandsvisning/", data, **HTMX)
        .content.decode()
    )

    assert '<div id="provider-field" hx-swap-oob="true">' in body
    assert 'value="privat_leverandoer"' in body and 'value="kabs"' not in body
    assert "Du er ikke bevilget Dagbehandling." in body


def test_granting_an_offer_not_found_eligible_asks_for_a_reason(tenants):
    caseworker = staff("caseworker")
    case = assessed_case(caseworker)
    data = decision_data(case, offer="doegnbehandling", provider="")

    client = client_for(caseworker)
    preview = client.post(f"/sager/{case.pk}/afgoerelse/forhaandsvisning/", data, **HTMX)
    saved = client.post(f"/sager/{case.pk}/afgoerelse/", data)

    assert "Skriv en begrundelse for at fravige visitationen" in preview.content.decode()
    assert saved.status_code == 422
    body = saved.content.decode()
    assert 'id="id_override_reason_error"' in body
    assert "Døgnbehandling kan ikke bevilges efter visitationen (kan ikke bevilges)" in body
    assert not Decision.objects.exists()


def test_saving_a_decision_creates_it_and_its_letter(tenants):
    caseworker = staff("caseworker")
    case = assessed_case(caseworker)
    client = client_for(caseworker)

    response = client.post(
        f"/sager/{case.pk}/afgoerelse/", decision_data(case, note="Borgeren er motiveret.")
    )

    assert response.status_code == 302
    decision = Decision.objects.get(case=case)
    assert decision.offer == "ambulant" and decision.outcome == "granted"
    assert decision.provider.slug == "kabs"
    assert "Borgeren er motiveret." in decision.reasoning
    letter = Letter.objects.get(key=f"decision:{decision.pk}")
    assert response["Location"] == (
        f"/sager/{case.pk}/?afgoerelse={decision.pk}#afgoerelse-{decision.pk}"
    )
    page = client.get(response["Location"]).content.decode()
    assert f'<a href="/api/letters/{letter.pk}/pdf">Åbn afgørelsesbrevet (PDF)</a>' in page
    assert "Netop gemt" in page
    assert "Afgørelsen er gemt" in page


def test_a_stale_decision_shows_the_conflict_and_keeps_what_was_typed(tenants):
    caseworker = staff("caseworker")
    case = assessed_case(caseworker)
    data = decision_data(case, note="En lang begrundelse, der ikke må gå tabt.")
    granted(staff("caseworker"), case)  # someone else decides first

    response = client_for(caseworker).post(f"/sager/{case.pk}/afgoerelse/", data)

    assert response.status_code == 409
    body = response.content.decode()
    assert CONFLICT_MESSAGE in body
    assert "En lang begrundelse, der ikke må gå tabt." in body
    assert Decision.objects.filter(case=case).count() == 1


# --- the course -------------------------------------------------------------------------------


def test_a_course_is_started_from_the_case_page_and_followed_to_its_end(tenants):
    caseworker = staff("caseworker")
    therapist = staff("therapist")
    case = assessed_case(caseworker)
    decision = granted(caseworker, case)
    client = client_for(therapist)

    page = client.get(f"/sager/{case.pk}/").content.decode()
    assert f'<option value="d{decision.pk}"' in page
    # the housing comes filled in from the assessment; the use in the last 30 days is asked
    assert '<option value="rented" selected>' in page
    started = client.post(
        f"/sager/{case.pk}/forloeb/start/",
        {
            "version": version(case.pk),
            "basis": f"d{decision.pk}",
            "started_on": days(-10),
            "use_frequency": "daily",
            "housing": "rented",
            "occupation": "unemployed",
        },
    )
    course = Course.objects.get(case=case)
    assert started.status_code == 302 and started["Location"] == f"/forloeb/{course.pk}/"

    planned = client.post(
        f"/forloeb/{course.pk}/plan/",
        {
            "plan-version": version(case.pk),
            "plan-goal": "reduction",
            "plan-goals_text": "Drikke mindre i hverdagen",
            "plan-agreed_on": days(-10).isoformat(),
        },
    )
    assert planned.status_code == 302
    for n in range(3):
        booked = client.post(
            f"/forloeb/{course.pk}/samtaler/",
            {
                "session-version": version(case.pk),
                "session-day": days(-9 + n).isoformat(),
                "session-starts": "10:00",
                "session-ends": "11:00",
                "session-note": "",
            },
        )
        assert booked.status_code == 302, booked.content.decode()
    sessions = list(Session.objects.filter(course=course).order_by("starts_at"))
    assert len(sessions) == 3

    for session in sessions:
        answer = client.post(
            f"/samtaler/{session.pk}/fremmoede/",
            {"version": version(case.pk), "attendance": "no_show"},
            **HTMX,
        )
        assert answer.status_code == 200
    body = answer.content.decode()
    assert "Fremmøde registreret" in body and "udeblevet" in body
    assert "Udeblevet 3 gange i træk" in body  # the no-show flag
    # the page's other forms get the case's new version out of band
    assert (
        f'<input type="hidden" id="id_plan-version" name="plan-version" '
        f'value="{version(case.pk)}" hx-swap-oob="true">'
    ) in body
    assert all(s.attendance == "no_show" for s in Session.objects.filter(course=course))

    course_page = client.get(f"/forloeb/{course.pk}/").content.decode()
    assert "Drikke mindre i hverdagen" in course_page
    assert "Udeblevet 3 gange i træk" in course_page
    no_inline_style_or_script(course_page)
    labels_tied_to_inputs(course_page)
    # A drug course ends in the drug goals: drug-free, reduced, stabilised (not referred)
    assert '<option value="substance_free">Stoffri</option>' in course_page
    assert '<option value="referred">' not in course_page

    end = {
        "end-version": version(case.pk),
        "end-ended_on": today().isoformat(),
        "end-reason": "dropped_out",
        "end-outcome": "dropped_out",
        "end-final_report": "Borgeren er udeblevet og har ikke svaret.",
    }
    # Without the key facts at the end the form comes back naming the missing one
    refused = client.post(f"/forloeb/{course.pk}/afslut/", end)
    assert refused.status_code == 422
    assert 'id="id_end-use_frequency_error"' in refused.content.decode()
    ended = client.post(
        f"/forloeb/{course.pk}/afslut/",
        {
            **end,
            "end-use_frequency": "days_2_3",
            "end-housing": "temporary",
            "end-occupation": "unemployed",
        },
    )
    assert ended.status_code == 302 and ended["Location"] == f"/forloeb/{course.pk}/#afslutning"
    course.refresh_from_db()
    assert course.status == "ended" and course.end_reason == "dropped_out"
    assert sorted(FollowUp.objects.filter(course=course).values_list("months", flat=True)) == [1, 6]
    assert Case.objects.get(pk=case.pk).status == "ended"
    page = client.get(f"/sager/{case.pk}/").content.decode()
    assert "Opfølgning 1 måned efter forløbet" in page
    assert "Forløb afsluttet" in page
    # the timeline shows the key facts at start and end…
    assert "Brug: dagligt. Bolig: lejebolig. Beskæftigelse: ledig." in page
    assert "Brug: 2–3 dage om ugen. Bolig: midlertidig bolig. Beskæftigelse: ledig." in page
    # …and the course page side by side, so the change is visible
    course_page = client.get(f"/forloeb/{course.pk}/").content.decode()
    table = course_page[course_page.index('id="key-facts"') :]
    table = table[: table.index("</table>")]
    assert re.search(r"Ved start</th>\s*<th[^>]*>Ved afslutning</th>", table), table
    start, end = 'data-title="Ved start"', 'data-title="Ved afslutning"'
    assert f"<td {start}>Dagligt</td><td {end}>2–3 dage om ugen</td>" in table
    assert f"<td {start}>Lejebolig</td><td {end}>Midlertidig bolig</td>" in table


def test_attendance_without_javascript_returns_to_the_course_page(tenants):
    therapist = staff("therapist")
    case = assessed_case(therapist)
    decision = granted(therapist, case)
    course = services.course_start(
        actor=therapist,
        case_id=case.pk,
        version=version(case.pk),
        started_on=days(-10),
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )
    at = timezone.make_aware(dt.datetime.combine(days(-3), dt.time(9)))
    session = services.session_record(
        actor=therapist,
        course_id=course.pk,
        version=version(case.pk),
        starts_at=at,
        ends_at=at + dt.timedelta(hours=1),
    )
    client = client_for(therapist)

    stale = client.post(
        f"/samtaler/{session.pk}/fremmoede/", {"version": 1, "attendance": "attended"}
    )
    fresh = client.post(
        f"/samtaler/{session.pk}/fremmoede/",
        {"version": version(case.pk), "attendance": "attended"},
    )

    assert stale.status_code == 302 and fresh.status_code == 302
    assert fresh["Location"] == f"/forloeb/{course.pk}/#samtale-{session.pk}"
    assert Session.objects.get(pk=session.pk).attendance == "attended"
    page = client.get(fresh["Location"]).content.decode()
    assert "Fremmøde registreret" in page


def test_a_course_form_error_keeps_what_was_typed(tenants):
    therapist = staff("therapist")
    case = assessed_case(therapist)
    decision = granted(therapist, case)
    course = services.course_start(
        actor=therapist,
        case_id=case.pk,
        version=version(case.pk),
        started_on=days(-10),
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )

    response = client_for(therapist).post(
        f"/forloeb/{course.pk}/status/",
        {
            "report-version": version(case.pk),
            "report-text": "Borgeren kommer stabilt.",
            "report-submitted_on": days(-30).isoformat(),  # before the course started
        },
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="id_report-submitted_on_error"' in body
    assert "Borgeren kommer stabilt." in body
