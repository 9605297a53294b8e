"""Synthetic demo data for `rusmiddel demo`: staff in every role in both municipalities and
cases in every state, written only through the services in `rusmiddel.cases.services`, so
that every case has its audit entries and its deadlines exactly as real use would leave them.

Everything is made up and deterministic: names and addresses come from Faker('da_DK') with a
fixed seed, CPR numbers are generated (a real birth date, a matching century digit and a
modulus 11 check digit), and every date is relative to `today`. Running `demo_fill` again does
nothing once the demo users exist.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from faker import Faker

from rusmiddel.accounts.models import Municipality, Provider, Role, StaffProfile
from rusmiddel.accounts.services import staff_create, tenants_sync
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import services as sv
from rusmiddel.cases.models import (
    Case,
    CaseStatus,
    Complaint,
    Course,
    Deadline,
    Decision,
    FollowUp,
    SelfPaymentAssessment,
    Session,
)
from rusmiddel.cases.services.courses import measured
from rusmiddel.groups.models import Enrolment, Group
from rusmiddel.letters.services import letters_rendered_later
from rusmiddel.outcomes.key_facts import key_facts_defaults
from rusmiddel.outcomes.models import KeyFacts
from rusmiddel.rules import is_closed, is_working_day
from rusmiddel.standards import registry

DEMO_PASSWORD = "rusmiddel-demo"
#: The TDI use frequencies, most use first (outcomes.models.UseFrequency).
USE_LEVELS = ["daily", "days_4_6", "days_2_3", "weekly_or_less", "not_used"]
SEED = 4101  # any fixed number: the same `today` always gives the same demo
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
MUNICIPALITIES = ("gentofte", "helsingoer")

#: The Danish word for each role, used in the demo usernames (`gentofte-sagsbehandler`).
ROLE_WORDS: dict[str, str] = {
    Role.CASEWORKER: "sagsbehandler",
    Role.THERAPIST: "behandler",
    Role.SUBSTANCE_CONSULTANT: "rusmiddelkonsulent",
    Role.HEAD_OF_UNIT: "leder",
    Role.ADMINISTRATOR: "administrator",
    Role.PROVIDER_STAFF: "leverandoer",
}
#: Where each municipality's demo provider staff work.
STAFF_PROVIDER = {"gentofte": "kabs", "helsingoer": "privat_doegnbehandling"}

POSTCODES = {
    "gentofte": ["2820 Gentofte", "2900 Hellerup", "2920 Charlottenlund", "2930 Klampenborg"],
    "helsingoer": ["3000 Helsingør", "3070 Snekkersten", "3100 Hornbæk", "3140 Ålsgårde"],
}
MAIL_HOSTS = ["gmail.com", "hotmail.com", "outlook.dk", "mail.dk", "live.dk"]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    municipality: str
    provider: str | None
    full_name: str


def demo_users() -> list[DemoUser]:
    """Every demo user: one per role in each municipality, with a made-up name."""
    fake = Faker("da_DK")
    fake.seed_instance(SEED + 1)
    users = []
    for slug in MUNICIPALITIES:
        for role in Role.values:
            name = f"{fake.first_name()} {fake.last_name()}"
            users.append(
                DemoUser(
                    username=f"{slug}-{ROLE_WORDS[role]}",
                    role=role,
                    municipality=slug,
                    provider=STAFF_PROVIDER[slug] if role == Role.PROVIDER_STAFF else None,
                    full_name=name,
                )
            )
    return users


#: progress(cases made, cases in all) while one municipality's demo cases are made.
Progress = Callable[[int, int], None]


def demo_fill(
    *,
    today: dt.date,
    letters_later: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Load the standards as tenants, then create the demo users and cases unless the demo
    users exist already. Returns what the database holds for the demo afterwards, with
    `created` telling whether this call wrote it. `letters_later`: the letters are stored
    without their PDFs (`letters.services.letters_rendered_later`), for
    `letters_render_pending` to render once the demo answers. `progress(slug, done, total)`
    is called after each case of a municipality."""
    tenants_sync(on=today)
    users = demo_users()
    exists = get_user_model().objects.filter(username__in=[u.username for u in users]).exists()
    if not exists:
        later = letters_rendered_later() if letters_later else contextlib.nullcontext()
        with transaction.atomic(), later:
            staff = _users_create(users)
            fake = Faker("da_DK")
            fake.seed_instance(SEED)
            rng = random.Random(SEED)
            people = _People(fake, rng, today)
            for slug, scenarios in (("gentofte", _gentofte), ("helsingoer", _helsingoer)):
                each = functools.partial(progress, slug) if progress else None
                scenarios(_Writer(slug, staff[slug], today, people, rng, each))
            from rusmiddel.capacity.demo import capacity_demo_fill  # places and start slots

            capacity_demo_fill(today=today)
    return {"created": not exists, **demo_counts()}


def demo_counts() -> dict[str, Any]:
    """What the demo municipalities hold: users, cases per state and the rest."""
    municipalities = Municipality.objects.filter(slug__in=MUNICIPALITIES)
    cases = Case.objects.filter(municipality__in=municipalities)
    by_status: dict[str, dict[str, int]] = {
        slug: dict.fromkeys(CaseStatus.values, 0) for slug in MUNICIPALITIES
    }
    for row in cases.values("municipality__slug", "status").annotate(n=Count("id")):
        by_status[row["municipality__slug"]][row["status"]] = row["n"]
    courses = Course.objects.filter(case__in=cases)
    follow_ups = FollowUp.objects.filter(course__in=courses)
    return {
        "users": StaffProfile.objects.filter(municipality__in=municipalities).count(),
        "cases": cases.count(),
        "by_status": by_status,
        "anonymous": cases.filter(anonymous=True).count(),
        "relatives": cases.filter(person_role="relative").count(),
        "decisions": Decision.objects.filter(case__in=cases).count(),
        "complaints": Complaint.objects.filter(case__in=cases).count(),
        "courses": courses.count(),
        "sessions": Session.objects.filter(course__in=courses).count(),
        "groups": Group.objects.filter(municipality__in=municipalities).count(),
        "enrolments": Enrolment.objects.filter(course__in=courses).count(),
        "self_payments": SelfPaymentAssessment.objects.filter(course__in=courses).count(),
        "follow_ups_open": follow_ups.filter(done_on__isnull=True).count(),
        "follow_ups_done": follow_ups.filter(done_on__isnull=False).count(),
        "deadlines_open": Deadline.objects.filter(case__in=cases, met_on__isnull=True).count(),
        "audit_entries": AuditEntry.objects.filter(case_id__in=cases.values("id")).count(),
    }


def _users_create(users: list[DemoUser]) -> dict[str, dict[str, Any]]:
    staff: dict[str, dict[str, Any]] = {slug: {} for slug in MUNICIPALITIES}
    municipalities = {m.slug: m for m in Municipality.objects.filter(slug__in=MUNICIPALITIES)}
    for u in users:
        staff[u.municipality][u.role] = staff_create(
            username=u.username,
            password=None,  # set below
            municipality=municipalities[u.municipality],
            role=u.role,
            provider=Provider.objects.get(slug=u.provider) if u.provider else None,
            full_name=u.full_name,
        )
    # one published password for all: hashed once, not once per user (PBKDF2 takes a quarter
    # of a second on a small machine, three seconds for the twelve on the demo's first start)
    hashed = make_password(DEMO_PASSWORD)
    get_user_model().objects.filter(username__in=[u.username for u in users]).update(
        password=hashed
    )
    return staff


