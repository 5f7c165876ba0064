"""Faults: the grader SIGKILLed at random moments, two runs on one gradebook, workers killed mid-call.

The killed grader is the real ``autograder grade`` CLI with its whole process group (the pool's
processes included); the sandboxes, in sessions of their own, must die with it (bubblewrap's
--die-with-parent and the pid namespace), and the next run must reap the cgroups they leave.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from hardening_helpers import (
    AID,
    ASSIGNMENT,
    GOOD_NOTEBOOK,
    ROOT,
    gradebook_state,
    needs_full_sandbox,
    options,
    sandbox_groups,
)

from autograder.executors import Executor, grade_all
from autograder.grading import RunOutputs, run_grading
from autograder.runner import Submission, find_submissions
from autograder.session import options_for

pytestmark = needs_full_sandbox
PEOPLE = ["alice", "bob", "carol", "dave"]  # 38, 0, 20 and 20 points: a swapped or lost grade shows
N_STUDENTS = 30
SEEDS = range(10)


def _cli(submissions: Path, out: Path, *extra: str, resume: bool = False) -> subprocess.Popen:
    env = {**os.environ, "AUTOGRADER_RESUME": "1" if resume else "0"}
    return subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade", AID, "--submissions", str(submissions), "--out", str(out),
         "--workers", "2", "--timeout", "5", "--no-progress", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _finish(proc: subprocess.Popen) -> str:
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output[-3000:]
    return output


def _tree(root: int) -> set[int]:
    """`root` and its descendants, as /proc shows them now."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_bytes() if entry.isdigit() else b""
        except OSError:
            continue
        if stat:
            children.setdefault(int(stat[stat.rindex(b")") + 2:].split()[1]), []).append(int(entry))
    found, stack = set(), [root]
    while stack:
        pid = stack.pop()
        found.add(pid)
        stack.extend(children.get(pid, []))
    return found


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    for i in range(N_STUDENTS):
        shutil.copytree(ROOT / "examples" / "submitted" / PEOPLE[i % len(PEOPLE)] / AID, folder / f"s{i:02d}" / AID)
    return folder


@pytest.fixture(scope="module")
def baseline(klass, tmp_path_factory) -> tuple[dict, float, Path]:
    """The gradebook of an uninterrupted run, how long that run took, and its outputs."""
    out = tmp_path_factory.mktemp("baseline")
    start = time.monotonic()
    _finish(_cli(klass, out))
    state = gradebook_state(out / "gradebook.db")
    assert state["integrity"] == "ok" and state["counts"]["submitted_assignment"] == N_STUDENTS
    totals = {}
    for student, _, auto, *_ in state["scores"]:
        totals[student] = totals.get(student, 0) + auto
    assert sorted(set(totals.values())) == [0.0, 20.0, 38.0]
    return state, time.monotonic() - start, out


def _rerun_in_process(klass: Path, out: Path) -> None:
    """The rerun, resuming, with exactly the CLI's options (so the killed run's saved results match)."""
    subs = find_submissions(klass, ASSIGNMENT)
    run_grading(ASSIGNMENT, subs, options_for(ASSIGNMENT.settings, call_timeout=5.0), RunOutputs.under(out, AID),
                Executor(workers=2), resume=True)


def _alive(pids: set[int]) -> list[int]:
    out = []
    for pid in pids:
        try:
            if b"zombie" not in Path(f"/proc/{pid}/status").read_bytes().lower():
                out.append(pid)
        except OSError:
            pass
    return out


def _sandboxes_of(creators: set[int]) -> tuple[list[int], list[str]]:
    """Processes in, and cgroups named after, sandboxes that `creators` started."""
    marks = [f"/sbx-{p}-" for p in creators]
    processes = []
    for entry in os.listdir("/proc"):
        try:
            cgroup = Path(f"/proc/{entry}/cgroup").read_text() if entry.isdigit() else ""
        except OSError:
            continue
        if any(m in cgroup for m in marks):
            processes.append(int(entry))
    groups = sorted(g for g in sandbox_groups() if g.split("-")[1].isdigit() and int(g.split("-")[1]) in creators)
    return _alive(set(processes)), groups


