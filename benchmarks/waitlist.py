"""The waitlist on the demo data (not part of the tests): the treatment-guarantee share before
and after booking every proposal, and the queries and time of the page and the API.

    .venv/bin/python benchmarks/waitlist.py

Fills the demo data into a throw-away SQLite file (or uses DATABASE_URL), then, as each
municipality's head of unit: reads the waitlist, books the first proposal with a start, reads
it again, and so on until none is left; prints the share of treatment-guarantee deadlines
kept (met, or booked to start, on or before their last day) before and after, and the share
of the waiting citizens whose proposal is within the guarantee.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time


def main() -> int:
    os.environ.setdefault("RUSMIDDEL_DATA_DIR", tempfile.mkdtemp(prefix="rusmiddel-bench-"))
    os.environ.setdefault("RUSMIDDEL_DEBUG", "1")
    os.environ["RUSMIDDEL_OUTBOX_SEND_ON_COMMIT"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rusmiddel.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from rusmiddel.capacity.selectors import guarantee_kept_share, waitlist_board
    from rusmiddel.capacity.services import proposal_book
    from rusmiddel.demo_data import demo_fill
    from rusmiddel.outcomes.key_facts import key_facts_defaults

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    demo_fill(today=today)
    for slug in ("gentofte", "helsingoer"):
        head = get_user_model().objects.get(username=f"{slug}-leder")
        client = Client()
        client.force_login(head)
        for url in ("/venteliste/", "/api/waitlist", "/api/waitlist/forecast"):
            reset_queries()
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            print(
                f"{slug} {url}: {len(ctx.captured_queries)} queries, "
                f"{(time.perf_counter() - start) * 1000:.0f} ms"
            )
        municipality_id = head.staff.municipality_id
        board = waitlist_board(user=head, today=today)
        kept = guarantee_kept_share(municipality_id=municipality_id, today=today).tally
        in_time, covered = board.share
        print(
            f"{slug} before: guarantee kept {kept.met}/{kept.counted} ({kept.share} %); "
            f"waiting {len(board.rows)}, of {covered} with a guarantee {in_time} can start in time"
        )
        booked = late = 0
        while True:
            rows = [r for r in waitlist_board(user=head, today=today).rows if r.proposal.line]
            if not rows:
                break
            r = rows[0]
            latest = r.case.assessments.order_by("-version").first()
            known = key_facts_defaults(latest.facts if latest else None)
            proposal_book(
                actor=head,
                case_id=r.case.pk,
                version=r.case.version,
                decision_id=r.decision.pk,
                line=r.proposal.line.key,
                starts_on=r.proposal.start,
                use_frequency="daily",
                housing="" if "housing" in known else "rented",
                occupation="" if "occupation" in known else "unemployed",
                today=today,
            )
            booked += 1
            late += not r.proposal.in_time
        kept = guarantee_kept_share(municipality_id=municipality_id, today=today).tally
        left = len(waitlist_board(user=head, today=today).rows)
        print(
            f"{slug} after booking {booked} proposals ({late} after the guarantee, {left} left "
            f"unplaced): guarantee kept {kept.met}/{kept.counted} ({kept.share} %)"
        )
    print(f"today {today.isoformat()} ({dt.date.today():%A})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
