"""Rules, second reading (issue 18) through the services: the decision's complaint route and
letter, the follow-ups an ending creates, the supervision of residential stays, the
standard's numbers (no-shows, reassessment) and the guarantee's basis on the case.

Named after the seed passages: 000_4d2e5a9c8648a4a1.txt (Gentofte), 001_813fdf5c3fea97dc.txt
(Helsingør); tests/standards/test_second_reading_routes.py holds the same rules in `rules/`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from factories import END_KEY_FACTS, START_KEY_FACTS, staff
from rusmiddel.cases import services
from rusmiddel.cases.errors import Invalid
from rusmiddel.cases.models import Case, Course, Deadline, FollowUp
from rusmiddel.letters.models import Letter, LetterKind
from rusmiddel.letters.render import letter_html
from rusmiddel.standards.registry import load
from support import AFTER_THE_EVENTS

# the tests record events up to a year ahead of the real today: on a clock after them
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(AFTER_THE_EVENTS, tick=False)]

CONTACT = dt.date(2026, 11, 24)
DECIDED = dt.date(2026, 11, 30)
START = dt.date(2026, 12, 7)
ENDED = dt.date(2027, 3, 1)

ALCOHOL_ONLY = {"use": {"substances": [{"substance": "alcohol", "primary": True}]}}
COCAINE = {"use": {"substances": [{"substance": "cocaine", "primary": True}]}}
RESIDENTIAL = {
    "use": {"substances": [{"substance": "cocaine", "primary": True}], "level": "dependent"},
    "history": {"previous_offers": ["individuelle_samtaler"]},
    "social": {"housing": "rented"},
    "health": {"psychiatric_disorder": "none"},
}


def _v(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def _case(actor, facts: dict[str, Any], *, cpr: str = "0702921234", **contact: Any) -> Case:
    case = services.case_create(
        actor=actor,
        received_on=CONTACT,
        channel="walk_in",
        citizen_cpr=cpr,
        citizen_name="Mette Jensen",
        **contact,
    )
    services.assessment_record(
        actor=actor, case_id=case.pk, version=_v(case.pk), facts=facts, on=CONTACT
    )
    return case


def _grant(actor, case: Case, offer: str, on: dt.date = DECIDED):
    return services.decision_record(
        actor=actor,
        case_id=case.pk,
        version=_v(case.pk),
        offer=offer,
        outcome="granted",
        decided_on=on,
        override_reason="Visitationsmødet har vurderet behovet",
    )


def _start(actor, case: Case, offer: str, on: dt.date = START) -> Course:
    decision = _grant(actor, case, offer)
    return services.course_start(
        actor=actor,
        case_id=case.pk,
        version=_v(case.pk),
        started_on=on,
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )


def _end(actor, course: Course) -> list[FollowUp]:
    return services.course_end(
        actor=actor,
        course_id=course.pk,
        version=_v(course.case_id),
        ended_on=ENDED,
        reason="completed",
        outcome="reduced",
        final_report="Forløbet er gennemført.",
        **END_KEY_FACTS,
    )


def _letter(case: Case, kind: str) -> str:
    """The letter as written (its HTML from the stored context, tags left out)."""
    letter = Letter.objects.filter(case=case, kind=kind).order_by("-pk").first()
    assert letter is not None, kind
    return " ".join(re.sub(r"<[^>]+>", " ", letter_html(letter.kind, letter.context)).split())


# ------------------------------------------------ 6. Klageadgang (Helsingør)


def test_klagevejledning_alkoholbehandling_the_decision_and_its_letter(tenants):
    """ "Der kan ikke klages til patientklagenævnet over kommunens beslutning om behandling":
    individual talks (SEL § 101 for drugs, SUL § 141 for alcohol) granted to a citizen whose
    only problem is alcohol go by the alcohol route, not four weeks to Ankestyrelsen."""
    therapist = staff("therapist", "helsingoer")
    case = _case(therapist, ALCOHOL_ONLY)
    decision = _grant(therapist, case, "individuelle_samtaler")
    assert decision.complaint_route == "alcohol" and decision.complaint_deadline is None
    text = _letter(case, LetterKind.DECISION)
    assert "generelle serviceniveau" in text
    assert "Klagefristen er" not in text and "Ankestyrelsen" not in text
    # and a complaint of the decision itself has no route to go by
    with pytest.raises(Invalid) as refused:
        services.complaint_receive(
            actor=therapist,
            case_id=case.pk,
            version=_v(case.pk),
            decision_id=decision.pk,
            received_on=dt.date(2026, 12, 3),
            text="Jeg er uenig.",
        )
    assert refused.value.field == "decision_id"
    # a citizen with a drug problem keeps the social route: four weeks, then Ankestyrelsen
    drugs = _case(therapist, COCAINE, cpr="1111811234")
    decision = _grant(therapist, drugs, "individuelle_samtaler")
    assert decision.complaint_route == "social"
    assert decision.complaint_deadline == dt.date(2026, 12, 28)  # 4 weeks, off 2. juledag
    assert "Ankestyrelsen" in _letter(drugs, LetterKind.DECISION)


def test_klager_over_den_medicinske_del_in_the_letter_on_alcohol_medication(tenants):
    """ "Klager over den medicinske del af behandlingen (sundhedsloven §§ 141 og 142)": the
    letter granting alcohol treatment with medication names Styrelsen for Patientklager for
    the medical part beside the alcohol route's guidance."""
    therapist = staff("therapist", "helsingoer")
    case = _case(therapist, ALCOHOL_ONLY)
    _grant(therapist, case, "alkoholbehandling_medicinsk")
    text = _letter(case, LetterKind.DECISION)
    assert "generelle serviceniveau" in text
    assert "Klagevejledning: den medicinske del af behandlingen" in text
    assert "Styrelsen for Patientklager" in text


