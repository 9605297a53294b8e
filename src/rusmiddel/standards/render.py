"""Render a standard back as a readable Danish document (Markdown, or HTML from it).

The municipality holds this against its published standard to check that the file says
what the PDF says; so every rule shows its seed section and, where we had to choose, our
reading of it.

The HTML is shown as it is (`mark_safe`), yet the text comes from a file that may come from
an upload; so `to_html` gives the file's text Markdown and nothing more: raw HTML in it is
shown as text, never as markup, and a link or image keeps its target only when that is
http, https, mailto, tel or relative (not javascript:, data:, vbscript: or another scheme).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from typing import Any
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from pydantic import BaseModel

from rusmiddel.rules.compiled import CompiledStandard

from .citations import with_seed_wording
from .schema import AgeBand, Criterion, Offer, Standard

SETTING = {
    "outpatient": "ambulant",
    "day": "dagbehandling",
    "residential": "døgnbehandling",
    "digital": "digitalt",
    "outreach": "opsøgende",
}
DELIVERY = {
    "individual": "individuelt",
    "group": "i gruppe",
    "individual_or_group": "individuelt eller i gruppe",
    "family": "med familien",
    "course": "som kursus",
}
AUDIENCE = {
    "user": "borgeren med rusmiddelproblemet",
    "relative": "pårørende",
    "child": "børn",
    "parent": "forældre",
    "professional": "fagpersoner",
    "any": "alle",
}
PAYS_FOR = {"food": "kost", "laundry": "vask"}
SUBSTANCE = {"drugs": "stoffer", "alcohol": "alkohol"}
CHANNEL = {"attendance": "fremmøde", "phone": "telefon", "video": "video"}
WEEKDAY = {
    "monday": "mandag",
    "tuesday": "tirsdag",
    "wednesday": "onsdag",
    "thursday": "torsdag",
    "friday": "fredag",
    "saturday": "lørdag",
    "sunday": "søndag",
}


def _yes(value: bool) -> str:
    return "ja" if value else "nej"


def _age(band: AgeBand | None) -> str:
    if band is None:
        return "ingen aldersgrænse"
    if band.min is not None and band.max is not None:
        return f"{band.min}–{band.max} år"
    if band.min is not None:
        return f"fra {band.min} år"
    return f"under {band.max + 1} år"  # type: ignore[operator]


def _criteria(criteria: Iterable[Criterion]) -> list[str]:
    lines = []
    for c in criteria:
        lines.append(f"- {c.text} *(afsnit: {c.section})*")
        if c.reading:
            lines.append(f"  - Vores læsning: {c.reading}")
    return lines


def _offer(standard: Standard, offer: Offer) -> list[str]:
    providers = ", ".join(
        (p.name if (p := standard.provider(pid)) else pid) for pid in offer.providers
    )
    route = standard.complaint_route(offer.complaint_route)
    rows = [
        ("Lovgrundlag", ", ".join(with_seed_wording(standard, offer.legal_basis))),
        ("Form", f"{SETTING[offer.setting]}, {DELIVERY[offer.delivery]}"),
        ("Målgruppe", AUDIENCE[offer.audience]),
        ("Alder", _age(offer.age)),
        ("Leverandør", providers),
        ("Anonymt", _yes(offer.anonymous)),
        (
            "Behandlingsgaranti",
            _yes(offer.guarantee) + (f" – {offer.guarantee_note}" if offer.guarantee_note else ""),
        ),
        ("Klageadgang", route.title if route else "ingen klageadgang"),
    ]
    if offer.intensity:
        rows.append(("Intensitet", offer.intensity.text))
    if offer.duration:
        rows.append(("Varighed", offer.duration.text))
        for variant in offer.duration.variants:
            rows.append((f"Varighed, {_age(variant.age)}", variant.text))
    if offer.level_of_care:
        rows.append(("Behandlingsniveau (ASAM, vores kortlægning)", offer.level_of_care))
    lines = [
        f"### {offer.title}",
        "",
        f"*Id: `{offer.id}` · afsnit: {offer.section}*",
        "",
        offer.description,
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in rows]
    if offer.legal_basis_note:
        lines += ["", f"Note om lovgrundlag: {offer.legal_basis_note}"]
    if offer.reading:
        lines += ["", f"Vores læsning: {' '.join(offer.reading.split())}"]
    if offer.treatment or offer.criteria:
        lines += ["", "**Kriterier:**", ""]
        if offer.treatment:
            lines.append("- Borgeren er i målgruppen (se ovenfor)")
        if offer.age:
            lines.append(f"- Alder: {_age(offer.age)}")
        lines += _criteria(offer.criteria)
    if offer.schedule:
        s = offer.schedule
        day = WEEKDAY[s.weekday] if s.weekday else "samme ugedag som første mødegang"
        lines += [
            "",
            f"**Gruppekalender:** {s.sessions} gange, {day} kl. {s.start_time}–"
            f"{s.end_time}; helligdage springes over, og forløbet forlænges."
            + (" Løbende optag." if s.rolling_intake else ""),
        ]
        if s.stop_day:
            lines.append(f"Efter fælles stopdag: ekstra mødegang i {s.stop_day.weeks} uger.")
        if s.reading:
            lines.append(f"Vores læsning: {s.reading}")
    return lines + [""]


def to_markdown(compiled: CompiledStandard) -> str:
    """The whole standard as one Danish Markdown document."""
    s = compiled.standard
    m = s.municipality
    out = [
        f"# {s.title}",
        "",
        f"**{m.name}** – {m.department}  ",
        f"{m.address}  ",
        f"Gælder fra {s.valid_from:%d.%m.%Y} · version `{compiled.version}`  ",
        f"Kilde: {s.source}",
        "",
        "## Lovgrundlag",
        "",
    ]
    for basis in s.legal_bases:
        out.append(
            f"- **{basis.citation}**: {basis.text}"
            + (f" (standardens ordlyd: {basis.seed_wording})" if basis.seed_wording else "")
        )
    out += ["", "## Målgruppe", "", s.target_group.description, ""]
    out += _criteria(s.target_group.criteria)
    if s.target_group.reading:
        out += ["", f"Vores læsning: {' '.join(s.target_group.reading.split())}"]
    if s.treatment_criteria:
        out += ["", "**Gælder for alle behandlingstilbud:**", ""] + _criteria(s.treatment_criteria)
    out += ["", "## Udredningen", "", "Udredningen beskriver (og afgørelsen gengiver):", ""]
    for part in s.assessment_sections():
        out.append(
            f"- **{part.title}**"
            + (f": {' '.join(part.text.split())}" if part.text else "")
            + f" *(afsnit: {part.section})*"
        )
        if part.reading:
            out.append(f"  - Vores læsning: {' '.join(part.reading.split())}")
    out += ["", "## Tilbud", ""]
    for offer in s.offers:
        out += _offer(s, offer)
    if s.actions:
        out += ["## Handlepligter", ""]
        out += [f"- {a.text} *(afsnit: {a.section})*" for a in s.actions]
        out.append("")
    if s.priorities:
        out += ["## Prioriterede målgrupper", ""]
        for p in sorted(s.priorities, key=lambda p: p.rank):
            out.append(f"{p.rank}. {p.text} (gælder: {', '.join(p.offers)})")
        out.append("")
    if s.waitlist:
        keys = {
            "guarantee_days_left": "færrest dage tilbage af behandlingsgarantien",
            "priority": "prioriteret målgruppe (i rækkefølgen ovenfor)",
            "waiting_days": "længst ventetid",
        }
        out += [
            "## Venteliste",
            "",
            "Rækkefølge: "
            + "; derefter ".join(keys[k] for k in s.waitlist.order)
            + f". *(afsnit: {s.waitlist.section})*",
            "",
        ]
    d = s.deadlines
    out += [
        "## Frister",
        "",
        f"- **Behandlingsgaranti** ({with_seed_wording(s, [d.treatment_guarantee.basis])[0]}): "
        f"højst "
        f"{d.treatment_guarantee.days} dage. {d.treatment_guarantee.text}",
    ]
    for rule in d.treatment_guarantee.bases:
        where = []
        if rule.offers:
            where.append("tilbud: " + ", ".join(rule.offers))
        if rule.substances:
            where.append("alene " + " og ".join(SUBSTANCE[x] for x in rule.substances))
        if rule.max_age is not None:
            where.append(f"under {rule.max_age + 1} år")
        last = f"{d.treatment_guarantee.days} dage efter henvendelsen"
        said = " ".join(rule.text.replace("{date}", last).split()) if rule.text else rule.basis
        out.append(f"  - Garantiens grundlag ({'; '.join(where)}): {said}")
    out += [
        f"- **Klagefrist**: {d.complaint_weeks} uger fra modtagelsen af afgørelsen.",
        f"- **Opfølgning**: {', '.join(str(n) for n in d.follow_up.months)} måneder efter "
        f"afsluttet forløb ved {d.follow_up.by} "
        f"({', '.join(CHANNEL[c] for c in d.follow_up.channels)}). {d.follow_up.text}",
    ]
    if d.follow_up.substances:
        out.append(
            "  - Opfølgningen gælder forløb for "
            + " og ".join(SUBSTANCE[x] for x in d.follow_up.substances)
        )
    if not d.follow_up.anonymous:
        out.append("  - Anonyme forløb følges ikke op.")
    if d.status_reports:
        where = (
            f" (kun {', '.join(SETTING[x] for x in d.status_reports.settings)})"
            if d.status_reports.settings
            else ""
        )
        n = d.status_reports.every_months
        every = "" if n is None else ", hver måned" if n == 1 else f", hver {n}. måned"
        out.append(f"- **Status**{where}{every}: {d.status_reports.text}")
    if s.no_shows:
        out.append(f"- **Udeblivelser** ({s.no_shows.limit} i træk): {s.no_shows.text}")
    if s.closed_days:
        days = ", ".join(f"{c.name} ({c.day}/{c.month})" for c in s.closed_days.days)
        out.append(f"- **Lukkedage** ud over helligdagene: {days}")
    for named in s.typical_durations:
        out.append(f"- **{named.title}**: {named.text}")
    out += ["", "## Klagevejledning", ""]
    for r in s.complaint_routes:
        out += [
            f"### {r.title}",
            "",
            r.text,
            "",
            f"- Frist: {r.deadline_text}",
            f"- Klagen sendes til: {r.first_instance}" + (f", {r.address}" if r.address else ""),
        ]
        if r.reassessment:
            out.append(f"- Klagen genvurderes inden {r.reassessment_weeks} uger")
        if r.forwards_to:
            out.append(f"- Fastholdes afgørelsen, sendes klagen videre til {r.forwards_to}")
        if r.letter_text:
            out.append(f"- I brevet til borgeren: {' '.join(r.letter_text.split())}")
        out.append("")
    routing = s.complaint_routing
    for rule in routing.by_substance if routing else []:
        route, becomes = s.complaint_route(rule.route), s.complaint_route(rule.becomes)
        out.append(
            f"- En afgørelse for alene {' og '.join(SUBSTANCE[x] for x in rule.substances)} "
            f"følger «{becomes.title if becomes else rule.becomes}» i stedet for "
            f"«{route.title if route else rule.route}»."
        )
    for part in routing.parts if routing else []:
        route = s.complaint_route(part.route)
        out.append(
            f"- {part.title} ({', '.join(part.offers)}): «{route.title if route else part.route}»."
        )
    if routing:
        out.append("")
    fc = s.free_choice
    out += [
        "## Frit valg",
        "",
        f"{fc.text} ({', '.join(with_seed_wording(s, fc.legal_basis))})",
        "",
    ]
    out += [f"- {c}" for c in fc.conditions] + [""]
    for sp in s.self_payment:
        only = ", ".join(PAYS_FOR[x] for x in sp.keeps_rent_pays_only)
        out += [
            f"## {sp.title}",
            "",
            sp.text,
            "",
            f"Bevarer borgeren sin husleje, betales kun for: {only}.",
            "",
            (
                f"- Ophold: {sp.income_share:.0%} af indkomsten over rådighedsbeløbet, "
                f"højst {sp.stay_per_day_dkk:.2f} kr. pr. døgn"
                if sp.basis == "income"
                else f"- Ophold: {sp.stay_per_day_dkk:.2f} kr. pr. døgn"
            ),
            f"- Kost: {sp.food_per_day_dkk:.2f} kr. pr. døgn",
            f"- Vask: {sp.laundry_per_month_dkk:.2f} kr. pr. måned",
            f"- Rådighedsbeløb: mindst {sp.minimum_disposable_per_month_dkk:.2f} kr. pr. måned",
        ]
        if sp.amounts_are_examples:
            out.append("- *Beløbene er eksempler; kommunen fastsætter sine takster.*")
        out.append("")
    if s.outcome_measures:
        om = s.outcome_measures
        out += ["## Effektmåling (FIT)", "", om.licence, ""]
        for ins in om.instruments:
            when = "ved samtalens start" if ins.moment == "session_start" else "ved samtalens slut"
            out += [
                f"### {ins.title}",
                "",
                f"Udfyldes {when}; {len(ins.items)} linjer à {ins.item_min:g}–{ins.item_max:g}:",
                "",
            ]
            out += [f"- {item}" for item in ins.items]
            for c in ins.cutoffs:
                ages = f"{c.min_age or 0}–{c.max_age} år" if c.max_age else f"fra {c.min_age} år"
                out.append(f"- Klinisk grænse ({ages}): under {c.below:g}")
            if ins.reliable_change:
                out.append(f"- Pålidelig forandring: {ins.reliable_change:g} point")
            if ins.alliance_concern_below:
                out.append(
                    f"- Relationen tages op ved en samlet score under "
                    f"{ins.alliance_concern_below:g}"
                )
            if ins.reading:
                out.append(f"- Vores læsning: {' '.join(ins.reading.split())}")
            out.append("")
    if s.retention:
        out += ["## Opbevaring og sletning", ""]
        out += [f"- {r.text} (`{r.id}`, {r.months} måneder)" for r in s.retention.rules]
        if s.retention.periods_are_examples:
            out.append("- *Perioderne er eksempler; kommunen fastsætter dem efter arkivreglerne.*")
        out.append("")
    for section in s.texts:
        out += [f"## {section.title}", "", section.text, ""]
    return "\n".join(out).rstrip() + "\n"


def _with_readings(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every part of the standard that carries a `reading`, with its dotted location."""
    if isinstance(node, BaseModel):
        if getattr(node, "reading", None):
            yield where, node
        for name in type(node).model_fields:
            yield from _with_readings(getattr(node, name), f"{where}.{name}" if where else name)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            key = getattr(item, "id", None)
            yield from _with_readings(item, f"{where}[{key if key else i}]")


