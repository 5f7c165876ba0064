"""LMS bulk downloads into submitted/: names mapped to students, unsafe members refused, bombs defused."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.collect import CollectError, collect

ROOT = Path(__file__).resolve().parents[1]
NB = (ROOT / "examples/submitted/alice/01-perceptron/perceptron.ipynb").read_bytes()


def make_zip(path: Path, members: dict[str, bytes], dates: dict[str, tuple] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(dates or {}).get(name, (2026, 11, 20, 12, 0, 0)))
            zf.writestr(info, data, zipfile.ZIP_DEFLATED)
    return path


def test_canvas_names_map_to_students_and_the_newest_wins(tmp_path):
    archive = make_zip(tmp_path / "canvas.zip", {
        "doejane_12345_111_perceptron.ipynb": NB,
        "doejane_LATE_12345_112_perceptron-1.ipynb": NB + b" ",
        "smithbob_777_113_perceptron.ipynb": NB,
        "smithbob_777_114_notes.txt": b"hello",
    }, {"doejane_LATE_12345_112_perceptron-1.ipynb": (2026, 11, 21, 9, 0, 0)})
    report = collect(archive, "01-perceptron", "perceptron", tmp_path / "submitted", "canvas",
                     roster={"12345": "jane"})
    assert sorted(report.collected) == ["777", "jane"]
    assert (tmp_path / "submitted/jane/01-perceptron/perceptron.ipynb").read_bytes() == NB + b" "
    assert "2026-11-21 09:00:00" in (tmp_path / "submitted/jane/01-perceptron/timestamp.txt").read_text()
    assert any("not a notebook" in s for s in report.skipped)
    assert any("older submission" in s for s in report.skipped)


def test_moodle_folders(tmp_path):
    archive = make_zip(tmp_path / "moodle.zip", {"Jane Doe_4242_assignsubmission_file_/perceptron.ipynb": NB})
    report = collect(archive, "01-perceptron", "perceptron", tmp_path / "s", "moodle")
    assert list(report.collected) == ["4242"]


@pytest.mark.parametrize("name, why", [
    ("../../etc/evil_1_2_perceptron.ipynb", "unsafe path"),
    ("/abs_1_2_perceptron.ipynb", "unsafe path"),
    ("a\\b_1_2_perceptron.ipynb", "unsafe path"),
])
def test_unsafe_member_names_are_refused(tmp_path, name, why):
    archive = make_zip(tmp_path / "bad.zip", {name: NB, "ok_5_6_perceptron.ipynb": NB})
    report = collect(archive, "01-perceptron", "perceptron", tmp_path / "s", "canvas")
    assert list(report.collected) == ["5"]
    assert any(why in s for s in report.skipped)
    assert not (tmp_path / "etc").exists()


def test_unsafe_student_ids_from_a_custom_pattern(tmp_path):
    archive = make_zip(tmp_path / "f.zip", {"..hidden/perceptron.ipynb": NB, "ünïcode/perceptron.ipynb": NB,
                                            "good/perceptron.ipynb": NB})
    report = collect(archive, "01-perceptron", "perceptron", tmp_path / "s", "folders")
    assert list(report.collected) == ["good"]


def test_symlink_members_are_refused(tmp_path):
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("x_1_2_perceptron.ipynb")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    report = collect(path, "01-perceptron", "perceptron", tmp_path / "s", "canvas")
    assert not report.collected and "symbolic link" in report.skipped[0]


def test_a_zip_bomb_is_defused(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x_1_2_perceptron.ipynb", b"\0" * (40 * 1024 * 1024))
    report = collect(path, "01-perceptron", "perceptron", tmp_path / "s", "canvas")
    assert not report.collected and "zip bomb" in report.skipped[0]
    assert path.stat().st_size < 1_000_000


def test_not_a_zip_is_a_clear_error(tmp_path):
    (tmp_path / "x.zip").write_text("nope")
    with pytest.raises(CollectError, match="not a zip archive"):
        collect(tmp_path / "x.zip", "01-perceptron", "perceptron", tmp_path / "s")


def test_collect_command_then_grade(tmp_path):
    archive = make_zip(tmp_path / "canvas.zip", {"doejane_12345_111_perceptron.ipynb": NB})
    proc = subprocess.run([sys.executable, "-m", "autograder", "collect", "01-perceptron", str(archive),
                           "--into", str(tmp_path / "submitted")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0 and "collected 1 notebook" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", "01-perceptron", "--submissions",
                           str(tmp_path / "submitted"), "--out", str(tmp_path / "out"), "--no-progress"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "38/38" in proc.stdout
