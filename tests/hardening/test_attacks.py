"""The attack catalogue graded as one batch, with good submissions among the hostile ones.

Every attack must gain no point, be graded (not crash the run) in the full sandbox within the time
limits, and pass its own check; the good submissions must keep full marks; nothing the attacks started
may outlive the grading; the host's listeners must have heard nothing.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from attacks import CATALOGUE, Attack, Outcome, fill, write_files
from hardening_helpers import (
    AID,
    ASSIGNMENT,
    RETIRE_SLACK,
    ROOT,
    SUBMISSION_TIMEOUT,
    Snapshot,
    gradebook_state,
    needs_full_sandbox,
    no_leftovers,
    options,
    reports,
    write_good,
    write_stub,
)

from autograder.executors import Executor
from autograder.grading import RunOutputs, run_grading
from autograder.results import SubmissionResult
from autograder.runner import Submission, find_submissions, grade_submission

pytestmark = [needs_full_sandbox, pytest.mark.slow]
GOOD = ["good-1", "good-2"]
WORKER_DIR = ROOT / "autograder" / "worker"


def _digest(folder: Path) -> str:
    """The worker files the tampering attacks go for (contents and modes), and whether their plants exist."""
    h = hashlib.sha256()
    for name in ("main.py", "protocol.py"):
        path = folder / name
        h.update(name.encode() + b"\0" + oct(path.stat().st_mode).encode() + path.read_bytes())
    h.update(repr([(folder / n).exists() for n in ("evil.py", "p.py")]).encode())
    return h.hexdigest()


class Listeners:
    """Loopback sockets on the host side that no submission may reach."""

    def __init__(self, token: str, tmp: Path):
        self.tcp = socket.create_server(("127.0.0.1", 0))
        try:
            self.tcp6 = socket.create_server(("::1", 0), family=socket.AF_INET6)
        except OSError:  # no IPv6 loopback here: the probe then targets a closed port
            self.tcp6 = None
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.abstract_name = f"hardening-{token}"
        self.abstract = socket.socket(socket.AF_UNIX)
        self.abstract.bind("\0" + self.abstract_name)
        self.abstract.listen()
        self.unix_path = str(tmp / f"hardening-{token}.sock")
        self.unix = socket.socket(socket.AF_UNIX)
        self.unix.bind(self.unix_path)
        self.unix.listen()
        self.all = [s for s in (self.tcp, self.tcp6, self.udp, self.abstract, self.unix) if s is not None]
        for s in self.all:
            s.setblocking(False)

    def values(self) -> dict[str, str]:
        return {"TCP": str(self.tcp.getsockname()[1]), "TCP6": str(self.tcp6.getsockname()[1] if self.tcp6 else 9),
                "UDP": str(self.udp.getsockname()[1]), "ABSTRACT": self.abstract_name, "UNIXPATH": self.unix_path}

    def heard(self) -> list[str]:
        """What arrived: an accepted connection or a datagram on any of them."""
        out = []
        for s in self.all:
            try:
                if s.type == socket.SOCK_DGRAM:
                    out.append(f"datagram {s.recv(100)!r}")
                else:
                    conn, addr = s.accept()
                    conn.close()
                    out.append(f"connection from {addr!r}")
            except (BlockingIOError, InterruptedError):
                pass
        return out

    def close(self) -> None:
        for s in self.all:
            s.close()


@dataclass
class Batch:
    results: dict[str, SubmissionResult]
    out: Path
    values: dict[str, str]
    leftovers: dict[str, list]
    heard: list[str]
    gradebook: dict
    worker_digest: tuple[str, str]
    token: str
    seconds: float

    def outcome(self, attack: Attack) -> Outcome:
        result = self.results[attack.name]
        page = self.out / "feedback" / attack.name / AID / "perceptron.html"
        return Outcome(result, reports(result.output), self.values,
                       page.read_text(encoding="utf-8") if page.exists() else "")


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Batch:
    token = f"hz{uuid.uuid4().hex[:12]}"
    tmp = tmp_path_factory.mktemp("attacks")
    subs, out = tmp / "submitted", tmp / "out"
    listeners = Listeners(token, tmp)
    values = {
        "TOKEN": token,
        "MARK": f"{token}-proc",
        **listeners.values(),
        "PATHS": repr([str(ROOT / "autograder" / "suites" / AID / "test_train.py"),
                       str(ROOT / "autograder" / "suites"), str(ROOT / "solutions" / AID / "perceptron.ipynb"),
                       str(out / "gradebook.db"), str(subs / GOOD[0] / AID / "perceptron.ipynb"),
                       str(ROOT / ".git" / "HEAD"), str(ROOT / "examples"), str(tmp)]),
        "OUTPATHS": repr([str(out / "gradebook.db"), str(out / "feedback" / "x.html"),
                          str(out / "autograded" / "x.json"), str(out / "grades.csv"), str(ROOT / "gradebook.db")]),
    }
    for attack in CATALOGUE:
        folder = subs / attack.name
        write_stub(folder, fill(attack.source, values))
        write_files(folder, attack, values)
    for name in GOOD:
        write_good(subs / name)
    worker_before = _digest(WORKER_DIR)
    snapshot = Snapshot(markers=[token])
    old_env = os.environ.get("HARDENING_HOST_SECRET")
    os.environ["HARDENING_HOST_SECRET"] = "host-secret-" + uuid.uuid4().hex  # not the token: see leftovers
    start = time.monotonic()
    try:
        summary = run_grading(ASSIGNMENT, find_submissions(subs, ASSIGNMENT), options(token),
                              RunOutputs.under(out, AID), Executor(workers=2))
        seconds = time.monotonic() - start
        leftovers = no_leftovers(snapshot)
        heard = listeners.heard()
    finally:
        listeners.close()
        if old_env is None:
            os.environ.pop("HARDENING_HOST_SECRET", None)
        else:
            os.environ["HARDENING_HOST_SECRET"] = old_env
    print(f"\n[hardening] {len(summary.results)} submissions graded in {seconds:.1f} s", file=sys.stderr)
    return Batch({r.student: r for r in summary.results}, out, values, leftovers, heard,
                 gradebook_state(out / "gradebook.db"), (worker_before, _digest(WORKER_DIR)), token, seconds)


def test_the_leftover_check_sees_a_leak(tmp_path):
    """The check of test_nothing_outlives_the_grading can fail: a marked process and a dead creator's cgroup."""
    import subprocess

    from autograder.sandbox.cgroups import cgroup_parent

    marker = f"hz{uuid.uuid4().hex[:12]}"
    snapshot = Snapshot(markers=[marker])
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
    dead = subprocess.Popen(["true"])
    dead.wait()
    group = cgroup_parent("pids") / f"sbx-{dead.pid}-0-{marker}"
    group.mkdir()
    try:
        found = snapshot.leftovers()
        assert [pid for pid, _ in found["processes"]] == [sleeper.pid]
        assert found["cgroups"] == [group.name]
    finally:
        sleeper.kill()
        sleeper.wait()
        group.rmdir()
    assert no_leftovers(snapshot, wait=0) == {"processes": [], "cgroups": [], "mounts": [], "temp": [], "shm": []}


