"""Concurrent writers in tests, on PostgreSQL and SQLite alike: threads that each open their
own connection, as the workers of a server do."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, connections


@contextmanager
def database_for_threads(tmp_path) -> Iterator[None]:
    """Inside it, new threads connect to the test's data (committed: use it in a test marked
    `django_db(transaction=True)`) as separate clients of one database.

    PostgreSQL: the test database as it is. SQLite: the test database is in memory with a
    shared cache, where a second writer fails at once ("database table is locked") instead
    of waiting for the lock as it does on a file, the demo's database; so the data is copied
    to a file, and threads started inside open that file with the settings' options (the
    busy timeout, IMMEDIATE transactions, WAL). The test's own thread keeps the in-memory
    database: read the outcome with `in_thread`."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "concurrent.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    saved = connections.settings["default"]
    connections.settings["default"] = {**saved, "NAME": str(path)}
    try:
        yield
    finally:
        connections.settings["default"] = saved


def in_thread(work: Callable[[], Any]) -> Any:
    """`work()` in a thread of its own (its own connection), answering what it returned."""
    return race([work])[0]


def race(works: Sequence[Callable[[], Any]]) -> list[Any]:
    """Start every `works[i]()` at once, each in a thread with its own connection; answer
    what each returned (or the exception it raised), in order."""
    start = threading.Barrier(len(works))
    results: list[Any] = [None] * len(works)

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = works[i]()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
