"""POSIX resource limits applied in the child between fork and exec."""

from __future__ import annotations

import resource

from .spec import Limits

NPROC_BACKSTOP = (
    512  # counted per uid, and parallel workers share uid 65534: the pids cgroup is the real limit
)


def rlimit_table(limits: Limits, gpu: bool = False) -> dict[int, tuple[int, int]]:
    """(soft, hard) per resource; the CPU hard limit is one second above the soft one (SIGXCPU, then SIGKILL).

    With GPU devices passed through there is no RLIMIT_AS: CUDA reserves address ranges far beyond any
    sensible cap at start-up; the memory cgroup still bounds host memory."""
    mb = 1024 * 1024
    table = {
        resource.RLIMIT_CPU: (limits.cpu_seconds, limits.cpu_seconds + 1),
        resource.RLIMIT_FSIZE: (limits.file_size_mb * mb, limits.file_size_mb * mb),
        resource.RLIMIT_NOFILE: (limits.open_files, limits.open_files),
        resource.RLIMIT_NPROC: (NPROC_BACKSTOP, NPROC_BACKSTOP),
        resource.RLIMIT_AS: (limits.address_space_bytes, limits.address_space_bytes),
        resource.RLIMIT_CORE: (0, 0),
    }
    if gpu:
        del table[resource.RLIMIT_AS]
    return table


def apply_rlimits(table: dict[int, tuple[int, int]]) -> None:
    """Set every limit of `table` on the calling process (call only in the forked child)."""
    for res, (soft, hard) in table.items():
        resource.setrlimit(res, (soft, hard))
