"""The process environment of a bench run, set before Django is: production-like settings
(no debug, no HTTPS redirect, no letters sent), on the scale's database."""

from __future__ import annotations

import os
import secrets


def prepare(database: str, scale: str) -> str:
    """Point this process and its children (export runs, the load test's server) at the
    scale's database; returns the database URL."""
    from rusmiddel.synth import target

    url = target.configure(database, scale)
    os.environ["RUSMIDDEL_DEBUG"] = "0"  # timings as in production: no debug toolbar costs
    os.environ.setdefault("RUSMIDDEL_SECRET_KEY", "bench-" + secrets.token_hex(24))
    # the key `synth` (run with RUSMIDDEL_DEBUG=1) has: the scratch database's audit chain
    # stays one chain whether it was written by the demo, synth or a bench
    os.environ.setdefault(
        "RUSMIDDEL_AUDIT_KEY", "insecure-development-audit-key-never-use-in-production"
    )
    os.environ["RUSMIDDEL_SSL_REDIRECT"] = "0"  # plain HTTP on loopback
    os.environ["RUSMIDDEL_HSTS_SECONDS"] = "0"
    os.environ["RUSMIDDEL_OUTBOX_SEND_ON_COMMIT"] = "0"  # no letters leave during a bench
    hosts = [h for h in os.environ.get("RUSMIDDEL_ALLOWED_HOSTS", "").split(",") if h]
    for host in ("testserver", "localhost", "127.0.0.1"):
        if host not in hosts:
            hosts.append(host)
    os.environ["RUSMIDDEL_ALLOWED_HOSTS"] = ",".join(hosts)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rusmiddel.config.settings")
    return url


def setup_django() -> None:
    import django

    django.setup()


def create_postgres_database(url: str) -> None:
    """CREATE DATABASE for --demo-fill when the server has no such database yet."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{name}"')
