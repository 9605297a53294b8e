"""Writing the generated rows: PostgreSQL with COPY (foreign-key triggers off for the load:
the generator assigns every key itself, and the tests check the references), SQLite with
executemany. Afterwards each table's id sequence continues after the largest id."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable

from django.apps import apps
from django.db import connection

from .generate import TABLES


def _model(key: str):
    app_label, name = key.split(".")
    return apps.get_model(app_label, name)


def db_table(key: str) -> str:
    return _model(key)._meta.db_table


def columns_check() -> None:
    """Every table's generated columns are exactly the model's (a migration that adds a
    column fails here, by name, rather than mid-load)."""
    for key, columns in TABLES.items():
        model_columns = {f.column for f in _model(key)._meta.concrete_fields}
        if set(columns) != model_columns:
            missing = sorted(model_columns - set(columns))
            extra = sorted(set(columns) - model_columns)
            raise RuntimeError(f"synth: {key} columns differ (missing {missing}, unknown {extra})")


class Loader:
    def __init__(self) -> None:
        self.rows: dict[str, int] = dict.fromkeys(TABLES, 0)
        self.seconds: dict[str, float] = dict.fromkeys(TABLES, 0.0)
        self.postgres = connection.vendor == "postgresql"

    def begin(self) -> None:
        """Per transaction: no foreign-key triggers while loading (PostgreSQL superuser)."""
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")

    def load(self, key: str, rows: list[tuple]) -> None:
        if not rows:
            return
        started = time.perf_counter()
        if self.postgres:
            self._copy(key, rows)
        else:
            self._insert(key, rows)
        self.seconds[key] += time.perf_counter() - started
        self.rows[key] += len(rows)

    def _copy(self, key: str, rows: Iterable[tuple]) -> None:
        names = ", ".join(f'"{c}"' for c in TABLES[key])
        sql = f'COPY "{db_table(key)}" ({names}) FROM STDIN'
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def _insert(self, key: str, rows: list[tuple]) -> None:
        adapt = connection.ops.adapt_datetimefield_value
        names = ", ".join(f'"{c}"' for c in TABLES[key])
        marks = ", ".join("%s" for _ in TABLES[key])
        sql = f'INSERT INTO "{db_table(key)}" ({names}) VALUES ({marks})'

        def plain(value):
            if isinstance(value, dt.datetime):
                return adapt(value)
            if isinstance(value, dt.date):
                return value.isoformat()
            return value

        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, [tuple(map(plain, r)) for r in rows[start : start + 5000]])

    def finish(self) -> None:
        """Sequences after the largest id; fresh statistics for the planner and the
        visibility map set (VACUUM), as autovacuum would in time: without it, an index-only
        scan over freshly loaded rows still visits every heap page."""
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            for key in TABLES:
                table = db_table(key)
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table}"), 1), '
                    f'(SELECT MAX(id) FROM "{table}") IS NOT NULL)',
                    [f'"{table}"'],
                )
            # VACUUM cannot run in a transaction (a test's): there the statistics only
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
