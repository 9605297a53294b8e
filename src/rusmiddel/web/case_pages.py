"""The case pages: one case with its timeline, the assessment with a live evaluation, the
decision with its reasoning and complaint guidance, and the course.

/sager/<id>/                       the case: header, open deadlines, one timeline
/sager/<id>/udredning/             the assessment form; /vurdering/ evaluates it live (htmx)
/sager/<id>/afgoerelse/            the decision form; /forhaandsvisning/ shows reasoning and
                                   complaint guidance for the choices made (htmx)
/sager/<id>/afgoerelser/<id>/      one decision; its forms withdraw it (tilbagekald/) and open
                                   the correction (ret/: the decision form, filled in)
/sager/<id>/forloeb/start/         start a course on a granted decision (the case page's form)
/sager/<id>/borger/                change the citizen's name and contact details (the case page's
                                   form; every case of theirs)
/forloeb/<id>/                     the course: plan, sessions and attendance, status, ending

Views parse the forms (`case_forms`), read through `rusmiddel.cases.selectors.case_get`
(scoped, logged, a fixed number of queries) and write only through
`rusmiddel.cases.services`, passing the case version each form carries. The live previews
are pure: they evaluate with `rusmiddel.rules` and write nothing, not even a log entry (the
page they belong to logged the read). A case the user may not see is not found (404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from rusmiddel import rules
from rusmiddel.accounts.permissions import Action, may
from rusmiddel.cases import selectors, services
from rusmiddel.cases.errors import Forbidden, NotFound, ServiceError
from rusmiddel.cases.models import (
    Attendance,
    Case,
    CaseStatus,
    ContactBy,
    ContactChannel,
    Course,
    CourseStatus,
    DeadlineKind,
    DecisionOutcome,
    DecisionStatus,
    EndReason,
    FollowUpChannel,
    FreeChoiceOutcome,
    Goal,
    SendChannel,
    Session,
    StatusReportKind,
)
from rusmiddel.cases.scoping import case_filter, require, visible_cases
from rusmiddel.cases.services.decisions import decision_reasoning
from rusmiddel.letters.compose import route_letter_text
from rusmiddel.letters.models import DeliveryStatus, Letter, LetterKind
from rusmiddel.outcomes.key_facts import FIELDS as KEY_FACT_FIELDS
from rusmiddel.outcomes.key_facts import FOLLOW_UP_MOMENTS, key_facts_defaults
from rusmiddel.outcomes.models import Moment
from rusmiddel.rules.calendar import danish_date
from rusmiddel.rules.errors import RulesError
from rusmiddel.rules.evaluation import age_in_band
from rusmiddel.rules.facts import birth_date as facts_birth_date
from rusmiddel.standards import registry
from rusmiddel.standards.citations import with_seed_wording
from rusmiddel.standards.schema import Standard
from rusmiddel.web.pages import staff_page

from .assignment_pages import assignment_panel
from .case_forms import (
    DESCRIPTION_PREFIX,
    AssessmentForm,
    AttendanceForm,
    CaseForm,
    CitizenForm,
    CourseStartForm,
    DecisionCorrectionForm,
    DecisionForm,
    DecisionWithdrawalForm,
    PlanForm,
    ReportForm,
    SessionForm,
    fact_label,
    initial_from_facts,
    rules_message,
)
from .caseload import Due
from .outcome_forms import (
    CourseEndForm,
    KeyFactsStartForm,
    key_facts_line,
    key_facts_table,
    outcome_label,
)
from .region_section import region_section

#: Offer statuses of an evaluation: Danish label and DKFDS badge tone.
STATUS = {
    "eligible": (gettext_lazy("Kan bevilges"), "success"),
    "not_eligible": (gettext_lazy("Kan ikke bevilges"), "error"),
    "needs_information": (gettext_lazy("Mangler oplysninger"), "warning"),
}
#: A reason's truth: the mark shown and the words a screen reader reads instead.
MARKS = {
    True: ("✓", gettext_lazy("opfyldt")),
    False: ("✗", gettext_lazy("ikke opfyldt")),
    None: ("?", gettext_lazy("ukendt")),
}


# --- shared ---------------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _role(request: HttpRequest) -> str | None:
    staff = getattr(request.user, "staff", None)
    return staff.role if staff else None


def _may(request: HttpRequest, action: Action) -> bool:
    return may(_role(request), action)


def _case(
    request: HttpRequest, case_id: int, why: str, parts: tuple[str, ...] | None = None
) -> Case:
    """The case with its whole course, or the `parts` a page needs (scoped and logged by the
    selector)."""
    return selectors.case_get(user=request.user, case_id=case_id, why=why, parts=parts)


def _standard(slug: str, on: dt.date) -> Standard | None:
    try:
        return registry.load(slug, on).standard
    except RulesError:
        return None


def _offer_title(standard: Standard | None, offer_id: str) -> str:
    offer = standard.offer(offer_id) if standard and offer_id else None
    return offer.title if offer else offer_id


def _name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _names(ids: set[int | None]) -> dict[int, str]:
    """Names of the staff who recorded the rows of a case, in one query."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.pk: _name(u) for u in get_user_model().objects.filter(pk__in=wanted)}


def _cpr(number: str) -> str:
    return f"{number[:6]}-{number[6:]}" if len(number) == 10 else number


