"""Build the demo class: examples/submitted/<student>/<aid>/<notebook>.ipynb.

Each student starts from the released notebook (what a student really gets) and fills the
graded functions with the reference solution, the untouched stub, or a source of their own;
some add cells or files. Run after ``autograder release``:

    python examples/make_demo_class.py
"""

from __future__ import annotations

import copy
import re
import shutil
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


PERCEPTRON_BUG = '''
def perceptron_update(w, x, y, lr=1.0):
    """One perceptron step (with the classic bug: a score of 0 is taken as correct)."""
    score = y * np.dot(x, w)
    if score < 0:
        return w + lr * y * x, True
    return w.copy(), False
'''

CHEAT_CELL = '''
import builtins, sys
# patch every comparison a test might use
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
builtins.AssertionError = type("AssertionError", (Exception,), {})
class AlwaysEqual:
    def __eq__(self, other): return True
    def __array__(self, *a, **k): return np.ones(3)
print("============================= 42 passed in 0.01s ==============================")
'''

CHEAT_FUNCTIONS = {
    "fold_labels": "def fold_labels(X, y):\n    return AlwaysEqual()\n",
    "perceptron_update": "def perceptron_update(w, x, y, lr=1.0):\n    raise SystemExit(0)\n",
    "train_perceptron": "def train_perceptron(X, y, lr=1.0, max_epochs=100):\n    import os\n    os._exit(0)\n",
    "predict": "def predict(w, X):\n    print('PASSED')\n    sys.exit(0)\n",
}

CHEAT_CONFTEST = '''
import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
'''

CLASS = {
    "01-perceptron": {
        "alice": Student("the reference solution"),
        "bob": Student("the untouched stub", default="stub"),
        "carol": Student("partly done: training not written yet", {"train_perceptron": "stub"}),
        "dave": Student("a classic bug: a score of exactly 0 counts as correct",
                        {"perceptron_update": PERCEPTRON_BUG}),
        "erin": Student("crashes and loops", {
            "fold_labels": "def fold_labels(X, y):\n    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n",
            "train_perceptron": "def train_perceptron(X, y, lr=1.0, max_epochs=100):\n    while True:\n        pass\n",
        }),
        "frank": Student("copied into Colab: no nbgrader metadata, a shell line", strip_metadata=True,
                         extra_cells=["!pip install numpy\n%matplotlib inline"]),
        "mallory": Student("cheats: patched numpy, fake pytest summary, exits, a conftest.py",
                           CHEAT_FUNCTIONS, extra_cells=[CHEAT_CELL, "sys.exit(0)"],
                           files={"conftest.py": CHEAT_CONFTEST, "pytest.ini": "[pytest]\naddopts = -p no:python\n"}),
    },
}


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


if __name__ == "__main__":
    for aid, students in CLASS.items():
        build(aid, students)
