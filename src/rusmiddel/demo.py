"""`rusmiddel demo`: a sample evaluation per municipality; then the SQLite file is migrated,
the standards loaded as tenants, demo users and cases created once (`demo_data.demo_fill`),
the users printed with their password, and the demo served."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

STATUS = {
    "eligible": "kan bevilges",
    "not_eligible": "kan ikke bevilges",
    "needs_information": "mangler oplysninger",
}

#: A 34-year-old working parent with a problematic cannabis and cocaine use.
SAMPLE_FACTS: dict[str, Any] = {
    "person": {
        "birth_date": "1992-05-17",
        "role": "user",
        "pregnant": False,
        "expecting_father": False,
        "children_at_home": 1,
        "youngest_child_age": 4,
    },
    "use": {
        "substances": [{"substance": "cannabis", "primary": True}, {"substance": "cocaine"}],
        "level": "problematic",
        "harms_daily_life": True,
        "harms_education_work_or_family": True,
        "withdrawal_risk": "mild",
        "realistic_12_week_stop": True,
        "substance_free": False,
    },
    "history": {
        "previous_offers": [],
        "ever_in_contact_with_treatment_system": False,
        "completed_course": False,
        "in_medical_treatment": False,
    },
    "social": {
        "self_supporting": True,
        "housing": "rented",
        "occupation": "employed",
        "social_problems": "none",
        "chaotic_life": False,
    },
    "health": {"psychiatric_disorder": "none"},
    "wishes": {
        "anonymous": False,
        "requests_substitution": False,
        "medication_to_be_prescribed": False,
        "wants_substance_free_life": True,
        "goal": "abstinence",
    },
}


def print_sample_evaluations(on: dt.date) -> None:
    from rusmiddel.rules import evaluate
    from rusmiddel.standards import registry

    for municipality in registry.municipalities():
        result = evaluate(registry.load(municipality, on), SAMPLE_FACTS, on)
        print(f"\n{municipality} – standard {result.standard_version}, alder {result.age}")
        for offer in result.offers:
            print(f"  {offer.offer.id:28} {STATUS[offer.status]}")
        for action in result.actions:
            print(f"  ! {action['text']}")


def print_fill(result: dict[str, Any]) -> None:
    """What `demo_fill` did, and what the demo municipalities now hold."""
    if result["created"]:
        print(f"\nDemo data created: {result['users']} users, {result['cases']} cases")
    else:
        print(
            f"\nDemo data already there (the demo users exist): nothing created. "
            f"{result['users']} users, {result['cases']} cases"
        )
    for municipality, states in result["by_status"].items():
        print(f"  {municipality:11} " + ", ".join(f"{s} {n}" for s, n in states.items()))
    print(
        f"  anonymous {result['anonymous']}, relatives {result['relatives']}, "
        f"decisions {result['decisions']}, complaints {result['complaints']}, "
        f"self-payments {result['self_payments']}"
    )
    print(
        f"  courses {result['courses']}, sessions {result['sessions']}, "
        f"groups {result['groups']} ({result['enrolments']} enrolments), "
        f"follow-ups {result['follow_ups_open']} open / {result['follow_ups_done']} done"
    )
    print(f"  open deadlines {result['deadlines_open']}, audit entries {result['audit_entries']}")


def print_users(base_url: str) -> None:
    """The demo users, their one password, and how to use the JSON API."""
    from rusmiddel.accounts.models import Municipality
    from rusmiddel.demo_data import DEMO_PASSWORD, demo_users

    names = dict(Municipality.objects.values_list("slug", "name"))
    rows = [
        (
            u.username,
            u.role,
            names.get(u.municipality, u.municipality) + (f" ({u.provider})" if u.provider else ""),
            DEMO_PASSWORD,
        )
        for u in demo_users()
    ]
    header = ("username", "role", "municipality", "password")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print(f"\nDemo users (one password for all: {DEMO_PASSWORD})")
    for row in [header, *rows]:
        print("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    example = rows[0][0]
    print(
        f"\nJSON API (OpenAPI docs: {base_url}/api/docs)\n"
        f"  token:  curl -s -X POST {base_url}/api/auth/token "
        "-H 'Content-Type: application/json' \\\n"
        f'            -d \'{{"username": "{example}", "password": "{DEMO_PASSWORD}"}}\'\n'
        f"  use it: curl -s -H 'Authorization: Bearer <token>' {base_url}/api/cases"
    )


#: The demo's secret keys, made on the first run and kept in the data directory.
SECRET_KEY_FILE = "demo-secret-key"
AUDIT_KEY_FILE = "demo-audit-key"


def demo_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The settings the demo adds to `environ` (what is set there wins): DEBUG off, as in
    production, so it shows the error pages a municipality would show and never a debug page;
    plain HTTP on this machine (RUSMIDDEL_DEMO); and a secret key and an audit key of its own,
    made once and kept in the data directory, so log-ins survive a restart and the audit
    chain verifies across restarts."""
    added = {"RUSMIDDEL_DEMO": "1", "DJANGO_SETTINGS_MODULE": "rusmiddel.config.settings"}
    # where settings.py puts DATA_DIR
    data_dir = Path(environ.get("RUSMIDDEL_DATA_DIR", "var")).resolve()
    for name, file in (
        ("RUSMIDDEL_SECRET_KEY", SECRET_KEY_FILE),
        ("RUSMIDDEL_AUDIT_KEY", AUDIT_KEY_FILE),
    ):
        if not environ.get(name):
            added[name] = _secret_key(data_dir / file)
    return {k: v for k, v in added.items() if k not in environ}


