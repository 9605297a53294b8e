"""The group calendar: the municipality's group runs and their sessions, one run with its
enrolled courses, enrolment and attendance.

/grupper/                            the runs and a calendar of their sessions: a week
                                     (default, ?uge=2026-W49) or a month (?maaned=2026-12)
/grupper/<id>/                       one run: dates, enrolled courses, enrolment, attendance
                                     (a window of dates: ?fra=2026-12-07 or ?foer=2026-12-07)
/grupper/<id>/tilmeld/               enrol a course (POST, through `services.group_enrol`)
/grupper/<id>/fremmoede/<session>/   record attendance (POST; htmx answers the attendance list)

The calendar comes from the standard (`rules.group_sessions`, public holidays skipped), not
from booked sessions, so a run without enrolments still shows its dates. Personal data (the
enrolled courses) is read through `rusmiddel.cases.scoping.case_filter` and logged with
`audit_reads`; writes go through `rusmiddel.cases.services` with the case version the page
was loaded with. Every page makes a fixed number of queries whatever the number of
enrolments and sessions, and a run's attendance list shows a window of `DATES_SHOWN` dates
(a run that courses join all year has hundreds), so the page stays small however long it ran.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import holidays
from django import forms
from django.contrib import messages
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from rusmiddel import rules
from rusmiddel.accounts.models import Role
from rusmiddel.accounts.permissions import Action, may
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_reads
from rusmiddel.cases import services
from rusmiddel.cases.errors import Conflict, Forbidden, NotFound, ServiceError
from rusmiddel.cases.models import Attendance, Course, CourseStatus, Session
from rusmiddel.cases.scoping import case_filter
from rusmiddel.groups.models import Enrolment, Group
from rusmiddel.rules.errors import RulesError
from rusmiddel.standards import registry
from rusmiddel.standards.schema import WEEKDAYS, ClosedDays, Offer
from rusmiddel.web.pages import staff_for, staff_page

from .case_forms import CONFLICT_MESSAGE, CaseForm, date_field

WEEK_PARAM = re.compile(r"^(\d{4})-W(\d{1,2})$")
MONTH_PARAM = re.compile(r"^(\d{4})-(\d{1,2})$")
#: The attendance list shows this many of a run's dates at a time, by default the
#: `RECENT_SHOWN` latest before today (attendance is recorded afterwards) and the next ones.
DATES_SHOWN = 6
RECENT_RUN_DAYS = 365  # /grupper/ lists the runs started within this many days (and later)
RECENT_SHOWN = 3


# --- shared ---------------------------------------------------------------------------------


def _groups(staff: Any) -> QuerySet[Group]:
    """The runs the user may see: the own municipality's (a provider's staff: its own)."""
    rows = Group.objects.filter(municipality_id=staff.municipality_id)
    if staff.role == Role.PROVIDER_STAFF:
        rows = rows.filter(provider_id=staff.provider_id)
    return rows


def _longest_run(slug: str) -> dt.timedelta:
    """The longest any run of the municipality's group offers lasts, in any version of its
    standard (`rules.longest_run`); a version that does not load gives its runs no calendar."""
    longest = dt.timedelta(0)
    for on in registry.versions(slug):
        try:
            offers = registry.load(slug, on).standard.offers
        except RulesError:
            continue
        for offer in offers:
            if offer.schedule is not None:
                longest = max(longest, rules.longest_run(offer.schedule))
    return longest


@lru_cache(maxsize=16)
def _danish_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("DK", years=year, language="da")


def _holiday(day: dt.date) -> str:
    return _danish_holidays(day.year).get(day) or "helligdag"


def _offer(offer_on: Callable[[dt.date, str], Offer | None], group: Group) -> Offer | None:
    """The run's offer in the standard in force when it starts (`registry.offer_lookup`)."""
    try:
        return offer_on(group.starts_on, group.offer)
    except RulesError:
        return None