# --- made-up people ---------------------------------------------------------------------------


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _ascii(text: str) -> str:
    for danish, plain in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e"), ("ü", "u")):
        text = text.replace(danish, plain)
    return "".join(c for c in text if c.isalnum() or c == ".")


CPR_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def cpr_number(born: dt.date, rng: random.Random, taken: set[str] | None = None) -> str:
    """A made-up CPR number for `born`: DDMMYY, a century digit that gives back the birth
    year, two free digits and a check digit that passes modulus 11."""
    yy = born.year % 100
    if 1900 <= born.year <= 1999:
        century = "0123" + ("49" if yy >= 37 else "")
    elif 2000 <= born.year <= 2036:
        century = "495678"
    elif 2037 <= born.year <= 2057:
        century = "5678"
    else:
        raise ValueError(f"born: no CPR century digit for {born.year}")
    taken = taken if taken is not None else set()
    while True:
        first = f"{born:%d%m%y}{rng.choice(century)}{rng.randint(0, 99):02d}"
        check = -sum(w * int(c) for w, c in zip(CPR_WEIGHTS[:9], first, strict=True)) % 11
        if check == 10:
            continue  # no check digit makes this one pass
        number = f"{first}{check}"
        if number not in taken:
            taken.add(number)
            return number


class _People:
    """Citizens with a CPR number for a given age, a Danish name of the CPR number's sex
    (odd last digit: male), and an address in the municipality."""

    def __init__(self, fake: Faker, rng: random.Random, today: dt.date) -> None:
        self.fake, self.rng, self.today = fake, rng, today
        self.taken: set[str] = set()

    def citizen(self, age: int, slug: str, female: bool | None = None) -> dict[str, str]:
        born = _years_before(self.today, age) - dt.timedelta(days=self.rng.randint(1, 360))
        cpr = cpr_number(born, self.rng, self.taken)
        while female is not None and (int(cpr[-1]) % 2 == 0) != female:  # e.g. pregnant
            self.taken.discard(cpr)
            cpr = cpr_number(born, self.rng, self.taken)
        number, checked = sv.cpr_validate(cpr)  # the service's own check
        assert checked == born, (cpr, checked, born)
        male = int(number[-1]) % 2 == 1
        first = self.fake.first_name_male() if male else self.fake.first_name_female()
        last = self.fake.last_name()
        email = ""
        if self.rng.random() < 0.6:
            email = f"{_ascii(first.lower())}.{_ascii(last.lower())}{born:%y}"
            email += f"@{self.rng.choice(MAIL_HOSTS)}"
        return {
            "citizen_cpr": number,
            "citizen_name": f"{first} {last}",
            "citizen_phone": self.fake.phone_number(),
            "citizen_email": email,
            "citizen_address": f"{self.fake.street_address()}, {self.rng.choice(POSTCODES[slug])}",
        }


# --- assessment facts (rusmiddel/rules/assessment.schema.json) -------------------------------

BASE_FACTS: dict[str, Any] = {
    "person": {"role": "user", "pregnant": False, "expecting_father": False, "children_at_home": 0},
    "use": {
        "level": "problematic",
        "harms_daily_life": True,
        "harms_education_work_or_family": True,
        "withdrawal_risk": "none",
        "realistic_12_week_stop": True,
        "substance_free": False,
    },
    "history": {
        "previous_offers": [],
        "ever_in_contact_with_treatment_system": False,
        "completed_course": False,
        "in_medical_treatment": False,
        "has_fixed_therapist": False,
    },
    "social": {
        "self_supporting": True,
        "housing": "rented",
        "occupation": "employed",
        "social_problems": "none",
        "chaotic_life": False,
        "can_stay_at_home_during_treatment": True,
    },
    "health": {"psychiatric_disorder": "none"},
    "wishes": {
        "anonymous": False,
        "requests_substitution": False,
        "medication_to_be_prescribed": False,
        "wants_substance_free_life": True,
        "goal": "abstinence",
    },
}


def facts(*substances: str, **sections: dict[str, Any]) -> dict[str, Any]:
    """The base facts of a working adult with a problematic use of `substances` (the first
    is the primary one), with `sections` merged in."""
    result = copy.deepcopy(BASE_FACTS)
    result["use"]["substances"] = [
        {"substance": s, "primary": True} if i == 0 else {"substance": s}
        for i, s in enumerate(substances)
    ]
    for section, values in sections.items():
        result[section] = {**result.get(section, {}), **values}
    return result


def relative_facts() -> dict[str, Any]:
    return {"person": {"role": "relative", "children_at_home": 0}, "wishes": {"anonymous": False}}


# --- writing through the services -------------------------------------------------------------


