"""Builders for staff users and API clients (factory_boy)."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from rusmiddel.accounts.models import Municipality, Provider, StaffProfile

PASSWORD = "test-password-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy's signature
        if create:
            obj.save()


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(slug="gentofte"))
    role = "caseworker"
    provider = None


def staff(role: str, municipality: str = "gentofte", provider: str | None = None):
    """A user with one role in one municipality (provider staff at `provider`)."""
    profile = StaffFactory(
        role=role,
        municipality=Municipality.objects.get(slug=municipality),
        provider=Provider.objects.get(slug=provider) if provider else None,
        user__username=f"{role}_{municipality}_{provider or 'x'}_{StaffProfile.objects.count()}",
    )
    return profile.user


#: Key facts at a course's start (use in the last 30 days, housing, occupation): required on
#: treatment for the citizen's own use. Pass them to `course_start` (`**START_KEY_FACTS`).
START_KEY_FACTS = {"use_frequency": "daily", "housing": "rented", "occupation": "unemployed"}
#: …and at its end or a reached follow-up.
END_KEY_FACTS = {"use_frequency": "weekly_or_less", "housing": "rented", "occupation": "employed"}


def granted_course(actor, *, on, offer: str, cpr: str = "0702921234", received_on=None):
    """A named case with an empty assessment, a granted decision on `offer` (an override
    reason stands in for the facts) and its course started on `on`: (case, course)."""
    from rusmiddel.cases import services

    case = services.case_create(
        actor=actor,
        received_on=received_on or on,
        channel="walk_in",
        citizen_cpr=cpr,
        citizen_name="Mette Jensen",
    )
    services.assessment_record(actor=actor, case_id=case.pk, version=1, facts={}, on=on)
    decision = services.decision_record(
        actor=actor,
        case_id=case.pk,
        version=2,
        offer=offer,
        outcome="granted",
        decided_on=on,
        override_reason="Udredes i forløbet",
    )
    course = services.course_start(
        actor=actor,
        case_id=case.pk,
        version=3,
        started_on=on,
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )
    return case, course


def treated_course(
    actor, *, cpr: str, offer: str, facts: dict, contact_on, start_on, frequency="days_2_3"
):
    """A named case contacted on `contact_on` (by a professional, by phone), assessed on
    `facts`, granted `offer` and started on `start_on` with key facts at the start (the use
    in the last 30 days `frequency`, a rented home, employed): (case, course)."""
    from rusmiddel.cases import services
    from rusmiddel.cases.models import Case

    def version() -> int:
        return Case.objects.values_list("version", flat=True).get(pk=case.pk)

    case = services.case_create(
        actor=actor,
        received_on=contact_on,
        channel="phone",
        contact_by="professional",
        citizen_cpr=cpr,
        citizen_name="Test Person",
    )
    services.assessment_record(
        actor=actor, case_id=case.pk, version=version(), facts=facts, on=contact_on
    )
    decision = services.decision_record(
        actor=actor,
        case_id=case.pk,
        version=version(),
        offer=offer,
        outcome="granted",
        decided_on=contact_on,
        override_reason="Udredes i forløbet",
    )
    course = services.course_start(
        actor=actor,
        case_id=case.pk,
        version=version(),
        started_on=start_on,
        decision_id=decision.pk,
        use_frequency=frequency,
        housing="rented",
        occupation="employed",
    )
    return case, course


def granted_waiting(
    actor, *, cpr: str, offer: str, contact_on, decided_on=None, provider=None, facts=None
):
    """A named case contacted on `contact_on` (asking for `offer`, which starts the treatment
    guarantee where the standard covers it), assessed (rented home, employed, unless `facts`)
    and granted `offer` at `provider`, not started: on the waitlist. (case, decision)"""
    from rusmiddel.cases import services

    case = services.case_create(
        actor=actor,
        received_on=contact_on,
        channel="phone",
        citizen_cpr=cpr,
        citizen_name=f"Venter {cpr}",
        requested_offer=offer,
        provider=provider,
    )
    services.assessment_record(
        actor=actor,
        case_id=case.pk,
        version=1,
        facts=facts or {"social": {"housing": "rented", "occupation": "employed"}},
        on=contact_on,
    )
    decision = services.decision_record(
        actor=actor,
        case_id=case.pk,
        version=2,
        offer=offer,
        outcome="granted",
        decided_on=decided_on or contact_on,
        provider=provider,
        override_reason="Udredes i forløbet",
    )
    return case, decision
