"""Attacks that try to forge a score: exits and kills, forged frames, lying objects, odd dtypes, NaN/inf."""

from __future__ import annotations

from pathlib import Path

from attack_kit import FIND, Attack, Outcome, _cell_error, _kinds_include
from hardening_helpers import define_all

HOSTILE_HEADERS = FIND + '''
def fold_bias(*a, **k):  # nesting too deep for a JSON parser
    _send_only(_frame(b"[" * 200000 + b"]" * 200000))
def fold_labels(*a, **k):  # an integer of 5000 digits
    i = _find("msg")["id"]
    head = '{"msg": {"type": "result", "id": %d, "ok": true, "value": %s}, "blobs": []}' % (i, "9" * 5000)
    _send_only(_frame(head.encode()))
def perceptron_update(*a, **k):  # JSON's non-standard NaN literal
    i = _find("msg")["id"]
    _send_only(_frame(('{"msg": {"type": "result", "id": %d, "ok": true, "value": NaN}, "blobs": []}' % i).encode()))
def train_perceptron(*a, **k):  # an integer the encoder would never send
    _send_only(_frame({"msg": {"type": "result", "id": _find("msg")["id"], "ok": True, "value": 10 ** 30},
                       "blobs": []}))
def predict(*a, **k):  # garbage instead of a frame
    _send_only(b"GET / HTTP/1.1\\r\\n\\r\\n" + b"\\xff" * 100)
'''

HOSTILE_ARRAYS = FIND + '''
def _reply(blob, sizes=None):
    msg = {"type": "result", "id": _find("msg")["id"], "ok": True, "value": {"$nd": 0}}
    _send_only(_frame({"msg": msg, "blobs": sizes or [len(blob)]}, blob))
def fold_bias(*a, **k):  # a header that claims 8 TB of data
    _reply(_npy("<f8", (1 << 40,), b"\\0" * 8))
def fold_labels(*a, **k):  # an object array (would need pickle)
    _reply(_npy("|O", (1,), b"\\0" * 8))
def perceptron_update(*a, **k):  # a structured dtype
    _reply(_npy([("a", "<f8")], (1,), b"\\0" * 8))
def train_perceptron(*a, **k):  # datetime64
    _reply(_npy("<M8[s]", (1,), b"\\0" * 8))
def predict(*a, **k):  # blob sizes that do not add up to the body
    _reply(_npy("<f8", (1,), b"\\0" * 8), sizes=[4, 4, 1 << 30])
'''

FORGE_FROM_STACK = FIND + '''
def _forge(value):
    wfd, msg = _find("wfd"), _find("msg")
    for i in range(msg["id"], msg["id"] + 30):  # this call and the next 29, answered in advance
        _os.write(wfd, _frame({"msg": {"type": "result", "id": i, "ok": True, "value": value, "warnings": []},
                               "blobs": []}))
    _report(found_id=msg["id"], found_wfd=wfd)
''' + define_all("_forge(1.0)\nreturn 1.0")

FORGE_DURING_LOAD = FIND + '''
import gc
_load = [o for o in gc.get_objects() if isinstance(o, dict) and o.get("op") == "load"]
_wfd = _find("wfd")
_os.write(_wfd, _frame({"msg": {"type": "loaded", "functions": ["fold_bias"]}, "blobs": []}))
for _i in range(50):
    _os.write(_wfd, _frame({"msg": {"type": "result", "id": _i, "ok": True, "value": 1.0}, "blobs": []}))
_report(found_load_message=bool(_load), cells_seen=len(_load[0]["cells"]) if _load else 0)
''' + define_all("return 1.0")

RIGHT_SHAPE = '''
import numpy as np
V = @VALUE@
def fold_bias(X):
    X = np.asarray(X)
    return np.full((X.shape[0], X.shape[1] + 1), V)
def fold_labels(X, y):
    return np.full(np.shape(X), V)
def perceptron_update(w, x, y, lr=1.0):
    return np.full(np.shape(w), V), True
def train_perceptron(X, y, lr=1.0, max_epochs=100):
    n, d = np.shape(X)
    return np.full(d + 1, V), np.full((n, 2 * (d + 1) + 1), V)
def predict(w, X):
    return np.full(np.shape(X)[0], V)
'''

