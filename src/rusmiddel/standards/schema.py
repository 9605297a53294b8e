"""The shape of a municipality's quality standard (kvalitetsstandard) as data.

One YAML file per municipality and version; these pydantic models are its schema.
Field names are English (see the glossary in docs/); every text meant for a citizen or a
caseworker is Danish. Every rule carries the seed `section` it was read from, and a
`reading` where the seed was vague and we had to choose how a caseworker would read it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="lower-case ASCII id")]
Text = Annotated[str, Field(min_length=1)]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = Weekday.__args__  # type: ignore[attr-defined]
#: What a course treats: the substance groups of the registers (SIB: drugs, NAB: alcohol).
SubstanceGroup = Literal["drugs", "alcohol"]
Setting = Literal["outpatient", "day", "residential", "digital", "outreach"]
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt key in a standard file must not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Criterion(Strict):
    """One condition, as a CEL expression over the assessment facts, with its Danish sentence."""

    id: Id
    when: Text = Field(description="CEL expression over the assessment facts; must be boolean")
    text: Text = Field(description="Danish sentence stating the condition, fit for a letter")
    section: Text = Field(description="the seed section the rule was read from")
    reading: str | None = Field(None, description="how we read a vague seed sentence, and why")


class Action(Strict):
    """Something the standard obliges staff to do when `when` holds (unknown: not raised)."""

    id: Id
    when: Text
    text: Text
    section: Text
    offer: Id | None = Field(
        None,
        description="the offer the action refers the citizen to: raised only while that offer "
        "is not not_eligible for the person (a closed offer is never promised)",
    )
    blocks_grant: bool = Field(
        False,
        description="while the action is raised, no treatment offer can be granted, not even "
        "with an override reason (e.g. a consent the law requires before treatment)",
    )
    reading: str | None = None


class Priority(Strict):
    """A priority group for the listed offers (e.g. Helsingør's residential priorities)."""

    id: Id
    when: Text
    text: Text
    section: Text
    offers: list[Id] = Field(min_length=1)
    rank: int = Field(ge=1, description="1 goes first")
    reading: str | None = None


WaitlistKey = Literal["guarantee_days_left", "priority", "waiting_days"]


class Waitlist(Strict):
    """How the waitlist of an offer is ordered: keys in turn, each deciding only a tie of
    the ones before. `guarantee_days_left`: fewest days left on the treatment guarantee first
    (no guarantee last); `priority`: the best (lowest) rank of the standard's priority groups
    the citizen is in, for the offer (none last); `waiting_days`: longest waiting first."""

    order: list[WaitlistKey] = Field(min_length=1)
    section: Text
    reading: str | None = None

    @field_validator("order")
    @classmethod
    def _once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each key at most once")
        return value


class AgeBand(Strict):
    """Whole years, both ends inclusive: `max: 24` reads 'under 25 år'."""

    min: int | None = Field(None, ge=0, le=130)
    max: int | None = Field(None, ge=0, le=130)

    @model_validator(mode="after")
    def _ordered(self) -> AgeBand:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) must not be above max ({self.max})")
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        return self


class Intensity(Strict):
    """How often; `text` is the seed's wording, the numbers are for planning and statistics."""

    text: Text
    per: Literal["day", "week", "month", "course"] | None = None
    min: float | None = Field(None, ge=0)
    max: float | None = Field(None, ge=0)
    hours_min: float | None = Field(None, ge=0, description="hours per attendance")
    hours_max: float | None = Field(None, ge=0)
    weekdays_only: bool = False


class DurationVariant(Strict):
    """The typical duration for an age band, where the seed gives one per age group (e.g. a
    residential stay: under 25 up to six weeks, adults three months)."""

    age: AgeBand
    text: Text
    weeks: int | None = Field(None, ge=1)
    months_max: float | None = Field(None, ge=0)
    section: Text
    reading: str | None = None