def test_the_catalogue_is_large_and_covers_every_class():
    assert len(CATALOGUE) >= 40
    assert {a.category for a in CATALOGUE} == {"forge", "secrets", "network", "resources", "tamper"}


# Points these attacks still take, with the owner of the fix (not the engine: the checks and the suite).
KNOWN_LEAKS: dict[str, str] = {}  # attack name -> why it still gains a point (none left)


def _param(attack: Attack):
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_LEAKS[attack.name])] if attack.name in KNOWN_LEAKS else []
    return pytest.param(attack, id=attack.name, marks=marks)


@pytest.mark.parametrize("attack", [_param(a) for a in CATALOGUE])
def test_attack_gains_nothing(batch, attack):
    outcome = batch.outcome(attack)
    result = outcome.result
    assert result.status == "graded", result.error
    assert result.score == 0, [(t.name, t.kind) for t in result.tests if t.outcome == "passed"]
    assert result.isolation == "bubblewrap+cgroup"
    assert result.duration <= SUBMISSION_TIMEOUT + RETIRE_SLACK, (result.duration, result.events)
    assert len(result.tests) == len(batch.results[GOOD[0]].tests)  # every test ran and was recorded
    if attack.check is not None:
        attack.check(outcome)


def test_the_whole_batch_was_graded_in_the_full_sandbox(batch):
    assert set(batch.results) == {a.name for a in CATALOGUE} | set(GOOD)
    assert {r.isolation for r in batch.results.values()} == {"bubblewrap+cgroup"}


