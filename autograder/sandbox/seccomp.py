"""A seccomp filter for the sandbox: the kernel interfaces student code has no business with.

bubblewrap loads it (``--seccomp FD``) just before it executes the sandboxed command. Without it, uid
65534 in the sandbox can still create user namespaces (``unshare -Ur``: "root" with mount rights in a
namespace of its own, and the kernel attack surface that comes with it). Denied with EPERM: namespace
creation and entry (``unshare``, ``setns``, ``clone`` with a ``CLONE_NEW*`` flag), every mount call, ptrace
and cross-process memory access, the keyring, BPF, perf events, userfaultfd, io_uring, kernel modules and
kexec. ``clone3`` answers ENOSYS (its flags are in memory a filter cannot read), so the C library falls back
to ``clone``, whose flags it can; system calls of a foreign ABI (x32, i386 on x86-64) answer ENOSYS too.

The program is classic BPF, assembled here (no libseccomp needed), for x86-64 and aarch64; elsewhere
``program()`` is None and the sandbox runs without it.
"""

from __future__ import annotations

import errno
import os
import platform
import struct

# BPF opcodes and seccomp return values (linux/filter.h, linux/seccomp.h)
_LD_W_ABS, _JEQ_K, _JGE_K, _JSET_K, _RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_NR, _ARCH, _ARG0 = 0, 4, 16  # offsets in struct seccomp_data (arg0's low 32 bits on little-endian)
X32_SYSCALL_BIT = 0x40000000
# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET (not NEWTIME: clone's exit signal bits)
CLONE_NEW_FLAGS = 0x7E020000

DENIED = (
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr", "ptrace", "process_vm_readv", "process_vm_writev",
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "init_module", "finit_module", "delete_module", "kexec_load",
    "kexec_file_load", "open_by_handle_at", "name_to_handle_at", "acct", "swapon", "swapoff", "reboot",
    "quotactl",
)

# (AUDIT_ARCH, syscall numbers) from asm/unistd_64.h (x86-64) and asm-generic/unistd.h (aarch64)
_X86_64 = {
    "unshare": 272, "setns": 308, "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
    "mount_setattr": 442, "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "keyctl": 250,
    "add_key": 248, "request_key": 249, "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "init_module": 175,
    "finit_module": 313, "delete_module": 176, "kexec_load": 246, "kexec_file_load": 320,
    "open_by_handle_at": 304, "name_to_handle_at": 303, "acct": 163, "swapon": 167, "swapoff": 168,
    "reboot": 169, "quotactl": 179, "clone": 56, "clone3": 435,
}
_AARCH64 = {
    "unshare": 97, "setns": 268, "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
    "mount_setattr": 442, "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "keyctl": 219,
    "add_key": 217, "request_key": 218, "bpf": 280, "perf_event_open": 241, "userfaultfd": 282,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "init_module": 105,
    "finit_module": 273, "delete_module": 106, "kexec_load": 104, "kexec_file_load": 294,
    "open_by_handle_at": 265, "name_to_handle_at": 264, "acct": 89, "swapon": 224, "swapoff": 225,
    "reboot": 142, "quotactl": 60, "clone": 220, "clone3": 435,
}
ARCHES = {"x86_64": (0xC000003E, _X86_64), "aarch64": (0xC00000B7, _AARCH64)}


def _assemble(arch: int, numbers: dict[str, int], x32_check: bool) -> bytes:
    """The filter as an array of ``struct sock_filter`` (u16 code, u8 jt, u8 jf, u32 k)."""
    code: list[tuple[int, object, object, int]] = []  # jt/jf: 0 (next) or a label name

    def op(opcode: int, k: int, jt: object = 0, jf: object = 0) -> None:
        code.append((opcode, jt, jf, k))

    op(_LD_W_ABS, _ARCH)
    op(_JEQ_K, arch, 1, 0)
    op(_RET_K, _RET_ERRNO | errno.ENOSYS)  # a foreign ABI
    op(_LD_W_ABS, _NR)
    if x32_check:
        op(_JGE_K, X32_SYSCALL_BIT, "enosys", 0)
    for name in DENIED:
        op(_JEQ_K, numbers[name], "eperm", 0)
    op(_JEQ_K, numbers["clone3"], "enosys", 0)
    op(_JEQ_K, numbers["clone"], 0, "allow")
    op(_LD_W_ABS, _ARG0)
    op(_JSET_K, CLONE_NEW_FLAGS, "eperm", "allow")
    labels = {"allow": len(code), "eperm": len(code) + 1, "enosys": len(code) + 2}
    op(_RET_K, _RET_ALLOW)
    op(_RET_K, _RET_ERRNO | errno.EPERM)
    op(_RET_K, _RET_ERRNO | errno.ENOSYS)
    out = bytearray()
    for index, (opcode, jt, jf, k) in enumerate(code):
        jumps = [labels[j] - index - 1 if isinstance(j, str) else j for j in (jt, jf)]
        assert all(0 <= j <= 255 for j in jumps), "BPF jump out of range"
        out += struct.pack("=HBBI", opcode, jumps[0], jumps[1], k)
    return bytes(out)


def program(machine: str | None = None) -> bytes | None:
    """The compiled filter for this machine's architecture, or None where there is none."""
    machine = machine or platform.machine()
    if machine not in ARCHES:
        return None
    arch, numbers = ARCHES[machine]
    return _assemble(arch, numbers, x32_check=machine == "x86_64")


def program_fd(data: bytes) -> int:
    """A fresh, inheritable memfd holding ``data`` at offset 0, for bubblewrap's ``--seccomp FD``."""
    fd = os.memfd_create("autograder-seccomp")  # close-on-exec: only pass_fds hands it to bwrap
    try:
        os.write(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
    except OSError:
        os.close(fd)
        raise
    return fd
