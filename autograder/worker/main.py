"""The untrusted side: runs a student's notebook code and answers calls into it.

Started inside the sandbox as ``python -I main.py``. It sees no tests, no solutions, no
labels and no gradebook: only the code it is sent and the arguments of each call. Frames
arrive on fd 0 and leave on fd 1; before any student code runs, both are moved to private
descriptors, and the student's prints (fd 1 and 2) go to stderr, which the grader captures.

Messages (see protocol.py for the encoding):
  ← {"type": "ready"}                                           once, before any student code is read
  → {"op": "load", "cells": [[index, source], ...]}
  ← {"type": "cell", "index": i, "ok": bool, "error": str}      one per cell, as it finishes
  ← {"type": "loaded", "functions": [names of callables]}
  → {"op": "call", "id": n, "name": f, "args": [...], "kwargs": {...}, "return_args": bool, "readonly": bool}
  ← {"type": "result", "id": n, "ok": true, "value": v, "args": [...], "kwargs": {...}}
  ← {"type": "result", "id": n, "ok": false, "error": {"type", "message", "traceback"}}
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import traceback
import types
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy  # noqa: E402,F401  (imported once, before any student code)
import protocol  # noqa: E402

MAX_TB = 4000


def _private_fds() -> tuple[int, int]:
    """Move the protocol pipes off fds 0/1; student output goes to stderr."""
    rfd, wfd = os.dup(0), os.dup(1)
    os.set_inheritable(rfd, False)
    os.set_inheritable(wfd, False)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull)
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    return rfd, wfd


def _selfcheck_stub() -> None:
    """``from selfcheck import check`` must work in a submission; checks are no-ops here."""
    stub = types.ModuleType("selfcheck")
    stub.check = stub.check_all = lambda *a, **k: None
    sys.modules["selfcheck"] = stub


def _error(exc: BaseException) -> dict:
    tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
    # drop the worker's own frames: the student needs only their part
    text = "".join(line for line in tb if "/worker/main.py" not in line)
    return {"type": type(exc).__name__, "message": str(exc)[:2000], "traceback": text[-MAX_TB:]}


def _load(cells: list, namespace: dict, wfd: int) -> None:
    for index, source in cells:
        ok, err = True, ""
        try:
            code = compile(source, f"<cell {index}>", "exec")
            exec(code, namespace)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: the cell failed
            ok, err = False, f"{type(exc).__name__}: {exc}"[:2000]
        protocol.write_frame(wfd, {"type": "cell", "index": index, "ok": ok, "error": err})
    functions = sorted(k for k, v in namespace.items() if callable(v) and not k.startswith("__"))
    protocol.write_frame(wfd, {"type": "loaded", "functions": functions})


_KIT_NAME = re.compile(r"^kit:([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)$")


def _kit_function(name: str, namespace: dict):
    """``kit:<module>.<function>`` is a helper from ext/ (e.g. describing a Keras model the student
    built); it is called with the notebook's namespace first. Its answers are as untrusted as any."""
    m = _KIT_NAME.match(name)
    if not m:
        return None
    try:
        module = importlib.import_module(f"ext.{m.group(1)}")
    except ModuleNotFoundError as exc:
        if exc.name != f"ext.{m.group(1)}":
            raise
        return None
    fn = getattr(module, m.group(2), None)
    return (lambda *a, **k: fn(namespace, *a, **k)) if callable(fn) else None


def _readonly(value, depth: int = 0):
    """``value`` with every array (also inside lists, tuples and dict values) replaced by a read-only copy
    whose writeable flag cannot be set again (its memory is an immutable bytes object)."""
    if isinstance(value, numpy.ndarray):
        return numpy.frombuffer(value.tobytes() or b"\0" * value.dtype.itemsize, dtype=value.dtype,
                                count=value.size).reshape(value.shape)
    if depth > 8:
        return value
    if type(value) in (list, tuple):
        return type(value)(_readonly(v, depth + 1) for v in value)
    if type(value) is dict:
        return {k: _readonly(v, depth + 1) for k, v in value.items()}
    return value


def _call(msg: dict, namespace: dict) -> dict:
    name, call_id = msg.get("name"), msg.get("id")
    args, kwargs = list(msg.get("args") or []), dict(msg.get("kwargs") or {})
    if msg.get("readonly"):  # "does not modify its inputs" holds by construction: writing into them raises
        args, kwargs = _readonly(args), _readonly(kwargs)
    if isinstance(name, str) and name.startswith("kit:"):
        try:
            fn = _kit_function(name, namespace)
        except BaseException as exc:
            return {"type": "result", "id": call_id, "ok": False, "error": _error(exc)}
    else:
        fn = namespace.get(name) if isinstance(name, str) else None
    if not callable(fn):
        what = "is not defined" if fn is None else f"is a {type(fn).__name__}, not a function"
        return {"type": "result", "id": call_id, "ok": False,
                "error": {"type": "MissingFunction", "message": f"{name} {what}", "traceback": ""}}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = fn(*args, **kwargs)
    except BaseException as exc:
        return {"type": "result", "id": call_id, "ok": False, "error": _error(exc)}
    reply = {"type": "result", "id": call_id, "ok": True, "value": value,
             "warnings": [f"{w.category.__name__}: {w.message}"[:300] for w in caught[:10]]}
    if msg.get("return_args"):
        reply["args"], reply["kwargs"] = tuple(args), kwargs
    return reply


def main() -> None:
    rfd, wfd = _private_fds()
    _selfcheck_stub()
    protocol.write_frame(wfd, {"type": "ready"})  # booted: a death before this is the environment's fault
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    while True:
        try:
            msg = protocol.read_frame(rfd)
        except EOFError:
            return
        op = msg.get("op")
        if op == "load":
            _load(msg.get("cells") or [], namespace, wfd)
        elif op == "call":
            reply = _call(msg, namespace)
            try:
                frame = protocol.pack(reply)
            except protocol.EncodeError as exc:
                frame = protocol.pack({"type": "result", "id": reply["id"], "ok": False, "error": {
                    "type": "UngradableResult", "message": str(exc), "traceback": ""}})
            except BaseException as exc:  # a value whose conversion itself misbehaves
                frame = protocol.pack({"type": "result", "id": reply["id"], "ok": False, "error": {
                    "type": "UngradableResult", "message": f"the result could not be read: {exc}"[:500],
                    "traceback": ""}})
            sys.stdout.flush()
            protocol.write_bytes(wfd, frame)
        elif op == "exit":
            return


if __name__ == "__main__":
    main()