@dataclass
class Meeting:
    """One date of a run's calendar: a session, or a regular date skipped for a holiday."""

    group: Group
    day: dt.date
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    holiday: str = ""  # the skipped public holiday's Danish name
    enrolled: int = 0

    @property
    def skipped(self) -> bool:
        return bool(self.holiday)

    @property
    def title(self) -> str:
        """The date with its weekday in the active language ("Mandag 15.03.2027")."""
        return capfirst(dateformat.format(self.day, "l d.m.Y"))

    @property
    def hours(self) -> str:
        """The session's hours, "16:00–18:00" ("" for a skipped date)."""
        if self.start is None or self.end is None:
            return ""
        return f"{timezone.localtime(self.start):%H:%M}–{timezone.localtime(self.end):%H:%M}"


def _meetings(group: Group, offer: Offer | None, closed: ClosedDays | None) -> list[Meeting]:
    """The run's sessions from the standard's calendar, with the regular dates skipped for a
    public holiday or one of the standard's closed days (`closed`) between them."""
    if offer is None or offer.schedule is None:
        return []
    try:
        sessions = rules.group_sessions(offer, group.starts_on, group.stop_day, closed=closed)
    except RulesError:
        return []
    if not sessions:
        return []
    meetings = [Meeting(group, s.start.date(), s.start, s.end) for s in sessions]
    schedule = offer.schedule
    weekday = WEEKDAYS.index(schedule.weekday) if schedule.weekday else group.starts_on.weekday()
    day = group.starts_on + dt.timedelta(days=(weekday - group.starts_on.weekday()) % 7)
    last = sessions[-1].start.date()
    while day <= last:
        if rules.is_public_holiday(day):
            meetings.append(Meeting(group, day, holiday=_holiday(day)))
        elif rules.is_closed(day, closed):
            meetings.append(Meeting(group, day, holiday=rules.closed_day_name(day, closed) or ""))
        day += dt.timedelta(weeks=1)
    return sorted(meetings, key=lambda m: (m.day, m.start is None, m.start or m.day))


def _closed(standard_on: Callable[[dt.date], Any], group: Group) -> ClosedDays | None:
    """The closed days of the standard in force when the run starts (None if none loads)."""
    try:
        standard = standard_on(group.starts_on)
    except RulesError:
        return None
    return standard.closed_days if standard else None


def _slug_of(group: Group) -> str:
    return group.municipality.slug


def _title(offer: Offer | None, group: Group) -> str:
    return offer.title if offer else group.offer


def _slug(staff: Any) -> str:
    return staff.municipality.slug


def _enrolled_counts(groups: list[Group]) -> dict[tuple[int, dt.date], int]:
    """Booked sessions per run and date (one query; counts, not persons)."""
    rows = (
        Session.objects.filter(group__in=[g.pk for g in groups])
        .values_list("group_id", "starts_at")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, dt.date], int] = {}
    for group_id, starts_at, n in rows:
        key = (group_id, timezone.localtime(starts_at).date())
        counts[key] = counts.get(key, 0) + n
    return counts


def _with_counts(meetings: list[Meeting], counts: dict[tuple[int, dt.date], int]) -> None:
    for m in meetings:
        if not m.skipped:
            m.enrolled = counts.get((m.group.pk, m.day), 0)


# --- the calendar ---------------------------------------------------------------------------


@dataclass
class Day:
    day: dt.date
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def weekday(self) -> str:
        return dateformat.format(self.day, "l")  # in the active language

    @property
    def anchor(self) -> str:
        return f"dag-{self.day.isoformat()}"


@dataclass
class Period:
    """The week or month shown, with its neighbours as query strings."""

    view: str  # "uge" or "maaned"
    first: dt.date
    last: dt.date
    label: str
    previous: str
    next: str
    other: str  # the other view of the same time


