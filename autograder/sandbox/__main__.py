"""`python -m autograder.sandbox`: print the isolation level and the sandbox's startup overhead."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from .isolation import detect_isolation
from .process import SandboxedProcess, python_argv
from .spec import SandboxSpec

SNIPPETS = {"python -c pass": "pass", 'python -c "import numpy"': "import numpy"}


def _bare(code: str) -> float:
    start = time.perf_counter()
    subprocess.run(python_argv("-c", code), check=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - start


def _sandboxed(code: str) -> float:
    start = time.perf_counter()
    with SandboxedProcess(SandboxSpec(argv=python_argv("-c", code))) as proc:
        proc.stdin.close()
        status = proc.wait(timeout=60)
    elapsed = time.perf_counter() - start  # includes kill(): cgroup removal and reaping
    if status != 0:
        raise RuntimeError(f"sandboxed {code!r} exited with {status}: {proc.output()}")
    return elapsed


def main(repeat: int = 10) -> None:
    start = time.perf_counter()
    level = detect_isolation()
    print(f"isolation: {level.value} (probe {1000 * (time.perf_counter() - start):.0f} ms)")
    print(f"python: {sys.executable}")
    for label, code in SNIPPETS.items():
        _bare(code), _sandboxed(code)  # warm the page cache
        bare = statistics.median(_bare(code) for _ in range(repeat))
        boxed = statistics.median(_sandboxed(code) for _ in range(repeat))
        print(
            f"{label:28s} bare {1000 * bare:6.1f} ms   sandbox {1000 * boxed:6.1f} ms"
            f"   overhead {1000 * (boxed - bare):+6.1f} ms   (median of {repeat})"
        )


if __name__ == "__main__":
    main()
