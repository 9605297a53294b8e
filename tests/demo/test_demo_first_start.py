"""`rusmiddel demo`'s first start answers before its letters are printed: it says what it is
doing (migrating, the cases as they are made), serves, and renders the demo's PDF letters
beside the server, each logged with its hash and sent through the outbox."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE") and not k.startswith("RUSMIDDEL_")
    }
    return env | {"RUSMIDDEL_DATA_DIR": str(data_dir)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _letters(data_dir: Path) -> tuple[int, int, int]:
    """(letters, without a PDF, logged as created) in the demo's database."""
    with sqlite3.connect(data_dir / "rusmiddel.sqlite3") as db:
        return (
            db.execute("SELECT COUNT(*) FROM letters_letter").fetchone()[0],
            db.execute("SELECT COUNT(*) FROM letters_letter WHERE sha256 = ''").fetchone()[0],
            db.execute(
                "SELECT COUNT(*) FROM audit_auditentry WHERE event = 'letter_created'"
            ).fetchone()[0],
        )


@pytest.mark.slow
def test_the_first_start_serves_first_and_prints_the_letters_beside_it(tmp_path):
    port = _free_port()
    log = tmp_path / "demo.log"
    command = [sys.executable, "-m", "rusmiddel.cli", "demo", "--port", str(port)]
    with log.open("w") as out:
        demo = subprocess.Popen(
            command,
            env=_env(tmp_path),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # when it answers the log-in page
        deadline = time.monotonic() + 240
        status = None
        while time.monotonic() < deadline and status != 200:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/log-ind/", timeout=5) as r:
                    status = r.status
            except OSError:
                assert demo.poll() is None, log.read_text()
                time.sleep(0.2)
        assert status == 200, log.read_text()
        said = log.read_text()
        # then it said what it was doing, and the letters are still being printed
        assert "Migrating the database" in said
        assert "gentofte: cases" in said and "helsingoer: cases" in said
        assert "demo letters as PDF beside the server" in said
        letters, unprinted, logged = _letters(tmp_path)
        assert letters > 100 and unprinted > 0 and logged == letters - unprinted
        # and before long every letter has its PDF, its log entry and its delivery
        while time.monotonic() < deadline and "Demo letters:" not in log.read_text():
            assert demo.poll() is None, log.read_text()
            time.sleep(1)
        assert f"Demo letters: {letters} rendered" in log.read_text()
        assert _letters(tmp_path) == (letters, 0, letters)
        assert len(list((tmp_path / "outbox").rglob("*.pdf"))) == letters
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        try:
            demo.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
