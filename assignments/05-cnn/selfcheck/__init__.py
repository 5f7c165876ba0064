"""The test runtime shared by the self-check and the grader.

This package is copied beside every released notebook, so it needs nothing but numpy, pytest
and the standard library. It holds:

* the errors raised when a call into student code goes wrong (``errors``),
* typed checks whose failure says *why*: type, shape, dtype, values (``checks``),
* the in-notebook ``student`` and the record of a call (``calling``),
* the markers every test file uses and the per-test records (``records``),
* ``check("question")`` / ``check_all()`` for the notebook, which run the public tests in the
  notebook's own process with ``student`` bound to the notebook's namespace (``notebook``).
"""

from .calling import Call, NamespaceStudent, describe_input, format_call
from .checks import (
    CheckFailure,
    expect_array,
    expect_close,
    expect_equal,
    expect_no_warnings,
    expect_tuple,
    expect_unchanged,
)
from .errors import (
    EnvironmentFault,
    MissingFunction,
    StudentCodeError,
    StudentCrashed,
    StudentRaised,
    StudentTimeout,
    UngradableResult,
)
from .notebook import SelfCheckFailed, check, check_all, format_records
from .records import MARKERS, RecordingPlugin, TestRecord, describe_failure, marker_arg, run_pytest

__all__ = [
    "MARKERS", "Call", "CheckFailure", "EnvironmentFault", "MissingFunction", "NamespaceStudent", "RecordingPlugin",
    "SelfCheckFailed", "StudentCodeError", "StudentCrashed", "StudentRaised", "StudentTimeout", "TestRecord",
    "UngradableResult",
    "check", "check_all", "describe_failure", "describe_input", "expect_array", "expect_close", "expect_equal",
    "expect_no_warnings", "expect_tuple", "expect_unchanged", "format_call", "format_records", "marker_arg",
    "run_pytest",
]
