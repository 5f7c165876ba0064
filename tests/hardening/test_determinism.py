"""Grading the demo class twice gives the same scores, the same records and the same feedback pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hardening_helpers import AID, ASSIGNMENT, ROOT, gradebook_state, needs_full_sandbox

from autograder.executors import Executor
from autograder.grading import RunOutputs, run_grading
from autograder.runner import find_submissions
from autograder.session import options_for

pytestmark = [needs_full_sandbox, pytest.mark.slow]
DEMO = ROOT / "examples" / "submitted"
# What may differ between two runs: wall-clock durations and memory peaks (in records, never on pages).
VOLATILE = ("duration", "memory_peak")


def _grade(out: Path, workers: int) -> dict[str, dict]:
    run_grading(ASSIGNMENT, find_submissions(DEMO, ASSIGNMENT), options_for(ASSIGNMENT.settings, call_timeout=2.0),
                RunOutputs.under(out, AID), Executor(workers=workers))
    records = {}
    for path in sorted((out / "autograded").glob(f"*/{AID}/result.json")):
        record = json.loads(path.read_text())
        for key in VOLATILE:
            record.pop(key)
        for test in record["tests"]:
            test.pop("duration")
        records[record["student"]] = record
    return records


def _pages(out: Path) -> dict[str, str]:
    pages = {}
    for path in sorted((out / "feedback").glob(f"*/{AID}/perceptron.html")):
        text = path.read_text(encoding="utf-8")
        pages[path.parent.parent.name] = re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?", "<time>", text)
    return pages


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    return (_grade(first, workers=2), _pages(first), gradebook_state(first / "gradebook.db"),
            _grade(second, workers=1), _pages(second), gradebook_state(second / "gradebook.db"))


def test_the_same_scores_and_records(twice):
    records1, _, _, records2, _, _ = twice
    assert len(records1) >= 7 and records1.keys() == records2.keys()
    for student in records1:
        assert records1[student] == records2[student], student


def test_the_same_feedback_pages(twice):
    _, pages1, _, _, pages2, _ = twice
    assert len(pages1) >= 7 and pages1.keys() == pages2.keys()
    for student in pages1:
        assert pages1[student] == pages2[student], student


def test_the_same_gradebook(twice):
    _, _, book1, _, _, book2 = twice
    assert book1 == book2 and book1["integrity"] == "ok"
