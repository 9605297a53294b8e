"""Integrated treatment in the regional psychiatry on the case (sundhedslovens § 82 c, lov L 126
(2023-24), from 1 September 2024).

Issue 18, finding 15: the assessment surfaces the route (`refer_integrated_treatment`); the
municipality refers the citizen to the region, the referral date is on the case, and the
municipality's obligations under SUL §§ 141 and 142 end when the region has received the
citizen. DESIGN.md's legal note: "the region starts treatment within 14 days of receiving the
referral; SUL §§ 141 and 142 do not apply to people admitted to or referred for integrated
treatment; the municipality must be able to refer, record the region's receipt, and end its own
§ 141/142 obligations when the region takes over." The social treatment (SEL § 101, barnets
lov § 33) stays the municipality's, coordinated with the region ("kommunens øvrige indsats
koordineres med regionen", the standards' action), so a guarantee resting also on it stays.

Dates are fixed and before the real today (the services refuse a date in the future), but for
the checks of the future itself.
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
from factories import staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.capacity.selectors import guarantee_kept_share
from rusmiddel.cases import selectors, services
from rusmiddel.cases.errors import Conflict, Forbidden, Invalid, NotFound
from rusmiddel.cases.models import Case, Contact, Deadline, RegionReferral
from rusmiddel.rules import integrated_treatment

pytestmark = pytest.mark.django_db

D = dt.date
CONTACT_ON = D(2026, 11, 2)
REFERRED_ON = D(2026, 11, 10)
ACCEPTED_ON = D(2026, 11, 13)
REGION = "Region Hovedstadens Psykiatri, Psykiatrisk Center Nordsjælland"
#: Gentofte's facts, with a mental illness that requires treatment: the route is raised
DUAL = {**FACTS["gentofte"], "health": {"psychiatric_disorder": "requires_treatment"}}


def version(case: Case | int) -> int:
    pk = case if isinstance(case, int) else case.pk
    return Case.objects.values_list("version", flat=True).get(pk=pk)


@pytest.fixture
def caseworker(tenants):
    return staff("caseworker", "gentofte")


def gentofte_case(actor, *, offers=("laegesamtale", "ambulant"), facts=DUAL) -> Case:
    """A Gentofte case with a contact per offer asked for (each starts its guarantee: the
    doctor's consultation under SUL § 142, outpatient treatment under SEL § 101), assessed."""
    first, *more = offers
    case = services.case_create(
        actor=actor,
        received_on=CONTACT_ON,
        channel="phone",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
        requested_offer=first,
    )
    for offer in more:
        services.contact_record(
            actor=actor,
            case_id=case.pk,
            version=version(case),
            received_on=CONTACT_ON,
            channel="phone",
            requested_offer=offer,
        )
    services.assessment_record(
        actor=actor, case_id=case.pk, version=version(case), facts=facts, on=CONTACT_ON
    )
    return case


def refer(actor, case, **kw):
    values = {"referred_on": REFERRED_ON, "region": REGION, **kw}
    return services.region_referral_record(
        actor=actor, case_id=case.pk, version=version(case), **values
    )


def accept(actor, case, on=ACCEPTED_ON):
    return services.region_referral_accept(
        actor=actor, case_id=case.pk, version=version(case), accepted_on=on
    )


def guarantees(case) -> dict[str, Deadline]:
    """The case's treatment guarantees by the offer their contact asked for."""
    offer_of = dict(Contact.objects.filter(case=case).values_list("pk", "requested_offer"))
    return {
        offer_of[d.source_id]: d
        for d in Deadline.objects.filter(case=case, kind="treatment_guarantee")
    }


# --- the rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("basis", "ends"),
    [
        ("SUL § 142: den vederlagsfri lægesamtale iværksættes senest 16. november 2026.", True),
        ("SUL § 141, stk. 2: alkoholbehandlingen iværksættes senest 16. november 2026.", True),
        ("SUL § 141, stk. 2 (alkohol) og § 142 (stoffer): den lægelige behandling …", True),
        ("SEL § 101, stk. 4", False),  # social treatment: the municipality's still
        ("SEL § 101, stk. 4 og SUL § 141, stk. 2", False),  # rests on § 101 too
        ("Barnets lov § 33 (tidligere servicelovens § 101, stk. 3): …", False),
        ("Ingen behandlingsgaranti ved anonym behandling (SEL § 101 a).", False),
        ("", False),
    ],
)
def test_which_guarantees_end_when_the_region_receives_the_citizen(basis, ends):
    assert integrated_treatment.guarantee_ends(basis) is ends


