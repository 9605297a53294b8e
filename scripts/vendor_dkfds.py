#!/usr/bin/env python3
"""Vendor the Danish public sector design system (DKFDS) into the web app's static files.

    .venv/bin/python scripts/vendor_dkfds.py [--version 11.2.0]

Fetches the npm package `dkfds` with `npm pack` (through whatever registry npm is configured
to use), checks the tarball against the integrity npm reports, and copies only what the
pages need at run time into src/rusmiddel/web/static/dkfds/:

    css/dkfds.min.css         the compiled, minified stylesheet (neutral theme by default)
    js/dkfds.min.js           the minified JavaScript bundle
    fonts/..., img/...        every file the stylesheet refers to with url(...)
    img/all-svg-icons.svg     the icon sprite, for <svg><use href="...#name"></use></svg>
    LICENSE.md                the package's licence (MIT, OFL-1.1 for the fonts, Apache-2.0 icons)
    VERSION.json              package, version, integrity, shasum and the files copied

The source map comments are removed from the CSS and JS (the maps are not vendored, and a
dangling reference breaks `collectstatic` with a manifest storage); VERSION.json says so.
Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "dkfds"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEST = ROOT / "src" / "rusmiddel" / "web" / "static" / "dkfds"
DIST = "package/dist"  # where the built files live inside the npm tarball
THEMES = {
    "dkfds": "dkfds.min.css",
    "borgerdk": "dkfds-borgerdk.min.css",
    "virkdk": "dkfds-virkdk.min.css",
}
JS = "js/dkfds.min.js"
SPRITE = "img/all-svg-icons.svg"
LICENSE_CANDIDATES = ("package/LICENSE.md", "package/LICENSE", "package/dist/LICENSE.md")

URL_RE = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""")
CSS_MAP_RE = re.compile(r"\n?/\*#\s*sourceMappingURL=[^*]*\*/\s*$")
JS_MAP_RE = re.compile(r"\n?//#\s*sourceMappingURL=\S*\s*$")


class VendorError(Exception):
    pass


