"""National register records (SIB, NAB) and the EU TDI items from one course: pure mapping and
the validation of one record. No Django: the selector in `reporting.registers` reads the
database into a `CourseInput`, and this module turns it into a register row and its problems.

Every code comes from the data table `registers.json` (beside this file), so a code can be
corrected without a code change; docs/registers.md gives each field's source and what is
our reading.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .calendar import age_on
from .end_outcomes import course_substance

REGISTERS = ("sib", "nab", "tdi")
UNKNOWN = "99"  # TDI 3.0: not known
DATA_FILE = Path(__file__).with_name("registers.json")


@cache
def table() -> dict[str, Any]:
    """The mapping table (registers.json), read once."""
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def codes(name: str) -> dict[str, str]:
    return table()["codes"][name]


def columns(register: str) -> list[tuple[str, str]]:
    """The register's columns, in export order: (field name, Danish/English label)."""
    return [(n, label) for n, label in table()["registers"][register]["columns"]]


def spec(register: str) -> dict[str, Any]:
    return table()["registers"][register]


@dataclass(frozen=True)
class CourseInput:
    """What the database knows about one course, read by the selector (plain values only)."""

    municipality: str  # slug
    case_number: str
    anonymous: bool
    pseudonym: str
    cpr: str  # "" for anonymous cases
    birth_date: dt.date | None
    person_role: str
    course_id: int
    offer: str
    offer_known: bool  # the offer is in the standard in force at the start
    setting: str  # the offer's setting in the standard ("" when unknown)
    offer_substances: tuple[str, ...]
    offer_treatment: bool
    substance: str  # Course.substance ("" unset)
    provider: str  # provider slug
    started_on: dt.date
    ended_on: dt.date | None
    end_reason: str
    outcome: str
    request_date: dt.date | None  # the first contact's received_on
    contact_by: str
    guarantee_due: dt.date | None
    facts: Mapping[str, Any] = field(default_factory=dict)  # the latest assessment
    start_facts: Mapping[str, str] | None = None  # KeyFacts at START: use_frequency, housing…


@dataclass(frozen=True)
class Problem:
    """What is missing or invalid in one record for one register; `blocking` problems keep
    the record out of the export, the others are exported as unknown (99 / empty)."""

    field: str
    code: str
    message: str  # Danish, names the field
    blocking: bool = True


@dataclass
class RegisterRow:
    register: str
    course_id: int
    case_number: str
    anonymous: bool
    pseudonym: str
    values: dict[str, str]
    problems: list[Problem]

    @property
    def valid(self) -> bool:
        return not any(p.blocking for p in self.problems)


# --- the course's substance and scope ----------------------------------------------------


def substance_of(c: CourseInput) -> str:
    """drugs | alcohol | "": the course's own field, else the offer's single substance, else
    the latest assessment's primary substance."""
    return c.substance or course_substance(c.offer_substances, c.facts)


def in_scope(register: str, c: CourseInput, year: int) -> bool:
    """Whether the course belongs in `register` for `year`: a treatment course of a person
    with the substance problem, of the register's substance, in the period (SIB and NAB:
    active at some time in the year; TDI: started in the year); SIB: 18 or over at the start
    where the age is known (DanRIS/SIB cover adults)."""
    s = spec(register)
    if c.person_role != "user" or (c.offer_known and not c.offer_treatment):
        return False
    if substance_of(c) != s["substance"]:
        return False
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if s["period"] == "started":
        if not first <= c.started_on <= last:
            return False
    elif c.started_on > last or (c.ended_on is not None and c.ended_on < first):
        return False
    age = _age_at_start(c)
    return not (s["min_age"] is not None and age is not None and age < s["min_age"])


# --- TDI items ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SubstanceUse:
    substance: str
    injecting: bool = False
    frequency: int | None = None  # TDI frequency code 1–5 where known (1 = daily)
    position: int = 0  # its place in the assessment's list


def tdi_drug(substance: str) -> str:
    """The TDI 3.0 drug code of an assessment substance (9 = other)."""
    return codes("tdi_drug").get(substance, "9")


def _drug_rank(code: str) -> tuple[float, ...]:
    return tuple(float(p) for p in code.split("."))


def order_secondary(uses: Sequence[SubstanceUse]) -> list[SubstanceUse]:
    """Secondary drugs in TDI order: injected first, then by frequency (more frequent
    first, unknown last), then by the TDI drug list's order, then as recorded."""
    return sorted(
        uses,
        key=lambda u: (
            not u.injecting,
            u.frequency if u.frequency is not None else 99,
            _drug_rank(tdi_drug(u.substance)),
            u.position,
        ),
    )


def _uses(facts: Mapping[str, Any]) -> list[tuple[SubstanceUse, bool]]:
    listed = ((facts or {}).get("use") or {}).get("substances") or []
    rows = [s for s in listed if isinstance(s, Mapping) and s.get("substance")]
    return [
        (SubstanceUse(s["substance"], bool(s.get("injecting")), None, i), bool(s.get("primary")))
        for i, s in enumerate(rows)
    ]


