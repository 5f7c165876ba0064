"""The worker session: calls through the sandbox, errors mapped to student errors, restarts."""

import numpy as np
import pytest

from autograder.notebook_code import extract_code
from autograder.selfcheck import (
    MissingFunction,
    StudentCrashed,
    StudentRaised,
    StudentTimeout,
    UngradableResult,
)
from autograder.session import SessionOptions, WorkerSession

FUNCS = """
import numpy as np
def double(x):
    return x * 2
def inplace(x):
    if isinstance(x, list):
        x[0][0] = 5
        return 0
    x += 1
    return x
def loop(x):
    while True:
        pass
def boom():
    raise ValueError("bad input")
def todo():
    raise NotImplementedError()
def die():
    import os
    os._exit(0)
def exits():
    raise SystemExit(0)
def weird():
    return object()
def chatty():
    print("x" * 100)
    return 1
"""


@pytest.fixture
def session(notebook):
    code = extract_code(notebook("import numpy as np", FUNCS))
    with WorkerSession(code, SessionOptions(call_timeout=1.0, submission_timeout=60)) as s:
        yield s


def test_values_come_back_as_data(session):
    out = session.call("double", (np.arange(3),), {}).value
    assert type(out) is np.ndarray and out.tolist() == [0, 2, 4]
    assert session.isolation is not None


def test_arguments_after_the_call_show_in_place_changes(session):
    call = session.call("inplace", (np.zeros(2),), {}, return_args=True)
    assert call.args[0].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("name, error, text", [
    ("boom", StudentRaised, "boom raised ValueError: bad input"),
    ("todo", StudentRaised, "not implemented yet"),
    ("exits", StudentRaised, "SystemExit"),
    ("nothing", MissingFunction, "nothing is not defined"),
    ("np", MissingFunction, "not a function"),
    ("weird", UngradableResult, "cannot be graded"),
])
def test_student_errors_fail_the_call_with_a_clear_message(session, name, error, text):
    with pytest.raises(error, match=text):
        session.call(name, (), {})
    assert session.call("double", (2,), {}).value == 4  # and the session goes on


def test_a_crash_fails_one_call_and_the_worker_restarts(session):
    with pytest.raises(StudentCrashed):
        session.call("die", (), {})
    assert session.call("double", (5,), {}).value == 10


def test_an_infinite_loop_times_out_and_is_not_called_a_third_time(session):
    for _ in range(2):
        with pytest.raises(StudentTimeout, match="did not return within"):
            session.call("loop", (1,), {})
    with pytest.raises(StudentTimeout, match="failed twice already"):
        session.call("loop", (1,), {})
    assert session.call("double", (1,), {}).value == 2


def test_prints_are_captured_not_mixed_into_the_protocol(session):
    import time

    assert session.call("chatty", (), {}).value == 1
    deadline = time.monotonic() + 5  # the capped reader drains the pipe in its own thread
    while "x" * 100 not in session.output() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "x" * 100 in session.output()


def test_cells_that_raise_or_kill_the_worker_while_loading_are_recorded(notebook):
    code = extract_code(notebook("x = 1", "raise KeyError('k')", "import os\nos._exit(1)",
                                 "def f():\n    return x"))
    with WorkerSession(code, SessionOptions()) as s:
        assert s.call("f", (), {}).value == 1
        assert "KeyError" in s.cell_errors[1]
        assert "crashed the worker" in s.cell_errors[2]


def test_a_cell_that_hangs_while_loading_is_skipped(notebook):
    code = extract_code(notebook("while True:\n    pass", "def f():\n    return 3"))
    with WorkerSession(code, SessionOptions(load_timeout=1.0)) as s:
        assert s.call("f", (), {}).value == 3
        assert "time limit" in s.cell_errors[0]


def test_the_submission_budget_stops_every_further_call(notebook):
    code = extract_code(notebook("def loop():\n    while True:\n        pass\ndef f():\n    return 1"))
    with WorkerSession(code, SessionOptions(call_timeout=5, submission_timeout=1.0)) as s:
        with pytest.raises(StudentTimeout):
            s.call("loop", (), {})
        with pytest.raises(StudentTimeout, match="total time limit"):
            s.call("f", (), {})


def test_kit_helpers_run_in_the_worker_with_the_namespace(session):
    assert session.call("kit:introspect.signature", ("double",), {}).value == "(x)"
    with pytest.raises(MissingFunction):
        session.call("kit:nope.nothing", (), {})
    with pytest.raises(MissingFunction):
        session.call("kit:../../etc.passwd", (), {})


def test_suite_settings_give_defaults_and_flags_override():
    from autograder.session import options_for

    settings = {"limits": {"call_timeout": 120, "memory_mb": 3072, "pids": 256}}
    opts = options_for(settings, call_timeout=None, submission_timeout=30)
    assert opts.call_timeout == 120 and opts.submission_timeout == 30
    assert opts.limits.memory_mb == 3072 and opts.limits.pids == 256
    assert options_for(settings, call_timeout=5).call_timeout == 5
    with pytest.raises(ValueError, match="unknown"):
        options_for({"limits": {"cpu": 1}})


def test_warnings_raised_during_a_call_come_back(notebook):
    code = extract_code(notebook("import numpy as np\ndef f(x):\n    return np.array(x) / 0.0"))
    with WorkerSession(code, SessionOptions()) as s:
        call = s.call("f", (np.ones(2),), {}, return_args=True)
        assert any(w.startswith("RuntimeWarning: divide by zero") for w in call.warnings)


def test_readonly_calls_make_in_place_changes_raise(session):
    """The grader's "does not modify its inputs" holds by construction: the arrays arrive read-only."""
    with pytest.raises(StudentRaised, match="read-only.*writes into an argument"):
        session.call("inplace", (np.zeros(2),), {}, readonly=True)
    call = session.call("double", (np.arange(3),), {}, return_args=True, readonly=True)
    assert call.value.tolist() == [0, 2, 4] and call.args[0].tolist() == [0, 1, 2]  # read-only inputs still read
    with pytest.raises(StudentRaised, match="read-only"):  # arrays inside lists are read-only too
        session.call("inplace", ([np.zeros(2)],), {}, readonly=True)
    assert session.call("inplace", (np.zeros(2),), {}).value.tolist() == [1.0, 1.0]  # plain calls: writable