SUBCLASSES = '''
import collections
class F(float):
    def __eq__(self, o): return True
    __hash__ = float.__hash__
class I(int):
    def __eq__(self, o): return True
    __hash__ = int.__hash__
class D(dict):
    def __eq__(self, o): return True
class L(list):
    def __eq__(self, o): return True
P = collections.namedtuple("P", "a b")
def fold_bias(*a, **k): return F(0.0)
def fold_labels(*a, **k): return L([1, 2])
def perceptron_update(*a, **k): return P(L([0.0]), I(1))
def train_perceptron(*a, **k): return (D(), I(0))
def predict(*a, **k): return I(1)
'''

ARRAY_TRICKS = '''
import numpy as np
class Ifc:
    def __init__(self):
        self._a = np.ones(3)
        self.__array_interface__ = self._a.__array_interface__
class Arr:
    def __array__(self, dtype=None, copy=None): return np.ones(3)
    def __array_ufunc__(self, *a, **k): return True
    def __array_function__(self, *a, **k): return True
    def __eq__(self, o): return True
def fold_bias(*a, **k): return np.matrix([[1.0, 2.0]])
def fold_labels(*a, **k): return np.ma.masked_array([1.0, 2.0], mask=[True, True])
def perceptron_update(*a, **k): return (np.rec.fromrecords([(1.0,)], names="w"), True)
def train_perceptron(*a, **k): return (Ifc(), Arr())
def predict(*a, **k):
    m = np.memmap("/tmp/mm", dtype="f8", mode="w+", shape=(3,))
    return m
'''

ODD_DTYPES = '''
import numpy as np
def fold_bias(*a, **k): return np.zeros(3, dtype=[("a", "f8"), ("b", "i4")])
def fold_labels(*a, **k): return np.array(["1.0", "2.0"])
def perceptron_update(*a, **k): return (np.array(["2026-01-01"], dtype="datetime64[D]"), True)
def train_perceptron(*a, **k): return (np.void(b"\\x00" * 8), np.str_("w"))
def predict(*a, **k): return np.array([1, -1], dtype=object)
'''

OVERSIZED = '''
import numpy as np
def fold_bias(*a, **k): return list(range(200_000))  # too many items
def fold_labels(*a, **k):
    v = []
    for _ in range(100):
        v = [v]
    return v  # nested too deeply
def perceptron_update(*a, **k): return "x" * 5_000_000, True  # a header over 4 MB
def train_perceptron(*a, **k): return np.ones(30_000_000), np.ones(3)  # 240 MB: over the memory limit
def predict(*a, **k): return {1: "int keys"}
'''

# --------------------------------------------------------------------------- checks that need the report


def _check_parent_kill(outcome: Outcome) -> None:
    r = outcome.report
    assert r["ppid"] == 1, r  # inside the pid namespace the parent is bubblewrap's init, never the grader
    assert r["kill_parent"][0] == "PermissionError" and r["kill_1"][0] == "PermissionError", r


def _check_kill_all(outcome: Outcome) -> None:
    assert outcome.kinds == {"raised"} and "ProcessLookupError" in outcome.messages, outcome.kinds


def _check_forge_from_stack(outcome: Outcome) -> None:
    assert isinstance(outcome.report.get("found_id"), int)  # the ids were readable from the worker's stack
    assert "assert" in outcome.kinds or "ungradable" in outcome.kinds, outcome.kinds


def _check_forge_during_load(outcome: Outcome) -> None:
    assert outcome.report.get("found_load_message") is True
    assert "ungradable" in outcome.kinds, outcome.kinds


def _check_hostile(outcome: Outcome) -> None:
    by_question: dict[str, set[str]] = {}
    for t in outcome.result.tests:
        by_question.setdefault(t.question, set()).add(t.kind)
    assert all("ungradable" in kinds or kinds <= {"ungradable", "timeout"} for kinds in by_question.values()), (
        by_question)
    assert "could not be read" in outcome.messages


