"""Resource limits and clean-up: pids, memory, CPU, output flood, escaping grandchildren."""

from __future__ import annotations

import os
import resource
import subprocess
import time
import uuid

import pytest
from sandbox_helpers import (
    HAVE_BWRAP,
    HAVE_CGROUP,
    SMALL,
    needs_bwrap,
    needs_cgroup,
    processes_with,
    run_python,
)

from autograder.sandbox import Isolation, Limits, SandboxedProcess, SandboxSpec, cgroups, python_argv
from autograder.sandbox.capture import TRUNCATION_MARKER
from autograder.sandbox.cgroups import cgroup_parent


def _own_cgroups() -> list[str]:
    """Sandbox cgroup directories created by this test process that still exist."""
    prefix = f"sbx-{os.getpid()}-"
    found = []
    for controller in ("memory", "pids"):
        parent = cgroup_parent(controller)
        if parent.is_dir():
            found += [str(p) for p in parent.iterdir() if p.name.startswith(prefix)]
    return found


@needs_bwrap
def test_rlimits_are_set_inside() -> None:
    limits = Limits(cpu_seconds=7, file_size_mb=3, open_files=99)
    ran = run_python(
        "import json, resource as r\n"
        "print(json.dumps({n: r.getrlimit(getattr(r, 'RLIMIT_' + n)) for n in\n"
        "  ('CPU', 'FSIZE', 'NOFILE', 'NPROC', 'AS', 'CORE')}))",
        limits=limits,
    )
    got = ran.json()
    assert got["CPU"] == [7, 8] and got["FSIZE"] == [3 << 20] * 2 and got["NOFILE"] == [99, 99]
    assert got["CORE"] == [0, 0] and got["NPROC"] == [512, 512] and got["AS"] == [8 << 30] * 2


@needs_bwrap
def test_file_size_and_tmpfs_size_are_capped() -> None:
    ran = run_python(
        "import errno\n"
        "def fill(path, mb):\n"
        "    try:\n"
        "        with open(path, 'wb') as f:\n"
        "            for _ in range(mb): f.write(b'x' * (1 << 20))\n"
        "        return 'ok'\n"
        "    except OSError as e:\n"
        "        return errno.errorcode[e.errno]\n"
        "import signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "big = fill('/tmp/big', 6); import os; os.remove('/tmp/big')\n"
        "print(big, fill('/tmp/a', 3), fill('/tmp/b', 3), fill('/tmp/c', 3))",
        limits=Limits(file_size_mb=4, tmp_size_mb=8),
    )
    assert ran.status == 0, ran.stderr
    assert ran.stdout.split() == ["EFBIG", "ok", "ok", "ENOSPC"]  # 6 MB > FSIZE; 3+3+3 MB > 8 MB tmpfs


@needs_bwrap
def test_cpu_limit_kills_a_busy_loop() -> None:
    start = time.monotonic()
    ran = run_python("while True: pass", limits=Limits(cpu_seconds=1))
    assert ran.status in (128 + 24, 128 + 9)  # SIGXCPU at the soft limit, SIGKILL at the hard one
    assert time.monotonic() - start < 10


@needs_cgroup
def test_fork_bomb_hits_the_pids_limit_and_the_grader_is_fine() -> None:
    marker = f"bomb-{uuid.uuid4().hex}"
    code = (
        "import os, sys, time\n"
        f"mark = {marker[::-1]!r}[::-1]\n"
        "n = 0\n"
        "try:\n"
        "    while True:\n"
        "        if os.fork() == 0:\n"
        "            os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(60)', mark])\n"
        "        n += 1\n"
        "except OSError as e:\n"
        "    print(n, e.errno, flush=True)\n"
        "time.sleep(60)\n"
    )
    with SandboxedProcess(SandboxSpec(argv=python_argv("-c", code), limits=SMALL)) as proc:
        line = proc.stdout.readline().split()
        assert line, proc.output()
        forks, err = int(line[0]), int(line[1])
        assert err == 11 and 0 < forks < SMALL.pids  # EAGAIN from the pids cgroup
        assert subprocess.run(["true"], check=False).returncode == 0  # the host can still fork
        deadline = time.monotonic() + 10
        while len(processes_with(marker)) < forks and time.monotonic() < deadline:
            time.sleep(0.02)  # the children are still exec'ing
        assert len(processes_with(marker)) == forks
        assert forks >= SMALL.pids - 3  # bwrap, its pid-namespace init and the worker take the rest
    assert processes_with(marker) == []


