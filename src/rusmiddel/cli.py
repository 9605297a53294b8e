"""The `rusmiddel` command line (contract: contracts/cli.md).

`evaluate`, `deadlines` and `schedule` read no database: they answer from the standard
files in milliseconds. Bad input exits 2 with one line on stderr naming the field; a
traceback is never what a user sees. Django is imported only by the commands that need it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

EXIT_BAD_INPUT = 2
EVENTS = ("contact", "decision_received", "decision_sent", "course_ended")


class UsageError(Exception):
    """Bad command-line input; the message is the one line the user sees."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        raise UsageError(f"{self.prog}: {message}")


def _date(option: str) -> Callable[[str], dt.date]:
    def parse(value: str) -> dt.date:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"'{value}' is not a valid date (expected YYYY-MM-DD)"
            ) from None

    parse.__name__ = option
    return parse


def _age(value: str) -> int:
    if not value.isdigit() or int(value) > 130:
        raise UsageError(f"--age: '{value}' is not an age in whole years (0 to 130)")
    return int(value)


def _today() -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Europe/Copenhagen")).date()


def _emit(document: dict[str, Any]) -> None:
    out = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    sys.stdout.buffer.write(out.encode("utf-8"))
    sys.stdout.flush()


def _read_facts(source: str) -> Any:
    name = "stdin" if source == "-" else source
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError(f"FACTS.json: cannot read '{name}': {reason}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"FACTS.json: malformed JSON in {name} at line {exc.lineno} column {exc.colno}: "
            f"{exc.msg}"
        ) from None


def _offer(compiled: Any, offer_id: str | None) -> Any:
    if offer_id is None:
        return None
    offer = compiled.standard.offer(offer_id)
    if offer is None:
        known = ", ".join(o.id for o in compiled.standard.offers)
        raise UsageError(
            f"--offer: unknown offer '{offer_id}' for {compiled.municipality} (known: {known})"
        )
    return offer


def cmd_evaluate(args: argparse.Namespace) -> int:
    from rusmiddel.rules import evaluate
    from rusmiddel.standards.registry import load

    on = args.on or _today()
    compiled = load(args.municipality, on)  # an unknown municipality is named before the facts
    _emit(evaluate(compiled, _read_facts(args.facts), on).to_json())
    return 0


def _substances_facts(value: str | None) -> dict[str, Any] | None:
    """`--substances alcohol,cannabis` as assessment facts (`use.substances`), or None."""
    if value is None:
        return None
    from rusmiddel.rules.facts import assessment_schema

    item = assessment_schema()["properties"]["use"]["properties"]["substances"]["items"]
    known = item["properties"]["substance"]["enum"]
    names = [n.strip() for n in value.split(",") if n.strip()]
    for name in names:
        if name not in known:
            raise UsageError(
                f"--substances: unknown substance '{name}' (one or more of {', '.join(known)}, "
                "comma-separated)"
            )
    return {"use": {"substances": [{"substance": n} for n in names]}}