class _Writer:
    """One municipality's demo cases, each step a service call at the case's current version."""

    def __init__(
        self,
        slug: str,
        staff: dict[str, Any],
        today: dt.date,
        people: _People,
        rng: random.Random,
        progress: Progress | None = None,
    ) -> None:
        self.slug, self.staff, self.today, self.people, self.rng = slug, staff, today, people, rng
        self.municipality = Municipality.objects.get(slug=slug)
        self.progress = progress

    # dates
    def d(self, days: int) -> dt.date:
        return self.today + dt.timedelta(days=days)

    @staticmethod
    def workday(day: dt.date) -> dt.date:
        while not is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    @staticmethod
    def version(case: Case) -> int:
        return Case.objects.values_list("version", flat=True).get(pk=case.pk)

    # contact and assessment
    def open(
        self,
        actor: Any,
        days: int,
        channel: str,
        *,
        age: int | None = None,
        pseudonym: str = "",
        female: bool | None = None,
        **fields: Any,
    ) -> Case:
        person = {} if pseudonym else self.people.citizen(age or 30, self.slug, female)
        return sv.case_create(
            actor=actor,
            received_on=self.d(days),
            channel=channel,
            anonymous=bool(pseudonym),
            pseudonym=pseudonym,
            **person,
            **fields,
        )

    def contact(self, case: Case, actor: Any, days: int, channel: str, **fields: Any) -> None:
        sv.contact_record(
            actor=actor,
            case_id=case.pk,
            version=self.version(case),
            received_on=self.d(days),
            channel=channel,
            **fields,
        )

    def assess(self, case: Case, actor: Any, days: int, case_facts: dict[str, Any]) -> None:
        sv.assessment_record(
            actor=actor,
            case_id=case.pk,
            version=self.version(case),
            facts=case_facts,
            on=self.d(days),
        )

    # decisions and complaints
    def decide(
        self, case: Case, actor: Any, days: int, offer: str, outcome: str = "granted", **kw: Any
    ) -> Decision:
        return sv.decision_record(
            actor=actor,
            case_id=case.pk,
            version=self.version(case),
            offer=offer,
            outcome=outcome,
            decided_on=self.d(days),
            **kw,
        )

    def complain(
        self, case: Case, actor: Any, decision: Decision, days: int, text: str
    ) -> Complaint:
        return sv.complaint_receive(
            actor=actor,
            case_id=case.pk,
            version=self.version(case),
            decision_id=decision.pk,
            received_on=self.d(days),
            text=text,
        )

    def reassess(
        self, case: Case, actor: Any, complaint: Complaint, days: int, upheld: bool, text: str
    ) -> None:
        sv.complaint_reassess(
            actor=actor,
            complaint_id=complaint.pk,
            version=self.version(case),
            reassessed_on=self.d(days),
            upheld=upheld,
            text=text,
        )

    # key facts (use in the last 30 days, housing, occupation): realistic, from the seeded rng
    def start_facts(self, case: Case, offer_id: str, days: int) -> dict[str, str]:
        """At the start of treatment for the citizen's own use: the use (mostly daily or
        most days), housing and occupation where the assessment does not say them."""
        offer = registry.load(self.slug, self.d(days)).standard.offer(offer_id)
        if not measured(offer):
            return {}
        latest = case.assessments.order_by("-version").first()
        known = key_facts_defaults(latest.facts if latest else None)
        facts = {"use_frequency": self.rng.choices(USE_LEVELS[:4], weights=[5, 3, 2, 1])[0]}
        if "housing" not in known:
            facts["housing"] = self.rng.choices(
                ["rented", "own", "temporary", "shelter"], weights=[6, 2, 1, 1]
            )[0]
        if "occupation" not in known:
            facts["occupation"] = self.rng.choices(
                ["employed", "unemployed", "sick_leave", "student"], weights=[4, 3, 2, 1]
            )[0]
        return facts

    def later_facts(self, course: Course, outcome: str) -> dict[str, str]:
        """The key facts after the start, moved along by the outcome: free of the substance
        means not used; reduced or referred a step or two less; stabilised at most one;
        otherwise as at the start. A good outcome sometimes brings work or a home with it.
        None ({}) for a course that recorded none at the start or a citizen who moved or died."""
        before = KeyFacts.objects.filter(course=course).order_by("-recorded_on", "-pk").first()
        if before is None or outcome in ("moved", "deceased"):
            return {}
        level = USE_LEVELS.index(before.use_frequency)
        steps = {"reduced": self.rng.choice([1, 2]), "referred": 1, "stabilised": 1}
        if outcome == "substance_free":
            level = len(USE_LEVELS) - 1
        else:
            level = min(len(USE_LEVELS) - 2, level + steps.get(outcome, 0))
        good = outcome in ("substance_free", "reduced", "stabilised", "referred")
        occupation, housing = before.occupation, before.housing
        if good and occupation in ("unemployed", "sick_leave") and self.rng.random() < 0.35:
            occupation = "employed"
        if good and housing in ("temporary", "shelter") and self.rng.random() < 0.4:
            housing = "rented"
        return {"use_frequency": USE_LEVELS[level], "housing": housing, "occupation": occupation}

    # courses
    def start(
        self, case: Case, actor: Any, days: int, decision: Decision | None = None, **kw: Any
    ) -> Course:
        offer = decision.offer if decision else kw.get("offer", "")
        return sv.course_start(
            actor=actor,
            case_id=case.pk,
            version=self.version(case),
            started_on=self.d(days),
            decision_id=decision.pk if decision else None,
            **{**self.start_facts(case, offer, days), **kw},
        )

    def plan(self, case: Case, course: Course, actor: Any, days: int, goal: str, text: str) -> None:
        sv.plan_record(
            actor=actor,
            course_id=course.pk,
            version=self.version(case),
            goal=goal,
            goals_text=text,
            agreed_on=self.d(days),
        )

    def sessions(
        self,
        case: Case,
        course: Course,
        actor: Any,
        *,
        first: int,
        last: int = -1,
        every: int = 7,
        upcoming: int = 2,
        keep: int = 6,
        no_shows: int = 0,
        hour: int = 10,
    ) -> None:
        """Sessions every `every` days from day `first` to day `last` (at most the latest
        `keep`), booked and then given an attendance — the last `no_shows` of them as no-shows,
        the others mostly attended — and `upcoming` booked after today."""
        days: list[dt.date] = []
        day = self.d(first)
        while (day := self.workday(day)) <= self.d(last):
            days.append(day)
            day += dt.timedelta(days=every)
        days = days[-keep:]
        for i, day in enumerate(days):
            if i >= len(days) - no_shows:
                attendance = "no_show"
            else:
                roll = self.rng.random()
                attendance = (
                    "attended" if roll < 0.82 else "no_show" if roll < 0.94 else "cancelled"
                )
            session = self._book(case, course, actor, day, hour)
            sv.attendance_record(
                actor=actor,
                session_id=session.pk,
                version=self.version(case),
                attendance=attendance,
                note="Aflyst af borgeren (sygdom)." if attendance == "cancelled" else "",
            )
        day = self.d(1)
        for _ in range(upcoming):
            day = self.workday(day)
            self._book(case, course, actor, day, hour)
            day += dt.timedelta(days=every)

    def _book(self, case: Case, course: Course, actor: Any, day: dt.date, hour: int) -> Session:
        starts = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=COPENHAGEN)
        return sv.session_record(
            actor=actor,
            course_id=course.pk,
            version=self.version(case),
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
        )

    def group(
        self, offer: str, title: str, starts: dt.date, seats: int, stop_day: dt.date | None = None
    ) -> Group:
        """A group run (an administrator's setup, not a case step: no service writes it)."""
        provider = Provider.objects.get(slug="helsingoer_rusmiddelcenter")
        return Group.objects.create(
            municipality=self.municipality,
            provider=provider,
            offer=offer,
            title=title,
            starts_on=starts,
            stop_day=stop_day,
            seats=seats,
        )

    def enrol(self, case: Case, course: Course, actor: Any, group: Group, days: int) -> None:
        """Enrol in the group, then give the group meetings before today an attendance."""
        sv.group_enrol(
            actor=actor,
            course_id=course.pk,
            version=self.version(case),
            group_id=group.pk,
            enrolled_on=self.d(days),
        )
        midnight = dt.datetime.combine(self.today, dt.time(0, 0), tzinfo=COPENHAGEN)
        past = course.sessions.filter(group=group, starts_at__lt=midnight).order_by("starts_at")
        for session in past:
            sv.attendance_record(
                actor=actor,
                session_id=session.pk,
                version=self.version(case),
                attendance="attended" if self.rng.random() < 0.85 else "no_show",
            )

    def status(self, case: Case, course: Course, actor: Any, days: int, text: str) -> None:
        sv.status_report_record(
            actor=actor,
            course_id=course.pk,
            version=self.version(case),
            text=text,
            submitted_on=self.d(days),
        )

    def self_payment(
        self, case: Case, course: Course, actor: Any, days: int, keeps_rent: bool, income: int
    ) -> None:
        sv.self_payment_record(
            actor=actor,
            course_id=course.pk,
            version=self.version(case),
            days=days,
            keeps_rent=keeps_rent,
            monthly_income_dkk=Decimal(income),
        )

    def end(
        self,
        case: Case,
        course: Course,
        actor: Any,
        days: int,
        reason: str,
        outcome: str,
        text: str,
    ) -> list[FollowUp]:
        facts = {} if reason in ("moved", "deceased") else self.later_facts(course, outcome)
        return sv.course_end(
            actor=actor,
            course_id=course.pk,
            version=self.version(case),
            ended_on=self.d(days),
            reason=reason,
            outcome=outcome,
            final_report=text,
            **facts,
        )

    def follow_up(
        self,
        case: Case,
        follow_up: FollowUp,
        actor: Any,
        days: int,
        channel: str,
        outcome: str = "",
        note: str = "",
    ) -> None:
        sv.follow_up_record(
            actor=actor,
            follow_up_id=follow_up.pk,
            version=self.version(case),
            done_on=self.d(days),
            channel=channel,
            reached=bool(outcome),
            outcome=outcome,
            note=note,
            **(self.later_facts(follow_up.course, outcome) if outcome else {}),
        )

    def change_offer(
        self, case: Case, course: Course, actor: Any, decision: Decision, days: int
    ) -> Course:
        return sv.offer_change(
            actor=actor,
            course_id=course.pk,
            version=self.version(case),
            decision_id=decision.pk,
            changed_on=self.d(days),
        )

    # the usual shape of a course: start, plan, sessions
    def course(
        self,
        case: Case,
        actor: Any,
        start: int,
        decision: Decision | None = None,
        *,
        goal: str = "abstinence",
        goals: str = "",
        last: int = -1,
        every: int = 7,
        upcoming: int = 2,
        no_shows: int = 0,
        hour: int = 10,
        **kw: Any,
    ) -> Course:
        course = self.start(case, actor, start, decision, **kw)
        if goals:
            self.plan(case, course, actor, start, goal, goals)
        self.sessions(
            case,
            course,
            actor,
            first=start + 1,
            last=last,
            every=every,
            upcoming=upcoming,
            no_shows=no_shows,
            hour=hour,
        )
        return course