def npm_pack(version: str, workdir: Path) -> dict:
    """`npm pack dkfds@version` into workdir; answers npm's JSON description of the tarball."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not installed (it is needed to fetch the package)")
    spec = f"{PACKAGE}@{version}"
    proc = subprocess.run(
        [npm, "pack", spec, "--json", "--pack-destination", str(workdir)],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise VendorError(f"npm pack {spec} failed:\n{proc.stderr.strip()}")
    try:
        info = json.loads(proc.stdout)[0]
    except (ValueError, IndexError, KeyError) as exc:
        raise VendorError(f"npm pack {spec}: unexpected output {proc.stdout[:300]!r}") from exc
    if info.get("name") != PACKAGE:
        raise VendorError(f"npm pack {spec} produced {info.get('name')!r}, not {PACKAGE!r}")
    return info


def verify_tarball(path: Path, info: dict) -> None:
    """The tarball on disk is the one npm described (sha512 integrity and sha1 shasum)."""
    data = path.read_bytes()
    integrity = info.get("integrity", "")
    algorithm, _, expected = integrity.partition("-")
    if algorithm not in hashlib.algorithms_available or not expected:
        raise VendorError(f"unusable integrity {integrity!r} from npm")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise VendorError(f"{path.name}: {algorithm} integrity does not match npm's")
    shasum = info.get("shasum")
    if shasum and hashlib.sha1(data).hexdigest() != shasum:
        raise VendorError(f"{path.name}: shasum does not match npm's")


def read_member(tar: tarfile.TarFile, name: str) -> bytes:
    try:
        member = tar.getmember(name)
    except KeyError:
        raise VendorError(
            f"{name} is not in the tarball (has the package layout changed?)"
        ) from None
    if not member.isfile():
        raise VendorError(f"{name} is not a regular file in the tarball")
    handle = tar.extractfile(member)
    assert handle is not None
    return handle.read()


def css_references(css: str, css_path: str) -> list[str]:
    """Paths under dist/ of the local files the stylesheet at dist/css_path refers to."""
    found: set[str] = set()
    for _, url in URL_RE.findall(css):
        url = url.strip()
        if (
            not url
            or url.startswith(("data:", "#", "/"))
            or re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I)
        ):
            continue  # inline data, fragments, absolute and remote URLs are not files to copy
        url = url.split("#", 1)[0].split("?", 1)[0]
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(css_path), url))
        if resolved.startswith("../") or resolved == "..":
            raise VendorError(f"the stylesheet refers outside the package: {url}")
        found.add(resolved)
    return sorted(found)


def strip_source_map(text: str, pattern: re.Pattern[str]) -> tuple[str, bool]:
    stripped, count = pattern.subn("\n", text)
    return (stripped if count else text), bool(count)


def vendor(version: str, dest: Path, theme: str, force: bool) -> dict:
    if dest.exists() and any(dest.iterdir()) and not (dest / "VERSION.json").exists() and not force:
        raise VendorError(f"{dest} has files but no VERSION.json; not replacing it without --force")

    with tempfile.TemporaryDirectory(prefix="vendor-dkfds-") as tmp:
        workdir = Path(tmp)
        info = npm_pack(version, workdir)
        tarball = workdir / info["filename"]
        verify_tarball(tarball, info)

        files: dict[str, bytes] = {}  # path under dest -> content
        modified: list[str] = []
        with tarfile.open(tarball, "r:gz") as tar:
            css_path = f"css/{THEMES[theme]}"
            css, css_changed = strip_source_map(
                read_member(tar, f"{DIST}/{css_path}").decode("utf-8"), CSS_MAP_RE
            )
            files[css_path] = css.encode("utf-8")
            js, js_changed = strip_source_map(
                read_member(tar, f"{DIST}/{JS}").decode("utf-8"), JS_MAP_RE
            )
            files[JS] = js.encode("utf-8")
            modified += [p for p, changed in ((css_path, css_changed), (JS, js_changed)) if changed]

            for ref in css_references(css, css_path):
                files[ref] = read_member(tar, f"{DIST}/{ref}")
            files[SPRITE] = read_member(tar, f"{DIST}/{SPRITE}")

            names = set(tar.getnames())
            license_name = next((n for n in LICENSE_CANDIDATES if n in names), None)
            if license_name is None:
                raise VendorError("the package has no LICENSE file")
            files["LICENSE.md"] = read_member(tar, license_name)
            package_json = json.loads(read_member(tar, "package/package.json"))

        manifest = {
            "package": info["name"],
            "version": info["version"],
            "license": package_json.get("license"),
            "homepage": package_json.get("homepage"),
            "tarball": info["filename"],
            "integrity": info["integrity"],
            "shasum": info.get("shasum"),
            "requested": version,
            "fetched_with": f"npm pack {PACKAGE}@{info['version']}",
            "theme": theme,
            "modified": {
                p: "sourceMappingURL comment removed (maps not vendored)" for p in modified
            },
            "files": [
                {"path": p, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                for p, data in sorted(files.items())
            ],
            "total_bytes": sum(len(d) for d in files.values()),
        }

        # Build the new folder beside the old one, then swap, so a failure leaves the old one.
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".dkfds-", dir=dest.parent))
        try:
            for rel, data in files.items():
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            (staging / "VERSION.json").write_text(
                json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            if dest.exists():
                shutil.rmtree(dest)
            staging.rename(dest)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="latest", help="npm version or tag (default latest)")
    parser.add_argument("--theme", choices=sorted(THEMES), default="dkfds", help="stylesheet theme")
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="target static folder")
    parser.add_argument(
        "--force", action="store_true", help="replace a folder without VERSION.json"
    )
    args = parser.parse_args(argv)
    try:
        manifest = vendor(args.version, args.dest.resolve(), args.theme, args.force)
    except VendorError as exc:
        print(f"vendor_dkfds: {exc}", file=sys.stderr)
        return 1
    print(
        f"{manifest['package']} {manifest['version']}: {len(manifest['files'])} files, "
        f"{manifest['total_bytes'] / 1024:.0f} KiB -> {args.dest}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