class Duration(Strict):
    text: Text
    months_min: float | None = Field(None, ge=0)
    months_max: float | None = Field(None, ge=0)
    weeks: int | None = Field(None, ge=1)
    open_ended: bool = Field(False, description="e.g. maintenance substitution may be lifelong")
    variants: list[DurationVariant] = Field(
        default_factory=list, description="by age band; the first that fits the age decides"
    )


class NamedDuration(Strict):
    """A typical duration the seed gives for a group of citizens rather than for one offer
    (Helsingør: "Borgere i det sammenhængende borgerforløb: 1 år")."""

    id: Id
    title: Text
    text: Text = Field(description="the seed's wording")
    months_min: float | None = Field(None, ge=0)
    months_max: float | None = Field(None, ge=0)
    open_ended: bool = False
    offers: list[Id] = Field(default_factory=list, description="the offers it spans, if named")
    section: Text
    reading: str | None = None


class StopDayIntensification(Strict):
    """Extra sessions after a common stop day (Helsingør's cocaine and hash stop group): each
    of the `weeks` weeks counted from the stop day (day 0 to 6, 7 to 13 …) holds
    `sessions_per_week` sessions, whatever weekday the stop day falls on."""

    weeks: int = Field(ge=1, description="how many weeks after the stop day")
    sessions_per_week: int = Field(2, ge=2, le=5, description="sessions in each of those weeks")
    extra_session_offset_days: int = Field(
        ge=1, le=6, description="an extra session goes this many days after a regular one"
    )
    stop_day_within_weeks: int = Field(ge=1, description="the stop day lies in the first weeks")
    section: Text
    reading: str | None = None


class Schedule(Strict):
    """A group's calendar: weekly sessions that skip Danish public holidays."""

    weekday: Weekday | None = Field(None, description="None: the weekday of the start date")
    start_time: str
    end_time: str
    sessions: int = Field(ge=1, description="regular sessions the course delivers")
    rolling_intake: bool = False
    stop_day: StopDayIntensification | None = None
    section: Text
    reading: str | None = None

    @field_validator("start_time", "end_time")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            shown = value if len(value) <= 20 else value[:19] + "…"  # an excerpt, never the whole
            raise ValueError(f"'{shown}' is not a time of day HH:MM")
        return value

    @model_validator(mode="after")
    def _ends_after_start(self) -> Schedule:
        if self.end_time <= self.start_time:
            raise ValueError(f"end_time {self.end_time} must be after start_time {self.start_time}")
        return self


class Offer(Strict):
    """A treatment offer (tilbud/indsats) with everything a decision needs."""

    id: Id
    title: Text
    section: Text
    description: Text
    legal_basis: list[Text] = Field(min_length=1)
    legal_basis_note: str | None = None
    treatment: bool = Field(
        description="a treatment offer: needs the target group, youth consent and the guarantee"
    )
    setting: Setting
    level_of_care: str | None = Field(None, description="ASAM level, our mapping")
    substances: list[SubstanceGroup] = Field(min_length=1)
    delivery: Literal["individual", "group", "individual_or_group", "family", "course"]
    audience: Literal["user", "relative", "child", "parent", "professional", "any"] = "user"
    providers: list[Id] = Field(min_length=1)
    age: AgeBand | None = None
    anonymous: bool = False
    guarantee: bool = Field(description="covered by the 14-day treatment guarantee")
    guarantee_note: str | None = None
    complaint_route: Id | None = Field(None, description="None: no complaint (e.g. § 101 a)")
    self_payment: Id | None = None
    intensity: Intensity | None = None
    duration: Duration | None = None
    schedule: Schedule | None = None
    criteria: list[Criterion] = Field(default_factory=list)
    reading: str | None = Field(
        None, description="how we read the offer as a whole (e.g. its age group) where vague"
    )


class Municipality(Strict):
    id: Id
    name: Text
    department: Text
    address: Text
    phone: str | None = None
    email: str | None = None
    website: str | None = None


class Provider(Strict):
    id: Id
    name: Text
    kind: Literal["own", "external", "private"]
    address: str | None = None
    phone: str | None = None
    tilbudsportalen: bool = Field(description="approved on Tilbudsportalen")
    note: str | None = None


