"""Attacks on resources and attempts at tampering: bombs, hogs, floods, hangs, writes, syscalls."""

from __future__ import annotations

import errno

from attack_kit import FIND, Attack, Outcome, _all_failed, _both, _cell_error, _errs, _kinds_include
from hardening_helpers import LIMITS, define_all

STOP_READING = FIND + '''
import fcntl, time
def _stuff(*a, **k):
    wfd, rfd, msg = _find("wfd"), _find("rfd"), _find("msg")
    try:
        fcntl.fcntl(rfd, 1031, 4096)  # F_SETPIPE_SZ: the grader's pipe to us shrinks to one page
    except OSError:
        pass
    for i in range(msg["id"], msg["id"] + 100):  # answer ahead, then never read again
        _os.write(wfd, _frame({"msg": {"type": "result", "id": i, "ok": True, "value": 0.0}, "blobs": []}))
    time.sleep(3600)
fold_bias = fold_labels = perceptron_update = train_perceptron = predict = _stuff
'''

TRICKLE = FIND + define_all('''
import time
wfd = _find("wfd")
for byte in b"AGF1" + b"\\0" * 12:
    _os.write(wfd, bytes([byte]))
    time.sleep(0.4)
time.sleep(3600)
''')

def _check_thread_bomb(outcome: Outcome) -> None:
    n = _errs(outcome, "threads")
    assert 0 < n < LIMITS.pids, n


def _check_memory(outcome: Outcome) -> None:
    assert any("memory limit" in e for e in outcome.result.events), outcome.result.events


def _check_memory_named(outcome: Outcome) -> None:
    assert "memory limit reached" in outcome.messages, outcome.messages[:500]


def _check_tmp_filler(outcome: Outcome) -> None:
    r = outcome.report
    assert r["errno"] == errno.ENOSPC and r["mb"] <= LIMITS.tmp_size_mb, r


def _check_fsize(outcome: Outcome) -> None:
    assert outcome.report["big"] == errno.EFBIG, outcome.report
    assert outcome.kinds == {"raised"} and "File too large" in outcome.messages, outcome.kinds


def _check_many_files(outcome: Outcome) -> None:
    r = outcome.report
    assert r["files"] > 1000 and r["seconds"] < 30, r


def _check_flood(outcome: Outcome) -> None:
    assert len(outcome.result.output) <= 20_000, len(outcome.result.output)


def _check_fd_exhaustion(outcome: Outcome) -> None:
    n = _errs(outcome, "fds")
    assert 0 < n <= LIMITS.open_files and outcome.report["errno"] == errno.EMFILE, outcome.report
    assert "assert" in outcome.kinds, outcome.kinds  # the worker still answered, with no descriptor left


def _check_answers_arrive(outcome: Outcome) -> None:
    assert "assert" in outcome.kinds, outcome.kinds


def _check_mmap(outcome: Outcome) -> None:
    assert outcome.report["mmap"][0] in ("OSError", "MemoryError"), outcome.report


def _check_code_dir(outcome: Outcome) -> None:
    _all_failed(outcome, "writes", ("OSError", "PermissionError"))
    assert all(v[1] in (errno.EROFS, errno.EACCES, errno.EPERM) for v in outcome.report["writes"].values()), (
        outcome.report["writes"])


def _check_runtime(outcome: Outcome) -> None:
    _all_failed(outcome, "writes", ("OSError", "PermissionError"))


def _check_outputs(outcome: Outcome) -> None:
    _all_failed(outcome, "writes", ("FileNotFoundError", "PermissionError", "OSError"))


def _check_shm(outcome: Outcome) -> None:
    assert outcome.report["dev_shm"][0] in ("PermissionError", "FileNotFoundError", "OSError"), outcome.report


def _check_ptrace(outcome: Outcome) -> None:
    r = outcome.report
    for key in ("attach_1", "seize_parent", "vm_read_1"):
        assert r[key][0] == -1 and r[key][1] == errno.EPERM, (key, r[key])
    assert r["proc_mem"][0] == "PermissionError", r


def _check_unshare(outcome: Outcome) -> None:
    r = _errs(outcome, "calls")
    assert all(v == [-1, errno.EPERM] for v in r.values()), r


def _check_binaries(outcome: Outcome) -> None:
    r = _errs(outcome, "runs")
    assert r and all(code != 0 for code, _ in r.values()), r


