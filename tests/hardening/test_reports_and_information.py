"""Attacks on what the worker reports and on what a submission can learn, each graded beside its honest twin.

The rule: a fact that earns a point is established where student code cannot touch it. Here, on the fast
numpy assignment (01-perceptron): "does not modify its inputs" (by construction: read-only arguments), what
feedback shows of the output printed during hidden tests (nothing verbatim), the seeds of hidden inputs (a
course secret and the submission's code: a second submission cannot reuse what the first one printed), and
what the sandbox's /proc tells (no host path but the interpreter's, no environment).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hardening_helpers import ASSIGNMENT, PRELUDE, ROOT, needs_full_sandbox, options, reports, write_good

from autograder.feedback import render_feedback
from autograder.runner import Submission, grade_submission

pytestmark = [needs_full_sandbox, pytest.mark.slow]

IN_PLACE = '''
def perceptron_update(w, x, y, lr=1.0):
    w = np.asarray(w)
    if y * np.dot(x, w) <= 0:
        w += lr * y * np.asarray(x)   # the mistake: into the caller's array
        return w, True
    return w.copy(), False
'''
# Wraps the worker's own dispatch so that every reply reports the arguments as they were sent.
LIE_ABOUT_ARGUMENTS = '''
import __main__ as _m, copy as _copy
_orig_call = _m._call
def _lying_call(msg, namespace):
    sent = _copy.deepcopy(msg)
    reply = _orig_call(msg, namespace)
    if "args" in reply:
        reply["args"], reply["kwargs"] = tuple(sent.get("args") or []), dict(sent.get("kwargs") or {})
    return reply
_m._call = _lying_call
'''
LOG_INPUTS = '''
import numpy as _np
def _log(name, args):
    print("@@IN@@" + name + ":" + "|".join(_np.array2string(_np.asarray(a), precision=6, separator=",")
                                         .replace("\\n", "") for a in args) + "@@IN@@", flush=True)
_depth = [0]
for _name in ("fold_bias", "fold_labels", "perceptron_update", "train_perceptron", "predict"):
    def _wrap(f, name=_name):
        def g(*a, **k):
            if not _depth[0]:  # the grader's calls only, not the ones train_perceptron makes
                _log(name, a)
            _depth[0] += 1
            try:
                return f(*a, **k)
            finally:
                _depth[0] -= 1
        return g
    globals()[_name] = _wrap(globals()[_name])
print("printed while loading: LOAD-MARK", flush=True)
'''
PROC_PROBE = '''
import os as _os
def _read(p):
    try:
        return open(p, "rb").read().decode(errors="replace")
    except OSError as e:
        return type(e).__name__
_pids = [p for p in _os.listdir("/proc") if p.isdigit()]
_report(cmdlines=[_read(f"/proc/{p}/cmdline") for p in _pids], environ1=_read("/proc/1/environ"),
        mountinfo=_read("/proc/self/mountinfo"))
'''


def _notebook(folder: Path, *cells: str) -> Path:
    """The reference submission (full marks) with ``cells`` appended."""
    import nbformat

    path = write_good(folder)
    nb = nbformat.read(path, as_version=4)
    for source in cells:
        nb.cells.append(nbformat.v4.new_code_cell(source))
    nbformat.write(nb, path)
    return path


def _grade(path: Path, student: str, token: str = "tok-reports"):
    opts = options(token, call_timeout=5.0, load_timeout=10.0, submission_timeout=60.0)
    return grade_submission(ASSIGNMENT, Submission(student, path), opts)


def test_lying_about_the_arguments_scores_no_more_than_the_honest_version(tmp_path):
    """The arguments after a call are data the submission returns, compared in the grader with the grader's
    own copy. A submission that rewrites the worker's dispatch to hand back unmodified arguments has,
    observably, written a function that copies its inputs: it scores what the honest copy does, never more."""
    mistake = _grade(_notebook(tmp_path / "mistake", IN_PLACE), "mistake")
    honest = _grade(_notebook(tmp_path / "honest", IN_PLACE.replace("np.asarray(w)", "np.array(w, dtype=float)")),
                    "honest")
    attack = _grade(_notebook(tmp_path / "attack", IN_PLACE, LIE_ABOUT_ARGUMENTS), "attack")
    failed = [t for t in mistake.tests if t.name.startswith("test_update_does_not_modify_inputs")]
    assert failed and failed[0].outcome != "passed" and "w" in failed[0].message, failed
    assert mistake.score < honest.score == ASSIGNMENT.max_score
    assert attack.score <= honest.score


def _inputs(output: str) -> set[str]:
    return set(re.findall(r"^@@IN@@(.*)@@IN@@$", output, re.M))


def test_hidden_inputs_change_with_the_submission_and_never_reach_the_feedback(tmp_path):
    first = _grade(_notebook(tmp_path / "a", LOG_INPUTS), "eve")
    again = _grade(_notebook(tmp_path / "b", LOG_INPUTS), "eve")
    second = _grade(_notebook(tmp_path / "c", LOG_INPUTS + "\n# resubmitted\n"), "eve")
    seen, seen_again, seen_second = _inputs(first.output), _inputs(again.output), _inputs(second.output)
    assert first.score == again.score == second.score == ASSIGNMENT.max_score
    assert len(seen) > 20 and seen == seen_again  # a regrade of the same code draws the same inputs
    # A second submission that hard-codes the answers to what the first one logged finds only the fixed
    # (worked-example) inputs again: the random ones are new.
    assert len(seen & seen_second) < 0.5 * len(seen), (len(seen & seen_second), len(seen))
    page = render_feedback(first)
    assert "LOAD-MARK" in page  # what the notebook printed while it loaded is shown
    assert "@@IN@@" not in page and "is not shown" in page  # what it printed during the tests is not


def test_proc_shows_no_host_path_but_the_interpreter_and_no_environment(tmp_path):
    result = _grade(_notebook(tmp_path / "p", PRELUDE + PROC_PROBE), "paula", token="tok-proc-secret")
    found = reports(result.output)
    text = "\n".join(found["cmdlines"]).replace("\0", " ")
    assert "--args" in text and "--setenv" not in text and "--ro-bind" not in text
    assert "tok-proc-secret" not in text and "HARDENING_TOKEN" not in text
    assert str(ROOT) not in text.replace(sys.executable, ""), text
    assert found["environ1"] == "PermissionError"
    assert result.score == ASSIGNMENT.max_score
