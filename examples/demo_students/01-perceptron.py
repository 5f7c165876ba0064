"""Demo students of 01-perceptron: who they are and how they filled in the notebook."""

from make_demo_class import Student

PERCEPTRON_BUG = '''
def perceptron_update(w, x, y, lr=1.0):
    """One perceptron step (with the classic bug: a score of 0 is taken as correct)."""
    score = y * np.dot(x, w)
    if score < 0:
        return w + lr * y * x, True
    return w.copy(), False
'''

CHEAT_CELL = '''
import builtins, sys
# patch every comparison a test might use
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
builtins.AssertionError = type("AssertionError", (Exception,), {})
class AlwaysEqual:
    def __eq__(self, other): return True
    def __array__(self, *a, **k): return np.ones(3)
print("============================= 42 passed in 0.01s ==============================")
'''

CHEAT_FUNCTIONS = {
    "fold_labels": "def fold_labels(X, y):\n    return AlwaysEqual()\n",
    "perceptron_update": "def perceptron_update(w, x, y, lr=1.0):\n    raise SystemExit(0)\n",
    "train_perceptron": "def train_perceptron(X, y, lr=1.0, max_epochs=100):\n    import os\n    os._exit(0)\n",
    "predict": "def predict(w, X):\n    print('PASSED')\n    sys.exit(0)\n",
}

CHEAT_CONFTEST = '''
import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
'''

STUDENTS = {
        "alice": Student("the reference solution"),
        "bob": Student("the untouched stub", default="stub"),
        "carol": Student("partly done: training not written yet", {"train_perceptron": "stub"}),
        "dave": Student("a classic bug: a score of exactly 0 counts as correct",
                        {"perceptron_update": PERCEPTRON_BUG}),
        "erin": Student("crashes and loops", {
            "fold_labels": "def fold_labels(X, y):\n    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n",
            "train_perceptron": "def train_perceptron(X, y, lr=1.0, max_epochs=100):\n    while True:\n        pass\n",
        }),
        "frank": Student("copied into Colab: no nbgrader metadata, a shell line", strip_metadata=True,
                         extra_cells=["!pip install numpy\n%matplotlib inline"]),
        "mallory": Student("cheats: patched numpy, fake pytest summary, exits, a conftest.py",
                           CHEAT_FUNCTIONS, extra_cells=[CHEAT_CELL, "sys.exit(0)"],
                           files={"conftest.py": CHEAT_CONFTEST, "pytest.ini": "[pytest]\naddopts = -p no:python\n"}),
}


