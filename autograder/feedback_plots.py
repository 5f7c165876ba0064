"""Plots for the feedback page, drawn in the grader from what the student's functions return.

A suite may hold ``feedback_plots.py`` with ``PLOTS = [(title, draw), ...]`` where
``draw(student, reference, rng)`` returns a matplotlib Figure (the student's decision boundary,
their confusion matrix, ...). Student code still runs only in the worker: ``student`` is the proxy.
"""

from __future__ import annotations

import base64
import importlib.util
import io
from pathlib import Path
from typing import Any

import numpy as np

from autograder.selfcheck import StudentCodeError


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"_plots_{path.parent.name.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def png_base64(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=72, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def make_plots(suite_dir: Path, student: Any, reference: Any, seed: int) -> list[dict]:
    """``[{"title", "png"} or {"title", "note"}]`` for the suite's plots (empty if it has none)."""
    path = suite_dir / "feedback_plots.py"
    if not path.exists():
        return []
    import matplotlib

    matplotlib.use("Agg")
    out = []
    for title, draw in _load(path).PLOTS:
        try:
            out.append({"title": title, "png": png_base64(draw(student, reference, np.random.default_rng(seed)))})
        except StudentCodeError as exc:
            out.append({"title": title, "note": f"not drawn: {str(exc).splitlines()[0]}"})
        except LookupError as exc:  # nothing to draw from (e.g. no training run was made)
            out.append({"title": title, "note": f"not drawn: {exc.args[0] if exc.args else type(exc).__name__}"})
        except Exception as exc:  # a value the plot cannot use: the student's result, not a kit error
            out.append({"title": title, "note": f"not drawn: {type(exc).__name__}: {str(exc)[:200]}"})
    return out
