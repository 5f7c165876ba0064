"""The ``autograder`` command: release, grade, check, audit.

Exit codes scripts can rely on: 0 done (for ``check``: every public test passed), 1 ``check``
found failing tests (``audit``: a claim that does not hold), 2 usage or input error, 3 sandbox
required but unavailable, 4 a course bug (a suite or release that does not load) or a reference
solution that does not get full marks in this environment (the canary: nobody graded), 5 the
grading environment failed some submissions (not graded, nothing written for them).
"""

from __future__ import annotations

import click

from autograder.commands.audit import audit
from autograder.commands.canary import canary, requirements
from autograder.commands.check import check
from autograder.commands.collect import collect
from autograder.commands.grade import grade
from autograder.commands.gradescope import gradescope
from autograder.commands.merge import merge
from autograder.commands.release import release
from autograder.commands.report import report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dl-exercise-kit")
def main() -> None:
    """Release, self-check and grade the Deep Learning course notebooks."""


for command in (release, collect, grade, check, merge, report, gradescope, canary, requirements, audit):
    main.add_command(command)
