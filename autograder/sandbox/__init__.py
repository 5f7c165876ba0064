"""Run an untrusted Python worker in a sandbox: bubblewrap namespaces, cgroup v1 limits, rlimits."""

from .isolation import Isolation, SandboxUnavailable, detect_isolation
from .process import SandboxedProcess, python_argv
from .runtime import python_runtime_binds
from .spec import Limits, SandboxSpec

__all__ = [
    "Isolation",
    "Limits",
    "SandboxSpec",
    "SandboxUnavailable",
    "SandboxedProcess",
    "detect_isolation",
    "python_argv",
    "python_runtime_binds",
]
