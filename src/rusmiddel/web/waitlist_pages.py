"""The morning's waitlist (`Action.WAITLIST_READ`): who waits for which offer in the
standard's order, the earliest start each can be offered, warnings with days left for whoever
cannot start within the treatment guarantee and what would place them, and the eight-week
forecast with a what-if. A proposal is booked with one click (`Action.WAITLIST_BOOK`).

/venteliste/          the page (?efter=<key>: the page of the list after that row)
/venteliste/book/     POST: book one proposal (then back to the page)
/venteliste/garantibrud/   the breaches coming, a fragment the due list (/frister/) fetches
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from rusmiddel.accounts.permissions import Action, may
from rusmiddel.capacity.selectors import (
    Board,
    WaitRow,
    guarantee_kept_share,
    waitlist_board,
    waitlist_forecast,
    writes_mark,
)
from rusmiddel.capacity.services import proposal_book
from rusmiddel.cases import limits
from rusmiddel.cases.errors import Forbidden, NotFound, ServiceError
from rusmiddel.cases.scoping import require, staff_of
from rusmiddel.outcomes.models import UseFrequency
from rusmiddel.rules.forecast import Week
from rusmiddel.rules.waitlist import LEAD_TIME, Remedy

from .caseload import Due, case_href, person_label
from .pages import query_int, staff_page

#: Replications of the forecast on the page (the API runs as many; more only smooths).
PAGE_RUNS = 20
#: Rows of the waitlist a page shows; the rest behind "Næste side" (a keyset cursor).
PAGE_ROWS = 50
ORDER_TEXT = {
    "guarantee_days_left": gettext_lazy("færrest dage tilbage af behandlingsgarantien"),
    "priority": gettext_lazy("standardens prioriterede målgrupper"),
    "waiting_days": gettext_lazy("længst ventetid"),
}


def remedy_text(remedy: Remedy, providers: dict[str, str]) -> str:
    name = providers.get(remedy.line.provider, remedy.line.provider)
    start = f"{remedy.start:%d.%m.%Y}"
    if remedy.kind == "another_provider":
        return _("Et andet behandlingssted (%(name)s) kan starte %(start)s, hvis borgeren vil.") % {
            "name": name,
            "start": start,
        }
    what = {
        "places": _("Én plads mere"),
        "weekly_slots": _("Én opstartstid mere den uge"),
        "group": _("Én gruppeplads mere"),
    }[remedy.line.kind]
    return _("%(what)s hos %(name)s giver start %(start)s.") % {
        "what": what,
        "name": name,
        "start": start,
    }


def _row(r: WaitRow, board: Board, today: dt.date) -> dict[str, Any]:
    p = r.proposal
    due = p.waiting.guarantee_due
    return {
        "row": r,
        # dates as shown, worked out once here rather than by |date filters per row
        "guarantee_due": f"{due:%d.%m.%Y}" if due else "",
        "start": f"{p.start:%d.%m.%Y}" if p.start else "",
        "start_iso": p.start.isoformat() if p.start else "",
        "start_short": f"{p.start:%d.%m.}" if p.start else "",
        "href": case_href(r.case.pk),
        "person": person_label(r.case),
        "waited": (today - p.waiting.waiting_since).days,
        "due": Due.of(p.waiting.guarantee_due, today),
        "provider": board.providers.get(p.line.provider, p.line.provider) if p.line else "",
        "remedies": [remedy_text(x, board.providers) for x in p.remedies],
    }


def _share(share: float | None) -> str:
    """A share in whole per cent as `{% widthratio share 1 100 %} %` writes it, or "–"."""
    return "–" if share is None else f"{round(share * 100)} %"


def _week(base: Week, what_if: Week) -> dict[str, Any]:
    """A forecast week's figures as shown (48 rows of filters in the template otherwise)."""
    return {
        "week": base.week,
        "waiting": floatformat(base.waiting, 1),
        "in_time": _share(base.in_time_share),
        "what_if_waiting": floatformat(what_if.waiting, 1),
        "what_if_in_time": _share(what_if.in_time_share),
    }


def _cursor(raw: str | None) -> tuple[int, ...] | None:
    """`efter=3.-12.4711.5120`: the sort key of the last row shown (`WaitRow.key`)."""
    try:
        return tuple(int(x) for x in raw.split(".")) if raw else None
    except ValueError:
        return None


