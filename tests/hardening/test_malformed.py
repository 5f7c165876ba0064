"""Malformed input: every broken submission gets a clear message naming its file (and the question it
costs), a zero for what it affects only, and the rest of the batch is graded: the good submission in
the same batch keeps full marks.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hardening_helpers import AID, ASSIGNMENT, GOOD_NOTEBOOK, ROOT, gradebook_state, needs_full_sandbox, options

from autograder.executors import Executor
from autograder.grading import RunOutputs, run_grading
from autograder.runner import find_submissions

pytestmark = needs_full_sandbox
NB_NAME = GOOD_NOTEBOOK.name
QUESTIONS = list(ASSIGNMENT.questions)


def _good() -> dict:
    return json.loads(GOOD_NOTEBOOK.read_text(encoding="utf-8"))


def _cell(nb: dict, grade_id: str) -> dict:
    return next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def _write_nb(nb: dict) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        (folder / NB_NAME).write_text(json.dumps(nb), encoding="utf-8")
    return build


def _write_bytes(data: bytes, name: str = NB_NAME) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        (folder / name).write_bytes(data)
    return build


def _edited(edit: Callable[[dict], None]) -> Callable[[Path], None]:
    nb = _good()
    edit(nb)
    return _write_nb(nb)


def _delete_predict(nb: dict) -> None:
    nb["cells"] = [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                   not in ("predict_code", "predict")]


def _duplicate_grade_ids(nb: dict) -> None:
    graded = [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")]
    nb["cells"] += [json.loads(json.dumps(c)) for c in graded]


def _replace_source(grade_id: str, old: str, new: str) -> Callable[[dict], None]:
    def edit(nb: dict) -> None:
        cell = _cell(nb, grade_id)
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        assert old in source
        cell["source"] = source.replace(old, new)
    return edit


def _append_cell(source: str, **extra) -> Callable[[dict], None]:
    def edit(nb: dict) -> None:
        nb["cells"].append({"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
                            "execution_count": None, **extra})
    return edit


def _huge_outputs(nb: dict) -> None:
    _cell(nb, "fold_bias_code")["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": ["x" * 1000 + "\n"] * 30_000}]


def _big_image(nb: dict) -> None:
    _cell(nb, "predict_code")["outputs"] = [
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo" + "A" * (50 << 20)}}]


def _wrong_metadata_types(nb: dict) -> None:
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and not c.get("metadata", {}).get("nbgrader")]
    code[0]["metadata"] = "not a dict"
    code[1]["metadata"] = {"tags": 5, "nbgrader": ["not", "a", "dict"]}
    nb["cells"].append({"cell_type": "code", "metadata": {}, "source": [1, 2, 3], "outputs": []})
    nb["cells"].append("not a cell at all")


CONTINUATION_PREDICT = '''def predict(w, X):
    """Labels (+1/-1) of the rows of X.
    !important: %d lines of a docstring stay as they are
    """
    scores = (fold_bias(X)
              @ np.asarray(w, dtype=float))
    if (scores.shape[0]
            != len(X)):
        raise ValueError("one score per row")
    return np.where(scores > 0, 1, -1) * (3
                                          % 2)
'''


def _symlinked_assignment(folder: Path) -> None:
    folder.rmdir()
    folder.symlink_to(ROOT / "solutions" / AID)  # the instructor's solution notebook


def _two_notebooks(folder: Path) -> None:
    shutil.copyfile(GOOD_NOTEBOOK, folder / "a.ipynb")
    shutil.copyfile(GOOD_NOTEBOOK, folder / "b.ipynb")


def _odd_file_name(folder: Path) -> None:
    shutil.copyfile(GOOD_NOTEBOOK, os.path.join(os.fsencode(folder), b"\xff\xfe perceptron (1).ipynb"))


@dataclass
class Case:
    name: str
    build: Callable[[Path], None]  # writes into submitted/<folder>/01-perceptron/
    error: str = ""  # file-level problem: expected in result.error, every question 0
    zero: tuple[str, ...] = ()  # graded: these questions 0, every other one full marks
    message: str = ""  # expected in the messages of the failing tests (graded cases)
    folder: str | bytes = ""  # the student folder's name, when not the case's name
    in_gradebook: bool = True
    names: str = NB_NAME  # what the message must name (the file, or the folder that is wrong)

    @property
    def student(self) -> str:
        if not self.folder:
            return self.name
        name = os.fsdecode(self.folder) if isinstance(self.folder, bytes) else self.folder
        return name.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


CASES = [
    Case("not-json", _write_bytes(b"this is not a notebook"), error="not a valid notebook (not JSON"),
    Case("truncated-json", _write_bytes(GOOD_NOTEBOOK.read_bytes()[:5000]), error="not a valid notebook (not JSON"),
    Case("nbformat-3", _write_nb({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                                  "worksheets": [{"cells": [{"cell_type": "code", "input": "x = 1"}]}]}),
         error="nbformat 3 notebook"),
    Case("nbformat-as-text", _write_nb({**_good(), "nbformat": "4"}), error="not a valid notebook (nbformat"),
    Case("no-cells", _write_nb({**_good(), "cells": []}), error="has no code cells"),
    Case("cells-not-a-list", _write_nb({**_good(), "cells": {"0": "x"}}), error="has no cells"),
    Case("deeply-nested-json", _write_bytes(b"[" * 100_000 + b"]" * 100_000), error="not a valid notebook"),
    Case("empty-file", _write_bytes(b""), error="is empty"),
    Case("non-utf8-bytes", _write_bytes(GOOD_NOTEBOOK.read_bytes().replace(b"Append a constant", b"Append \xff\xfe")),
         error="is not UTF-8 text"),
    Case("directory-instead-of-notebook", lambda folder: (folder / NB_NAME).mkdir(), error="is not a file"),
    Case("symlink-to-a-system-file", lambda folder: (folder / NB_NAME).symlink_to("/etc/passwd"),
         error="symbolic link"),
    Case("symlinked-assignment-folder", _symlinked_assignment, error="a symbolic link, not a submitted folder",
         names=f"symlinked-assignment-folder/{AID}"),
    Case("two-notebooks-none-expected", _two_notebooks, error="2 notebooks and none named perceptron.ipynb"),
    Case("code-too-large", _edited(_append_cell("x = '" + "\u00e9" * (600 * 1024) + "'")), error="MB limit"),
    Case("big-but-fine-code", _edited(_append_cell("x = '" + "y" * (600 * 1024) + "'"))),
    Case("grade-cells-deleted", _edited(_delete_predict), zero=("predict",), message="predict is not defined"),
    Case("function-renamed", _edited(_replace_source("predict_code", "def predict(", "def predikt(")),
         zero=("predict",), message="predict is not defined"),
    Case("wrong-signature", _edited(_replace_source("predict_code", "def predict(w, X):", "def predict(X):")),
         zero=("predict",), message="TypeError"),
    Case("syntax-error-in-one-cell", _edited(_replace_source("predict_code", "def predict(w, X):",
                                                             "def predict(w, X):\n    return (")),
         zero=("predict",), message="SyntaxError"),
    Case("duplicated-grade-ids", _edited(_duplicate_grade_ids)),
    Case("huge-outputs", _edited(_huge_outputs)),
    Case("embedded-50mb-image", _edited(_big_image)),
    Case("metadata-of-the-wrong-types", _edited(_wrong_metadata_types)),
    Case("lone-surrogate-in-a-cell", _edited(_append_cell("bad = '\udcff'\n"))),
    Case("continuation-lines-that-look-like-magics",
         _edited(_replace_source("predict_code", "".join(_cell(_good(), "predict_code")["source"]),
                                 CONTINUATION_PREDICT))),
    Case("notebook-file-name-not-utf8", _odd_file_name),
    Case("student-id-unicode", lambda f: shutil.copyfile(GOOD_NOTEBOOK, f / NB_NAME), folder="zoë",
         error="is not a safe folder name", in_gradebook=False),
    Case("student-id-not-utf8", lambda f: shutil.copyfile(GOOD_NOTEBOOK, f / NB_NAME), folder=b"caf\xe9",
         error="is not a safe folder name", in_gradebook=False),
    Case("student-id-with-separators", lambda f: shutil.copyfile(GOOD_NOTEBOOK, f / NB_NAME), folder="a\\b\nc",
         error="is not a safe folder name", in_gradebook=False),
]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("malformed")
    subs, out = root / "submitted", root / "out"
    for case in CASES:
        folder = os.path.join(os.fsencode(subs), os.fsencode(case.folder or case.name), os.fsencode(AID))
        os.makedirs(folder)
        case.build(Path(os.fsdecode(folder)))
    (subs / "good" / AID).mkdir(parents=True)
    shutil.copyfile(GOOD_NOTEBOOK, subs / "good" / AID / NB_NAME)
    summary = run_grading(ASSIGNMENT, find_submissions(subs, ASSIGNMENT), options("malformed"),
                          RunOutputs.under(out, AID), Executor(workers=2))
    return {r.student: r for r in summary.results}, out


def test_there_are_at_least_20_cases():
    assert len(CASES) >= 20


def test_the_good_submission_in_the_batch_keeps_full_marks(graded):
    results, _ = graded
    assert results["good"].score == ASSIGNMENT.max_score


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_clear_message_and_a_zero_for_what_it_affects(graded, case):
    results, out = graded
    result = results[case.student]
    scores = result.question_scores()
    if case.error:
        assert result.status == "error" and case.error in result.error, result.error
        named = os.fsdecode(case.folder) if case.folder else case.names
        assert ascii(named) in result.error or named in result.error, result.error  # names the file
        assert scores == dict.fromkeys(QUESTIONS, 0.0)
    else:
        assert result.status == "graded", result.error
        assert scores == {q: (0.0 if q in case.zero else p) for q, p in ASSIGNMENT.questions.items()}, scores
        failing = [t for t in result.tests if t.outcome != "passed"]
        assert {t.question for t in failing} == set(case.zero)
        assert all(case.message in t.message for t in failing), [t.message[:200] for t in failing]
    state = gradebook_state(out / "gradebook.db")
    students = {s for s, *_ in state["scores"]}
    assert (case.student in students) is case.in_gradebook
    feedback = out / "feedback" / case.student / AID / "perceptron.html"
    assert feedback.exists() is case.in_gradebook


def test_the_gradebook_is_intact(graded):
    results, out = graded
    state = gradebook_state(out / "gradebook.db")
    assert state["integrity"] == "ok" and state["duplicates"] == []
    assert state["counts"]["submitted_assignment"] == sum(c.in_gradebook for c in CASES) + 1


# --------------------------------------------------------------------------- LMS downloads (autograder collect)

NB = GOOD_NOTEBOOK.read_bytes()


def _patch_size(path: Path, member: str, claimed: int) -> None:
    """Make the zip's headers claim `claimed` bytes for `member` (a bomb that lies about its size)."""
    data, name = bytearray(path.read_bytes()), member.encode()
    for sig, size_at, name_len_at, header in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        pos = data.find(sig)
        while pos != -1:
            n = struct.unpack_from("<H", data, pos + name_len_at)[0]
            if bytes(data[pos + header:pos + header + n]) == name:
                struct.pack_into("<I", data, pos + size_at, claimed)
            pos = data.find(sig, pos + 4)
    path.write_bytes(bytes(data))


def _bomb_zip(path: Path, lying: bool) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("good_5_6_perceptron.ipynb", NB)
        zf.writestr("bomb_7_8_perceptron.ipynb", b"\0" * (64 << 20))
    if lying:
        _patch_size(path, "bomb_7_8_perceptron.ipynb", 2000)
    return path


@pytest.mark.parametrize("lying", [
    pytest.param(False, id="honest-headers"),
    pytest.param(True, id="lying-headers"),
])
def test_a_zip_bomb_in_an_lms_download_is_refused_and_the_rest_is_collected(tmp_path, lying):
    from autograder.collect import collect

    archive = _bomb_zip(tmp_path / "download.zip", lying)
    assert archive.stat().st_size < 1 << 20
    report = collect(archive, AID, ASSIGNMENT.notebook_name, tmp_path / "submitted", "canvas")
    assert list(report.collected) == ["5"]
    assert any(s.startswith("bomb_7_8_perceptron.ipynb") for s in report.skipped), report.skipped
    assert not (tmp_path / "submitted" / "7").exists()
    assert (tmp_path / "submitted" / "5" / AID / NB_NAME).read_bytes() == NB
