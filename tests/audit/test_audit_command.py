"""``autograder audit``: exit 0 on a fair and sharp suite, non-zero when any claim fails."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import autograder.course
from autograder.alternatives import load_alternatives
from autograder.cli import main
from autograder.mutants import load_catalogue

ROOT = Path(__file__).resolve().parents[2]
AID = "01-perceptron"


@pytest.mark.slow
def test_audit_of_01_exits_0_with_every_test_traced_and_every_alternative_full():
    proc = subprocess.run([str(Path(sys.executable).parent / "autograder"), "audit", AID, "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["untraced"] == 0 and report["tests"] > 30
    assert len(report["alternatives"]) >= 4 and all(a["full"] for a in report["alternatives"])
    assert report["mutants"] and all(m["caught"] and m["hinted"] for m in report["mutants"])
    assert report["reference"]["full"] and report["leaks"] == [] and report["ok"]


def _planted_course(tmp_path: Path, monkeypatch) -> Path:
    """A copy of 01 whose hidden suite has an untraced test, a too-strict check, a surviving mutant."""
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    for top in ("solutions", "assignments"):
        shutil.copytree(ROOT / top / AID, course / top / AID, ignore=shutil.ignore_patterns("__pycache__"))
    suites = tmp_path / "suites"
    suite = shutil.copytree(autograder.course.SUITES_DIR / AID, suites / AID,
                            ignore=shutil.ignore_patterns("__pycache__", "mutants.py", "alternatives.py"))
    (suite / "test_planted.py").write_text(textwrap.dedent('''
        import pytest

        @pytest.mark.question("fold_bias")
        @pytest.mark.points(0)
        def test_planted_without_a_quote(student):
            pass
    '''), encoding="utf-8")
    predict = suite / "test_predict.py"
    predict.write_text(predict.read_text(encoding="utf-8").replace(
        "def test_predict_random(student, reference, rng):\n",
        "def test_predict_random(student, reference, rng):\n"
        "    try:  # too strict: the notebook never forbids helper functions\n"
        "        student.audit_helper()\n"
        "    except Exception:\n"
        "        pass\n"
        "    else:\n"
        "        raise AssertionError('a helper function')\n"), encoding="utf-8")
    real = next(m for m in load_catalogue(autograder.course.SUITES_DIR / AID) if m.name == "bias_plus_one")
    alt = next(a for a in load_alternatives(autograder.course.SUITES_DIR / AID) if a.name == "einsum_and_masks")
    (suite / "mutants.py").write_text(textwrap.dedent(f'''
        from autograder.mutants import Mutant

        MUTANTS = [
            Mutant({real.name!r}, {real.function!r}, {real.mistake!r}, {real.hint_keyword!r}, {real.source!r}),
            Mutant("not_a_mistake", "fold_bias", "a correct fold_bias", "bias",
                   "def fold_bias(X):\\n    return np.hstack([np.asarray(X, float), -np.ones((len(X), 1))])\\n"),
        ]
    '''), encoding="utf-8")
    (suite / "alternatives.py").write_text(textwrap.dedent(f'''
        from autograder.alternatives import Alternative

        ALTERNATIVES = [
            Alternative({alt.name!r}, {alt.style!r}, {alt.source!r}),
            Alternative("with_a_helper", "the same and one helper function",
                        {alt.source + chr(10) + "def audit_helper():" + chr(10) + "    return 1" + chr(10)!r}),
        ]
    '''), encoding="utf-8")
    monkeypatch.setattr(autograder.course, "SUITES_DIR", suites)
    monkeypatch.setenv("AUTOGRADER_COURSE", str(course))
    return course


def test_planted_faults_make_the_audit_fail_and_name_them(tmp_path, monkeypatch):
    _planted_course(tmp_path, monkeypatch)
    result = CliRunner().invoke(main, ["audit", AID, "--json", "--workers", "1"])
    assert result.exit_code == 1, result.output[-3000:]
    report = json.loads(result.output)
    assert report["untraced"] == 1
    assert report["untraced_tests"][0]["nodeid"].endswith("test_planted_without_a_quote")
    assert report["untraced_tests"][0]["problem"] == "no spec marker"
    assert {a["name"]: a["full"] for a in report["alternatives"]} == {"einsum_and_masks": True,
                                                                      "with_a_helper": False}
    assert {m["name"]: m["caught"] for m in report["mutants"]} == {"bias_plus_one": True, "not_a_mistake": False}
    assert report["reference"]["full"] and report["checks"]["the release leaks no hidden test or solution"]
    table = CliRunner().invoke(main, ["audit", AID, "--workers", "1"])
    assert table.exit_code == 1
    for name in ("test_planted_without_a_quote", "with_a_helper", "not_a_mistake"):
        assert name in table.output
