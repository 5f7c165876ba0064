"""Attacks on secrets and the network: what a submission can see and reach from inside the sandbox."""

from __future__ import annotations

from pathlib import Path

from attack_kit import Attack, Outcome, _all_failed, _errs

from autograder.sandbox import python_runtime_binds

SNIFF_NETWORK = '''
import socket
def _connect(family, addr):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect(addr)
'''

def _check_secrets(outcome: Outcome) -> None:
    visible = _errs(outcome, "visible")
    assert visible == [], visible


def _check_proc(outcome: Outcome) -> None:
    r = outcome.report
    assert r["environ_1"][0] == "PermissionError", r["environ_1"]
    assert r["mem_1"][0] == "PermissionError", r["mem_1"]
    allowed = {"HOME", "PATH", "LANG", "AUTOGRADER_WORKER", "PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED", "MPLBACKEND",
               "MPLCONFIGDIR", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "HARDENING_TOKEN",
               "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "PWD", "LC_CTYPE"}
    assert set(r["own_env"]) <= allowed, set(r["own_env"]) - allowed
    assert "HARDENING_HOST_SECRET" not in r["everything"] and "host-secret" not in r["everything"]
    for word in ("suites", "solutions", "submitted", "gradebook", "pytest"):
        assert word not in r["cmdline_1"], (word, r["cmdline_1"])
    assert r["uid"] == [65534, 65534, 65534] and r["caps"] == "0000000000000000", r


def _check_walk_proc(outcome: Outcome) -> None:
    r = outcome.report
    assert len(r["pids"]) <= 3 and set(r["pids"]) <= {1, 2, 3}, r["pids"]  # bwrap's init, the worker (a child)
    text = " ".join(r["cmdlines"])
    for word in ("pytest", "autograder grade", "test_attacks", "forkserver"):
        assert word not in text, (word, text)
    assert r["signalled"] == sorted(r["pids"]), r  # nothing outside the namespace answers even signal 0


def _check_walk(outcome: Outcome) -> None:
    _errs(outcome, "root")
    r = outcome.report
    runtime_tops = {Path(dst).parts[1] for _, dst in python_runtime_binds()}  # where the checkout lives: /work, /check
    system = {"bin", "lib", "lib32", "lib64", "libx32", "sbin", "usr", "etc", "tmp", "proc", "dev", "opt"}
    assert set(r["root"]) <= system | runtime_tops, r["root"]
    assert set(r["etc"]) <= {"ld.so.cache", "localtime"}, r["etc"]
    assert r["opt"] == ["worker"] and set(r["opt_worker"]) <= {"main.py", "measure.py", "protocol.py", "__init__.py",
                                                              "ext", "__pycache__"}, r
    assert r["work"] in ([], ["main"]) and r["work_main"] in ([], [".venv"]), (r["work"], r["work_main"])
    bad = [p for p in r["paths"] if any(w in p for w in ("suites", "solutions", "submitted", "gradebook",
                                                         ".ipynb", "examples"))]
    assert bad == [], bad


def _check_find(outcome: Outcome) -> None:
    assert _errs(outcome, "found") == [], outcome.report["found"]


def _check_mounts(outcome: Outcome) -> None:
    sources = _errs(outcome, "mount_roots")
    for root in sources:
        for word in ("suites", "solutions", "submitted", "gradebook", "examples", "/work/shared"):
            assert word not in root, (word, root)
    assert any(r.endswith("/worker") for r in sources)  # the worker code, read-only
    writable = [dst for dst, opts in outcome.report["writable_check"] if "ro" not in opts.split(",")]
    # rw: bwrap's root and /dev tmpfs (owned by root), procfs, the device nodes, and the private /tmp
    assert all(dst in ("/", "/proc", "/tmp") or dst.startswith("/dev") for dst in writable), writable


def _check_devices(outcome: Outcome) -> None:
    r = outcome.report
    assert set(r["dev"]) <= {"null", "zero", "full", "random", "urandom", "tty", "pts", "ptmx", "shm", "fd", "stdin",
                             "stdout", "stderr", "core", "mqueue", "console"}, r["dev"]
    assert all(v[0] in ("FileNotFoundError", "PermissionError") for v in r["raw"].values()), r["raw"]


def _check_fds(outcome: Outcome) -> None:
    targets = _errs(outcome, "fd_targets")
    for target in targets:
        assert target.startswith(("pipe:", "/dev/null", "anon_inode:", "/proc/")) or target == "socket", targets


def _check_tcp(outcome: Outcome) -> None:
    _all_failed(outcome, "tcp", ("ConnectionRefusedError", "OSError", "TimeoutError", "PermissionError"))


def _check_udp(outcome: Outcome) -> None:
    assert outcome.report.get("udp_sent") is not None  # sending works in the sandbox's own namespace...


def _check_unix(outcome: Outcome) -> None:
    r = outcome.report
    assert r["abstract"][0] in ("ConnectionRefusedError", "FileNotFoundError"), r  # abstract names are per netns
    assert r["path"][0] == "FileNotFoundError", r  # the host's /tmp is not there


def _check_interfaces(outcome: Outcome) -> None:
    r = outcome.report
    assert [name for _, name in r["interfaces"]] == ["lo"], r["interfaces"]
    assert r["routes"] == [] and r["routes6"] == [], r
    assert r["resolv"] is False and r["hosts"] is False, r
    assert r["dns"][0] == "gaierror", r["dns"]


def _check_raw(outcome: Outcome) -> None:
    _all_failed(outcome, "raw", ("PermissionError",))


HOST: list[Attack] = [
    # ---------------------------------------------------------------- reading secrets
    Attack("read_host_secrets_by_path", "secrets",
           "the suites, solutions/, this run's gradebook, another student's notebook, .git: none exists inside",
           "import glob\n_paths = @PATHS@ + ['/etc/shadow', '/etc/passwd', '/root/.bash_history', '/work/shared']\n"
           "_report(visible=[p for p in _paths if _os.path.lexists(p)] + glob.glob('/work/main/*'))",
           check=_check_secrets),
    Attack("proc_environ_and_cmdline", "secrets",
           "pid 1's environ and memory: EPERM; own environment: the kit's variables only; no host secret",
           "import glob\n"
           "_st = dict(l.split(':', 1) for l in open('/proc/self/status'))\n"
           "_every = ''\n"
           "for _f in glob.glob('/proc/*/environ') + glob.glob('/proc/*/cmdline'):\n"
           "    try:\n        _every += open(_f, 'rb').read().decode(errors='replace')\n"
           "    except OSError:\n        pass\n"
           "_report(environ_1=_try(lambda: open('/proc/1/environ', 'rb').read()),\n"
           "        mem_1=_try(lambda: open('/proc/1/mem', 'rb').read(1)),\n"
           "        cmdline_1=open('/proc/1/cmdline', 'rb').read().decode(errors='replace'),\n"
           "        own_env=sorted(_os.environ), everything=_every, uid=list(_os.getresuid()),\n"
           "        caps=_st['CapEff'].strip())",
           check=_check_proc),
    Attack("walk_proc", "secrets", "only the namespace's own processes (bwrap's init and the worker) are visible",
           "_pids = sorted(int(p) for p in _os.listdir('/proc') if p.isdigit())\n"
           "_cmd = []\n"
           "for _p in _pids:\n"
           "    try:\n        _cmd.append(open(f'/proc/{_p}/cmdline', 'rb').read().decode(errors='replace'))\n"
           "    except OSError:\n        pass\n"
           "_sig = []\n"
           "for _p in range(1, 4200):\n"
           "    try:\n        _os.kill(_p, 0); _sig.append(_p)\n"
           "    except ProcessLookupError:\n        pass\n"
           "    except PermissionError:\n        _sig.append(_p)\n"
           "_report(pids=_pids, cmdlines=_cmd, signalled=_sig)",
           check=_check_walk_proc),
    Attack("walk_the_filesystem", "secrets",
           "only the runtime, the worker code and a private /tmp: nothing of /work but the venv's path",
           "_skip = {'/proc', '/sys', '/dev', '/usr', _sys.prefix, _sys.base_prefix,\n"
           "         '/lib', '/lib64', '/bin', '/sbin'}\n"
           "_found = []\n"
           "for _d, _dirs, _files in _os.walk('/'):\n"
           "    _dirs[:] = [x for x in _dirs if _os.path.join(_d, x) not in _skip\n"
           "                and not _os.path.exists(_os.path.join(_d, x, 'pyvenv.cfg'))]  # any venv is runtime\n"
           "    _found += [_os.path.join(_d, f) for f in _dirs + _files]\n"
           "_ls = lambda p: sorted(_os.listdir(p)) if _os.path.isdir(p) else []\n"
           "_report(root=_ls('/'), etc=_ls('/etc'), opt=_ls('/opt'), opt_worker=_ls('/opt/worker'),\n"
           "        work=_ls('/work'), work_main=_ls('/work/main'), paths=_found[:5000])",
           check=_check_walk),
    Attack("search_for_notebooks_and_databases", "secrets",
           "no notebook, database, test file or suite anywhere outside the Python runtime",
           "import fnmatch\n_skip = ('/proc', '/sys', '/usr', _sys.prefix, _sys.base_prefix)\n_hits = []\n"
           "for _d, _dirs, _files in _os.walk('/'):\n"
           "    if _d.startswith(_skip):\n        _dirs[:] = []\n        continue\n"
           "    for _f in _files + _dirs:\n"
           "        if any(fnmatch.fnmatch(_f, p) for p in ('*.ipynb', '*.db', '*.sqlite', 'test_*.py', 'suites',\n"
           "                                               'solutions', 'submitted', '*.key', 'result.json')):\n"
           "            _hits.append(_os.path.join(_d, _f))\n"
           "_report(found=_hits)",
           check=_check_find),
    Attack("mountinfo", "secrets", "the mount table shows the runtime and the worker code, read-only, nothing else",
           "_rows = [l.split() for l in open('/proc/self/mountinfo')]\n"
           "_report(mount_roots=[r[3] for r in _rows], writable_check=[[r[4], r[5]] for r in _rows])",
           check=_check_mounts),
    Attack("devices_and_raw_disks", "secrets", "a minimal /dev: no disk, no memory, no kernel log",
           "_raw = {p: _try(lambda p=p: open(p, 'rb').read(16)) for p in\n"
           "        ('/dev/vda', '/dev/sda', '/dev/nvme0n1', '/dev/mem', '/dev/kmem', '/dev/kmsg', '/dev/port')}\n"
           "_report(dev=sorted(_os.listdir('/dev')), raw=_raw)",
           check=_check_devices),
    Attack("inherited_file_descriptors", "secrets",
           "the worker holds only its pipes: no descriptor of the grader's files",
           "_t = []\nfor _fd in _os.listdir('/proc/self/fd'):\n"
           "    try:\n        _t.append(_os.readlink('/proc/self/fd/' + _fd))\n    except OSError:\n        pass\n"
           "_report(fd_targets=['socket' if x.startswith('socket:') else x for x in _t])",
           check=_check_fds),
    # ---------------------------------------------------------------- network
    Attack("tcp_to_a_host_listener", "network", "the test's listeners on 127.0.0.1 and ::1 are unreachable",
           SNIFF_NETWORK + "_report(tcp={'v4': _try(_connect, socket.AF_INET, ('127.0.0.1', @TCP@)),\n"
           "                     'v6': _try(_connect, socket.AF_INET6, ('::1', @TCP6@, 0, 0))})",
           check=_check_tcp),
    Attack("udp_to_a_host_socket", "network", "a datagram to the test's 127.0.0.1 port never arrives",
           "import socket\n_s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
           "_report(udp_sent=_try(_s.sendto, b'@TOKEN@', ('127.0.0.1', @UDP@)))",
           check=_check_udp),
    Attack("unix_sockets_of_the_host", "network",
           "an abstract unix socket (per network namespace) and a socket file in the host's /tmp: unreachable",
           "import socket\n"
           "def _u(addr):\n    with socket.socket(socket.AF_UNIX) as s:\n"
           "        s.settimeout(2)\n        s.connect(addr)\n"
           "_report(abstract=_try(_u, '\\0@ABSTRACT@'), path=_try(_u, '@UNIXPATH@'))",
           check=_check_unix),
    Attack("interfaces_routes_and_resolver", "network", "only lo, no route, no resolv.conf or hosts, DNS fails",
           "import socket\n"
           "_report(interfaces=socket.if_nameindex(),\n"
           "        routes=open('/proc/net/route').read().splitlines()[1:],\n"
           "        routes6=[l for l in open('/proc/net/ipv6_route').read().splitlines() if not l.endswith(' lo')],\n"
           "        resolv=_os.path.exists('/etc/resolv.conf'), hosts=_os.path.exists('/etc/hosts'),\n"
           "        dns=_try(socket.getaddrinfo, 'example.com', 80))",
           check=_check_interfaces),
    Attack("raw_and_packet_sockets", "network", "raw IP and packet sockets need CAP_NET_RAW: refused",
           "import socket\n"
           "_report(raw={'packet': _try(socket.socket, socket.AF_PACKET, socket.SOCK_RAW),\n"
           "             'icmp': _try(socket.socket, socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),\n"
           "             'raw6': _try(socket.socket, socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)})",
           check=_check_raw),
]