def primary_and_secondary(facts: Mapping[str, Any]) -> tuple[SubstanceUse | None, list]:
    """The primary substance (marked primary, or the only one listed) and the secondary ones
    in TDI order."""
    uses = _uses(facts)
    primary = next((u for u, p in uses if p), uses[0][0] if len(uses) == 1 else None)
    rest = [u for u, _ in uses if u is not primary]
    return primary, order_secondary(rest)


def treatment_status(facts: Mapping[str, Any]) -> str:
    """1 never previously treated; 2 previously treated; 99 not known."""
    history = (facts or {}).get("history") or {}
    if history.get("previous_offers") or history.get("ever_in_contact_with_treatment_system"):
        return "2"
    if history.get("ever_in_contact_with_treatment_system") is False:
        return "1"
    return UNKNOWN


def sex_from_cpr(cpr: str) -> str:
    """TDI sex: 1 male, 2 female (the CPR number's last digit: odd male, even female)."""
    if len(cpr) == 10 and cpr[-1].isdigit():
        return "1" if int(cpr[-1]) % 2 else "2"
    return UNKNOWN


def _age_at_start(c: CourseInput) -> int | None:
    born = c.birth_date
    if born is None:
        raw = ((c.facts or {}).get("person") or {}).get("birth_date")
        try:
            born = dt.date.fromisoformat(raw) if raw else None
        except (TypeError, ValueError):
            born = None
    return age_on(born, c.started_on) if born else None


def _social(c: CourseInput, key: str) -> str:
    """Housing or occupation at the start: KeyFacts START, else the assessment."""
    if c.start_facts and c.start_facts.get(key):
        return c.start_facts[key]
    return ((c.facts or {}).get("social") or {}).get(key) or ""


def _code(name: str, value: str) -> str:
    return codes(name).get(value, UNKNOWN) if value else UNKNOWN


def _children(facts: Mapping[str, Any]) -> str:
    n = ((facts or {}).get("person") or {}).get("children_at_home")
    if isinstance(n, int):
        return "2" if n > 0 else "1"
    return UNKNOWN


def tdi_items(c: CourseInput) -> dict[str, str]:
    """The TDI 3.0 items of the course's start (99 where not known)."""
    primary, secondary = primary_and_secondary(c.facts)
    uses = _uses(c.facts)
    frequency = (c.start_facts or {}).get("use_frequency", "")
    age = _age_at_start(c)
    housing = _social(c, "housing")
    items = {
        "centre_type": _code("tdi_centre_type", c.setting),
        "treatment_status": treatment_status(c.facts),
        "year_of_start": str(c.started_on.year),
        "sex": sex_from_cpr(c.cpr),
        "age_at_start": str(age) if age is not None else UNKNOWN,
        "source_of_referral": _code("tdi_referral", c.contact_by),
        "living_with_whom": _code("tdi_living_with_whom", housing),
        "living_with_children": _children(c.facts),
        "living_where": _code("tdi_living_where", housing),
        "education": UNKNOWN,  # not recorded in the assessment
        "labour_status": _code("tdi_labour", _social(c, "occupation")),
        "primary_drug": tdi_drug(primary.substance) if primary else UNKNOWN,
        "route": _route(primary),
        "frequency": _code("tdi_frequency", frequency),
        "age_first_use": UNKNOWN,  # not recorded in the assessment
        "polydrug": ("1" if len(uses) > 1 else "2") if uses else UNKNOWN,
        "injecting": "2" if any(u.injecting for u, _ in uses) else UNKNOWN,
    }
    for i in range(4):
        items[f"secondary_drug_{i + 1}"] = (
            tdi_drug(secondary[i].substance) if i < len(secondary) else ""
        )
    return items


def _route(primary: SubstanceUse | None) -> str:
    """1 inject where the primary substance is injected; else the substance's usual route
    where it has one (alcohol: drink, cannabis: smoke); else 99."""
    if primary is None:
        return UNKNOWN
    if primary.injecting:
        return "1"
    return codes("tdi_route_default").get(primary.substance, UNKNOWN)


# --- SIB and NAB ---------------------------------------------------------------------------


def guarantee_status(c: CourseInput) -> str:
    """overholdt | ikke_overholdt | ikke_omfattet (no guarantee date: anonymous treatment or
    an offer the guarantee does not cover)."""
    if c.guarantee_due is None:
        return "ikke_omfattet"
    return "overholdt" if c.started_on <= c.guarantee_due else "ikke_overholdt"