@needs_cgroup
def test_thread_bomb_hits_the_pids_limit() -> None:
    ran = run_python(
        "import threading, time\n"
        "n = 0\n"
        "try:\n"
        "    while True:\n"
        "        threading.Thread(target=time.sleep, args=(60,), daemon=True).start(); n += 1\n"
        "except RuntimeError:\n"
        "    print(n, flush=True)\n"
        "import os; os._exit(0)",
        limits=SMALL,
    )
    assert ran.status == 0, ran.stderr
    assert 0 < int(ran.stdout) < SMALL.pids


@needs_cgroup
def test_memory_hog_is_oom_killed() -> None:
    ran = run_python(
        "chunks = []\nfor _ in range(128): chunks.append(b'\\x01' * (16 << 20))\nprint('survived')",
        limits=SMALL,
    )
    assert "survived" not in ran.stdout
    assert ran.status == 128 + 9
    assert ran.proc.oom_killed() is True
    peak = ran.proc.memory_peak_bytes()
    assert peak is not None and 200 << 20 < peak <= SMALL.memory_mb << 20


@needs_cgroup
def test_modest_allocation_is_not_oom() -> None:
    ran = run_python("import numpy; a = numpy.ones(8 << 20); print(a.sum())", limits=SMALL)
    assert ran.status == 0, ran.stderr
    assert ran.proc.oom_killed() is False
    peak = ran.proc.memory_peak_bytes()
    assert peak is not None and 64 << 20 < peak < SMALL.memory_mb << 20


def _levels() -> list:
    levels = []
    for level, ok, why in (
        (Isolation.BWRAP_CGROUP, HAVE_CGROUP, "no writable cgroups"),
        (Isolation.BWRAP, HAVE_BWRAP, "no bubblewrap"),
        (Isolation.RLIMITS, HAVE_CGROUP, "rlimits-only cannot catch a setsid grandchild without cgroups"),
    ):
        levels.append(pytest.param(level, marks=pytest.mark.skipif(not ok, reason=why), id=level.value))
    return levels


@pytest.mark.filterwarnings("ignore:WARNING. bubblewrap not available")
@pytest.mark.parametrize("level", _levels())
def test_setsid_double_forked_grandchild_ignoring_sigterm_is_killed(level: Isolation) -> None:
    marker = f"escape-{uuid.uuid4().hex}"
    code = (
        "import os, signal, sys, time\n"
        f"mark = {marker[::-1]!r}[::-1]\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "        sleeper = 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)'\n"
        "        os.execv(sys.executable, [sys.executable, '-c', sleeper, mark])\n"
        "    os._exit(0)\n"
        "print('ready', flush=True)\n"
        "time.sleep(120)\n"
    )
    proc = SandboxedProcess(SandboxSpec(argv=python_argv("-c", code)), isolation=level)
    assert proc.isolation is level
    try:
        assert proc.stdout.readline() == b"ready\n", proc.output()
        deadline = time.monotonic() + 10
        while not (escaped := processes_with(marker)) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(escaped) == 1  # the probe can see it before kill()
    finally:
        proc.kill()
    assert processes_with(marker) == []
    proc.kill()  # idempotent
    assert proc.stdin.closed and proc.stdout.closed
    assert proc.poll() is not None


