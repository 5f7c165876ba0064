"""The frame of the attack catalogue: what an attack is, what its check sees, shared checks and snippets.

Every attack is the released stub (honest score 0) plus hostile cells (run after PRELUDE, which gives
``_report(**facts)``, ``_try(f, *args)`` and ``_write(path, data)``) and possibly hostile files beside
the notebook. Placeholders in sources and files: @TOKEN@ (this run's token), @MARK@ (a marker for
processes an attack starts), @TCP@, @TCP6@, @UDP@ (loopback ports the test listens on), @ABSTRACT@ (an
abstract unix socket name the test listens on), @UNIXPATH@ (a host unix socket path), @PATHS@ and
@OUTPATHS@ (JSON lists of host paths of this run that must stay invisible or unwritable).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Outcome:
    """What grading the attack produced, as the checks see it."""

    result: object  # SubmissionResult
    report: dict
    ctx: dict  # the placeholder values of this run (TOKEN, ports, paths)
    feedback: str = ""  # the feedback page's HTML

    @property
    def kinds(self) -> set[str]:
        return {t.kind for t in self.result.tests}

    @property
    def messages(self) -> str:
        return "\n".join(t.message for t in self.result.tests)


@dataclass
class Attack:
    name: str
    category: str  # forge | secrets | network | resources | tamper
    what: str  # the expected outcome, in words (for the report)
    source: str = ""  # one hostile cell appended to the stub
    files: dict[str, str] = field(default_factory=dict)  # path (relative to the student folder) -> content
    check: Callable[[Outcome], None] | None = None


def _errs(outcome: Outcome, key: str) -> list:
    value = outcome.report.get(key)
    assert value is not None, f"the attack did not report {key!r}: {outcome.report} / {outcome.result.output[-600:]}"
    return value


def _all_failed(outcome: Outcome, key: str, allowed: tuple[str, ...] = ("PermissionError", "OSError")) -> None:
    """Every attempt in report[key] (a dict of _try results) failed with one of ``allowed``."""
    attempts = _errs(outcome, key)
    succeeded = {k: v for k, v in attempts.items() if v[0] == "ok" or v[0] not in allowed}
    assert not succeeded, f"{key}: {succeeded}"


def _kinds_include(*kinds: str) -> Callable[[Outcome], None]:
    def check(outcome: Outcome) -> None:
        assert set(kinds) <= outcome.kinds, (kinds, outcome.kinds, outcome.messages[:800])
    return check


def _cell_error(text: str) -> Callable[[Outcome], None]:
    def check(outcome: Outcome) -> None:
        errors = " ".join(outcome.result.cell_errors.values())
        assert text in errors, (text, outcome.result.cell_errors)
    return check


def _both(*checks: Callable[[Outcome], None]) -> Callable[[Outcome], None]:
    def check(outcome: Outcome) -> None:
        for c in checks:
            c(outcome)
    return check


# --------------------------------------------------------------------------- shared hostile snippets

FIND = '''
import struct as _struct
def _find(name):
    f = _sys._getframe()
    while f is not None:
        if name in f.f_locals and f.f_code.co_filename.endswith("main.py"):
            return f.f_locals[name]
        f = f.f_back
def _frame(header, body=b""):
    header = header if isinstance(header, bytes) else _json.dumps(header).encode()
    return _struct.pack(">4sIQ", b"AGF1", len(header), len(body)) + header + body
def _npy(descr, shape, data):
    head = ("{'descr': %r, 'fortran_order': False, 'shape': %r, }" % (descr, shape)).encode()
    head += b" " * (63 - (len(head) + 10) % 64) + b"\\n"
    return b"\\x93NUMPY\\x01\\x00" + _struct.pack("<H", len(head)) + head + data
def _send_only(frame):
    """Answer the current call with `frame` and never write the real reply."""
    _os.write(_find("wfd"), frame)
    import time
    time.sleep(3600)
'''

def fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text


def write_files(student_folder: Path, attack: Attack, values: dict[str, str]) -> None:
    for rel, content in attack.files.items():
        path = student_folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fill(content, values))
