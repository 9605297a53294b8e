"""`rusmiddel synth`: standards, tenants and staff, then every case, loaded in bulk.

Call after Django is set up on the target database (cli.cmd_synth: target.configure, then
migrate). The database must hold no cases, staff or municipalities, unless `reset`."""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import TextIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from rusmiddel.accounts.models import Municipality
from rusmiddel.cases.models import Case

from . import target
from .generate import TABLES, Generator, selected
from .load import Loader, columns_check
from .standards import write_standards


class SynthError(Exception):
    """Bad input or a database the synth may not fill; the message is one line."""


def synth(
    *, scale: str, seed: int = 1, reset: bool = False, today: dt.date | None = None,
    out: TextIO = sys.stderr,
) -> dict[str, int]:  # fmt: skip
    """Fill the (migrated) database; returns the rows written per table."""
    if scale not in target.SCALES:
        raise SynthError(f"--scale: must be one of {', '.join(target.SCALES)}, not {scale!r}")
    today = today or dt.date.today()
    began = time.perf_counter()
    columns_check()
    if reset:
        call_command("flush", interactive=False, verbosity=0)
    else:
        cases = Case.objects.count()
        if cases or Municipality.objects.exists() or get_user_model().objects.exists():
            raise SynthError(
                f"the database already holds data ({cases} cases): "
                "run again with --reset to replace it"
            )
    target.standards_path_add()
    kommuner = selected(scale)
    t = time.perf_counter()
    standards = write_standards(kommuner)
    print(f"standards: {len(standards)} municipalities, {time.perf_counter() - t:.1f} s", file=out)

    generator = Generator(scale=scale, seed=seed, today=today, standards=standards)
    loader = Loader()
    done: str | None = None
    generated = 0.0
    batches = generator.batches()
    while True:
        t = time.perf_counter()
        item = next(batches, None)
        generated += time.perf_counter() - t
        if item is None:
            break
        slug, batch = item
        with transaction.atomic():
            loader.begin()
            for key in TABLES:
                loader.load(key, batch[key])
        if slug != done:
            done = slug
            courses = loader.rows["cases.Course"]
            elapsed = time.perf_counter() - began
            print(f"  {slug}: loading (courses so far {courses:,}, {elapsed:.0f} s)", file=out)
    for slug, (named, anonymous) in generator.sequences.items():
        Municipality.objects.filter(slug=slug).update(
            case_sequence=named, anonymous_sequence=anonymous
        )
    t = time.perf_counter()
    loader.finish()
    finish = time.perf_counter() - t
    total = time.perf_counter() - began
    for key in TABLES:
        rows, seconds = loader.rows[key], loader.seconds[key]
        print(f"{key:34} {rows:>11,} rows {seconds:8.1f} s load", file=out)
    print(
        f"synth {scale}: {sum(loader.rows.values()):,} rows in {total:.0f} s "
        f"(generate {generated:.0f} s, sequences+vacuum {finish:.0f} s)",
        file=out,
    )
    return dict(loader.rows)