def cmd_deadlines(args: argparse.Namespace) -> int:
    from rusmiddel import rules
    from rusmiddel.standards.registry import load

    compiled = load(args.municipality, args.date)
    standard = compiled.standard
    offer = _offer(compiled, args.offer)
    facts = _substances_facts(args.substances)
    if args.channel is not None and args.event != "decision_sent":
        raise UsageError("--channel: only used with --event decision_sent")
    if args.age is not None and args.event != "contact":
        raise UsageError("--age: only used with --event contact")
    if args.anonymous and args.event != "course_ended":
        raise UsageError("--anonymous: only used with --event course_ended")
    doc: dict[str, Any] = {
        "municipality": compiled.municipality,
        "event": args.event,
        "date": args.date.isoformat(),
        "offer": args.offer,
    }
    if args.event == "contact":
        guarantee = rules.treatment_guarantee(standard, args.date, offer)
        doc |= {
            "treatment_guarantee": guarantee.isoformat() if guarantee else None,
            "covered": guarantee is not None,
            "basis": rules.guarantee_basis(
                standard,
                offer,
                guarantee is not None,
                contact=args.date,
                age=args.age,
                facts=facts,
            ),
        }
    elif args.event in ("decision_received", "decision_sent"):
        received = args.date
        if args.event == "decision_sent":
            if args.channel is None:
                raise UsageError(
                    f"--channel: required with --event decision_sent "
                    f"(one of {', '.join(rules.CHANNELS)})"
                )
            received = rules.received_on(args.date, args.channel)
            doc |= {"channel": args.channel, "received": received.isoformat()}
        deadline = rules.complaint_deadline(standard, offer, received, facts)
        doc["complaint_deadline"] = deadline.date.isoformat() if deadline else None
        if deadline is not None and deadline.adjusted_from is not None:
            doc["adjusted_from"] = deadline.adjusted_from.isoformat()
        routes = rules.complaint_routes(standard, offer, facts)
        doc["complaint_route"] = routes.route_id or None
        doc["complaint_parts"] = [
            {"part": part.id, "route": route.id} for part, route in routes.parts
        ]
    else:  # course_ended
        dates = rules.follow_ups(standard, args.date, offer, facts, anonymous=args.anonymous)
        doc["follow_ups"] = [d.isoformat() for d in dates]
    _emit(doc)
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    from rusmiddel.rules import group_sessions
    from rusmiddel.standards.registry import load

    compiled = load(args.municipality, args.start)
    offer = _offer(compiled, args.offer)
    if offer.schedule is None:
        with_calendar = ", ".join(o.id for o in compiled.standard.offers if o.schedule)
        raise UsageError(
            f"--offer: '{offer.id}' has no group calendar in {compiled.municipality} "
            f"(offers with one: {with_calendar or 'none'})"
        )
    sessions = group_sessions(
        offer, args.start, args.stop_day, closed=compiled.standard.closed_days
    )
    fmt = "%Y-%m-%dT%H:%M"
    _emit(
        {
            "municipality": compiled.municipality,
            "offer": offer.id,
            "sessions": [
                {"start": s.start.strftime(fmt), "end": s.end.strftime(fmt)} for s in sessions
            ],
        }
    )
    return 0


def cmd_standard_check(args: argparse.Namespace) -> int:
    """Errors exit 2; warnings (outdated citations, `file:line: field: advarsel: …`) go to
    stderr as well but leave the exit code of a valid file at 0."""
    from rusmiddel.standards.check import check_file

    failed = False
    for file in args.files:
        result = check_file(file)  # in a child process with a time and a memory limit
        if not result.valid:
            failed = True
            for line in result.lines:
                print(line, file=sys.stderr)
        else:
            print(f"{file}: OK ({result.municipality} {result.version}, {result.offers} tilbud)")
        for line in result.warnings:
            print(line, file=sys.stderr)
    return EXIT_BAD_INPUT if failed else 0


def cmd_standard_show(args: argparse.Namespace) -> int:
    from rusmiddel.standards.registry import load
    from rusmiddel.standards.render import to_html, to_markdown

    compiled = load(args.municipality, args.on or _today())
    text = to_html(compiled) if args.format == "html" else to_markdown(compiled)
    sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


def cmd_standard_readings(args: argparse.Namespace) -> int:
    from rusmiddel.standards.registry import every_version
    from rusmiddel.standards.render import readings_markdown

    sys.stdout.buffer.write(readings_markdown(every_version()).encode("utf-8"))
    return 0


def cmd_standard_list(args: argparse.Namespace) -> int:
    from rusmiddel.standards.registry import municipalities, versions

    _emit({m: [v.isoformat() for v in versions(m)] for m in municipalities()})
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from rusmiddel.demo import run_demo

    return run_demo(port=args.port, serve=not args.no_server)


def cmd_synth(args: argparse.Namespace) -> int:
    """A synthetic dataset (demo, one municipality, national) for benchmarks."""
    from rusmiddel.synth import target

    try:
        target.database_create(target.configure(args.database, args.scale))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    _django()
    from django.core.management import call_command

    from rusmiddel.synth.command import SynthError, synth

    call_command("migrate", verbosity=0)
    try:
        synth(scale=args.scale, seed=args.seed, reset=args.reset)
    except SynthError as exc:
        raise UsageError(str(exc)) from None
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rusmiddel.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rusmiddel manage", *args.arguments])
    return 0


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rusmiddel.config.settings")
    import django

    django.setup()


