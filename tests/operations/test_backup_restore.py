"""Backup and restore (docs/operations.md, "Backup and restore"), on PostgreSQL: the test
database with a populated world (cases, decisions, audit entries) is dumped with
`pg_dump --format=custom`, restored with `pg_restore --exit-on-error --single-transaction`
into a fresh database, and every case, decision and audit entry must be there, row for row
(counts and a hash of every column), with the audit log's append-only trigger in place and
no migration left to apply. The fresh database is dropped at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from case_world import build_world

pytestmark = [
    pytest.mark.django_db(transaction=True),  # pg_dump sees only committed rows
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_dump and pg_restore back up PostgreSQL; SQLite (the demo) has no such backup",
    ),
]

#: The tables whose every row must survive, with the column they are ordered by.
TABLES = ["cases_case", "cases_decision", "audit_auditentry"]


def _conninfo(name: str) -> str:
    s = connection.settings_dict
    parts = {
        "dbname": name,
        "host": s.get("HOST") or "",
        "port": str(s.get("PORT") or ""),
        "user": s.get("USER") or "",
        "password": s.get("PASSWORD") or "",
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


def _client_args() -> list[str]:
    s = connection.settings_dict
    args = []
    if s.get("HOST"):
        args += ["--host", s["HOST"]]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    return args


def _client_env() -> dict[str, str]:
    password = connection.settings_dict.get("PASSWORD")
    return {**os.environ, **({"PGPASSWORD": password} if password else {})}


def _fingerprint(name: str) -> dict[str, tuple[int, str]]:
    """Per table: (rows, md5 of every row's every column in id order)."""
    with psycopg.connect(_conninfo(name)) as db:
        return {
            table: db.execute(
                f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), '') "
                f"FROM {table} t"
            ).fetchone()
            for table in TABLES
        }


def test_a_dump_restores_every_case_decision_and_audit_entry(tmp_path: Path, settings):
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: install postgresql-client (.ci/run does)")
    # given a database with cases, decisions and audit entries (letters wait in the outbox, as
    # the world expects: committed here, they would otherwise leave at once)
    settings.RUSMIDDEL_OUTBOX_SEND_ON_COMMIT = False
    build_world()
    source = connection.settings_dict["NAME"]
    original = _fingerprint(source)
    assert all(rows > 0 for rows, _ in original.values()), original

    # when it is dumped, and the dump restored into a new, empty database
    dump = tmp_path / "rusmiddel.dump"
    subprocess.run(
        ["pg_dump", *_client_args(), "--format=custom", f"--file={dump}", source],
        check=True,
        env=_client_env(),
        capture_output=True,
    )
    listed = subprocess.run(
        ["pg_restore", "--list", str(dump)], check=True, capture_output=True, text=True
    )
    assert "audit_auditentry" in listed.stdout  # the archive is readable
    restored = f"{source}_restore_{os.getpid()}"[:63]
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            [
                "pg_restore",
                *_client_args(),
                f"--dbname={restored}",
                "--exit-on-error",
                "--single-transaction",
                str(dump),
            ],
            check=True,
            env=_client_env(),
            capture_output=True,
        )

        # then every row is there, unchanged
        assert _fingerprint(restored) == original
        with psycopg.connect(_conninfo(restored)) as db:
            assert db.execute(
                "SELECT tgname FROM pg_trigger WHERE tgname = 'audit_append_only'"
            ).fetchone() == ("audit_append_only",)
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                db.execute(
                    "DELETE FROM audit_auditentry WHERE id = (SELECT min(id) FROM audit_auditentry)"
                )
        # …and the schema is complete: no migration left to apply
        s = connection.settings_dict
        url = (
            f"postgres://{s.get('USER') or ''}"
            f"{':' + s['PASSWORD'] if s.get('PASSWORD') else ''}@{s.get('HOST') or 'localhost'}"
            f":{s.get('PORT') or 5432}/{restored}"
        )
        check = subprocess.run(
            [sys.executable, "-m", "rusmiddel.cli", "manage", "migrate", "--check"],
            env={**os.environ, "DATABASE_URL": url, "RUSMIDDEL_SECRET_KEY": "x"},
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stdout + check.stderr
    finally:
        with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