def test_the_region_starts_within_14_days_of_receiving_the_referral():
    assert integrated_treatment.start_by(D(2026, 11, 10)) == D(2026, 11, 24)
    assert D(2024, 9, 1) == integrated_treatment.IN_FORCE


# --- referring and the region's receipt ---------------------------------------------------------


def test_the_region_taking_over_closes_the_sul_142_guarantee_as_handed_over(caseworker):
    # given a citizen the assessment routes to integrated treatment, with two guarantees open
    case = gentofte_case(caseworker)
    [evaluation] = case.evaluations.all()
    assert "refer_integrated_treatment" in [a["id"] for a in evaluation.result["actions"]]
    assert {o: d.met_on for o, d in guarantees(case).items()} == {
        "laegesamtale": None,
        "ambulant": None,
    }
    # when the caseworker refers the citizen to the region
    before = version(case)
    referral = refer(caseworker, case, note="Aftalt med borgeren")
    # then the referral is on the case, counted and logged, and the guarantees run on
    assert (referral.referred_on, referral.region, referral.accepted_on) == (
        REFERRED_ON,
        REGION,
        None,
    )
    assert version(case) == before + 1
    entry = AuditEntry.objects.filter(event="region_referred", case_id=case.pk).get()
    assert entry.new == {
        "referred_on": "2026-11-10",
        "region": REGION,
        "note": "Aftalt med borgeren",
    }
    assert all(d.met_on is None for d in guarantees(case).values())

    # when the region has received the citizen
    referral, closed = accept(caseworker, case)
    # then the doctor's consultation's guarantee (SUL § 142) is closed as handed over on
    # that day, with the reason; the outpatient treatment's (SEL § 101) stays open
    after = guarantees(case)
    assert [d.pk for d in closed] == [after["laegesamtale"].pk]
    assert after["laegesamtale"].met_on == ACCEPTED_ON
    assert "§ 82 c" in after["laegesamtale"].closed_reason
    assert "§§ 141 og 142 gælder ikke længere" in after["laegesamtale"].closed_reason
    assert (after["ambulant"].met_on, after["ambulant"].closed_reason) == (None, "")
    assert referral.accepted_on == ACCEPTED_ON and referral.accepted_by == caseworker
    entry = AuditEntry.objects.filter(event="region_accepted", case_id=case.pk).get()
    assert entry.new == {"accepted_on": "2026-11-13", "handed_over": [after["laegesamtale"].pk]}
    # and the due list no longer carries the handed-over guarantee
    due = selectors.due_list(user=caseworker, until=D(2027, 1, 1))
    assert [d.pk for d in due if d.case_id == case.pk] == [after["ambulant"].pk]


def test_a_guarantee_handed_over_is_neither_kept_nor_missed(caseworker):
    # given the only guarantee is the doctor's consultation's, past its last day
    case = gentofte_case(caseworker, offers=("laegesamtale",))
    refer(caseworker, case)
    on = D(2026, 12, 7)
    before = guarantee_kept_share(municipality_id=case.municipality_id, today=on).tally
    # when the region takes over after the municipality's 14 days
    accept(caseworker, case, on=D(2026, 11, 20))
    # then the waitlist's guarantee figure does not count it as missed (nor as kept)
    assert guarantees(case)["laegesamtale"].met_on > guarantees(case)["laegesamtale"].due_on
    assert (before.met, before.counted) == (0, 1)
    after = guarantee_kept_share(municipality_id=case.municipality_id, today=on).tally
    assert (after.met, after.counted, after.pending) == (0, 0, 0)


