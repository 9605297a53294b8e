"""Management statistics for heads of unit (and administrators): filters, figures as tables
and server-drawn SVG charts, and the same tables as CSV (Danish Excel: UTF-8 with BOM, `;`,
decimal comma) and XLSX.

The figures come from `rusmiddel.reporting.statistics` (aggregate SQL, counts only); this
module parses the filters and shapes the figures into tables and charts. The page, the CSV
and the XLSX are built from the same list of tables, so they always show the same figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import dateformat, timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy

from rusmiddel.accounts.models import Provider
from rusmiddel.accounts.permissions import Action
from rusmiddel.cases import limits
from rusmiddel.cases.models import EndOutcome, Substance
from rusmiddel.cases.scoping import require
from rusmiddel.reporting import statistics as st
from rusmiddel.rules.end_outcomes import GOALS
from rusmiddel.rules.guarantee import Tally
from rusmiddel.standards import registry
from rusmiddel.web.pages import staff_page

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y"]
#: The longest period the page answers for (the month chart stays readable).
MAX_MONTHS = 60

Cell = int | float | str | None


# ---------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------


class StatisticsForm(forms.Form):
    """The filters; every error names its field ("Til: …")."""

    start = forms.DateField(label=gettext_lazy("Fra"), input_formats=DATE_FORMATS)
    end = forms.DateField(label=gettext_lazy("Til"), input_formats=DATE_FORMATS)
    offer = forms.ChoiceField(label=gettext_lazy("Tilbud"), required=False)
    provider = forms.ChoiceField(label=gettext_lazy("Leverandør"), required=False)

    def __init__(self, *args: Any, offers: list, providers: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offer"].choices = [("", gettext("Alle tilbud")), *offers]
        self.fields["provider"].choices = [("", gettext("Alle leverandører")), *providers]
        for name, field in self.fields.items():
            label = field.label
            field.error_messages = {
                "required": gettext("%(field)s: skriv en dato.") % {"field": label},
                "invalid": gettext("%(field)s: datoen er ikke gyldig – skriv den som dd.mm.åååå.")
                % {"field": label},
                "invalid_choice": gettext("%(field)s: ukendt valg – vælg i listen.")
                % {"field": label},
            }
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(
                    format="%Y-%m-%d", attrs={"type": "date", "class": "form-input"}
                )
            else:
                field.widget.attrs["class"] = "form-select"
            field.widget.attrs["id"] = f"id_{name}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("start", "end"):
            if data.get(name) and not limits.day_in_range(data[name]):
                label = self.fields[name].label
                self.add_error(name, f"{label}: {gettext(limits.DATE_RANGE_MESSAGE)}")
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error(
                    "end", gettext("Til: slutdatoen ligger før startdatoen (Fra). Vælg en senere.")
                )
            elif (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
                self.add_error(
                    "start",
                    gettext("Fra: perioden må højst være %(months)d måneder.")
                    % {"months": MAX_MONTHS},
                )
        return data

    @property
    def summary(self) -> list[tuple[str, str]]:
        """(anchor, message) per error, for the error summary."""
        return [(f"id_{name}", str(e)) for name, errors in self.errors.items() for e in errors]

    @property
    def error_count(self) -> int:
        return len(self.summary)

    is_conflict = False

    def filters(self) -> st.Filters:
        data = self.cleaned_data
        return st.Filters(
            start=data["start"],
            end=data["end"],
            offer=data.get("offer") or "",
            provider_id=int(data["provider"]) if data.get("provider") else None,
        )


@dataclass
class Setup:
    staff: Any
    form: StatisticsForm
    offer_titles: dict[str, str]
    provider_names: dict[int, str]


def _setup(request: HttpRequest) -> Setup:
    staff = require(request.user, Action.STATISTICS_READ)
    municipality = staff.municipality
    today = timezone.localdate()
    standard = registry.load(municipality.slug, today).standard
    offers = {o.id: o.title for o in standard.offers}
    providers = {
        p.pk: p.name for p in Provider.objects.filter(municipalities=municipality).order_by("name")
    }
    start, end = st.default_period(today)
    data = {"start": start.isoformat(), "end": end.isoformat(), "offer": "", "provider": ""}
    data |= {k: request.GET[k] for k in data if k in request.GET}
    form = StatisticsForm(
        data,
        offers=list(offers.items()),
        providers=[(str(pk), name) for pk, name in providers.items()],
    )
    return Setup(
        staff=staff,
        form=form,
        offer_titles=offers,
        provider_names=providers,
    )


# ---------------------------------------------------------------------------------------
# Tables: the page, the CSV and the XLSX show these
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    key: str  # the sheet name and the HTML id
    title: str
    header: list[str]
    rows: list[list[Cell]]

    def shown(self) -> list[list[str]]:
        """The rows as the page shows them: shares and means with one decimal, in the
        language's number format; "–" for none."""
        return [[_shown(c) for c in row] for row in self.rows]


