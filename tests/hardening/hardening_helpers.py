"""Shared pieces of the hardening campaign: hostile notebooks, small limits, and what must not outlive grading.

Hostile submissions are built like tests/test_cheats.py builds its cheats: the released stub of
01-perceptron (honest score 0, so any point is a stolen point) plus hostile code cells and files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from autograder.course import find_course_root, load_assignment
from autograder.sandbox import Isolation, Limits
from autograder.sandbox.cgroups import cgroup_parent
from autograder.sandbox.isolation import probed_isolation
from autograder.session import SessionOptions

ROOT = find_course_root(Path(__file__).parent)
AID = "01-perceptron"
ASSIGNMENT = load_assignment(AID, ROOT)
NAMES = ["fold_bias", "fold_labels", "perceptron_update", "train_perceptron", "predict"]
GOOD_NOTEBOOK = ROOT / "examples" / "submitted" / "alice" / AID / "perceptron.ipynb"  # the reference: 38/38
REPORT_MARK = "@@HARDENING@@"

needs_full_sandbox = pytest.mark.skipif(
    probed_isolation() is not Isolation.BWRAP_CGROUP,
    reason="the hardening campaign needs bubblewrap with writable cgroup v1 controllers",
)

# Small limits keep the campaign fast on 2 cores; the good submissions still pass well within them.
LIMITS = Limits(memory_mb=192, pids=32, cpu_seconds=30, file_size_mb=8, open_files=128, tmp_size_mb=16)
CALL_TIMEOUT, LOAD_TIMEOUT, SUBMISSION_TIMEOUT = 1.0, 3.0, 5.0
# Worst case after the submission budget: killing the last worker (cgroup kill, reaping, cgroup removal).
RETIRE_SLACK = 6.0


def options(token: str, **overrides) -> SessionOptions:
    """Campaign limits; the token travels in the sandbox's environment so leftovers can be found by it."""
    base = dict(call_timeout=CALL_TIMEOUT, load_timeout=LOAD_TIMEOUT, submission_timeout=SUBMISSION_TIMEOUT,
                limits=LIMITS, require_sandbox=True, extra_env={"HARDENING_TOKEN": token})
    return SessionOptions(**{**base, **overrides})


PRELUDE = f'''
import json as _json, os as _os, sys as _sys
def _report(**kw):
    print({REPORT_MARK!r} + _json.dumps(kw, default=repr) + {REPORT_MARK!r}, flush=True)
def _write(path, data=b"x", flags=_os.O_WRONLY | _os.O_CREAT | _os.O_APPEND):
    """Write unbuffered: an error shows here, not when a file object is collected."""
    fd = _os.open(path, flags, 0o644)
    try:
        return _os.write(fd, data)
    finally:
        _os.close(fd)
def _try(f, *a):
    try:
        out = f(*a)
        return ["ok", repr(out)[:300]]
    except BaseException as e:
        return [type(e).__name__, getattr(e, "errno", None)]
'''


def define_all(body: str) -> str:
    """Every graded function with the same body (``args``/``kwargs`` are its arguments)."""
    lines = "\n".join("    " + line for line in body.strip("\n").splitlines())
    return "\n".join(f"def {n}(*args, **kwargs):\n{lines}\n" for n in NAMES)


def write_stub(folder: Path, *cells: str) -> Path:
    """``folder/<aid>/perceptron.ipynb``: the released stub plus ``cells`` (each preceded by PRELUDE)."""
    target = folder / AID
    shutil.copytree(ASSIGNMENT.release_dir, target, ignore=shutil.ignore_patterns("__pycache__"))
    path = target / ASSIGNMENT.source_notebook.name
    nb = nbformat.read(path, as_version=4)
    for source in cells:
        nb.cells.append(nbformat.v4.new_code_cell(PRELUDE + source))
    nbformat.write(nb, path)
    return path


def write_good(folder: Path) -> Path:
    (folder / AID).mkdir(parents=True)
    return Path(shutil.copyfile(GOOD_NOTEBOOK, folder / AID / GOOD_NOTEBOOK.name))


def reports(output: str) -> dict:
    """Everything the submission reported with ``_report(...)`` (later keys win)."""
    found: dict = {}
    for chunk in re.findall(re.escape(REPORT_MARK) + r"(.*?)" + re.escape(REPORT_MARK), output, re.S):
        try:
            found.update(json.loads(chunk))
        except ValueError:
            pass
    return found