def cmd_tenants_sync(args: argparse.Namespace) -> int:
    """Municipalities and providers from the standard files (run after adding a file)."""
    _django()
    from rusmiddel.accounts.services import tenants_sync

    for m in tenants_sync(on=args.on or _today()):
        print(f"{m.slug:16} {m.name} ({m.providers.count()} leverandører)")
    return 0


def cmd_staff_create(args: argparse.Namespace) -> int:
    """A staff user; the password is asked for (or read from RUSMIDDEL_NEW_PASSWORD)."""
    import getpass

    _django()
    from django.db import IntegrityError

    from rusmiddel.accounts.models import Municipality, Provider, Role
    from rusmiddel.accounts.services import staff_create

    municipality = Municipality.objects.filter(slug=args.municipality).first()
    if municipality is None:
        raise UsageError(
            f"--municipality: unknown municipality '{args.municipality}' "
            "(run `rusmiddel tenants sync` first)"
        )
    provider = None
    if args.role == Role.PROVIDER_STAFF:
        provider = Provider.objects.filter(slug=args.provider or "").first()
        if provider is None:
            raise UsageError("--provider: provider staff need a known provider id")
    elif args.provider:
        raise UsageError("--provider: only for --role provider_staff")
    password = os.environ.get("RUSMIDDEL_NEW_PASSWORD") or getpass.getpass("Adgangskode: ")
    try:
        staff_create(
            username=args.username,
            password=password,
            municipality=municipality,
            role=args.role,
            provider=provider,
            full_name=args.name or "",
        )
    except IntegrityError:
        raise UsageError(f"username: '{args.username}' is taken") from None
    print(f"{args.username}: {args.role} i {municipality.name}")
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    """Send what is due in the outbox (cron: --process), and list the failure worklist."""
    _django()
    from rusmiddel.letters.models import Delivery, DeliveryStatus
    from rusmiddel.letters.outbox import outbox_process

    if args.process:
        result = outbox_process()
        print(f"{result.sent} sendt, {result.retried} prøves igen, {result.failed} fejlet.")
    failures = Delivery.objects.filter(
        status__in=[DeliveryStatus.FAILED, DeliveryStatus.SENDING]
    ).select_related("letter__case", "letter__municipality")
    for d in failures:
        print(
            f"{d.letter.municipality.slug:12} {d.letter.case.number:24} {d.letter.kind:22} "
            f"{d.get_status_display()}: {d.last_error or 'afbrudt under afsendelse'}"
        )
    pending = Delivery.objects.filter(status=DeliveryStatus.PENDING).count()
    print(f"{pending} venter, {failures.count()} på arbejdslisten.")
    return 0


def cmd_due(args: argparse.Namespace) -> int:
    """What falls due, across every municipality; with --notify, warn the staff concerned."""
    _django()
    from rusmiddel.cases.due import due_notify, due_rows

    today = args.today or _today()
    rows = due_rows(today=today, horizon_days=args.days)
    warned = due_notify(today=today) if args.notify else None
    if args.json:
        _emit(
            {
                "today": today.isoformat(),
                "items": [
                    {
                        "municipality": r.municipality,
                        "case": r.case_number,
                        "kind": r.kind,
                        "due_on": r.due_on.isoformat(),
                        "days_left": r.days_left,
                        "text": r.text,
                    }
                    for r in rows
                ],
                "warnings_made": warned,
            }
        )
        return 0
    for r in rows:
        late = "OVERSKREDET" if r.days_left < 0 else f"{r.days_left} dage"
        print(f"{r.municipality:12} {r.case_number:16} {r.due_on} {late:>12}  {r.text}")
    print(f"{len(rows)} frister inden for {args.days} dage.")
    if warned is not None:
        print(f"{warned} advarsler sendt.")
    return 0