def _shown(value: Cell) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return number_format(value, decimal_pos=1)
    return str(value)


def _month_label(month: dt.date) -> str:
    return dateformat.format(month, "F Y")


def _outcome_columns() -> list[tuple[str, str]]:
    return [(o.value, str(o.label)) for o in EndOutcome] + [("", gettext("Ikke angivet"))]


def _guarantee_row(label: str, t: Tally) -> list[Cell]:
    return [label, t.met, t.missed, t.pending_overdue, t.counted, t.share, t.pending]


def tables(stats: st.Statistics, setup: Setup) -> list[Table]:
    g = stats.guarantee
    offer = setup.offer_titles.get
    provider = setup.provider_names.get
    result = [
        Table(
            "garanti",
            gettext("Behandlingsgaranti pr. måned for garantidatoen"),
            [
                gettext("Måned"),
                gettext("Holdt"),
                gettext("Startet for sent"),
                gettext("Ikke startet, garantidatoen passeret"),
                gettext("Afgjort i alt"),
                gettext("Andel holdt (%)"),
                gettext("Garantidatoen ikke passeret"),
            ],
            [_guarantee_row(_month_label(m.month), m.tally) for m in g.months]
            + [_guarantee_row(gettext("I alt"), g.tally)],
        ),
        Table(
            "ventetid",
            gettext("Ventetid fra henvendelse til start (dage)"),
            [gettext("Ventetid (dage)"), gettext("Startet")],
            [[label, n] for label, n in g.buckets]
            + [[gettext("I alt"), g.started], [gettext("Median (dage)"), g.median_days]],
        ),
    ]
    caseload_rows: list[list[Cell]] = []
    order = {offer_id: i for i, offer_id in enumerate(setup.offer_titles)}
    for anonymous in (False, True):
        rows = sorted(
            (r for r in stats.caseload if r.anonymous is anonymous),
            key=lambda r: (order.get(r.offer, len(order)), r.offer, provider(r.provider_id, "")),
        )
        if not rows and anonymous:
            continue
        caseload_rows += [
            [
                offer(r.offer, r.offer),
                provider(r.provider_id, "–") if r.provider_id else gettext("Ingen leverandør"),
                gettext("Ja") if anonymous else gettext("Nej"),
                r.active.shown,
                r.started.shown,
            ]
            for r in rows
        ]
        active = st.count_sum(r.active for r in rows)
        started = st.count_sum(r.started for r in rows)
        caseload_rows.append(
            [
                gettext("Anonyme forløb i alt") if anonymous else gettext("Navngivne forløb i alt"),
                "",
                "",
                active.shown,
                started.shown,
            ]
        )
    result.append(
        Table(
            "belastning",
            gettext("Forløb pr. tilbud og leverandør"),
            [
                gettext("Tilbud"),
                gettext("Leverandør"),
                gettext("Anonym"),
                gettext("Aktive ved periodens slut"),
                gettext("Startet i perioden"),
            ],
            caseload_rows,
        )
    )
    columns = _outcome_columns()
    result.append(
        Table(
            "resultater",
            gettext("Resultat ved afslutning i forhold til regeringens mål"),
            [gettext("Rusmiddel"), gettext("Afsluttede forløb")]
            + [label for _, label in columns]
            + [gettext("I et mål"), gettext("Andel i mål (%)")],
            [
                [
                    _substance_label(r.substance),
                    r.ended.shown,
                    *[r.by_outcome.get(o, st.Count_(0)).shown for o, _ in columns],
                    r.in_goal.shown if r.substance in GOALS else None,
                    r.share,
                ]
                for r in stats.outcomes
            ],
        )
    )
    result.append(
        Table(
            "opfoelgning",
            gettext("Opfølgning efter afsluttet forløb"),
            [
                gettext("Opfølgning"),
                gettext("Forfaldne i perioden"),
                gettext("Gennemført"),
                gettext("Borgeren nået"),
                gettext("Andel nået (%)"),
            ],
            [
                [
                    gettext("Efter %(months)d måned(er)") % {"months": r.months},
                    r.due.shown,
                    r.done.shown,
                    r.reached.shown,
                    r.share,
                ]
                for r in stats.follow_ups
            ],
        )
    )
    fit = stats.fit
    up = f" (≥ {fit.threshold:g})" if fit.threshold is not None else ""
    down = f" (≤ −{fit.threshold:g})" if fit.threshold is not None else ""
    result.append(
        Table(
            "fit",
            gettext("FIT: ændring i ORS fra første til seneste måling"),
            [
                gettext("Forløb med mindst to ORS-målinger"),
                gettext("Gennemsnitlig ændring (point)"),
                gettext("Pålidelig forbedring") + up,
                gettext("Andel forbedret (%)"),
                gettext("Pålidelig forværring") + down,
                gettext("Andel forværret (%)"),
            ],
            [
                [
                    fit.courses.shown,
                    fit.mean_change,
                    fit.improved.shown if fit.improved is not None else None,
                    fit.improved_share,
                    fit.deteriorated.shown if fit.deteriorated is not None else None,
                    fit.deteriorated_share,
                ]
            ],
        )
    )
    return result


