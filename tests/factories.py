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
        actor=actor, case_id=case.pk, version=3, started_on=on, decision_id=decision.pk
    )
    return case, course
