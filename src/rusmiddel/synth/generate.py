"""The synthetic rows: per municipality, cases from first contact to follow-up, written as
tuples per table with ids assigned here (children reference parents without a round trip).

Deterministic: one random stream per municipality from `--seed`, Faker name pools made once.
Rows stream out in batches of a few thousand cases, so memory stays flat at national scale.

Left out on purpose: letters and their deliveries, the audit log (no AuditEntry rows),
self-payment assessments, notifications, API tokens. Each case's evaluation is computed
with the real rule engine, once per fact template and standard, and reused with the case's
date and age filled in (the citizen's age is kept within the offers' age bands).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from faker import Faker

from rusmiddel import rules
from rusmiddel.cases.services.decisions import decision_reasoning
from rusmiddel.demo_data import ROLE_WORDS, cpr_number
from rusmiddel.rules import end_outcomes

from . import content as c
from .municipalities import KOMMUNER, Kommune
from .standards import shape, starts_on

CPH = ZoneInfo("Europe/Copenhagen")
HISTORY_START = dt.date(2017, 1, 1)
NATIONAL_COURSES = 300_000  # over the ten years, all municipalities
CASES_PER_BATCH = 3000
WAITING_MIN = 3  # cases granted and waiting to start, added to every municipality
OPEN_CASES_PER_CASEWORKER = 45
FIT_SHARE = 0.36  # attended individual sessions with ORS + SRS: ≈ 2 M scores nationally
REFUSED = 0.08  # decisions that refuse the offer first chosen
GRANTED_AFTER_REFUSAL = 0.85  # … followed by a grant of another offer
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Scale:
    slugs: tuple[str, ...] | None  # None: all 98
    fraction: float  # of each municipality's national volume


SCALES: dict[str, Scale] = {
    "demo": Scale(("koebenhavn", "gentofte", "helsingoer"), 0.02),
    "municipality": Scale(("koebenhavn",), 1.0),
    "national": Scale(None, 1.0),
}

#: Table → columns, in load order (parents first). Keys are app_label.ModelName.
TABLES: dict[str, tuple[str, ...]] = {
    "accounts.Municipality": ("id", "slug", "name", "case_sequence", "anonymous_sequence"),
    "accounts.Provider": ("id", "slug", "name", "kind"),
    "accounts.Provider_municipalities": ("id", "provider_id", "municipality_id"),
    "auth.User": (
        "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name",
        "email", "is_staff", "is_active", "date_joined",
    ),
    "accounts.StaffProfile": ("id", "user_id", "municipality_id", "role", "provider_id"),
    "capacity.Capacity": (
        "id", "municipality_id", "provider_id", "offer", "kind", "amount", "valid_from",
        "valid_until", "age_min", "age_max",
    ),
    "cases.Citizen": ("id", "municipality_id", "cpr", "name", "birth_date", "phone", "email",
                      "address", "version"),
    "cases.Case": (
        "id", "municipality_id", "number", "citizen_id", "anonymous", "pseudonym", "person_role",
        "related_case_id", "status", "caseworker_id", "provider_id", "created_at", "updated_at",
        "version",
    ),
    "cases.Contact": (
        "id", "case_id", "received_on", "channel", "contact_by", "referrer", "wishes_treatment",
        "requested_offer", "note", "guarantee_due", "guarantee_basis", "recorded_by_id",
        "recorded_at",
    ),
    "cases.Assessment": (
        "id", "case_id", "version", "facts", "sections", "recorded_by_id", "recorded_at",
    ),
    "cases.Evaluation": (
        "id", "case_id", "assessment_id", "evaluated_on", "standard_version", "result",
        "created_by_id", "created_at",
    ),
    "cases.Decision": (
        "id", "case_id", "evaluation_id", "offer", "outcome", "evaluation_status", "reasoning",
        "override_reason", "legal_basis", "provider_id", "free_choice_requested",
        "free_choice_outcome", "decided_on", "sent_on", "send_channel", "received_on",
        "complaint_route", "complaint_deadline", "standard_version", "decided_by_id",
        "decided_at", "status", "withdrawn_on", "withdrawn_at", "withdrawn_by_id",
        "withdrawal_reason", "withdrawal_complaint_deadline", "replaced_by_id",
    ),
    "treatment_groups.Group": (
        "id", "municipality_id", "provider_id", "offer", "title", "starts_on", "stop_day", "seats",
    ),
    "cases.Course": (
        "id", "case_id", "municipality_id", "anonymous", "decision_id", "offer", "substance",
        "provider_id", "status", "started_on", "ended_on", "end_reason", "outcome",
        "previous_id", "created_by_id", "created_at",
    ),
    "treatment_groups.Enrolment": ("id", "group_id", "course_id", "enrolled_on", "enrolled_by_id"),
    "cases.TreatmentPlan": (
        "id", "course_id", "version", "goal", "goals_text", "agreed_on", "recorded_by_id",
        "recorded_at",
    ),
    "cases.Session": (
        "id", "course_id", "starts_at", "ends_at", "group_id", "attendance", "note",
        "recorded_by_id",
    ),
    "outcomes.FitScore": (
        "id", "session_id", "instrument", "items", "total", "recorded_by_id", "recorded_at",
    ),
    "outcomes.KeyFacts": (
        "id", "course_id", "moment", "recorded_on", "use_frequency", "housing", "occupation",
        "recorded_by_id", "recorded_at",
    ),
    "cases.StatusReport": ("id", "course_id", "kind", "text", "submitted_on", "submitted_by_id"),
    "cases.FollowUp": (
        "id", "course_id", "months", "due_on", "channel", "done_on", "reached", "outcome", "note",
        "recorded_by_id",
    ),
    "cases.Complaint": (
        "id", "case_id", "decision_id", "route", "received_on", "within_deadline", "text",
        "status", "reassess_by", "reassessed_on", "forwarded_to", "reassessment_text",
        "recorded_by_id",
    ),
    "cases.Deadline": (
        "id", "municipality_id", "case_id", "kind", "due_on", "text", "caseworker_id",
        "provider_id", "anonymous", "source_type", "source_id", "met_on", "closed_reason",
        "warned_at",
    ),
}  # fmt: skip

Batch = dict[str, list[tuple]]


def selected(scale: str) -> list[tuple[Kommune, str]]:
    """The scale's municipalities with their seed shape (the shape never depends on scale)."""
    slugs = SCALES[scale].slugs
    return [(k, shape(k, i)) for i, k in enumerate(KOMMUNER) if slugs is None or k.slug in slugs]