def _check_mount(outcome: Outcome) -> None:
    r = outcome.report
    assert all(v[0] == -1 and v[1] in (errno.EPERM, errno.EACCES) for v in r["calls"].values()), r["calls"]
    assert all(code != 0 for code, _ in r["runs"].values()), r["runs"]


def _check_setuid(outcome: Outcome) -> None:
    r = outcome.report
    assert r["after"] == [65534, 65534, 65534], r
    assert all(v[0] == "PermissionError" for v in r["calls"].values()), r["calls"]
    assert all(code != 0 for cmd, (code, _) in r["runs"].items() if cmd != "id"), r["runs"]
    assert r["runs"]["id"][1].startswith("uid=65534 gid=65534"), r["runs"]["id"]


def _check_kernel(outcome: Outcome) -> None:
    r = outcome.report
    assert all(v[0] == -1 and v[1] in (errno.EPERM, errno.EACCES) for v in r["syscalls"].values()), r["syscalls"]
    _all_failed(outcome, "writes", ("PermissionError", "OSError", "FileNotFoundError"))


def _check_limits(outcome: Outcome) -> None:
    _all_failed(outcome, "attempts", ("PermissionError", "ValueError", "OSError"))


def _check_sys(outcome: Outcome) -> None:
    r = outcome.report
    assert r["sys"] is False and r["cgroupfs"] is False, r




