"""One standard file per synthetic municipality, made from one of the two real seeds
(gentofte: external providers, drugs only; helsingoer: an own centre, drugs and alcohol,
FIT), with the municipality's id and name, valid from 2016-01-01, and every provider id
prefixed by the slug (provider slugs are unique across the database)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from ruamel.yaml import YAML

from rusmiddel.standards import registry
from rusmiddel.standards.registry import PACKAGE_DATA

from . import target
from .municipalities import Kommune

REAL = ("gentofte", "helsingoer")  # municipalities with a real standard (from 2024-01-01)
REAL_FROM = dt.date(2024, 1, 1)
SYNTH_FROM = dt.date(2016, 1, 1)
SEED_NAMES = {"gentofte": "Gentofte", "helsingoer": "Helsingør"}


def shape(kommune: Kommune, index: int) -> str:
    """Which seed a municipality is made from: big ones run their own centre (helsingoer);
    every other small one buys treatment outside (gentofte)."""
    if kommune.slug in REAL:
        return kommune.slug
    return "gentofte" if kommune.population < 40000 and index % 2 == 0 else "helsingoer"


def starts_on(slug: str) -> dt.date:
    """The first day a municipality's standard is in force (its cases start then or later)."""
    return REAL_FROM if slug in REAL else SYNTH_FROM


def _seed(name: str) -> dict[str, Any]:
    return YAML(typ="safe").load((PACKAGE_DATA / name / "2024-01-01.yaml").read_bytes())


def _rename(node: Any, ids: dict[str, str], old_name: str, new_name: str) -> Any:
    """A copy of `node` with provider ids swapped and the seed's name replaced in texts."""
    if isinstance(node, dict):
        return {k: _rename(v, ids, old_name, new_name) for k, v in node.items()}
    if isinstance(node, list):
        return [_rename(v, ids, old_name, new_name) for v in node]
    if isinstance(node, str):
        return ids.get(node) or node.replace(old_name, new_name)
    return node


def _provider_id(slug: str, seed: str, old: str) -> str:
    rest = old.removeprefix(f"{seed}_")
    return f"{slug}_{rest}"


def standard_data(kommune: Kommune, seed: str, seed_data: dict[str, Any]) -> dict[str, Any]:
    ids = {p["id"]: _provider_id(kommune.slug, seed, p["id"]) for p in seed_data["providers"]}
    data = _rename(seed_data, ids, SEED_NAMES[seed], kommune.name)
    data["municipality"]["id"] = kommune.slug
    data["municipality"]["name"] = f"{kommune.name} Kommune"
    data["valid_from"] = SYNTH_FROM
    return data


def write_standards(kommuner: list[tuple[Kommune, str]]) -> dict[str, Any]:
    """Write (if changed) the standard file of each synthetic municipality (the real ones
    are the package's own), then load every one through the registry: the loader's
    validation and the registry's folder and file-name checks. Returns slug → standard in
    force from its first day."""
    seeds = {name: _seed(name) for name in REAL}
    base = target.standards_dir()
    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    for kommune, seed in kommuner:
        if kommune.slug in REAL:
            continue
        buffer = io.StringIO()
        yaml.dump(standard_data(kommune, seed, seeds[seed]), buffer)
        text = f"# Synthetic standard (rusmiddel synth), made from the {seed} seed.\n"
        text += buffer.getvalue()
        path = base / kommune.slug / f"{SYNTH_FROM.isoformat()}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")  # unchanged files keep their mtime (cache)
    target.standards_path_add()  # what was written here must be found by the registry
    return {k.slug: registry.load(k.slug, starts_on(k.slug)) for k, _ in kommuner}
