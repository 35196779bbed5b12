"""Deterministic: running a lecture twice in fresh kernels prints the same numbers and draws the
same figures (00 is left out: it prints wall-clock timings on purpose)."""

from pathlib import Path

import pytest

from course_utils.build import execute_notebook

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow
NOTEBOOKS = [ROOT / "notebooks" / "01_gradient_descent.ipynb"]


def _outputs(nb):
    """Per cell: all stdout joined (stream chunking depends on timing), text results, figures."""
    seen = []
    for index, cell in enumerate(nb.cells):
        outputs = cell.get("outputs", [])
        stdout = "".join(
            o.text for o in outputs if o.output_type == "stream" and o.name == "stdout"
        )
        if stdout:
            seen.append((index, "stdout", stdout))
        for output in outputs:
            if output.output_type in ("execute_result", "display_data"):
                for mime in ("text/plain", "image/png"):
                    if mime in output.data and "widget" not in output.data.get("text/plain", ""):
                        seen.append((index, mime, output.data[mime]))
    return seen


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_two_runs_print_the_same_numbers_and_figures(path):
    first, _ = execute_notebook(path)
    second, _ = execute_notebook(path)
    a, b = _outputs(first), _outputs(second)
    assert len(a) == len(b) and len(a) > 10
    for (cell, kind, x), (_, _, y) in zip(a, b, strict=True):
        assert x == y, f"cell {cell}: its {kind} output differs between two runs"
