"""Where a synthetic dataset lives: one database per scale and kind, so that `rusmiddel synth`
and `rusmiddel bench` meet without further settings.

Call `configure` before Django is set up: it sets DATABASE_URL (unless the caller gave a URL
of the same kind) and adds the synthetic municipalities' standard files to
RUSMIDDEL_STANDARDS_PATH, for this process and every process it starts (the load test's
server).
"""

from __future__ import annotations

import os
from pathlib import Path

SCALES = ("demo", "municipality", "national")
DATABASES = ("sqlite", "postgres")
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"  # the machine's local server


def data_dir() -> Path:
    return Path(os.environ.get("RUSMIDDEL_DATA_DIR", "var")).resolve()


def standards_dir() -> Path:
    """The generated standard files of the synthetic municipalities (`<slug>/<date>.yaml`)."""
    return data_dir() / "synth-standards"


def database_url(database: str, scale: str) -> str:
    """DATABASE_URL when it is of the asked kind, else the scale's own database."""
    if database not in DATABASES:
        raise ValueError(f"--database: must be one of {', '.join(DATABASES)}, not {database!r}")
    if scale not in SCALES:
        raise ValueError(f"--scale: must be one of {', '.join(SCALES)}, not {scale!r}")
    given = os.environ.get("DATABASE_URL", "")
    if database == "postgres":
        if given.startswith(("postgres://", "postgresql://")):
            return given
        return f"{POSTGRES_SERVER}/rusmiddel_synth_{scale}"
    if given.startswith("sqlite://"):
        return given
    return f"sqlite:///{data_dir() / f'synth-{scale}.sqlite3'}"


def configure(database: str, scale: str) -> str:
    """Point this process (and its children) at the scale's database and standards."""
    url = database_url(database, scale)
    os.environ["DATABASE_URL"] = url
    standards_path_add()
    return url


def standards_path_add() -> None:
    """Put the synthetic standards on RUSMIDDEL_STANDARDS_PATH (once)."""
    extra = str(standards_dir())
    paths = [p for p in os.environ.get("RUSMIDDEL_STANDARDS_PATH", "").split(os.pathsep) if p]
    if extra not in paths:
        os.environ["RUSMIDDEL_STANDARDS_PATH"] = os.pathsep.join([*paths, extra])


def database_create(url: str) -> bool:
    """Create the PostgreSQL database of `url` if it does not exist (through the server's
    `postgres` maintenance database); True if it was created. SQLite makes its own file."""
    if not url.startswith(("postgres://", "postgresql://")):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        return False
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True
