"""Collect an LMS bulk download (a Canvas or Moodle zip) into ``submitted/<student>/<aid>/``.

Like ``nbgrader zip_collect``: each archive member's name is matched against the LMS's naming
pattern to find the student; only notebooks are taken. Nothing is extracted by the member's own
path: the target is built from the parsed, validated student id. Unsafe names, links, oversized
members and zip bombs are refused and reported, and the rest is collected.
"""

from __future__ import annotations

import csv
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from autograder.course import is_safe_id

PATTERNS = {
    # doejane_12345_67890_perceptron.ipynb, doejane_LATE_12345_67890_perceptron-1.ipynb
    "canvas": r"^(?P<name>[^/_]+)_(?:LATE_)?(?P<student_id>\d+)_\d+_(?P<file>[^/]+)$",
    # Jane Doe_12345_assignsubmission_file_/perceptron.ipynb
    "moodle": r"^(?P<name>[^/]+?)_(?P<student_id>\d+)_assignsubmission_file_/(?P<file>[^/]+)$",
    # <student>/<anything>.ipynb: a folder per student
    "folders": r"^(?P<student_id>[^/]+)/(?:.*/)?(?P<file>[^/]+)$",
}
MAX_MEMBER = 50 * 1024 * 1024
MAX_TOTAL = 1024 * 1024 * 1024
MAX_MEMBERS = 20_000
MAX_RATIO = 200  # uncompressed / compressed: more than this is a zip bomb, not a notebook


class CollectError(Exception):
    """The archive itself cannot be used."""


@dataclass
class CollectReport:
    collected: dict[str, Path] = field(default_factory=dict)  # student -> notebook written
    skipped: list[str] = field(default_factory=list)  # "member: why"


def load_roster(path: Path) -> dict[str, str]:
    """An optional CSV with columns ``lms_id`` and ``student_id`` mapping LMS numbers to course ids."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["lms_id"].strip(): row["student_id"].strip() for row in csv.DictReader(handle)}


def _refusal(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if name.startswith("/") or "\\" in name or any(part in ("..", "") for part in name.rstrip("/").split("/")):
        return "unsafe path"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link"
    if info.file_size > MAX_MEMBER:
        return f"{info.file_size / 2**20:.0f} MB, over the {MAX_MEMBER // 2**20} MB limit"
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1_000_000:
        return "compression ratio of a zip bomb"
    return ""


def collect(archive: Path, aid: str, notebook_name: str, target: Path, fmt: str = "canvas",
            pattern: str | None = None, roster: dict[str, str] | None = None) -> CollectReport:
    """Write each student's newest notebook to ``target/<student>/<aid>/<notebook_name>.ipynb``."""
    regex = re.compile(pattern or PATTERNS[fmt])
    report = CollectReport()
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CollectError(f"{archive}: not a zip archive ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise CollectError(f"{archive}: {len(infos)} members, over the limit of {MAX_MEMBERS}")
        if sum(i.file_size for i in infos) > MAX_TOTAL:
            raise CollectError(f"{archive}: expands to more than {MAX_TOTAL // 2**30} GB (a zip bomb?)")
        newest: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.is_dir():
                continue
            why = _refusal(info)
            match = regex.match(info.filename)
            if not why and not match:
                why = f"name does not match the {fmt} pattern"
            elif not why and not match.group("file").endswith(".ipynb"):
                why = "not a notebook"
            if not why:
                sid = match.group("student_id")
                sid = (roster or {}).get(sid, sid)
                if not is_safe_id(sid):
                    why = f"student id {sid!r} is not a safe folder name"
            if why:
                report.skipped.append(f"{info.filename}: {why}")
                continue
            if sid not in newest or info.date_time > newest[sid].date_time:
                if sid in newest:
                    report.skipped.append(f"{newest[sid].filename}: an older submission of {sid}")
                newest[sid] = info
            else:
                report.skipped.append(f"{info.filename}: an older submission of {sid}")
        for sid, info in sorted(newest.items()):
            folder = target / sid / aid
            try:
                data = zf.read(info)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
                report.skipped.append(f"{info.filename}: unreadable ({exc}; a zip bomb or a damaged archive?)")
                continue
            if len(data) > MAX_MEMBER:  # the header lied about the size
                report.skipped.append(f"{info.filename}: expands past the {MAX_MEMBER // 2**20} MB limit")
                continue
            folder.mkdir(parents=True, exist_ok=True)
            out = folder / f"{notebook_name}.ipynb"
            out.write_bytes(data)
            stamp = datetime(*info.date_time).strftime("%Y-%m-%d %H:%M:%S.000000 UTC")
            (folder / "timestamp.txt").write_text(stamp + "\n", encoding="utf-8")
            report.collected[sid] = out
    return report
