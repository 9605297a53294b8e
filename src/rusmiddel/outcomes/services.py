"""Recording FIT scores (one per instrument and session) and key facts (one per course and
moment), each in the case's transaction and log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.cases.errors import Invalid
from rusmiddel.cases.models import Attendance, Course, Session
from rusmiddel.cases.services._common import (
    bump,
    event_date_check,
    local_date,
    locked_child,
    standard_on,
)
from rusmiddel.rules import outcomes as rules_outcomes
from rusmiddel.rules.errors import RulesError
from rusmiddel.rules.outcomes import FitInputError, FitProblem, fit_total
from rusmiddel.rules.schedule import COPENHAGEN
from rusmiddel.standards.schema import Instrument

from .key_facts import FOLLOW_UP_MOMENTS, key_facts_json, key_facts_put
from .models import FitScore, KeyFacts, Moment


def fit_problem_text(instrument: Instrument, problem: FitProblem, shown: str = "") -> str:
    """What is wrong with one line of an instrument, to be read next to it (in Danish unless
    the reader chose English); `shown` is the value as typed (a decimal comma kept)."""
    low, high = f"{instrument.item_min:g}", f"{instrument.item_max:g}"
    raw = shown or problem.raw
    if problem.kind == rules_outcomes.MISSING:
        return gettext("Udfyld linjen med et tal fra %(low)s til %(high)s.") % {
            "low": low,
            "high": high,
        }
    if problem.kind == rules_outcomes.NOT_A_NUMBER:
        return gettext("“%(raw)s” er ikke et tal. Skriv et tal fra %(low)s til %(high)s.") % {
            "raw": raw,
            "low": low,
            "high": high,
        }
    if problem.kind == rules_outcomes.OUT_OF_RANGE:
        return gettext("%(raw)s ligger uden for %(low)s–%(high)s.") % {
            "raw": raw,
            "low": low,
            "high": high,
        }
    if instrument.decimals == 0:
        return gettext("%(raw)s skal være et helt tal.") % {"raw": raw}
    return ngettext(
        "%(raw)s har mere end %(n)d decimal.",
        "%(raw)s har mere end %(n)d decimaler.",
        instrument.decimals,
    ) % {"raw": raw, "n": instrument.decimals}


def _fit_invalid(instrument: Instrument, problems: list[FitProblem]) -> Invalid:
    """Every bad line in one message, each named by its number and text; the field is the
    first one's."""
    lines = [
        gettext("Linje %(n)d (%(item)s): %(text)s")
        % {
            "n": p.index + 1,
            "item": instrument.items[p.index],
            "text": fit_problem_text(instrument, p),
        }
        for p in problems
    ]
    return Invalid(
        f"{instrument.id.upper()}: {' '.join(lines)}", field=f"items[{problems[0].index}]"
    )


def fit_record(
    *, actor: Any, session_id: int, version: int, instrument: str, items: list[Any]
) -> FitScore:
    """Record (or correct) the ORS or SRS of a session, validated against the standard's
    instrument: the number of lines, the range and the decimals (Invalid names every bad
    line, in Danish, with the first as its field)."""
    with transaction.atomic():
        session, case = locked_child(
            Session,
            actor=actor,
            pk=session_id,
            version=version,
            action=Action.COURSE_MANAGE,
            path="course__case__",
            what="Samtale",
        )
        _session_held(session)
        standard = standard_on(case.municipality.slug, local_date(session.starts_at)).standard
        chosen = standard.instrument(instrument)
        if chosen is None:
            known = (
                ", ".join(i.id for i in standard.outcome_measures.instruments)
                if standard.outcome_measures
                else "ingen"
            )
            raise Invalid(
                f"{standard.municipality.name}s standard har ikke instrumentet '{instrument}' "
                f"(kendte: {known}).",
                field="instrument",
            )
        try:
            scores, total = fit_total(chosen, items)
        except FitInputError as exc:
            raise _fit_invalid(chosen, exc.problems) from None
        except RulesError:
            got = len(items) if isinstance(items, list) else 0
            raise Invalid(
                f"{chosen.id.upper()} har {len(chosen.items)} linjer "
                f"({'; '.join(chosen.items)}), ikke {got}.",
                field="items",
            ) from None
        old = FitScore.objects.filter(session=session, instrument=chosen.id).first()
        score, _ = FitScore.objects.update_or_create(
            session=session,
            instrument=chosen.id,
            defaults={"items": [str(s) for s in scores], "total": total, "recorded_by": actor},
        )
        bump(case)
        audit_record(
            actor=actor,
            event=Event.FIT_RECORDED,
            write=True,
            case_id=case.pk,
            obj=score,
            old={"total": str(old.total)} if old else None,
            new={"instrument": chosen.id, "total": str(total)},
        )
    return score