# --------------------------------------------------------------------------- what must not outlive grading


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return os.path.exists(f"/proc/{pid}") and b"zombie" not in _read(f"/proc/{pid}/status").lower()


def sandbox_groups() -> set[str]:
    """Names of the sandbox cgroups (memory and pids) that exist now."""
    names: set[str] = set()
    for controller in ("memory", "pids"):
        parent = cgroup_parent(controller)
        if parent.is_dir():
            names |= {p.name for p in parent.iterdir() if p.name.startswith("sbx-")}
    return names


@dataclass
class Snapshot:
    """What exists before a grading run, to tell what the run left behind."""

    markers: list[str]
    groups: set[str] = field(default_factory=sandbox_groups)
    mounts: set[str] = field(default_factory=lambda: set(_read("/proc/self/mountinfo").decode().splitlines()))
    temp: set[str] = field(default_factory=lambda: set(os.listdir(tempfile.gettempdir())))
    shm: set[str] = field(default_factory=lambda: set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set())

    def leftovers(self, creators: set[int] | None = None) -> dict[str, list]:
        """Processes, cgroups, mounts and temporary files that appeared since and are still there.

        A cgroup counts when it is new and its creator (the pid in its name) is dead or one of
        `creators` (this grader's processes, which must have removed it); a process counts when it
        carries a marker in its command line or environment, or sits in such a cgroup.
        """
        creators = {os.getpid(), *(creators or set())}
        groups = []
        for name in sandbox_groups() - self.groups:
            parts = name.split("-")
            if len(parts) == 4 and parts[1].isdigit():
                creator = int(parts[1])
                if creator in creators or not _alive(creator):
                    groups.append(name)
        processes = []
        for pid in _pids():
            if pid == os.getpid() or not _alive(pid):
                continue
            text = _read(f"/proc/{pid}/cmdline") + b"\0" + _read(f"/proc/{pid}/environ")
            cgroup = _read(f"/proc/{pid}/cgroup").decode(errors="replace")
            if any(m.encode() in text for m in self.markers) or any(g in cgroup for g in groups):
                processes.append((pid, _read(f"/proc/{pid}/cmdline").replace(b"\0", b" ")[:200].decode(
                    errors="replace")))
        mounts = sorted(set(_read("/proc/self/mountinfo").decode().splitlines()) - self.mounts)
        temp = sorted(n for n in set(os.listdir(tempfile.gettempdir())) - self.temp
                      if n.startswith("autograder") or any(m in n for m in self.markers))
        shm = sorted(set(os.listdir("/dev/shm")) - self.shm) if os.path.isdir("/dev/shm") else []
        return {"processes": processes, "cgroups": sorted(groups), "mounts": mounts, "temp": temp, "shm": shm}


def no_leftovers(snapshot: Snapshot, creators: set[int] | None = None, wait: float = 5.0) -> dict[str, list]:
    """The snapshot's leftovers, after giving exiting processes up to `wait` seconds to go."""
    deadline = time.monotonic() + wait
    while True:
        found = snapshot.leftovers(creators)
        if not any(found.values()) or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


# --------------------------------------------------------------------------- the gradebook as SQLite sees it


def gradebook_state(db: Path) -> dict:
    """Integrity, row counts and every auto score, read with plain sqlite3 (not through nbgrader)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as con:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        counts = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("student", "submitted_assignment", "submitted_notebook", "grade")}
        scores = con.execute(
            "SELECT sa.student_id, bc.name, g.auto_score, g.manual_score, g.needs_manual_grade, sa.timestamp "
            "FROM grade g JOIN submitted_notebook sn ON g.notebook_id = sn.id "
            "JOIN submitted_assignment sa ON sn.assignment_id = sa.id "
            "JOIN base_cell bc ON g.cell_id = bc.id ORDER BY sa.student_id, bc.name").fetchall()
        per_student = con.execute(
            "SELECT student_id, COUNT(*) FROM submitted_assignment GROUP BY student_id").fetchall()
    return {"integrity": integrity, "counts": counts, "scores": scores,
            "duplicates": [s for s, n in per_student if n != 1]}
