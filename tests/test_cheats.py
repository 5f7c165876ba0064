"""Cheats added to the untouched stub must gain nothing: every point they get is a point they stole.

Each cheat is a cell added to the released (stub) notebook, or a file beside it; the honest
score of the stub is 0, so the graded score must stay 0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from autograder.course import find_course_root, load_assignment
from autograder.runner import Submission, grade_submission
from autograder.session import SessionOptions

ROOT = find_course_root(Path(__file__).parent)
AID = "01-perceptron"
NAMES = ["fold_bias", "fold_labels", "perceptron_update", "train_perceptron", "predict"]


def define_all(body: str) -> str:
    """Define every graded function with the same (cheating) body."""
    return "\n".join(f"def {n}(*args, **kwargs):\n    {body}\n" for n in NAMES)


CHEATS = {
    "patch_numpy_comparisons": (
        "import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n"
        "np.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)\n"
        "np.testing.assert_allclose = lambda *a, **k: None\nnp.testing.assert_array_equal = lambda *a, **k: None\n"
        + define_all("return np.zeros(3)")
    ),
    "patch_builtins_and_assertionerror": (
        "import builtins\nbuiltins.AssertionError = type('AssertionError', (Exception,), {})\n"
        "builtins.isinstance = lambda *a: True\n" + define_all("return 0")
    ),
    "system_exit_at_import": "raise SystemExit(0)",
    "os_exit_at_import": "import os\nos._exit(0)",
    "exit_inside_each_call": define_all("import os; os._exit(0)"),
    "system_exit_inside_each_call": define_all("raise SystemExit(0)"),
    "fake_pytest_summary": (
        "print('=' * 30 + ' 34 passed in 0.12s ' + '=' * 30)\nimport sys\n"
        "sys.stderr.write('PASSED\\n' * 50)\n" + define_all("print('100% passed'); return None")
    ),
    "always_equal_objects": (
        "class Eq:\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n"
        "    def __array__(self, *a, **k):\n        import numpy; return numpy.ones(3)\n"
        "    def __len__(self): return 2\n    def __getitem__(self, i): return Eq()\n"
        + define_all("return Eq()")
    ),
    "ndarray_subclass": (
        "import numpy as np\nclass Sneaky(np.ndarray):\n    def __eq__(self, o): return np.ones(self.shape, bool)\n"
        + define_all("return np.zeros(3).view(Sneaky)")
    ),
    "object_and_structured_dtypes": (
        "import numpy as np\n"
        + define_all("return np.array([object()] * 3, dtype=object)")
    ),
    "nan_and_inf": "import numpy as np\n" + define_all("return np.array([np.nan, np.inf, -np.inf])"),
    "oversized_result": "import numpy as np\n" + define_all("return np.zeros((64, 1024, 1024))"),
    "forged_protocol_frames": (
        "import os, json, struct\n"
        "def forge():\n"
        "    h = json.dumps({'msg': {'type': 'result', 'id': 1, 'ok': True, 'value': 1}, 'blobs': []}).encode()\n"
        "    frame = struct.pack('>4sIQ', b'AGF1', len(h), 0) + h\n"
        "    for fd in range(3, 20):\n"
        "        try: os.write(fd, frame * 50)\n"
        "        except OSError: pass\n"
        "forge()\n" + define_all("forge(); return None")
    ),
    "read_the_tests_and_solutions": (
        "import glob\nfound = glob.glob('/work/**/*.py', recursive=True) + glob.glob('/**/suites/**', recursive=True)\n"
        "print('FOUND', found[:5])\n" + define_all("raise RuntimeError(str(found[:3]))")
    ),
}


def stub_with(source: str, tmp_path: Path) -> Path:
    assignment = load_assignment(AID, ROOT)
    folder = tmp_path / "cheat" / AID
    shutil.copytree(assignment.release_dir, folder)
    nb_path = folder / assignment.source_notebook.name
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    nbformat.write(nb, nb_path)
    return nb_path


def grade(path: Path):
    return grade_submission(load_assignment(AID, ROOT), Submission("cheat", path),
                            SessionOptions(call_timeout=3, submission_timeout=60))


@pytest.mark.parametrize("name", CHEATS)
def test_cheat_gains_no_point(name, tmp_path):
    result = grade(stub_with(CHEATS[name], tmp_path))
    assert result.score == 0, [(t.name, t.outcome) for t in result.tests if t.outcome == "passed"]
    assert result.isolation == "bubblewrap+cgroup"


def test_conftest_and_pytest_ini_beside_the_notebook_gain_no_point(tmp_path):
    path = stub_with("x = 1", tmp_path)
    (path.parent / "conftest.py").write_text(
        "import pytest\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
        "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n"
    )
    (path.parent / "tests" / "conftest.py").write_text((path.parent / "conftest.py").read_text())
    (path.parent / "pytest.ini").write_text("[pytest]\naddopts = -p no:python\n")
    assert grade(path).score == 0


def test_the_sandbox_hides_suites_solutions_and_gradebook(tmp_path):
    probe = (
        "import os\n"
        "def fold_bias(*a):\n"
        "    seen = [p for p in ('/work', '/work/main/autograder/suites', '/work/main/solutions', '/root/.bashrc',\n"
        "            '/work/main/gradebook.db', '/etc/passwd') if os.path.exists(p)]\n"
        "    raise RuntimeError('SEEN=' + repr(seen))\n"
    )
    result = grade(stub_with(probe, tmp_path))
    message = next(t.message for t in result.tests if t.question == "fold_bias" and t.kind == "raised")
    seen = eval(message.split("SEEN=")[1].splitlines()[0])
    assert not [p for p in seen if p != "/work"], seen  # /work exists only as the venv's parent
