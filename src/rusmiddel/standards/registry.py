"""Find the standard in force for a municipality on a date.

Standards live as `<municipality>/<valid_from>.yaml` in the package's `data/` folder and in
any folder named in RUSMIDDEL_STANDARDS_PATH (os.pathsep-separated): adding a
municipality, or a new version, is adding a file.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from rusmiddel.rules.compiled import CompiledStandard
from rusmiddel.rules.errors import ErrorCode, RulesError

from .loader import Problem, StandardFileError, load_file
from .schema import Offer, Standard

PACKAGE_DATA = Path(__file__).with_name("data")


def search_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("RUSMIDDEL_STANDARDS_PATH", "").split(os.pathsep) if p]
    return [PACKAGE_DATA, *extra]


def _mtime_ns(folder: Path) -> int:
    try:
        return folder.stat().st_mtime_ns
    except FileNotFoundError:
        return -1


def _version_files(municipality: str) -> dict[dt.date, Path]:
    """The municipality's files by valid-from date (read-only). Listed again only when one of
    its folders changes (a file added, removed or renamed changes the folder's mtime): one
    stat per folder instead of a glob on every lookup, which pages make per row."""
    dirs = tuple(search_dirs())
    stamps = tuple(_mtime_ns(base / municipality) for base in dirs)
    return _list_version_files(municipality, dirs, stamps)


@lru_cache(maxsize=1024)
def _list_version_files(
    municipality: str, dirs: tuple[Path, ...], stamps: tuple[int, ...]
) -> dict[dt.date, Path]:
    found: dict[dt.date, Path] = {}
    for base in dirs:
        for path in sorted((base / municipality).glob("*.yaml")):
            try:
                found[dt.date.fromisoformat(path.stem)] = path
            except ValueError:
                raise StandardFileError(
                    path, [Problem((), "file name must be <valid_from>.yaml, e.g. 2024-01-01.yaml")]
                ) from None
    return found


def municipalities() -> list[str]:
    """Ids of every municipality with at least one standard file."""
    return sorted(
        {
            d.name
            for base in search_dirs()
            if base.is_dir()
            for d in base.iterdir()
            if d.is_dir() and any(d.glob("*.yaml"))
        }
    )


def versions(municipality: str) -> list[dt.date]:
    return sorted(_version_files(municipality))


# Room for every version of all 98 municipalities' standards: a miss re-reads a YAML file.
@lru_cache(maxsize=1024)
def _load_cached(path: str, mtime_ns: int) -> CompiledStandard:
    compiled = load_file(path)
    file = Path(path)
    problems = []
    if compiled.standard.valid_from.isoformat() != file.stem:
        problems.append(Problem(("valid_from",), f"must match the file name ({file.stem})"))
    if compiled.municipality != file.parent.name:
        problems.append(
            Problem(("municipality", "id"), f"must match the folder name ({file.parent.name})")
        )
    if problems:
        raise StandardFileError(file, problems)
    return compiled


def load(municipality: str, on: dt.date) -> CompiledStandard:
    """The version of `municipality`'s standard in force on `on`."""
    files = _version_files(municipality)
    if not files:
        known = ", ".join(municipalities())
        raise RulesError(
            f"--municipality: unknown municipality '{municipality}' (known: {known})",
            code=ErrorCode.UNKNOWN_MUNICIPALITY,
        )
    in_force = [d for d in files if d <= on]
    if not in_force:
        first = min(files).isoformat()
        raise RulesError(
            f"--on: no standard for {municipality} in force on {on.isoformat()} "
            f"(the first applies from {first})",
            code=ErrorCode.NO_STANDARD_IN_FORCE,
        )
    path = files[max(in_force)]
    return _load_cached(str(path), path.stat().st_mtime_ns)


def offer_lookup(municipality: str) -> Callable[[dt.date, str], Offer | None]:
    """`offer(on, offer_id)`: the offer in the version in force on `on` (None before the
    first version), looked up once per (version, offer). For pages and extracts that look up
    offers row by row: the versions are listed once, and years of rows fall in a handful."""
    dates = versions(municipality)
    seen: dict[tuple[dt.date, str], Offer | None] = {}

    def offer(on: dt.date, offer_id: str) -> Offer | None:
        in_force = bisect.bisect_right(dates, on)
        if not in_force:
            return None
        key = (dates[in_force - 1], offer_id)
        if key not in seen:
            seen[key] = load(municipality, key[0]).standard.offer(offer_id)
        return seen[key]

    return offer


def standard_lookup(municipality: str) -> Callable[[dt.date], Standard | None]:
    """`standard(on)`: the version in force on `on` (None before the first), loaded once per
    version: for pages that look up the standard of many rows (group runs' closed days)."""
    dates = versions(municipality)
    seen: dict[dt.date, Standard] = {}

    def standard(on: dt.date) -> Standard | None:
        in_force = bisect.bisect_right(dates, on)
        if not in_force:
            return None
        key = dates[in_force - 1]
        if key not in seen:
            seen[key] = load(municipality, key).standard
        return seen[key]

    return standard


def every_version() -> list[CompiledStandard]:
    """Every version of every municipality's standard, in name and date order."""
    return [load(m, v) for m in municipalities() for v in versions(m)]
