"""What nbgrader's exchange expects beside a kit's records: the submission's stamps.

``nbgrader collect`` leaves ``timestamp.txt`` and ``submission_secret.txt`` beside each submitted notebook;
``nbgrader release_feedback`` needs both beside ``feedback/<student>/<aid>/<notebook>.html`` (the secret
names the released page, so that ``fetch_feedback`` finds it), and ``nbgrader generate_feedback`` copies
them from ``autograded/``. The kit copies them wherever it writes a student's files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.results import SubmissionResult

STAMPS = ("timestamp.txt", "submission_secret.txt")


def copy_stamps(result: SubmissionResult, dest: Path) -> list[Path]:
    """Copy the stamps that sit beside the submitted notebook into ``dest``; return what was copied."""
    source = Path(result.notebook).parent if result.notebook else None
    copied = []
    for name in STAMPS if source else ():
        stamp = source / name
        if stamp.is_file() and not stamp.is_symlink() and stamp.stat().st_size < 4096:
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(stamp, dest / name)
            copied.append(dest / name)
    return copied