@needs_bwrap
def test_stderr_flood_is_capped_and_does_not_block() -> None:
    start = time.monotonic()
    limits = Limits(output_bytes=10_000)
    ran = run_python(
        "import sys\nfor _ in range(50): sys.stderr.write('é' * (512 << 10))\nprint('done')", limits=limits
    )
    assert ran.status == 0 and ran.stdout == "done\n"
    assert ran.stderr.endswith(TRUNCATION_MARKER)
    assert len(ran.stderr.encode()) <= limits.output_bytes + len(TRUNCATION_MARKER.encode()) + 3
    assert ran.stderr.startswith("éé")
    assert time.monotonic() - start < 15


@needs_cgroup
def test_kill_removes_cgroups_and_reaps() -> None:
    proc = SandboxedProcess(SandboxSpec(argv=python_argv("-c", "import time; time.sleep(60)")))
    group = proc._res.cgroup
    assert group is not None and group.memory.is_dir() and group.pids.is_dir()
    assert str(group.memory) in _own_cgroups()
    assert proc.poll() is None and proc.wait(0.05) is None
    proc.kill()
    assert proc._res.tempdirs == []  # bubblewrap needs no host temp dir
    assert not group.memory.exists() and not group.pids.exists()
    assert _own_cgroups() == []
    assert proc.poll() == 128 + 9 or proc.poll() == -9
    assert proc.memory_peak_bytes() is not None  # kept from before the cgroup was removed


@needs_bwrap
def test_kill_while_blocked_on_output_pipe() -> None:
    """A worker blocked writing a full stdout pipe is still killed promptly and leaves nothing behind."""
    code = "import sys\nwhile True: sys.stdout.write('x' * 65536)"
    proc = SandboxedProcess(SandboxSpec(argv=python_argv("-c", code)))
    time.sleep(0.2)
    start = time.monotonic()
    proc.kill()
    assert time.monotonic() - start < 3
    assert proc.poll() is not None
    assert _own_cgroups() == []


@needs_bwrap
def test_python_startup_overhead_is_small() -> None:
    def timed(argv_runner) -> float:
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            argv_runner()
            best = min(best, time.perf_counter() - start)
        return best

    bare = timed(lambda: subprocess.run(python_argv("-c", "pass"), check=True))
    boxed = timed(lambda: run_python("pass"))
    assert boxed - bare < 0.25, (bare, boxed)  # ~10 ms on an idle machine; generous for loaded CI


def test_limits_backstop_and_nproc_resource_names() -> None:
    assert Limits(memory_mb=4096).address_space_bytes == 16 << 30
    assert Limits().address_space_bytes == 8 << 30
    assert resource.RLIMIT_NPROC  # exists on this platform


@needs_cgroup
def test_groups_of_a_dead_grader_are_reaped() -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    orphan = subprocess.Popen(["sleep", "60"])
    try:
        name = f"sbx-{dead.pid}-{cgroups._pid_namespace()}-feedc0ffee00"
        memory, pids = cgroup_parent("memory") / name, cgroup_parent("pids") / name
        memory.mkdir(), pids.mkdir()
        for directory in (memory, pids):
            (directory / "cgroup.procs").write_text(str(orphan.pid))
        foreign = cgroup_parent("pids") / f"sbx-{dead.pid}-1-feedc0ffee00"  # another pid namespace: kept
        foreign.mkdir()
        cgroups.remove_stale()
        assert orphan.wait(timeout=5) == -9
        assert not memory.exists() and not pids.exists() and foreign.exists()
    finally:
        orphan.kill()
        for directory in (cgroup_parent("memory") / name, cgroup_parent("pids") / name, foreign):
            if directory.exists():
                directory.rmdir()


@needs_bwrap
def test_no_file_descriptors_leak() -> None:
    run_python("pass")
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        run_python("import sys; print('x', file=sys.stderr)")
    assert len(os.listdir("/proc/self/fd")) == before