def _context(request: HttpRequest, now: dt.datetime, error: ServiceError | None = None):
    staff = staff_of(request.user)
    today = now.date()
    after = _cursor(request.GET.get("efter"))
    # what is counted from the data, not who waits, is kept in the cache until the next write
    mark = writes_mark(staff.municipality_id)
    board = waitlist_board(
        user=request.user, today=today, now=now, after=after, limit=PAGE_ROWS, mark=mark
    )
    rows = [_row(r, board, today) for r in board.rows]
    kept = guarantee_kept_share(municipality_id=staff.municipality_id, today=today, mark=mark)
    here = reverse("web:waitlist")
    forecasts = waitlist_forecast(
        user=request.user, today=today, runs=PAGE_RUNS, lines=board.lines, mark=mark
    )
    return {
        "today": today,
        "rows": rows,
        "total": board.total,
        "late": [_row(r, board, today) for r in board.late],
        "share": board.share,
        "kept": kept,
        "may_read_statistics": may(staff.role, Action.STATISTICS_READ),
        "order": [str(ORDER_TEXT[k]) for k in board.order],
        "lead_hours": int(LEAD_TIME.total_seconds() // 3600),
        "forecasts": [
            {
                "offer": f.offer,
                "title": f.title,
                "scenario": f.scenario,
                "group_seats": f.group_seats,
                "weeks": [_week(w, v) for w, v in zip(f.base.weeks, f.what_if.weeks, strict=True)],
            }
            for f in forecasts
        ],
        "next_url": (
            f"{here}?efter={'.'.join(map(str, board.next_after))}" if board.next_after else ""
        ),
        "first_url": here if after is not None else "",
        "book_url": reverse("web:waitlist_book"),
        "may_book": may(staff.role, Action.WAITLIST_BOOK),
        "may_manage_capacity": may(staff.role, Action.CAPACITY_MANAGE),
        "use_levels": UseFrequency.choices,
        "error": error,
        "booked": request.GET.get("booket", ""),
    }


@staff_page
@require_http_methods(["GET"])
def waitlist(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.WAITLIST_READ)
    return render(request, "web/waitlist/page.html", _context(request, timezone.localtime()))


@staff_page
@require_http_methods(["GET"])
def waitlist_breaches(request: HttpRequest) -> HttpResponse:
    """The breaches coming, as a fragment the due list fetches (htmx) below its deadlines:
    only those who cannot start within the guarantee are read (and logged)."""
    require(request.user, Action.WAITLIST_READ)
    now = timezone.localtime()
    today = now.date()
    board = waitlist_board(
        user=request.user, today=today, now=now, why="garantibrud", only_late=True
    )
    late = [_row(r, board, today) for r in board.rows]
    return render(request, "web/waitlist/_breaches.html", {"late": late})


@staff_page
@require_POST
def waitlist_book(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.WAITLIST_BOOK)
    now = timezone.localtime()  # one clock for the booking and the page shown again
    post = request.POST
    try:
        starts_on = dt.date.fromisoformat(post.get("starts_on", ""))
    except ValueError:
        starts_on = None
    if starts_on is not None and not limits.day_in_range(starts_on):
        starts_on = None  # the page posts a proposal's own day: a far one was not offered
    case_id, version, decision_id = (
        query_int(post.get(k)) for k in ("case", "version", "decision")
    )
    try:
        if None in (case_id, version, decision_id) or starts_on is None:
            raise NotFound(_("Forslaget findes ikke. Hent ventelisten igen."))
        course = proposal_book(
            actor=request.user,
            case_id=case_id,
            version=version,
            decision_id=decision_id,
            line=post.get("line", ""),
            starts_on=starts_on,
            use_frequency=post.get("use_frequency", ""),
            now=now,
        )
    except Forbidden:
        raise
    except ServiceError as exc:
        status = {"conflict": 409, "not_found": 404}.get(exc.code.value, 422)
        context = _context(request, now, error=exc)
        return render(request, "web/waitlist/page.html", context, status=status)
    return redirect(f"{reverse('web:waitlist')}?booket={course.case.number}")


urlpatterns = [
    path("venteliste/", waitlist, name="waitlist"),
    path("venteliste/book/", waitlist_book, name="waitlist_book"),
    path("venteliste/garantibrud/", waitlist_breaches, name="waitlist_breaches"),
]
