"""`SandboxedProcess`: an untrusted worker process under bubblewrap, cgroups and rlimits."""

from __future__ import annotations

import logging
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import weakref
from dataclasses import dataclass, field
from typing import BinaryIO, Self

from . import seccomp
from .bwrap import SANDBOX_UID, SETPRIV, build_bwrap_argv, bwrap_path, options_via_fd, setpriv_prefix
from .capture import CappedReader
from .cgroups import Cgroup, cgroups_writable
from .isolation import (
    Isolation,
    SandboxUnavailable,
    detect_isolation,
    seccomp_works,
    warn_weak_isolation,
    weaker,
)
from .proctree import kill_tree
from .rlimits import apply_rlimits, rlimit_table
from .runtime import python_runtime_binds
from .spec import SandboxSpec

log = logging.getLogger(__name__)
HOST_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}  # what bwrap itself (running as root) sees


@dataclass
class _Resources:
    """Everything a sandbox holds; `release` frees it all, once, and is also run by a finalizer."""

    popen: subprocess.Popen[bytes] | None = None
    cgroup: Cgroup | None = None
    reader: CappedReader | None = None
    tempdirs: list[str] = field(default_factory=list)
    peak_bytes: int | None = None
    oom_killed: bool = False
    released: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def release(self) -> None:
        with self.lock:
            if self.released:
                return
            self.released = True
        if self.cgroup is not None:  # the cgroups hold the whole tree, pid namespace included
            _killpg(self.popen)
            self.cgroup.kill_all()
        elif self.popen is not None and self.popen.returncode is None:  # not reaped: its pid is still ours
            kill_tree(self.popen.pid)
        else:
            _killpg(self.popen)
        if self.popen is not None:
            try:
                self.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                log.error("sandbox process %d did not exit after SIGKILL", self.popen.pid)
            for stream in (self.popen.stdin, self.popen.stdout):
                if stream is not None:
                    stream.close()
        if self.reader is not None and not self.reader.join(timeout=2):
            log.warning("sandbox stderr still open after kill (a process escaped the tree?)")
        if self.cgroup is not None:
            self.peak_bytes = self.cgroup.peak_bytes()
            self.oom_killed = self.cgroup.oom_killed()
            try:
                self.cgroup.remove()
            except OSError as exc:
                log.error("cannot remove sandbox cgroup %s: %s", self.cgroup.memory.name, exc)
        for path in self.tempdirs:
            shutil.rmtree(path, ignore_errors=True)


