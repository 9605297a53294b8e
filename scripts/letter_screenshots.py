"""Render the first page of sample letters to PNG in docs/screenshots/.

    .venv/bin/python scripts/letter_screenshots.py

Builds the demo data in a throw-away SQLite file, then draws a grant letter from each
municipality, a refusal, and a receipt. Not part of the test run.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def main() -> int:
    os.environ["RUSMIDDEL_DATA_DIR"] = tempfile.mkdtemp(prefix="rusmiddel-letters-")
    os.environ["RUSMIDDEL_DEBUG"] = "1"
    os.environ["RUSMIDDEL_OUTBOX_SEND_ON_COMMIT"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rusmiddel.config.settings")
    import django

    django.setup()
    import pypdfium2
    from django.core.management import call_command

    from rusmiddel.demo_data import demo_fill
    from rusmiddel.letters.models import Letter, LetterKind

    call_command("migrate", verbosity=0)
    demo_fill(today=dt.date(2026, 11, 24))
    OUT.mkdir(parents=True, exist_ok=True)
    picks = {
        "letter-decision-gentofte": Letter.objects.filter(
            kind=LetterKind.DECISION, municipality__slug="gentofte", context__granted=True
        ),
        "letter-decision-helsingoer": Letter.objects.filter(
            kind=LetterKind.DECISION, municipality__slug="helsingoer", context__granted=True
        ),
        "letter-refusal": Letter.objects.filter(kind=LetterKind.DECISION, context__granted=False),
        "letter-receipt": Letter.objects.filter(kind=LetterKind.CONTACT_RECEIPT),
    }
    for name, rows in picks.items():
        letter = rows.order_by("pk").first()
        if letter is None:
            print(f"{name}: no such letter in the demo data", file=sys.stderr)
            continue
        pdf = pypdfium2.PdfDocument(bytes(letter.pdf))
        pdf[0].render(scale=1.5).to_pil().save(OUT / f"{name}.png", optimize=True)
        print(f"{OUT / (name + '.png')}  ({letter.title}, {letter.case.number})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
