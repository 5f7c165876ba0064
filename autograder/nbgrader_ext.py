"""nbgrader's own commands on a kit course, wired in by ``nbgrader_config.py``.

* ``nbgrader autograde`` and the formgrader's Autograde button grade through the kit's engine
  (:class:`GradeWithKit` replaces nbgrader's sanitize and execute passes, which would run the student's
  code in the grader's process and overwrite the kit's scores);
* ``nbgrader generate_feedback`` and the Generate Feedback button write the kit's page
  (:class:`KitFeedbackExporter`) instead of nbgrader's rendering of the autograded notebook;
* ``nbgrader generate_assignment`` and the Generate button ship ``selfcheck/`` (:func:`after_generate`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from nbconvert.exporters import Exporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, default

from autograder.course import find_course_root, load_assignment
from autograder.results import SubmissionResult


class KitCourseError(Exception):
    """An nbgrader command met a kit course in a state it cannot handle; the message says what to run."""


def _db_path(db_url: str, root: Path) -> Path:
    prefix = "sqlite:///"
    if not db_url.startswith(prefix):
        raise KitCourseError(f"the kit writes an SQLite gradebook; nbgrader is configured with {db_url!r}")
    path = Path(db_url[len(prefix):])
    return path if path.is_absolute() else root / path


class GradeWithKit(Preprocessor):
    """Autograde's first pass: grade the submitted notebook with the kit (sandboxed worker, public and hidden
    suites), which writes the gradebook, ``autograded/`` and the feedback page. The notebook passes through
    unchanged, so nbgrader's copy in ``autograded/`` is the submitted one."""

    enabled = Bool(True)  # nbconvert runs a registered preprocessor only when it is enabled

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        from autograder.grading import RunOutputs, run_grading
        from autograder.runner import Submission
        from autograder.session import options_for

        info = resources["nbgrader"]
        folder = Path(resources["metadata"]["path"]).resolve()
        root = find_course_root(folder)
        assignment = load_assignment(info["assignment"], root)
        if info["notebook"] != assignment.notebook_name:
            raise KitCourseError(f"{folder}: {info['notebook']}.ipynb is not {assignment.aid}'s notebook "
                                 f"({assignment.notebook_name}.ipynb)")
        outputs = RunOutputs.under(root, assignment.aid)
        outputs.gradebook = _db_path(info["db_url"], root)
        submission = Submission(info["student"], folder / f"{info['notebook']}.ipynb")
        summary = run_grading(assignment, [submission], options_for(assignment.settings), outputs)
        for result in summary.results:
            self.log.info("kit: %s %s scored %g/%g (%s)", result.student, result.aid, result.score,
                          result.max_score, result.status)
        return nb, resources


class KitFeedbackExporter(Exporter):
    """generate_feedback's exporter: the kit's feedback page for the autograded submission, rendered from
    the record the kit left in ``autograded/<student>/<aid>/result.json``."""

    output_mimetype = "text/html"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".html"

    def from_notebook_node(self, nb: Any, resources: dict | None = None, **kw: Any) -> tuple[str, dict]:
        from autograder.feedback import render_feedback
        from autograder.manual_grades import read_manual

        nb, resources = super().from_notebook_node(nb, resources, **kw)
        folder = Path(resources["metadata"]["path"])
        record = folder / "result.json"
        if not record.is_file():
            info = resources.get("nbgrader", {})
            raise KitCourseError(f"{folder}: no kit result; grade it first with `autograder grade "
                                 f"{info.get('assignment', '<aid>')} --student {info.get('student', '<id>')}`")
        result = SubmissionResult.from_dict(json.loads(record.read_text(encoding="utf-8")))
        db_url = resources.get("nbgrader", {}).get("db_url", "")
        gradebook = _db_path(db_url, find_course_root(folder)) if db_url else None
        manual = read_manual(gradebook, result.aid, result.student).get(result.student)
        return render_feedback(result, manual), resources


def after_generate(assignment: str, student: str, notebooks: list[str]) -> None:
    """generate_assignment's post-convert hook: put ``selfcheck/`` beside the released notebook, then check
    that the release leaks nothing (nbgrader logs a failing hook quietly, so it is said on stderr too)."""
    from autograder.release import install_selfcheck, leaks

    if not notebooks:
        return
    source = Path(notebooks[0]).resolve().parent
    kit_assignment = load_assignment(source.name, find_course_root(source))
    out = install_selfcheck(kit_assignment.release_dir)
    problems = leaks(out, kit_assignment.aid)
    if problems:
        print("autograder: the release would leak:\n" + "\n".join(problems), file=sys.stderr)
        raise KitCourseError("the release would leak:\n" + "\n".join(problems))