SYSTEM: list[Attack] = [
    # ---------------------------------------------------------------- resources
    Attack("busy_loop_in_every_call", "resources", "each call times out; the submission budget ends it",
           define_all("while True:\n    pass"), check=_kinds_include("timeout")),
    Attack("busy_loop_at_import", "resources", "the load times out; the cell is skipped on restart",
           "while True:\n    pass", check=_cell_error("ran past the time limit")),
    Attack("long_sleep_in_every_call", "resources", "each call times out",
           define_all("import time\ntime.sleep(3600)"), check=_kinds_include("timeout")),
    Attack("setsid_grandchild_ignoring_sigterm", "resources",
           "a new session that ignores SIGTERM and SIGHUP: killed with the cgroup and the pid namespace",
           "import subprocess\n"
           "_sleeper = ('import signal, time\\nfor s in (1, 15):\\n    signal.signal(s, signal.SIG_IGN)\\n'\n"
           "            'time.sleep(600)')\n"
           "_p = subprocess.Popen([_sys.executable, '-c', _sleeper, '@MARK@-grandchild'], start_new_session=True,\n"
           "                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
           "_report(grandchild=_p.pid)",
           check=lambda o: _errs(o, "grandchild")),
    Attack("double_fork_daemon_in_every_call", "resources", "daemons started in calls die with the worker",
           define_all("import os, sys\n"
                      "if os.fork() == 0:\n"
                      "    os.setsid()\n"
                      "    if os.fork() == 0:\n"
                      "        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)', "
                      "'@MARK@-daemon'])\n"
                      "    os._exit(0)\n"
                      "os.wait()\nreturn 0.0"),
           check=_kinds_include("assert")),
    Attack("fork_bomb_at_import", "resources", "the pids cgroup stops it; the load times out; the cell is skipped",
           "while True:\n    try:\n        _os.fork()\n    except OSError:\n        pass",
           check=_cell_error("while the notebook loaded")),
    Attack("thread_bomb", "resources", "threads stop at the pids limit",
           "import threading, time\n_n = 0\n"
           "try:\n    while True:\n        threading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n"
           "        _n += 1\nexcept RuntimeError:\n    pass\n_report(threads=_n)",
           check=_check_thread_bomb),
    Attack("memory_hog_at_import", "resources", "the memory cgroup's OOM killer ends it; the cell is skipped",
           "_b = []\nwhile True:\n    _b.append(b'x' * (16 << 20))",
           check=_both(_cell_error("crashed the worker"), _check_memory)),
    Attack("memory_hog_in_every_call", "resources", "OOM-killed in each call: crashes, memory limit named",
           define_all("return b'x' * (1 << 30)"),
           check=_both(_kinds_include("crash"), _check_memory, _check_memory_named)),
    Attack("fill_tmp", "resources", "the private /tmp tmpfs is full at its size",
           "import signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n_mb, _err, _i = 0, None, 0\n"
           "while _err is None:\n"
           "    try:\n"
           "        with open(f'/tmp/fill{_i}', 'wb') as _f:\n"
           "            for _ in range(4):\n                _f.write(b'x' * (1 << 20)); _f.flush(); _mb += 1\n"
           "    except OSError as e:\n        _err = e.errno\n"
           "    _i += 1\n"
           "_report(mb=_mb, errno=_err)",
           check=_check_tmp_filler),
    Attack("file_size_limit", "resources", "RLIMIT_FSIZE: EFBIG (Python ignores SIGXFSZ), at import and in calls",
           "import signal\n_old = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
           "try:\n    open('/tmp/big', 'wb').write(b'x' * (9 << 20)); _big = 0\n"
           "except OSError as e:\n    _big = e.errno\n"
           "signal.signal(signal.SIGXFSZ, _old)\n_os.remove('/tmp/big')\n_report(big=_big)\n"
           + define_all("open('/tmp/big2', 'wb').write(b'x' * (9 << 20))\nreturn 0.0"),
           check=_check_fsize),
    Attack("thousands_of_files", "resources", "20000 files and 300 nested folders in the private /tmp",
           "import time\n_t = time.time()\n_n = 0\n_os.makedirs('/tmp/many')\n"
           "try:\n    for _i in range(20000):\n        open(f'/tmp/many/{_i}', 'w').close(); _n += 1\n"
           "    _d = '/tmp/deep'\n    for _i in range(300):\n        _d += '/d'; _os.makedirs(_d)\n"
           "except OSError:\n    pass\n_report(files=_n, seconds=time.time() - _t)",
           check=_check_many_files),
    Attack("stdout_and_stderr_flood", "resources", "64 MB on each stream: drained, capped, dropped",
           "_chunk = 'spam ' * 200000\nfor _ in range(64):\n    print(_chunk)\n    _sys.stderr.write(_chunk)\n"
           "_os.write(2, b'x' * (16 << 20))",
           check=_check_flood),
    Attack("flood_in_every_call", "resources", "8 MB of output per call: capped; the answers still arrive",
           define_all("import sys\nsys.stderr.write('x' * (8 << 20))\nreturn 0.0"),
           check=_both(_check_flood, _check_answers_arrive)),
    Attack("file_descriptor_exhaustion", "resources", "RLIMIT_NOFILE reached; the worker still answers",
           "_fds = []\n_e = None\n"
           "while True:\n    try:\n        _fds.append(_os.open('/dev/null', _os.O_RDONLY))\n"
           "    except OSError as e:\n        _e = e.errno\n        break\n"
           "_report(fds=len(_fds), errno=_e)\n" + define_all("return 0.0"),
           check=_check_fd_exhaustion),
    Attack("busy_background_threads", "resources", "four spinning threads: answers still arrive in time",
           "import threading\n"
           "def _spin():\n    while True:\n        pass\n"
           "for _ in range(4):\n    threading.Thread(target=_spin, daemon=True).start()\n" + define_all("return 0.0"),
           check=_check_answers_arrive),
    Attack("slow_trickle_reply", "resources", "a frame written a byte at a time: the call deadline still holds",
           TRICKLE, check=_kinds_include("timeout")),
    Attack("forged_reply_then_stop_reading", "resources",
           "answers ahead, shrinks its input pipe to one page and stops reading: sends time out, no hang",
           STOP_READING, check=_kinds_include("timeout")),
    Attack("ignore_every_signal_and_spin", "resources", "SIGTERM/SIGINT/SIGHUP/SIGXCPU ignored: SIGKILL is not",
           "import signal\nfor _s in (1, 2, 15, 24):\n    signal.signal(_s, signal.SIG_IGN)\n"
           + define_all("while True:\n    pass"), check=_kinds_include("timeout")),
    Attack("huge_mmap", "resources", "64 GB of address space: RLIMIT_AS refuses it",
           "import mmap\n_report(mmap=_try(mmap.mmap, -1, 64 << 30))", check=_check_mmap),
    # ---------------------------------------------------------------- tampering
    Attack("write_the_worker_code", "tamper", "/opt/worker is a read-only bind: EROFS",
           "_w = {}\nfor _p in ('/opt/worker/main.py', '/opt/worker/protocol.py', '/opt/worker/evil.py'):\n"
           "    _w['write ' + _p] = _try(_write, _p, b'import os; os._exit(0)')\n"
           "_w['remove'] = _try(_os.remove, '/opt/worker/main.py')\n"
           "_w['rename'] = _try(_os.rename, '/opt/worker/protocol.py', '/opt/worker/p.py')\n"
           "_w['chmod'] = _try(_os.chmod, '/opt/worker/main.py', 0o777)\n"
           "_report(writes=_w)", check=_check_code_dir),
    Attack("write_the_python_runtime", "tamper", "the venv and the base Python are read-only",
           "import numpy, site\n_w = {}\n"
           "for _p in (numpy.__file__, _os.path.join(site.getsitepackages()[0], 'evil-@TOKEN@.pth'),\n"
           "           _os.path.join(_sys.prefix, 'evil-@TOKEN@'), _os.__file__):\n"
           "    _w[_p] = _try(_write, _p, b'\\n')\n"
           "_report(writes=_w)", check=_check_runtime),
    Attack("write_the_grader_outputs", "tamper", "the gradebook, feedback and result folders are not even there",
           "_w = {}\nfor _p in @OUTPATHS@:\n"
           "    _w[_p] = _try(_write, _p)\n"
           "_report(writes=_w)", check=_check_outputs),
    Attack("dev_shm_and_ipc", "tamper", "/dev/shm is private to the sandbox and not writable for uid 65534",
           "_report(dev_shm=_try(_write, '/dev/shm/@TOKEN@'))",
           check=_check_shm),
    Attack("ptrace_parent_and_pid1", "tamper", "ptrace and process_vm_readv: EPERM (seccomp); /proc/1/mem: EACCES",
           "import ctypes\n_libc = ctypes.CDLL(None, use_errno=True)\n"
           "def _sc(f, *a):\n    r = f(*a)\n    return [r, ctypes.get_errno()]\n"
           "_vm = 310 if _os.uname().machine == 'x86_64' else 270\n"
           "_report(attach_1=_sc(_libc.ptrace, 16, 1, None, None),\n"
           "        seize_parent=_sc(_libc.ptrace, 0x4206, _os.getppid(), None, None),\n"
           "        vm_read_1=_sc(_libc.syscall, _vm, 1, None, 0, None, 0, 0),\n"
           "        proc_mem=_try(lambda: open('/proc/1/mem', 'rb').read(1)))",
           check=_check_ptrace),
    Attack("unshare_and_clone_via_ctypes", "tamper",
           "new user/mount/net/pid namespaces, setns, clone(CLONE_NEWUSER): EPERM (seccomp)",
           "import ctypes\n_libc = ctypes.CDLL(None, use_errno=True)\n"
           "def _sc(f, *a):\n    r = f(*a)\n    return [r, ctypes.get_errno()]\n"
           "_clone = 56 if _os.uname().machine == 'x86_64' else 220\n"
           "_fd = _os.open('/proc/self/ns/net', _os.O_RDONLY)\n"
           "_report(calls={'user': _sc(_libc.unshare, 0x10000000), 'mount': _sc(_libc.unshare, 0x00020000),\n"
           "               'net': _sc(_libc.unshare, 0x40000000), 'pid': _sc(_libc.unshare, 0x20000000),\n"
           "               'setns': _sc(_libc.setns, _fd, 0),\n"
           "               'clone': _sc(_libc.syscall, _clone, 0x10000000 | 17, None, None, None, None)})",
           check=_check_unshare),
    Attack("unshare_and_nsenter_binaries", "tamper", "/usr/bin/unshare and nsenter exist inside; they fail",
           "import subprocess\n_r = {}\n"
           "for _c in (['unshare', '-Ur', 'id'], ['unshare', '-m', 'true'], ['unshare', '-n', 'true'],\n"
           "           ['nsenter', '-t', '1', '-a', 'true']):\n"
           "    _p = subprocess.run(_c, capture_output=True, text=True)\n"
           "    _r[' '.join(_c)] = [_p.returncode, (_p.stdout + _p.stderr)[-200:]]\n"
           "_report(runs=_r)", check=_check_binaries),
    Attack("mount_syscalls_and_binaries", "tamper",
           "mount, umount2, chroot, pivot_root: EPERM; setuid mount: no effect",
           "import ctypes, subprocess\n_libc = ctypes.CDLL(None, use_errno=True)\n"
           "def _sc(f, *a):\n    r = f(*a)\n    return [r, ctypes.get_errno()]\n"
           "_report(calls={'mount': _sc(_libc.mount, b'none', b'/tmp', b'tmpfs', 0, None),\n"
           "               'umount_usr': _sc(_libc.umount2, b'/usr', 2),\n"
           "               'umount_worker': _sc(_libc.umount2, b'/opt/worker', 2),\n"
           "               'chroot': _sc(_libc.chroot, b'/tmp'),\n"
           "               'pivot_root': _sc(_libc.syscall, 155 if _os.uname().machine == 'x86_64' else 41,\n"
           "                                 b'/tmp', b'/tmp')},\n"
           "        runs={' '.join(c): [p.returncode, (p.stdout + p.stderr)[-200:]] for c in\n"
           "              (['mount', '-t', 'tmpfs', 'none', '/tmp'], ['umount', '/opt/worker'])\n"
           "              for p in [subprocess.run(c, capture_output=True, text=True)]})",
           check=_check_mount),
    Attack("setuid_escalation", "tamper", "setuid(0) refused; setuid-root binaries run as 65534 (no_new_privs, nosuid)",
           "import subprocess\n"
           "_calls = {'setuid': _try(_os.setuid, 0), 'setresuid': _try(_os.setresuid, 0, 0, 0),\n"
           "          'setgid': _try(_os.setgid, 0), 'setgroups': _try(_os.setgroups, [0])}\n"
           "_runs = {}\n"
           "for _c in (['su', '-c', 'id', 'root'], ['newgrp', 'root'], ['passwd', '-d', 'root']):\n"
           "    _p = subprocess.run(_c, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=10)\n"
           "    _runs[' '.join(_c)] = [_p.returncode, (_p.stdout + _p.stderr)[-200:]]\n"
           "_runs['id'] = [0, subprocess.run(['id'], capture_output=True, text=True).stdout]\n"
           "_report(calls=_calls, runs=_runs, after=list(_os.getresuid()))",
           check=_check_setuid),
    Attack("kernel_interfaces", "tamper",
           "bpf, perf_event_open, userfaultfd, keyctl, io_uring, kexec, modules: EPERM; /proc/sys read-only",
           "import ctypes\n_libc = ctypes.CDLL(None, use_errno=True)\n"
           "def _sc(*a):\n    r = _libc.syscall(*a)\n    return [r, ctypes.get_errno()]\n"
           "_x = _os.uname().machine == 'x86_64'\n"
           "_nr = dict(bpf=321, perf_event_open=298, userfaultfd=323, keyctl=250, io_uring_setup=425, kexec_load=246,\n"
           "           init_module=175, add_key=248) if _x else dict(bpf=280, perf_event_open=241, userfaultfd=282,\n"
           "           keyctl=219, io_uring_setup=425, kexec_load=104, init_module=105, add_key=217)\n"
           "_report(syscalls={k: _sc(n, 0, None, 0, 0, 0) for k, n in _nr.items()},\n"
           "        writes={p: _try(_write, p, b'1', _os.O_WRONLY) for p in\n"
           "                ('/proc/sysrq-trigger', '/proc/sys/kernel/hostname', '/proc/sys/vm/drop_caches')})",
           check=_check_kernel),
    Attack("raise_limits_and_priority", "tamper", "hard rlimits, nice, oom_score_adj, real-time scheduling: refused",
           "import resource\n"
           "_report(attempts={'nofile': _try(resource.setrlimit, resource.RLIMIT_NOFILE, (1 << 20, 1 << 20)),\n"
           "               'nproc': _try(resource.setrlimit, resource.RLIMIT_NPROC, (-1, -1)),\n"
           "               'cpu': _try(resource.setrlimit, resource.RLIMIT_CPU, (-1, -1)),\n"
           "               'nice': _try(_os.nice, -5),\n"
           "               'oom': _try(_write, '/proc/self/oom_score_adj', b'-1000', _os.O_WRONLY),\n"
           "               'fifo': _try(_os.sched_setscheduler, 0, _os.SCHED_FIFO, _os.sched_param(10))})",
           check=_check_limits),
    Attack("cgroup_and_sysfs_escape", "tamper", "/sys is not mounted: no cgroup file to write",
           "_report(sys=_os.path.exists('/sys'), cgroupfs=_os.path.exists('/sys/fs/cgroup'),\n"
           "        own=open('/proc/self/cgroup').read()[-300:], mkdir=_try(_os.makedirs, '/sys/fs/cgroup/x'))",
           check=_check_sys),
]
