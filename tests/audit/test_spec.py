"""Spec traceability: quotes found, not found, whitespace and markup differences, a missing marker."""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat

from autograder.audit.spec import normalize, notebook_text, trace_suite


def _notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("Write `fold(X)`: return a **float** array\nof shape `(n, d + 1)`."),
        nbformat.v4.new_code_cell('def fold(X):\n    """Append a constant -1 to every row."""\n'
                                  "    # YOUR CODE HERE\n    # keep X unchanged\n    raise NotImplementedError()"),
        nbformat.v4.new_code_cell("print(1)  # not graded, a demo"),
    ]
    nbformat.write(nb, path)
    return path


def _tests(folder: Path, body: str) -> Path:
    folder.mkdir()
    (folder / "test_x.py").write_text("import pytest\n\n" + textwrap.dedent(body), encoding="utf-8")
    return folder


def test_normalize_drops_markup_and_collapses_whitespace():
    assert normalize("  a **float**\n\n array `(n,)`  $x$ ") == "a float array (n,) x"


def test_notebook_text_holds_markdown_docstrings_and_comments(tmp_path):
    texts = notebook_text(_notebook(tmp_path / "nb.ipynb"))
    assert "Write fold(X): return a float array of shape (n, d + 1)." in texts
    assert "Append a constant -1 to every row." in texts
    assert any("keep X unchanged" in t for t in texts)
    assert not any("NotImplementedError" in t for t in texts)  # code is not text


def test_trace_suite_found_not_found_whitespace_and_missing_marker(tmp_path):
    nb = _notebook(tmp_path / "nb.ipynb")
    tests = _tests(tmp_path / "suite", '''
        @pytest.mark.question("fold")
        @pytest.mark.spec("return a float array of shape (n, d + 1)")
        def test_found():
            pass

        @pytest.mark.spec("return a   `float`\\n   array", "a constant -1 to every row")
        def test_whitespace_and_markup():
            pass

        @pytest.mark.spec("keep X unchanged", "return an integer array")
        def test_one_quote_not_found():
            pass

        def test_no_marker():
            pass

        @pytest.mark.spec()
        def test_empty_marker():
            pass

        @pytest.mark.spec("a demo")
        @pytest.mark.parametrize("k", [1, 2])
        def test_parametrized(k):
            pass
    ''')
    traced = {t.nodeid.split("::")[-1]: t for t in trace_suite([tests], nb)}
    assert traced["test_found"].traced and traced["test_found"].question == "fold"
    assert traced["test_whitespace_and_markup"].traced
    assert not traced["test_one_quote_not_found"].traced
    assert traced["test_one_quote_not_found"].missing == ["return an integer array"]
    assert not traced["test_no_marker"].traced and traced["test_no_marker"].problem == "no spec marker"
    assert not traced["test_empty_marker"].traced
    assert traced["test_parametrized[1]"].traced and traced["test_parametrized[2]"].traced
    assert len(traced) == 7
