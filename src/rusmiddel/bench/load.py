"""The load test: the app under gunicorn on a loopback port, driven by locust (headless,
bounded in time), with real logged-in sessions. The server is always stopped afterwards."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

INSTALL_HINT = 'pip install -e ".[bench]"  (gunicorn and locust)'


def missing_tools() -> list[str]:
    return [m for m in ("gunicorn", "locust") if importlib.util.find_spec(m) is None]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cookies(users: dict[str, Any]) -> dict[str, str]:
    """A session per role, as a log-in would leave it (force_login writes the session row)."""
    from django.conf import settings
    from django.test import Client

    out = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        out[role] = f"{name}={client.cookies[name].value}"
    return out


def _wait_healthy(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/sundhed/", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {base}/sundhed/ in {timeout:.0f} s")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)  # its own process group: the workers go too
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(5)


def run(pages, users: dict[str, Any], *, n_users: int, seconds: int, workers: int, log) -> dict:
    """Requests per second, p50/p95 and errors of `n_users` users for `seconds` seconds."""
    cookies = _cookies(users)
    plan = [
        {"name": p.name, "path": p.path, "cookie": cookies[p.role], "weight": p.weight}
        for p in pages
        if p.weight > 0 and p.method == "GET"
    ]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="rusmiddel-bench-load-") as tmp:
        plan_file = Path(tmp) / "plan.json"
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        env = {**os.environ, "RUSMIDDEL_BENCH_PLAN": str(plan_file)}
        server_log = open(Path(tmp) / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "rusmiddel.config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_healthy(base, server)
            log(f"  gunicorn on {base} ({workers} workers); locust: {n_users} users, {seconds} s")
            prefix = str(Path(tmp) / "locust")
            locustfile = Path(__file__).with_name("locustfile.py")
            cmd = [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(locustfile),
                "--headless",
                "--host",
                base,
                "-u",
                str(n_users),
                "-r",
                str(n_users),
                "-t",
                f"{seconds}s",
                "--stop-timeout",
                "5",
                "--csv",
                prefix,
                "--only-summary",
                "--exit-code-on-error",
                "0",
                "--loglevel",
                "WARNING",
            ]
            done = subprocess.run(
                cmd, env=env, capture_output=True, text=True, timeout=seconds + 120
            )
            stats = Path(f"{prefix}_stats.csv")
            if not stats.exists():
                tail = " | ".join(done.stderr.strip().splitlines()[-5:])
                raise RuntimeError(f"locust wrote no statistics (exit {done.returncode}): {tail}")
            result = _aggregated(stats, n_users, seconds)
            result["failures_by_page"] = _failures(Path(f"{prefix}_failures.csv"))
        finally:
            _stop(server)
            server_log.close()
        if server.returncode not in (0, -signal.SIGTERM):
            log(f"  gunicorn exit {server.returncode}")
    log(
        f"  {result['requests']} requests, {result['rps']} req/s, p95 {result['p95_ms']} ms, "
        f"{result['errors']} errors"
    )
    return result


def _num(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _aggregated(path: Path, n_users: int, seconds: int) -> dict:
    with path.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("Name") == "Aggregated"]
    if not rows:
        raise RuntimeError(f"no Aggregated row in {path.name}")
    row = rows[0]
    return {
        "users": n_users,
        "seconds": seconds,
        "requests": int(row["Request Count"]),
        "rps": round(_num(row["Requests/s"]) or 0.0, 1),
        "p50_ms": _num(row["50%"]),
        "p95_ms": _num(row["95%"]),
        "errors": int(row["Failure Count"]),
    }


def _failures(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as f:
        return {r["Name"]: f"{r['Occurrences']}x {r['Error']}"[:200] for r in csv.DictReader(f)}
