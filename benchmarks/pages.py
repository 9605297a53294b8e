"""Server time and query count of the staff pages on the demo data (not part of the tests).

    .venv/bin/python benchmarks/pages.py [--runs 30]

Fills the demo data into a throw-away SQLite file (or uses DATABASE_URL), then requests each
page through Django's test client as a demo user and prints the median and p95 server time
and the number of SQL queries. The floor is a trivial authenticated page (/api/me).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("RUSMIDDEL_DATA_DIR", tempfile.mkdtemp(prefix="rusmiddel-bench-"))
    os.environ.setdefault("RUSMIDDEL_DEBUG", "1")
    os.environ["RUSMIDDEL_OUTBOX_SEND_ON_COMMIT"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rusmiddel.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from rusmiddel.cases.models import Case, Course
    from rusmiddel.demo_data import demo_fill
    from rusmiddel.groups.models import Group

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    demo_fill(today=dt.date.today())
    users = get_user_model().objects
    caseworker = users.get(username="gentofte-sagsbehandler")
    therapist = users.get(username="helsingoer-behandler")
    head = users.get(username="helsingoer-leder")
    admin = users.get(username="helsingoer-administrator")
    case = Case.objects.filter(municipality__slug="gentofte", anonymous=False).first()
    course = Course.objects.filter(case__municipality__slug="helsingoer").first()
    group = Group.objects.filter(municipality__slug="helsingoer").first()
    pages = [
        ("floor: /api/me", caseworker, "/api/me"),
        ("Mine sager", caseworker, "/sager/"),
        ("søgning", caseworker, "/sager/soeg/?q=GENTOFTE"),
        ("Frister", caseworker, "/frister/"),
        ("Opfølgning", therapist, "/opfoelgning/"),
        ("Klager", caseworker, "/klager/"),
        ("sagen", caseworker, f"/sager/{case.pk}/"),
        ("udredning", caseworker, f"/sager/{case.pk}/udredning/"),
        ("afgørelse", caseworker, f"/sager/{case.pk}/afgoerelse/"),
        ("forløb", therapist, f"/forloeb/{course.pk}/"),
        ("FIT", therapist, f"/forloeb/{course.pk}/fit/"),
        ("grupper (uge)", therapist, "/grupper/"),
        ("gruppeforløb", therapist, f"/grupper/{group.pk}/"),
        ("API: sagen", caseworker, f"/api/cases/{case.pk}"),
        ("API: frister", caseworker, "/api/due"),
        ("statistik", head, "/statistik/"),
        ("statistik (CSV)", head, "/statistik/statistik.csv"),
        ("statistik (XLSX)", head, "/statistik/statistik.xlsx"),
        ("venteliste", head, "/venteliste/"),
        ("API: venteliste", head, "/api/waitlist"),
        ("gruppehold (adm.)", head, "/administration/grupper/"),
        ("kapacitet (adm.)", head, "/administration/kapacitet/"),
        ("indberetning", admin, f"/administration/indberetning/?register=sib&year={dt.date.today().year}"),
    ]
    print(f"{'page':18} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name, user, path in pages:
        client = Client()
        client.force_login(user)
        client.get(path)  # warm up
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        with CaptureQueriesContext(connection) as ctx:
            client.get(path)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{name:18} {statistics.median(times):8.1f} {p95:8.1f} {len(ctx):8d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
