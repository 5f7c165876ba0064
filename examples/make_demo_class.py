"""Build the demo class: examples/submitted/<student>/<aid>/<notebook>.ipynb.

Each student starts from the released notebook (what a student really gets) and fills the
graded functions with the reference solution, the untouched stub, or a source of their own;
some add cells or files. The students of each assignment are described in ``examples/demo_students/<aid>.py`` (a dict
``STUDENTS`` of :class:`Student`). Run after ``autograder release``:

    python examples/make_demo_class.py [AID ...]
"""

from __future__ import annotations

import copy
import importlib.util
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "examples" / "submitted"
SOLUTION_LINE = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


@dataclass
class Student:
    """How one demo student filled in the notebook."""

    about: str
    functions: dict[str, str] = field(default_factory=dict)  # name -> "solution" | "stub" | source
    default: str = "solution"
    extra_cells: list[str] = field(default_factory=list)  # appended after the setup cell
    files: dict[str, str] = field(default_factory=dict)  # extra files beside the notebook
    strip_metadata: bool = False  # as if copied into a fresh notebook (Colab)


def solution_sources(solution_nb: Path) -> dict[str, str]:
    """grade_id -> the solution cell's code without the solution markers."""
    out = {}
    for cell in nbformat.read(solution_nb, as_version=4).cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            out[gid] = "\n".join(ln for ln in cell.source.splitlines() if not SOLUTION_LINE.match(ln))
    return out


def build(aid: str, students: dict[str, Student]) -> None:
    solution_nb = next((ROOT / "solutions" / aid).glob("*.ipynb"))
    released = nbformat.read(ROOT / "assignments" / aid / solution_nb.name, as_version=4)
    solutions = solution_sources(solution_nb)
    for sid, student in students.items():
        nb = copy.deepcopy(released)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if not cell.metadata.get("nbgrader", {}).get("solution") or not gid.endswith("_code"):
                continue
            name = gid[: -len("_code")]
            choice = student.functions.get(name, student.default)
            if choice == "solution":
                cell.source = solutions[gid]
            elif choice != "stub":
                cell.source = choice.strip() + "\n"
        setup = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        for offset, source in enumerate(student.extra_cells, start=1):
            nb.cells.insert(setup + offset, nbformat.v4.new_code_cell(source.strip()))
        if student.strip_metadata:
            for cell in nb.cells:
                cell.metadata.pop("nbgrader", None)
                cell.metadata.pop("tags", None)
        folder = OUT / sid / aid
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / solution_nb.name)
        (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC\n")
        for name, text in student.files.items():
            (folder / name).write_text(text.lstrip())
        print(f"{folder.relative_to(ROOT)}: {student.about}")


def load_students(path: Path) -> dict[str, Student]:
    spec = importlib.util.spec_from_file_location(f"_demo_{path.stem.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.STUDENTS


if __name__ == "__main__":
    sys.modules.setdefault("make_demo_class", sys.modules[__name__])
    wanted = sys.argv[1:]
    for path in sorted((ROOT / "examples" / "demo_students").glob("*.py")):
        if not wanted or path.stem in wanted:
            build(path.stem, load_students(path))
