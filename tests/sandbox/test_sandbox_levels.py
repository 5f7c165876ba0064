"""Isolation levels: detection, forcing a weaker level, rlimits-only fallback, `require`."""

from __future__ import annotations

import json
import os
import re
import socket
import sys

import pytest
from sandbox_helpers import HAVE_BWRAP, HAVE_CGROUP, LEVEL, needs_bwrap, run_python

from autograder.sandbox import (
    Isolation,
    SandboxedProcess,
    SandboxSpec,
    SandboxUnavailable,
    detect_isolation,
    python_argv,
    python_runtime_binds,
)
from autograder.sandbox.bwrap import build_bwrap_argv
from autograder.sandbox.isolation import FORCE_ENV, WEAK_WARNING


def test_detected_level_matches_the_probes() -> None:
    assert detect_isolation() is LEVEL
    assert HAVE_CGROUP <= HAVE_BWRAP


@pytest.mark.parametrize(
    ("forced", "expected"),
    [("rlimits-only", Isolation.RLIMITS), ("bubblewrap", Isolation.BWRAP), ("bubblewrap+cgroup", None)],
)
def test_force_only_weakens(monkeypatch: pytest.MonkeyPatch, forced: str, expected: Isolation | None) -> None:
    monkeypatch.setenv(FORCE_ENV, forced)
    expected = expected or LEVEL
    assert detect_isolation().rank == min(expected.rank, LEVEL.rank)


def test_force_rejects_unknown_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FORCE_ENV, "docker")
    with pytest.raises(ValueError, match=FORCE_ENV):
        detect_isolation()


def test_rlimits_only_warns_runs_and_is_weaker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FORCE_ENV, "rlimits-only")
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "s3cret")
    assert detect_isolation() is Isolation.RLIMITS
    with pytest.raises(SandboxUnavailable):
        SandboxedProcess(SandboxSpec(argv=python_argv("-c", "pass")), require=True)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.warns(RuntimeWarning, match=re.escape(WEAK_WARNING)):
            ran = run_python(
                "import json, os, socket, sys, numpy\n"
                f"socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
                "open(os.path.join(os.environ['HOME'], 'f'), 'w').write('x')\n"
                "print(json.dumps({'prefix': sys.prefix, 'env': dict(os.environ), 'cwd': os.getcwd()}))"
            )
    assert ran.proc.isolation is Isolation.RLIMITS
    assert ran.status == 0, ran.stderr
    info = ran.json()
    assert info["prefix"] == sys.prefix
    home = info["env"]["HOME"]
    assert info["cwd"] == home and info["env"]["TMPDIR"] == home and "GRADER_SECRET_TOKEN" not in info["env"]
    assert not os.path.exists(home)  # the private temp dir is removed by kill()


@needs_bwrap
def test_require_accepts_bubblewrap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FORCE_ENV, "bubblewrap")
    ran = run_python("import os; print(os.getuid())")
    assert ran.proc.isolation is Isolation.BWRAP and ran.stdout == "65534\n"
    assert ran.proc.memory_peak_bytes() is None and ran.proc.oom_killed() is False  # no cgroup at this level
    with SandboxedProcess(SandboxSpec(argv=python_argv("-c", "pass")), require=True) as proc:
        assert proc.isolation is Isolation.BWRAP


@needs_bwrap
def test_explicit_isolation_cannot_exceed_the_detected_level(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FORCE_ENV, "bubblewrap")
    with SandboxedProcess(
        SandboxSpec(argv=python_argv("-c", "pass")), isolation=Isolation.BWRAP_CGROUP
    ) as proc:
        assert proc.isolation is Isolation.BWRAP


def test_runtime_binds_cover_the_interpreter() -> None:
    binds = python_runtime_binds()
    targets = [dst for _, dst in binds]
    for path in (sys.base_prefix, sys.prefix, os.path.realpath(sys.executable)):
        assert any(path == t or path.startswith(t + "/") for t in targets), path
    assert all(os.path.isdir(src) for src, _ in binds)


def test_bwrap_command_line() -> None:
    spec = SandboxSpec(
        argv=["/usr/bin/true"], masked_paths=["/nonexistent-mask"], devices=["/dev/nonexistent0"]
    )
    argv = build_bwrap_argv(spec)
    joined = " ".join(argv)
    for flag in (
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--hostname sandbox",
        "--proc /proc",
        "--dev /dev",
    ):
        assert flag in joined
    assert "--size 268435456 --tmpfs /tmp" in joined
    for secret in ("/etc/passwd", "/etc/resolv.conf", "/etc/hosts", "/sys", "/home", "/nonexistent"):
        assert secret not in argv
    assert argv[-1] == "/usr/bin/true"
    if os.geteuid() == 0:
        assert argv[argv.index("--") + 1] == "/usr/bin/setpriv"
        assert "--no-new-privs" in argv and "--bounding-set=-all" in argv


def test_sandboxed_process_result_is_recorded_in_json() -> None:
    # what the grader records with every result
    assert json.loads(json.dumps(LEVEL.value)) in {i.value for i in Isolation}


def test_gpu_devices_lift_only_the_address_space_backstop():
    import resource

    from autograder.sandbox import Limits
    from autograder.sandbox.rlimits import rlimit_table

    plain, gpu = rlimit_table(Limits()), rlimit_table(Limits(), gpu=True)
    assert resource.RLIMIT_AS in plain and resource.RLIMIT_AS not in gpu
    assert {k: v for k, v in plain.items() if k != resource.RLIMIT_AS} == gpu
