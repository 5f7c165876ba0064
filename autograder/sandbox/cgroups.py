"""Per-sandbox cgroup v1 `memory` and `pids` groups.

Groups are created below the grader's own cgroup (``<own>/autograder/<name>``), so the limits of whatever
runs the grader still apply; when the grader sits at the root that is ``/sys/fs/cgroup/<ctl>/autograder``.
"""

from __future__ import annotations

import errno
import functools
import os
import secrets
import signal
import time
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PARENT_NAME = "autograder"


def _own_cgroup(controller: str) -> Path:
    """The directory of this process's cgroup in the v1 hierarchy of `controller`."""
    mount = CGROUP_ROOT / controller
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return mount
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            own = mount / path.lstrip("/")
            return own if own.is_dir() else mount
    return mount


def cgroup_parent(controller: str) -> Path:
    """Where this process creates its sandbox groups for `controller`."""
    return _own_cgroup(controller) / PARENT_NAME


@functools.cache
def cgroups_writable() -> bool:
    """True when v1 `memory` and `pids` groups can be created and limited here (probed once)."""
    if not ((CGROUP_ROOT / "memory/memory.limit_in_bytes").exists() and (CGROUP_ROOT / "pids").is_dir()):
        return False
    try:
        group = Cgroup.create(memory_bytes=64 * 1024 * 1024, pids=8, prefix="probe")
    except OSError:
        return False
    group.remove()
    remove_stale()
    return True


@functools.cache
def _pid_namespace() -> str:
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return "0"


def _pid_alive(pid: int) -> bool:
    """Whether `pid` is a live process: a zombie is dead (a killed grader whose parent, e.g. a container's
    init, does not reap it must not keep its sandboxes' groups forever)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return True
    return stat[stat.rindex(b")") + 2:].split()[0] != b"Z"


def remove_stale() -> None:
    """Empty and remove groups left behind by graders that died without cleaning up (named by their pid)."""
    for controller in ("memory", "pids"):
        parent = cgroup_parent(controller)
        if not parent.is_dir():
            continue
        for directory in parent.iterdir():
            parts = directory.name.split("-")
            if len(parts) != 4 or parts[0] not in ("sbx", "probe") or parts[2] != _pid_namespace():
                continue  # not ours, or made by a grader in another pid namespace: its pid means nothing here
            if parts[1].isdigit() and not _pid_alive(int(parts[1])):
                try:
                    Cgroup(memory=directory, pids=directory).kill_all(timeout=1)
                    directory.rmdir()
                except OSError:
                    pass


def _write(path: Path, value: int | str) -> None:
    path.write_text(str(value))


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _mkdir_fresh(parent: Path, name: str) -> Path:
    """Create parent/name, (re)creating the parent if needed."""
    for _ in range(3):
        parent.mkdir(exist_ok=True)
        try:
            (parent / name).mkdir()
            return parent / name
        except FileNotFoundError:  # parent removed concurrently: retry
            continue
    raise OSError(errno.ENOENT, "cannot create cgroup", str(parent / name))


@dataclass
class Cgroup:
    """One memory group and one pids group holding a sandbox's whole process tree."""

    memory: Path
    pids: Path

    @classmethod
    def create(cls, memory_bytes: int, pids: int, prefix: str = "sbx") -> Cgroup:
        name = f"{prefix}-{os.getpid()}-{_pid_namespace()}-{secrets.token_hex(6)}"
        memory = _mkdir_fresh(cgroup_parent("memory"), name)
        try:
            pids_dir = _mkdir_fresh(cgroup_parent("pids"), name)
        except OSError:
            memory.rmdir()
            raise
        group = cls(memory, pids_dir)
        try:
            _write(memory / "memory.limit_in_bytes", memory_bytes)
            memsw = memory / "memory.memsw.limit_in_bytes"
            if memsw.exists():  # must be set after memory.limit_in_bytes, and be >= it
                try:
                    _write(memsw, memory_bytes)
                except OSError:
                    pass
            _write(pids_dir / "pids.max", pids)
        except OSError:
            group.remove()
            raise
        return group

    def open_procs_fds(self) -> list[int]:
        """Write-only fds of both `cgroup.procs` files, for the child to add itself before exec."""
        return [
            os.open(directory / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC)
            for directory in (self.memory, self.pids)
        ]

    def members(self) -> set[int]:
        found: set[int] = set()
        for directory in (self.memory, self.pids):
            try:
                found.update(int(p) for p in (directory / "cgroup.procs").read_text().split())
            except (OSError, ValueError):
                pass
        return found

    def kill_all(self, timeout: float = 5.0) -> bool:
        """SIGKILL every member until the groups are empty; True when they are."""
        deadline = time.monotonic() + timeout
        while members := self.members():
            for pid in members:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def peak_bytes(self) -> int | None:
        return _read_int(self.memory / "memory.max_usage_in_bytes")

    def oom_killed(self) -> bool:
        """True when the kernel OOM-killed a member (`oom_kill` counter; `failcnt` on old kernels)."""
        try:
            fields = dict(
                line.split() for line in (self.memory / "memory.oom_control").read_text().splitlines()
            )
        except (OSError, ValueError):
            fields = {}
        if "oom_kill" in fields:
            return int(fields["oom_kill"]) > 0
        return (_read_int(self.memory / "memory.failcnt") or 0) > 0

    def remove(self, timeout: float = 5.0) -> None:
        """Remove both directories (retrying while exiting members still hold them)."""
        deadline = time.monotonic() + timeout
        for directory in (self.memory, self.pids):
            while True:
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                        raise
                    self.kill_all(timeout=0.1)
                    time.sleep(0.005)
