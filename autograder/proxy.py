"""The ``student`` fixture of the grader: calls go to the sandboxed worker, values come back.

Nothing the student wrote runs in the grader: the proxy sends the name and arguments as
data and returns the decoded answer. Assertions, tolerances and points stay on this side.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograder.selfcheck import Call, format_call
from autograder.session import WorkerSession


class StudentProxy:
    """Attribute access yields a function that calls the student's function of that name."""

    def __init__(self, session: WorkerSession):
        self._session = session
        self.calls: list[str] = []  # the calls of the current test, for the counterexample

    def call(self, name: str, *args: Any, **kwargs: Any) -> Call:
        """Call ``name``; the result also holds the arguments as the student's code left them: data the worker
        returns, compared in the grader with the grader's own copy (``expect_unchanged``). Arguments that a
        function may change and restore (gradient_check's x) stay writable (``WorkerSession.call(readonly=True)``
        passes them read-only)."""
        self.calls.append(format_call(name, args, kwargs))
        return self._session.call(name, args, kwargs, return_args=True)

    def kit(self, helper: str, *args: Any, **kwargs: Any) -> Any:
        """Call a kit helper in the worker (``autograder/worker/ext/<module>.py``), e.g.
        ``student.kit("keras_tools.describe", "build_cnn_model")``; it gets the notebook's namespace."""
        return self._session.call(f"kit:{helper}", args, kwargs).value

    def measure(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call a measurement of ``autograder/worker/measure.py`` in its own sandbox, where no student code runs,
        e.g. ``student.measure("describe", archive)`` for an archive the worker returned."""
        return self._session.measure(name, *args, **kwargs)

    def has(self, name: str) -> bool:
        """Whether the notebook defines a callable ``name``."""
        self._session.start()
        return name in self._session.functions

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(format_call(name, args, kwargs))
            return self._session.call(name, args, kwargs).value

        return call

    def __repr__(self) -> str:
        return "<student code in a sandboxed worker>"
