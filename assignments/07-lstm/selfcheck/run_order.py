"""Would this notebook survive "Restart kernel and run all"? Problems a grader would meet.

* cells run out of order (the saved execution counts do not increase down the notebook),
* names used at the top level of a cell before any cell above defines them,
* names that exist in the kernel but that no cell defines any more (a deleted or renamed
  cell): a restart would lose them.
"""

from __future__ import annotations

import ast
import builtins
import json
from pathlib import Path
from typing import Any

KERNEL_NAMES = {"In", "Out", "exit", "quit", "get_ipython", "open"}


def _code_cells(nb: dict) -> list[tuple[int, str, Any]]:
    out = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == "code":
            src = cell.get("source", "")
            out.append((index, "".join(src) if isinstance(src, list) else str(src), cell.get("execution_count")))
    return out


def _without_magics(source: str) -> str:
    return "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


class _TopLevel(ast.NodeVisitor):
    """Names a cell loads at its top level (function bodies run later) and names it defines."""

    def __init__(self) -> None:
        self.loaded: list[str] = []
        self.defined: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            if node.id not in self.defined:
                self.loaded.append(node.id)
        else:
            self.defined.add(node.id)

    def _define_only(self, node: Any) -> None:
        self.defined.add(node.name)
        for deco in node.decorator_list:
            self.visit(deco)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _define_only

    def visit_Lambda(self, node: ast.Lambda) -> None:
        pass

    def visit_comprehension_scope(self, node: Any) -> None:
        inner = _TopLevel()
        for gen in node.generators:
            self.visit(gen.iter)
            inner.visit(gen.target)
            for cond in gen.ifs:
                inner.visit(cond)
        for part in ("elt", "key", "value"):
            if hasattr(node, part):
                inner.visit(getattr(node, part))
        self.loaded += [n for n in inner.loaded if n not in inner.defined and n not in self.defined]

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = visit_comprehension_scope

    def visit_Import(self, node: Any) -> None:
        for alias in node.names:
            self.defined.add((alias.asname or alias.name).split(".")[0])

    visit_ImportFrom = visit_Import

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.defined.add(node.name)
        self.generic_visit(node)


def run_order_problems(path: Path, namespace: dict[str, Any] | None = None) -> list[str]:
    """What a restart and Run All would change, as sentences for the student."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    problems: list[str] = []
    cells = _code_cells(nb)
    counts = [(i, c) for i, _, c in cells if isinstance(c, int)]
    for (i, a), (j, b) in zip(counts, counts[1:]):
        if b < a:
            problems.append(f"cell {j} was run before cell {i} above it (execution counts {a} and {b}): "
                            "restart the kernel and run all cells in order")
            break
    parsed: list[tuple[int, _TopLevel]] = []
    for index, source, _ in cells:
        try:
            tree = ast.parse(_without_magics(source))
        except SyntaxError as exc:
            problems.append(f"cell {index} has a syntax error (line {exc.lineno}): {exc.msg}")
            continue
        visitor = _TopLevel()
        visitor.visit(tree)
        parsed.append((index, visitor))
    defined_anywhere = set().union(*(v.defined for _, v in parsed)) if parsed else set()
    known = set(dir(builtins)) | KERNEL_NAMES | {"__name__", "__file__", "display"}
    for index, visitor in parsed:
        for name in dict.fromkeys(visitor.loaded):
            if name in known:
                continue
            if name in defined_anywhere:
                later = next(i for i, v in parsed if name in v.defined and i > index)
                problems.append(f"cell {index} uses {name!r} before cell {later} below defines it")
            else:
                problems.append(f"cell {index} uses {name!r}, which no cell defines")
            known.add(name)
        known |= visitor.defined
    if namespace is not None:
        lost = sorted(n for n, v in namespace.items() if not n.startswith("_") and n not in defined_anywhere
                      and getattr(v, "__globals__", None) is namespace)
        problems += [f"{n!r} exists in this kernel but no cell defines it: a restart would lose it" for n in lost]
    return problems


def find_notebook(folder: Path) -> Path | None:
    """The notebook beside the self-check: the only one, or the most recently saved."""
    notebooks = [p for p in Path(folder).glob("*.ipynb") if not p.name.startswith(".")]
    return max(notebooks, key=lambda p: p.stat().st_mtime) if notebooks else None


def cell_errors(path: Path) -> list[str]:
    """Cells whose saved output is an error: the grader loads them the same way and they will raise again."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for index, cell in enumerate(nb.get("cells", [])):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if output.get("output_type") == "error":
                value = str(output.get("evalue", "")).splitlines()
                detail = f"{output.get('ename', 'an error')}: {value[0][:160]}" if value else output.get("ename", "")
                out.append(f"cell {index} raised {detail}")
                break
    return out