def _check_hostile_strings(outcome: Outcome) -> None:
    assert "\ufffd" in outcome.messages  # the lone surrogates arrived, replaced
    assert "<script>" not in outcome.feedback and "&lt;script&gt;" in outcome.feedback


def _check_protocol_patch(outcome: Outcome) -> None:
    assert outcome.report.get("patched") is True
    assert "assert" in outcome.kinds, outcome.kinds  # the forged answers arrived and were wrong


def _check_ungradable(outcome: Outcome) -> None:
    assert "ungradable" in outcome.kinds, (outcome.kinds, outcome.messages[:600])
    assert "cannot be graded" in outcome.messages or "could not be read" in outcome.messages


def _check_nan(outcome: Outcome) -> None:
    # every function answered with the right shape: only the values can (and must) fail
    assert "assert" in outcome.kinds and not outcome.kinds & {"crash", "timeout"}, outcome.kinds


def _check_nothing_beside_ran(outcome: Outcome) -> None:
    assert not any("test_stolen" in t.nodeid or t.points >= 1000 for t in outcome.result.tests)
    assert not Path(f"/tmp/{outcome.ctx['TOKEN']}-sitecustomize").exists()  # never imported, here or there


FORGE: list[Attack] = [
    # ---------------------------------------------------------------- forging a score
    Attack("kill_parent_at_import", "forge",
           "the parent in the pid namespace is bwrap's init (pid 1, root): EPERM; the grader is out of reach",
           "_report(ppid=_os.getppid(), kill_parent=_try(_os.kill, _os.getppid(), 9), kill_1=_try(_os.kill, 1, 9))",
           check=_check_parent_kill),
    Attack("kill_parent_in_every_call", "forge", "EPERM; the worker answers (wrongly) and nothing else dies",
           define_all("import os\nfor p in (os.getppid(), 1):\n    try:\n        os.kill(p, 9)\n"
                      "    except OSError:\n        pass\nreturn 1.0"),
           check=_kinds_include("assert")),
    Attack("kill_every_process_in_call", "forge",
           "kill(-1, SIGKILL) spares init and the caller: in the namespace nobody else is left: ESRCH",
           define_all("import os\nos.kill(-1, 9)"), check=_check_kill_all),
    Attack("killpg_at_import", "forge", "kills only its own process group: the cell is skipped on restart",
           "_os.killpg(0, 9)", check=_cell_error("crashed the worker")),
    Attack("segfault_in_every_call", "forge", "a real SIGSEGV: that call crashes, the next one restarts",
           define_all("import ctypes\nctypes.string_at(0)"), check=_kinds_include("crash")),
    Attack("exit_from_a_background_thread", "forge", "os._exit from a thread kills calls in flight: crashes",
           "import threading, time\n"
           "def _bye():\n    time.sleep(0.3)\n    _os._exit(0)\n"
           "threading.Thread(target=_bye, daemon=True).start()\n"
           + define_all("import time\ntime.sleep(1)\nreturn 0.0"),
           check=_kinds_include("crash")),
    Attack("forged_frames_with_ids_from_the_stack", "forge",
           "call ids read with sys._getframe; forged answers are only answers: wrong, or a broken protocol",
           FORGE_FROM_STACK, check=_check_forge_from_stack),
    Attack("forged_loaded_message_via_gc", "forge",
           "the load message found with gc, a fake 'loaded' sent early: the replies no longer match: ungradable",
           FORGE_DURING_LOAD, check=_check_forge_during_load),
    Attack("hostile_frame_headers", "forge",
           "deeply nested JSON, a 5000-digit integer, a NaN literal, 10**30, garbage: each a ProtocolError",
           HOSTILE_HEADERS, check=_check_hostile),
    Attack("hostile_frame_arrays", "forge",
           "npy headers that lie about the size, object/structured/datetime dtypes, bad blob sizes: refused "
           "before any allocation", HOSTILE_ARRAYS, check=_check_hostile),
    Attack("hostile_strings", "forge",
           "lone surrogates and HTML in error messages and warnings: replaced and escaped, the run goes on",
           "import warnings\n" + define_all(
               "warnings.warn('\\udcff warn')\nraise ValueError('\\udcff\\ud800 <script>alert(1)</script> \\x00')"),
           check=_check_hostile_strings),
    Attack("patch_the_worker_protocol", "forge", "the worker's own pack() rewritten: its answers are still only data",
           "_p = _sys.modules['protocol']\n_real = _p.pack\n"
           "def _fake(reply):\n"
           "    if reply.get('type') == 'result':\n"
           "        reply = {'type': 'result', 'id': reply['id'], 'ok': True, 'value': 1.0, 'warnings': []}\n"
           "    return _real(reply)\n"
           "_p.pack = _fake\n_report(patched=_p.pack is _fake)\n" + define_all("raise RuntimeError('never seen')"),
           check=_check_protocol_patch),
    Attack("curse_builtin_float_eq", "forge", "float.__eq__ patched through gc in the worker only",
           "import gc\n_d = gc.get_referents(float.__dict__)[0]\n_d['__eq__'] = lambda a, b: True\n"
           "_report(cursed=(1.0 == 2.0))\n" + define_all("return 0.0"), check=_kinds_include("assert")),
    Attack("fake_numpy_module_in_worker", "forge",
           "sys.modules['numpy'] and protocol.np replaced: the worker cannot even say it loaded: crashes",
           "import types\n_fake = types.ModuleType('numpy')\n_real_np = _sys.modules['numpy']\n"
           "_sys.modules['numpy'] = _fake\n_sys.modules['protocol'].np = _fake\n"
           + define_all("return _real_np.zeros(3)"), check=_kinds_include("crash")),
    Attack("lying_subclasses", "forge", "float/int/list/dict/namedtuple subclasses with __eq__ True: refused",
           SUBCLASSES, check=_check_ungradable),
    Attack("array_protocol_tricks", "forge",
           "np.matrix, masked arrays, recarrays, memmaps, __array_interface__/__array_ufunc__ objects: refused",
           ARRAY_TRICKS, check=_check_ungradable),
    Attack("odd_dtypes", "forge", "structured, string, datetime, void and object dtypes: refused",
           ODD_DTYPES, check=_check_ungradable),
    Attack("nan_of_the_right_shape", "forge", "NaN arrays of exactly the expected shapes: the values fail",
           RIGHT_SHAPE.replace("@VALUE@", "np.nan"), check=_check_nan),
    Attack("inf_of_the_right_shape", "forge", "inf arrays of exactly the expected shapes: the values fail",
           RIGHT_SHAPE.replace("@VALUE@", "np.inf"), check=_check_nan),
    Attack("oversized_result_variants", "forge",
           "200k items, 100 levels, a 5 MB string, 240 MB of floats, int keys: refused or out of memory",
           OVERSIZED, check=_kinds_include("ungradable")),
    Attack("pytest_config_and_shadow_modules_beside_the_notebook", "forge",
           "pyproject/tox/setup.cfg, a tests/ file worth 1000 points, conftest.py one folder up, "
           "selfcheck.py, numpy.py, sitecustomize.py: none is ever read",
           "x = 1",
           files={
               "01-perceptron/pyproject.toml": "[tool.pytest.ini_options]\naddopts = '-p no:python'\n",
               "01-perceptron/tox.ini": "[pytest]\naddopts = -x --co\n",
               "01-perceptron/setup.cfg": "[tool:pytest]\npython_files = nothing_*.py\n",
               "01-perceptron/tests/test_stolen.py": (
                   "import pytest\n"
                   + "".join(f"@pytest.mark.question('{q}')\n@pytest.mark.points(1000)\ndef test_{q}():\n    pass\n"
                             for q in ("fold_bias", "fold_labels", "perceptron_update", "train_perceptron",
                                       "predict"))),
               "conftest.py": ("import pytest\n@pytest.hookimpl(hookwrapper=True)\n"
                               "def pytest_runtest_makereport(item, call):\n"
                               "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n"),
               "01-perceptron/selfcheck.py": "def check(*a, **k):\n    print('34 passed')\n",
               "01-perceptron/numpy.py": "allclose = lambda *a, **k: True\n",
               "01-perceptron/sitecustomize.py": "open('/tmp/@TOKEN@-sitecustomize', 'w').write('ran')\n",
           },
           check=_check_nothing_beside_ran),
]