def _d(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _first(rows: Any) -> Any:
    """The first of a prefetched relation (in its model's order) without a query."""
    items = list(rows.all())
    return items[0] if items else None


def _save(form: CaseForm, service: Callable[..., Any], **kwargs: Any) -> Any:
    """Call a service; its Invalid and Conflict go on the form (None returned), NotFound and
    Forbidden up to `staff_page`."""
    try:
        return service(**kwargs)
    except (NotFound, Forbidden):
        raise
    except ServiceError as exc:
        form.add_service_error(exc)
        return None


def _status(form: CaseForm) -> int:
    return 409 if form.is_conflict else 422


@dataclass
class CaseHead:
    """What the header of every case page shows."""

    case: Case
    person: str
    cpr: str
    caseworker: str
    provider: str
    status: str
    href: str
    deadlines: list[Any] = field(default_factory=list)


def _head(case: Case, today: dt.date) -> CaseHead:
    if case.anonymous:
        person, cpr = f"{case.pseudonym} (anonym)", ""
    else:
        person = case.citizen.name if case.citizen else "–"
        cpr = _cpr(case.citizen.cpr) if case.citizen else ""
    open_deadlines = sorted(
        (d for d in case.deadlines.all() if d.met_on is None), key=lambda d: (d.due_on, d.pk)
    )
    for d in open_deadlines:
        d.due = Due.of(d.due_on, today)
        d.kind_label = DeadlineKind(d.kind).label
    return CaseHead(
        case=case,
        person=person,
        cpr=cpr,
        caseworker=_name(case.caseworker) if case.caseworker_id else "",
        provider=case.provider.name if case.provider_id else "",
        status=CaseStatus(case.status).label,
        href=reverse("web:case", args=[case.pk]),
        deadlines=open_deadlines,
    )


# --- the case page and its timeline ----------------------------------------------------------


class Entry(TypedDict):
    """One event on the case's timeline, worked out for the template once. A dict, and every
    value ready to show: the timeline has a row per session, and each lookup, failing attribute
    lookup or filter in the template costs per row (a dict's key is the cheapest lookup)."""

    on: dt.date
    order: int  # the step's place within a day (contact before assessment …)
    pk: int
    anchor: str  # the row's id
    iso: str  # the date for <time datetime>
    day: str  # the date shown
    kind: str  # anchor prefix
    label: str  # the kind of event, in Danish
    title: str
    lines: list[str]  # escaped, with <br> for line breaks
    links: list[tuple[str, str]]  # (href, text)
    badge: str  # the badge's text, or nothing
    tone: str  # the badge's DKFDS variant
    by_id: int | None
    by: str  # "Registreret af …", or nothing when no one is recorded
    current: bool  # the decision just saved
    struck: bool  # no longer stands (a withdrawn or corrected decision): shown struck through


#: The order of the steps within one day.
ORDER = {
    "henvendelse": 0,
    "udredning": 1,
    "visitation": 2,
    "afgoerelse": 3,
    "tilbagekaldelse": 3,  # after the decision of the same day (added after it)
    "brev": 4,
    "forloeb": 5,
    "plan": 6,
    "samtale": 7,
    "status": 8,
    "afslutning": 9,
    "opfoelgning": 10,
    "klage": 11,
    "borger": 12,
    "region": 13,  # referred to integrated treatment in the region (SUL § 82 c)
    "region-modtaget": 14,  # …and received by the region
}
ATTENDANCE_TONE = {"attended": "success", "no_show": "error", "cancelled": "info"}
#: A citizen's details, as the notice of a change names them.
CITIZEN_FIELDS = {
    "name": gettext_lazy("Navn"),
    "address": gettext_lazy("Adresse"),
    "phone": gettext_lazy("Telefon"),
    "email": gettext_lazy("E-mail"),
}
#: How a decision is sent, as a sentence says it.
SENT_WITH = {
    "digital_post": gettext_lazy("Digital Post"),
    "post": gettext_lazy("almindelig post"),
    "quickpost": gettext_lazy("Quickpost"),
}


def _letters(case: Case) -> list[Letter]:
    """The case's letters without their PDFs, with delivery status, in one query."""
    return list(Letter.objects.filter(case=case).select_related("delivery").defer("pdf", "context"))


def _letter_href(letter: Letter) -> str:
    return f"/api/letters/{letter.pk}/pdf"


class _Timeline:
    """Every step of the case in date order, from the rows `case_get` prefetched (no query
    per row: the staff names come in one query at the end)."""

    def __init__(
        self,
        case: Case,
        standard: Standard | None,
        letters: list[Letter],
        today: dt.date,
        may_decide: bool = False,
    ) -> None:
        self.case = case
        self.may_decide = may_decide  # the decisions link to their withdrawal and correction
        self.standard = standard
        self.letters = letters
        self.today = today
        self.letter_by_key = {letter.key: letter for letter in letters}
        self.entries: list[Entry] = []
        self.dated: dict[str, dt.date] = {}  # a letter's key → the date of its step

    def add(
        self,
        on: dt.date,
        kind: str,
        pk: int,
        label: str,
        title: str,
        *,
        lines: Sequence[str] = (),
        links: Sequence[tuple[str, str]] = (),
        badge: tuple[str, str] | None = None,  # (tone, text)
        by_id: int | None = None,
        struck: bool = False,
    ) -> None:
        tone, badge_text = badge or ("", "")
        self.entries.append(
            Entry(
                on=on,
                order=ORDER[kind],
                pk=pk,
                anchor=f"{kind}-{pk}",
                iso=on.isoformat(),
                day=_d(on),
                kind=kind,
                label=label,
                title=title,
                lines=[linebreaksbr(line) for line in lines],
                links=list(links),
                badge=badge_text,
                tone=tone,
                by_id=by_id,
                by="",
                current=False,
                struck=struck,
            )
        )

    def title(self, offer_id: str) -> str:
        return _offer_title(self.standard, offer_id)

    def build(self) -> list[Entry]:
        case = self.case
        for c in case.contacts.all():
            self.contact(c)
        # an assessment is dated by the day its facts were evaluated on (when it was typed in
        # is in the log); an assessment without an evaluation by when it was recorded
        evaluated = {e.assessment_id: e.evaluated_on for e in case.evaluations.all()}
        for a in case.assessments.all():
            known = sum(len(v) for v in a.facts.values() if isinstance(v, dict))
            self.add(
                evaluated.get(a.pk) or _local(a.recorded_at).date(),
                "udredning",
                a.pk,
                _("Udredning"),
                _("Udredning, version {version}").format(version=a.version),
                lines=[_("{known} oplysninger registreret.").format(known=known)],
                by_id=a.recorded_by_id,
            )
        for e in case.evaluations.all():
            self.evaluation(e)
        decisions = {d.pk: d for d in case.decisions.all()}
        replaces = {d.replaced_by_id: d for d in decisions.values() if d.replaced_by_id}
        for d in decisions.values():
            self.decision(d, decisions.get(d.replaced_by_id or 0), replaces.get(d.pk))
        for course in case.courses.all():
            self.course(course)
        for k in case.complaints.all():
            self.complaint(k)
        for n in case.citizen_notices.all():
            self.citizen_notice(n)
        if referral := getattr(case, "region_referral", None):  # read with the case
            self.region_referral(referral)
        for letter in self.letters:
            delivery = getattr(letter, "delivery", None)
            sent = DeliveryStatus(delivery.status).label if delivery else _("Ikke sendt")
            self.add(
                self.dated.get(letter.key) or _local(letter.created_at).date(),
                "brev",
                letter.pk,
                _("Brev"),
                letter.title,
                lines=[f"{LetterKind(letter.kind).label}. Forsendelse: {sent.lower()}."],
                links=[(_letter_href(letter), _("Brevet (PDF)"))],
                by_id=letter.created_by_id,
            )
        names = _names({e["by_id"] for e in self.entries})
        for entry in self.entries:
            if name := names.get(entry["by_id"] or 0):
                entry["by"] = _("Registreret af %(by)s") % {"by": name}
        return sorted(self.entries, key=lambda e: (e["on"], e["order"], e["pk"]))

    def contact(self, c: Any) -> None:
        lines = [
            _("Kanal: {label}; henvendelse fra {label2}.").format(
                label=ContactChannel(c.channel).label, label2=ContactBy(c.contact_by).label.lower()
            ),
            _("Ønsker behandling.") if c.wishes_treatment else _("Ingen ønske om behandling."),
        ]
        if c.referrer:
            lines.insert(1, _("Henvist af: {referrer}.").format(referrer=c.referrer))
        if c.requested_offer:
            lines.append(
                _("Ønsket tilbud: {requested_offer}.").format(
                    requested_offer=self.title(c.requested_offer)
                )
            )
        if c.guarantee_due:
            lines.append(
                _(
                    "Behandlingsgaranti: behandlingen skal være i gang senest {guarantee_due}."
                ).format(guarantee_due=_d(c.guarantee_due))
            )
        if c.guarantee_basis:
            lines.append(_("Grundlag: {split}").format(split=" ".join(c.guarantee_basis.split())))
        if c.note:
            lines.append(c.note)
        self.dated[f"{LetterKind.CONTACT_RECEIPT}:{c.pk}"] = c.received_on
        self.add(
            c.received_on,
            "henvendelse",
            c.pk,
            _("Henvendelse"),
            _("Henvendelse modtaget"),
            lines=lines,
            by_id=c.recorded_by_id,
        )

    def evaluation(self, e: Any) -> None:
        offers = e.result.get("offers", [])
        counts = {k: sum(1 for o in offers if o["status"] == k) for k in STATUS}
        lines = [
            _(
                "{eligible} kan bevilges, {needs_information} mangler oplysninger, "
                "{not_eligible} kan ikke bevilges."
            ).format(
                eligible=counts["eligible"],
                needs_information=counts["needs_information"],
                not_eligible=counts["not_eligible"],
            ),
        ]
        eligible = [o["title"] for o in offers if o["status"] == "eligible"]
        if eligible:
            lines.append(_("Kan bevilges: ") + "; ".join(eligible) + ".")
        lines.append(
            _("Kvalitetsstandard version {standard_version}.").format(
                standard_version=e.standard_version
            )
        )
        self.add(
            e.evaluated_on,
            "visitation",
            e.pk,
            _("Visitation"),
            _("Visitation efter kvalitetsstandarden"),
            lines=lines,
            by_id=e.created_by_id,
        )

    def decision(self, d: Any, replaced_by: Any = None, replaces: Any = None) -> None:
        """A decision; one that no longer stands is struck through and says when, why and
        what replaced it; a withdrawal has an entry of its own on its day, with its letter."""
        outcome = DecisionOutcome(d.outcome)
        lines = [
            _("Visitationens vurdering: {status}.").format(
                status=STATUS.get(d.evaluation_status, (_("ukendt"),))[0]
            ),
            _("Sendt med {send_channel} {sent_on}; anses for modtaget {received_on}.").format(
                send_channel=SENT_WITH.get(d.send_channel, d.send_channel),
                sent_on=_d(d.sent_on),
                received_on=_d(d.received_on),
            ),
            _("Klagefrist: {complaint_deadline}.").format(
                complaint_deadline=danish_date(d.complaint_deadline)
            )
            if d.complaint_deadline
            else _("Ingen klagefrist efter denne klagevej."),
        ]
        if replaces is not None:
            lines.insert(
                0,
                _("Ændrer afgørelsen af {decided_on}: {reason}").format(
                    decided_on=_d(replaces.decided_on), reason=replaces.withdrawal_reason
                ),
            )
        if d.provider_id:
            lines.append(_("Leverandør: {name}.").format(name=d.provider.name))
        if d.free_choice_requested:
            lines.append(
                _("Frit valg: {free_choice_requested} – {label}.").format(
                    free_choice_requested=d.free_choice_requested,
                    label=FreeChoiceOutcome(d.free_choice_outcome).label.lower(),
                )
            )
        if d.override_reason:
            lines.append(
                _("Visitationen er fraveget: {override_reason}").format(
                    override_reason=d.override_reason
                )
            )
        if d.status == DecisionStatus.WITHDRAWN:
            lines.append(
                _("Tilbagekaldt {withdrawn_on}: gælder ikke længere.").format(
                    withdrawn_on=_d(d.withdrawn_on)
                )
            )
        elif d.status == DecisionStatus.CORRECTED:
            lines.append(
                _("Ændret {withdrawn_on}: erstattet af afgørelsen af {decided_on}.").format(
                    withdrawn_on=_d(d.withdrawn_on),
                    decided_on=_d(replaced_by.decided_on if replaced_by else d.withdrawn_on),
                )
            )
        links = []
        for kind in (LetterKind.DECISION, LetterKind.DECISION_CORRECTED):
            self.dated[f"{kind}:{d.pk}"] = d.decided_on
            if letter := self.letter_by_key.get(f"{kind}:{d.pk}"):
                links.append((_letter_href(letter), _("Afgørelsesbrevet (PDF)")))
        if replaced_by is not None:
            links.append((f"#afgoerelse-{replaced_by.pk}", _("Den nye afgørelse")))
        view = reverse("web:decision_view", args=[self.case.pk, d.pk])
        standing = d.status == DecisionStatus.ACTIVE
        links.append(
            (view, _("Ret eller tilbagekald afgørelsen"))
            if standing and self.may_decide
            else (view, _("Se afgørelsen"))
        )
        if standing:
            badge = ("success" if outcome == DecisionOutcome.GRANTED else "error", outcome.label)
        else:
            badge = ("warning", DecisionStatus(d.status).label)
        self.add(
            d.decided_on,
            "afgoerelse",
            d.pk,
            _("Afgørelse"),
            f"{self.title(d.offer)}: {outcome.label.lower()}",
            lines=lines,
            links=links,
            badge=badge,
            by_id=d.decided_by_id,
            struck=not standing,
        )
        if d.status == DecisionStatus.WITHDRAWN:
            self.withdrawal(d)

    def withdrawal(self, d: Any) -> None:
        key = f"{LetterKind.DECISION_WITHDRAWAL}:{d.pk}"
        self.dated[key] = d.withdrawn_on
        letter = self.letter_by_key.get(key)
        self.add(
            d.withdrawn_on,
            "tilbagekaldelse",
            d.pk,
            _("Afgørelse"),  # one word the narrow column holds at 375 px
            _("Afgørelse tilbagekaldt: {offer}").format(offer=self.title(d.offer)),
            lines=[
                _("Begrundelse: {reason}").format(reason=d.withdrawal_reason),
                _("Klagefrist for tilbagekaldelsen: {deadline}.").format(
                    deadline=danish_date(d.withdrawal_complaint_deadline)
                )
                if d.withdrawal_complaint_deadline
                else _("Ingen klagefrist efter denne klagevej."),
            ],
            links=[(_letter_href(letter), _("Brevet om tilbagekaldelsen (PDF)"))] if letter else [],
            badge=("warning", _("Tilbagekaldt")),
            by_id=d.withdrawn_by_id,
        )

    def course(self, course: Course) -> None:
        title = self.title(course.offer)
        href = reverse("web:course", args=[course.pk])
        started = (
            _("Forløb startet: {offer} hos {provider}").format(
                offer=title, provider=course.provider.name
            )
            if course.provider_id
            else _("Forløb startet: {offer}").format(offer=title)
        )
        self.add(
            course.started_on,
            "forloeb",
            course.pk,
            _("Forløb"),
            started,
            lines=self.key_facts(course, Moment.START),
            links=[(href, _("Gå til forløbet"))],
            by_id=course.created_by_id,
        )
        for p in course.plans.all():
            self.add(
                p.agreed_on,
                "plan",
                p.pk,
                _("Behandlingsplan"),
                _("Behandlingsplan, version {version}: {label}").format(
                    version=p.version, label=Goal(p.goal).label
                ),
                lines=[_("Borgerens mål: {goals_text}").format(goals_text=p.goals_text)],
                by_id=p.recorded_by_id,
            )
        # a long course is mostly sessions: their words are looked up once, not per session
        group, talk = _("Gruppesession"), _("Samtale")
        attended = {a: (ATTENDANCE_TONE[a], str(a.label)) for a in Attendance}
        unrecorded, planned = ("warning", _("Fremmøde ikke registreret")), ("info", _("Planlagt"))
        for s in course.sessions.all():
            start, end = _local(s.starts_at), _local(s.ends_at)
            what = group if s.group_id else talk
            if s.attendance:
                badge = attended[s.attendance]
            elif start.date() < self.today:
                badge = unrecorded
            else:
                badge = planned
            self.add(
                start.date(),
                "samtale",
                s.pk,
                what,
                f"{what} kl. {start:%H:%M}–{end:%H:%M}",
                lines=[s.note] if s.note else [],
                badge=badge,
            )
        for r in course.status_reports.all():
            kind = StatusReportKind(r.kind).label
            self.add(
                r.submitted_on,
                "status",
                r.pk,
                kind,
                _("{kind} fra leverandøren").format(kind=kind),
                lines=[r.text],
                by_id=r.submitted_by_id,
            )
        if course.ended_on:
            lines = []
            if course.end_reason:
                lines.append(_("Årsag: {label}.").format(label=EndReason(course.end_reason).label))
            if course.outcome:
                lines.append(
                    _("Resultat: {label}.").format(
                        label=outcome_label(course.substance, course.outcome)
                    )
                )
            lines += self.key_facts(course, Moment.END)
            self.add(
                course.ended_on,
                "afslutning",
                course.pk,
                _("Forløb afsluttet"),
                _("Forløb afsluttet: {value}").format(value=title),
                lines=lines,
            )
        for p in course.self_payments.all():
            self.dated[f"{LetterKind.SELF_PAYMENT}:{p.pk}"] = _local(p.recorded_at).date()
        for f in course.follow_ups.all():
            if course.ended_on:
                self.dated[f"{LetterKind.FOLLOW_UP_INVITATION}:{f.pk}"] = course.ended_on
            title = ngettext(
                "Opfølgning {months} måned efter forløbet",
                "Opfølgning {months} måneder efter forløbet",
                f.months,
            ).format(months=f.months)
            if f.done_on is None:
                self.add(
                    f.due_on,
                    "opfoelgning",
                    f.pk,
                    _("Opfølgning"),
                    title,
                    lines=[_("Skal ske senest {due_on}.").format(due_on=_d(f.due_on))],
                    badge=("info", _("Planlagt")),
                )
                continue
            lines = (
                [_("Kanal: {label}.").format(label=FollowUpChannel(f.channel).label.lower())]
                if f.channel
                else []
            )
            lines.append(
                _("Borgeren blev truffet.") if f.reached else _("Borgeren blev ikke truffet.")
            )
            if f.outcome:
                label = outcome_label(course.substance, f.outcome)
                lines.append(_("Situation: {label}.").format(label=label))
            if f.months in FOLLOW_UP_MOMENTS:
                lines += self.key_facts(course, FOLLOW_UP_MOMENTS[f.months])
            self.add(
                f.done_on,
                "opfoelgning",
                f.pk,
                _("Opfølgning"),
                title,
                lines=lines,
                badge=("success", _("Udført")),
                by_id=f.recorded_by_id,
            )

    @staticmethod
    def key_facts(course: Course, moment: str) -> list[str]:
        """The moment's key facts as a line (prefetched with the case: no query)."""
        return [key_facts_line(k) for k in course.key_facts.all() if k.moment == moment]

    def complaint(self, k: Any) -> None:
        lines = [
            _("Modtaget inden for klagefristen.")
            if k.within_deadline
            else _("Modtaget efter klagefristen."),
            _("Genvurderes senest {reassess_by}.").format(reassess_by=_d(k.reassess_by)),
            k.text,
        ]
        if k.reassessed_on:
            lines.append(
                _("Genvurderet {reassessed_on}: {get_status_display}.").format(
                    reassessed_on=_d(k.reassessed_on), get_status_display=k.get_status_display()
                )
            )
            if k.forwarded_to:
                lines.append(
                    _("Sendt videre til {forwarded_to}.").format(forwarded_to=k.forwarded_to)
                )
        self.add(
            k.received_on,
            "klage",
            k.pk,
            _("Klage"),
            _("Klage modtaget"),
            lines=lines,
            badge=("info", k.get_status_display()),
            by_id=k.recorded_by_id,
        )

    def citizen_notice(self, n: Any) -> None:
        """The citizen's details were changed (a notice on every case of theirs)."""
        lines = [
            _("{field}: {old} → {new}").format(
                field=CITIZEN_FIELDS.get(name, name),
                old=change["old"] or _("(tom)"),
                new=change["new"] or _("(tom)"),
            )
            for name, change in n.changes.items()
        ]
        lines.append(_("Breve på borgerens sager sendes nu efter de nye oplysninger."))
        self.add(
            _local(n.changed_at).date(),
            "borger",
            n.pk,
            _("Borger"),
            _("Borgerens oplysninger ændret"),
            lines=lines,
            by_id=n.changed_by_id,
        )

    def region_referral(self, r: Any) -> None:
        """Referred to integrated treatment in the region (SUL § 82 c), and received there."""
        lines = [
            _("Henvist til {region}.").format(region=r.region),
            _(
                "Regionen skal påbegynde behandlingen senest {start_by} (14 dage efter "
                "modtagelsen af henvisningen; regionens frist)."
            ).format(start_by=_d(rules.integrated_treatment.start_by(r.referred_on))),
        ]
        if r.note:
            lines.append(r.note)
        self.add(
            r.referred_on,
            "region",
            r.pk,
            _("Integreret behandling"),
            _("Henvist til integreret behandling i regionspsykiatrien (SUL § 82 c)"),
            lines=lines,
            by_id=r.referred_by_id,
        )
        if r.accepted_on is None:
            return
        handed = [
            d
            for d in self.case.deadlines.all()
            if d.kind == DeadlineKind.TREATMENT_GUARANTEE and d.closed_reason
        ]
        lines = [
            _("Sundhedslovens §§ 141 og 142 gælder ikke længere for borgeren."),
            *(
                _("Behandlingsgarantien med frist {due_on} er lukket som overdraget.").format(
                    due_on=_d(d.due_on)
                )
                for d in handed
            ),
        ]
        self.add(
            r.accepted_on,
            "region-modtaget",
            r.pk,
            _("Integreret behandling"),
            _("Regionen har modtaget borgeren"),
            lines=lines,
            badge=("info", _("Overdraget")),
            by_id=r.accepted_by_id,
        )


def _timeline(
    case: Case,
    standard: Standard | None,
    letters: list[Letter],
    today: dt.date,
    may_decide: bool = False,
) -> list[Entry]:
    return _Timeline(case, standard, letters, today, may_decide).build()


def _citizen_age(case: Case, today: dt.date) -> int | None:
    """The citizen's age today: by the CPR's birth date, else (anonymous) the latest
    assessment's (prefetched); None when neither is known."""
    citizen = case.citizen if case.citizen_id else None
    born = citizen.birth_date if citizen else None
    if born is None:
        assessments = list(case.assessments.all())  # prefetched, newest first
        born = facts_birth_date(assessments[0].facts) if assessments else None
    return rules.age_on(born, today) if born and born <= today else None


def _to_decision(request: HttpRequest, case: Case, made: Any, message: str) -> HttpResponse:
    """After a decision is saved: `message` (with its complaint deadline) and the case page at
    the decision."""
    deadline = danish_date(made.complaint_deadline) or _("ingen")
    messages.success(request, message.format(deadline=deadline))
    url = reverse("web:case", args=[case.pk])
    return redirect(f"{url}?afgoerelse={made.pk}#afgoerelse-{made.pk}")


def _decision_content(data: dict[str, Any]) -> dict[str, Any]:
    """The decision form's content as `decision_record` and `decision_correct` take it."""
    fields = ("offer", "outcome", "decided_on", "send_channel", "free_choice_outcome")
    return {
        **{f: data[f] for f in fields},
        "free_choice_requested": data["free_choice_requested"].strip(),
        "override_reason": data["override_reason"],
        "note": data["note"],
    }


def _course_bases(case: Case, standard: Standard | None, today: dt.date) -> list[tuple[str, str]]:
    """What a new course can start on: a standing granted decision without a course, or (anonymous
    cases, offers the standard lets start without a decision) the offer itself, never one
    whose age band the citizen is outside today (no decision weighed it)."""
    started = {c.decision_id for c in case.courses.all() if c.decision_id}
    bases = [
        (
            f"d{d.pk}",
            _("Afgørelse {decided_on}: {offer}").format(
                decided_on=_d(d.decided_on), offer=_offer_title(standard, d.offer)
            ),
        )
        for d in case.decisions.all()
        if d.outcome == DecisionOutcome.GRANTED
        and d.status == DecisionStatus.ACTIVE
        and d.pk not in started
    ]
    active = any(c.status == CourseStatus.ACTIVE for c in case.courses.all())
    if standard is not None and not active:
        age = _citizen_age(case, today)
        bases += [
            (f"o{o.id}", _("{o} (uden afgørelse)").format(o=o.title))
            for o in standard.offers
            if (o.anonymous if case.anonymous else not o.treatment)
            and age_in_band(o.age, age) is not False
        ]
    return bases


def _citizen_form(request: HttpRequest, case: Case, data: Any = None) -> CitizenForm | None:
    """The form that changes the case's citizen, for the roles that may (None otherwise)."""
    citizen = case.citizen if case.citizen_id else None
    if citizen is None or not _may(request, Action.CITIZEN_UPDATE):
        return None
    fields = ("name", "address", "phone", "email", "version")
    return CitizenForm(data, prefix="borger", initial={f: getattr(citizen, f) for f in fields})


def _case_context(
    request: HttpRequest,
    case: Case,
    today: dt.date,
    start_form: CourseStartForm | None = None,
    citizen_form: CitizenForm | None = None,
) -> dict[str, Any]:
    standard = _standard(case.municipality.slug, today)
    letters = _letters(case)
    timeline = _timeline(case, standard, letters, today, _may(request, Action.DECISION_RECORD))
    saved = request.GET.get("afgoerelse", "")
    saved_letter = None
    for entry in timeline:
        if entry["kind"] == "afgoerelse" and str(entry["pk"]) == saved:
            entry["current"] = True
            pdfs = (href for href, _ in entry["links"] if href.endswith("/pdf"))
            saved_letter = next(pdfs, None)
    bases = _course_bases(case, standard, today) if _may(request, Action.COURSE_MANAGE) else []
    if start_form is None and bases:
        granted = next((b for b, _ in bases if b.startswith("d")), "")  # the usual start
        assessments = list(case.assessments.all())  # prefetched, newest first
        start_form = KeyFactsStartForm(
            initial={
                "version": case.version,
                "started_on": today,
                "basis": granted,
                **key_facts_defaults(assessments[0].facts if assessments else None),
            },
            bases=bases,
        )
    has_evaluation = bool(list(case.evaluations.all()))
    return {
        "head": _head(case, today),
        "timeline": timeline,
        "today": today,
        "may_assess": _may(request, Action.ASSESSMENT_RECORD),
        "may_decide": _may(request, Action.DECISION_RECORD) and has_evaluation,
        "start_form": start_form if bases else None,
        "courses": [
            (c, _offer_title(standard, c.offer), reverse("web:course", args=[c.pk]))
            for c in case.courses.all()
        ],
        "saved_decision": saved,
        "saved_letter": saved_letter,
        "citizen_form": citizen_form or _citizen_form(request, case),
        # integrated treatment in the region (SUL § 82 c), where raised or referred
        "region": region_section(request, case, today),
        "assign": assignment_panel(request, case),  # who holds the case
    }


@staff_page
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case: header with open deadlines, the timeline, and the actions the role may take."""
    case = _case(request, case_id, "sagsvisning")
    today = timezone.localdate()
    return render(request, "web/case/page.html", _case_context(request, case, today))


@require_POST
@staff_page
def course_start(request: HttpRequest, case_id: int) -> HttpResponse:
    """Start a course on a granted decision (or, without one, on an offer that needs none)."""
    case = _case(request, case_id, "forløbsstart")
    today = timezone.localdate()
    standard = _standard(case.municipality.slug, today)
    form = KeyFactsStartForm(request.POST, bases=_course_bases(case, standard, today))
    if form.is_valid():
        basis = form.cleaned_data["basis"]
        course = _save(
            form,
            services.course_start,
            actor=request.user,
            case_id=case.pk,
            version=form.cleaned_data["version"],
            started_on=form.cleaned_data["started_on"],
            decision_id=int(basis[1:]) if basis.startswith("d") else None,
            offer=basis[1:] if basis.startswith("o") else None,
            **{name: form.cleaned_data[name] for name in KEY_FACT_FIELDS},
        )
        if course is not None:
            messages.success(
                request,
                _("Forløbet er startet {started_on}.").format(started_on=_d(course.started_on)),
            )
            return redirect("web:course", course_id=course.pk)
    context = _case_context(request, case, today, start_form=form)
    return render(request, "web/case/page.html", context, status=_status(form))


@require_POST
@staff_page
def citizen_update(request: HttpRequest, case_id: int) -> HttpResponse:
    """Change the case's citizen's name and contact details: on every case of theirs, where
    their letters go (the case page's form; the service checks role and version)."""
    case = _case(request, case_id, "borgeroplysninger")
    if case.citizen_id is None:
        raise Http404
    form = _citizen_form(request, case, request.POST)
    if form is None:
        raise Forbidden(_("Din rolle må ikke ændre borgerens oplysninger."))
    if form.is_valid():
        data = form.cleaned_data
        citizen = _save(
            form,
            services.citizen_update,
            actor=request.user,
            citizen_id=case.citizen_id,
            version=data["version"],
            **{f: data[f] for f in ("name", "address", "phone", "email")},
        )
        if citizen is not None:
            messages.success(request, _("Borgerens oplysninger er gemt."))
            return redirect(reverse("web:case", args=[case.pk]) + "#borger")
    context = _case_context(request, case, timezone.localdate(), citizen_form=form)
    return render(request, "web/case/page.html", context, status=_status(form))


# --- the assessment and its live evaluation ----------------------------------------------------


def _offers(standard: Standard) -> list[tuple[str, str]]:
    return [(o.id, o.title) for o in standard.offers]


def _assessment_form(case: Case, standard: Standard, data: Any = None, **kw: Any) -> AssessmentForm:
    born = case.citizen.birth_date if case.citizen_id and case.citizen else None
    return AssessmentForm(
        data,
        offers=_offers(standard),
        birth_date_from_cpr=born,
        assessment_sections=standard.assessment_sections(),
        **kw,
    )


def _with_cpr_birth_date(case: Case, facts: dict[str, Any]) -> dict[str, Any]:
    """A named citizen is evaluated on the birth date of the CPR number, as the service
    stores it."""
    if not case.citizen_id or not case.citizen:
        return facts
    person = {**facts.get("person", {}), "birth_date": case.citizen.birth_date.isoformat()}
    return {**facts, "person": person}


@dataclass
class Panel:
    """The evaluation panel: every offer's status and reasons, actions and priorities."""

    offers: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    target_group: tuple[str, str] | None = None
    actions: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    age: int | None = None
    standard_version: str = ""
    on: dt.date | None = None
    error: str = ""
    form_errors: list[tuple[str, str]] = field(default_factory=list)


def _panel(case: Case, compiled: Any, facts: dict[str, Any], on: dt.date) -> Panel:
    """Evaluate `facts` (pure: nothing is written)."""
    try:
        result = rules.evaluate(compiled, _with_cpr_birth_date(case, facts), on)
    except RulesError as exc:
        label, message = rules_message(str(exc))
        return Panel(
            error=_("Vurderingen kan ikke laves – {label}: {message}").format(
                label=label, message=message
            )
        )
    standard = compiled.standard
    # translated once, not per offer and reason as the template shows them
    statuses = {k: (str(label), tone) for k, (label, tone) in STATUS.items()}
    marks = {k: (mark, str(words)) for k, (mark, words) in MARKS.items()}
    offers = []
    counts = {k: 0 for k in STATUS}
    for r in result.offers:
        counts[r.status] += 1
        label, tone = statuses[r.status]
        offers.append(
            {
                "id": r.offer.id,
                "title": r.offer.title,
                "status": r.status,
                "label": label,
                "tone": tone,
                "legal_basis": ", ".join(r.offer.legal_basis),
                "reasons": [
                    {
                        "text": reason.text,
                        "mark": marks[reason.met][0],
                        "words": marks[reason.met][1],
                        "missing": [fact_label(p) for p in reason.missing],
                    }
                    for reason in r.reasons
                ],
                "missing": [fact_label(p) for p in r.missing],
            }
        )
    group = marks[result.in_target_group]
    priorities = {p.id: p.text for p in standard.priorities}
    return Panel(
        offers=offers,
        counts=counts,
        target_group=(group[0], group[1]),
        actions=[a["text"] for a in result.actions],
        priorities=[priorities.get(p, p) for p in result.priorities],
        age=result.age,
        standard_version=result.standard_version,
        on=on,
    )


def _form_panel(case: Case, compiled: Any, form: AssessmentForm, on: dt.date) -> Panel:
    if form.is_valid():
        return _panel(case, compiled, form.facts(), on)
    errors = [(a, m) for a, m in form.summary() if a]  # the fields' own errors
    return Panel(
        error=_("Ret fejlene i formularen for at se vurderingen.") if errors else "",
        form_errors=errors,
    )


def _compiled(case: Case, on: dt.date) -> Any:
    try:
        return registry.load(case.municipality.slug, on)
    except RulesError as exc:
        raise Http404(f"Ingen kvalitetsstandard for {case.municipality.name}: {exc}") from None


@staff_page
def assessment(request: HttpRequest, case_id: int) -> HttpResponse:
    """The assessment facts with a live evaluation; saving records a new version."""
    case = _case(request, case_id, "udredning", parts=("assessments", "deadlines"))
    require(request.user, Action.ASSESSMENT_RECORD)
    today = timezone.localdate()
    compiled = _compiled(case, today)
    status = 200
    if request.method == "POST":
        form = _assessment_form(case, compiled.standard, request.POST)
        if form.is_valid():
            saved = _save(
                form,
                services.assessment_record,
                actor=request.user,
                case_id=case.pk,
                version=form.cleaned_data["version"],
                facts=form.facts(),
                on=today,
                sections=form.section_texts(),
            )
            if saved is not None:
                assessment_row = saved[0]  # (assessment, evaluation)
                messages.success(
                    request,
                    _(
                        "Udredningen er gemt som version {version}, og alle tilbud er vurderet."
                    ).format(version=assessment_row.version),
                )
                return redirect(reverse("web:assessment", args=[case.pk]) + "#vurdering")
        status = _status(form)
        panel = _form_panel(case, compiled, form, today)
    else:
        latest = _first(case.assessments)
        facts = latest.facts if latest else {}
        texts = latest.sections if latest else {}
        initial = {
            **initial_from_facts(facts),
            **{DESCRIPTION_PREFIX + key: text for key, text in texts.items()},
            "version": case.version,
        }
        if case.citizen_id:
            initial["person__birth_date"] = case.citizen.birth_date
        form = _assessment_form(case, compiled.standard, initial=initial)
        panel = _panel(case, compiled, facts, today)
    context = {
        "head": _head(case, today),
        "form": form,
        "panel": panel,
        "latest": _first(case.assessments),
        "may_decide": _may(request, Action.DECISION_RECORD),
        "today": today,
    }
    return render(request, "web/case/assessment.html", context, status=status)


def _preview_case(request: HttpRequest, case_id: int) -> Case:
    """The case for a live preview: scoped like every read, not logged again (the page the
    preview belongs to logged the read, and the preview only echoes what was typed)."""
    case = (
        visible_cases(request.user)
        .select_related("municipality", "citizen")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404("Sagen findes ikke.")
    return case


@require_POST
@staff_page
def assessment_preview(request: HttpRequest, case_id: int) -> HttpResponse:
    """The evaluation of the facts in the form, as they stand (htmx; writes nothing)."""
    case = _preview_case(request, case_id)
    require(request.user, Action.ASSESSMENT_RECORD)
    today = timezone.localdate()
    compiled = _compiled(case, today)
    form = _assessment_form(case, compiled.standard, request.POST)
    panel = _form_panel(case, compiled, form, today)
    context = {"panel": panel, "case": case, "may_decide": _may(request, Action.DECISION_RECORD)}
    return render(request, "web/case/_evaluation.html", context)


# --- the decision ---------------------------------------------------------------------------


@dataclass
class DecisionSetup:
    """The latest evaluation and the standard it was made under."""

    evaluation: Any
    compiled: Any
    offers: list[tuple[str, str]]

    @property
    def standard(self) -> Standard:
        return self.compiled.standard

    def providers(self, offer_id: str) -> list[tuple[str, str]]:
        offer = self.standard.offer(offer_id) if offer_id else None
        chosen = offer.providers if offer else [p.id for p in self.standard.providers]
        return [
            (p, (self.standard.provider(p).name if self.standard.provider(p) else p))
            for p in chosen
        ]


def _decision_setup(case: Case) -> DecisionSetup | None:
    evaluation = _first(case.evaluations)
    if evaluation is None:
        return None
    compiled = _compiled(case, evaluation.evaluated_on)
    statuses = {o["offer"]: o["status"] for o in evaluation.result.get("offers", [])}
    offers = [
        (o.id, f"{o.title} – {STATUS[statuses[o.id]][0]}")
        for o in compiled.standard.offers
        if o.id in statuses
    ]
    return DecisionSetup(evaluation, compiled, offers)


def _decision_form(
    case: Case,
    setup: DecisionSetup,
    offer: str,
    data: Any = None,
    form_class: type[DecisionForm] = DecisionForm,
    **kw: Any,
):
    return form_class(
        data,
        offers=setup.offers,
        providers=setup.providers(offer),
        default_provider=case.provider.name if case.provider_id else "",
        **kw,
    )


def _value(form: DecisionForm, name: str) -> Any:
    """A field's cleaned value if it is valid, else None (the preview works on part of a form)."""
    if form.is_bound and hasattr(form, "cleaned_data"):
        return form.cleaned_data.get(name)
    return form.initial.get(name)


def _decision_preview(case: Case, setup: DecisionSetup, form: DecisionForm) -> dict[str, Any]:
    """Reasoning and complaint guidance for the choices in the form (pure: nothing written)."""
    if form.is_bound:
        form.is_valid()
    offer_id = _value(form, "offer") or ""
    offer = setup.standard.offer(offer_id) if offer_id else None
    if offer is None:
        return {"ready": False}
    result = setup.evaluation.offer_result(offer_id) or {"status": "", "reasons": []}
    outcome = _value(form, "outcome") or ""
    decided_on = _value(form, "decided_on")
    channel = _value(form, "send_channel") or ""
    note = _value(form, "note") or ""
    override = (_value(form, "override_reason") or "").strip()
    preview: dict[str, Any] = {
        "ready": True,
        "offer": offer,
        "status": STATUS.get(result["status"], ("", ""))[0],
        "tone": STATUS.get(result["status"], ("", ""))[1],
        "legal_basis": ", ".join(with_seed_wording(setup.standard, offer.legal_basis)),
        "met": [r["text"] for r in result["reasons"] if r["met"] is True],
        "failed": [r["text"] for r in result["reasons"] if r["met"] is False],
        "unknown": [r["text"] for r in result["reasons"] if r["met"] is None],
        "outcome": outcome,
        "needs_override": outcome == DecisionOutcome.GRANTED
        and result["status"] != "eligible"
        and not override,
        "reasoning": decision_reasoning(
            offer, result, outcome, note, standard=setup.standard
        ).split("\n")
        if outcome
        else [],
    }
    facts = next(
        (a.facts for a in case.assessments.all() if a.pk == setup.evaluation.assessment_id), None
    )
    routes = rules.complaint_routes(setup.standard, offer, facts)
    route = routes.route
    preview["route"] = route
    if route is not None:
        preview["route_text"] = route_letter_text(route)  # as the letter says it
        preview["route_deadline_text"] = " ".join(route.deadline_text.split())
    preview["route_parts"] = [
        {
            "title": part.title,
            "route": part_route,
            "text": route_letter_text(part_route),
            "deadline_text": " ".join(part_route.deadline_text.split()),
        }
        for part, part_route in routes.parts
    ]
    if decided_on and channel in rules.CHANNELS:
        received = rules.received_on(decided_on, channel)
        deadline = rules.complaint_deadline(setup.standard, offer, received, facts)
        preview["decided_text"] = danish_date(decided_on)
        preview["channel"] = SENT_WITH[channel]
        preview["received_text"] = danish_date(received)
        preview["deadline_text"] = danish_date(deadline.date) if deadline else ""
        preview["moved_from"] = (
            danish_date(deadline.adjusted_from) if deadline and deadline.adjusted_from else ""
        )
    return preview


def _default_offer(request: HttpRequest, case: Case, setup: DecisionSetup) -> str:
    """The offer asked for (the link's ?tilbud=, the facts' wish, the contact's wish)."""
    known = {o for o, _ in setup.offers}
    latest = _first(case.assessments)
    wishes = (latest.facts.get("wishes") or {}) if latest else {}
    contacts = [c.requested_offer for c in case.contacts.all() if c.requested_offer]
    for offer in [request.GET.get("tilbud", ""), wishes.get("requested_offer", ""), *contacts]:
        if offer in known:
            return offer
    return ""


@staff_page
def decision(request: HttpRequest, case_id: int) -> HttpResponse:
    """Grant or refuse an offer on the latest evaluation, with reasoning and complaint
    guidance shown before saving."""
    parts = ("contacts", "assessments", "evaluations", "deadlines")
    case = _case(request, case_id, "afgørelse", parts=parts)
    require(request.user, Action.DECISION_RECORD)
    today = timezone.localdate()
    setup = _decision_setup(case)
    if setup is None:
        context = {"head": _head(case, today), "setup": None}
        return render(request, "web/case/decision.html", context, status=200)
    status = 200
    if request.method == "POST":
        offer = request.POST.get("offer", "")
        form = _decision_form(case, setup, offer, request.POST)
        if "forhaandsvis" not in request.POST and form.is_valid():
            data = form.cleaned_data
            made = _save(
                form,
                services.decision_record,
                actor=request.user,
                case_id=case.pk,
                version=data["version"],
                provider=data["provider"] or None,
                **_decision_content(data),
            )
            if made is not None:
                message = _(
                    "Afgørelsen er gemt, og brevet til borgeren er lagt i udbakken "
                    "(klagefrist {deadline})."
                )
                return _to_decision(request, case, made, message)
        if form.errors:
            status = _status(form)
    else:
        offer = _default_offer(request, case, setup)
        form = _decision_form(
            case,
            setup,
            offer,
            initial={
                "version": case.version,
                "offer": offer,
                "decided_on": today,
                "send_channel": SendChannel.DIGITAL_POST,
                "free_choice_outcome": FreeChoiceOutcome.NOT_REQUESTED,
            },
        )
    context = {
        "head": _head(case, today),
        "setup": setup,
        "form": form,
        "provider_for": offer,
        "preview": _decision_preview(case, setup, form),
        "evaluated_text": _d(setup.evaluation.evaluated_on),
    }
    return render(request, "web/case/decision.html", context, status=status)


@require_POST
@staff_page
def decision_preview(request: HttpRequest, case_id: int) -> HttpResponse:
    """The reasoning and complaint guidance for the form as it stands (htmx; writes nothing).
    When the offer changed, the provider list for the new offer comes along (out of band)."""
    case = (
        visible_cases(request.user)
        .select_related("municipality", "provider")
        .prefetch_related("evaluations", "assessments")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404("Sagen findes ikke.")
    require(request.user, Action.DECISION_RECORD)
    setup = _decision_setup(case)
    if setup is None:
        raise Http404(_("Sagen er ikke udredt."))
    offer = request.POST.get("offer", "")
    form = _decision_form(case, setup, offer, request.POST)
    context = {
        "preview": _decision_preview(case, setup, form),
        "form": form,
        "provider_for": offer,
        "providers_changed": request.POST.get("provider_for", "") != offer,
    }
    return render(request, "web/case/_decision_preview.html", context)


# --- one decision: withdraw it or correct it ------------------------------------------------

#: The letters about one decision, by the key their source gives them.
DECISION_LETTERS = (
    LetterKind.DECISION,
    LetterKind.DECISION_CORRECTED,
    LetterKind.DECISION_WITHDRAWAL,
)


def _decision_of(
    request: HttpRequest, case_id: int, decision_id: int, why: str, *more: str
) -> tuple[Case, Any]:
    """The case (its decisions, its deadlines for the header and the `more` parts a page
    needs) and its decision, or 404."""
    case = _case(request, case_id, why, parts=("decisions", "deadlines", *more))
    decision = next((d for d in case.decisions.all() if d.pk == decision_id), None)
    if decision is None:
        raise Http404(_("Afgørelsen findes ikke på sagen."))
    return case, decision


def _decision_page(
    request: HttpRequest,
    case: Case,
    decision: Any,
    form: DecisionWithdrawalForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    standard = _standard(case.municipality.slug, decision.decided_on)
    by_id = {d.pk: d for d in case.decisions.all()}
    replaces = next((d for d in by_id.values() if d.replaced_by_id == decision.pk), None)
    keys = [f"{kind}:{decision.pk}" for kind in DECISION_LETTERS]
    letters = [
        (_letter_href(letter), letter.title, LetterKind(letter.kind).label)
        for letter in Letter.objects.filter(case=case, key__in=keys)
        .defer("pdf", "context")
        .order_by("created_at", "pk")
    ]
    resting = [  # not the case's courses with all their sessions: these few rows
        (c, _offer_title(standard, c.offer), reverse("web:course", args=[c.pk]))
        for c in Course.objects.filter(decision=decision, status=CourseStatus.ACTIVE)
    ]
    names = _names({decision.decided_by_id, decision.withdrawn_by_id})  # one query
    active = decision.status == DecisionStatus.ACTIVE
    may_change = active and _may(request, Action.DECISION_RECORD)
    if form is None and may_change:
        form = DecisionWithdrawalForm(
            initial={
                "version": case.version,
                "withdrawn_on": today,
                "send_channel": decision.send_channel,
            }
        )
    context = {
        "head": _head(case, today),
        "decision": decision,
        "offer_title": _offer_title(standard, decision.offer),
        "outcome": DecisionOutcome(decision.outcome).label,
        "status_label": DecisionStatus(decision.status).label,
        "status_tone": {"active": "success", "withdrawn": "error", "corrected": "warning"}[
            decision.status
        ],
        "sent_with": SENT_WITH.get(decision.send_channel, decision.send_channel),
        "reasoning": decision.reasoning.split("\n"),
        "replaced_by": by_id.get(decision.replaced_by_id),
        "replaces": replaces,
        "letters": letters,
        "resting": resting,
        "may_change": may_change,
        "form": form if may_change else None,
        "withdraw_url": reverse("web:decision_withdraw", args=[case.pk, decision.pk]),
        "correct_url": reverse("web:decision_correct", args=[case.pk, decision.pk]),
        "withdrawn_by": names.get(decision.withdrawn_by_id or 0, ""),
        "decided_by": names.get(decision.decided_by_id, ""),
    }
    return render(request, "web/case/decision_view.html", context, status=status)


@staff_page
def decision_view(request: HttpRequest, case_id: int, decision_id: int) -> HttpResponse:
    """One decision: what was decided, its letters, and, for the roles that decide while it
    stands, the forms that withdraw it and open its correction."""
    case, decision = _decision_of(request, case_id, decision_id, "afgørelse")
    return _decision_page(request, case, decision)


@require_POST
@staff_page
def decision_withdraw(request: HttpRequest, case_id: int, decision_id: int) -> HttpResponse:
    """Withdraw the decision (the decision page's form; the service checks role, version,
    the reason and a course resting on it)."""
    case, decision = _decision_of(request, case_id, decision_id, "tilbagekaldelse")
    require(request.user, Action.DECISION_RECORD)
    form = DecisionWithdrawalForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = _save(
            form,
            services.decision_withdraw,
            actor=request.user,
            decision_id=decision.pk,
            version=data["version"],
            reason=data["reason"],
            withdrawn_on=data["withdrawn_on"],
            send_channel=data["send_channel"],
        )
        if done is not None:
            messages.success(
                request,
                _("Afgørelsen er tilbagekaldt, og brevet til borgeren er lagt i udbakken."),
            )
            url = reverse("web:case", args=[case.pk])
            return redirect(f"{url}#tilbagekaldelse-{decision.pk}")
    return _decision_page(request, case, decision, form, status=_status(form))


@staff_page
def decision_correct(request: HttpRequest, case_id: int, decision_id: int) -> HttpResponse:
    """Correct the decision: the decision form, filled in with it, with the reasoning and
    complaint guidance of the new one previewed, and why it is corrected."""
    case, old = _decision_of(
        request,
        case_id,
        decision_id,
        "ændring af afgørelse",
        "evaluations",
        "assessments",
        "contacts",
    )
    require(request.user, Action.DECISION_RECORD)
    if old.status != DecisionStatus.ACTIVE:
        return redirect("web:decision_view", case_id=case.pk, decision_id=old.pk)
    today = timezone.localdate()
    setup = _decision_setup(case)
    if setup is None:  # a decision rests on an evaluation: never without one
        raise Http404(_("Sagen er ikke udredt."))
    status = 200
    if request.method == "POST":
        offer = request.POST.get("offer", "")
        form = _decision_form(case, setup, offer, request.POST, form_class=DecisionCorrectionForm)
        if "forhaandsvis" not in request.POST and form.is_valid():
            data = form.cleaned_data
            made = _save(
                form,
                services.decision_correct,
                actor=request.user,
                decision_id=old.pk,
                version=data["version"],
                reason=data["reason"],
                provider=data["provider"] or "",
                **_decision_content(data),
            )
            if made is not None:
                message = _(
                    "Afgørelsen er ændret, og den nye afgørelse er lagt i udbakken til "
                    "borgeren (ny klagefrist {deadline})."
                )
                return _to_decision(request, case, made, message)
        if form.errors:
            status = _status(form)
    else:
        offer = old.offer
        form = _decision_form(
            case,
            setup,
            offer,
            form_class=DecisionCorrectionForm,
            initial={
                "version": case.version,
                "offer": old.offer,
                "outcome": old.outcome,
                "decided_on": today,
                "send_channel": old.send_channel,
                "provider": old.provider.slug if old.provider_id else "",
                "free_choice_requested": old.free_choice_requested,
                "free_choice_outcome": old.free_choice_outcome,
                "override_reason": old.override_reason,
            },
        )
    context = {
        "head": _head(case, today),
        "setup": setup,
        "form": form,
        "old": old,
        "old_title": _offer_title(setup.standard, old.offer),
        "provider_for": offer,
        "preview": _decision_preview(case, setup, form),
        "evaluated_text": _d(setup.evaluation.evaluated_on),
        "view_url": reverse("web:decision_view", args=[case.pk, old.pk]),
    }
    return render(request, "web/case/decision_correct.html", context, status=status)


# --- the course -----------------------------------------------------------------------------

FORMS = {"plan": PlanForm, "session": SessionForm, "report": ReportForm, "end": CourseEndForm}


def _form_kwargs(key: str, course: Course) -> dict[str, Any]:
    """The ending's outcome choices are those of the course's substance."""
    return {"substance": course.substance} if key == "end" else {}


def _course(request: HttpRequest, course_id: int, why: str = "forløb") -> tuple[Case, Course]:
    """The course and its case (read through `case_get`: scoped and logged)."""
    q = case_filter(request.user, "case__")
    case_id = (
        None
        if q is None
        else Course.objects.filter(q, pk=course_id).values_list("case_id", flat=True).first()
    )
    if case_id is None:
        raise Http404("Forløbet findes ikke.")
    case = _case(request, case_id, why)
    course = next(c for c in case.courses.all() if c.pk == course_id)
    return case, course


def _latest_key_facts(course: Course) -> dict[str, str]:
    """Housing and occupation as last recorded: the ending form starts from them (the use
    is asked anew)."""
    rows = sorted(course.key_facts.all(), key=lambda k: (k.recorded_on, k.pk))
    return {"housing": rows[-1].housing, "occupation": rows[-1].occupation} if rows else {}


def _no_show_streak(sessions: list[Session]) -> int:
    """Consecutive no-shows among the latest sessions with attendance (cancelled ones not
    counted), as `services.attendance_record` counts them."""
    streak = 0
    recorded = [s for s in sessions if s.attendance and s.attendance != Attendance.CANCELLED]
    for s in sorted(recorded, key=lambda s: s.starts_at, reverse=True):
        if s.attendance != Attendance.NO_SHOW:
            break
        streak += 1
    return streak


def _session_rows(sessions: list[Session]) -> list[dict[str, Any]]:
    """The sessions as the table shows them, every value ready: a long course has a row per
    session, and each lookup or filter in the template costs per row (a dict's key is the
    cheapest lookup)."""
    labels = {a: str(a.label) for a in Attendance}
    unrecorded = _("Ikke registreret")
    now = timezone.now()
    rows = []
    for s in sessions:
        start, end = _local(s.starts_at), _local(s.ends_at)
        anchor = f"samtale-{s.pk}"
        rows.append(
            {
                "pk": s.pk,
                "anchor": anchor,
                "day": _d(start.date()),
                "time": f"{start:%H:%M}–{end:%H:%M}",
                "group": s.group_id is not None,
                "attendance": s.attendance,
                "label": labels[s.attendance] if s.attendance else unrecorded,
                "href": reverse("web:attendance", args=[s.pk]),
                "described_by": f"{anchor}-dato {anchor}-tid",
                # attended or not once it has begun; before, it can only be cancelled
                "begun": s.starts_at <= now,
            }
        )
    return rows


def _sessions_context(request: HttpRequest, case: Case, course: Course) -> dict[str, Any]:
    sessions = list(course.sessions.all())
    streak = _no_show_streak(sessions)
    limit = rules.no_show_limit(_compiled(case, course.started_on).standard)
    return {
        "case": case,
        "course": course,
        "sessions": _session_rows(sessions),
        "streak": streak,
        "flag": streak >= limit,
        "no_show_limit": limit,
        "attendance_choices": [(value, str(label)) for value, label in Attendance.choices],
        "may_manage": _may(request, Action.COURSE_MANAGE) and course.status == CourseStatus.ACTIVE,
        "version": case.version,
    }


def _course_context(
    request: HttpRequest, case: Case, course: Course, bound: dict[str, CaseForm] | None = None
) -> dict[str, Any]:
    today = timezone.localdate()
    standard = _standard(case.municipality.slug, course.started_on)
    initial = {
        "plan": {"agreed_on": today},
        "session": {"day": today, "starts": dt.time(10, 0), "ends": dt.time(11, 0)},
        "report": {"submitted_on": today},
        "end": {"ended_on": today, **_latest_key_facts(course)},
    }
    bound = bound or {}
    forms = {
        key: bound[key]
        if key in bound
        else FORMS[key](
            prefix=key,
            initial={"version": case.version, **initial[key]},
            **_form_kwargs(key, course),
        )
        for key in FORMS
    }
    plans = list(course.plans.all())
    reports = list(course.status_reports.all())
    active = course.status == CourseStatus.ACTIVE
    return {
        "head": _head(case, today),
        "course": course,
        "offer_title": _offer_title(standard, course.offer),
        "plan": plans[0] if plans else None,
        "plans": plans,
        "reports": sorted(reports, key=lambda r: (r.submitted_on, r.pk)),
        "follow_ups": list(course.follow_ups.all()),
        "key_facts": key_facts_table(list(course.key_facts.all())),
        "outcome_label": outcome_label(course.substance, course.outcome) if course.outcome else "",
        "forms": forms,
        "active": active,
        "may_manage": _may(request, Action.COURSE_MANAGE) and active,
        "may_end": _may(request, Action.COURSE_END) and active,
        **_sessions_context(request, case, course),
    }


def _course_write(
    request: HttpRequest,
    course_id: int,
    key: str,
    service: Callable[..., Any],
    args: Callable[[dict[str, Any]], dict[str, Any]],
    done: Callable[[Any], str],
    anchor: str,
) -> HttpResponse:
    """One of the course page's forms: save through the service, or show the page again with
    this form's errors and what was typed."""
    case, course = _course(request, course_id, "forløb")
    form = FORMS[key](request.POST, prefix=key, **_form_kwargs(key, course))
    if form.is_valid():
        result = _save(
            form,
            service,
            actor=request.user,
            course_id=course.pk,
            version=form.cleaned_data["version"],
            **args(form.cleaned_data),
        )
        if result is not None:
            messages.success(request, done(result))
            return redirect(reverse("web:course", args=[course.pk]) + f"#{anchor}")
    context = _course_context(request, case, course, bound={key: form})
    context["focus"] = key
    return render(request, "web/case/course.html", context, status=_status(form))


@staff_page
def course_page(request: HttpRequest, course_id: int) -> HttpResponse:
    """The course: plan, sessions with attendance, status reports and the ending."""
    case, course = _course(request, course_id)
    return render(request, "web/case/course.html", _course_context(request, case, course))


@require_POST
@staff_page
def course_plan(request: HttpRequest, course_id: int) -> HttpResponse:
    return _course_write(
        request,
        course_id,
        "plan",
        services.plan_record,
        lambda d: {"goal": d["goal"], "goals_text": d["goals_text"], "agreed_on": d["agreed_on"]},
        lambda plan: _("Behandlingsplanen er gemt som version {version}.").format(
            version=plan.version
        ),
        "plan",
    )


def _moment(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


@require_POST
@staff_page
def course_session(request: HttpRequest, course_id: int) -> HttpResponse:
    return _course_write(
        request,
        course_id,
        "session",
        services.session_record,
        lambda d: {
            "starts_at": _moment(d["day"], d["starts"]),
            "ends_at": _moment(d["day"], d["ends"]),
            "note": d["note"].strip(),
        },
        lambda s: _("Samtalen {starts_at:%d.%m.%Y kl. %H:%M} er booket.").format(
            starts_at=_local(s.starts_at)
        ),
        "samtaler",
    )


@require_POST
@staff_page
def course_report(request: HttpRequest, course_id: int) -> HttpResponse:
    return _course_write(
        request,
        course_id,
        "report",
        services.status_report_record,
        lambda d: {"text": d["text"], "submitted_on": d["submitted_on"]},
        lambda r: _("Status af {submitted_on} er gemt.").format(submitted_on=_d(r.submitted_on)),
        "status",
    )


@require_POST
@staff_page
def course_end(request: HttpRequest, course_id: int) -> HttpResponse:
    def done(follow_ups: list[Any]) -> str:
        if not follow_ups:
            return _("Forløbet er afsluttet.")
        dates = " og ".join(_d(f.due_on) for f in follow_ups)
        return _("Forløbet er afsluttet. Opfølgning er planlagt {dates}.").format(dates=dates)

    return _course_write(
        request,
        course_id,
        "end",
        services.course_end,
        lambda d: {
            "ended_on": d["ended_on"],
            "reason": d["reason"],
            "outcome": d["outcome"],
            "final_report": d["final_report"],
            **{name: d[name] for name in KEY_FACT_FIELDS},
        },
        done,
        "afslutning",
    )


@require_POST
@staff_page
def attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    """Record attendance at a session. With htmx the sessions list comes back (and the case's
    new version for the page's other forms, out of band); without, the course page."""
    q = case_filter(request.user, "course__case__")
    course_id = (
        None
        if q is None
        else Session.objects.filter(q, pk=session_id).values_list("course_id", flat=True).first()
    )
    if course_id is None:
        raise Http404("Samtalen findes ikke.")
    form = AttendanceForm(request.POST)
    result = None
    if form.is_valid():
        result = _save(
            form,
            services.attendance_record,
            actor=request.user,
            session_id=session_id,
            version=form.cleaned_data["version"],
            attendance=form.cleaned_data["attendance"],
        )
    text = ""
    if result is not None:
        s = result["session"]
        text = _(
            "Fremmøde registreret for samtalen {starts_at:%d.%m.%Y kl. %H:%M}: {label}."
        ).format(starts_at=_local(s.starts_at), label=Attendance(s.attendance).label.lower())
        if result["flag"]:
            text += " " + _("Borgeren er udeblevet {no_show_streak} gange i træk.").format(
                no_show_streak=result["no_show_streak"]
            )
    if not _is_htmx(request):
        if result is None:
            for message in [m for _, m in form.summary()]:
                messages.error(request, message)
        else:
            messages.success(request, text)
        return redirect(reverse("web:course", args=[course_id]) + f"#samtale-{session_id}")
    case, course = _course(request, course_id, "fremmøde")
    context = {
        **_sessions_context(request, case, course),
        "status_text": text,
        "attendance_errors": [m for _, m in form.summary()] if result is None else [],
        # after a write the page's other forms carry the new version; after a failure the
        # buttons keep the version the page was loaded with (the user reloads)
        "oob_versions": [f"id_{key}-version" for key in FORMS] if result is not None else [],
    }
    if result is None:
        context["version"] = (
            form.cleaned_data.get("version") if hasattr(form, "cleaned_data") else None
        )
    return render(request, "web/case/_sessions.html", context)


urlpatterns = [
    path("sager/<int:case_id>/", case_page, name="case"),
    path("sager/<int:case_id>/udredning/", assessment, name="assessment"),
    path("sager/<int:case_id>/udredning/vurdering/", assessment_preview, name="assessment_preview"),
    path("sager/<int:case_id>/afgoerelse/", decision, name="decision"),
    path(
        "sager/<int:case_id>/afgoerelse/forhaandsvisning/",
        decision_preview,
        name="decision_preview",
    ),
    path(
        "sager/<int:case_id>/afgoerelser/<int:decision_id>/",
        decision_view,
        name="decision_view",
    ),
    path(
        "sager/<int:case_id>/afgoerelser/<int:decision_id>/tilbagekald/",
        decision_withdraw,
        name="decision_withdraw",
    ),
    path(
        "sager/<int:case_id>/afgoerelser/<int:decision_id>/ret/",
        decision_correct,
        name="decision_correct",
    ),
    path("sager/<int:case_id>/forloeb/start/", course_start, name="course_start"),
    path("sager/<int:case_id>/borger/", citizen_update, name="citizen_update"),
    path("forloeb/<int:course_id>/", course_page, name="course"),
    path("forloeb/<int:course_id>/plan/", course_plan, name="course_plan"),
    path("forloeb/<int:course_id>/samtaler/", course_session, name="course_session"),
    path("forloeb/<int:course_id>/status/", course_report, name="course_report"),
    path("forloeb/<int:course_id>/afslut/", course_end, name="course_end"),
    path("samtaler/<int:session_id>/fremmoede/", attendance, name="attendance"),
]
