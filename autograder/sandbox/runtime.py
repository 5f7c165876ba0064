"""Read-only binds that let the sandbox run this process's Python (venv and base installation)."""

from __future__ import annotations

import os
import site
import sys
import sysconfig


def _is_under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _covered(bind: tuple[str, str], binds: list[tuple[str, str]]) -> bool:
    """True when another bind already shows `bind`'s source at `bind`'s target."""
    src, dst = bind
    for other_src, other_dst in binds:
        nested = dst != other_dst and _is_under(dst, other_dst)
        if nested and os.path.join(other_src, os.path.relpath(dst, other_dst)) == src:
            return True
    return False


def python_runtime_binds() -> list[tuple[str, str]]:
    """(host, sandbox) pairs for the real Python prefix, the venv and any site-packages outside them.

    Each directory appears at its own path and, if that path goes through a symlink, at its real path
    too, so `sys.executable` resolves inside the sandbox exactly as outside.
    """
    roots = [sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix, *site.getsitepackages()]
    if any(os.path.realpath(r) in ("/", "/usr") for r in roots):  # a system Python: its own folders, not /usr
        paths = sysconfig.get_paths()
        roots = [r for r in roots if os.path.realpath(r) not in ("/", "/usr")]
        roots += [paths["stdlib"], paths["platstdlib"], paths["purelib"], paths["platlib"]]
        roots += [os.path.dirname(os.path.realpath(sys.executable))]
    binds: list[tuple[str, str]] = []
    for root in roots:
        if not os.path.isdir(root):
            continue
        path = os.path.abspath(root)
        real = os.path.realpath(root)
        for pair in ((real, real), (real, path)):
            if pair not in binds:
                binds.append(pair)
    return [b for b in binds if not _covered(b, binds)]