ROLES_AT_WORK = (Role.CASEWORKER, Role.THERAPIST, Role.SUBSTANCE_CONSULTANT, Role.PROVIDER_STAFF)


class _Scenarios:
    """`@scenario(-17)` registers one case's story under the day of its first contact;
    `run()` plays them in date order, so that case numbers follow the dates."""

    def __init__(self) -> None:
        self.stories: list[tuple[int, Callable[[], None]]] = []

    def __call__(self, days: int) -> Callable[[Callable[[], None]], Callable[[], None]]:
        def register(story: Callable[[], None]) -> Callable[[], None]:
            self.stories.append((days, story))
            return story

        return register

    def run(self, progress: Progress | None = None) -> None:
        stories = sorted(self.stories, key=lambda s: s[0])
        for n, (_, story) in enumerate(stories, start=1):
            story()
            if progress:
                progress(n, len(stories))


# --- Gentofte: the authority decides, KABS and private providers treat ------------------------


def _gentofte(w: _Writer) -> None:
    cw, th, sc, ps = (w.staff[r] for r in ROLES_AT_WORK)
    made: dict[str, Case] = {}
    scenario = _Scenarios()

    # contacts: guarantee overdue, due within three days, fresh
    @scenario(-17)
    def _():
        w.open(
            cw,
            -17,
            "digital_post",
            age=34,
            requested_offer="ambulant",
            note="Ønsker hjælp til at stoppe med kokain. Skriver via Digital Post.",
        )

    @scenario(-15)
    def _():
        w.open(
            cw,
            -15,
            "phone",
            age=41,
            requested_offer="ambulant",
            note="Ringer selv; ryger hash dagligt og er sygemeldt.",
        )

    @scenario(-12)
    def _():
        w.open(cw, -12, "self_service", age=27, note="Ansøgning via selvbetjening.")

    @scenario(-11)
    def _():
        # provider staff open no named case for someone new (see accounts.permissions): KABS
        # tells the municipality, which records the walk-in on its day
        w.open(
            cw,
            -11,
            "walk_in",
            age=23,
            requested_offer="ambulant",
            provider="kabs",
            note="Mødt op hos KABS uden aftale; ønsker behandling for kokainforbrug.",
        )

    @scenario(-2)
    def _():
        w.open(
            cw,
            -2,
            "digital_post",
            age=52,
            contact_by="professional",
            requested_offer="laegesamtale",
            note="Henvist af egen læge med borgerens samtykke.",
        )

    @scenario(-1)
    def _():
        w.open(
            cw,
            -1,
            "phone",
            age=19,
            contact_by="relative",
            note="Moren ringer på sønnens vegne; sønnen ønsker selv behandling.",
        )

    @scenario(-6)
    def _():
        case = w.open(
            cw,
            -6,
            "letter",
            age=63,
            wishes_treatment=False,
            note="Beder om information om behandlingsmuligheder.",
        )
        w.contact(
            case,
            cw,
            -1,
            "phone",
            requested_offer="ambulant",
            note="Ringer igen og ønsker nu ambulant behandling.",
        )

    # assessed, awaiting a decision
    @scenario(-9)
    def _():
        case = w.open(cw, -9, "digital_post", age=31, requested_offer="ambulant")
        w.assess(case, cw, -6, facts("cannabis"))

    @scenario(-20)
    def _():
        case = w.open(
            cw,
            -20,
            "digital_post",
            age=45,
            requested_offer="doegnbehandling",
            note="Ønsker døgnbehandling; har tidligere gået i ambulant behandling.",
        )
        w.assess(
            case,
            cw,
            -8,
            facts(
                "alcohol",
                "cocaine",
                use={"level": "dependent"},
                history={
                    "previous_offers": ["ambulant"],
                    "ever_in_contact_with_treatment_system": True,
                },
                social={
                    "social_problems": "extensive",
                    "occupation": "sick_leave",
                    "self_supporting": False,
                },
                professional={
                    "needs_more_than_outpatient": True,
                    "cannot_benefit_from_outpatient_or_day": True,
                    "intensive_effort_can_help": True,
                },
            ),
        )

    @scenario(-5)
    def _():
        case = w.open(cw, -5, "phone", age=38)
        w.assess(
            case,
            cw,
            -3,
            {"use": {"substances": [{"substance": "cannabis"}], "level": "problematic"}},
        )

    @scenario(-7)
    def _():
        case = w.open(cw, -7, "walk_in", age=29, requested_offer="ambulant", provider="kabs")
        w.assess(case, ps, -5, facts("amphetamine", "cannabis", use={"level": "dependent"}))

    # decided: granted, refused, complaints
    @scenario(-12)
    def _():
        case = w.open(cw, -12, "self_service", age=26, requested_offer="ambulant")
        w.assess(case, cw, -8, facts("cocaine", "alcohol"))
        w.decide(case, cw, -3, "ambulant", provider="kabs")

    @scenario(-10)
    def _():
        case = w.open(cw, -10, "digital_post", age=36, requested_offer="ambulant")
        w.assess(
            case, cw, -7, facts("cannabis", person={"children_at_home": 1, "youngest_child_age": 7})
        )
        w.decide(
            case,
            cw,
            -4,
            "ambulant",
            provider="kabs",
            free_choice_requested="Døgnbehandling på et privat behandlingssted",
            free_choice_outcome="refused",
            note="Døgnbehandling er ikke et tilbud af tilsvarende karakter som ambulant "
            "behandling (SEL § 101, stk. 5).",
        )

    @scenario(-9)
    def _():
        case = w.open(cw, -9, "phone", age=58, requested_offer="laegesamtale")
        w.assess(case, cw, -6, facts("benzodiazepines", "alcohol"))
        w.decide(case, cw, -5, "laegesamtale", provider="kabs")

    @scenario(-25)
    def _():
        case = w.open(cw, -25, "digital_post", age=33, requested_offer="dagbehandling")
        w.assess(case, cw, -18, facts("cannabis", social={"social_problems": "some"}))
        w.decide(
            case,
            cw,
            -12,
            "dagbehandling",
            "refused",
            send_channel="post",
            note="Du kan i stedet få ambulant behandling hos KABS.",
        )

    @scenario(-14)
    def _():
        case = w.open(cw, -14, "phone", age=22, requested_offer="ambulant")
        w.assess(
            case,
            cw,
            -10,
            facts("cannabis", use={"level": "experimental", "harms_daily_life": False}),
        )
        w.decide(
            case,
            cw,
            -6,
            "ambulant",
            "refused",
            note="Rusmiddelkonsulenten tilbyder gratis og anonym rådgivning.",
        )

    residential = facts(
        "alcohol",
        "cocaine",
        use={"level": "dependent"},
        history={"previous_offers": ["ambulant"], "ever_in_contact_with_treatment_system": True},
        social={"social_problems": "some", "occupation": "unemployed", "self_supporting": False},
        professional={
            "needs_more_than_outpatient": True,
            "cannot_benefit_from_outpatient_or_day": False,
            "intensive_effort_can_help": True,
        },
    )

    @scenario(-45)
    def _():
        case = w.open(cw, -45, "digital_post", age=47, requested_offer="doegnbehandling")
        w.assess(case, cw, -38, residential)
        refusal = w.decide(case, cw, -30, "doegnbehandling", "refused")
        w.complain(
            case,
            cw,
            refusal,
            -12,
            "Jeg er uenig i afslaget. Jeg har prøvet ambulant behandling to gange uden at "
            "kunne holde op, og jeg har brug for at komme væk hjemmefra.",
        )

    @scenario(-90)
    def _():
        case = w.open(cw, -90, "letter", age=40, requested_offer="doegnbehandling")
        w.assess(case, cw, -80, residential)
        refusal = w.decide(case, cw, -70, "doegnbehandling", "refused", send_channel="post")
        complaint = w.complain(case, cw, refusal, -55, "Klage over afslag på døgnbehandling.")
        w.reassess(
            case,
            cw,
            complaint,
            -35,
            True,
            "Kommunen har genvurderet sagen og fastholder afgørelsen: borgeren vurderes at "
            "kunne profitere af ambulant eller dagbehandling. Klagen sendes til "
            "Ankestyrelsen.",
        )

    # in course at KABS (provider staff), with plans, sessions and status reports
    def ambulant(
        days: int,
        age: int,
        start: int,
        *substances: str,
        goal: str = "abstinence",
        goals: str = "Holde op og få styr på hverdagen igen",
        every: int = 7,
        key: str = "",
        **kw: Any,
    ) -> tuple[Case, Course]:
        case = w.open(
            cw,
            days,
            w.rng.choice(["digital_post", "phone", "self_service"]),
            age=age,
            requested_offer="ambulant",
        )
        w.assess(case, cw, days + 2, facts(*substances, wishes={"goal": goal}))
        decision = w.decide(case, cw, start - 3, "ambulant", provider="kabs")
        course = w.course(case, ps, start, decision, goal=goal, goals=goals, every=every, **kw)
        if key:
            made[key] = case
        return case, course

    @scenario(-40)
    def _():
        ambulant(
            -40, 29, -30, "cocaine", goals="Stoppe med kokain og passe mit arbejde", key="mother_of"
        )

    @scenario(-70)
    def _():
        ambulant(
            -70,
            44,
            -60,
            "cannabis",
            goal="reduction",
            goals="Kun ryge i weekenden og komme op om morgenen",
        )

    @scenario(-140)
    def _():
        case, course = ambulant(-140, 37, -130, "cocaine", "alcohol", every=14)
        w.status(
            case,
            course,
            ps,
            -40,
            "Borgeren er mødt stabilt til samtalerne og har været kokainfri i seks uger. "
            "Fortsat fokus på alkohol i weekenderne.",
        )

    @scenario(-115)
    def _():
        ambulant(
            -115,
            51,
            -105,
            "amphetamine",
            goal="stabilisation",
            goals="Stabilt forbrug og fast bolig",
            every=14,
        )

    @scenario(-50)
    def _():
        ambulant(
            -50, 24, -42, "cannabis", goals="Holde op med hash og starte på uddannelse", no_shows=3
        )

    @scenario(-80)
    def _():
        case = w.open(cw, -80, "phone", age=46, requested_offer="substitution")
        w.assess(
            case,
            cw,
            -78,
            facts(
                "opioids",
                use={"level": "dependent", "withdrawal_risk": "mild"},
                history={"ever_in_contact_with_treatment_system": True},
                social={"occupation": "unemployed", "social_problems": "some"},
                wishes={"requests_substitution": True, "goal": "stabilisation"},
                professional={"substitution_appropriate": True},
            ),
        )
        decision = w.decide(case, cw, -75, "substitution", provider="kabs")
        course = w.course(
            case,
            ps,
            -72,
            decision,
            goal="stabilisation",
            every=14,
            goals="Stabil substitution og ingen sidemisbrug",
        )
        w.status(case, course, ps, -5, "Stabil på metadon; ingen sidemisbrug i urinprøver.")

    @scenario(-35)
    def _():
        case = w.open(cw, -35, "digital_post", age=31, requested_offer="familiebehandling")
        w.assess(
            case,
            cw,
            -32,
            facts("cannabis", person={"children_at_home": 2, "youngest_child_age": 3}),
        )
        decision = w.decide(case, cw, -28, "familiebehandling", provider="kabs")
        w.course(case, ps, -25, decision, goals="Være en nærværende far uden hash")

    day_treatment = facts(
        "cocaine",
        "alcohol",
        use={"level": "dependent"},
        history={"previous_offers": ["ambulant"], "ever_in_contact_with_treatment_system": True},
        social={
            "social_problems": "significant",
            "chaotic_life": True,
            "occupation": "sick_leave",
            "self_supporting": False,
        },
        professional={"needs_more_than_outpatient": True},
    )

    @scenario(-60)
    def _():
        case = w.open(cw, -60, "digital_post", age=39, requested_offer="dagbehandling")
        w.assess(case, cw, -55, day_treatment)
        decision = w.decide(case, cw, -50, "dagbehandling", provider="privat_leverandoer")
        course = w.course(case, th, -45, decision, goals="Struktur på dagen og ingen kokain")
        w.status(case, course, th, -3, "Deltager i dagbehandlingen fire dage om ugen.")

    @scenario(-120)
    def _():  # a change of offer: ambulant → day treatment
        case, course = ambulant(-120, 35, -112, "cocaine", every=14, last=-25)
        w.assess(case, cw, -22, day_treatment)
        decision = w.decide(
            case,
            cw,
            -18,
            "dagbehandling",
            provider="privat_leverandoer",
            note="Den ambulante behandling har ikke været tilstrækkelig.",
        )
        new = w.change_offer(case, course, th, decision, -14)
        w.plan(case, new, th, -14, "abstinence", "Gennemføre dagbehandlingen og holde op")
        w.sessions(case, new, th, first=-13)

    # ended: follow-ups due, overdue, done; dropped out; moved away
    def ended(
        days: int,
        age: int,
        start: int,
        end: int,
        reason: str,
        outcome: str,
        *substances: str,
        no_shows: int = 0,
    ) -> list[Any]:
        case, course = ambulant(
            days, age, start, *substances, every=14, last=end - 1, upcoming=0, no_shows=no_shows
        )
        text = {
            "completed": "Forløbet er gennemført efter planen.",
            "dropped_out": "Borgeren er udeblevet fra de seneste samtaler og har ikke svaret "
            "på henvendelser. Forløbet afsluttes.",
            "moved": "Borgeren er flyttet til en anden kommune; sagen overdrages.",
        }[reason]
        follow_ups = w.end(case, course, ps, end, reason, outcome, text)
        return [case, *follow_ups]

    @scenario(-140)
    def _():
        ended(-140, 33, -130, -20, "completed", "substance_free", "cocaine")

    @scenario(-160)
    def _():
        ended(-160, 42, -150, -45, "completed", "reduced", "cannabis")

    @scenario(-200)
    def _():
        case, one, _six = ended(-200, 28, -190, -75, "completed", "substance_free", "cannabis")
        w.follow_up(case, one, sc, -42, "phone", "substance_free", "Fortsat hashfri; i job.")

    @scenario(-400)
    def _():
        case, one, six = ended(-400, 55, -390, -230, "completed", "stabilised", "amphetamine")
        w.follow_up(case, one, sc, -198, "attendance", "reduced", "Mødt op; forbruget er lavt.")
        w.follow_up(case, six, sc, -45, "phone", "", "Ikke truffet trods tre forsøg; sms sendt.")

    @scenario(-100)
    def _():
        ended(-100, 26, -92, -35, "dropped_out", "dropped_out", "cocaine", no_shows=3)

    @scenario(-130)
    def _():
        ended(-130, 38, -120, -28, "moved", "moved", "cannabis")

    # anonymous (SEL § 101 a) at KABS: no CPR, no name, no decision
    @scenario(-2)
    def _():
        w.open(ps, -2, "walk_in", pseudonym="Ravn", requested_offer="anonym_ambulant")

    @scenario(-45)
    def _():
        case = w.open(ps, -45, "phone", pseudonym="Nordlys", requested_offer="anonym_ambulant")
        w.course(
            case,
            ps,
            -44,
            offer="anonym_ambulant",
            goal="reduction",
            goals="Styr på kokainen uden at arbejdsgiveren ved det",
        )

    @scenario(-12)
    def _():
        case = w.open(ps, -12, "walk_in", pseudonym="Kastanje", requested_offer="anonym_ambulant")
        w.course(case, ps, -10, offer="anonym_ambulant", goals="Holde op med hash")

    @scenario(-120)
    def _():
        case = w.open(ps, -120, "walk_in", pseudonym="Fyrtårn", requested_offer="anonym_ambulant")
        course = w.course(
            case,
            ps,
            -118,
            offer="anonym_ambulant",
            goal="reduction",
            goals="Mindre kokain i weekenderne",
            every=14,
            last=-51,
            upcoming=0,
        )
        # no follow-up: Gentofte holds no identity to follow an anonymous course up with
        w.end(
            case,
            course,
            ps,
            -50,
            "completed",
            "reduced",
            "Anonymt forløb afsluttet; borgeren har reduceret forbruget.",
        )

    # a relative's own case: counselling from the substance consultant
    @scenario(-20)
    def _():
        case = w.open(
            sc,
            -20,
            "phone",
            age=57,
            person_role="relative",
            related_case_id=made["mother_of"].pk,
            requested_offer="raadgivning",
            note="Mor til en borger i ambulant behandling; ønsker rådgivning som pårørende.",
        )
        w.assess(case, th, -15, relative_facts())
        w.course(
            case,
            th,
            -12,
            offer="raadgivning",
            provider="gentofte_rusmiddelkonsulent",
            goal="stabilisation",
            goals="Passe på mig selv og ikke tage ansvaret for min søns forbrug",
            upcoming=1,
        )

    scenario.run(w.progress)


