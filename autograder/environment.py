"""What an assignment's grading environment needs beyond the kit, declared in one place: the ``[environment]``
table of its suite's ``grading.toml``::

    [environment]
    extras = ["tf"]   # extras of dl-exercise-kit (pyproject.toml's optional-dependencies)

``autograder gradescope build`` installs exactly these in the zip's ``setup.sh``; ``autograder environment
AID`` prints the pip requirement for Dask workers and grading images (README, "Deploying the grader"); the
reference canary names them when a package is missing.
"""

from __future__ import annotations

import re

from autograder.course import Assignment

DIST_NAME = "dl-exercise-kit"
_EXTRA = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def extras(assignment: Assignment) -> list[str]:
    """The kit extras that grading ``assignment`` needs (``[]``: numpy and the kit's own dependencies only)."""
    declared = assignment.settings.get("environment", {}).get("extras", [])
    if not isinstance(declared, list) or not all(isinstance(e, str) and _EXTRA.match(e) for e in declared):
        raise ValueError(f"{assignment.hidden_suite / 'grading.toml'}: [environment] extras must be a list of "
                         f"extra names such as [\"tf\"], not {declared!r}")
    return declared


def requirement(assignment: Assignment, target: str = DIST_NAME) -> str:
    """The pip requirement of the kit with this assignment's extras: ``target[tf]`` or ``target``."""
    names = extras(assignment)
    return f"{target}[{','.join(names)}]" if names else target


def install_hint(assignment: Assignment) -> str:
    """One sentence naming what to install for ``assignment`` (for error messages)."""
    return (f"{assignment.aid}'s grading environment is `pip install '{requirement(assignment)}'` "
            "(its grading.toml [environment]; README: Deploying the grader)")
