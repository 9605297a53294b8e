"""Group runs written through `group_create` and `group_update`: checked against Helsingør's
standard (anonym_gruppe meets on Mondays; kokain_hashstop meets on its start date's weekday
and has a common stop day in its first 4 weeks), audited, and refused for other roles and
other municipalities' runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from factories import START_KEY_FACTS, staff
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.cases import services as case_services
from rusmiddel.cases.errors import Forbidden, Invalid, NotFound
from rusmiddel.cases.models import Case
from rusmiddel.groups.models import Group
from rusmiddel.groups.services import group_create, group_offers, group_update
from rusmiddel.standards.registry import load

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 3, 15)
EASTER_MONDAY = dt.date(2027, 3, 29)
PROVIDER = "helsingoer_rusmiddelcenter"


def anonymous_group(actor, **overrides) -> Group:
    values = {
        "offer": "anonym_gruppe",
        "provider": PROVIDER,
        "title": "Anonym gruppe forår 2027",
        "starts_on": MONDAY,
        "seats": 10,
    }
    return group_create(actor=actor, **{**values, **overrides})


def test_the_group_offers_are_the_ones_delivered_in_groups_with_a_calendar(tenants):
    offers = group_offers(load("helsingoer", MONDAY).standard)
    assert [o.id for o in offers] == ["anonym_gruppe", "kokain_hashstop"]  # not en_bedre_hverdag
    assert group_offers(load("gentofte", MONDAY).standard) == []


def test_an_administrator_creates_a_run_and_it_is_audited(tenants):
    # given the administrator of Helsingør
    admin = staff("administrator", "helsingoer")
    # when a run of the anonymous group is created
    group = anonymous_group(admin)
    # then it is stored in Helsingør with one write in the log
    group.refresh_from_db()
    assert group.municipality == tenants["helsingoer"] and group.provider.slug == PROVIDER
    assert (group.offer, group.starts_on, group.stop_day, group.seats) == (
        "anonym_gruppe",
        MONDAY,
        None,
        10,
    )
    entry = AuditEntry.objects.get(event=Event.GROUP_CREATED)
    assert entry.write and entry.actor == admin.username and entry.role == "administrator"
    assert entry.municipality_id == tenants["helsingoer"].pk
    assert (entry.object_type, entry.object_id) == ("Group", group.pk)
    assert entry.new == {
        "title": "Anonym gruppe forår 2027",
        "offer": "anonym_gruppe",
        "provider": PROVIDER,
        "starts_on": "2027-03-15",
        "stop_day": None,
        "seats": 10,
    }


def test_a_head_of_unit_creates_a_stop_day_run(tenants):
    head = staff("head_of_unit", "helsingoer")
    wednesday = dt.date(2027, 1, 6)
    group = anonymous_group(
        head,
        offer="kokain_hashstop",
        title="Kokain- og hashstop januar",
        starts_on=wednesday,
        stop_day=dt.date(2027, 1, 20),
    )
    assert group.stop_day == dt.date(2027, 1, 20)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "Skriv gruppens titel."),
        ({"seats": 0}, "seats", "mindst 1 plads"),
        ({"offer": "individuelle_samtaler"}, "offer", "Vælg et af standardens gruppetilbud"),
        ({"offer": "en_bedre_hverdag"}, "offer", "Vælg et af standardens gruppetilbud"),
        ({"offer": "findes_ikke"}, "offer", "Vælg et af standardens gruppetilbud"),
        ({"provider": "privat_doegnbehandling"}, "provider", "Vælg en leverandør af tilbuddet"),
        ({"provider": "kabs"}, "provider", "Vælg en leverandør af tilbuddet"),  # Gentofte's
        ({"starts_on": dt.date(2027, 3, 16)}, "starts_on", "mødes om mandagen"),
        ({"starts_on": EASTER_MONDAY}, "starts_on", "den første mødedag fra 29.03.2027 er"),
        ({"stop_day": dt.date(2027, 3, 22)}, "stop_day", "har ingen fælles stopdag"),
        (
            {"offer": "kokain_hashstop", "starts_on": dt.date(2027, 1, 6)},
            "stop_day",
            "Skriv den fælles stopdag",
        ),
        (
            {
                "offer": "kokain_hashstop",
                "starts_on": dt.date(2027, 1, 6),
                "stop_day": dt.date(2027, 2, 3),  # the fifth week
            },
            "stop_day",
            "første 4 uger (06.01.2027 – 02.02.2027)",
        ),
        ({"starts_on": dt.date(1990, 1, 1)}, "starts_on", "ingen kvalitetsstandard"),
    ],
)
def test_a_run_the_standard_does_not_allow_names_the_field_and_writes_nothing(
    tenants, overrides, field, message
):
    admin = staff("administrator", "helsingoer")
    with pytest.raises(Invalid) as caught:
        anonymous_group(admin, **overrides)
    assert caught.value.field == field
    assert message in caught.value.message
    assert Group.objects.count() == 0
    assert not AuditEntry.objects.filter(write=True, event=Event.GROUP_CREATED).exists()


@pytest.mark.parametrize("role", ["caseworker", "therapist", "substance_consultant"])
def test_other_roles_may_not_create_or_change_runs(tenants, role):
    group = anonymous_group(staff("administrator", "helsingoer"))
    user = staff(role, "helsingoer")
    with pytest.raises(Forbidden):
        anonymous_group(user)
    with pytest.raises(Forbidden):
        group_update(actor=user, group_id=group.pk, title="X", starts_on=MONDAY, seats=3)
    assert Group.objects.count() == 1


def test_an_update_changes_title_dates_and_seats_and_logs_old_and_new(tenants):
    admin = staff("administrator", "helsingoer")
    group = anonymous_group(admin)
    later = dt.date(2027, 4, 5)
    group_update(
        actor=admin, group_id=group.pk, title="Anonym gruppe april", starts_on=later, seats=6
    )
    group.refresh_from_db()
    assert (group.title, group.starts_on, group.seats) == ("Anonym gruppe april", later, 6)
    entry = AuditEntry.objects.get(event=Event.GROUP_CHANGED)
    assert entry.write and entry.object_id == group.pk
    assert entry.old == {
        "title": "Anonym gruppe forår 2027",
        "starts_on": "2027-03-15",
        "seats": 10,
    }
    assert entry.new == {"title": "Anonym gruppe april", "starts_on": "2027-04-05", "seats": 6}


def test_another_municipalitys_run_is_not_found(tenants):
    group = anonymous_group(staff("administrator", "helsingoer"))
    gentofte = staff("administrator", "gentofte")
    with pytest.raises(NotFound):
        group_update(actor=gentofte, group_id=group.pk, title="X", starts_on=MONDAY, seats=3)
    group.refresh_from_db()
    assert group.title == "Anonym gruppe forår 2027"


def _enrol_two(group: Group) -> None:
    therapist = staff("therapist", "helsingoer")
    today = timezone.localdate()
    for n in range(2):
        case = case_services.case_create(
            actor=therapist,
            received_on=today,
            channel="walk_in",
            anonymous=True,
            pseudonym=f"Kim{n}",
        )
        course = case_services.course_start(
            actor=therapist,
            case_id=case.pk,
            version=case.version,
            started_on=today,
            offer="anonym_gruppe",
            **START_KEY_FACTS,
        )
        case_services.group_enrol(
            actor=therapist,
            course_id=course.pk,
            version=Case.objects.get(pk=case.pk).version,
            group_id=group.pk,
            enrolled_on=MONDAY,
        )


def test_seats_never_go_below_the_enrolled_and_dates_stay_once_enrolled(tenants):
    admin = staff("administrator", "helsingoer")
    group = anonymous_group(admin)
    _enrol_two(group)
    with pytest.raises(Invalid) as caught:
        group_update(actor=admin, group_id=group.pk, title=group.title, starts_on=MONDAY, seats=1)
    assert caught.value.field == "seats" and "allerede 2 tilmeldt" in caught.value.message
    with pytest.raises(Invalid) as caught:
        group_update(
            actor=admin,
            group_id=group.pk,
            title=group.title,
            starts_on=dt.date(2027, 4, 5),
            seats=10,
        )
    assert caught.value.field == "starts_on"
    # two seats for two enrolled is fine, and nothing changed before
    group_update(actor=admin, group_id=group.pk, title=group.title, starts_on=MONDAY, seats=2)
    group.refresh_from_db()
    assert group.seats == 2
    assert AuditEntry.objects.filter(event=Event.GROUP_CHANGED).count() == 1