# ------------------------------------------------ 7. Opfølgning


def test_opfoelgning_paa_faerdigbehandlede_only_a_drug_problem_is_followed_up(tenants):
    """ "Opfølgning på færdigbehandlede – for borgere der var indskrevet med en
    stofproblematik": ending an alcohol-only course creates no follow-ups, deadlines or
    invitations; a drug course two of each."""
    therapist = staff("therapist", "helsingoer")
    for facts, cpr, count in ((ALCOHOL_ONLY, "0702921234", 0), (COCAINE, "1111811234", 2)):
        case = _case(therapist, facts, cpr=cpr)
        course = _start(therapist, case, "individuelle_samtaler")
        follow_ups = _end(therapist, course)
        assert [f.months for f in follow_ups] == [1, 6][:count]
        assert FollowUp.objects.filter(course=course).count() == count
        assert Deadline.objects.filter(case=case, kind="follow_up").count() == count
        letters = Letter.objects.filter(case=case, kind=LetterKind.FOLLOW_UP_INVITATION)
        assert letters.count() == count


def test_opfoelgning_paa_indsatsen_no_follow_up_of_an_anonymous_gentofte_course(tenants):
    """Gentofte's rusmiddelkonsulent follows up, but anonymous treatment leaves the
    municipality no identity: an anonymous course ends without follow-ups, a named one gets
    its two."""
    consultant = staff("substance_consultant", "gentofte")
    anonymous = services.case_create(
        actor=consultant, received_on=CONTACT, channel="walk_in", anonymous=True, pseudonym="Ugle"
    )
    named = services.case_create(
        actor=consultant,
        received_on=CONTACT,
        channel="walk_in",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
    )
    for case, count in ((anonymous, 0), (named, 2)):
        course = services.course_start(
            actor=consultant,
            case_id=case.pk,
            version=_v(case.pk),
            started_on=START,
            offer="raadgivning",
        )
        assert len(_end(consultant, course)) == count
        assert Deadline.objects.filter(case=case, kind="follow_up").count() == count


# ------------------------------------------------ 9. Døgnbehandling