def test_good_submissions_among_the_attacks_keep_full_marks(batch):
    for name in GOOD:
        result = batch.results[name]
        assert result.score == result.max_score == ASSIGNMENT.max_score, [
            (t.name, t.kind, t.message[:200]) for t in result.tests if t.outcome != "passed"]


def test_the_gradebook_holds_every_submission_once_with_its_score(batch):
    state = batch.gradebook
    assert state["integrity"] == "ok" and state["duplicates"] == []
    assert state["counts"]["submitted_assignment"] == len(batch.results)
    totals: dict[str, float] = {}
    for student, _, auto, *_ in state["scores"]:
        totals[student] = totals.get(student, 0.0) + (auto or 0.0)
    expected = {name: (ASSIGNMENT.max_score if name in GOOD else 0.0) for name in batch.results}
    stolen = {name: total for name, total in totals.items() if total != expected[name]}
    assert set(stolen) <= set(KNOWN_LEAKS), stolen
    assert {name: batch.results[name].score for name in stolen} == stolen  # the gradebook agrees with the results


def test_nothing_outlives_the_grading(batch):
    assert batch.leftovers == {"processes": [], "cgroups": [], "mounts": [], "temp": [], "shm": []}


def test_the_host_listeners_heard_nothing(batch):
    assert batch.heard == []


def test_the_worker_code_and_the_runtime_are_unchanged(batch):
    before, after = batch.worker_digest
    assert before == after
    import site

    planted = [p for d in (*site.getsitepackages(), sys.prefix, "/tmp", "/dev/shm")
               for p in Path(d).glob(f"*{batch.token}*")]
    assert planted == []


def test_the_grader_stays_healthy_after_resource_attacks(tmp_path):
    """Graded in this process: no descriptor, thread or child process of the grader is left behind."""
    wanted = ["fork_bomb_at_import", "stdout_and_stderr_flood", "file_descriptor_exhaustion",
              "memory_hog_in_every_call", "forged_reply_then_stop_reading"]
    token = f"hz{uuid.uuid4().hex[:12]}"
    values = {"TOKEN": token, "MARK": f"{token}-proc"}
    attacks = [a for a in CATALOGUE if a.name in wanted]
    paths = [write_stub(tmp_path / a.name, fill(a.source, values)) for a in attacks]
    grade_submission(ASSIGNMENT, Submission("warmup", write_good(tmp_path / "warmup")), options(token))
    fds, threads, children = len(os.listdir("/proc/self/fd")), threading.active_count(), _children()
    snapshot = Snapshot(markers=[token])
    for attack, path in zip(attacks, paths, strict=True):
        result = grade_submission(ASSIGNMENT, Submission(attack.name, path), options(token))
        assert result.score == 0 and result.status == "graded"
    good = grade_submission(ASSIGNMENT, Submission("after", write_good(tmp_path / "after")), options(token))
    assert good.score == ASSIGNMENT.max_score  # the same process grades the next student normally
    assert len(os.listdir("/proc/self/fd")) == fds
    assert threading.active_count() == threads
    assert no_leftovers(snapshot, creators={os.getpid()}) == {
        "processes": [], "cgroups": [], "mounts": [], "temp": [], "shm": []}
    assert _children() == children


def _children() -> set[int]:
    """This process's live children (a multiprocessing forkserver from an earlier test may be one)."""
    found = set()
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_bytes() if entry.isdigit() else b""
        except OSError:
            continue
        if stat:
            fields = stat[stat.rindex(b")") + 2:].split()
            if int(fields[1]) == os.getpid() and fields[0] != b"Z":
                found.add(int(entry))
    return found
