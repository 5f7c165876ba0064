"""Mutants: catalogued wrong implementations that a hidden suite must catch.

Each suite keeps its catalogue in ``autograder/suites/<aid>/mutants.py`` as a list ``MUTANTS``.
A mutant replaces one function of the reference solution; the kit's own tests grade the
result through the real engine and require that it loses points and that a failing test's
hint names the mistake (contains ``hint_keyword``).
"""

from __future__ import annotations

import importlib.util
import textwrap
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Mutant:
    """One wrong implementation of ``function``."""

    name: str  # short id, e.g. "lt_instead_of_le"
    function: str  # the graded function it replaces
    mistake: str  # the mistake in words
    hint_keyword: str  # a failing test's hint must contain this (case-insensitive)
    source: str  # the full replacement definition (def ...)

    def code(self) -> str:
        return textwrap.dedent(self.source).strip() + "\n"


def load_catalogue(suite_dir: Path) -> list[Mutant]:
    """The ``MUTANTS`` list of a suite directory (empty if it has none)."""
    path = suite_dir / "mutants.py"
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location(f"_mutants_{suite_dir.name.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return list(module.MUTANTS)
