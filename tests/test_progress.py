"""course.py progress: the notebook's own check verdicts, summarised per question, with what is next."""

from __future__ import annotations

from pathlib import Path

from course_utils import progress
from course_utils.progress import NotebookResult, QuestionResult


def _error(ename: str, evalue: str) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []}


def test_a_failed_check_is_read_as_its_verdict_in_one_line():
    message = (
        "clip_grad_value: test 1 of 2 failed.\n  input: one array\n"
        "  not implemented yet: the code still raises NotImplementedError.\n  hint: Replace it."
    )
    assert progress._failure([_error("CheckFailed", message)], "clip_grad_value") == (
        "test 1 of 2 failed: not implemented yet: the code still raises NotImplementedError."
    )
    assert progress._hint([_error("CheckFailed", message)]) == "Replace it."
    assert progress._failure([_error("NameError", "name 'f' is not defined")], "f") == (
        "NameError: name 'f' is not defined"
    )
    assert progress._failure([{"output_type": "stream", "text": "✓ f"}], "f") is None


def test_text_and_page_give_points_and_the_next_step():
    results = [
        NotebookResult(
            Path("01_gradient_descent.ipynb"), (QuestionResult("projected_gd_step", 2, True, ""),)
        ),
        NotebookResult(
            Path("07_vanishing_exploding.ipynb"),
            (
                QuestionResult("clip_grad_norm", 3, True, ""),
                QuestionResult(
                    "jacobian_bound", 2, False, "test 1 of 1 failed: still None", "Set it."
                ),
            ),
        ),
    ]
    text = progress.as_text(results)
    # the points are those of the visible checks (referee ri00, 00-8): labelled as such
    assert "01_gradient_descent: visible checks: 2 of 2 points if the hidden tests pass too" in text
    assert (
        "07_vanishing_exploding: visible checks: 3 of 5 points if the hidden tests pass too" in text
    )
    assert not any(line.endswith(" points") for line in text.splitlines())
    assert (
        "✗ jacobian_bound (2 points)  (test 1 of 1 failed: still None)\n      hint: Set it." in text
    )
    assert text.endswith(
        "next: answer `jacobian_bound` in exercises/07_vanishing_exploding.ipynb: "
        "test 1 of 1 failed: still None"
    )
    page = progress.as_html(results)
    assert "<code>jacobian_bound</code>" in page
    assert "visible checks: 3 of 5 points if the hidden tests pass too</h2>" in page


def test_progress_without_a_workspace_says_how_to_make_one(tmp_path, capsys):
    assert progress.main([], tmp_path) == 2
    assert "`python3 course.py lab` makes my-course/" in capsys.readouterr().out