def _year(value: str) -> int:
    if not (value.isdigit() and len(value) == 4):
        raise argparse.ArgumentTypeError(f"'{value}' is not a year (expected YYYY)")
    return int(value)


def _register_scope(args: argparse.Namespace):
    """The municipality of a register command (an unknown one exits 2 naming the option)."""
    _django()
    from rusmiddel.accounts.models import Municipality

    municipality = Municipality.objects.filter(slug=args.municipality).first()
    if municipality is None:
        raise UsageError(
            f"--municipality: unknown municipality '{args.municipality}' "
            "(run `rusmiddel tenants sync` first)"
        )
    return municipality


def cmd_registers_extract(args: argparse.Namespace) -> int:
    """A register extract (SIB, NAB or TDI) for one municipality and year, streamed; the
    records left out for problems are counted on stderr (see `registers validate`)."""
    municipality = _register_scope(args)
    from rusmiddel.reporting.registers import (
        ExportCount,
        register_export,
        register_extract_audit,
    )

    count = ExportCount()
    chunks = register_export(
        municipality=municipality,
        register=args.register,
        year=args.year,
        fmt=args.format,
        include_invalid=args.include_invalid,
        count=count,
    )
    if args.output == "-":
        out = sys.stdout.buffer
    else:
        try:
            out = open(args.output, "wb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise UsageError(f"--output: cannot write '{args.output}': {exc.strerror}") from None
    try:
        for chunk in chunks:
            out.write(chunk)
    finally:
        out.flush()
        if out is not sys.stdout.buffer:
            out.close()
    register_extract_audit(
        actor=None,
        municipality=municipality,
        register=args.register,
        year=args.year,
        fmt=args.format,
        include_invalid=args.include_invalid,
    )
    print(
        f"{args.register.upper()} {args.year}: {count.exported} forløb indberettet, "
        f"{count.left_out} udeladt på grund af fejl.",
        file=sys.stderr,
    )
    return 0


def cmd_registers_validate(args: argparse.Namespace) -> int:
    """The validation report: counts by problem, then every record with a problem."""
    municipality = _register_scope(args)
    from rusmiddel.reporting.registers import register_report

    report = register_report(municipality=municipality, register=args.register, year=args.year)
    if args.json:
        _emit(
            {
                "register": args.register,
                "municipality": municipality.slug,
                "year": args.year,
                "records": report.total,
                "valid": report.valid,
                "left_out": report.left_out,
                "problems": [
                    {
                        "field": p.field,
                        "code": p.code,
                        "message": p.message,
                        "blocking": p.blocking,
                        "count": n,
                    }
                    for p, n in report.problem_counts()
                ],
                "cases": [
                    {
                        "case": r.case_number,
                        "pseudonym": r.pseudonym if r.anonymous else None,
                        "course_id": r.course_id,
                        "problems": [
                            {
                                "field": p.field,
                                "code": p.code,
                                "message": p.message,
                                "blocking": p.blocking,
                            }
                            for p in r.problems
                        ],
                    }
                    for r in report.rows
                ],
            }
        )
        return 0
    print(
        f"{args.register.upper()} {args.year}, {municipality.name}: {report.total} forløb, "
        f"{report.valid} kan indberettes, {report.left_out} udelades."
    )
    for p, n in report.problem_counts():
        kind = "fejl" if p.blocking else "advarsel"
        print(f"{n:6} {kind:9} {p.field}: {p.message}")
    for r in report.rows:
        who = f"{r.case_number} ({r.pseudonym})" if r.anonymous else r.case_number
        for p in r.problems:
            kind = "fejl" if p.blocking else "advarsel"
            print(f"{who:28} forløb {r.course_id:<8} {kind:9} {p.field}: {p.message}")
    return 0


def _municipality_option(slug: str):
    """The municipality named by --municipality (an unknown one exits 2 naming the option)."""
    _django()
    from rusmiddel.accounts.models import Municipality

    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise UsageError(
            f"--municipality: unknown municipality '{slug}' (run `rusmiddel tenants sync` first)"
        )
    return municipality


def _chain_lines(reports: Sequence[Any], written: Sequence[Any] | None = None) -> bool:
    """Print one line per chain and the total; True if every chain holds."""
    from rusmiddel.accounts.models import Municipality

    names = dict(Municipality.objects.values_list("pk", "slug"))
    failed = False
    for i, r in enumerate(reports):
        name = names.get(r.key, "(system)" if r.key == 0 else f"municipality {r.key}")
        if not r.ok:
            failed = True
            broken = r.broken
            where = f"entry {broken.entry_id} (seq {broken.seq})" if broken.entry_id else "end"
            print(f"{name}: BROKEN at {where}: {broken.reason}")
            continue
        if written is not None and written[i] is not None:
            anchored = f"anchored now at seq {written[i].seq}"
        elif r.anchor is not None:
            anchored = f"anchored at seq {r.anchor.seq} on {r.anchor.at}"
        else:
            anchored = "not anchored"
        print(f"{name}: OK, {r.entries} entries; {anchored}")
    total = sum(r.entries for r in reports)
    print(f"{'BROKEN' if failed else 'OK'}, {total} entries in {len(reports)} chains.")
    return not failed


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Walk the audit log's keyed hash chains and hold each to its furthest anchor: exit 0
    with "OK, N entries", or 1 at the first broken place of a chain."""
    _django()
    municipality = _municipality_option(args.municipality) if args.municipality else None
    from rusmiddel.audit.selectors import audit_verify

    reports = audit_verify(municipality_id=municipality.pk if municipality else None)
    return 0 if _chain_lines(reports) else 1


def cmd_audit_anchor(args: argparse.Namespace) -> int:
    """Verify the chains as `audit verify` does and anchor the end of each that holds, in
    RUSMIDDEL_AUDIT_ANCHOR_DIR (cron: hourly). Exit 1 if a chain is broken (never anchored)."""
    _django()
    municipality = _municipality_option(args.municipality) if args.municipality else None
    from django.conf import settings

    from rusmiddel.audit.services import audit_anchor

    try:
        done = audit_anchor(municipality_id=municipality.pk if municipality else None)
    except OSError as exc:
        folder = settings.RUSMIDDEL_AUDIT_ANCHOR_DIR
        raise UsageError(
            f"RUSMIDDEL_AUDIT_ANCHOR_DIR: cannot write '{folder}': {exc.strerror or exc}"
        ) from None
    return 0 if _chain_lines([r for r, _ in done], [a for _, a in done]) else 1


def cmd_gdpr_export(args: argparse.Namespace) -> int:
    """Everything held about one citizen (GDPR art. 15) as one zip: data.json and the
    letters' PDFs. The export is logged as a read of each of the citizen's cases."""
    municipality = _municipality_option(args.municipality)
    from rusmiddel.cases.errors import Invalid, NotFound
    from rusmiddel.cases.services.intake import cpr_validate
    from rusmiddel.privacy.selectors import citizen_export

    try:
        cpr, _ = cpr_validate(args.cpr, field="--cpr")
    except Invalid as exc:
        raise UsageError(f"--cpr: {exc.message}") from None
    try:
        export = citizen_export(municipality=municipality, cpr=cpr)
    except NotFound as exc:
        print(f"--cpr: {exc.message}", file=sys.stderr)
        return 1
    try:
        Path(args.output).write_bytes(export.content)
    except OSError as exc:
        raise UsageError(f"--output: cannot write '{args.output}': {exc.strerror}") from None
    rows = sum(export.rows.values())
    print(
        f"{args.output}: {len(export.cases)} sager ({', '.join(export.cases)}), "
        f"{rows} rækker, {export.letters} breve."
    )
    return 0


def cmd_retention_run(args: argparse.Namespace) -> int:
    """Erase the cases whose retention period has run out (cron, nightly); --dry-run lists
    them only. Per municipality: counts per rule, then the case numbers."""
    _django()
    municipality = _municipality_option(args.municipality) if args.municipality else None
    from rusmiddel.privacy.services import retention_run

    on = args.on or _today()
    reports = retention_run(on=on, dry_run=args.dry_run, municipality=municipality)
    verb = "would be erased" if args.dry_run else "erased"
    for r in reports:
        if not r.has_rules:
            print(f"{r.municipality}: no retention rules in the standard on {on}")
            continue
        print(f"{r.municipality}: {len(r.erased)} cases {verb} on {on}")
        for rule, n in sorted(r.per_rule().items()):
            print(f"  {rule}: {n}")
        for e in r.erased:
            print(f"  {e.number}  {e.rule} (from {e.counted_from}, due {e.due_on})")
        if r.rows:
            print("  rows: " + ", ".join(f"{k} {v}" for k, v in sorted(r.rows.items())))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Server time of the key pages, the register extracts, the rule engine and a load test
    on a scale's database (see rusmiddel.bench)."""
    from rusmiddel.bench.command import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rusmiddel",
        description="Rusmiddel: rusmiddelbehandling efter kommunens kvalitetsstandard.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("evaluate", help="eligibility of every offer, with reasons")
    p.add_argument("--municipality", required=True)
    p.add_argument("--on", type=_date("--on"), help="date (default today)")
    p.add_argument("facts", metavar="FACTS.json", help="assessment facts, or - for stdin")
    p.set_defaults(handler=cmd_evaluate)

    p = sub.add_parser("deadlines", help="legal and follow-up dates")
    p.add_argument("--municipality", required=True)
    p.add_argument("--event", required=True, choices=EVENTS)
    p.add_argument("--date", required=True, type=_date("--date"))
    p.add_argument("--offer")
    p.add_argument("--channel", choices=("digital_post", "post", "quickpost"))
    p.add_argument(
        "--substances",
        help="the citizen's substances, comma-separated (assessment use.substances): the "
        "complaint route, the guarantee's basis and whether a course is followed up",
    )
    p.add_argument("--age", type=_age, help="the citizen's age at the contact (guarantee basis)")
    p.add_argument("--anonymous", action="store_true", help="an anonymous course (course_ended)")
    p.set_defaults(handler=cmd_deadlines)

    p = sub.add_parser("schedule", help="a group's session calendar")
    p.add_argument("--municipality", required=True)
    p.add_argument("--offer", required=True)
    p.add_argument("--start", required=True, type=_date("--start"))
    p.add_argument("--stop-day", type=_date("--stop-day"))
    p.set_defaults(handler=cmd_schedule)

    p = sub.add_parser("standard", help="check, show or list quality standards")
    std = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    s = std.add_parser("check", help="validate standard files; exit 2 on any error")
    s.add_argument("files", nargs="+", metavar="FILE")
    s.set_defaults(handler=cmd_standard_check)
    s = std.add_parser("show", help="render a standard as a readable Danish document")
    s.add_argument("municipality")
    s.add_argument("--on", type=_date("--on"))
    s.add_argument("--format", choices=("markdown", "html"), default="markdown")
    s.set_defaults(handler=cmd_standard_show)
    s = std.add_parser("readings", help="every reading of a vague seed sentence (Markdown)")
    s.set_defaults(handler=cmd_standard_readings)
    s = std.add_parser("list", help="municipalities and their versions")
    s.set_defaults(handler=cmd_standard_list)

    p = sub.add_parser("demo", help="demo users and cases in SQLite, then the demo server")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-server", action="store_true")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("synth", help="a synthetic dataset for benchmarks (bulk load)")
    p.add_argument("--scale", required=True, choices=("demo", "municipality", "national"))
    p.add_argument("--database", default="sqlite", choices=("sqlite", "postgres"))
    p.add_argument("--reset", action="store_true", help="empty the database first")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(handler=cmd_synth)

    p = sub.add_parser("due", help="deadlines falling due (cron: --notify warns staff)")
    p.add_argument("--notify", action="store_true", help="warn the staff concerned, once")
    p.add_argument("--days", type=int, default=14, help="horizon in days (default 14)")
    p.add_argument("--today", type=_date("--today"), help="date (default today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_due)

    p = sub.add_parser("outbox", help="letters: send what is due (cron: --process), failures")
    p.add_argument("--process", action="store_true", help="send the pending letters now")
    p.set_defaults(handler=cmd_outbox)

    p = sub.add_parser("tenants", help="municipalities and providers from the standard files")
    t = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    s = t.add_parser("sync", help="create or update them (after adding a standard file)")
    s.add_argument("--on", type=_date("--on"))
    s.set_defaults(handler=cmd_tenants_sync)

    p = sub.add_parser("staff", help="staff users")
    t = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    s = t.add_parser("create", help="a user with one role in one municipality")
    s.add_argument("username")
    s.add_argument("--municipality", required=True)
    s.add_argument(
        "--role",
        required=True,
        choices=(
            "caseworker",
            "therapist",
            "substance_consultant",
            "head_of_unit",
            "administrator",
            "provider_staff",
        ),
    )
    s.add_argument("--provider", help="provider id (provider staff only)")
    s.add_argument("--name", help="full name")
    s.set_defaults(handler=cmd_staff_create)

    p = sub.add_parser("registers", help="national register extracts (SIB, NAB, EU TDI)")
    t = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    for action, handler, text in (
        ("extract", cmd_registers_extract, "the extract, streamed (CSV or the register's XML)"),
        ("validate", cmd_registers_validate, "what is missing or invalid, per case"),
    ):
        s = t.add_parser(action, help=text)
        s.add_argument("--register", required=True, choices=("sib", "nab", "tdi"))
        s.add_argument("--municipality", required=True)
        s.add_argument("--year", required=True, type=_year)
        if action == "extract":
            s.add_argument("--format", choices=("csv", "register"), default="csv")
            s.add_argument("--output", default="-", help="file, or - for stdout (default)")
            s.add_argument(
                "--include-invalid", action="store_true", help="also records with errors"
            )
        else:
            s.add_argument("--json", action="store_true")
        s.set_defaults(handler=handler)

    p = sub.add_parser("audit", help="the audit log")
    t = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    s = t.add_parser("verify", help="walk the hash chains; exit 1 at the first broken entry")
    s.add_argument("--municipality", help="one municipality's chain (default: all)")
    s.set_defaults(handler=cmd_audit_verify)
    s = t.add_parser(
        "anchor", help="verify, then anchor each chain's end outside the database (cron)"
    )
    s.add_argument("--municipality", help="one municipality's chain (default: all)")
    s.set_defaults(handler=cmd_audit_anchor)

    p = sub.add_parser("gdpr", help="the citizen's rights (GDPR)")
    t = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    s = t.add_parser("export", help="everything held about one citizen, as a zip (art. 15)")
    s.add_argument("--cpr", required=True)
    s.add_argument("--municipality", required=True)
    s.add_argument("--output", required=True, help="the zip file to write")
    s.set_defaults(handler=cmd_gdpr_export)

    p = sub.add_parser("retention", help="erasure under the standard's retention rules")
    t = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    s = t.add_parser("run", help="erase what is due (cron: nightly); --dry-run only lists it")
    s.add_argument("--dry-run", action="store_true")
    s.add_argument("--on", type=_date("--on"), help="date (default today)")
    s.add_argument("--municipality", help="one municipality (default: all)")
    s.set_defaults(handler=cmd_retention_run)

    p = sub.add_parser("bench", help="benchmark: page times, extracts, load test")
    from rusmiddel.bench.command import add_arguments as bench_arguments

    bench_arguments(p)
    p.set_defaults(handler=cmd_bench)

    p = sub.add_parser("manage", help="Django management commands", add_help=False)
    p.add_argument("arguments", nargs=argparse.REMAINDER)
    p.set_defaults(handler=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from rusmiddel.rules.errors import RulesError

    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except (UsageError, RulesError) as exc:
        print(str(exc).splitlines()[0] if not _multi(exc) else str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT


def _multi(exc: Exception) -> bool:
    """A standard file error lists every problem, one per line; everything else is one line."""
    from rusmiddel.standards.loader import StandardFileError

    return isinstance(exc, StandardFileError)


if __name__ == "__main__":
    sys.exit(main())
