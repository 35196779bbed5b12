"""LearningRateExplorer: slider changes rerun gradient descent and redraw without leaking figures."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as w  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.objectives import NonConvex1D, Quadratic, Rosenbrock  # noqa: E402
from course_utils.widgets import LearningRateExplorer, learning_rate_explorer  # noqa: E402

QUAD = Quadratic([1.0, 10.0], angle=0.4)  # 2/L = 0.2


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def make(**kwargs):
    args = {"objective": QUAD, "x0": [2.5, 2.0], "lr_min": 1e-3, "lr_max": 1.0, "lr": 0.01}
    return LearningRateExplorer(**(args | kwargs))


def test_widget_parts():
    e = make()
    assert isinstance(e.widget, w.VBox)
    assert isinstance(e.lr_slider, w.FloatLogSlider) and isinstance(e.steps_slider, w.IntSlider)
    assert e.lr_slider.value == pytest.approx(0.01) and e.steps_slider.value == 50
    assert e.last_trajectory.lr == pytest.approx(0.01)
    assert e.output in e.widget.children


def test_lr_slider_change_reruns_gradient_descent():
    e = make(steps=300)
    e.lr_slider.value = 0.25  # above 2/L
    assert e.last_trajectory.status == "diverged"
    assert "2/L = 0.2" in e.message.value and "diverged at step" in e.message.value
    e.lr_slider.value = 0.18  # below 2/L
    assert e.last_trajectory.status == "converged"
    assert "converged in" in e.message.value


def test_steps_slider_limits_the_run():
    e = make(lr=0.001)
    e.steps_slider.value = 7
    assert e.last_trajectory.status == "max_iters" and e.last_trajectory.n_steps == 7


def test_redraw_does_not_leak_figures():
    before = len(plt.get_fignums())
    e = make()
    assert len(plt.get_fignums()) == before  # the drawn figure is closed once displayed
    for lr in (0.05, 0.3, 0.1, 0.5, 0.02):
        e.lr_slider.value = lr
    assert len(plt.get_fignums()) == before


def test_figure_marks_two_over_L_on_a_learning_rate_axis():
    e = make(lr=0.1)
    assert len(e.figure.axes) == 3
    ruler = e.figure.axes[2]
    assert ruler.get_xscale() == "log" and ruler.get_xlabel()
    assert [0.2, 0.2] in [list(line.get_xdata()) for line in ruler.lines]
    assert all(ax.get_xlabel() and (ax is ruler or ax.get_ylabel()) for ax in e.figure.axes)


def test_objective_without_L_has_no_ruler():
    e = make(objective=Rosenbrock(), x0=[-1.0, 1.0], lr=0.001, lr_max=0.01)
    assert e.lr_limit is None and len(e.figure.axes) == 2


def test_one_dimensional_objective():
    e = learning_rate_explorer(NonConvex1D(), [2.0], 1e-3, 0.5, lr=0.02, steps=200)
    assert isinstance(e, LearningRateExplorer)
    assert e.last_trajectory.status == "converged"
    assert e.last_trajectory.xs[-1, 0] == pytest.approx(NonConvex1D().minimizers[1, 0], abs=1e-5)
    assert e.figure.axes[0].get_xlabel() == "$x$"


def test_default_lr_is_geometric_midpoint():
    e = LearningRateExplorer(QUAD, [1.0, 1.0], 1e-4, 1.0)
    assert e.lr_slider.value == pytest.approx(1e-2)
    assert np.isclose(10**e.lr_slider.min, 1e-4) and np.isclose(10**e.lr_slider.max, 1.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"lr_min": 1.0, "lr_max": 0.1}, ValueError, r"lr_min must be smaller than lr_max"),
        ({"lr_min": -1.0}, ValueError, r"lr_min must be positive, got -1\.0\."),
        ({"lr": 5.0}, ValueError, r"lr must lie in \[lr_min, lr_max\]"),
        ({"steps": 0}, ValueError, r"^steps must be >= 1, got 0\.$"),
        ({"x0": [1.0]}, ValueError, r"x0 must have shape \(2,\), got \(1,\)\."),
        ({"objective": Quadratic([1.0, 2.0, 3.0])}, ValueError, r"objective must have dim 1 or 2"),
    ],
)
def test_clear_errors(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        make(**kwargs)


def test_optimizer_factory_is_used_and_two_over_L_only_for_plain_sgd():
    from test_descent import HeavyBall

    e = make(lr=0.05, steps=200, optimizer=HeavyBall)
    assert e.last_trajectory.optimizer == "HeavyBall(lr=0.05, momentum=0.9)"
    assert e.lr_limit is None and len(e.figure.axes) == 2  # no 2/L ruler for momentum
    before = e.last_trajectory.xs.copy()
    e.lr_slider.value = 0.02
    assert e.last_trajectory.lr == pytest.approx(0.02)
    assert not np.array_equal(before, e.last_trajectory.xs)


def test_loss_title_says_how_the_run_ended():
    e = make(lr=0.1, steps=300)
    assert e.figure.axes[1].get_title().startswith("converged: ||∇f|| < 1e-06 after")
    e.steps_slider.value = 2
    assert e.figure.axes[1].get_title().startswith("step limit: 2 steps, ||∇f|| = ")
    e.steps_slider.value = 300
    e.lr_slider.value = 0.5
    n = e.last_trajectory.n_steps
    assert e.figure.axes[1].get_title() == f"diverged at step {n + 1} (steps up to {n} shown)"


def test_contour_axes_take_the_labels_given():
    default = make()
    assert default.figure.axes[0].get_xlabel() == "$x_1$"  # unchanged for other callers
    e = learning_rate_explorer(QUAD, [2.5, 2.0], 1e-3, 1.0, lr=0.01, labels=("$x$", "$y$"))
    assert (e.figure.axes[0].get_xlabel(), e.figure.axes[0].get_ylabel()) == ("$x$", "$y$")
    with pytest.raises(TypeError, match=r"^labels must be a pair of strings"):
        make(labels="x")


def test_plain_sgd_is_labelled_gd_and_momentum_keeps_its_name():
    # ri01 L10: the explorer runs full-batch descent; "SGD" would name lecture 02's method.
    from functools import partial

    from course_utils.optim import SGD

    def path_labels(e):
        return e.figure.axes[0].get_legend_handles_labels()[1]

    plain = make(lr=0.1, steps=20)
    assert plain.last_trajectory.optimizer == "SGD(lr=0.1)"
    assert "GD, 20 steps" in path_labels(plain)
    heavy = make(lr=0.05, steps=20, optimizer=partial(SGD, momentum=0.9))
    assert "SGD, 20 steps" in path_labels(heavy)
