"""The ``reference`` fixture: the solution notebook's code, loaded in the (trusted) grader."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import autograder.plugin  # noqa: F401  (makes `selfcheck` importable)
from autograder.notebook_code import extract_code


class ReferenceError_(Exception):
    """The solution notebook itself fails to load: a course bug, not a student's."""


@lru_cache(maxsize=16)
def _load(path: str, mtime: float) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "__reference__"}
    for cell in extract_code(Path(path)).cells:
        try:
            exec(compile(cell.source, f"<{Path(path).name} cell {cell.index}>", "exec"), namespace)
        except Exception as exc:
            raise ReferenceError_(f"{path}: cell {cell.index} of the solution raises {exc!r}") from exc
    return namespace


def reference_namespace(notebook: Path) -> dict[str, Any]:
    """The namespace of the solution notebook's code (cached while the file is unchanged)."""
    return _load(str(notebook), notebook.stat().st_mtime)