def _substance_label(substance: str) -> str:
    return str(Substance(substance).label) if substance else gettext("Ikke angivet")


# ---------------------------------------------------------------------------------------
# Charts: SVG drawn on the server, readable in black and white (values written on the bars)
# ---------------------------------------------------------------------------------------

WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 640, 240, 44, 16, 34


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    centre: float  # x of the bar's middle, for its labels
    label: str  # under the axis
    value: str  # above the bar ("" for none)
    title: str  # the tooltip and the accessible name of the bar


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (y, text)
    baseline: float
    reference: float | None  # y of the 100 % line
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT


def _bar_chart(
    items: list[tuple[str, float | None, str]], top: float, ticks: list[float], unit: str
) -> BarChart:
    """Vertical bars for (label, value or None, value text) on a 0..top scale."""
    span = HEIGHT - TOP - BOTTOM
    baseline = TOP + span

    def y(value: float) -> float:
        return round(baseline - span * value / top, 1) if top else baseline

    slot = (WIDTH - LEFT - 10) / max(1, len(items))
    width = round(min(48.0, slot * 0.7), 1)
    bars = []
    for i, (label, value, text) in enumerate(items):
        centre = round(LEFT + slot * (i + 0.5), 1)
        top_y = y(value or 0)
        bars.append(
            Bar(
                x=round(centre - width / 2, 1),
                y=top_y,
                width=width,
                height=round(baseline - top_y, 1),
                centre=centre,
                label=label,
                value=text,
                title=f"{label}: {text}",
            )
        )
    return BarChart(
        bars=bars,
        ticks=[(y(t), f"{t:g}{unit}") for t in ticks],
        baseline=baseline,
        reference=y(100) if unit == " %" else None,
    )


