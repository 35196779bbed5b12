"""An interactive dashboard: move the learning rate, watch gradient descent converge or blow up."""

from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np

from .descent import run
from .optim import SGD
from .plotting import plot_contour, plot_function_1d, plot_loss_curves, plot_trajectory, show_in
from .validation import as_point, integer, objective_like, optimizer_class, real_number

__all__ = ["LearningRateExplorer", "learning_rate_explorer"]


def _view(points: np.ndarray, margin: float = 0.3) -> np.ndarray:
    """Per-coordinate (low, high) limits around ``points`` (shape (k, dim)) with a margin."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = np.maximum(margin * (hi - lo), 0.75)
    return np.column_stack([lo - pad, hi + pad])


def _learning_rates(lr_min, lr_max, lr) -> tuple[float, float, float]:
    """(lr_min, lr_max, lr) checked: 0 < lr_min < lr_max, lr in between (default: their
    geometric mean)."""
    lr_min = real_number(lr_min, "lr_min", positive=True)
    lr_max = real_number(lr_max, "lr_max", positive=True)
    if lr_min >= lr_max:
        raise ValueError(f"lr_min must be smaller than lr_max, got {lr_min} >= {lr_max}.")
    lr = float(np.sqrt(lr_min * lr_max)) if lr is None else real_number(lr, "lr", positive=True)
    if not lr_min <= lr <= lr_max:
        raise ValueError(f"lr must lie in [lr_min, lr_max] = [{lr_min}, {lr_max}], got {lr}.")
    return lr_min, lr_max, lr


def _start_view(objective, x0: np.ndarray) -> np.ndarray:
    """The plot limits: x0, the minimizers, and x0 mirrored through the (global) minimizer.

    Near 2/L the iterates oscillate across the minimizer with almost the starting amplitude, and
    should stay on screen.
    """
    dim = x0.size
    mins = np.asarray(getattr(objective, "minimizers", np.empty((0, dim))), dtype=float)
    mins = mins.reshape(-1, dim)
    mirrored = 2 * mins[:1] - x0[None, :]
    return _view(np.vstack([x0[None, :], mins, mirrored]))


def _title(traj) -> str:
    """A short title for the loss panel: how the run ended, with its numbers."""
    if traj.status == "converged":
        return f"converged: ||∇f|| < {traj.tol:.0e} after {traj.n_steps} steps"
    if traj.status == "max_iters":
        return f"step limit: {traj.n_steps} steps, ||∇f|| = {traj.grad_norms[-1]:.1e}"
    return f"diverged at step {traj.n_steps + 1} (steps up to {traj.n_steps} shown)"


class LearningRateExplorer:
    """Sliders for the learning rate (log scale) and the number of steps, and live plots.

    Left: contour plot and trajectory (or the curve f and the iterates for a 1-D objective).
    Right: f(x_k) - f* on a log axis. Below (for plain SGD on an objective with ``L``): where
    lr sits relative to 2/L. Every slider change reruns :func:`course_utils.descent.run` with
    ``optimizer(params, lr=lr)`` (default :class:`SGD`, i.e. plain gradient descent; pass e.g.
    ``functools.partial(SGD, momentum=0.9)`` or any class in torch.optim's shape).
    ``labels`` names the contour plot's axes (see :func:`course_utils.plotting.plot_contour`).
    """

    def __init__(
        self,
        objective,
        x0,
        lr_min: float,
        lr_max: float,
        lr=None,
        steps: int = 50,
        optimizer=SGD,
        labels=("$x_1$", "$x_2$"),
    ):
        objective_like(objective)
        self.optimizer = optimizer_class(optimizer)
        dim = getattr(objective, "dim", None)
        if dim not in (1, 2):
            raise ValueError(f"objective must have dim 1 or 2, got dim {dim}.")
        self.lr_min, self.lr_max, lr = _learning_rates(lr_min, lr_max, lr)
        steps = integer(steps, "steps", 1)

        self.objective = objective
        self.x0 = as_point(x0, dim, "x0")
        self._view = _start_view(objective, self.x0)
        self.labels = labels  # checked by plot_contour at the first draw, below
        self._f_star = getattr(objective, "min_value", None)
        self.lr_limit = None  # 2/L, set by the first run when the optimizer is plain SGD
        self.last_trajectory = None
        self.figure = None
        self._build_controls(lr, steps)
        self.update()

    def _build_controls(self, lr: float, steps: int) -> None:
        """The two sliders, the message line and the output, wired to :meth:`update`."""
        self.lr_slider = w.FloatLogSlider(
            value=lr, base=10, min=np.log10(self.lr_min), max=np.log10(self.lr_max), step=0.01,
            description="learning rate", readout_format=".3g", continuous_update=False,
            style={"description_width": "initial"}, layout=w.Layout(width="48%"),
        )  # fmt: skip
        self.steps_slider = w.IntSlider(
            value=int(steps), min=1, max=max(500, int(steps)), description="max steps",
            continuous_update=False, style={"description_width": "initial"},
            layout=w.Layout(width="48%"),
        )  # fmt: skip
        self.message = w.HTML()
        self.output = w.Output()
        self.widget = w.VBox(
            [w.HBox([self.lr_slider, self.steps_slider]), self.message, self.output]
        )
        self.lr_slider.observe(self._on_change, names="value")
        self.steps_slider.observe(self._on_change, names="value")

    def _on_change(self, change) -> None:
        self.update()

    def update(self) -> None:
        """Rerun gradient descent with the slider values and redraw into the Output widget."""
        lr, steps = float(self.lr_slider.value), int(self.steps_slider.value)
        traj = run(
            self.objective, self.x0, self.optimizer, lr, max_iters=steps, on_divergence="stop"
        )
        self.last_trajectory = traj
        self.lr_limit = traj.lr_limit
        self.message.value = f"<b>lr = {lr:.3g}</b>: {traj.message}"
        self.figure = self._draw(traj)
        show_in(self.output, self.figure)

    def _draw(self, traj):
        layout = [["path", "loss"]]
        if self.lr_limit is not None:
            layout.append(["lr", "lr"])
        fig, axes = plt.subplot_mosaic(
            layout, figsize=(11, 5.2 if self.lr_limit else 4.4),
            height_ratios=[5, 1] if self.lr_limit else None, layout="constrained",
        )  # fmt: skip
        ax = axes["path"]
        name = traj.optimizer.split("(")[0]
        if name == "SGD" and traj.optimizer.count("=") == 1:  # only lr: full-batch plain GD
            name = "GD"  # not stochastic here: every step takes the exact gradient
        if self.objective.dim == 2:
            plot_contour(self.objective, self._view[0], self._view[1], ax=ax, labels=self.labels)
            plot_trajectory(ax, traj.xs, label=f"{name}, {traj.n_steps} steps", color="C1")
            ax.set_aspect("equal")  # equal scales: each step is drawn normal to its level set
            ax.set_title(ax.get_title().replace("kappa=", "κ = "))  # the lectures' symbol
        else:
            plot_function_1d(self.objective, self._view[0], ax=ax)
            ax.set_autoscale_on(False)
            plot_trajectory(ax, np.column_stack([traj.xs[:, 0], traj.losses]),
                            label=f"{name}, {traj.n_steps} steps", color="C1")  # fmt: skip
        if self._f_star is not None:
            gap = np.maximum(traj.losses - self._f_star, 0.0)
            plot_loss_curves({f"lr = {traj.lr:.3g}": gap}, ax=axes["loss"], ylabel="$f(x_k) - f^*$")
        else:
            logy = bool(np.all(traj.losses > 0))
            plot_loss_curves({f"lr = {traj.lr:.3g}": traj.losses}, ax=axes["loss"], logy=logy,
                             ylabel="$f(x_k)$")  # fmt: skip
        axes["loss"].set_title(_title(traj))
        if self.lr_limit is not None:
            self._draw_lr_ruler(axes["lr"], traj.lr)
        return fig

    def _draw_lr_ruler(self, ax, lr: float) -> None:
        """A log-scaled learning-rate axis with 2/L and the current lr marked."""
        ax.set_xscale("log")
        ax.set_xlim(self.lr_min, self.lr_max)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.grid(False)
        ax.axvspan(self.lr_limit, self.lr_max, color="C1", alpha=0.15, lw=0)
        ax.axvline(self.lr_limit, color="C1", ls="--", lw=1.5, label=f"2/L = {self.lr_limit:.3g}")
        ax.axvline(lr, color="C0", lw=3, label=f"lr = {lr:.3g}")
        ax.set_xlabel(
            "learning rate (log scale); shaded: lr > 2/L, where GD on a quadratic diverges"
            " from every start whose error has a stiff component"
        )
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def learning_rate_explorer(
    objective, x0, lr_min, lr_max, lr=None, steps=50, optimizer=SGD, labels=("$x_1$", "$x_2$")
) -> LearningRateExplorer:
    """Build a :class:`LearningRateExplorer`; a notebook displays it when it is a cell's last value."""
    return LearningRateExplorer(
        objective, x0, lr_min, lr_max, lr=lr, steps=steps, optimizer=optimizer, labels=labels
    )
