"""The bubblewrap command line for a `SandboxSpec`."""

from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess

from .runtime import python_runtime_binds
from .spec import SandboxSpec

SANDBOX_UID = 65534
NAMESPACE_FLAGS = [
    "--unshare-net",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--die-with-parent",
    "--new-session",
    "--hostname",
    "sandbox",
]
SYSTEM_DIRS = ("bin", "lib", "lib32", "lib64", "libx32", "sbin")  # symlinks into /usr on merged-/usr systems
# What the sandbox sees of /usr: programs, shared libraries and time zones, not the rest (other Pythons' libraries,
# SDKs, documentation: public texts and data that a held-out set could be among). The Python runtime is bound
# on its own (runtime.py).
USR_ALLOWLIST = ("/usr/bin", "/usr/sbin", "/usr/lib64", "/usr/lib32", "/usr/libx32", "/usr/share/zoneinfo")
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime")  # no passwd, hosts, resolv.conf: no resolver at all
SETPRIV = "/usr/bin/setpriv"
# Capabilities bwrap leaves to setpriv, which needs exactly these to drop uid, gid and the bounding set.
SETPRIV_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")


def bwrap_path() -> str | None:
    return shutil.which("bwrap", path="/usr/bin:/bin:/usr/local/bin")


@functools.cache
def _supports_tmpfs_size(bwrap: str) -> bool:
    """bwrap >= 0.7 has `--size`; older ones (Ubuntu 20.04/22.04 laptops) get an unsized /tmp instead."""
    try:
        run = subprocess.run([bwrap, "--help"], check=False, capture_output=True, text=True, timeout=10)
        help_text = run.stdout + run.stderr
    except (OSError, subprocess.SubprocessError):
        return False
    return "--size" in help_text


def setpriv_prefix() -> list[str]:
    """Become uid/gid 65534 with no groups, no capabilities and no_new_privs, then exec the rest."""
    return [
        SETPRIV,
        f"--reuid={SANDBOX_UID}",
        f"--regid={SANDBOX_UID}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
    ]


def _is_under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def usr_mounts() -> list[str]:
    """The parts of /usr the sandbox mounts: USR_ALLOWLIST and the multiarch library folders (libc and friends,
    e.g. /usr/lib/x86_64-linux-gnu, where GPU drivers' libraries live too)."""
    found = [*USR_ALLOWLIST, *sorted(glob.glob("/usr/lib/*-linux-gnu*"))]
    return [p for p in found if os.path.isdir(p) and not os.path.islink(p)]


def _system_mounts(tmp_bytes: int | None) -> list[str]:
    args = ["--proc", "/proc", "--dev", "/dev", "--perms", "1777"]
    args += ["--size", str(tmp_bytes), "--tmpfs", "/tmp"] if tmp_bytes else ["--tmpfs", "/tmp"]
    args += ["--perms", "0755", "--dir", "/usr", "--perms", "0755", "--dir", "/usr/lib", "--perms", "0755",
             "--dir", "/usr/share"]
    for path in usr_mounts():
        args += ["--ro-bind", path, path]
    for name in SYSTEM_DIRS:
        host = "/" + name
        if os.path.islink(host):
            args += ["--symlink", os.readlink(host), host]
        elif os.path.isdir(host):
            args += ["--ro-bind", host, host]
    args += ["--perms", "0755", "--dir", "/etc"]
    for path in ETC_FILES:
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    return args


def _bind_mounts(binds: list[tuple[str, str]]) -> list[str]:
    """Read-only binds, shallowest target first, with world-readable (0755) parent directories.

    Without explicit parents a bind under /root (mode 0700 on the host) sits below a directory the
    sandbox uid cannot enter, and Python silently falls back to the system stdlib.
    """
    existing = {"/", "/usr", "/usr/lib", "/usr/share", "/etc", "/tmp", "/proc", "/dev"} | {"/" + d for d in SYSTEM_DIRS}
    mounted: list[str] = [*usr_mounts(), "/proc", "/dev"]
    args: list[str] = []
    unique = dict.fromkeys((str(src), str(dst)) for src, dst in binds)
    for src, dst in sorted(unique, key=lambda b: (b[1].count("/"), b[1])):
        if not os.path.exists(src):
            raise FileNotFoundError(f"sandbox bind source does not exist: {src}")
        if src == dst and any(_is_under(dst, m) for m in mounted):  # already there
            continue
        parents: list[str] = []
        parent = os.path.dirname(dst)
        while parent not in existing and not any(_is_under(parent, m) for m in mounted):
            parents.append(parent)
            parent = os.path.dirname(parent)
        for directory in reversed(parents):
            args += ["--perms", "0755", "--dir", directory]
            existing.add(directory)
        args += ["--ro-bind", src, dst]
        mounted.append(dst)
        existing.add(dst)
    return args


def _mask_mounts(paths: list[str], sized: bool) -> list[str]:
    args: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            size = ["--size", "4096"] if sized else []
            args += ["--perms", "0755", *size, "--tmpfs", path, "--remount-ro", path]
        elif os.path.exists(path):  # a file reads as empty (ro binds and remounts are nodev)
            args += ["--dev-bind", "/dev/null", path]
    return args


def build_bwrap_argv(spec: SandboxSpec, bwrap: str = "bwrap", seccomp_fd: int | None = None) -> list[str]:
    """The full command: bwrap with namespaces and mounts, then setpriv (as root), then `spec.argv`.

    `seccomp_fd` is a file descriptor (passed to bwrap) holding a compiled filter (see seccomp.py).
    """
    args = [bwrap, *NAMESPACE_FLAGS]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    sized = _supports_tmpfs_size(bwrap)
    args += _system_mounts(spec.limits.tmp_size_mb * 1024 * 1024 if sized else None)
    args += _bind_mounts(python_runtime_binds() + list(spec.ro_binds))
    args += _mask_mounts(spec.masked_paths, sized)
    for device in spec.devices:
        if os.path.exists(device):
            args += ["--dev-bind", device, device]
    args += ["--chdir", spec.cwd, "--clearenv"]
    for key, value in spec.full_env().items():
        args += ["--setenv", key, value]
    if os.geteuid() == 0:
        args += ["--cap-drop", "ALL"]
        for cap in SETPRIV_CAPS:
            args += ["--cap-add", cap]
        return [*args, "--", *setpriv_prefix(), *spec.argv]
    # Unprivileged bwrap runs in a user namespace: map to 65534 there, keep no capabilities.
    args += ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--cap-drop", "ALL"]
    return [*args, "--", *spec.argv]


def options_via_fd(argv: list[str]) -> tuple[bytes, list[str]]:
    """Split a :func:`build_bwrap_argv` command for bubblewrap's ``--args FD``: (the options as NUL-separated
    bytes to put in that fd, the rest of the command line). The sandbox's ``/proc/1/cmdline`` then shows
    ``bwrap --args N -- <command>``, not the host paths of every bind nor the ``--setenv`` values."""
    cut = argv.index("--")
    blob = b"".join(a.encode() + b"\0" for a in argv[1:cut])
    return blob, argv[cut:]