class LegalBasis(Strict):
    citation: Text
    text: Text
    seed_wording: str | None = Field(None, description="the seed's own (older) citation")


class TargetGroup(Strict):
    """Whom the standard treats: every criterion applies to every offer with treatment: true
    (and decides `in_target_group`). A narrower group that only some offers have (e.g. the
    social target group of SEL § 101) is a criterion on those offers."""

    description: Text
    section: Text
    criteria: list[Criterion] = Field(min_length=1)
    reading: str | None = Field(None, description="how we read the seed's target group")


_DATE_FIELD = re.compile(r"\{([^{}]*)\}")


class GuaranteeBasis(Strict):
    """Which law a contact's treatment guarantee rests on, and what it means for the citizen.
    Every condition given must hold; the first rule that fits decides, and none fitting
    leaves the guarantee's own `basis`. `text` may name the guarantee's last day as `{date}`
    (also where the offer asked for is not covered: what the guarantee then means)."""

    offers: list[Id] | None = Field(None, description="the contact asks for one of these")
    substances: list[SubstanceGroup] | None = Field(
        None, description="every substance the treatment is for is one of these"
    )
    max_age: int | None = Field(None, ge=0, le=130, description="the citizen is at most this old")
    basis: Text = Field(description="the citation, e.g. 'SUL § 142'")
    text: str | None = Field(None, description="Danish sentence; {date} = the last day")
    section: Text
    reading: str | None = None

    @field_validator("text")
    @classmethod
    def _only_date(cls, value: str | None) -> str | None:
        for name in _DATE_FIELD.findall(value or ""):
            if name != "date":
                raise ValueError(f"only {{date}} may stand in braces, got {{{name}}}")
        return value


class Guarantee(Strict):
    days: int = Field(ge=1)
    basis: Text
    text: Text
    section: Text
    bases: list[GuaranteeBasis] = Field(
        default_factory=list, description="the basis per offer, substance and age"
    )


class FollowUp(Strict):
    months: list[int] = Field(min_length=1)
    by: Text
    channels: list[Literal["attendance", "phone", "video"]] = Field(min_length=1)
    text: Text
    section: Text
    substances: list[SubstanceGroup] | None = Field(
        None,
        description="only courses for one of these substance problems (None: every course)",
    )
    anonymous: bool = Field(True, description="anonymous courses are followed up too")
    reading: str | None = None


class StatusReports(Strict):
    """Reports (or supervision) due every `every_months` while a course runs, met by a status
    report; `settings` limits them to courses of those settings (e.g. residential stays)."""

    text: Text
    every_months: int | None = Field(None, ge=1, description="our default cadence")
    settings: list[Setting] | None = Field(None, description="None: every course")
    due_text: Text = Field("Status fra leverandøren", description="the due list's wording")
    section: Text
    reading: str | None = None


class Deadlines(Strict):
    treatment_guarantee: Guarantee
    complaint_weeks: int = Field(ge=1)
    follow_up: FollowUp
    status_reports: StatusReports | None = None


class ComplaintRoute(Strict):
    """Where and by when a citizen complains; `deadline_weeks` None when no deadline applies."""

    id: Id
    title: Text
    appealable: bool
    deadline_weeks: int | None = Field(None, ge=1)
    deadline_text: Text
    first_instance: Text = Field(description="who receives the complaint first")
    address: str | None = None
    reassessment: bool = Field(description="the municipality reassesses before forwarding")
    reassessment_weeks: int = Field(
        4, ge=1, description="weeks from the complaint to reassess (and forward if upheld)"
    )
    forwards_to: str | None = None
    text: Text
    # the guidance as the letters give it, to the citizen ("du"): that and how to complain
    # and, on a route without `deadline_weeks`, by when. The letter adds where to send the
    # complaint, the deadline's date and the forwarding. None: a plain sentence in its place
    letter_text: Text | None = None
    section: Text
    reading: str | None = None