def test_helsingoers_alcohol_guarantee_ends_and_its_mixed_one_stays(tenants):
    # given Helsingør: outpatient detox asked for with alcohol alone (SUL § 141, stk. 2), and
    # individual talks (SEL § 101, stk. 4 og SUL § 141, stk. 2)
    therapist = staff("therapist", "helsingoer")
    facts = {
        "use": {"substances": [{"substance": "alcohol", "primary": True}], "level": "dependent"},
        "health": {"psychiatric_disorder": "requires_treatment"},
    }
    case = services.case_create(
        actor=therapist,
        received_on=CONTACT_ON,
        channel="phone",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
        requested_offer="individuelle_samtaler",
    )
    services.assessment_record(
        actor=therapist, case_id=case.pk, version=version(case), facts=facts, on=CONTACT_ON
    )
    services.contact_record(
        actor=therapist,
        case_id=case.pk,
        version=version(case),
        received_on=CONTACT_ON,
        channel="phone",
        requested_offer="ambulant_afrusning",
    )
    bases = dict(
        Contact.objects.filter(case=case).values_list("requested_offer", "guarantee_basis")
    )
    assert bases["ambulant_afrusning"].startswith("SUL § 141, stk. 2:")
    assert bases["individuelle_samtaler"].startswith("SEL § 101, stk. 4 og SUL § 141")
    # when the region receives the citizen
    refer(therapist, case)
    accept(therapist, case)
    # then the alcohol treatment's guarantee closes; the one resting on § 101 too stays
    after = guarantees(case)
    assert after["ambulant_afrusning"].met_on == ACCEPTED_ON
    assert after["individuelle_samtaler"].met_on is None


def test_a_contact_after_the_region_took_over_starts_no_sul_guarantee(caseworker):
    case = gentofte_case(caseworker)
    refer(caseworker, case)
    accept(caseworker, case)
    for offer in ("laegesamtale", "ambulant"):
        services.contact_record(
            actor=caseworker,
            case_id=case.pk,
            version=version(case),
            received_on=D(2026, 11, 20),
            channel="phone",
            requested_offer=offer,
        )
    later = {
        c.requested_offer: c for c in Contact.objects.filter(case=case, received_on=D(2026, 11, 20))
    }
    # the doctor's consultation (SUL § 142): no guarantee, and the contact says why
    assert later["laegesamtale"].guarantee_due is None
    assert "integreret behandling i regionen fra 13. november 2026" in (
        later["laegesamtale"].guarantee_basis
    )
    assert not Deadline.objects.filter(source_id=later["laegesamtale"].pk).exists()
    # social treatment (SEL § 101): the municipality's guarantee as before
    assert later["ambulant"].guarantee_due == D(2026, 12, 4)


def test_a_referral_is_corrected_until_the_region_has_received_the_citizen(caseworker):
    case = gentofte_case(caseworker)
    refer(caseworker, case)
    corrected = refer(caseworker, case, referred_on=D(2026, 11, 11), region="Psykiatrisk Center")
    assert RegionReferral.objects.filter(case=case).count() == 1
    assert (corrected.referred_on, corrected.region) == (D(2026, 11, 11), "Psykiatrisk Center")
    entry = AuditEntry.objects.filter(event="region_referred").order_by("-pk").first()
    assert entry.old["referred_on"] == "2026-11-10" and entry.new["referred_on"] == "2026-11-11"
    accept(caseworker, case)
    with pytest.raises(Invalid, match="Regionen har modtaget borgeren 13.11.2026") as refused:
        refer(caseworker, case)
    assert refused.value.field == "referred_on"


# --- what is refused, naming the field -----------------------------------------------------------


