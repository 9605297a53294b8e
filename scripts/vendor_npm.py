#!/usr/bin/env python3
"""Vendor single built files of an npm package (htmx for the UI, axe-core for the tests).

    .venv/bin/python scripts/vendor_npm.py htmx.org@2 dist/htmx.min.js src/rusmiddel/web/static/htmx
    .venv/bin/python scripts/vendor_npm.py axe-core@4 axe.min.js tests/web/vendor

Runs `npm pack` (through whatever registry npm is configured to use), checks the tarball
against the integrity npm reports, and copies the named files plus the package's LICENSE into
the destination with a VERSION.json (package, version, integrity, sha256 of each file).
Standard library only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    spec, *files, dest = argv
    dest_dir = ROOT / dest
    with tempfile.TemporaryDirectory() as work:
        out = subprocess.run(
            ["npm", "pack", spec, "--json"], cwd=work, check=True, capture_output=True, text=True
        )
        info = json.loads(out.stdout)[0]
        tarball = Path(work) / info["filename"]
        algorithm, _, expected = info["integrity"].partition("-")
        digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
        if digest != expected:
            print(f"{spec}: integrity mismatch", file=sys.stderr)
            return 1
        dest_dir.mkdir(parents=True, exist_ok=True)
        copied = {}
        with tarfile.open(tarball) as tar:
            for name in [*files, "LICENSE"]:
                data = tar.extractfile(f"package/{name}").read()
                target = dest_dir / Path(name).name
                target.write_bytes(data)
                copied[target.name] = hashlib.sha256(data).hexdigest()
    (dest_dir / "VERSION.json").write_text(
        json.dumps(
            {
                "package": info["name"],
                "version": info["version"],
                "integrity": info["integrity"],
                "files": copied,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"{info['name']} {info['version']} → {dest}: {', '.join(copied)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