def courses_for(kommune: Kommune, scale: str, today: dt.date) -> float:
    """Expected courses: the national total by population, over the years its standard is
    in force (the real gentofte and helsingoer from 2024 only)."""
    total = sum(k.population for k in KOMMUNER)
    per_day = NATIONAL_COURSES * kommune.population / total / (today - HISTORY_START).days
    first = max(HISTORY_START, starts_on(kommune.slug))
    return per_day * (today - first).days * SCALES[scale].fraction


def ts(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CPH)


def weekday_on_or_after(day: dt.date) -> dt.date:
    wd = day.weekday()
    return day + dt.timedelta(days=7 - wd) if wd >= 5 else day


class Ids:
    """The next primary key per table (the database starts empty)."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {t: 0 for t in TABLES}

    def __call__(self, table: str) -> int:
        self.last[table] += 1
        return self.last[table]


class Names:
    """Pools of Danish names and streets made once with Faker (combining is fast)."""

    def __init__(self, seed: int) -> None:
        fake = Faker("da_DK")
        fake.seed_instance(seed)
        self.male = sorted({fake.first_name_male() for _ in range(600)})
        self.female = sorted({fake.first_name_female() for _ in range(600)})
        self.last = sorted({fake.last_name() for _ in range(900)})
        self.streets = sorted({fake.street_address() for _ in range(1500)})


@dataclass
class Staff:
    caseworkers: list[int]
    therapists: list[int]
    consultant: int
    head: int
    admin: int
    provider_staff: dict[str, int]  # provider slug → user id


class Generator:
    def __init__(self, *, scale: str, seed: int, today: dt.date, standards: dict[str, Any]):
        self.scale, self.seed, self.today = scale, seed, today
        self.standards = standards  # slug → CompiledStandard in force on starts_on(slug)
        self.ids = Ids()
        self.names = Names(seed)
        self.sequences: dict[str, tuple[int, int]] = {}  # slug → (named, anonymous)
        self.provider_ids: dict[str, int] = {}  # provider slug → id

    def batches(self) -> Iterator[tuple[str, Batch]]:
        """(municipality slug, rows per table) in load order, a few thousand cases a time."""
        for kommune, seed_shape in selected(self.scale):
            yield from _Municipality(self, kommune, seed_shape).batches()


class _Municipality:
    def __init__(self, g: Generator, kommune: Kommune, seed_shape: str) -> None:
        self.g, self.k, self.shape = g, kommune, seed_shape
        self.ids, self.today = g.ids, g.today
        self.rng = random.Random(f"{g.seed}:{kommune.slug}")
        self.compiled = g.standards[kommune.slug]
        self.std = self.compiled.standard
        self.first_day = max(HISTORY_START, starts_on(kommune.slug))
        self.expected = courses_for(kommune, g.scale, g.today)
        self.batch: Batch = {t: [] for t in TABLES}
        self.taken_cpr: set[str] = set()
        self.named_seq = self.anon_seq = 0
        self.groups: dict[tuple[str, dt.date], tuple[int, dt.date]] = {}
        self.named_cases: list[int] = []
        self._prepare()

    # --- setup: tenant, providers, staff, evaluations -------------------------------------

    def _add(self, table: str, row: tuple) -> None:
        self.batch[table].append(row)

    def _prepare(self) -> None:
        k, std = self.k, self.std
        self.mid = self.ids("accounts.Municipality")
        self._add("accounts.Municipality", (self.mid, k.slug, std.municipality.name, 0, 0))
        self.providers: dict[str, int] = {}
        self.provider_kind: dict[str, str] = {}
        for p in std.providers:
            pid = self.g.provider_ids.get(p.id)
            if pid is None:  # a provider named by two standards is one row (gladsaxe's centre)
                pid = self.g.provider_ids[p.id] = self.ids("accounts.Provider")
                self._add("accounts.Provider", (pid, p.id, p.name, p.kind))
            self.providers[p.id] = pid
            self.provider_kind[p.id] = p.kind
            self._add(
                "accounts.Provider_municipalities",
                (self.ids("accounts.Provider_municipalities"), pid, self.mid),
            )
        self.offers = {o.id: o for o in std.offers}
        self.instruments = (
            {i.moment: i for i in std.outcome_measures.instruments} if std.outcome_measures else {}
        )
        rng = random.Random(f"{self.g.seed}:templates")
        self.templates = {s: c.fact_templates(s, rng) for s in ("alcohol", "drugs")}
        self.evaluations = {
            s: [self._evaluation_template(f) for f in fs] for s, fs in self.templates.items()
        }
        self.relative_eval = self._evaluation_template(c.RELATIVE_FACTS)
        self.alcohol_share = 0.0 if self.shape == "gentofte" else 0.56
        # cases open at once ≈ starts a day × (wait + mean course length)
        span = max(1, (self.today - self.first_day).days)
        per_day = self.expected / span
        open_cases = per_day * 190 + per_day * span * REFUSED * 0.15
        self._staff(max(1, round(open_cases / OPEN_CASES_PER_CASEWORKER)))
        self._capacity(per_day)
        self.scores = {
            moment: [
                c.score_pool(len(i.items), self.rng, mean, 1.6)
                for mean in ((4.0, 5.0, 6.0, 7.0, 7.8) if moment == "session_start" else (8.6,))
            ]
            for moment, i in self.instruments.items()
        }

    def _evaluation_template(self, facts: dict[str, Any]) -> dict[str, Any]:
        """The real evaluation of a template at age 40, as JSON with slots for the date and
        the age; per offer: status and the decision reasoning."""
        on = self.first_day
        born = on.replace(year=on.year - 40)
        f = json.loads(json.dumps(facts))
        if f["person"].get("role", "user") == "user":
            f["person"]["birth_date"] = born.isoformat()
        result = rules.evaluate(self.compiled, f, on).to_json()
        statuses = {o["offer"]: o for o in result["offers"]}
        result["evaluated_on"] = "@@ON@@"
        if result.get("age") is not None:
            result["age"] = -999999
        text = json.dumps(result, ensure_ascii=False)
        return {"facts": facts, "json": text, "offers": statuses}

    def _user(self, role: str, n: int, provider: str | None = None) -> int:
        uid = self.ids("auth.User")
        female = self.rng.random() < 0.6
        first = self.rng.choice(self.g.names.female if female else self.g.names.male)
        last = self.rng.choice(self.g.names.last)
        password = "!" + "".join(self.rng.choices(string.ascii_letters + string.digits, k=40))
        username = f"{self.k.slug}-{ROLE_WORDS[role]}-{n}"
        joined = ts(self.first_day - dt.timedelta(days=30), 9)
        self._add(
            "auth.User",
            (uid, password, None, False, username, first, last, "", False, True, joined),
        )
        pid = self.providers[provider] if provider else None
        self._add(
            "accounts.StaffProfile", (self.ids("accounts.StaffProfile"), uid, self.mid, role, pid)
        )
        return uid

    def _staff(self, caseworkers: int) -> None:
        cw = [self._user("caseworker", i + 1) for i in range(caseworkers)]
        th = [self._user("therapist", i + 1) for i in range(max(2, caseworkers // 2))]
        self.staff = Staff(
            caseworkers=cw,
            therapists=th,
            consultant=self._user("substance_consultant", 1),
            head=self._user("head_of_unit", 1),
            admin=self._user("administrator", 1),
            provider_staff={},
        )
        for n, slug in enumerate(self.providers, start=1):
            self.staff.provider_staff[slug] = self._user("provider_staff", n, provider=slug)

    def _capacity(self, per_day: float) -> None:
        """Weekly start slots for the main outpatient offers, places for residential ones."""
        weights = c.OFFER_WEIGHTS[self.shape]
        total = sum(weights.values())
        for offer_id, weight in sorted(weights.items(), key=lambda x: -x[1])[:4] + [
            ("doegnbehandling", weights["doegnbehandling"])
        ]:
            offer = self.offers[offer_id]
            share = per_day * weight / total
            if offer.setting == "residential":
                kind, amount = "places", max(1, round(share * 90 * 1.1))
            else:
                kind, amount = "weekly_slots", max(1, round(share * 7 * 1.2))
            for p in offer.providers:
                self._add(
                    "capacity.Capacity",
                    (
                        self.ids("capacity.Capacity"), self.mid, self.providers[p], offer_id,
                        kind, min(amount, 32767), self.first_day, None, None, None,
                    ),
                )  # fmt: skip

    # --- cases ------------------------------------------------------------------------------

    def batches(self) -> Iterator[tuple[str, Batch]]:
        rng = self.rng
        span = (self.today - self.first_day).days
        n_cases = max(1, round(self.expected / 1.1))
        days = sorted(rng.randrange(span + 1) for _ in range(n_cases))
        for i, offset in enumerate(days):
            self._case(self.first_day + dt.timedelta(days=offset))
            if (i + 1) % CASES_PER_BATCH == 0:
                yield self.k.slug, self._flush()
        # a few granted and not yet started at every scale: a small municipality's random
        # days may leave its waitlist empty, and then the demo shows (and measures) nothing
        for _ in range(WAITING_MIN):
            self._user_case(self.today - dt.timedelta(days=rng.randint(3, 6)), waiting=True)
        yield self.k.slug, self._flush()
        self.g.sequences[self.k.slug] = (self.named_seq, self.anon_seq)

    def _flush(self) -> Batch:
        out, self.batch = self.batch, {t: [] for t in TABLES}
        return out

    def _number(self, anonymous: bool, year: int) -> str:
        if anonymous:
            self.anon_seq += 1
            return f"{self.k.slug.upper()}-A-{year}-{self.anon_seq:06d}"
        self.named_seq += 1
        return f"{self.k.slug.upper()}-{year}-{self.named_seq:06d}"

    def _citizen(self, age: int, on: dt.date) -> tuple[int, dt.date]:
        rng = self.rng
        born = on - dt.timedelta(days=age * 365 + rng.randrange(365))
        cpr = cpr_number(born, rng, self.taken_cpr)
        male = int(cpr[-1]) % 2 == 1
        names = self.g.names
        first = rng.choice(names.male if male else names.female)
        name = f"{first} {rng.choice(names.last)}"
        email = ""
        if rng.random() < 0.6:
            email = f"{first.lower()}{rng.randrange(100)}@example.dk".encode("ascii", "ignore")
            email = email.decode()
        cid = self.ids("cases.Citizen")
        address = f"{rng.choice(names.streets)}, {self.k.name}"
        phone = f"{rng.randrange(20000000, 99999999)}"
        self._add("cases.Citizen", (cid, self.mid, cpr, name, born, phone, email, address, 1))
        return cid, born

    def _case(self, received: dt.date) -> None:
        r = self.rng.random()
        if r < 0.10:
            self._anonymous_case(received)
        elif r < 0.13 and self.named_cases:
            self._relative_case(received)
        else:
            self._user_case(received)

    def _new_case(self, **kw: Any) -> int:
        case_id = self.ids("cases.Case")
        kw["id"] = case_id
        self.case = kw
        self.case_deadlines: list[tuple] = []
        return case_id

    def _write_case(self) -> None:
        k = self.case
        self._add(
            "cases.Case",
            (
                k["id"], self.mid, k["number"], k.get("citizen"), k["anonymous"],
                k.get("pseudonym", ""), k.get("role", "user"), k.get("related"), k["status"],
                k.get("caseworker"), k.get("provider"), k["created_at"], k["updated_at"],
                k["version"],
            ),
        )  # fmt: skip
        for kind, due, text, source, source_id, met in self.case_deadlines:
            self._add(
                "cases.Deadline",
                (
                    self.ids("cases.Deadline"), self.mid, k["id"], kind, due, text,
                    k.get("caseworker"), k.get("provider"), k["anonymous"], source, source_id,
                    met, "", None,
                ),
            )  # fmt: skip

    def _deadline(
        self, kind: str, due: dt.date, text: str, source: str, source_id: int, met: dt.date | None
    ) -> None:
        """Written with the case, so the copies of its caseworker and provider are the case's
        final ones (as `case_assign` keeps them)."""
        self.case_deadlines.append((kind, due, text[:200], source, source_id, met))

    def _contact(self, received: dt.date, recorder: int | None, *, guarantee: bool) -> tuple:
        rng = self.rng
        channel = rng.choice(c.CHANNELS)
        if channel == "self_service":
            recorder = None
        contact_id = self.ids("cases.Contact")
        due = received + dt.timedelta(days=self.std.deadlines.treatment_guarantee.days)
        if self.case["anonymous"]:
            basis = "Ingen behandlingsgaranti ved anonym behandling (SEL § 101 a)."
            due = None
        elif not guarantee:
            basis = "Henvendelsen indeholder ikke et ønske om behandling."
            due = None
        else:
            basis = self.std.deadlines.treatment_guarantee.basis
        by = "relative" if self.case.get("role") == "relative" else "citizen"
        row = [
            contact_id, self.case["id"], received, channel, by, "", guarantee, "", "", due, basis,
            recorder, ts(received, rng.randrange(8, 16), rng.randrange(60)),
        ]  # fmt: skip
        return contact_id, due, row

    def _assess(self, template: dict, on: dt.date, age: int, version: int, by: int) -> tuple:
        facts = template["facts"]
        if self.case.get("born") and facts["person"].get("role", "user") == "user":
            facts = {**facts, "person": {**facts["person"], "birth_date": self.case["born"]}}
        at = ts(on, self.rng.randrange(8, 16), self.rng.randrange(60))
        aid = self.ids("cases.Assessment")
        self._add(
            "cases.Assessment",
            (aid, self.case["id"], version, json.dumps(facts, ensure_ascii=False), "{}", by, at),
        )
        eid = self.ids("cases.Evaluation")
        result = template["json"].replace('"@@ON@@"', f'"{on.isoformat()}"')
        result = result.replace("-999999", str(age))
        self._add(
            "cases.Evaluation",
            (eid, self.case["id"], aid, on, self.compiled.version, result, by, at),
        )
        return eid, at

    # a named citizen's own treatment: contact → assessment → decision → course(s)
    def _user_case(self, received: dt.date, waiting: bool = False) -> None:
        rng, today = self.rng, self.today
        alcohol = rng.random() < self.alcohol_share
        substance = "alcohol" if alcohol else "drugs"
        age = rng.randint(25, 70)
        cw = rng.choice(self.staff.caseworkers)
        citizen, born = self._citizen(age, received)
        case_id = self._new_case(
            number=self._number(False, received.year),
            citizen=citizen,
            born=born.isoformat(),
            anonymous=False,
            caseworker=cw,
            status="contact",
            created_at=ts(received, 9, rng.randrange(60)),
            version=1,
        )
        self.named_cases.append(case_id)
        version, day, last_at = 1, received, self.case["created_at"]
        for episode in range(3):
            end, last_at, steps = self._episode(day, substance, age, episode + 1, cw, waiting)
            version += steps
            if end is None or rng.random() > 0.15:
                break
            day = end + dt.timedelta(days=rng.randint(30, 400))
            if day > today:
                break
        self.case.update(updated_at=last_at, version=version)
        self._write_case()

    def _episode(
        self, received: dt.date, substance: str, age: int, n: int, cw: int, waiting: bool = False
    ) -> tuple[dt.date | None, dt.datetime, int]:
        """One wish for treatment on the case; returns (course end or None, last write, steps).
        `waiting`: assessed and granted by today, the course to start after it."""
        rng, today, k = self.rng, self.today, self.case
        contact_id, due, contact = self._contact(received, cw, guarantee=True)
        self._add("cases.Contact", tuple(contact))
        last = contact[-1]
        guarantee_text = f"Behandling skal være iværksat senest {due:%d.%m.%Y}"
        assess_on = received + dt.timedelta(days=rng.randint(0, 4))
        if waiting:
            assess_on = min(assess_on, today)
        if assess_on > today:
            self._deadline("treatment_guarantee", due, guarantee_text, "contact", contact_id, None)
            return None, last, 1
        idx = rng.randrange(len(self.templates[substance]))
        template = self.evaluations[substance][idx]
        eid, last = self._assess(template, assess_on, age, n, cw)
        k["status"] = "assessment" if k["status"] == "contact" else k["status"]
        decided = assess_on + dt.timedelta(days=rng.randint(0, 5))
        if waiting:
            decided = min(decided, today)
        if decided > today:
            self._deadline("treatment_guarantee", due, guarantee_text, "contact", contact_id, None)
            return None, last, 2
        refused_offer = None
        while True:
            offer_id, status = self._choose_offer(template["offers"], substance, refused_offer)
            offer = self.offers[offer_id]
            refused = refused_offer is None and rng.random() < REFUSED and not waiting
            provider_slug = rng.choice(offer.providers)
            provider = self.providers[provider_slug]
            decision_id, last = self._decision(
                eid, offer, template["offers"][offer_id], status,
                "refused" if refused else "granted", decided, provider, cw, template["facts"],
            )  # fmt: skip
            if k["status"] in ("contact", "assessment"):
                k["status"] = "decided"
            if not refused:
                break
            if rng.random() > GRANTED_AFTER_REFUSAL:  # the refusal closes the wish
                self._deadline(
                    "treatment_guarantee", due, guarantee_text, "contact", contact_id, decided
                )
                return None, last, 3
            refused_offer = offer_id  # another offer is granted a few days later
            decided += dt.timedelta(days=rng.randint(1, 3))
            if decided > min(today, due):
                met = None if decided > today else decided
                self._deadline(
                    "treatment_guarantee", due, guarantee_text, "contact", contact_id, met
                )
                return None, last, 3
        if not k.get("provider"):
            k["provider"] = provider
        start = decided + dt.timedelta(days=rng.randint(0, 3))
        start = min(start, due)
        if waiting:
            start = today + dt.timedelta(days=1)
        if start > today:
            self._deadline("treatment_guarantee", due, guarantee_text, "contact", contact_id, None)
            return None, last, 3
        self._deadline("treatment_guarantee", due, guarantee_text, "contact", contact_id, start)
        end, last = self._course(
            offer, provider_slug, start, substance, decision_id, template["facts"], cw
        )
        k["status"] = "in_course" if end is None else "ended"
        return end, last, 8

    def _choose_offer(
        self, statuses: dict[str, dict], substance: str, refused: str | None = None
    ) -> tuple[str, str]:
        weights = {
            o: w
            for o, w in c.OFFER_WEIGHTS[self.shape].items()
            if substance in self.offers[o].substances and o != refused
        }
        eligible = {o: w for o, w in weights.items() if statuses[o]["status"] == "eligible"}
        intensive = {o: w for o, w in eligible.items() if self.offers[o].setting in c.INTENSIVE}
        if intensive and self.rng.random() < c.INTENSIVE_SHARE:
            eligible = intensive
        else:  # residential is granted where the assessment shows the need
            weights = {
                o: w for o, w in weights.items() if self.offers[o].setting not in c.INTENSIVE
            }
            eligible = {o: w for o, w in eligible.items() if o in weights}
        pool = eligible if eligible and self.rng.random() < 0.9 else weights
        offer = self.rng.choices(list(pool), list(pool.values()))[0]
        return offer, statuses[offer]["status"]

    def _decision(
        self, eid: int, offer: Any, result: dict, status: str, outcome: str, decided: dt.date,
        provider: int, by: int, facts: dict | None = None,
    ) -> tuple[int, dt.datetime]:  # fmt: skip
        rng = self.rng
        channel = rng.choice(c.SEND_CHANNELS)
        received = rules.received_on(decided, channel)
        routes = rules.complaint_routes(self.std, offer, facts)
        deadline = rules.complaint_deadline(self.std, offer, received, facts)
        override = ""
        if outcome == "granted" and status != "eligible":
            override = "Bevilget efter en samlet faglig vurdering af borgerens situation."
        did = self.ids("cases.Decision")
        at = ts(decided, rng.randrange(9, 16), rng.randrange(60))
        self._add(
            "cases.Decision",
            (
                did, self.case["id"], eid, offer.id, outcome, status,
                decision_reasoning(offer, result, outcome, ""), override,
                json.dumps(list(offer.legal_basis), ensure_ascii=False), provider, "",
                "not_requested", decided, decided, channel, received, routes.route_id,
                deadline.date if deadline else None, self.compiled.version, by, at,
                "active", None, None, None, "", None, None,  # none withdrawn or corrected
            ),
        )  # fmt: skip
        complain = 0.14 if outcome == "refused" else 0.0065
        if rng.random() < complain:
            self._complaint(did, routes.route, received, deadline.date if deadline else None, by)
        return did, at

    def _complaint(self, did: int, route: Any, received: dt.date, deadline, by: int) -> None:
        rng, today = self.rng, self.today
        if route is None or not route.appealable:
            return
        on = received + dt.timedelta(days=rng.randint(2, 26))
        if on > today:
            return
        reassess_by = rules.deadline_in_weeks(on, rules.reassessment_weeks(route)).date
        reassessed = on + dt.timedelta(days=rng.randint(5, 25))
        reassessed = min(reassessed, reassess_by)
        done = route.reassessment and reassessed <= today
        changed = done and rng.random() < 0.2
        status = ("changed" if changed else "forwarded") if done else "received"
        cid = self.ids("cases.Complaint")
        self._add(
            "cases.Complaint",
            (
                cid, self.case["id"], did, route.id, on, deadline is None or on <= deadline,
                rng.choice(c.COMPLAINT_TEXTS), status, reassess_by, reassessed if done else None,
                (route.forwards_to or "") if done and not changed else "",
                "Afgørelsen er genvurderet." if done else "", by,
            ),
        )  # fmt: skip
        if route.reassessment:
            self._deadline(
                "complaint_reassessment",
                reassess_by,
                f"Genvurdér klagen og send den evt. videre senest {reassess_by:%d.%m.%Y}",
                "complaint",
                cid,
                reassessed if done else None,
            )

    # --- courses ------------------------------------------------------------------------------

    def _length(self, offer: Any) -> int:
        rng = self.rng
        if offer.setting == "residential":
            return rng.randint(56, 120)
        if offer.schedule and offer.schedule.sessions:
            return offer.schedule.sessions * 7 - 6
        if offer.id in ("medicinsk_behandling", "substitution"):
            return rng.randint(120, 420)
        if offer.id in ("laegesamtale", "anonym_raadgivning", "raadgivning"):
            return rng.randint(14, 40)
        return int(min(300, max(28, rng.lognormvariate(4.95, 0.45))))

    def _course(
        self, offer: Any, provider_slug: str, start: dt.date, substance: str,
        decision: int | None, facts: dict | None, cw: int | None,
    ) -> tuple[dt.date | None, dt.datetime]:  # fmt: skip
        rng, today = self.rng, self.today
        k = self.case
        length = self._length(offer)
        end = start + dt.timedelta(days=length)
        active = end >= today
        course_substance = end_outcomes.course_substance(offer.substances, facts)
        reason = outcome = ""
        if not active:
            reason = rng.choices(*zip(*c.END_REASONS, strict=True))[0]
            outcome = c.end_outcome(course_substance, reason, rng)
            if reason in ("dropped_out", "deceased", "moved"):  # ends early
                end = start + dt.timedelta(days=max(7, int(length * rng.uniform(0.2, 0.8))))
        course_id = self.ids("cases.Course")
        own = self.provider_kind[provider_slug] == "own"
        worker = (
            rng.choice(self.staff.therapists) if own else self.staff.provider_staff[provider_slug]
        )
        created = ts(start, rng.randrange(8, 16), rng.randrange(60))
        creator = cw or worker
        self._add(
            "cases.Course",
            (
                course_id, k["id"], self.mid, k["anonymous"], decision, offer.id, course_substance,
                self.providers[provider_slug], "active" if active else "ended", start,
                None if active else end, reason, outcome, None, creator, created,
            ),
        )  # fmt: skip
        last = created
        group = self._group(offer, provider_slug, start) if offer.delivery == "group" else None
        if group is not None:
            self._add(
                "treatment_groups.Enrolment",
                (self.ids("treatment_groups.Enrolment"), group, course_id, start, creator),
            )
        measured = offer.treatment and offer.audience == "user"
        if measured:
            goal = (facts or {}).get("wishes", {}).get("goal", "abstinence")
            goal = c.GOAL_FOR.get(goal, "reduction")
            agreed = min(start + dt.timedelta(days=rng.randint(0, 14)), end, today)
            self._add(
                "cases.TreatmentPlan",
                (
                    self.ids("cases.TreatmentPlan"), course_id, 1, goal,
                    rng.choice(c.GOAL_TEXTS[goal]), agreed, worker,
                    ts(agreed, rng.randrange(9, 15)),
                ),
            )  # fmt: skip
        self._sessions(course_id, offer, start, end, group, worker, measured)
        social = (facts or {}).get("social", {})
        housing = social.get("housing", "rented")
        occupation = social.get("occupation", "employed")
        level = (facts or {}).get("use", {}).get("level")
        use0 = 0 if level == "dependent" else 1
        if measured:
            self._key_facts(course_id, "start", start, c.USE_LEVELS[use0], housing, occupation,
                            worker)  # fmt: skip
        self._status_reports(course_id, offer, start, None if active else end, worker)
        if not active:
            last = ts(end, 14)
            reachable = reason not in ("moved", "deceased") and outcome not in ("moved", "deceased")
            after = c.USE_LEVELS[rng.randint(*c.AFTER_OUTCOME.get(outcome, (0, 1)))]
            if measured and reachable:
                self._key_facts(course_id, "end", end, after, housing, occupation, worker)
            followed = rules.follow_up_applies(self.std, offer, facts, anonymous=k["anonymous"])
            if reason not in ("deceased", "transferred", "moved") and followed:
                self._follow_ups(course_id, end, course_substance, measured, housing, occupation)
        return (None if active else end), last

    def _group(self, offer: Any, provider_slug: str, start: dt.date) -> int:
        """The run of a group offer the course joins: one per offer and quarter."""
        quarter = dt.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
        key = (offer.id, quarter)
        if key not in self.groups:
            gid = self.ids("treatment_groups.Group")
            title = f"{offer.title.split(' (')[0]} – {quarter.year} K{(quarter.month + 2) // 3}"
            self._add(
                "treatment_groups.Group",
                (gid, self.mid, self.providers[provider_slug], offer.id, title[:200], quarter,
                 None, 10),
            )  # fmt: skip
            self.groups[key] = (gid, quarter)
        return self.groups[key][0]

    def _sessions(
        self, course_id: int, offer: Any, start: dt.date, end: dt.date, group: int | None,
        worker: int, measured: bool,
    ) -> None:  # fmt: skip
        rng, today = self.rng, self.today
        schedule = offer.schedule
        if schedule and schedule.start_time:
            hour, minute = (int(x) for x in schedule.start_time.split(":"))
            h2, m2 = (
                (int(x) for x in (schedule.end_time or "").split(":"))
                if schedule.end_time
                else (hour + 2, minute)
            )
            minutes = (h2 * 60 + m2) - (hour * 60 + minute)
        else:
            hour, minute = rng.randrange(8, 15), rng.choice((0, 30))
            minutes = 120 if group else rng.choice((45, 60, 60))
        step = 7 if group or rng.random() < 0.85 else 14
        if offer.id in ("laegesamtale", "anonym_raadgivning", "raadgivning"):
            step = 7
        day = weekday_on_or_after(start)
        if schedule and schedule.weekday in WEEKDAYS:  # the group's own weekday
            ahead = (WEEKDAYS.index(schedule.weekday) - start.weekday()) % 7
            day = start + dt.timedelta(days=ahead)
        n = 0
        fit = measured and not group and bool(self.instruments)
        ors = self.instruments.get("session_start")
        srs = self.instruments.get("session_end")
        sessions = self.batch["cases.Session"]
        scores = self.batch["outcomes.FitScore"]
        total = max(1, (end - start).days // step + 1)
        while day <= end and n < 40:
            n += 1
            starts = ts(day, hour, minute)
            ends = starts + dt.timedelta(minutes=minutes)
            if day < today:
                r = rng.random()
                attendance = "attended" if r < 0.82 else "no_show" if r < 0.95 else "cancelled"
            else:
                attendance = ""
            sid = self.ids("cases.Session")
            sessions.append((sid, course_id, starts, ends, group, attendance, "", worker))
            if fit and attendance == "attended" and rng.random() < FIT_SHARE:
                progress = min(4, 5 * n // total)
                items, points = rng.choice(self.scores["session_start"][progress])
                scores.append((self.ids("outcomes.FitScore"), sid, ors.id, items, points,
                               worker, starts))  # fmt: skip
                items, points = rng.choice(self.scores["session_end"][0])
                scores.append((self.ids("outcomes.FitScore"), sid, srs.id, items, points,
                               worker, ends))  # fmt: skip
            day = weekday_on_or_after(day + dt.timedelta(days=step))

    def _key_facts(
        self, course_id: int, moment: str, on: dt.date, use: str, housing: str, occupation: str,
        by: int,
    ) -> None:  # fmt: skip
        self._add(
            "outcomes.KeyFacts",
            (self.ids("outcomes.KeyFacts"), course_id, moment, on, use, housing, occupation, by,
             ts(on, 13)),
        )  # fmt: skip

    def _status_reports(
        self, course_id: int, offer: Any, start: dt.date, end: dt.date | None, by: int
    ) -> None:
        """Periodic reports where the standard asks for them (with the one deadline the
        services keep per course), and a final report at the end."""
        rng, today = self.rng, self.today
        reports = self.std.deadlines.status_reports
        every = reports.every_months if reports else None
        if reports is not None and reports.settings is not None:
            every = every if offer.setting in reports.settings else None
        stop = end or today
        if every:
            last, n = start, 1
            while (due := rules.add_months(start, every * n)) <= stop:
                on = due - dt.timedelta(days=rng.randint(0, 10))
                self._add(
                    "cases.StatusReport",
                    (self.ids("cases.StatusReport"), course_id, "periodic",
                     rng.choice(c.STATUS_TEXTS), on, by),
                )  # fmt: skip
                last, n = on, n + 1
            due = rules.add_months(last, every)
            self._deadline(
                "status_report", due, f"{reports.due_text} senest {due:%d.%m.%Y}",
                "course", course_id, end,
            )  # fmt: skip
        if end is not None and (every or rng.random() < 0.7):
            self._add(
                "cases.StatusReport",
                (self.ids("cases.StatusReport"), course_id, "final", rng.choice(c.FINAL_TEXTS),
                 end, by),
            )  # fmt: skip

    def _follow_ups(
        self, course_id: int, end: dt.date, substance: str, measured: bool, housing: str,
        occupation: str,
    ) -> None:  # fmt: skip
        rng, today = self.rng, self.today
        by = self.staff.consultant
        for months in self.std.deadlines.follow_up.months:
            due = rules.add_months(end, months)
            fid = self.ids("cases.FollowUp")
            done = due + dt.timedelta(days=rng.randint(0, 10))
            if done <= today and due + dt.timedelta(days=14) <= today:
                reached = rng.random() < 0.8
                outcome = c.follow_up_outcome(substance, rng) if reached else ""
                channel = rng.choice(self.std.deadlines.follow_up.channels)
                self._add(
                    "cases.FollowUp",
                    (fid, course_id, months, due, channel, done, reached, outcome, "", by),
                )
                if reached and measured:
                    use = c.USE_LEVELS[rng.randint(*c.AFTER_OUTCOME.get(outcome, (0, 2)))]
                    self._key_facts(course_id, f"follow_up_{months}", done, use, housing,
                                    occupation, by)  # fmt: skip
                met = done
            else:
                self._add(
                    "cases.FollowUp", (fid, course_id, months, due, "", None, None, "", "", None)
                )
                met = None
            text = f"Opfølgning {months} måned{'er' if months > 1 else ''} efter afsluttet forløb"
            self._deadline("follow_up", due, text, "followup", fid, met)

    # anonymous treatment (SEL § 101 a): no citizen, no decision, no guarantee
    def _anonymous_case(self, received: dt.date) -> None:
        rng = self.rng
        offers = c.ANONYMOUS_OFFERS[self.shape]
        offer = self.offers[rng.choices(list(offers), list(offers.values()))[0]]
        provider_slug = rng.choice(offer.providers)
        self._new_case(
            number=self._number(True, received.year),
            anonymous=True,
            pseudonym=f"{rng.choice(c.PSEUDONYMS)} {rng.randrange(1, 100)}",
            provider=self.providers[provider_slug],
            status="contact",
            created_at=ts(received, rng.randrange(8, 16)),
            version=1,
        )
        recorder = self.staff.provider_staff[provider_slug]
        _, _, contact = self._contact(received, recorder, guarantee=True)
        contact[3] = "walk_in" if contact[3] == "self_service" else contact[3]
        contact[10] = recorder
        self._add("cases.Contact", tuple(contact))
        start = received + dt.timedelta(days=rng.randint(0, 7))
        last = contact[-1]
        if start <= self.today:
            end, last = self._course(offer, provider_slug, start, "", None, None, None)
            self.case["status"] = "in_course" if end is None else "ended"
        self.case.update(updated_at=last, version=3)
        self._write_case()

    # a relative's own case, linked to the case of the person they are relative to
    def _relative_case(self, received: dt.date) -> None:
        rng = self.rng
        cw = rng.choice(self.staff.caseworkers)
        related = self.named_cases[-rng.randint(1, min(50, len(self.named_cases)))]
        citizen, born = self._citizen(rng.randint(25, 70), received)
        self._new_case(
            number=self._number(False, received.year),
            citizen=citizen,
            anonymous=False,
            role="relative",
            related=related,
            caseworker=cw,
            status="contact",
            created_at=ts(received, rng.randrange(8, 16)),
            version=1,
        )
        _, _, contact = self._contact(received, cw, guarantee=False)
        self._add("cases.Contact", tuple(contact))
        last = contact[-1]
        assess_on = received + dt.timedelta(days=rng.randint(0, 4))
        if assess_on <= self.today:
            _, last = self._assess(self.relative_eval, assess_on, 0, 1, cw)
            self.case["status"] = "assessment"
            start = assess_on + dt.timedelta(days=rng.randint(0, 10))
            offer = self.offers[c.RELATIVE_OFFERS[self.shape]]
            if start <= self.today:
                provider_slug = offer.providers[0]
                self.case["provider"] = self.providers[provider_slug]
                end, last = self._course(
                    offer, provider_slug, start, "", None, c.RELATIVE_FACTS, cw
                )
                self.case["status"] = "in_course" if end is None else "ended"
        self.case.update(updated_at=last, version=4)
        self._write_case()


def expected_courses(scale: str, today: dt.date) -> float:
    return sum(courses_for(k, scale, today) for k, _ in selected(scale))
