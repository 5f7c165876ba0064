"""Shared fixtures of the kit's own tests."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """One reference-canary cache for the whole test session (subprocesses inherit it): each assignment's
    canary is paid once per session and never read from, or written to, the user's own cache."""
    if not os.environ.get("AUTOGRADER_CACHE_DIR"):
        os.environ["AUTOGRADER_CACHE_DIR"] = tempfile.mkdtemp(prefix="autograder-test-cache-")


def make_notebook(path: Path, *cells: str | tuple[str, dict], nbgrader: bool = False) -> Path:
    """Write a notebook of code cells; a (source, metadata) pair sets a cell's metadata."""
    nb = nbformat.v4.new_notebook()
    for cell in cells:
        source, meta = (cell, {}) if isinstance(cell, str) else cell
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata=meta))
    if nbgrader and not any("nbgrader" in c.metadata for c in nb.cells):
        nb.cells[0].metadata["nbgrader"] = {"grade": False, "solution": False, "locked": True,
                                            "grade_id": "setup", "schema_version": 3}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def notebook(tmp_path):
    """``notebook(*cells)`` writes a notebook under tmp_path and returns its path."""
    def make(*cells, name="nb.ipynb", **kw):
        return make_notebook(tmp_path / name, *cells, **kw)
    return make