def _tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"referred_on": "tomorrow"}, "referred_on", "Henvisningsdatoen .* ligger i fremtiden"),
        ({"referred_on": D(2024, 8, 31)}, "referred_on", "før 1. september 2024"),
        ({"referred_on": D(2026, 11, 1)}, "referred_on", "før sagens første henvendelse"),
        ({"region": "  "}, "region", "Skriv hvilken region og enhed"),
        ({"region": "x" * 201}, "region", "højst 200 tegn"),
    ],
)
def test_a_referral_that_cannot_be_is_refused_naming_the_field(caseworker, values, field, message):
    case = gentofte_case(caseworker)
    if values.get("referred_on") == "tomorrow":
        values = {**values, "referred_on": _tomorrow()}
    before = version(case)
    with pytest.raises(Invalid, match=message) as refused:
        refer(caseworker, case, **values)
    assert refused.value.field == field
    assert version(case) == before and not RegionReferral.objects.exists()


def test_the_regions_receipt_that_cannot_be_is_refused_naming_the_field(caseworker):
    case = gentofte_case(caseworker)
    with pytest.raises(Invalid, match="ikke henvist til regionen") as refused:
        accept(caseworker, case)
    assert refused.value.field == "accepted_on"
    refer(caseworker, case)
    for day, message in (
        (D(2026, 11, 9), r"modtagelse 09.11.2026 ligger før henvisningen \(10.11.2026\)"),
        (_tomorrow(), "ligger i fremtiden"),
    ):
        with pytest.raises(Invalid, match=message) as refused:
            accept(caseworker, case, on=day)
        assert refused.value.field == "accepted_on"
    assert all(d.met_on is None for d in guarantees(case).values())
    accept(caseworker, case)
    with pytest.raises(Invalid, match="allerede modtaget borgeren 13.11.2026"):
        accept(caseworker, case, on=D(2026, 11, 14))


def test_a_stale_version_writes_nothing(caseworker):
    case = gentofte_case(caseworker)
    with pytest.raises(Conflict):
        services.region_referral_record(
            actor=caseworker,
            case_id=case.pk,
            version=version(case) - 1,
            referred_on=REFERRED_ON,
            region=REGION,
        )
    refer(caseworker, case)
    with pytest.raises(Conflict):
        services.region_referral_accept(
            actor=caseworker, case_id=case.pk, version=version(case) - 1, accepted_on=ACCEPTED_ON
        )
    assert RegionReferral.objects.get(case=case).accepted_on is None


def test_an_anonymous_case_is_not_referred_from_here(tenants):
    therapist = staff("therapist", "helsingoer")
    case = services.case_create(
        actor=therapist, received_on=CONTACT_ON, channel="walk_in", anonymous=True, pseudonym="Kim"
    )
    with pytest.raises(Invalid, match="anonym sag kan ikke henvises"):
        refer(therapist, case)


@pytest.mark.parametrize(
    ("role", "municipality", "provider", "error"),
    [
        ("head_of_unit", "gentofte", None, Forbidden),
        ("substance_consultant", "gentofte", None, Forbidden),
        ("provider_staff", "gentofte", "kabs", NotFound),  # not referred to them
        ("administrator", "gentofte", None, NotFound),  # reads no case
        ("caseworker", "helsingoer", None, NotFound),  # another municipality's
    ],
)
def test_who_may_not_refer(caseworker, role, municipality, provider, error):
    case = gentofte_case(caseworker)
    other = staff(role, municipality, provider)
    with pytest.raises(error):
        refer(other, case)
    refer(caseworker, case)
    with pytest.raises(error):
        accept(other, case)
    assert RegionReferral.objects.get(case=case).accepted_on is None


def test_the_therapist_refers_too(tenants):
    therapist = staff("therapist", "gentofte")
    case = gentofte_case(therapist)
    refer(therapist, case)
    assert accept(therapist, case)[0].accepted_by == therapist


# --- the case page ------------------------------------------------------------------------------