def _session_held(session: Session) -> None:
    """FIT scores are the citizen's answers at a session: not before it has begun, nor for a
    session after the course's end (cancelled when it ended) or a cancelled one."""
    when = timezone.localtime(session.starts_at, COPENHAGEN)
    if session.starts_at > timezone.now():
        raise Invalid(
            f"Samtalen begynder {when:%d.%m.%Y kl. %H.%M}: FIT-scorer registreres ved eller "
            "efter samtalen.",
            field="session_id",
        )
    if session.attendance == Attendance.CANCELLED:
        raise Invalid(
            f"Samtalen den {when:%d.%m.%Y} er aflyst: der er ingen FIT-scorer at registrere.",
            field="session_id",
        )


#: Who may record each moment: the course's staff at the start, whoever ends it at the end,
#: whoever follows up at the follow-ups.
_MOMENT_ACTION = {
    Moment.START: Action.COURSE_MANAGE,
    Moment.END: Action.COURSE_END,
    Moment.FOLLOW_UP_1: Action.FOLLOW_UP_RECORD,
    Moment.FOLLOW_UP_6: Action.FOLLOW_UP_RECORD,
}


def key_facts_record(
    *,
    actor: Any,
    course_id: int,
    version: int,
    moment: str,
    recorded_on: dt.date,
    use_frequency: str,
    housing: str,
    occupation: str,
) -> KeyFacts:
    """Record (or correct) the key facts of one moment of a course: the start at any time,
    the end once the course has ended, a follow-up once it was done with the citizen
    reached. All three facts are required."""
    if moment not in Moment.values:
        raise Invalid(
            f"Ukendt tidspunkt '{moment}' (et af {', '.join(Moment.values)}).", field="moment"
        )
    with transaction.atomic():
        course, case = locked_child(
            Course,
            actor=actor,
            pk=course_id,
            version=version,
            action=_MOMENT_ACTION[Moment(moment)],
            path="case__",
            what="Forløb",
        )
        # measured on a day that has come (the start's facts, too: at or before the start)
        event_date_check(recorded_on, field="recorded_on", what="Nøgleoplysningernes dato")
        if moment == Moment.START:
            if course.ended_on and recorded_on > course.ended_on:
                raise Invalid(
                    f"recorded_on: Nøgleoplysningernes dato ({recorded_on:%d.%m.%Y}) ligger "
                    f"efter forløbets afslutning ({course.ended_on:%d.%m.%Y}).",
                    field="recorded_on",
                )
        elif course.ended_on is None:
            raise Invalid("Forløbet er ikke afsluttet.", field="moment")
        elif moment == Moment.END:
            event_date_check(
                recorded_on,
                field="recorded_on",
                what="Nøgleoplysningernes dato",
                follows=((course.started_on, "forløbets start"),),
            )
        else:
            months = next(n for n, m in FOLLOW_UP_MOMENTS.items() if m == moment)
            done = course.follow_ups.filter(months=months, done_on__isnull=False, reached=True)
            if not done.exists():
                raise Invalid(
                    f"Opfølgningen efter {months} måned{'er' if months > 1 else ''} er ikke "
                    "registreret med borgeren truffet.",
                    field="moment",
                )
            event_date_check(
                recorded_on,
                field="recorded_on",
                what="Nøgleoplysningernes dato",
                follows=((course.ended_on, "forløbets afslutning"),),
            )
        row, old = key_facts_put(
            course=course,
            moment=moment,
            recorded_on=recorded_on,
            values={"use_frequency": use_frequency, "housing": housing, "occupation": occupation},
            actor=actor,
        )
        bump(case)
        audit_record(
            actor=actor,
            event=Event.KEY_FACTS_RECORDED,
            write=True,
            case_id=case.pk,
            obj=row,
            old=old,
            new=key_facts_json(row),
        )
    return row