def test_tilsyn_under_doegnbehandling_falls_due_monthly_for_a_residential_stay(tenants):
    """ "Tilsyn under døgnbehandling: … fører Rusmiddelcenteret … det personrelaterede tilsyn
    med behandlingen": a residential course gets a supervision deadline a month on, met and
    renewed by the stay's status; an ambulant course in Helsingør none."""
    therapist = staff("therapist", "helsingoer")
    case = _case(therapist, RESIDENTIAL)
    stay = _start(therapist, case, "doegnbehandling")
    due = Deadline.objects.get(case=case, kind="status_report", source_id=stay.pk)
    assert due.due_on == dt.date(2027, 1, 7) and due.met_on is None
    assert due.text.startswith("Tilsyn med døgnbehandlingen")
    services.status_report_record(
        actor=therapist,
        course_id=stay.pk,
        version=_v(case.pk),
        text="Status fra døgntilbuddet",
        submitted_on=dt.date(2027, 1, 5),
    )
    assert Deadline.objects.get(source_id=stay.pk, kind="status_report").due_on == dt.date(
        2027, 2, 5
    )
    other = _case(staff("therapist", "helsingoer"), COCAINE, cpr="1111811234")
    talks = _start(therapist, other, "individuelle_samtaler")
    assert not Deadline.objects.filter(kind="status_report", source_id=talks.pk).exists()


def test_doegnbehandling_the_letter_names_the_young_persons_stay(tenants):
    """ "Et døgnophold for unge under 25 år vil typisk være op til seks uger": the decision
    letter to a 22-year-old names that, not the adults' three months."""
    therapist = staff("therapist", "helsingoer")
    case = _case(therapist, RESIDENTIAL, cpr="1503044123")  # born 15 March 2004
    _grant(therapist, case, "doegnbehandling")
    text = _letter(case, LetterKind.DECISION)
    assert "Varighed: Et døgnophold for unge under 25 år vil typisk være op til seks uger." in text


# ------------------------------------------------ 11. Behandlingsgarantien on the case


def test_saerlige_bemaerkninger_a_wish_for_residential_treatment_on_the_case(tenants):
    """ "Udredning med henblik på dag- eller døgnbehandling … er ikke omfattet af
    behandlingsgarantien": the contact asking for residential treatment has no guarantee date
    for the stay, but its basis (shown on the case page) says ambulant treatment must start
    by 8 December 2026 under SEL § 101, stk. 4."""
    caseworker = staff("caseworker", "gentofte")
    case = services.case_create(
        actor=caseworker,
        received_on=CONTACT,
        channel="digital_post",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
        requested_offer="doegnbehandling",
    )
    contact = case.contacts.get()
    assert contact.guarantee_due is None
    assert "senest 8. december 2026" in contact.guarantee_basis
    assert "§ 101, stk. 4" in contact.guarantee_basis
    client = Client()
    client.force_login(caseworker)
    page = client.get(f"/sager/{case.pk}/")
    assert page.status_code == 200
    body = " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())
    assert "senest 8. december 2026 skal borgeren være i gang med ambulant behandling" in body


def test_behandlingsgaranti_the_contacts_basis_by_offer_and_age(tenants):
    """The contact's guarantee rests on barnets lov § 33 under 18, on SUL § 142 for medical
    treatment at any age, on SEL § 101, stk. 4 for an adult's social treatment."""
    caseworker = staff("caseworker", "gentofte")
    for cpr, offer, basis in (
        ("0702104123", "ambulant", "Barnets lov § 33"),  # born 7 February 2010: 16
        ("0702104123", "substitution", "SUL § 142"),
        ("0702921234", "ambulant", "SEL § 101, stk. 4"),
    ):
        case = services.case_create(
            actor=caseworker,
            received_on=CONTACT,
            channel="phone",
            citizen_cpr=cpr,
            citizen_name="Mette Jensen",
            requested_offer=offer,
        )
        contact = case.contacts.get()
        assert contact.guarantee_due == dt.date(2026, 12, 8)
        assert contact.guarantee_basis.startswith(basis), (offer, contact.guarantee_basis)