def readings_markdown(compiled: Iterable[CompiledStandard]) -> str:
    """Every reading we chose of a vague seed sentence, per standard: docs/readings.md."""
    out = [
        "# Readings of the seeds",
        "",
        "Where a seed sentence is vague, the standard file records the reading a caseworker",
        "would choose next to the rule (`reading:`), and a test named after the seed section",
        "holds it. This page is generated from the files (`rusmiddel standard readings`);",
        "a test keeps it current.",
        "",
    ]
    for c in compiled:
        out += [f"## {c.standard.municipality.name} (`{c.version}`)", ""]
        for where, part in _with_readings(c.standard, ""):
            section = getattr(part, "section", None)
            rule = getattr(part, "text", None)
            out.append(f"- `{where}`" + (f" — afsnit *{section}*" if section else ""))
            if rule:
                out.append(f"  - Regel: {' '.join(rule.split())}")
            out.append(f"  - Læsning: {' '.join(part.reading.split())}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


#: The targets a link or an image in a standard's text may have, besides a relative one.
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def safe_url(url: str) -> bool:
    """Whether `url` is relative or has a scheme of SAFE_SCHEMES, read as a browser reads it:
    character references decoded, and blanks and control characters (which a browser skips
    in `java\tscript:`) left out."""
    target = "".join(c for c in html.unescape(url) if c > " " and c != "\x7f")
    scheme, colon, _ = target.partition(":")
    if not colon or any(c in scheme for c in "/?#"):
        return True  # no scheme: relative (a colon after / ? # is in the path or the query)
    return scheme.lower() in SAFE_SCHEMES


class _SafeLinks(Treeprocessor):
    """A link or image with another target keeps its text, not its target."""

    def run(self, root: Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and not safe_url(value):
                    del element.attrib[attribute]


class _TextOnly(Extension):
    """Markdown without raw HTML (shown as text: python-markdown's documented replacement
    for its removed safe_mode) and with links and images to safe targets only."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # after every other tree step, 'unescape' (priority 0) included, which turns
        # `javascript\:` back into `javascript:`
        md.treeprocessors.register(_SafeLinks(md), "safe_links", -10)


def to_html(compiled: CompiledStandard) -> str:
    """The Markdown document as an HTML fragment, the file's text as text (see above)."""
    return markdown.markdown(to_markdown(compiled), extensions=["tables", _TextOnly()])
