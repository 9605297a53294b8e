"""Django's SQLite backend, but `flush` fires no triggers, as TRUNCATE fires none on PostgreSQL.

The audit log refuses DELETE by trigger on both databases (audit/migrations/0009). Emptying
every table (`manage flush`, `synth --reset`, the test runner between transactional tests)
is done with TRUNCATE on PostgreSQL, which is not a row event, and with DELETE on SQLite,
which is. So here a flush drops the triggers, empties the tables and creates the triggers
again from their own text, in the one transaction Django runs the flush in: no other
connection ever sees a table without its triggers. A DELETE anywhere else is still refused.
"""

from __future__ import annotations

from django.db.backends.sqlite3 import base, operations

__all__ = ["DatabaseWrapper"]


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not statements:
            return statements
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            )
            triggers = cursor.fetchall()
        return [
            *(f"DROP TRIGGER {self.quote_name(name)};" for name, _ in triggers),
            *statements,
            *(f"{sql};" for _, sql in triggers),
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
