"""Errors raised when a call into student code does not give a usable value."""

from __future__ import annotations


class StudentCodeError(Exception):
    """A call into the student's code did not return a usable value."""

    kind = "error"


class MissingFunction(StudentCodeError):
    """The notebook does not define the function (or it is not callable)."""

    kind = "missing"


class StudentRaised(StudentCodeError):
    """The student's function raised an exception."""

    kind = "raised"

    def __init__(self, message: str, exc_type: str = "Exception", tb: str = ""):
        super().__init__(message)
        self.exc_type = exc_type
        self.tb = tb


class StudentTimeout(StudentCodeError):
    """The call ran past its time limit."""

    kind = "timeout"


class StudentCrashed(StudentCodeError):
    """The process running the student's code died during the call."""

    kind = "crash"


class UngradableResult(StudentCodeError):
    """The function returned something that cannot cross into the grader."""

    kind = "ungradable"


class EnvironmentFault(Exception):
    """The grading environment failed (a package that does not import, a worker that cannot start, missing
    grading data): not the student's doing, so the submission is not graded rather than given a score."""

    kind = "environment"
