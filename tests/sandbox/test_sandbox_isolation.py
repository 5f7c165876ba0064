"""What the student code sees inside the bubblewrap sandbox: identity, interpreter, files, network."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import numpy
from sandbox_helpers import needs_bwrap, run_python

from autograder.sandbox import SandboxedProcess, SandboxSpec, python_argv, python_runtime_binds

pytestmark = needs_bwrap


def test_unprivileged_identity_without_capabilities() -> None:
    ran = run_python(
        "import json, os, socket\n"
        "st = dict(l.split(':', 1) for l in open('/proc/self/status'))\n"
        "print(json.dumps({'uid': os.getresuid(), 'gid': os.getresgid(), 'groups': os.getgroups(),\n"
        "  'caps': {k: int(st[k], 16) for k in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb')},\n"
        "  'nnp': int(st['NoNewPrivs']), 'host': socket.gethostname(), 'pid': os.getpid(),\n"
        "  'procs': sorted(int(p) for p in os.listdir('/proc') if p.isdigit())}))"
    )
    info = ran.json()
    assert ran.status == 0, ran.stderr
    assert info["uid"] == [65534] * 3 and info["gid"] == [65534] * 3 and info["groups"] == []
    assert info["caps"] == {"CapInh": 0, "CapPrm": 0, "CapEff": 0, "CapBnd": 0, "CapAmb": 0}
    assert info["nnp"] == 1
    assert info["host"] == "sandbox"
    # own pid namespace: only bwrap's init and the worker exist
    assert info["pid"] <= 3 and len(info["procs"]) <= 3


def test_interpreter_is_the_venvs_and_numpy_imports() -> None:
    ran = run_python(
        "import json, sys, numpy\n"
        "a = numpy.arange(6.0).reshape(2, 3)\n"
        "print(json.dumps({'prefix': sys.prefix, 'base': sys.base_prefix, 'version': sys.version,\n"
        "  'exe': sys.executable, 'numpy': numpy.__file__, 'np_version': numpy.__version__,\n"
        "  'stdlib': __import__('os').__file__, 'sum': float((a @ a.T).sum())}))"
    )
    assert ran.status == 0, ran.stderr
    info = ran.json()
    assert info["prefix"] == sys.prefix and info["base"] == sys.base_prefix
    assert info["version"] == sys.version and info["exe"] == sys.executable
    assert info["numpy"] == numpy.__file__ and info["np_version"] == numpy.__version__
    assert info["stdlib"].startswith(sys.base_prefix)  # not Debian's /usr/lib/python3
    assert info["sum"] == 83.0


def test_host_files_are_invisible() -> None:
    secrets = [
        "/etc/passwd",
        "/etc/shadow",
        "/etc/resolv.conf",
        "/etc/hosts",
        "/sys/fs/cgroup",
        "/home",
        "/root/.bashrc",
        "/root/.gitconfig",
        "/work/shared",
        str(Path(__file__).resolve()),
    ]
    assert os.path.exists("/etc/passwd") and os.path.exists(__file__)  # the probes exist on the host
    ran = run_python(
        "import json, os, sys\n"
        f"paths = {secrets!r}\n"
        "ls = lambda p: sorted(os.listdir(p)) if os.path.isdir(p) else None\n"
        "print(json.dumps({'visible': [p for p in paths if os.path.lexists(p)], 'root': ls('/'),\n"
        "  'etc': ls('/etc'), 'work': ls('/work'), 'prefix_parent': ls(os.path.dirname(sys.prefix)),\n"
        "  'slash_root': ls('/root'), 'grader': __import__('importlib.util').util.find_spec('autograder')}))",
    )
    assert ran.status == 0, ran.stderr
    info = ran.json()
    assert info["visible"] == []
    assert (
        info["grader"] is None
    )  # the grading package (an editable install points into /work) is unreachable
    runtime_tops = {Path(dst).parts[1] for _, dst in python_runtime_binds()}  # /work, /root, /check, ...
    system = {"bin", "lib", "lib32", "lib64", "libx32", "sbin", "usr", "etc", "tmp", "proc", "dev", "opt"}
    assert set(info["root"]) <= system | runtime_tops, set(info["root"]) - system
    assert set(info["etc"]) <= {"ld.so.cache", "localtime"}
    # only the path down to the venv survives of /work, and only the Python prefix of /root
    assert info["prefix_parent"] == [os.path.basename(sys.prefix)]
    if info["slash_root"] is not None:
        assert info["slash_root"] == [".pyenv"] or not sys.base_prefix.startswith("/root/")


def test_masked_paths_appear_empty(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "secret").mkdir(parents=True)
    (data / "secret" / "answers.txt").write_text("42")
    (data / "key.txt").write_text("hunter2")
    (data / "public.txt").write_text("hello")
    data.chmod(0o755), (data / "secret").chmod(0o755)
    tmp_path.chmod(0o755)
    package = Path(numpy.__file__).parent.parent / "nbgrader"  # a real package in site-packages
    ran = run_python(
        "import json, os\n"
        f"d = {str(data)!r}; pkg = {str(package)!r}\n"
        "print(json.dumps({'public': open(d + '/public.txt').read(), 'secret': os.listdir(d + '/secret'),\n"
        "  'key': open(d + '/key.txt').read(), 'pkg': os.listdir(pkg)}))",
        ro_binds=[(str(data), str(data))],
        masked_paths=[str(data / "secret"), str(data / "key.txt"), str(package)],
    )
    assert ran.status == 0, ran.stderr
    assert package.is_dir() and any(package.iterdir())
    assert ran.json() == {"public": "hello", "secret": [], "key": "", "pkg": []}


def test_ro_bind_to_another_path_and_cwd(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    (tmp_path / "worker_main.py").write_text("import os; print(os.getcwd(), __file__)")
    (tmp_path / "worker_main.py").chmod(0o644)
    spec = SandboxSpec(
        argv=python_argv("/opt/worker/worker_main.py"),
        ro_binds=[(str(tmp_path), "/opt/worker")],
        cwd="/opt/worker",
    )
    with SandboxedProcess(spec) as proc:
        out = proc.stdout.read().decode()
        assert proc.wait(10) == 0, proc.output()
    assert out.split() == ["/opt/worker", "/opt/worker/worker_main.py"]


def test_network_is_unreachable() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        ran = run_python(
            "import json, os, socket\n"
            "def attempt(f):\n"
            "    try:\n"
            "        f(); return 'ok'\n"
            "    except OSError as e:\n"
            "        return type(e).__name__\n"
            f"conn = attempt(lambda: socket.create_connection(('127.0.0.1', {port}), timeout=2))\n"
            "dns = attempt(lambda: socket.getaddrinfo('example.com', 80))\n"
            "out = attempt(lambda: socket.create_connection(('1.1.1.1', 53), timeout=2))\n"
            "routes = open('/proc/net/route').read().splitlines()[1:]\n"
            "print(json.dumps({'conn': conn, 'dns': dns, 'out': out, 'ifaces': socket.if_nameindex(),\n"
            "  'routes': routes, 'resolv': os.path.exists('/etc/resolv.conf')}))"
        )
    assert ran.status == 0, ran.stderr
    info = ran.json()
    assert info["conn"] != "ok" and info["dns"] != "ok" and info["out"] != "ok"
    assert [name for _, name in info["ifaces"]] == ["lo"]
    assert info["routes"] == [] and info["resolv"] is False


def test_only_tmp_is_writable() -> None:
    ran = run_python(
        "import json, os, sys\n"
        "def write(p):\n"
        "    try:\n"
        "        open(p, 'w').write('x'); return True\n"
        "    except OSError:\n"
        "        return False\n"
        "targets = ['/tmp/ok', '/usr/evil', '/evil', '/etc/evil', sys.prefix + '/evil', sys.base_prefix + '/evil',\n"
        "           os.path.dirname(os.__file__) + '/evil.py', '/dev/shm/evil', '/proc/evil']\n"
        "print(json.dumps({t: write(t) for t in targets}))"
    )
    assert ran.status == 0, ran.stderr
    assert ran.json() == {t: t == "/tmp/ok" for t in ran.json()}


def test_environment_is_clean(monkeypatch) -> None:
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "s3cret")
    ran = run_python("import json, os; print(json.dumps(dict(os.environ)))", env={"OMP_NUM_THREADS": "1"})
    env = ran.json()
    assert env.pop("PWD", None) in (None, "/tmp")
    assert env == {"HOME": "/tmp", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1"}


def test_pipes_carry_frames_both_ways() -> None:
    code = "import sys\nfor line in sys.stdin.buffer:\n    sys.stdout.buffer.write(line.upper()); sys.stdout.flush()"
    with SandboxedProcess(SandboxSpec(argv=python_argv("-c", code))) as proc:
        for word in (b"softmax\n", b"relu\n"):
            proc.stdin.write(word)
            assert proc.stdout.read(len(word)) == word.upper()
        proc.stdin.close()
        assert proc.wait(10) == 0
        assert proc.stdout.read() == b""


def test_proc_shows_no_host_paths_or_environment(tmp_path: Path) -> None:
    """bubblewrap reads its options from a memfd (``--args FD``): the sandbox's process list shows neither the
    host paths it binds nor the values it puts in the environment; bwrap's own environ is not readable."""
    hidden = tmp_path / "host-only-dir-name"
    hidden.mkdir()
    (hidden / "f.txt").write_text("x")
    ran = run_python(
        "import json, os\n"
        "def read(p):\n"
        "    try:\n"
        "        return open(p, 'rb').read().decode(errors='replace')\n"
        "    except OSError as e:\n"
        "        return type(e).__name__\n"
        "pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "print(json.dumps({'cmdlines': [read(f'/proc/{p}/cmdline') for p in pids],\n"
        "  'environ1': read('/proc/1/environ'), 'fds': os.listdir('/proc/self/fd'),\n"
        "  'seen': os.listdir('/opt/inside')}))",
        ro_binds=[(str(hidden), "/opt/inside")], env={"PROC_PROBE_VALUE": "value-not-on-any-cmdline"},
    )
    assert ran.status == 0, ran.stderr
    info = ran.json()
    assert info["seen"] == ["f.txt"]  # the bind works
    text = "\n".join(info["cmdlines"])
    assert "--args" in text  # bwrap's own command line, options left out
    for secret in (str(hidden), "value-not-on-any-cmdline", "PROC_PROBE_VALUE", "--ro-bind", "--setenv"):
        assert secret not in text, (secret, text)
    assert info["environ1"] == "PermissionError"
    assert sorted(info["fds"]) == ["0", "1", "2", "3"]  # 3: listdir's own; the options memfd is closed
