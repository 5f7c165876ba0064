"""Code extraction: cells in order, magics made harmless, demo and check cells skipped."""

import pytest

from autograder.notebook_code import NotebookError, clean_source, extract_code


def test_cells_in_order_and_skips(notebook):
    path = notebook(
        "a = 1",
        ("slow_demo()", {"tags": ["skip-grading"]}),
        ('check("q")', {"nbgrader": {"grade": True, "solution": False, "grade_id": "q", "points": 1}}),
        ("def f():\n    return a", {"nbgrader": {"grade": False, "solution": True, "grade_id": "f_code"}}),
    )
    code = extract_code(path)
    assert [c.source for c in code.cells] == ["a = 1", "def f():\n    return a"]
    assert [c.index for c in code.cells] == [0, 3]
    assert code.has_nbgrader_metadata and not code.warnings


def test_magics_and_shell_lines_become_pass_with_a_warning():
    src = "import numpy as np\n%timeit np.zeros(3)\nif True:\n    !ls\nnp.sum?\n%matplotlib inline"
    code, warnings = clean_source(src, "cell 2")
    assert code.splitlines() == ["import numpy as np", "pass", "if True:", "    pass", "pass", "pass"]
    compile(code, "x", "exec")
    assert len(warnings) == 3 and all(w.startswith("cell 2:") for w in warnings)  # %matplotlib is quiet


def test_cell_magic_drops_the_cell():
    code, warnings = clean_source("%%time\nx = 1", "cell 0")
    assert code == "" and "cell magic %%time" in warnings[0]


def test_missing_nbgrader_metadata_is_graded_by_name_with_a_warning(notebook):
    code = extract_code(notebook("def f():\n    return 1"))
    assert not code.has_nbgrader_metadata
    assert "nbgrader metadata is missing" in code.warnings[0]


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"not json at all", "not a valid notebook"),
    (b'{"cells": [', "not a valid notebook"),
    (b"\xff\xfe\x00garbage", "not"),
])
def test_bad_files_get_a_clear_error_naming_the_file(tmp_path, content, message):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotebookError, match=message) as info:
        extract_code(path)
    assert "broken.ipynb" in str(info.value)


def test_directory_and_symlink_are_refused(tmp_path):
    (tmp_path / "dir.ipynb").mkdir()
    with pytest.raises(NotebookError, match="not a file"):
        extract_code(tmp_path / "dir.ipynb")
    (tmp_path / "link.ipynb").symlink_to("/etc/passwd")
    with pytest.raises(NotebookError, match="symbolic link"):
        extract_code(tmp_path / "link.ipynb")