class SubstanceRoute(Strict):
    """A decision on an offer whose own route is `route` goes by `becomes` when every
    substance it treats (the citizen's, within the offer's) is one of `substances`: e.g.
    Helsingør's social route becomes the alcohol route for an alcohol-only citizen."""

    route: Id
    substances: list[SubstanceGroup] = Field(min_length=1)
    becomes: Id
    section: Text
    reading: str | None = None


class PartRoute(Strict):
    """Guidance for a part of the listed offers that has a complaint body of its own (the
    medical part: Styrelsen for Patientklager), given beside the decision's route."""

    id: Id
    title: Text = Field(description="the part, e.g. 'Den medicinske del af behandlingen'")
    route: Id
    offers: list[Id] = Field(min_length=1)
    section: Text
    reading: str | None = None


class ComplaintRouting(Strict):
    """How a decision's route follows the citizen's substances, and the parts of offers with
    a route of their own."""

    by_substance: list[SubstanceRoute] = Field(default_factory=list)
    parts: list[PartRoute] = Field(default_factory=list)


class FreeChoice(Strict):
    legal_basis: list[Text] = Field(min_length=1)
    text: Text
    conditions: list[Text] = Field(min_length=1)
    section: Text


class SelfPayment(Strict):
    """Self-payment for the stay part of residential treatment; amounts are parameters.

    `basis: rates` charges the stay part at `stay_per_day_dkk`; `basis: income` takes
    `income_share` of what the resident's monthly income leaves above the rådighedsbeløb,
    never more than `stay_per_day_dkk` (the stay part's cost) a day (bekendtgørelse nr. 1387
    af 12. december 2006 §§ 1–3). Food and laundry are charged at their rates either way, and
    the whole never leaves the resident less than the rådighedsbeløb when the income is
    given (it must be, under `income`)."""

    id: Id
    title: Text
    legal_basis: list[Text] = Field(min_length=1)
    text: Text
    keeps_rent_pays_only: list[Literal["food", "laundry"]] = Field(min_length=1)
    basis: Literal["rates", "income"] = "rates"
    income_share: float | None = Field(
        None, gt=0, le=1, description="income: share of the income above the rådighedsbeløb"
    )
    stay_per_day_dkk: float = Field(ge=0)
    food_per_day_dkk: float = Field(ge=0)
    laundry_per_month_dkk: float = Field(ge=0)
    minimum_disposable_per_month_dkk: float = Field(ge=0, description="rådighedsbeløb")
    amounts_are_examples: bool = Field(description="true until the municipality sets its rates")
    section: Text
    reading: str | None = None

    @model_validator(mode="after")
    def _share_with_income(self) -> SelfPayment:
        if self.basis == "income" and self.income_share is None:
            raise ValueError("basis income needs income_share")
        if self.basis == "rates" and self.income_share is not None:
            raise ValueError("income_share is only used with basis income")
        return self


class NoShows(Strict):
    """When a run of no-shows flags a course for a talk about ending it."""

    limit: int = Field(ge=1, description="consecutive no-shows that flag the course")
    text: Text
    section: Text
    reading: str | None = None