def _secret_key(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # readable by its owner only: whoever has the key can forge a session
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


class _Progress:
    """A step's progress: one line rewritten in place on a terminal; elsewhere (a log) a
    line at each quarter, not one per case."""

    def __init__(self) -> None:
        self.tty = sys.stdout.isatty()

    def __call__(self, what: str, done: int, total: int) -> None:
        line = f"  {what} {done}/{total}"
        if self.tty:
            print(f"\r{line}", end="\n" if done == total else "", flush=True)
        elif 4 * done // total > 4 * (done - 1) // total:
            print(line, flush=True)


def render_letters() -> int:
    """Render the letters the demo stored without their PDFs (`letters_render_pending`),
    printing its progress; the demo runs it in a process of its own beside the server."""
    import django

    django.setup()
    from rusmiddel.letters.services import letters_render_pending

    started = time.monotonic()
    done = letters_render_pending(progress=_progress_letters)
    if done:
        print(
            f"\nDemo letters: {done} rendered as PDF and sent to the outbox "
            f"({time.monotonic() - started:.0f} s)",
            flush=True,
        )
    return done


def _progress_letters(done: int, total: int) -> None:
    if done == 1 or done == total or done % 50 == 0:
        print(f"  letters rendered {done}/{total}", flush=True)


def _letters_beside_the_server() -> subprocess.Popen | None:
    """Render the letters left without a PDF in a process of its own, at a lower priority,
    so that the server answers at once and stays quick while WeasyPrint prints them. A letter
    opened before its turn is rendered on that first read. Ended with the demo (Ctrl+C reaches
    the whole process group); what is left is rendered on the next start."""
    from rusmiddel.letters.models import Letter

    pending = Letter.objects.filter(sha256="").count()
    if not pending:
        return None
    print(f"Rendering the {pending} demo letters as PDF beside the server …", flush=True)
    return subprocess.Popen(
        [sys.executable, "-c", "from rusmiddel.demo import render_letters; render_letters()"],
        preexec_fn=lambda: os.nice(10),
    )


def run_demo(*, port: int, serve: bool) -> int:
    """Migrate, load the standards as tenants, fill the demo data once, print the demo users,
    then serve (unless `serve` is False). On the first start the letters are stored without
    their PDFs and rendered beside the running server (or before returning, without one),
    so that the demo answers in seconds; each step prints its progress."""
    started = time.monotonic()
    os.environ.update(demo_environ(os.environ))
    today = dt.date.today()
    print_sample_evaluations(today)
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    print("\nMigrating the database …", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    print(
        f"Database migrated: {connection.vendor} {connection.settings_dict['NAME']} "
        f"({time.monotonic() - started:.1f} s)"
    )
    print("Filling the demo data (skipped if the demo users exist) …", flush=True)

    from rusmiddel.demo_data import demo_fill

    progress = _Progress()
    result = demo_fill(
        today=today,
        letters_later=True,
        progress=lambda slug, done, total: progress(f"{slug}: cases", done, total),
    )
    print_fill(result)
    base_url = f"http://127.0.0.1:{port}"
    print_users(base_url)
    if not serve:
        render_letters()
        return 0
    _letters_beside_the_server()
    connection.close()  # the server opens its own
    print(
        f"\nDemo: {base_url}/  (stop with Ctrl+C; ready {time.monotonic() - started:.1f} s "
        "after the start)",
        flush=True,
    )
    # with DEBUG off the development server serves the static files only when told to
    # (the checks ran with `migrate`)
    call_command(
        "runserver",
        f"127.0.0.1:{port}",
        use_reloader=False,
        insecure_serving=True,
        skip_checks=True,
    )
    return 0
