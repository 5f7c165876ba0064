"""Helpers for the sandbox tests: run a Python snippet in a sandbox and collect what it printed."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import pytest

from autograder.sandbox import Isolation, Limits, SandboxedProcess, SandboxSpec, python_argv
from autograder.sandbox.isolation import probed_isolation


@dataclass
class Ran:
    stdout: str
    status: int | None
    stderr: str
    proc: SandboxedProcess

    def json(self) -> object:
        return json.loads(self.stdout)


def run_python(
    code: str, *, timeout: float = 30, isolation: Isolation | None = None, **spec_kw: object
) -> Ran:
    """Run `code` with the venv's interpreter in a sandbox, wait for it, kill it, return its output."""
    spec = SandboxSpec(argv=python_argv("-c", code), **spec_kw)  # type: ignore[arg-type]
    with SandboxedProcess(spec, isolation=isolation) as proc:
        proc.stdin.close()
        out = proc.stdout.read()
        status = proc.wait(timeout)
    return Ran(out.decode(errors="replace"), status, proc.output(), proc)


def processes_with(marker: str) -> list[int]:
    """Host pids whose command line contains `marker`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if marker.encode() in f.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


LEVEL = probed_isolation()
HAVE_BWRAP = LEVEL.uses_bwrap
HAVE_CGROUP = LEVEL is Isolation.BWRAP_CGROUP
needs_bwrap = pytest.mark.skipif(not HAVE_BWRAP, reason="bubblewrap is not available (or does not work) here")
needs_cgroup = pytest.mark.skipif(
    not HAVE_CGROUP, reason="bubblewrap with writable cgroup v1 memory/pids controllers is not available here"
)
SMALL = Limits(memory_mb=256, pids=32)
