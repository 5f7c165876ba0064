"""Alternatives: valid implementations, written differently from the reference, that a suite must accept.

Each suite keeps its catalogue in ``autograder/suites/<aid>/alternatives.py`` as a list ``ALTERNATIVES``.
An alternative is a complete answer to the released notebook, written from its text alone: its ``source``
defines every graded function and is appended as a code cell to the *released* notebook (the stubs), so no
line of the reference takes part. Graded through the real engine, every alternative must score full marks;
when one does not, the suite or the notebook is wrong.
"""

from __future__ import annotations

import importlib.util
import textwrap
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Alternative:
    """One valid implementation of a whole assignment."""

    name: str  # short id, e.g. "loops_everywhere"
    style: str  # how it differs from the reference, in words (loops, einsum, functional API, ...)
    source: str  # every graded function (and the imports they need), appended to the released notebook

    def code(self) -> str:
        return textwrap.dedent(self.source).strip() + "\n"


def load_alternatives(suite_dir: Path) -> list[Alternative]:
    """The ``ALTERNATIVES`` list of a suite directory (empty if it has none)."""
    path = suite_dir / "alternatives.py"
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location(f"_alternatives_{suite_dir.name.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return list(module.ALTERNATIVES)
