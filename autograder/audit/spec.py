"""Spec traceability: every test quotes the released notebook's words that require what it checks.

A test carries ``@pytest.mark.spec("quote", ...)``; each quote must appear verbatim in the released
notebook's text: a markdown cell, or a docstring or comment of a code cell. Both sides are normalized the
same way before matching: markdown's inline markup (backticks, ``*``, ``$``) is dropped and every run of
whitespace becomes one space, so a quote may ignore line breaks and formatting but not words.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder.notebook_code import read_notebook

_MARKUP = re.compile(r"[`*$]")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Drop inline markdown markup and collapse whitespace (applied to quotes and notebook alike)."""
    return _SPACE.sub(" ", _MARKUP.sub("", text)).strip()


def _code_text(source: str) -> list[str]:
    """The docstrings and comments of a code cell (magics and broken code give what tokenize can read)."""
    out: list[str] = []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = None
    if tree is not None:
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                doc = ast.get_docstring(node)
                if doc:
                    out.append(doc)
    try:
        comments = [tok.string.lstrip("#") for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                    if tok.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        comments = [line.split("#", 1)[1] for line in source.splitlines() if "#" in line]
    if comments:
        out.append(" ".join(comments))  # consecutive comment lines read as one text
    return out


def notebook_text(notebook: Path) -> list[str]:
    """The released notebook's words, one normalized text per markdown cell, docstring or comment block."""
    texts: list[str] = []
    for cell in read_notebook(notebook)["cells"]:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "markdown":
            texts.append(source)
        elif cell.get("cell_type") == "code":
            texts.extend(_code_text(source))
    return [normalize(t) for t in texts if t.strip()]


@dataclass
class TracedTest:
    """One collected test and what its spec quotes found."""

    nodeid: str
    path: str
    question: str
    points: float
    quotes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # quotes not found in the notebook

    @property
    def traced(self) -> bool:
        return bool(self.quotes) and not self.missing

    @property
    def problem(self) -> str:
        if not self.quotes:
            return "no spec marker"
        return "not in the notebook: " + "; ".join(repr(q) for q in self.missing)


class _Collector:
    """A pytest plugin that keeps the collected items and the collection errors, and runs nothing."""

    def __init__(self) -> None:
        self.items: list[pytest.Item] = []
        self.errors: list[str] = []

    def pytest_configure(self, config: pytest.Config) -> None:
        from autograder.selfcheck import MARKERS

        for name, text in MARKERS.items():
            config.addinivalue_line("markers", f"{name}: {text}")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.items = list(items)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(f"{report.nodeid}: {str(report.longrepr)[-1500:]}")


class CollectionError(Exception):
    """A test file does not import: the suite cannot be audited."""


def collect_items(paths: list[Path]) -> list[pytest.Item]:
    """The tests under ``paths``, collected by pytest the way the grader collects them, none run."""
    import autograder.plugin  # noqa: F401  (public tests import `selfcheck`: the package provides it)
    from autograder.selfcheck import run_pytest

    collector = _Collector()
    run_pytest([str(p) for p in paths], collector, ["--collect-only"])  # type: ignore[arg-type]
    if collector.errors:
        raise CollectionError("\n".join(collector.errors))
    return collector.items


def trace(items: list[pytest.Item], texts: list[str]) -> list[TracedTest]:
    """Match every item's spec quotes against the notebook's normalized texts."""
    out = []
    for item in items:
        quotes = [str(q) for mark in item.iter_markers("spec") for q in mark.args]
        question = item.get_closest_marker("question")
        points = item.get_closest_marker("points")
        out.append(TracedTest(
            nodeid=item.nodeid, path=str(item.path),
            question=str(question.args[0]) if question and question.args else "?",
            points=float(points.args[0]) if points and points.args else 1.0,
            quotes=quotes,
            missing=[q for q in quotes if not normalize(q) or not any(normalize(q) in t for t in texts)],
        ))
    return out


def trace_suite(test_paths: list[Path], released_notebook: Path) -> list[TracedTest]:
    """Every test of a suite (public and hidden), traced to the released notebook."""
    return trace(collect_items(test_paths), notebook_text(released_notebook))
