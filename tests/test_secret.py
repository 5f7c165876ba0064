"""Seeds of hidden inputs: a course secret (made once, private) and the submission's code."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from autograder.course import find_course_root
from autograder.notebook_code import extract_code
from autograder.secret import SECRET_FILE, code_digest, course_secret, submission_seed

ROOT = find_course_root(Path(__file__).parent)


def test_the_secret_is_made_once_private_and_kept(tmp_path):
    first = course_secret(tmp_path)
    path = tmp_path / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 64 and course_secret(tmp_path) == first
    other = tmp_path / "other"
    other.mkdir()
    assert course_secret(other) != first  # random per course
    assert sorted(p.name for p in tmp_path.iterdir()) == [SECRET_FILE, "other"]  # no temp file left behind


def test_a_short_secret_is_refused(tmp_path):
    (tmp_path / SECRET_FILE).write_text("abc")
    with pytest.raises(ValueError, match="too short"):
        course_secret(tmp_path)


def test_the_secret_is_git_ignored():
    ignored = subprocess.run(["git", "check-ignore", "-q", SECRET_FILE], cwd=ROOT, check=False)
    assert ignored.returncode == 0


def test_seeds_follow_the_code_and_the_secret_not_only_the_student(notebook):
    a = extract_code(notebook("def f():\n    return 1"))
    b = extract_code(notebook("def f():\n    return 2", name="b.ipynb"))
    a_again = extract_code(notebook("def f():\n    return 1", name="c.ipynb"))
    secret, other = b"s" * 64, b"t" * 64
    seed = submission_seed(secret, "01-perceptron", "alice", code_digest(a))
    assert seed == submission_seed(secret, "01-perceptron", "alice", code_digest(a_again))  # a regrade: the same
    assert seed != submission_seed(secret, "01-perceptron", "alice", code_digest(b))  # a resubmission: new inputs
    assert seed != submission_seed(other, "01-perceptron", "alice", code_digest(a))  # unpredictable without it
    assert seed != submission_seed(secret, "01-perceptron", "bob", code_digest(a))