def _killpg(popen: subprocess.Popen[bytes] | None) -> None:
    if popen is not None:
        try:
            os.killpg(popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _wait_exit(popen: subprocess.Popen[bytes], timeout: float) -> int | None:
    """Like `popen.wait(timeout)` but sleeps on a pidfd instead of polling with growing sleeps."""
    if popen.returncode is None and hasattr(os, "pidfd_open"):
        try:
            fd = os.pidfd_open(popen.pid)
        except OSError:
            return popen.poll()
        try:
            select.select([fd], [], [], max(timeout, 0))
        finally:
            os.close(fd)
        return popen.poll()
    try:
        return popen.wait(timeout)
    except subprocess.TimeoutExpired:
        return None


def _world_can_run(path: str) -> bool:
    """Whether an unprivileged uid can reach `path` (every ancestor o+x) and execute/enter it."""
    real = os.path.realpath(path)
    current = real
    while current != "/":
        current = os.path.dirname(current)
        if not os.stat(current).st_mode & stat.S_IXOTH:
            return False
    return bool(os.stat(real).st_mode & stat.S_IXOTH)


def _to_host(path: str, binds: list[tuple[str, str]]) -> str:
    """Translate a sandbox path to the host path it is bound from (identity if unbound)."""
    for host, inside in sorted(binds, key=lambda b: -len(b[1])):
        if path == inside or path.startswith(inside.rstrip("/") + "/"):
            return host + path[len(inside) :]
    return path


class SandboxedProcess:
    """Start `spec.argv` in the strongest available sandbox.

    `isolation` may ask for a weaker level than detected (never a stronger one). With `require=True`,
    raises `SandboxUnavailable` unless bubblewrap is used. `stdin`/`stdout` are unbuffered pipes to the
    worker's fds 0 and 1; stderr is drained in the background and read with `output()`.
    """

    isolation: Isolation
    pid: int
    stdin: BinaryIO
    stdout: BinaryIO

    def __init__(
        self, spec: SandboxSpec, *, require: bool = False, isolation: Isolation | None = None
    ) -> None:
        available = detect_isolation()
        level = available if isolation is None else weaker(Isolation(isolation), available)
        if require and not level.uses_bwrap:
            raise SandboxUnavailable(f"bubblewrap sandbox required but only {level.value!r} is available")
        self._res = _Resources()
        self._finalizer = weakref.finalize(self, self._res.release)
        try:
            self.isolation = self._start(spec, level)
        except BaseException:
            self._res.release()
            raise

    def _start(self, spec: SandboxSpec, level: Isolation) -> Isolation:
        cgroup = None
        if level is not Isolation.BWRAP and cgroups_writable():
            try:
                cgroup = Cgroup.create(spec.limits.memory_bytes, spec.limits.pids)
            except OSError as exc:
                log.warning("cannot create sandbox cgroups (%s): continuing without them", exc)
        if level is Isolation.BWRAP_CGROUP and cgroup is None:
            level = Isolation.BWRAP
        self._res.cgroup = cgroup

        pass_fds: tuple[int, ...] = ()
        if level.uses_bwrap:
            filter_program = seccomp.program() if seccomp_works() else None
            if filter_program is not None:
                pass_fds = (seccomp.program_fd(filter_program),)
        try:
            if level.uses_bwrap:
                bwrap = bwrap_path() or "bwrap"
                blob, command = options_via_fd(build_bwrap_argv(spec, bwrap=bwrap,
                                                                seccomp_fd=pass_fds[0] if pass_fds else None))
                options_fd = seccomp.program_fd(blob)  # a memfd: bwrap reads it and the sandbox never sees it
                pass_fds = (*pass_fds, options_fd)
                argv = [bwrap, "--args", str(options_fd), *command]
                env, cwd = HOST_ENV, "/"
            else:
                warn_weak_isolation()
                argv, env, cwd = self._rlimits_command(spec)
            procs_fds = cgroup.open_procs_fds() if cgroup is not None else []
        except BaseException:
            for fd in pass_fds:
                os.close(fd)
            raise
        table = rlimit_table(spec.limits, gpu=any(os.path.exists(d) for d in spec.devices))

        def preexec() -> None:  # runs in the child after fork: join the cgroups first, then limit
            pid = str(os.getpid()).encode()
            for fd in procs_fds:
                os.write(fd, pid)
            apply_rlimits(table)

        try:
            popen = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                bufsize=0,
                env=env,
                cwd=cwd,
                close_fds=True,
                pass_fds=pass_fds,
                start_new_session=True,
                # preexec_fn is needed to join the cgroups before exec; it only makes syscalls, and only
                # after fork, so the usual thread-safety concern (locks held by other threads) does not bite.
                preexec_fn=preexec,  # noqa: PLW1509
            )
        finally:
            for fd in [*procs_fds, *pass_fds]:
                os.close(fd)
        self._res.popen = popen
        assert popen.stdin is not None and popen.stdout is not None and popen.stderr is not None
        self._res.reader = CappedReader(popen.stderr, spec.limits.output_bytes)
        self.pid = popen.pid
        self.stdin = popen.stdin
        self.stdout = popen.stdout
        return level

    def _rlimits_command(self, spec: SandboxSpec) -> tuple[list[str], dict[str, str], str]:
        """No bubblewrap: host paths, a private HOME/TMPDIR, and uid 65534 where the runtime allows it."""
        home = tempfile.mkdtemp(prefix="autograder-sandbox-")
        self._res.tempdirs.append(home)
        binds = list(spec.ro_binds)
        argv = [_to_host(arg, binds) if arg.startswith("/") else arg for arg in spec.argv]
        cwd = home if spec.cwd == "/tmp" else _to_host(spec.cwd, binds)
        env = {**spec.full_env(home=home), "TMPDIR": home}
        if spec.masked_paths:
            log.warning("rlimits-only sandbox cannot hide %s from student code", spec.masked_paths)
        runtime = [argv[0], *(host for host, _ in python_runtime_binds())] if argv else []
        if os.geteuid() == 0 and os.path.exists(SETPRIV) and all(_world_can_run(p) for p in runtime):
            os.chown(home, SANDBOX_UID, SANDBOX_UID)
            argv = [*setpriv_prefix(), *argv]
        elif os.geteuid() == 0:
            log.warning(
                "rlimits-only sandbox runs as root: uid %d cannot reach the Python runtime", SANDBOX_UID
            )
        return argv, env, cwd

    def output(self) -> str:
        """Captured stderr so far (capped at `limits.output_bytes`, then a truncation marker)."""
        return self._res.reader.text() if self._res.reader is not None else ""

    def poll(self) -> int | None:
        """Exit status, or None while running (under bubblewrap a signal N shows as 128 + N)."""
        return self._res.popen.poll() if self._res.popen is not None else None

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait up to `timeout` seconds; the exit status, or None if still running."""
        if self._res.popen is None:
            return None
        if timeout is None:
            return self._res.popen.wait()
        return _wait_exit(self._res.popen, timeout)

    def kill(self) -> None:
        """SIGKILL everything the sandbox started and free its pipes, cgroups and temp dirs (idempotent)."""
        self._finalizer()

    def memory_peak_bytes(self) -> int | None:
        """Peak memory of the whole tree (cgroup), or None without a memory cgroup."""
        cgroup = self._res.cgroup
        if cgroup is None:
            return None
        live = cgroup.peak_bytes()  # None once kill() removed the group: then the value it kept
        return live if live is not None else self._res.peak_bytes

    def oom_killed(self) -> bool:
        """True when the memory cgroup's OOM killer hit a process of this sandbox."""
        cgroup = self._res.cgroup
        return cgroup is not None and (self._res.oom_killed or cgroup.oom_killed())

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.kill()

    def __repr__(self) -> str:
        return f"<SandboxedProcess pid={getattr(self, 'pid', None)} isolation={self.isolation.value}>"


def python_argv(*args: str) -> list[str]:
    """`[sys.executable, "-I", *args]`: this venv's interpreter in isolated mode."""
    return [sys.executable, "-I", *args]
