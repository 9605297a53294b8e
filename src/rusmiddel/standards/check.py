"""Check a standard file in a child process with a time and a memory limit.

`rusmiddel standard check` and the upload check under Administration read files from
outside. The loader bounds what a file may cost (its size, nesting and aliases, the length
and nesting of its expressions), and this is the hard guard behind those limits: the
loader runs in a child process that may use `CHECK_SECONDS` of CPU time and
`CHECK_MEMORY` of address space, so a file that finds a way around them costs a refusal
(`file:?: (file): …`), never a frozen web worker or an exhausted server.

Loading a standard to use it (`registry.load`) stays in the process: those files are the
repository's, checked by `standard check` in CI.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.error import YAMLError

from .citations import Warning, warning_lines, warnings_of
from .loader import StandardFileError, _guard, load_file, problem_line, short

#: CPU seconds the check of one file may take; a seed takes 0.2 s.
CHECK_SECONDS = 10
#: Wall-clock seconds, for a machine busy with other work.
CHECK_WALL_SECONDS = 60
#: Address space of the child; checking a seed peaks at some 60 MB.
CHECK_MEMORY = 512 * 1024 * 1024
#: The most of the child's answer read (its problems are capped and short).
_MAX_ANSWER = 256 * 1024


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one file: `lines` (`file:line: field: message`), empty when
    the file is valid; then what it is. `warnings`: its outdated citations, valid or not."""

    lines: list[str]
    warnings: list[str] = field(default_factory=list)
    municipality: str | None = None  # id
    municipality_name: str | None = None
    version: str | None = None
    valid_from: dt.date | None = None
    offers: int = 0

    @property
    def valid(self) -> bool:
        return not self.lines


def _child_command() -> list[str]:
    """The child runs `_main` from this very copy of the package, whatever sys.path says."""
    root = str(Path(__file__).resolve().parents[2])
    code = (
        f"import sys; sys.path.insert(0, {root!r}); "
        "from rusmiddel.standards.check import _main; sys.exit(_main(sys.argv[1:]))"
    )
    return [sys.executable, "-c", code]


def check_file(
    path: Path | str,
    *,
    name: str | None = None,
    seconds: int = CHECK_SECONDS,
    memory: int = CHECK_MEMORY,
) -> CheckResult:
    """Load and validate `path` in a child process limited to `seconds` of CPU time and
    `memory` bytes of address space; never raises for what the file holds. `name` stands
    for the file in the lines (an upload's own name rather than its temporary path)."""
    shown = str(path) if name is None else name

    def refused(message: str) -> CheckResult:
        return CheckResult([problem_line(shown, None, "(file)", message)])

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            done = subprocess.run(
                [*_child_command(), str(seconds), str(memory), str(path)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                timeout=CHECK_WALL_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return refused(
                f"checking took more than {CHECK_WALL_SECONDS} s and was stopped "
                "(an expression or the YAML costs too much)"
            )
        out.seek(0)
        answer = out.read(_MAX_ANSWER)
        err.seek(max(0, err.seek(0, 2) - 2000))
        last = (err.read().decode("utf-8", "replace").strip().splitlines() or [""])[-1]
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return refused(
            f"checking took more than {seconds} s of CPU time and was stopped "
            "(an expression or the YAML costs too much)"
        )
    try:
        doc = json.loads(answer)
    except ValueError:
        doc = None
    if done.returncode != 0 or not isinstance(doc, dict):
        detail = f": {short(last)}" if last else ""
        return refused(f"the check stopped unexpectedly (exit status {done.returncode}){detail}")
    lines = [problem_line(shown, line, where, message) for line, where, message in doc["problems"]]
    warnings = warning_lines(shown, [Warning(*w) for w in doc.get("warnings", [])])
    if lines:
        return CheckResult(lines, warnings)
    return CheckResult(
        [],
        warnings,
        municipality=doc["municipality"],
        municipality_name=doc["municipality_name"],
        version=doc["version"],
        valid_from=dt.date.fromisoformat(doc["valid_from"]),
        offers=doc["offers"],
    )


def limit(seconds: int, memory: int) -> None:
    """Limit this process to `seconds` of CPU time (then SIGXCPU ends it) and `memory` bytes
    of address space (then allocations fail with MemoryError)."""
    try:
        import resource
    except ImportError:  # not on a POSIX system: the wall-clock limit still holds
        return
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    cap = seconds + 1 if hard == resource.RLIM_INFINITY else min(seconds + 1, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (min(seconds, cap), cap))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft > memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, hard))


def _main(argv: list[str]) -> int:
    """The child: check one file, answer JSON on stdout."""
    seconds, memory, path = argv
    limit(int(seconds), int(memory))
    try:
        compiled = load_file(path)
    except StandardFileError as exc:
        answer: dict = {"problems": exc.rows()}
    except MemoryError:
        answer = {
            "problems": [
                (None, "(file)", f"checking needs more than {int(memory) // 2**20} MB of memory")
            ]
        }
    else:
        standard = compiled.standard
        answer = {
            "problems": [],
            "municipality": standard.municipality.id,
            "municipality_name": standard.municipality.name,
            "version": compiled.version,
            "valid_from": standard.valid_from.isoformat(),
            "offers": len(standard.offers),
        }
    answer["warnings"] = _warnings(path)
    sys.stdout.write(json.dumps(answer))
    return 0


def _warnings(path: str) -> list[tuple[str, str, int | None]]:
    """The outdated citations of a file within the loader's bounds (a file past them is not
    read again: its refusal is the answer)."""
    try:
        raw = Path(path).read_bytes()
        if _guard(raw) is not None:
            return []
    except (OSError, YAMLError):  # told as the file's problem
        return []
    return [(w.path, w.message, w.line) for w in warnings_of(raw)]
