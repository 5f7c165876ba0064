"""The course directory: where an assignment's notebook, grade cells and tests live."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from autograder.notebook_code import read_notebook

PACKAGE_DIR = Path(__file__).resolve().parent
SUITES_DIR = PACKAGE_DIR / "suites"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class CourseError(Exception):
    """The course directory or an assignment in it is not usable."""


def find_course_root(start: Path | None = None) -> Path:
    """The course root: $AUTOGRADER_COURSE, or the nearest folder with nbgrader_config.py and solutions/."""
    env = os.environ.get("AUTOGRADER_COURSE")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").exists() and (folder / "solutions").is_dir():
            return folder
    raise CourseError(f"no course directory (nbgrader_config.py and solutions/) at or above {here}")


def is_safe_id(text: str) -> bool:
    """Assignment and student ids become folder names: no separators, no dot-dot, no oddities."""
    return bool(_SAFE_ID.match(text)) and ".." not in text


@dataclass
class Assignment:
    """An assignment as the grader sees it."""

    aid: str
    root: Path
    source_notebook: Path
    questions: dict[str, float]  # nbgrader grade_id -> points, in notebook order

    @property
    def notebook_name(self) -> str:
        return self.source_notebook.stem

    @property
    def public_tests(self) -> Path:
        return self.source_notebook.parent / "tests"

    @property
    def hidden_suite(self) -> Path:
        return SUITES_DIR / self.aid

    @property
    def release_dir(self) -> Path:
        return self.root / "assignments" / self.aid

    @property
    def settings(self) -> dict:
        """The suite's ``grading.toml`` (e.g. ``[limits] call_timeout = 120`` for training), or {}."""
        path = self.hidden_suite / "grading.toml"
        return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    @property
    def max_score(self) -> float:
        return float(sum(self.questions.values()))

    def test_paths(self) -> list[Path]:
        return [p for p in (self.public_tests, self.hidden_suite) if p.is_dir()]


def grade_cells(notebook: Path) -> dict[str, float]:
    """grade_id -> points of the nbgrader grade cells of a notebook, in order."""
    out: dict[str, float] = {}
    for cell in read_notebook(notebook)["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            out[meta["grade_id"]] = float(meta.get("points", 0))
    return out


def list_assignments(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "solutions").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def load_assignment(aid: str, root: Path | None = None) -> Assignment:
    root = root or find_course_root()
    if not is_safe_id(aid):
        raise CourseError(f"{aid!r} is not a valid assignment id")
    folder = root / "solutions" / aid
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        known = ", ".join(list_assignments(root)) if (root / "solutions").is_dir() else "none"
        raise CourseError(f"no assignment {aid!r} in {root / 'solutions'} (known: {known})")
    if len(notebooks) > 1:
        raise CourseError(f"{folder} holds several notebooks; the kit grades one per assignment")
    return Assignment(aid, root, notebooks[0], grade_cells(notebooks[0]))