def end_status(register: str, outcome: str) -> str:
    """The published end status of a course: SIB stoffri / reduceret_stabiliseret / andet;
    NAB alkoholfri / reduceret / henvist / andet."""
    if not outcome:
        return ""
    return codes(f"{register}_end_status").get(outcome, "andet")


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def smdb_items(register: str, c: CourseInput) -> dict[str, str]:
    waiting = (c.started_on - c.request_date).days if c.request_date else None
    values = {
        "cpr": "" if c.anonymous else c.cpr,
        "anonym": "1" if c.anonymous else "0",
        "anmodningsdato": _iso(c.request_date),
        "garantidato": _iso(c.guarantee_due),
        "behandlingsgaranti": guarantee_status(c),
        "ventedage": str(waiting) if waiting is not None else "",
        "startdato": _iso(c.started_on),
        "tilbud": c.offer,
        "behandlingstype": codes("smdb_treatment_type").get(c.setting, ""),
        "leverandoer": c.provider,
        "slutdato": _iso(c.ended_on),
        "afslutningsaarsag": codes("end_reason").get(c.end_reason, "") if c.end_reason else "",
        "slutstatus": end_status(register, c.outcome) if c.ended_on else "",
    }
    if register == "sib":
        primary, secondary = primary_and_secondary(c.facts)
        values |= {
            "hovedstof": tdi_drug(primary.substance) if primary else "",
            "bistoffer": ",".join(tdi_drug(u.substance) for u in secondary),
            "injektion": "1" if any(u.injecting for u, _ in _uses(c.facts)) else "0",
        }
    else:
        values["forbrug_start"] = _code(
            "tdi_frequency", (c.start_facts or {}).get("use_frequency", "")
        )
    return values


# --- one record and its problems -----------------------------------------------------------


def _problems(register: str, c: CourseInput, values: Mapping[str, str]) -> list[Problem]:
    found: list[Problem] = []

    def add(field: str, code: str, message: str, blocking: bool = True) -> None:
        found.append(Problem(field, code, message, blocking))

    if not values["kommunekode"]:
        add("kommunekode", "municipality_code", f"Kommunekode mangler for '{c.municipality}'.")
    if c.request_date is None:
        add("anmodningsdato", "no_request", "Anmodningsdato mangler: sagen har ingen henvendelse.")
    elif c.started_on < c.request_date:
        add("startdato", "start_before_request", "Startdato ligger før anmodningsdatoen.")
    if not c.offer_known:
        add(
            "behandlingstype",
            "unknown_offer",
            f"Behandlingstype ukendt: tilbuddet '{c.offer}' findes ikke i standarden.",
        )
    if c.ended_on is not None and c.ended_on < c.started_on:
        add("slutdato", "end_before_start", "Slutdato ligger før startdatoen.")
    primary, _ = primary_and_secondary(c.facts)
    if register in ("sib", "tdi") and primary is None:
        add(
            "hovedstof" if register == "sib" else "primary_drug",
            "no_primary",
            "Hovedstof mangler: udredningen angiver intet primært rusmiddel.",
        )
    if register == "tdi":
        unknown = {
            "treatment_status": "Tidligere behandling (udredningens historik)",
            "living_where": "Boligforhold ved start",
            "labour_status": "Beskæftigelse ved start",
            "frequency": "Forbrug ved start (nøgletal ved start)",
            "age_at_start": "Alder ved start",
        }
        for name, label in unknown.items():
            if values[name] == UNKNOWN:
                add(name, f"unknown_{name}", f"{label} mangler: indberettes som 99.", False)
        return found
    if not c.anonymous and not c.cpr:
        add("cpr", "no_cpr", "CPR-nummer mangler på en sag med navn.")
    if c.ended_on is not None:
        if not c.end_reason:
            add("afslutningsaarsag", "no_end_reason", "Afslutningsårsag mangler.")
        if not c.outcome:
            add("slutstatus", "no_outcome", "Slutstatus mangler: forløbet har intet resultat.")
    if register == "nab" and values["forbrug_start"] == UNKNOWN:
        add(
            "forbrug_start",
            "unknown_frequency",
            "Forbrug ved start mangler (nøgletal ved start): indberettes som 99.",
            False,
        )
    return found


def register_row(register: str, c: CourseInput) -> RegisterRow:
    """The course's record for `register` with its problems (the values as strings, in the
    register's columns)."""
    if register not in REGISTERS:
        raise ValueError(f"register: unknown register '{register}' (one of {REGISTERS})")
    values = {
        "kommunekode": table()["municipality_codes"].get(c.municipality, ""),
        "sagsnummer": c.case_number,
    }
    values |= tdi_items(c) if register == "tdi" else smdb_items(register, c)
    ordered = {name: values.get(name, "") for name, _ in columns(register)}
    return RegisterRow(
        register=register,
        course_id=c.course_id,
        case_number=c.case_number,
        anonymous=c.anonymous,
        pseudonym=c.pseudonym,
        values=ordered,
        problems=_problems(register, c, ordered),
    )