@pytest.fixture(scope="module")
def resumed_out(klass, baseline, tmp_path_factory) -> Path:
    """One output folder that every kill/rerun cycle works on (a full, resumable run to start from)."""
    out = tmp_path_factory.mktemp("killed") / "out"
    shutil.copytree(baseline[2], out)  # the uninterrupted run's outputs: every result resumable
    return out


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_sigkill_the_grader_at_a_random_moment_then_rerun(klass, baseline, resumed_out, seed):
    """Each cycle forces a regrade of a random third of the class, SIGKILLs the CLI and its process group
    at a random moment, checks that nothing of the killed run lives on, reruns resuming, and compares the
    gradebook with the uninterrupted run's. Seed 0 reruns with the CLI in full instead (no resume)."""
    rng = random.Random(seed)
    out = resumed_out
    for i in rng.sample(range(N_STUDENTS), N_STUDENTS // 3):  # these must be graded again
        (out / "autograded" / f"s{i:02d}" / AID / "grading.key").unlink(missing_ok=True)
    proc = _cli(klass, out, resume=True)
    time.sleep(rng.uniform(0.2, max(0.5, 0.5 * baseline[1])))
    tree = _tree(proc.pid)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while (_alive(tree) or _sandboxes_of(tree)[0]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _alive(tree) == [] and _sandboxes_of(tree)[0] == []  # the sandboxes died with their grader
    if seed == 0:
        _finish(_cli(klass, out))
    else:
        _rerun_in_process(klass, out)
    assert gradebook_state(out / "gradebook.db") == baseline[0]  # no grade lost, none duplicated
    assert _sandboxes_of(tree)[1] == []  # the rerun reaped the cgroups the killed run left
    records = list((out / "autograded").glob(f"*/{AID}/result.json"))
    assert len(records) == N_STUDENTS
    for path in records:
        assert json.loads(path.read_text())["student"] == path.parent.parent.name  # never half-written


@pytest.mark.slow
def test_two_runs_at_once_on_one_gradebook(klass, baseline, tmp_path):
    """Two CLI runs write the same twelve submissions into one gradebook at the same time."""
    some = tmp_path / "some"
    for i in range(12):
        shutil.copytree(klass / f"s{i:02d}", some / f"s{i:02d}")
    first = _cli(some, tmp_path / "out", "--workers", "1")
    second = _cli(some, tmp_path / "out", "--workers", "1")
    _finish(first), _finish(second)
    state = gradebook_state(tmp_path / "out" / "gradebook.db")
    expected = baseline[0]
    assert state["integrity"] == "ok" and state["duplicates"] == []
    assert state["counts"] == {"student": 12, "submitted_assignment": 12, "submitted_notebook": 12,
                               "grade": 12 * len(ASSIGNMENT.questions)}
    assert state["scores"] == [row for row in expected["scores"] if int(row[0][1:]) < 12]


def _with_predict(tmp_path: Path, name: str, body: str) -> Submission:
    nb = json.loads(GOOD_NOTEBOOK.read_text())
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                        "source": f"_predict = predict\ndef predict(w, X):\n{body}\n    return _predict(w, X)\n"})
    path = tmp_path / name / AID / GOOD_NOTEBOOK.name
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(nb))
    return Submission(name, path)


def _only_predict_lost(result) -> None:
    scores = result.question_scores()
    assert scores["predict"] == 0, scores
    assert {q: s for q, s in scores.items() if q != "predict"} == {
        q: p for q, p in ASSIGNMENT.questions.items() if q != "predict"}


def test_an_oom_killed_worker_fails_only_the_affected_tests(tmp_path):
    hog = _with_predict(tmp_path, "hog", "    hog = b'x' * (1 << 30)")
    good = Submission("good", Path(shutil.copytree(GOOD_NOTEBOOK.parent, tmp_path / "good" / AID)) / GOOD_NOTEBOOK.name)
    results = {r.student: r for r in grade_all(ASSIGNMENT, [hog, good], options("oom"), Executor(workers=1))}
    _only_predict_lost(results["hog"])
    assert any("memory limit" in e for e in results["hog"].events)
    assert {t.kind for t in results["hog"].tests if t.outcome != "passed"} == {"crash"}
    assert all("memory limit reached" in t.message or "failed twice" in t.message
               for t in results["hog"].tests if t.kind == "crash")
    assert results["good"].score == ASSIGNMENT.max_score


def test_a_worker_killed_by_its_own_signal_fails_only_the_affected_tests(tmp_path):
    sub = _with_predict(tmp_path, "segv", "    import ctypes\n    ctypes.string_at(0)")
    (result,) = grade_all(ASSIGNMENT, [sub], options("segv"), Executor(workers=1))
    _only_predict_lost(result)
    assert {t.kind for t in result.tests if t.outcome != "passed"} == {"crash"}


def test_a_worker_killed_from_outside_fails_only_the_call_in_flight(tmp_path):
    """The host SIGKILLs the worker while it is inside a (slow) call: that call fails, the worker is
    restarted and every other test passes."""
    token = f"hz{uuid.uuid4().hex[:12]}"
    sub = _with_predict(tmp_path, "slow", "    import time\n    open('/tmp/in-predict', 'w').close()\n"
                                          "    time.sleep(0.3)")
    killed: list[int] = []

    def worker_pid() -> int | None:
        for entry in os.listdir("/proc"):
            try:
                environ = Path(f"/proc/{entry}/environ").read_bytes() if entry.isdigit() else b""
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes() if environ else b""
            except OSError:
                continue
            if token.encode() in environ and b"/opt/worker/main.py" in cmdline:
                return int(entry)
        return None

    def killer() -> None:
        deadline = time.monotonic() + 60
        while not killed and time.monotonic() < deadline:
            pid = worker_pid()
            # as root, the host sees the sandbox's private /tmp through /proc/<pid>/root
            if pid is not None and os.path.exists(f"/proc/{pid}/root/tmp/in-predict"):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.01)

    thread = threading.Thread(target=killer)
    thread.start()
    (result,) = grade_all(ASSIGNMENT, [sub], options(token, call_timeout=5, submission_timeout=60),
                          Executor(workers=1))
    thread.join()
    assert killed, "the worker was never found"
    failed = [t for t in result.tests if t.outcome != "passed"]
    assert [(t.question, t.kind) for t in failed] == [("predict", "crash")]  # the call in flight, nothing else
    assert "crashed" in failed[0].message
    scores = result.question_scores()
    assert all(scores[q] == p for q, p in ASSIGNMENT.questions.items() if q != "predict"), scores
    assert 0 < scores["predict"] < ASSIGNMENT.questions["predict"]
