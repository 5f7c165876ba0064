"""The demo class as a real course: its submissions where nbgrader's config says, its students with names.

``python -m autograder.demo`` (run by ``scripts/demo.sh``) copies ``examples/submitted/<student>/<aid>/``
into the course's ``submitted/`` (nbgrader's ``submitted_directory``, git-ignored), so that ``autograder
grade <aid>``, the formgrader and ``nbgrader autograde`` all see the same class, and records the names of
``examples/roster.csv`` in the gradebook (the formgrader lists students by name).
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

from nbgrader.api import Gradebook

from autograder.course import find_course_root, is_safe_id
from autograder.gradebook import db_url_for, locked

ROSTER_FIELDS = ("first_name", "last_name", "email")


def install_submissions(examples: Path, submitted: Path) -> list[str]:
    """Copy every ``<student>/<aid>/`` of ``examples`` into ``submitted`` (replacing those folders only)."""
    copied = []
    for folder in sorted(p for p in Path(examples).glob("*/*") if p.is_dir() and not p.is_symlink()):
        student, aid = folder.parent.name, folder.name
        if not (is_safe_id(student) and is_safe_id(aid)):
            continue
        dest = Path(submitted) / student / aid
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(folder, dest, symlinks=True)
        copied.append(f"{student}/{aid}")
    return copied


def import_roster(roster: Path, db_path: Path) -> int:
    """Create or update the roster's students (``id`` plus first_name, last_name, email) in the gradebook."""
    with open(roster, newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("id")]
    with locked(db_path), Gradebook(db_url_for(db_path)) as gb:
        for row in rows:
            gb.update_or_create_student(row["id"], **{k: row[k] or None for k in ROSTER_FIELDS if k in row})
    return len(rows)


def main(root: Path | None = None) -> int:
    root = root or find_course_root()
    copied = install_submissions(root / "examples" / "submitted", root / "submitted")
    names = import_roster(root / "examples" / "roster.csv", root / "gradebook.db")
    print(f"demo class: {len(copied)} submissions in {root / 'submitted'}, {names} students named in the gradebook")
    return 0


if __name__ == "__main__":
    sys.exit(main())
