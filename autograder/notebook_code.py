"""Extract the code to grade from a notebook: code cells in order, magics made harmless.

Skipped: markdown, cells tagged ``skip-grading`` (long demos, plots) and nbgrader's
autograder-test cells (the ``check(...)`` calls). Shell lines and IPython magics are replaced
by ``pass`` (keeping indentation) with a warning. A notebook whose nbgrader metadata was
lost (Colab, copied into a new notebook) is still graded: functions are found by name.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

SKIP_TAG = "skip-grading"
QUIET_MAGICS = ("%matplotlib", "%load_ext", "%autoreload", "%config", "%precision")
_MAGIC_LINE = re.compile(r"^(\s*)(%{1,2}|!)(.*)$")
_HELP_LINE = re.compile(r"^(\s*)[\w.]+\?{1,2}\s*$")


class NotebookError(Exception):
    """The file is not a notebook that can be graded."""


@dataclass
class CodeCell:
    index: int  # position among all cells of the notebook
    source: str
    grade_id: str = ""


@dataclass
class NotebookCode:
    path: Path
    cells: list[CodeCell]
    warnings: list[str] = field(default_factory=list)
    has_nbgrader_metadata: bool = True


def _metadata(cell: dict) -> dict:
    meta = cell.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _nbgrader(cell: dict) -> dict:
    meta = _metadata(cell).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _tags(cell: dict) -> list[str]:
    tags = _metadata(cell).get("tags")
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _source(cell: dict) -> str | None:
    """A cell's source as text (nbformat allows a string or a list of strings), or None if neither."""
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    return source if isinstance(source, str) else None


def _is_test_cell(cell: dict) -> bool:
    meta = _nbgrader(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Python's own line ends (str.splitlines also splits on \x0c, \u2028...)
_NOT_CODE = (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)


def _logical_line_starts(source: str) -> set[int] | None:
    """0-based numbers of the lines where a logical line starts: not inside brackets, a string or after
    a backslash, where IPython would see a magic. None when the cell cannot be tokenized."""
    starts: set[int] = set()
    at_start = True
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.NEWLINE:
                at_start = True
            elif at_start and tok.type not in _NOT_CODE and tok.type != tokenize.ENDMARKER:
                starts.add(tok.start[0] - 1)
                at_start = False
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return starts


def clean_source(source: str, where: str) -> tuple[str, list[str]]:
    """Replace magics, shell escapes and ``obj?`` lines with ``pass``; return (code, warnings).

    Only lines that start a logical line count, as in IPython: ``!=`` or ``%`` continuing an expression
    inside brackets, and the lines of a triple-quoted string, are code and are kept.
    """
    lines, warnings = _LINE_BREAK.split(source), []
    if lines and lines[0].lstrip().startswith("%%"):
        return "", [f"{where}: cell magic {lines[0].split()[0]} not run when grading"]
    starts = _logical_line_starts(source)
    out = []
    for number, line in enumerate(lines):
        m = _MAGIC_LINE.match(line)
        help_m = _HELP_LINE.match(line)
        if (m or help_m) and (starts is None or number in starts):
            indent = (m or help_m).group(1)
            stripped = line.strip()
            if not stripped.startswith(QUIET_MAGICS):
                warnings.append(f"{where}: {stripped[:60]!r} not run when grading")
            out.append(f"{indent}pass")
        else:
            out.append(line)
    return "\n".join(out), warnings


MAX_NOTEBOOK_BYTES = 200 * 1024 * 1024  # outputs (plots, embedded images) make notebooks big; code does not
MAX_CODE_BYTES = 3 * 1024 * 1024  # the code goes to the worker in one protocol frame header (4 MB of JSON)


def read_notebook(path: Path) -> dict:
    """Read a notebook file as JSON, with a clear error for what cannot be one.

    Plain ``json`` rather than ``nbformat.read``: grading needs only the cells, and nbformat's
    import and schema validation cost more than grading a small notebook.
    """
    path = Path(path)
    if path.is_symlink():
        raise NotebookError(f"{path.name} is a symbolic link, not a submitted notebook")
    if not path.is_file():
        raise NotebookError(f"{path.name} is not a file")
    size = path.stat().st_size
    if size == 0:
        raise NotebookError(f"{path.name} is empty")
    if size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{path.name} is {size / 2**20:.0f} MB, over the {MAX_NOTEBOOK_BYTES // 2**20} MB limit")
    try:
        nb = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise NotebookError(f"{path.name} is not UTF-8 text") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise NotebookError(f"{path.name} is not a valid notebook (not JSON: {exc})") from None
    if not isinstance(nb, dict):
        raise NotebookError(f"{path.name} is not a valid notebook (no top-level object)")
    version = nb.get("nbformat", 4)
    if "worksheets" in nb or (type(version) is int and version < 4):
        raise NotebookError(f"{path.name} is an nbformat 3 notebook: open it in Jupyter and save it again")
    if type(version) is not int:
        raise NotebookError(f"{path.name} is not a valid notebook (nbformat {str(version)[:20]!r})")
    if not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{path.name} has no cells")
    return nb


def extract_code(path: Path) -> NotebookCode:
    """The code cells of ``path`` to run in the worker, in notebook order."""
    nb = read_notebook(path)
    cells, warnings = [], []
    has_meta = any(isinstance(c, dict) and _nbgrader(c) for c in nb["cells"])
    for index, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        if SKIP_TAG in _tags(cell) or _is_test_cell(cell):
            continue
        source = _source(cell)
        if source is None:
            warnings.append(f"cell {index}: unreadable source, skipped")
            continue
        code, w = clean_source(source, f"cell {index}")
        warnings += w
        if code.strip():
            cells.append(CodeCell(index, code, str(_nbgrader(cell).get("grade_id", ""))[:200]))
    if not any(isinstance(c, dict) and c.get("cell_type") == "code" for c in nb["cells"]):
        raise NotebookError(f"{Path(path).name} has no code cells: nothing to grade")
    size = len(json.dumps([c.source for c in cells]))  # as the protocol encodes it (non-ASCII escaped)
    if size > MAX_CODE_BYTES:
        raise NotebookError(f"{Path(path).name} has {size / 2**20:.1f} MB of code, over the "
                            f"{MAX_CODE_BYTES // 2**20} MB limit (is a data set pasted into a cell?)")
    if not has_meta:
        warnings.append(
            f"{Path(path).name}: nbgrader metadata is missing (copied or opened in another tool?); "
            "functions were found by name"
        )
    return NotebookCode(Path(path), cells, warnings, has_meta)