def _nice_top(largest: int) -> tuple[int, list[float]]:
    """A round top of the scale and four or five ticks."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if largest <= step * 4:
            return step * 4, [step * i for i in range(5)]
    step = -(-largest // 4)
    return step * 4, [step * i for i in range(5)]


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} %"


def guarantee_chart(g: st.Guarantee) -> BarChart:
    items = [
        (dateformat.format(m.month, "b y"), m.share, _percent(m.share) if m.covered else "–")
        for m in g.months
    ]
    return _bar_chart(items, 100, [0, 25, 50, 75, 100], " %")


def waiting_chart(g: st.Guarantee) -> BarChart:
    top, ticks = _nice_top(max((n for _, n in g.buckets), default=0))
    return _bar_chart([(label, n, str(n)) for label, n in g.buckets], top, ticks, "")


#: Fills of the outcome chart: the goal categories dark to light, the rest white; they differ
#: in lightness, so they stay apart on a black-and-white print.
GOAL_FILLS = ("#003366", "#3d6fa8", "#9fbfe3")
REST_FILL = "#ffffff"


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    fill: str
    text: str  # written inside when there is room
    text_x: float
    dark: bool
    title: str


@dataclass(frozen=True)
class StackRow:
    y: float
    label: str
    segments: list[Segment]


@dataclass(frozen=True)
class StackChart:
    rows: list[StackRow]
    legend: list[tuple[float, str, str]]  # (x, fill, text)
    height: int
    legend_y: float
    width: int = WIDTH
    left: int = 110
    bar_height: int = 28


def outcome_chart(outcomes: list[st.OutcomeRow]) -> StackChart | None:
    """Per substance with a goal: a 100 % bar of the goal categories and the rest."""
    left, right, bar, gap = 110, WIDTH - 10, 28, 16
    rows: list[StackRow] = []
    labels = dict(EndOutcome.choices)
    for r in outcomes:
        goals = GOALS.get(r.substance)
        if not goals or r.ended.n == 0 or r.ended.suppressed:
            continue
        parts = [(labels[o], r.by_outcome.get(o, st.Count_(0)), fill)
                 for o, fill in zip(goals, GOAL_FILLS, strict=True)]  # fmt: skip
        rest = st.Count_(r.ended.n - r.in_goal.n, r.ended.anonymous - r.in_goal.anonymous)
        parts.append((gettext("Intet mål nået"), rest, REST_FILL))
        x, segments = float(left), []
        for text, count, fill in parts:
            width = round((right - left) * count.n / r.ended.n, 1)
            share = round(100 * count.n / r.ended.n)
            shown = "" if count.suppressed else f"{share} %"
            segments.append(
                Segment(
                    x=round(x, 1),
                    width=width,
                    fill=fill,
                    text=shown if width >= 36 else "",
                    text_x=round(x + width / 2, 1),
                    dark=fill in GOAL_FILLS[:2],
                    title=f"{text}: {shown or count.shown}",
                )
            )
            x += width
        rows.append(StackRow(y=10 + len(rows) * (bar + gap), label=_substance_label(r.substance),
                             segments=[s for s in segments if s.width > 0]))  # fmt: skip
    if not rows:
        return None
    legend_y = 10 + len(rows) * (bar + gap) + 6
    names = [
        gettext("Stof-/alkoholfri"),
        gettext("Reduceret"),
        gettext("Stabiliseret (stoffer) / henvist (alkohol)"),
        gettext("Intet mål nået"),
    ]
    legend, x = [], 10.0
    for fill, name in zip([*GOAL_FILLS, REST_FILL], names, strict=True):
        legend.append((round(x, 1), fill, name))
        x += 16 + 5.5 * len(name) + 20  # the box, the text at font size 10, a gap
    return StackChart(rows=rows, legend=legend, height=int(legend_y + 40), legend_y=legend_y)


# ---------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------


def _filter_summary(setup: Setup, filters: st.Filters) -> list[tuple[str, str]]:
    return [
        (gettext("Kommune"), setup.staff.municipality.name),
        (gettext("Periode"), f"{filters.start:%d.%m.%Y}–{filters.end:%d.%m.%Y}"),
        (
            gettext("Tilbud"),
            setup.offer_titles.get(filters.offer, filters.offer)
            if filters.offer
            else gettext("Alle tilbud"),
        ),
        (
            gettext("Leverandør"),
            setup.provider_names.get(filters.provider_id, "")
            if filters.provider_id
            else gettext("Alle leverandører"),
        ),
    ]


@staff_page
def statistics_page(request: HttpRequest) -> HttpResponse:
    setup = _setup(request)
    context: dict[str, Any] = {"form": setup.form, "query": _query(setup.form)}
    if not setup.form.is_valid():
        return render(request, "web/statistics/page.html", context, status=400)
    filters = setup.form.filters()
    stats = st.management_statistics(user=request.user, filters=filters)
    context |= {
        "stats": stats,
        "tables": {t.key: t for t in tables(stats, setup)},
        "guarantee_chart": guarantee_chart(stats.guarantee),
        "waiting_chart": waiting_chart(stats.guarantee),
        "outcome_chart": outcome_chart(stats.outcomes),
        "summary": _filter_summary(setup, filters),
        "small": st.SMALL + 1,
    }
    return render(request, "web/statistics/page.html", context)


def _query(form: StatisticsForm) -> str:
    """The filters as typed, for the download links."""
    return urlencode({k: form.data.get(k, "") for k in ("start", "end", "offer", "provider")})


def _download(request: HttpRequest) -> tuple[Setup, st.Filters, list[Table]] | HttpResponse:
    setup = _setup(request)
    if not setup.form.is_valid():
        message = " ".join(m for _, m in setup.form.summary)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    filters = setup.form.filters()
    stats = st.management_statistics(user=request.user, filters=filters)
    return setup, filters, tables(stats, setup)


def _filename(setup: Setup, filters: st.Filters, ext: str) -> str:
    return f"statistik-{setup.staff.municipality.slug}-{filters.start}-{filters.end}.{ext}"


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


@staff_page
def statistics_csv(request: HttpRequest) -> HttpResponse:
    """The tables one after another, each under its title, for Danish Excel."""
    answer = _download(request)
    if isinstance(answer, HttpResponse):
        return answer
    setup, filters, found = answer
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for label, value in _filter_summary(setup, filters):
        writer.writerow([label, value])
    for table in found:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.header)
        writer.writerows([_csv_cell(c) for c in row] for row in table.rows)
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(setup, filters, "csv")}"'
    return response


@staff_page
def statistics_xlsx(request: HttpRequest) -> HttpResponse:
    """One sheet with the filters, then one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    answer = _download(request)
    if isinstance(answer, HttpResponse):
        return answer
    setup, filters, found = answer
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Filtre")
    for row in _filter_summary(setup, filters):
        sheet.append(list(row))
    for table in found:
        sheet = book.create_sheet(table.key)
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(["" if c is None else c for c in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(setup, filters, "xlsx")}"'
    return response


urlpatterns = [
    path("statistik/", statistics_page, name="statistics"),
    path("statistik/statistik.csv", statistics_csv, name="statistics_csv"),
    path("statistik/statistik.xlsx", statistics_xlsx, name="statistics_xlsx"),
]
