"""Optimizer race: runs through the descent loop, the dashboard reacts to every control, the
animation stays small, and bad input gets one sentence."""

import matplotlib

matplotlib.use("Agg")

from functools import partial  # noqa: E402

import ipywidgets as w  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils import optim  # noqa: E402
from course_utils.descent import run  # noqa: E402
from course_utils.objectives import Quadratic, Rosenbrock  # noqa: E402
from course_utils.optimizer_race import (  # noqa: E402
    OPTIMIZERS,
    SURFACES,
    OptimizerRace,
    plot_race,
    race,
    race_animation,
)

QUAD = Quadratic([1.0, 10.0], angle=0.3)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_race_equals_the_descent_loop_for_each_optimizer():
    runs = race(QUAD, [2.0, -1.0], OPTIMIZERS, 0.02, steps=30, tol=0.0)
    assert list(runs) == list(OPTIMIZERS)
    for name, optimizer in OPTIMIZERS.items():
        alone = run(QUAD, [2.0, -1.0], optimizer, 0.02, max_iters=30, tol=0.0)
        assert np.array_equal(runs[name].xs, alone.xs)
    # the entries really build different optimizers
    assert not np.allclose(runs["GD"].xs[-1], runs["Adam"].xs[-1])
    assert runs["heavy ball"].optimizer == "SGD(lr=0.02, momentum=0.9)"
    assert runs["Nesterov"].optimizer == "SGD(lr=0.02, momentum=0.9, nesterov=True)"


def test_race_takes_one_lr_per_optimizer():
    runs = race(QUAD, [2.0, -1.0], OPTIMIZERS, {n: 0.01 * (i + 1) for i, n in enumerate(OPTIMIZERS)},
                steps=3)  # fmt: skip
    assert [t.lr for t in runs.values()] == pytest.approx([0.01, 0.02, 0.03, 0.04, 0.05, 0.06])


def test_race_reports_divergence_instead_of_raising():
    runs = race(QUAD, [2.0, -1.0], {"GD": OPTIMIZERS["GD"]}, 0.5, steps=100)
    assert runs["GD"].status == "diverged"


def test_every_surface_runs_every_optimizer():
    for surface in SURFACES.values():
        runs = race(surface.objective, surface.x0, OPTIMIZERS, 1e-3, 5)
        assert all(t.n_steps == 5 for t in runs.values())


def test_plot_race_draws_one_path_and_one_loss_curve_per_optimizer():
    runs = race(QUAD, [2.0, -1.0], {"GD": optim.SGD, "Adam": optim.Adam}, {"GD": 0.05, "Adam": 0.1})
    fig = plot_race(QUAD, runs, (-3, 3), (-3, 3))
    ax, ax_loss = fig.axes[:2]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(lab.startswith("GD") for lab in labels) and "start" in labels
    assert len(ax_loss.lines) == 2 and ax_loss.get_yscale() == "log"
    assert ax_loss.get_xlabel() and ax_loss.get_ylabel()


def test_plot_race_title_names_the_function_only_when_asked():
    runs = race(Rosenbrock(), [-1.5, 2.0], {"Adam": OPTIMIZERS["Adam"]}, 0.1, steps=5)
    default = plot_race(Rosenbrock(), runs, (-2, 2), (-1, 3)).axes[0].get_title()
    assert default == f"{Rosenbrock().name}; ● = current iterate"
    titled = plot_race(Rosenbrock(), runs, (-2, 2), (-1, 3), title="f").axes[0].get_title()
    assert titled == "f; ● = current iterate"
    anim = race_animation(Rosenbrock(), runs, (-2, 2), (-1, 3), frames=2, dpi=30, title="f")
    assert anim._fig.axes[0].get_title() == "f; ● = current iterate"


def test_animation_frames_show_progress_and_html_is_small():
    runs = race(Rosenbrock(), [-1.5, 2.0], {"Adam": OPTIMIZERS["Adam"]}, 0.1, steps=40)
    anim = race_animation(Rosenbrock(), runs, (-2, 2), (-1, 3), frames=3, dpi=30)
    path = anim._fig.axes[0].lines[0]
    anim._func(0)
    assert len(path.get_xdata()) == 1
    anim._func(40)
    assert len(path.get_xdata()) == 41
    html = anim.to_jshtml()
    assert html.count("data:image/png") == 3 and len(html) < 400_000


