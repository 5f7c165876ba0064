"""Which isolation this machine offers, probed once."""

from __future__ import annotations

import enum
import functools
import logging
import os
import subprocess
import warnings

from . import seccomp
from .bwrap import build_bwrap_argv, bwrap_path
from .cgroups import cgroups_writable
from .spec import SandboxSpec

log = logging.getLogger(__name__)

FORCE_ENV = "AUTOGRADER_FORCE_ISOLATION"
WEAK_WARNING = "WARNING: bubblewrap not available: student code runs with rlimits only (weaker isolation)"


class Isolation(str, enum.Enum):
    BWRAP_CGROUP = "bubblewrap+cgroup"  # namespaces + cgroup v1 memory/pids + rlimits
    BWRAP = "bubblewrap"  # namespaces + rlimits, no writable cgroup controllers
    RLIMITS = "rlimits-only"  # no bubblewrap: weaker

    @property
    def rank(self) -> int:
        return {Isolation.RLIMITS: 0, Isolation.BWRAP: 1, Isolation.BWRAP_CGROUP: 2}[self]

    @property
    def uses_bwrap(self) -> bool:
        return self is not Isolation.RLIMITS


class SandboxUnavailable(RuntimeError):
    """Raised when bubblewrap isolation is required but not available."""


def weaker(a: Isolation, b: Isolation) -> Isolation:
    return a if a.rank <= b.rank else b


@functools.cache
def bwrap_works() -> bool:
    """True when bwrap exists and runs `true` with the sandbox's real namespaces, mounts and uid drop."""
    bwrap = bwrap_path()
    if bwrap is None:
        return False
    argv = build_bwrap_argv(SandboxSpec(argv=["/usr/bin/true"]), bwrap=bwrap)
    try:
        result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    if result.returncode != 0:
        log.info(
            "bubblewrap probe failed (%s): %s", result.returncode, result.stderr.decode(errors="replace")
        )
    return result.returncode == 0


@functools.cache
def seccomp_works() -> bool:
    """True when bubblewrap runs `true` under the kit's seccomp filter (see seccomp.py), probed once."""
    data = seccomp.program()
    bwrap = bwrap_path()
    if data is None or bwrap is None or not bwrap_works():
        return False
    fd = seccomp.program_fd(data)
    try:
        argv = build_bwrap_argv(SandboxSpec(argv=["/usr/bin/true"]), bwrap=bwrap, seccomp_fd=fd)
        result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=20, check=False,
                                pass_fds=(fd,))
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        os.close(fd)
    if result.returncode != 0:
        log.warning("the sandbox runs without its seccomp filter: bubblewrap refused it (%s): %s",
                    result.returncode, result.stderr.decode(errors="replace")[:500])
    return result.returncode == 0


def probed_isolation() -> Isolation:
    """The strongest level this machine offers, ignoring $AUTOGRADER_FORCE_ISOLATION."""
    if not bwrap_works():
        return Isolation.RLIMITS
    return Isolation.BWRAP_CGROUP if cgroups_writable() else Isolation.BWRAP


def detect_isolation() -> Isolation:
    """The strongest level available (probed once), weakened by $AUTOGRADER_FORCE_ISOLATION if set."""
    level = probed_isolation()
    forced = os.environ.get(FORCE_ENV, "").strip()
    if forced:
        try:
            level = weaker(level, Isolation(forced))
        except ValueError:
            raise ValueError(
                f"{FORCE_ENV}={forced!r}: expected one of {[i.value for i in Isolation]}"
            ) from None
    return level


@functools.cache
def _log_weak_once() -> None:
    log.warning(WEAK_WARNING)


def warn_weak_isolation() -> None:
    """Loud warning (Python warning + one log line per process) that only rlimits isolate student code."""
    _log_weak_once()
    warnings.warn(WEAK_WARNING, RuntimeWarning, stacklevel=4)  # the caller of SandboxedProcess(...)
