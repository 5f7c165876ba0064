"""Seeds of hidden random inputs: a course secret and the submission's content, so earlier feedback cannot
predict them.

The secret is ``<course>/.autograder-secret`` (32 random bytes, hex; mode 0600; git-ignored), generated the
first time a course grades. Keep it with the course (a regrade of the same submission then draws the same
inputs and gives the same score); never publish it. A resubmission that changes any code cell draws new
inputs, so answers hard-coded from what a first submission printed do not fit the second.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from autograder.notebook_code import NotebookCode

SECRET_FILE = ".autograder-secret"


def course_secret(root: Path) -> bytes:
    """The course's secret, created (atomically, mode 0600) when there is none yet."""
    path = Path(root) / SECRET_FILE
    if not path.exists():
        fd, tmp = None, path.with_name(f"{SECRET_FILE}.{os.getpid()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, secrets.token_hex(32).encode() + b"\n")
            os.close(fd)
            fd = None
            os.link(tmp, path)  # fails if another grader won the race: then its secret is the one
        except FileExistsError:
            pass
        finally:
            if fd is not None:
                os.close(fd)
            tmp.unlink(missing_ok=True)
    text = path.read_text(encoding="ascii").strip()
    if len(text) < 32:
        raise ValueError(f"{path}: the course secret is too short (delete the file to make a new one)")
    return text.encode()


def code_digest(code: NotebookCode) -> str:
    """A hash of the submission's code cells (what the worker runs), in order."""
    h = hashlib.sha256()
    for cell in code.cells:
        h.update(f"{cell.index}\0{len(cell.source)}\0".encode() + cell.source.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def submission_seed(secret: bytes, aid: str, student: str, digest: str) -> int:
    """The seed of one submission's hidden random inputs: HMAC(secret, assignment, student, code)."""
    mac = hmac.new(secret, f"{aid}\0{student}\0{digest}".encode(), hashlib.sha256).digest()
    return int.from_bytes(mac[:4], "big")