# --- Helsingør: the Rusmiddelcenter treats and decides itself; groups; young people -----------


def _helsingoer(w: _Writer) -> None:
    cw, th, sc, ps = (w.staff[r] for r in ROLES_AT_WORK)
    made: dict[str, Case] = {}
    scenario = _Scenarios()

    center = "helsingoer_rusmiddelcenter"

    # group runs: the anonymous group (rolling intake, Mondays) and cocaine/hash stop groups
    def monday_before(days: int) -> dt.date:
        day = w.d(days)
        return day - dt.timedelta(days=day.weekday())

    anon_now = w.group(
        "anonym_gruppe", "Anonym gruppe (mandage kl. 16–18)", monday_before(-49), seats=12
    )
    anon_spring = w.group(
        "anonym_gruppe", "Anonym gruppe (forrige hold)", monday_before(-200), seats=12
    )

    def open_after(day: dt.date) -> dt.date:
        """`day`, or the next working day that is none of the standard's closed days (a
        run's start and its stop day: 24 December is a working day, but closed)."""
        closed = registry.load(w.slug, day).standard.closed_days
        while not is_working_day(day) or is_closed(day, closed):
            day += dt.timedelta(days=1)
        return day

    def stop_day_after(start: dt.date) -> dt.date:
        """Two weeks into the run, or the next day the centre is open."""
        return open_after(start + dt.timedelta(days=14))

    stop_start = open_after(w.d(-21))
    stop_now = w.group(
        "kokain_hashstop",
        "Kokain- og hashstop (igangværende hold)",
        stop_start,
        seats=10,
        stop_day=stop_day_after(stop_start),
    )
    next_start = open_after(w.d(12))
    w.group(
        "kokain_hashstop",
        "Kokain- og hashstop (næste hold)",
        next_start,
        seats=10,
        stop_day=stop_day_after(next_start),
    )

    # contacts: guarantee overdue, due within three days, fresh; a 16-year-old
    @scenario(-16)
    def _():
        w.open(
            th,
            -16,
            "walk_in",
            age=33,
            provider=center,
            note="Mødt op i Rusmiddelcentret; ønsker hjælp til sit alkoholforbrug.",
        )

    @scenario(-18)
    def _():
        w.open(cw, -18, "phone", age=46, note="Ønsker behandling for kokain og alkohol.")

    @scenario(-12)
    def _():
        w.open(th, -12, "self_service", age=29, provider=center)

    @scenario(-11)
    def _():
        w.open(
            th,
            -11,
            "walk_in",
            age=51,
            provider=center,
            requested_offer="alkoholbehandling_medicinsk",
        )

    @scenario(-1)
    def _():
        w.open(
            cw,
            -1,
            "digital_post",
            age=37,
            contact_by="professional",
            note="Henvendelse fra jobcentret med borgerens samtykke.",
        )

    @scenario(-3)
    def _():
        w.open(
            th,
            -3,
            "phone",
            age=16,
            contact_by="relative",
            provider=center,
            note="Faren ringer; sønnen vil gerne have hjælp til at stoppe med hash.",
        )

    # assessed
    @scenario(-8)
    def _():
        case = w.open(th, -8, "walk_in", age=55, provider=center)
        w.assess(case, th, -5, facts("alcohol", wishes={"goal": "reduction"}))

    @scenario(-9)
    def _():  # under 18: consents not yet given
        case = w.open(th, -9, "walk_in", age=16, provider=center, note="Kommer sammen med sin mor.")
        w.assess(
            case,
            th,
            -6,
            facts(
                "cannabis",
                social={
                    "occupation": "none",
                    "self_supporting": False,
                    "dropped_out_of_school": True,
                },
            ),
        )

    @scenario(-6)
    def _():
        case = w.open(th, -6, "walk_in", age=42, provider=center)
        w.assess(
            case,
            th,
            -4,
            facts(
                "alcohol",
                "benzodiazepines",
                use={"level": "dependent", "withdrawal_risk": "severe"},
            ),
        )

    @scenario(-4)
    def _():
        case = w.open(cw, -4, "phone", age=30)
        w.assess(
            case,
            cw,
            -2,
            {"use": {"substances": [{"substance": "cocaine"}], "level": "problematic"}},
        )

    # decided
    @scenario(-9)
    def _():
        case = w.open(th, -9, "walk_in", age=38, provider=center)
        w.assess(case, th, -6, facts("cannabis"))
        w.decide(case, th, -2, "individuelle_samtaler")

    @scenario(-13)
    def _():
        case = w.open(
            th, -13, "phone", age=49, provider=center, requested_offer="alkoholbehandling_medicinsk"
        )
        w.assess(case, th, -10, facts("alcohol", wishes={"medication_to_be_prescribed": True}))
        w.decide(case, th, -7, "alkoholbehandling_medicinsk")

    no_residential = facts(
        "cocaine", use={"level": "dependent"}, professional={"needs_more_than_outpatient": False}
    )

    @scenario(-20)
    def _():
        case = w.open(th, -20, "walk_in", age=44, provider=center)
        w.assess(case, th, -15, no_residential)
        w.decide(
            case,
            th,
            -10,
            "doegnbehandling",
            "refused",
            note="Du tilbydes i stedet individuelle samtaler i Rusmiddelcentret.",
        )
        w.decide(case, th, -10, "individuelle_samtaler")

    @scenario(-45)
    def _():
        case = w.open(
            th, -45, "walk_in", age=36, provider=center, requested_offer="doegnbehandling"
        )
        w.assess(case, th, -40, no_residential)
        refusal = w.decide(case, th, -28, "doegnbehandling", "refused")
        w.complain(
            case,
            th,
            refusal,
            -10,
            "Jeg klager over afslaget på døgnbehandling. Jeg kan ikke holde op, så længe "
            "jeg bor i min lejlighed.",
        )

    @scenario(-100)
    def _():
        case = w.open(cw, -100, "letter", age=41, requested_offer="doegnbehandling")
        w.assess(case, cw, -92, no_residential)
        refusal = w.decide(case, cw, -80, "doegnbehandling", "refused", send_channel="post")
        complaint = w.complain(case, cw, refusal, -62, "Klage over afslag på døgnbehandling.")
        w.reassess(
            case,
            cw,
            complaint,
            -40,
            True,
            "Rusmiddelcentret fastholder afgørelsen; klagen sendes med sagens akter til "
            "Ankestyrelsen.",
        )

    @scenario(-60)
    def _():  # refused, complaint, changed in the citizen's favour: waits for the next group
        case = w.open(th, -60, "walk_in", age=27, provider=center)
        w.assess(
            case,
            th,
            -55,
            facts(
                "cannabis",
                use={"realistic_12_week_stop": False},
                social={"occupation": "unemployed"},
            ),
        )
        refusal = w.decide(case, th, -50, "kokain_hashstop", "refused")
        complaint = w.complain(
            case, th, refusal, -35, "Jeg har fået arbejde og kan godt holde op i 12 uger."
        )
        w.reassess(
            case,
            th,
            complaint,
            -25,
            False,
            "Genvurderet: borgeren har fået arbejde og vurderes nu at have en realistisk "
            "mulighed for et stop på 12 uger. Afgørelsen ændres.",
        )
        w.assess(case, th, -25, facts("cannabis"))
        w.decide(case, th, -24, "kokain_hashstop", note="Borgeren tilbydes plads på næste hold.")

    # in course at the Rusmiddelcenter
    def individual(
        days: int,
        age: int,
        start: int,
        *substances: str,
        offer: str,
        goal: str = "abstinence",
        goals: str = "",
        every: int = 7,
        key: str = "",
        extra: dict[str, Any] | None = None,
        **kw: Any,
    ) -> tuple[Case, Course]:
        case = w.open(
            th, days, w.rng.choice(["walk_in", "phone", "self_service"]), age=age, provider=center
        )
        w.assess(case, th, days + 2, facts(*substances, wishes={"goal": goal}, **(extra or {})))
        decision = w.decide(case, th, start - 2, offer)
        course = w.course(
            case,
            th,
            start,
            decision,
            goal=goal,
            goals=goals or "Holde op og få en stabil hverdag",
            every=every,
            **kw,
        )
        if key:
            made[key] = case
        return case, course

    @scenario(-62)
    def _():
        case, course = individual(
            -62,
            34,
            -56,
            "cannabis",
            "alcohol",
            offer="individuelle_samtaler",
            key="son_of",
            goals="Holde op med hash og drikke mindre",
        )
        w.status(case, course, th, -14, "Har været hashfri i fire uger; drikker mindre.")

    @scenario(-27)
    def _():
        individual(
            -27,
            47,
            -22,
            "amphetamine",
            offer="individuelle_samtaler",
            goal="reduction",
            goals="Kun tage amfetamin i weekenden, så jeg kan passe mit arbejde",
        )

    @scenario(-130)
    def _():
        case, course = individual(
            -130,
            52,
            -125,
            "opioids",
            offer="medicinsk_behandling",
            goal="stabilisation",
            goals="Stabil i substitutionsbehandlingen",
            every=14,
            extra={
                "use": {"level": "dependent", "withdrawal_risk": "mild"},
                "history": {
                    "in_medical_treatment": True,
                    "has_fixed_therapist": True,
                    "ever_in_contact_with_treatment_system": True,
                },
                "social": {"occupation": "retired"},
                "professional": {"substitution_appropriate": True},
            },
        )
        w.status(case, course, th, -30, "Stabil på buprenorphin; mødt til alle samtaler.")

    def hashstop(days: int, age: int, substance: str) -> None:
        case = w.open(
            th, days, "walk_in", age=age, provider=center, requested_offer="kokain_hashstop"
        )
        w.assess(case, th, days + 2, facts(substance))
        decision = w.decide(case, th, days + 4, "kokain_hashstop")
        course = w.start(case, th, days + 6, decision)
        w.plan(case, course, th, days + 6, "abstinence", "Være helt stoppet efter 12 uger")
        w.enrol(case, course, th, stop_now, days + 7)

    @scenario(-30)
    def _():
        hashstop(-30, 28, "cocaine")

    @scenario(-29)
    def _():
        hashstop(-29, 35, "cannabis")

    @scenario(-28)
    def _():  # 18–24
        hashstop(-28, 21, "cannabis")

    residential = {
        "use": {"level": "dependent"},
        "history": {
            "previous_offers": ["individuelle_samtaler"],
            "ever_in_contact_with_treatment_system": True,
        },
        "professional": {"needs_more_than_outpatient": True, "benefits_from_shielding": True},
    }

    @scenario(-70)
    def _():  # residential, keeps paying rent: food and laundry only
        case = w.open(
            th, -70, "walk_in", age=39, provider=center, requested_offer="doegnbehandling"
        )
        w.assess(case, th, -50, facts("cocaine", "alcohol", **residential))
        decision = w.decide(case, th, -40, "doegnbehandling", provider="privat_doegnbehandling")
        course = w.start(case, th, -33, decision)
        w.plan(case, course, ps, -32, "abstinence", "Gennemføre opholdet og holde op")
        w.sessions(case, course, ps, first=-31)
        w.self_payment(case, course, ps, 90, True, 21_400)
        w.status(case, course, ps, -3, "Borgeren er faldet godt til og deltager i alt.")

    @scenario(-170)
    def _():  # a change of offer: individual sessions → residential, gives up the flat
        case, course = individual(
            -170, 45, -160, "alcohol", "cocaine", offer="individuelle_samtaler", every=14, last=-40
        )
        w.assess(
            case,
            th,
            -38,
            facts(
                "alcohol",
                "cocaine",
                **{**residential, "social": {"housing": "temporary", "occupation": "sick_leave"}},
            ),
        )
        decision = w.decide(
            case,
            th,
            -30,
            "doegnbehandling",
            provider="privat_doegnbehandling",
            override_reason="Visitationsmødet: borgeren har opsagt sin lejlighed og bor "
            "midlertidigt hos sin søster; døgnbehandling vurderes nødvendig, og borgeren "
            "får hjælp til en bolig efter opholdet.",
        )
        new = w.change_offer(case, course, th, decision, -26)
        w.plan(case, new, ps, -26, "abstinence", "Blive alkohol- og kokainfri")
        w.sessions(case, new, ps, first=-25)
        w.self_payment(case, new, ps, 120, False, 12_800)

    # granted residential treatment, waiting for a place: the standard's priority groups
    # (pregnant, a family with small children, in work, youth in the last detox phase) go
    # before the one who has waited longest (residential treatment has no guarantee)
    def residential_waiting(
        days: int, age: int, decided: int, extra: dict[str, Any], **kw: Any
    ) -> None:
        case = w.open(
            th, days, "walk_in", age=age, provider=center, requested_offer="doegnbehandling", **kw
        )
        sections = {**residential, **extra}
        w.assess(case, th, days + 4, facts("alcohol", "cocaine", **sections))
        w.decide(case, th, decided, "doegnbehandling", provider="privat_doegnbehandling")

    @scenario(-41)
    def _():  # no priority group: on sick leave, waited longest
        residential_waiting(-41, 48, -20, {"social": {"occupation": "sick_leave"}})

    @scenario(-23)
    def _():
        residential_waiting(
            -23,
            29,
            -9,
            {
                "person": {"pregnant": True, "continuing_pregnancy": True},
                "social": {"occupation": "unemployed"},
            },
            female=True,
        )

    @scenario(-26)
    def _():
        residential_waiting(
            -26,
            34,
            -12,
            {
                "person": {"children_at_home": 2, "youngest_child_age": 3},
                "social": {"occupation": "unemployed"},
            },
        )

    @scenario(-31)
    def _():  # in work (the base facts: employed)
        residential_waiting(-31, 45, -15, {})

    @scenario(-19)
    def _():
        residential_waiting(
            -19,
            22,
            -6,
            {
                "professional": {**residential["professional"], "final_detox_phase": True},
                "social": {"occupation": "student"},
            },
        )

    @scenario(-52)
    def _():  # under 18: Dagteamet, with consents
        case = w.open(th, -52, "phone", age=16, contact_by="relative", provider=center)
        w.assess(
            case,
            th,
            -48,
            facts(
                "cannabis",
                social={
                    "occupation": "none",
                    "self_supporting": False,
                    "dropped_out_of_school": True,
                },
                consents={"parents": True, "family_services": True},
            ),
        )
        decision = w.decide(case, th, -46, "dagteamet")
        course = w.course(
            case, th, -45, decision, goal="reduction", goals="Komme i skole igen og ryge mindre"
        )
        w.status(
            case,
            course,
            th,
            -7,
            "Møder i Dagteamet tre dage om ugen; samarbejde med forældrene og Familierådgivningen.",
        )

    @scenario(-58)
    def _():  # 18–24
        case, course = individual(
            -58,
            20,
            -52,
            "cannabis",
            "ecstasy",
            offer="unge_individuel",
            goal="reduction",
            goals="Styr på festerne og studiet",
        )
        w.status(case, course, th, -10, "Mødestabil; har bestået sine eksamener.")

    # ended
    def ended(
        days: int,
        age: int,
        start: int,
        end: int,
        reason: str,
        outcome: str,
        *substances: str,
        offer: str = "individuelle_samtaler",
        no_shows: int = 0,
    ) -> list[Any]:
        case, course = individual(
            days,
            age,
            start,
            *substances,
            offer=offer,
            every=14,
            last=end - 1,
            upcoming=0,
            no_shows=no_shows,
        )
        text = {
            "completed": "Behandlingsplanens mål er nået; forløbet afsluttes.",
            "dropped_out": "Borgeren er udeblevet og har ikke svaret på sms eller opkald.",
        }[reason]
        return [case, *w.end(case, course, th, end, reason, outcome, text)]

    @scenario(-110)
    def _():
        ended(-110, 31, -100, -15, "completed", "reduced", "alcohol")

    @scenario(-150)
    def _():
        ended(-150, 43, -140, -40, "completed", "substance_free", "cocaine")

    @scenario(-200)
    def _():
        case, one, _six = ended(-200, 36, -185, -80, "completed", "substance_free", "cannabis")
        w.follow_up(case, one, th, -48, "video", "substance_free", "Fortsat hashfri.")

    @scenario(-420)
    def _():
        # an alcohol course: referred on to medical alcohol treatment (the alcohol goals);
        # followed up, as the citizen also used cannabis (Helsingør follows up drug problems)
        case, one, six = ended(-420, 58, -400, -220, "completed", "referred", "alcohol", "cannabis")
        w.follow_up(case, one, th, -188, "attendance", "reduced")
        w.follow_up(case, six, sc, -37, "phone", "reduced", "Drikker nu kun i weekenden.")

    @scenario(-90)
    def _():
        ended(-90, 29, -80, -25, "dropped_out", "dropped_out", "cocaine", no_shows=3)

    @scenario(-230)
    def _():  # 18–24
        case, one, _six = ended(
            -230, 22, -220, -60, "completed", "substance_free", "cannabis", offer="unge_gruppe"
        )
        w.follow_up(case, one, th, -28, "phone", "substance_free")

    # anonymous (SEL § 101 a): the anonymous group, created by a therapist
    @scenario(-1)
    def _():
        w.open(th, -1, "phone", pseudonym="Sol", requested_offer="anonym_gruppe", provider=center)

    def anonymous(days: int, pseudonym: str, group: Group) -> tuple[Case, Course]:
        case = w.open(
            th, days, "phone", pseudonym=pseudonym, requested_offer="anonym_gruppe", provider=center
        )
        start = max(w.d(days + 1), group.starts_on)
        course = w.start(case, th, (start - w.today).days, offer="anonym_gruppe")
        w.enrol(case, course, th, group, (start - w.today).days)
        return case, course

    @scenario(-50)
    def _():
        anonymous(-50, "Bølge", anon_now)

    @scenario(-30)
    def _():
        anonymous(-30, "Lille M", anon_now)

    @scenario(-10)
    def _():
        anonymous(-10, "Kvist", anon_now)

    @scenario(-205)
    def _():
        case, course = anonymous(-205, "Ravn", anon_spring)
        last = course.sessions.order_by("-starts_at").first()
        ended_on = (last.starts_at.date() - w.today).days
        one, _six = w.end(
            case,
            course,
            th,
            ended_on,
            "completed",
            "reduced",
            "Har gennemført det anonyme gruppeforløb.",
        )
        w.follow_up(case, one, sc, ended_on + 33, "phone", "reduced")

    # a relative's own case: the relatives' group
    @scenario(-20)
    def _():
        case = w.open(
            th,
            -20,
            "walk_in",
            age=58,
            person_role="relative",
            provider=center,
            related_case_id=made["son_of"].pk,
            requested_offer="paaroerendegruppe",
            note="Mor til en borger i behandling i Rusmiddelcentret.",
        )
        w.assess(case, th, -18, relative_facts())
        w.course(
            case,
            th,
            -14,
            offer="paaroerendegruppe",
            goal="stabilisation",
            goals="Forstå min søns misbrug og passe på mig selv",
            hour=17,
        )

    scenario.run(w.progress)