def test_dashboard_reruns_on_every_control():
    race_ui = OptimizerRace(chosen=("GD", "Adam"), lr=0.01, steps=50)
    assert isinstance(race_ui.widget, w.VBox) and race_ui.output in race_ui.widget.children
    first = race_ui.trajectories["GD"].xs.copy()
    summary = race_ui.summary.value

    race_ui.lr_slider.value = 0.05
    assert race_ui.trajectories["GD"].lr == pytest.approx(0.05)
    assert not np.allclose(race_ui.trajectories["GD"].xs, first)
    assert race_ui.summary.value != summary and "lr = 0.05" in race_ui.summary.value

    race_ui.optimizer_menu.value = ("heavy ball", "RMSprop", "Nesterov")
    assert list(race_ui.trajectories) == ["heavy ball", "RMSprop", "Nesterov"]

    race_ui.surface_menu.value = "Rosenbrock"
    assert np.allclose(race_ui.trajectories["RMSprop"].xs[0], SURFACES["Rosenbrock"].x0)
    assert race_ui.figure.axes[0].get_title().startswith("Rosenbrock")

    race_ui.steps_slider.value = 20
    assert race_ui.trajectories["RMSprop"].n_steps == 20
    assert all(t.n_steps == 20 or t.status == "diverged" for t in race_ui.trajectories.values())
    assert "max_iters" not in race_ui.summary.value  # a status is shown in words
    assert "stopped at the step limit after 20 steps" in race_ui.summary.value


def test_dashboard_takes_custom_optimizers():
    optimizers = {"SGD 0.5 momentum": partial(optim.SGD, momentum=0.5), "AdamW": optim.AdamW}
    race_ui = OptimizerRace(optimizers=optimizers, lr=0.01, steps=10)
    assert race_ui.trajectories["SGD 0.5 momentum"].optimizer == "SGD(lr=0.01, momentum=0.5)"
    assert race_ui.trajectories["AdamW"].optimizer.startswith("AdamW(lr=0.01")


def test_dashboard_does_not_leak_figures():
    before = len(plt.get_fignums())
    race_ui = OptimizerRace(chosen=("GD",), steps=10)
    for lr in (0.001, 0.003, 0.01):
        race_ui.lr_slider.value = lr
    assert len(plt.get_fignums()) == before


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (
            lambda: race(QUAD, [1.0, 1.0], {}, 0.1),
            TypeError,
            r"optimizers must be a non-empty dict",
        ),
        (
            lambda: race(QUAD, [1.0, 1.0], {"x": 3}, 0.1),
            TypeError,
            r"^optimizers\['x'\] must be an optimizer class or a functools\.partial of one",
        ),
        (
            lambda: race(QUAD, [1.0, 1.0], {"GD": lambda lr: lambda p: optim.SGD(p, lr=lr)}, 0.1),
            TypeError,
            r"^optimizers\['GD'\] must be an optimizer class .*which does not take \(params, lr",
        ),
        (
            lambda: race(QUAD, [1.0, 1.0], OPTIMIZERS, {"GD": 0.1}),
            ValueError,
            r"^lr must be a number or a dict with every optimizer's lr; missing \['heavy ball'",
        ),
        (lambda: race(QUAD, [1.0, 1.0], OPTIMIZERS, -0.1), ValueError, r"^lr must be positive"),
        (lambda: race(QUAD, [1.0], {"GD": OPTIMIZERS["GD"]}, 0.1), ValueError, r"x0 must have"),
        (
            lambda: race(Quadratic([1.0, 2.0, 3.0]), [1, 1, 1], {"GD": OPTIMIZERS["GD"]}, 0.1),
            ValueError,
            r"objective must have dim 2",
        ),  # fmt: skip
        (lambda: OptimizerRace(surface="moon"), ValueError, r"surface must be one of"),
        (lambda: OptimizerRace(chosen=("Lion",)), ValueError, r"chosen must name optimizers"),
        (
            lambda: OptimizerRace(optimizers={"GD": lambda lr: lambda p: optim.SGD(p, lr=lr)}),
            TypeError,
            r"^optimizers\['GD'\] must be an optimizer class",
        ),
        (lambda: OptimizerRace(lr=5.0), ValueError, r"lr must lie in \[1e-4, 1\]"),
        (lambda: race_animation(QUAD, {}, (-1, 1), (-1, 1), frames=1), ValueError, r"frames"),
        (
            lambda: plot_race(
                QUAD, race(QUAD, [1.0, 1.0], {"GD": optim.SGD}, 0.1, 2), (-1, 1), (-1, 1), title=3
            ),  # fmt: skip
            TypeError,
            r"^title must be a string or None, got int\.$",
        ),
    ],
)
def test_clear_errors(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
