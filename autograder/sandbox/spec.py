"""What to run in a sandbox and under which resource limits."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed worker."""

    memory_mb: int = (
        1024  # memory cgroup limit; RLIMIT_AS is only a high backstop (TensorFlow needs > 2 GiB AS)
    )
    pids: int = 64  # pids cgroup limit (threads count, and so do bwrap's own 2 processes)
    cpu_seconds: int = 600  # RLIMIT_CPU
    file_size_mb: int = 64  # RLIMIT_FSIZE
    open_files: int = 256  # RLIMIT_NOFILE
    tmp_size_mb: int = 256  # size of the private tmpfs at /tmp
    output_bytes: int = 256_000  # captured stderr kept in memory; the rest is drained and dropped

    @property
    def memory_bytes(self) -> int:
        return self.memory_mb * 1024 * 1024

    @property
    def address_space_bytes(self) -> int:
        """RLIMIT_AS backstop: generous, the memory cgroup is the real limit."""
        return max(4 * self.memory_bytes, 8 * 1024**3)


@dataclass
class SandboxSpec:
    """A command and the view of the file system it gets.

    Paths in `argv`, `cwd` and the sandbox side of `ro_binds` are as seen inside the sandbox; the
    Python runtime (see `python_runtime_binds`) is always mounted at its host path.
    """

    argv: list[str]
    ro_binds: list[tuple[str, str]] = field(default_factory=list)  # (host_path, sandbox_path)
    env: dict[str, str] = field(default_factory=dict)  # added to HOME=/tmp, PATH=/usr/bin:/bin, LANG=C.UTF-8
    limits: Limits = field(default_factory=Limits)
    masked_paths: list[str] = field(
        default_factory=list
    )  # appear empty inside (tmpfs or /dev/null over them)
    devices: list[str] = field(default_factory=list)  # device nodes passed through if they exist
    cwd: str = "/tmp"

    def full_env(self, home: str = "/tmp") -> dict[str, str]:
        """The complete environment of the sandboxed process."""
        return {"HOME": home, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **self.env}
