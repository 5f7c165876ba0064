"""The sandbox's seccomp filter: what it denies, and that ordinary Python (threads, fork, subprocess) still runs."""

from __future__ import annotations

import json
import struct

import pytest
from hardening_helpers import needs_full_sandbox

from autograder.sandbox import SandboxedProcess, SandboxSpec, python_argv, seccomp
from autograder.sandbox.isolation import seccomp_works


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_the_filter_assembles_for_both_architectures(machine):
    program = seccomp.program(machine)
    assert program is not None and len(program) % 8 == 0
    instructions = [struct.unpack("=HBBI", program[i:i + 8]) for i in range(0, len(program), 8)]
    arch, numbers = seccomp.ARCHES[machine]
    assert instructions[0] == (0x20, 0, 0, 4) and instructions[1][3] == arch  # load and check the arch first
    denied = {k for code, _, _, k in instructions if code == 0x15}
    assert {numbers[name] for name in seccomp.DENIED} <= denied
    assert instructions[-3:] == [(0x06, 0, 0, 0x7FFF0000), (0x06, 0, 0, 0x50001), (0x06, 0, 0, 0x50026)]
    jumps = [(index, jt, jf) for index, (code, jt, jf, _) in enumerate(instructions) if code & 0x07 == 0x05]
    assert jumps and all(index + 1 + jump < len(instructions) for index, jt, jf in jumps for jump in (jt, jf))


def test_no_filter_for_an_unknown_architecture():
    assert seccomp.program("riscv64") is None


@needs_full_sandbox
def test_ordinary_python_still_runs_and_namespaces_are_denied():
    assert seccomp_works()
    code = (
        "import ctypes, json, os, subprocess, threading\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "t = threading.Thread(target=lambda: None); t.start(); t.join()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n    os._exit(7)\n"
        "forked = os.waitpid(pid, 0)[1] >> 8\n"
        "echo = subprocess.run(['echo', 'hi'], capture_output=True, text=True).stdout\n"
        "r = libc.unshare(0x10000000)\n"
        "print(json.dumps({'forked': forked, 'echo': echo, 'unshare': [r, ctypes.get_errno()],\n"
        "  'binary': subprocess.run(['unshare', '-U', 'true'], capture_output=True).returncode,\n"
        "  'seccomp': [l.split()[1] for l in open('/proc/self/status') if l.startswith('Seccomp:')]}))"
    )
    with SandboxedProcess(SandboxSpec(argv=python_argv("-c", code)), require=True) as proc:
        proc.stdin.close()
        out = proc.stdout.read()
        assert proc.wait(30) == 0, proc.output()
    info = json.loads(out)
    assert info["forked"] == 7 and info["echo"] == "hi\n"
    assert info["unshare"] == [-1, 1] and info["binary"] != 0
    assert info["seccomp"] == ["2"]  # SECCOMP_MODE_FILTER