# ------------------------------------------------ 10. The standard's numbers, from a version


@pytest.fixture
def stricter_gentofte(tmp_path, monkeypatch):
    """A later version of Gentofte's standard (from 1 December 2026) flagging two no-shows in
    a row and reassessing complaints within six weeks: the services must read both from it."""
    source = Path(load("gentofte", CONTACT).path).read_text("utf-8")
    text = source.replace("valid_from: 2024-01-01", "valid_from: 2026-12-01")
    text = re.sub(r"(?m)^(no_shows:\n  limit: )3$", r"\g<1>2", text)
    text = text.replace("    reassessment_weeks: 4\n", "    reassessment_weeks: 6\n")
    assert text.count("limit: 2") == 1 and "reassessment_weeks: 6" in text
    folder = tmp_path / "gentofte"
    folder.mkdir()
    (folder / "2026-12-01.yaml").write_text(text, "utf-8")
    monkeypatch.setenv("RUSMIDDEL_STANDARDS_PATH", str(tmp_path))
    return load("gentofte", dt.date(2026, 12, 1)).standard


def test_borgerens_ansvar_no_shows_flag_at_the_standards_limit(tenants, stricter_gentofte):
    """Gentofte "vil i udgangspunktet afslutte behandlingsforløb, hvor borgeren … udebliver
    fra planlagt behandling": the run of no-shows that flags the course is the standard's."""
    assert stricter_gentofte.no_shows.limit == 2
    caseworker = staff("caseworker", "gentofte")
    case = services.case_create(
        actor=caseworker,
        received_on=dt.date(2026, 12, 1),
        channel="phone",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
    )
    services.assessment_record(
        actor=caseworker,
        case_id=case.pk,
        version=_v(case.pk),
        facts=COCAINE,
        on=dt.date(2026, 12, 1),
    )
    decision = _grant(caseworker, case, "ambulant", on=dt.date(2026, 12, 2))
    course = services.course_start(
        actor=caseworker,
        case_id=case.pk,
        version=_v(case.pk),
        started_on=START,
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )
    answers = []
    for day in (8, 15):
        at = dt.datetime(2026, 12, day, 10, tzinfo=dt.UTC)
        session = services.session_record(
            actor=caseworker,
            course_id=course.pk,
            version=_v(case.pk),
            starts_at=at,
            ends_at=at + dt.timedelta(hours=1),
        )
        answers.append(
            services.attendance_record(
                actor=caseworker, session_id=session.pk, version=_v(case.pk), attendance="no_show"
            )
        )
    assert [(a["no_show_streak"], a["flag"]) for a in answers] == [(1, False), (2, True)]
    # retssikkerhedsloven §§ 66–67 as the route says: here six weeks to reassess
    complaint = services.complaint_receive(
        actor=caseworker,
        case_id=case.pk,
        version=_v(case.pk),
        decision_id=decision.pk,
        received_on=dt.date(2026, 12, 10),
        text="Jeg ønsker dagbehandling.",
    )
    assert complaint.reassess_by == dt.date(2027, 1, 21)


# ------------------------------------------------ 8. The stop group's run


def test_kokain_hashstop_a_run_with_its_stop_day_on_a_closed_day_is_refused(tenants):
    """The common stop day may not fall on a day the centre is closed (Maundy Thursday)."""
    from rusmiddel.groups.services import group_create

    head = staff("head_of_unit", "helsingoer")
    with pytest.raises(Invalid) as refused:
        group_create(
            actor=head,
            offer="kokain_hashstop",
            provider="helsingoer_rusmiddelcenter",
            title="Kokain- og hashstop marts",
            starts_on=dt.date(2027, 3, 8),
            seats=10,
            stop_day=dt.date(2027, 3, 25),
        )
    assert refused.value.field == "stop_day" and "lukkedag" in str(refused.value)
