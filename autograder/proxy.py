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
        """Call ``name`` with its array arguments read-only (a function that writes into its inputs raises
        ``ValueError: ... read-only``: "does not modify its inputs" holds by construction, not by the worker's
        word); the result also holds the arguments as the worker reports them after the call."""
        self.calls.append(format_call(name, args, kwargs))
        return self._session.call(name, args, kwargs, return_args=True, readonly=True)

    def kit(self, helper: str, *args: Any, **kwargs: Any) -> Any:
        """Call a kit helper in the worker (``autograder/worker/ext/<module>.py``), e.g.
        ``student.kit("keras_tools.describe", "build_cnn_model")``; it gets the notebook's namespace."""
        return self._session.call(f"kit:{helper}", args, kwargs).value

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