def _week(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"?uge={year}-W{week:02d}"


def _month(first: dt.date) -> str:
    return f"?maaned={first.year}-{first.month:02d}"


def _shift_month(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _period(request: HttpRequest, today: dt.date) -> tuple[Period, str]:
    """The period asked for (a week by default) and an error text for bad input."""
    error = ""
    raw_month = request.GET.get("maaned", "").strip()
    if raw_month:
        m = MONTH_PARAM.match(raw_month)
        if m and 1 <= int(m[2]) <= 12 and 1 <= int(m[1]) <= 9998:
            first = dt.date(int(m[1]), int(m[2]), 1)
            last = _shift_month(first, 1) - dt.timedelta(days=1)
            monday = first - dt.timedelta(days=first.weekday())
            return Period(
                "maaned",
                first,
                last,
                dateformat.format(first, "F Y").capitalize(),  # in the active language
                _month(_shift_month(first, -1)),
                _month(_shift_month(first, 1)),
                _week(monday),
            ), ""
        error = gettext("Måneden '{raw_month}' er ikke gyldig – skriv den som åååå-mm.").format(
            raw_month=raw_month
        )
    monday = today - dt.timedelta(days=today.weekday())
    raw_week = request.GET.get("uge", "").strip()
    if raw_week and not error:
        m = WEEK_PARAM.match(raw_week)
        try:
            if not m:
                raise ValueError(raw_week)
            monday = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError:
            error = gettext("Ugen '{raw_week}' er ikke gyldig – skriv den som åååå-Wuu.").format(
                raw_week=raw_week
            )
    sunday = monday + dt.timedelta(days=6)
    year, week, _ = monday.isocalendar()
    return Period(
        "uge",
        monday,
        sunday,
        gettext("Uge {week} {year} ({monday:%d.%m.} – {sunday:%d.%m.%Y})").format(
            week=week, year=year, monday=monday, sunday=sunday
        ),
        _week(monday - dt.timedelta(weeks=1)),
        _week(monday + dt.timedelta(weeks=1)),
        _month(monday.replace(day=1)),
    ), error


@staff_page
def groups(request: HttpRequest) -> HttpResponse:
    """The municipality's runs and the calendar of their sessions in a week or a month."""
    staff = staff_for(request, Action.CASE_READ)
    today = timezone.localdate()
    period, error = _period(request, today)
    slug = _slug(staff)
    # the table: the runs of the last year, the coming ones and any still meeting; years of
    # older runs are a link away (a run without a calendar has no last day to go by)
    with_finished = request.GET.get("afsluttede") == "1"
    year_ago = today - dt.timedelta(days=RECENT_RUN_DAYS)
    rows, older = _groups(staff), 0
    if not with_finished:
        # runs over before the year and the period shown are in no view of this page: they
        # are counted, not read (ten years of runs and their enrolments)
        since = min(year_ago, period.first) - _longest_run(slug)
        older = rows.filter(starts_on__lt=since).count()
        rows = rows.filter(starts_on__gte=since)
    runs = list(rows.select_related("provider").annotate(taken=Count("enrolments")).order_by())
    runs.sort(key=lambda g: (g.starts_on, g.title, g.pk))
    offer_on = registry.offer_lookup(slug)  # years of runs, a few versions of the standard
    standard_on = registry.standard_lookup(slug)
    group_url = _urls("web:group")
    shown: list[Meeting] = []
    for g in runs:
        offer = _offer(offer_on, g)
        g.offer_title = _title(offer, g)
        g.free = max(g.seats - g.taken, 0)
        meetings = _meetings(g, offer, _closed(standard_on, g))
        g.first_day = meetings[0].day if meetings else None
        g.last_day = meetings[-1].day if meetings else None
        # the table's cells written once here, not by tags and filters per row
        g.url = group_url(g.pk)
        g.starts = f"{g.first_day or g.starts_on:%d.%m.%Y}"
        g.stops = f"{g.stop_day:%d.%m.%Y}" if g.stop_day else ""
        g.ends = f"{g.last_day:%d.%m.%Y}" if g.last_day else "–"
        g.places = ngettext(
            "%(taken)s optaget, %(free)s ledig af %(seats)s",
            "%(taken)s optaget, %(free)s ledige af %(seats)s",
            g.free,
        ) % {"taken": g.taken, "free": g.free, "seats": g.seats}
        shown += [m for m in meetings if period.first <= m.day <= period.last]
    current = [g for g in runs if g.starts_on >= year_ago or (g.last_day and g.last_day >= today)]
    _with_counts(shown, _enrolled_counts([m.group for m in shown]) if shown else {})
    by_day: dict[dt.date, Day] = {}
    if period.view == "uge":
        for n in range(7):
            d = period.first + dt.timedelta(days=n)
            by_day[d] = Day(d)
    for m in sorted(shown, key=lambda m: (m.day, m.start or m.day, m.group.title)):
        by_day.setdefault(m.day, Day(m.day)).meetings.append(m)
    context = {
        "runs": runs if with_finished else current,
        "finished": len(runs) - len(current) + older,
        "with_finished": with_finished,
        "finished_url": "?" + urlencode({**request.GET.dict(), "afsluttede": "1"}),
        "period": period,
        "days": [by_day[d] for d in sorted(by_day)],
        "period_error": error,
        "this_week": _week(today - dt.timedelta(days=today.weekday())),
        "may_manage_groups": may(staff.role, Action.GROUP_MANAGE),
    }
    return render(request, "web/groups/groups.html", context)


# --- one run --------------------------------------------------------------------------------


class _CourseField(forms.ChoiceField):
    def valid_value(self, value: Any) -> bool:
        form = getattr(self, "form", None)
        return form.valid_value(str(value)) if form else super().valid_value(value)


class EnrolForm(CaseForm):
    """The course to enrol (its value carries the case version the page was loaded with)."""

    course = _CourseField(
        label=gettext_lazy("Forløb"),
        choices=[],
        error_messages={
            "required": gettext_lazy("Vælg forløbet, der skal tilmeldes."),
            "invalid_choice": gettext_lazy(
                "Vælg et af de viste forløb (hent siden igen, hvis det mangler)."
            ),
        },
    )
    enrolled_on = date_field(gettext_lazy("Tilmeldt fra"))

    def __init__(self, *args: Any, courses: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].form = self
        self.fields["course"].choices = [
            ("", gettext("Vælg forløb")),
            *((c.value, c.label) for c in courses),
        ]
        self.fields["course"].help_text = gettext(
            "Aktive forløb i tilbuddet, som ikke er tilmeldt."
        )

        self.course_ids = {c.pk for c in courses}

    def clean_version(self) -> int | None:
        return 0  # the version travels with the chosen course

    def valid_value(self, value: str) -> bool:
        """A course of the list, whatever the version it was shown with (a stale version is
        the service's conflict, told as such)."""
        course_id, _, version = value.partition("-")
        return course_id.isdigit() and version.isdigit() and int(course_id) in self.course_ids

    def clean(self) -> dict[str, Any]:
        data = forms.Form.clean(self)
        raw = data.get("course") or ""
        if raw:
            course_id, _, version = raw.partition("-")
            data["course_id"], data["case_version"] = int(course_id), int(version)
        return data


def _person(anonymous: bool, pseudonym: str, name: str | None) -> str:
    """The citizen as the page names them: a pseudonym for an anonymous case, "–" for a case
    without a citizen."""
    if anonymous:
        return gettext("{pseudonym} (anonym)").format(pseudonym=pseudonym or gettext("Uden navn"))
    return "–" if name is None else name


def _group(request: HttpRequest, staff: Any, group_id: int) -> tuple[Group, Offer | None]:
    group = (
        _groups(staff)
        .select_related("provider", "municipality")
        .annotate(taken=Count("enrolments"))
        .filter(pk=group_id)
        .first()
    )
    if group is None:
        raise Http404("Gruppen findes ikke.")
    offer = _offer(registry.offer_lookup(_slug(staff)), group)
    group.offer_title = _title(offer, group)
    group.free = max(group.seats - group.taken, 0)
    return group, offer


@dataclass(frozen=True)
class Candidate:
    """A course that may be enrolled, as the select shows it."""

    pk: int
    value: str  # "<course id>-<case version>": the version travels with the choice
    label: str


def _candidates(request: HttpRequest, group: Group) -> list[Candidate]:
    """Active courses of the run's offer, on cases the user may see, not yet enrolled (only
    what the select shows is read: no model instances, no more personal data)."""
    q = case_filter(request.user, "case__")
    if q is None:
        return []
    rows = (
        Course.objects.filter(
            q,
            # an active course has no end: the (municipality, end) index's open range
            municipality_id=group.municipality_id,
            ended_on__isnull=True,
            offer=group.offer,
            status=CourseStatus.ACTIVE,
        )
        .exclude(enrolments__group=group)
        .order_by("case__number", "pk")
        .values_list(
            "pk",
            "started_on",
            "case__version",
            "case__number",
            "case__anonymous",
            "case__pseudonym",
            "case__citizen__name",
        )
    )
    candidates = []
    for pk, started_on, version, number, anonymous, pseudonym, name in rows:
        label = f"{number} – {_person(anonymous, pseudonym, name)} (startet {started_on:%d.%m.%Y})"
        candidates.append(Candidate(pk, f"{pk}-{version}", label))
    return candidates


@dataclass
class SessionDay:
    meeting: Meeting
    sessions: list[Session] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"moede-{self.meeting.day.isoformat()}"


@dataclass
class DateWindow:
    """The run's dates shown in the attendance list, with the links to those before and after."""

    days: list[dt.date]
    total: int  # the run's dates in all
    older: str = ""  # query strings, "" when there are none
    newer: str = ""

    @property
    def query(self) -> str:
        """This window as a query string: the attendance forms post it, so their answer (the
        list again, or the page after a redirect) shows the same dates."""
        return f"?fra={self.days[0].isoformat()}" if self.days else ""


def _day_param(request: HttpRequest, name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.GET.get(name, "").strip())
    except ValueError:
        return None  # absent or garbled: the default window (the links write valid dates)


def _date_window(request: HttpRequest, dates: list[dt.date], today: dt.date) -> DateWindow:
    """Up to `DATES_SHOWN` of the sorted `dates`: from ?fra=, the latest before ?foer=, or
    by default the latest before today and the next ones (more of either where the other
    side has fewer, so a finished or future run fills the window too)."""
    start, before = _day_param(request, "fra"), _day_param(request, "foer")
    if start:
        days = [d for d in dates if d >= start][:DATES_SHOWN]
    elif before:
        days = [d for d in dates if d < before][-DATES_SHOWN:]
    else:
        past = [d for d in dates if d < today]
        upcoming = [d for d in dates if d >= today]
        n_upcoming = min(len(upcoming), DATES_SHOWN - min(len(past), RECENT_SHOWN))
        n_past = min(len(past), DATES_SHOWN - n_upcoming)
        days = past[len(past) - n_past :] + upcoming[:n_upcoming]
    anchor = start or before or today
    first = days[0] if days else anchor
    after = days[-1] + dt.timedelta(days=1) if days else anchor
    window = DateWindow(days, len(dates))
    if dates and dates[0] < first:
        window.older = f"?foer={first.isoformat()}"
    if dates and dates[-1] >= after:
        window.newer = f"?fra={after.isoformat()}"
    return window


def _urls(name: str, *args: Any) -> Callable[[int], str]:
    """`reverse(name, args=[*args, pk])` for each row of a list from one `reverse` (tens of
    µs each): the pk, the pattern's last argument, goes where a marker went."""
    marker = "987654321"
    head, _, tail = reverse(name, args=[*args, marker]).rpartition(marker)
    return lambda pk: f"{head}{pk}{tail}"


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


#: What the page shows of an enrolment, its case and citizen (and no more personal data is
#: read: no CPR number, no address).
SHOWN_OF_ENROLMENT = (
    "pk",
    "course_id",
    "course__case_id",
    "enrolled_on",
    "course__case__number",
    "course__case__version",
    "course__case__anonymous",
    "course__case__pseudonym",
    "course__case__citizen__name",
)


@dataclass(frozen=True)
class Enrolled:
    """An enrolment as the page shows it, with its course's case and citizen."""

    pk: int
    course_id: int
    case_id: int
    enrolled_on: dt.date
    number: str
    version: int
    person: str
    url: str  # the course's page

    @property
    def since(self) -> str:
        return f"{self.enrolled_on:%d.%m.%Y}"


def _attendance_context(
    request: HttpRequest, group: Group, offer: Offer | None, *, log: bool = True
) -> dict[str, Any]:
    """The run's dates, the enrolled courses the user may see and the attendance on the dates
    of the window asked for."""
    q = case_filter(request.user, "course__case__")
    enrolments: list[Enrolled] = []
    if q is not None:
        rows = (
            Enrolment.objects.filter(q, group=group)
            .order_by("course__case__number", "pk")
            .values_list(*SHOWN_OF_ENROLMENT)
        )
        course_url = _urls("web:course")
        enrolments = [
            Enrolled(
                pk, course_id, *shown, _person(anonymous, pseudonym, name), course_url(course_id)
            )
            for pk, course_id, *shown, anonymous, pseudonym, name in rows
        ]
    # A run's sessions are booked with its enrolments (`services.group_enrol`), so those the
    # user may see are the visible enrolments' courses': no join to the cases to scope them.
    courses = {e.course_id: e for e in enrolments}
    visible = Session.objects.filter(group=group, course_id__in=list(courses))
    booked = (
        list(visible.values_list(TruncDate("starts_at")).annotate(n=Count("id")).order_by())
        if courses
        else []
    )  # counts per date, not persons: the dates' counts and the window's dates
    meetings = _meetings(group, offer, _closed(registry.standard_lookup(_slug_of(group)), group))
    _with_counts(meetings, {(group.pk, day): n for day, n in booked})
    calendar = {m.day: m for m in meetings if not m.skipped}
    # the dates of the calendar and those booked outside it (the standard changed)
    dates = sorted(calendar.keys() | {day for day, _ in booked})
    window = _date_window(request, dates, _today())
    sessions: list[Session] = []
    if courses and window.days:
        sessions = list(
            visible.filter(
                starts_at__gte=_midnight(window.days[0]),
                starts_at__lt=_midnight(window.days[-1] + dt.timedelta(days=1)),
            )
            .only("course", "starts_at", "ends_at", "attendance")
            .order_by()
        )
    for s in sessions:
        s.enrolled = courses[s.course_id]  # its case and citizen, read with the enrolments
    sessions.sort(key=lambda s: (s.starts_at, s.enrolled.number, s.pk))
    by_day = {d: SessionDay(calendar.get(d) or Meeting(group, d)) for d in window.days}
    action = _urls("web:group_attendance", group.pk)
    now = timezone.now()
    for s in sessions:
        s.begun = s.starts_at <= now  # attended or not once begun; before, only cancelled
        s.start = timezone.localtime(s.starts_at)
        s.end = timezone.localtime(s.ends_at)
        s.label = Attendance(s.attendance).label if s.attendance else gettext("Ikke registreret")
        s.action = action(s.pk) + window.query
        day = by_day.get(s.start.date())
        if day is None:  # booked since the dates were read
            day = by_day[s.start.date()] = SessionDay(Meeting(group, s.start.date()))
        if day.meeting.start is None:  # booked outside the calendar: the first session's time
            day.meeting.start, day.meeting.end = s.start, s.end
        day.sessions.append(s)
    if log and enrolments:
        audit_reads(
            actor=request.user,
            event=Event.CASE_LIST,
            case_ids=list(dict.fromkeys(e.case_id for e in enrolments)),
            why=f"gruppe {group.pk}",
        )
    return {
        "group": group,
        "meetings": meetings,
        "enrolments": enrolments,
        "session_days": [by_day[d] for d in sorted(by_day)],
        "window": window,
        "attendance_choices": Attendance.choices,
        "may_manage": may(request.user.staff.role, Action.COURSE_MANAGE),
    }


def _group_context(
    request: HttpRequest,
    group: Group,
    offer: Offer | None,
    form: EnrolForm | None = None,
) -> dict[str, Any]:
    context = _attendance_context(request, group, offer)
    full = group.taken >= group.seats
    # read even when the run is full (no form then): the page's queries stay the same, and
    # the bench compares them at demo and national scale, where a run may be full or not
    courses = _candidates(request, group) if context["may_manage"] else []
    if form is None:
        form = EnrolForm(prefix="enrol", courses=courses, initial={"enrolled_on": _today()})
    return {
        **context,
        "form": form,
        "courses": courses,
        "full": full,
    }


def _today() -> dt.date:
    return timezone.localdate()


@staff_page
def group_page(request: HttpRequest, group_id: int) -> HttpResponse:
    staff = staff_for(request, Action.CASE_READ)
    group, offer = _group(request, staff, group_id)
    return render(request, "web/groups/group.html", _group_context(request, group, offer))


def _enrol_error(form: EnrolForm, exc: ServiceError) -> None:
    if isinstance(exc, Conflict) and exc.field == "group_id":
        form.add_error(None, exc.message)  # "Gruppen er fuld (n pladser)."
    elif isinstance(exc, Conflict):
        form.add_error(None, gettext(CONFLICT_MESSAGE))
    elif exc.field == "enrolled_on":
        form.add_error("enrolled_on", exc.message)
    elif exc.field in {"course_id", "group_id"}:
        form.add_error("course", exc.message)
    else:
        form.add_error(None, exc.message)


@require_POST
@staff_page
def group_enrol(request: HttpRequest, group_id: int) -> HttpResponse:
    staff = staff_for(request, Action.COURSE_MANAGE)
    group, offer = _group(request, staff, group_id)
    courses = _candidates(request, group)
    form = EnrolForm(request.POST, prefix="enrol", courses=courses)
    if form.is_valid():
        try:
            enrolment = services.group_enrol(
                actor=request.user,
                course_id=form.cleaned_data["course_id"],
                version=form.cleaned_data["case_version"],
                group_id=group.pk,
                enrolled_on=form.cleaned_data["enrolled_on"],
            )
        except (NotFound, Forbidden):
            raise
        except ServiceError as exc:
            _enrol_error(form, exc)
        else:
            case = enrolment.course.case
            messages.success(
                request,
                gettext("{number} er tilmeldt {group} fra {enrolled_on:%d.%m.%Y}.").format(
                    number=case.number, group=group.title, enrolled_on=enrolment.enrolled_on
                ),
            )
            return redirect(reverse("web:group", args=[group.pk]) + "#tilmeldte")
    status = 409 if form.non_field_errors() else 422
    context = _group_context(request, group, offer, form=form)
    return render(request, "web/groups/group.html", context, status=status)


class GroupAttendanceForm(CaseForm):
    attendance = forms.ChoiceField(
        choices=Attendance.choices,
        error_messages={
            "required": gettext_lazy("Vælg fremmøde."),
            "invalid_choice": gettext_lazy("Vælg fremmøde."),
        },
    )


@require_POST
@staff_page
def group_attendance(request: HttpRequest, group_id: int, session_id: int) -> HttpResponse:
    """Record attendance at a group session. With htmx the run's attendance lists come back
    (every row with its case's current version); without, the run's page. Either shows the
    window of dates the form was posted from (its ?fra=)."""
    staff = staff_for(request, Action.COURSE_MANAGE)
    group, offer = _group(request, staff, group_id)
    q = case_filter(request.user, "course__case__")
    if q is None or not Session.objects.filter(q, pk=session_id, group=group).exists():
        raise Http404("Samtalen findes ikke.")
    form = GroupAttendanceForm(request.POST)
    result = None
    if form.is_valid():
        try:
            result = services.attendance_record(
                actor=request.user,
                session_id=session_id,
                version=form.cleaned_data["version"],
                attendance=form.cleaned_data["attendance"],
            )
        except (NotFound, Forbidden):
            raise
        except ServiceError as exc:
            form.add_service_error(exc)
    text = ""
    if result is not None:
        s = result["session"]
        text = gettext("Fremmøde registreret {starts_at:%d.%m.%Y kl. %H:%M}: {label}.").format(
            starts_at=timezone.localtime(s.starts_at), label=Attendance(s.attendance).label.lower()
        )
        if result["flag"]:
            text += " " + gettext("Borgeren er udeblevet {no_show_streak} gange i træk.").format(
                no_show_streak=result["no_show_streak"]
            )
    errors = [m for _, m in form.summary()] if result is None else []
    if request.headers.get("HX-Request") != "true":
        for message in errors:
            messages.error(request, message)
        if text:
            messages.success(request, text)
        start = _day_param(request, "fra")
        window = f"?fra={start.isoformat()}" if start else ""
        return redirect(reverse("web:group", args=[group.pk]) + window + "#fremmoede")
    context = _attendance_context(request, group, offer, log=False)
    courses = _candidates(request, group) if group.taken < group.seats else []
    oob = EnrolForm(prefix="enrol", courses=courses, initial={"enrolled_on": _today()})
    oob.fields["course"].widget.attrs["hx-swap-oob"] = "true"
    context.update(
        status_text=text,
        attendance_errors=errors,
        oob_form=oob if courses and group.taken < group.seats else None,
    )
    return render(request, "web/groups/_attendance.html", context)


urlpatterns = [
    path("grupper/", groups, name="groups"),
    path("grupper/<int:group_id>/", group_page, name="group"),
    path("grupper/<int:group_id>/tilmeld/", group_enrol, name="group_enrol"),
    path(
        "grupper/<int:group_id>/fremmoede/<int:session_id>/",
        group_attendance,
        name="group_attendance",
    ),
]
