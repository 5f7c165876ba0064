"""The before-submission check: would the notebook run the same after a restart and Run All?"""

from autograder.selfcheck.run_order import run_order_problems


def test_a_clean_notebook_has_no_problems(notebook):
    path = notebook("import numpy as np", "def f(x):\n    return np.sum(x) + g(x)", "def g(x):\n    return 1",
                    "print(f([1, 2]))\n[i * 2 for i in range(3)]\n%matplotlib inline")
    assert run_order_problems(path) == []


def test_names_used_before_they_are_defined(notebook):
    path = notebook("y = helper(2)", "def helper(x):\n    return x", "print(z)")
    problems = run_order_problems(path)
    assert "cell 0 uses 'helper' before cell 1 below defines it" in problems
    assert "cell 2 uses 'z', which no cell defines" in problems


def test_cells_run_out_of_order(notebook):
    import nbformat

    path = notebook("a = 1", "b = a")
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].execution_count, nb.cells[1].execution_count = 5, 2
    nbformat.write(nb, path)
    assert any("was run before cell 0" in p for p in run_order_problems(path))


def test_kernel_state_a_restart_would_lose(notebook):
    path = notebook("def kept():\n    return 1")
    namespace: dict = {}
    exec("def kept():\n    return 1\ndef deleted_helper():\n    return 2", namespace)
    problems = run_order_problems(path, namespace)
    assert problems == ["'deleted_helper' exists in this kernel but no cell defines it: a restart would lose it"]


def test_syntax_errors_are_reported(notebook):
    assert any("syntax error" in p for p in run_order_problems(notebook("def f(:\n    pass")))