def page(client: Client, case: Case):
    response = client.get(f"/sager/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html: str) -> str:
    return html.split('id="integreret-behandling"')[1].split("</section>")[0]


def test_the_case_page_refers_and_records_the_regions_receipt(client, caseworker):
    client.force_login(caseworker)
    case = gentofte_case(caseworker)
    # the section shows what the standard says, and the referral form
    html = page(client, case)
    assert "Visitationen peger på integreret behandling" in section(html)
    assert "sundhedslovens § 82 c" in text(section(html))
    assert f'action="/sager/{case.pk}/integreret-behandling/henvisning/"' in html
    # when the caseworker refers
    sent = client.post(
        f"/sager/{case.pk}/integreret-behandling/henvisning/",
        {
            "region-version": version(case),
            "region-referred_on": "10.11.2026",
            "region-region": REGION,
            "region-note": "",
        },
    )
    assert sent.status_code == 302 and sent["Location"].endswith("#integreret-behandling")
    html = page(client, case)
    shown = text(section(html))
    assert "Henvist den 10.11.2026" in shown
    assert "Regionens frist for at påbegynde behandlingen 24.11.2026" in shown
    assert "Ikke kommunens frist" in shown
    assert "Modtaget af regionen Ikke endnu" in shown
    assert "Henvist til integreret behandling i regionspsykiatrien (SUL § 82 c)" in text(html)
    # when the date the region received the citizen is sent before the referral: told, kept
    early = client.post(
        f"/sager/{case.pk}/integreret-behandling/modtaget/",
        {"region_modtaget-version": version(case), "region_modtaget-accepted_on": "09.11.2026"},
    )
    assert early.status_code == 422
    assert "ligger før henvisningen (10.11.2026)" in text(early.content.decode())
    # when it is sent right
    done = client.post(
        f"/sager/{case.pk}/integreret-behandling/modtaget/",
        {"region_modtaget-version": version(case), "region_modtaget-accepted_on": "13.11.2026"},
        follow=True,
    )
    shown = text(done.content.decode())
    assert "Regionen modtog borgeren 13.11.2026. 1 behandlingsgaranti er lukket" in shown
    assert "lukket som overdraget til regionen – den er ikke overskredet" in shown
    assert "Overgået til integreret behandling i regionen 13.11.2026" in shown
    assert "gælder fortsat, fordi de også bygger på servicelovens § 101" in shown
    # the open deadlines: the outpatient treatment's only
    frister = text(done.content.decode().split('id="frister"')[1].split("</table>")[0])
    assert frister.count("Behandlingsgaranti") == 1
    assert "Regionen har modtaget borgeren" in shown  # on the timeline
    assert "Gem henvisningen" not in shown and "Registrér modtagelsen" not in shown


def test_the_section_is_shown_only_where_raised_or_referred(client, caseworker):
    client.force_login(caseworker)
    plain = gentofte_case(caseworker, facts=FACTS["gentofte"])
    assert 'id="integreret-behandling"' not in page(client, plain)
    refer(caseworker, plain)  # no diagnosis needed to refer: the caseworker's judgement
    assert "Henvist den 10.11.2026" in text(section(page(client, plain)))


def test_a_head_of_unit_sees_the_referral_and_has_no_form(client, caseworker):
    case = gentofte_case(caseworker)
    refer(caseworker, case)
    client.force_login(staff("head_of_unit", "gentofte"))
    html = page(client, case)
    assert "Henvist den 10.11.2026" in text(section(html))
    assert "Registrér modtagelsen" not in html and "Gem henvisningen" not in html
    posted = client.post(
        f"/sager/{case.pk}/integreret-behandling/modtaget/",
        {"region_modtaget-version": version(case), "region_modtaget-accepted_on": "13.11.2026"},
    )
    assert posted.status_code == 403
    assert RegionReferral.objects.get(case=case).accepted_on is None


def test_the_case_page_reads_the_referral_with_the_case(client, caseworker):
    client.force_login(caseworker)
    case = gentofte_case(caseworker)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page(client, case)
        return len(ctx.captured_queries)

    without = queries()
    refer(caseworker, case)
    accept(caseworker, case)
    assert queries() == without
