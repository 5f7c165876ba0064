"""The grader's pytest plugin: fixtures ``student`` (the proxy), ``reference``, ``seed``, ``rng``.

Public and hidden tests are the same kind of pytest file; tests from a hidden suite are
always recorded as hidden, whatever their markers say, so their details never reach feedback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograder import selfcheck
from autograder.selfcheck import NamespaceStudent, RecordingPlugin

# Public tests say `from selfcheck import ...` (the file beside the released notebook); here the
# same module comes from the package.
sys.modules.setdefault("selfcheck", selfcheck)


class GraderPlugin(RecordingPlugin):
    def __init__(self, student: Any, reference_ns: dict[str, Any], seed: int, hidden_dirs: list[Path],
                 submission_dir: Path | None = None):
        super().__init__(None)
        self._submission_dir = submission_dir
        self._student = student
        self.call_log = getattr(student, "calls", None)
        self._reference = NamespaceStudent(reference_ns)
        self._seed = seed
        self._hidden = [str(d.resolve()) for d in hidden_dirs]
        self.collect_errors: list[str] = []

    def visibility_of(self, item: pytest.Item) -> str:
        path = str(Path(str(item.path)).resolve())
        if any(path.startswith(d + "/") for d in self._hidden):
            return "hidden"
        return super().visibility_of(item)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(f"{report.nodeid}: {str(report.longrepr)[-1500:]}")

    @property
    def student_proxy(self) -> Any:
        return self._student

    @property
    def reference_obj(self) -> NamespaceStudent:
        return self._reference

    @pytest.fixture
    def student(self) -> Any:
        return self._student

    @pytest.fixture
    def reference(self) -> NamespaceStudent:
        return self._reference

    @pytest.fixture
    def submission_dir(self) -> Path | None:
        """The folder the submitted notebook came from (files a course collects beside it, e.g. a model)."""
        return self._submission_dir

    @pytest.fixture
    def seed(self) -> int:
        return self._seed

    @pytest.fixture
    def rng(self, seed: int) -> np.random.Generator:
        return np.random.default_rng(seed)