class ClosedDay(Strict):
    """A day of the year the municipality's services are closed, though not a public holiday."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    name: Text

    @model_validator(mode="after")
    def _real_day(self) -> ClosedDay:
        dt.date(2024, self.month, self.day)  # a leap year: 29 February is a day
        return self


class ClosedDays(Strict):
    """Closed days besides the public holidays: groups do not meet on them (the series is
    extended as for a holiday), and a common stop day may not fall on them."""

    days: list[ClosedDay] = Field(min_length=1)
    section: Text
    reading: str | None = None


class Cutoff(Strict):
    """A clinical cut-off for an age band: a total below `below` is in the clinical range."""

    min_age: int | None = Field(None, ge=0)
    max_age: int | None = Field(None, ge=0)
    below: float = Field(ge=0)


class Instrument(Strict):
    """An outcome instrument (FIT: ORS at the start of a session, SRS at its end)."""

    id: Id
    title: Text
    moment: Literal["session_start", "session_end"]
    items: list[Text] = Field(min_length=1, description="Danish label of each line")
    item_min: float = 0
    item_max: float = 10
    decimals: int = Field(1, ge=0, le=2)
    cutoffs: list[Cutoff] = Field(default_factory=list, description="ORS: clinical cut-offs")
    reliable_change: float | None = Field(None, gt=0, description="ORS: points of real change")
    flag_no_change_after_sessions: int | None = Field(None, ge=2)
    alliance_concern_below: float | None = Field(None, ge=0, description="SRS: alliance flag")
    section: Text
    reading: str | None = None


class OutcomeMeasures(Strict):
    """The outcome instruments the municipality uses; licensed per agency, so they are data."""

    licence: Text = Field(description="who holds the licence, and for what")
    instruments: list[Instrument] = Field(min_length=1)
    section: Text


class RetentionRule(Strict):
    """How long a kind of case is kept: erased `months` after the day it is counted from.
    `last_activity`: the last write to the case (its last write in the audit log, or its
    creation), never while a course is active; `course_ended`: the day its last course ended,
    for a case whose courses have all ended. A case falls under the first rule that fits."""

    id: Id
    cases: Literal["anonymous", "named"]
    counted_from: Literal["last_activity", "course_ended"]
    months: int = Field(ge=1)
    action: Literal["erase"] = Field("erase", description="the case and all it holds go")
    text: Text = Field(description="Danish sentence stating the rule")
    section: Text
    reading: str | None = None


class Retention(Strict):
    """When personal data is erased (GDPR art. 5(1)(e)); periods follow the municipality's
    archive rules (arkivloven, the archive authority's bevaringsbestemmelser)."""

    rules: list[RetentionRule] = Field(min_length=1)
    periods_are_examples: bool = Field(description="true until the municipality sets them")
    section: Text

    @field_validator("rules")
    @classmethod
    def _unique_ids(cls, value: list[RetentionRule]) -> list[RetentionRule]:
        ids = [r.id for r in value]
        if len(set(ids)) != len(ids):
            raise ValueError("each rule id at most once")
        return value


class AssessmentSection(Strict):
    """An element the assessment (udredning) describes in the caseworker's words: asked for
    as free text on the assessment form, stored with the assessment and quoted in the decision
    letter (forvaltningsloven § 24: the main considerations of the assessment)."""

    id: Id
    title: Text = Field(description="Danish heading on the form and in the letter")
    text: str | None = Field(None, description="what to describe, in the seed's words (a hint)")
    section: Text
    reading: str | None = None


#: Where a standard does not say what the assessment describes: one free-text overall
#: assessment, which every decision's reasoning needs (forvaltningsloven § 24).
DEFAULT_ASSESSMENT_SECTIONS: tuple[AssessmentSection, ...] = (
    AssessmentSection(
        id="samlet_vurdering",
        title="Samlet vurdering",
        text="Den faglige vurdering af borgerens situation og behov, som afgørelsen bygger på.",
        section="(standarden beskriver ikke udredningens indhold)",
    ),
)


class AssessmentContent(Strict):
    """What the assessment describes besides the facts (`sections`, in the form's order)."""

    sections: list[AssessmentSection] = Field(min_length=1)

    @field_validator("sections")
    @classmethod
    def _unique_ids(cls, value: list[AssessmentSection]) -> list[AssessmentSection]:
        ids = [s.id for s in value]
        if len(set(ids)) != len(ids):
            raise ValueError("each section id at most once")
        return value


class Section(Strict):
    """A piece of the published text kept for the rendered document (purpose, duties …)."""

    title: Text
    text: Text


class Standard(Strict):
    """One version of a municipality's quality standard."""

    municipality: Municipality
    valid_from: dt.date
    title: Text
    source: Text = Field(description="the published document this file encodes")
    legal_bases: list[LegalBasis] = Field(min_length=1)
    target_group: TargetGroup
    treatment_criteria: list[Criterion] = Field(
        default_factory=list, description="apply to every offer with treatment: true"
    )
    providers: list[Provider] = Field(min_length=1)
    offers: list[Offer] = Field(min_length=1)
    actions: list[Action] = Field(default_factory=list)
    priorities: list[Priority] = Field(default_factory=list)
    waitlist: Waitlist | None = Field(None, description="None: the guarantee, then waiting time")
    deadlines: Deadlines
    complaint_routes: list[ComplaintRoute] = Field(min_length=1)
    default_complaint_route: Id
    complaint_routing: ComplaintRouting | None = Field(
        None, description="None: each offer's own route, whatever the substance"
    )
    free_choice: FreeChoice
    self_payment: list[SelfPayment] = Field(default_factory=list)
    no_shows: NoShows | None = Field(None, description="None: flagged at 3 in a row")
    typical_durations: list[NamedDuration] = Field(
        default_factory=list, description="durations of groups of citizens, not of one offer"
    )
    closed_days: ClosedDays | None = Field(None, description="None: public holidays only")
    outcome_measures: OutcomeMeasures | None = None
    retention: Retention | None = Field(None, description="None: nothing is erased")
    assessment: AssessmentContent | None = Field(
        None, description="None: one free-text overall assessment (DEFAULT_ASSESSMENT_SECTIONS)"
    )
    texts: list[Section] = Field(default_factory=list)

    @model_validator(mode="after")
    def _action_offers_exist(self) -> Standard:
        offers = {o.id for o in self.offers}
        for i, action in enumerate(self.actions):
            if action.offer is not None and action.offer not in offers:
                raise ValueError(
                    f"actions[{i}].offer: unknown offer '{action.offer}' "
                    f"(defined: {', '.join(sorted(offers))})"
                )
        return self

    def assessment_sections(self) -> list[AssessmentSection]:
        """The elements the assessment describes: the file's, or the default where it is
        silent."""
        return (
            list(self.assessment.sections) if self.assessment else list(DEFAULT_ASSESSMENT_SECTIONS)
        )

    def offer(self, offer_id: str) -> Offer | None:
        return next((o for o in self.offers if o.id == offer_id), None)

    def complaint_route(self, route_id: str | None) -> ComplaintRoute | None:
        return next((r for r in self.complaint_routes if r.id == route_id), None)

    def instrument(self, instrument_id: str) -> Instrument | None:
        measures = self.outcome_measures
        return (
            next((i for i in measures.instruments if i.id == instrument_id), None)
            if (measures)
            else None
        )

    def provider(self, provider_id: str) -> Provider | None:
        return next((p for p in self.providers if p.id == provider_id), None)

    @model_validator(mode="after")
    def _routing_references(self) -> Standard:
        """The ids the complaint routing and guarantee bases name must be defined (checked here
        as the loader's reference checks do for offers)."""
        routes = {r.id for r in self.complaint_routes}
        offers = {o.id for o in self.offers}
        problems = []
        routing = self.complaint_routing
        for i, rule in enumerate(routing.by_substance if routing else []):
            for name in ("route", "becomes"):
                if getattr(rule, name) not in routes:
                    problems.append(
                        f"complaint_routing.by_substance[{i}].{name}: unknown complaint route "
                        f"'{getattr(rule, name)}' (defined: {', '.join(sorted(routes))})"
                    )
        for i, part in enumerate(routing.parts if routing else []):
            if part.route not in routes:
                problems.append(
                    f"complaint_routing.parts[{i}].route: unknown complaint route "
                    f"'{part.route}' (defined: {', '.join(sorted(routes))})"
                )
            problems += [
                f"complaint_routing.parts[{i}].offers[{j}]: unknown offer '{o}'"
                for j, o in enumerate(part.offers)
                if o not in offers
            ]
        for i, named in enumerate(self.typical_durations):
            problems += [
                f"typical_durations[{i}].offers[{j}]: unknown offer '{o}'"
                for j, o in enumerate(named.offers)
                if o not in offers
            ]
        for i, rule in enumerate(self.deadlines.treatment_guarantee.bases):
            problems += [
                f"deadlines.treatment_guarantee.bases[{i}].offers[{j}]: unknown offer '{o}'"
                for j, o in enumerate(rule.offers or [])
                if o not in offers
            ]
        if problems:
            raise ValueError("; ".join(problems))
        return self
