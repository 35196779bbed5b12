"""An optimizer race on 2-D surfaces: several optimizers from one start, drawn, animated, steered.

``race(objective, x0, {"name": optimizer, ...}, lr, steps)`` runs each optimizer through the one
descent loop (``descent.run``) and returns the trajectories; ``plot_race`` draws them over the
contours beside their loss curves; ``race_animation`` turns them into a small matplotlib animation
(``.to_jshtml()`` plays without a kernel); ``OptimizerRace`` is the ipywidgets dashboard (choose the
surface, the optimizers and the learning rate). Every optimizer enters as everywhere in the course:
a class in torch.optim's shape or a ``functools.partial`` of one, called as ``optimizer(params,
lr=lr)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation

from .descent import run
from .objectives import DoubleWell2D, Quadratic, Rosenbrock, Saddle
from .optim import SGD, Adagrad, Adam, RMSprop
from .plotting import COLORS, LOG_FLOOR, plot_contour, show_in
from .validation import as_point, integer, objective_like, one_of, optimizer_class, real_number

__all__ = ["OPTIMIZERS", "SURFACES", "OptimizerRace", "Surface", "plot_race", "race",
           "race_animation"]  # fmt: skip


@dataclass(frozen=True)
class Surface:
    """A 2-D objective with a starting point and a view (xlim, ylim) that shows the race."""

    objective: object
    x0: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]


#: The race tracks: ill-conditioning, a curved valley, a saddle, a spurious local minimum.
SURFACES = {
    "ill-conditioned quadratic": Surface(
        Quadratic([1.0, 20.0], angle=np.pi / 6), (-4.0, 2.5), (-5.0, 5.0), (-4.0, 4.0)
    ),
    "Rosenbrock": Surface(Rosenbrock(), (-1.5, 2.0), (-2.0, 2.0), (-1.0, 3.0)),
    "saddle": Surface(Saddle(), (2.0, 1e-3), (-2.5, 2.5), (-1.6, 1.6)),
    "double well": Surface(DoubleWell2D(0.3), (1.6, 1.5), (-2.0, 2.0), (-2.0, 2.0)),
}

#: name -> optimizer, called as ``optimizer(params, lr=lr)``; hyperparameters other than lr are
#: torch's defaults or momentum 0.9.
OPTIMIZERS = {
    "GD": SGD,
    "heavy ball": partial(SGD, momentum=0.9),
    "Nesterov": partial(SGD, momentum=0.9, nesterov=True),
    "AdaGrad": Adagrad,
    "RMSprop": RMSprop,
    "Adam": Adam,
}

_COLOR_OF = dict(zip(OPTIMIZERS, COLORS, strict=False))


def _color(name: str, index: int) -> str:
    return _COLOR_OF.get(name, COLORS[index % len(COLORS)])


def race(objective, x0, optimizers: dict, lr, steps: int = 100, tol: float = 1e-8) -> dict:
    """Run every optimizer in ``optimizers`` (name -> class or partial) from ``x0``.

    ``lr`` is one learning rate for all, or a dict giving each name its own. Each run is
    ``descent.run(objective, x0, optimizer, lr, max_iters=steps, tol=tol, on_divergence="stop")``;
    returns ``{name: Trajectory}`` in the order of ``optimizers``.
    """
    objective_like(objective, dim=2)
    x0 = as_point(x0, 2, "x0")
    steps = integer(steps, "steps", 1)
    if not isinstance(optimizers, dict) or not optimizers:
        raise TypeError("optimizers must be a non-empty dict mapping names to optimizer classes.")
    for name, optimizer in optimizers.items():
        optimizer_class(optimizer, f"optimizers[{name!r}]")
    lrs = lr if isinstance(lr, dict) else dict.fromkeys(optimizers, lr)
    missing = [name for name in optimizers if name not in lrs]
    if missing:
        raise ValueError(
            f"lr must be a number or a dict with every optimizer's lr; missing {missing}."
        )
    return {
        name: run(objective, x0, optimizer, lrs[name], max_iters=steps, tol=tol,
                  on_divergence="stop")
        for name, optimizer in optimizers.items()
    }  # fmt: skip


def _gaps(objective, traj) -> np.ndarray:
    f_star = getattr(objective, "min_value", 0.0)
    return np.maximum(traj.losses - f_star, LOG_FLOOR)


# How a run ended, in words (a Trajectory's status is a code word such as "max_iters").
STATUS_WORDS = {"converged": "converged", "max_iters": "stopped at the step limit",
                "diverged": "diverged"}  # fmt: skip


def plot_race(objective, trajectories: dict, xlim, ylim, upto: int | None = None, dpi=None,
              title: str | None = None):  # fmt: skip
    """Contours with each trajectory (left) and f(x_k) - f* on a log axis (right).

    ``upto`` draws only the first ``upto`` steps (used by the animation). ``title`` names the
    function in the path panel's title (default: the objective's ``name``). Returns the figure.
    """
    if not isinstance(trajectories, dict) or not trajectories:
        raise TypeError("trajectories must be a non-empty dict mapping names to Trajectories.")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__}.")
    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(10, 4.2), width_ratios=[1.1, 1], dpi=dpi)
    plot_contour(objective, xlim, ylim, ax=ax, levels=25, n=120)
    ax.set_autoscale_on(False)  # iterates outside the view are cut at its edge, not zoomed out to
    n_max = max(t.n_steps for t in trajectories.values())
    for i, (name, traj) in enumerate(trajectories.items()):
        k = traj.n_steps if upto is None else min(upto, traj.n_steps)
        pts = traj.xs[: k + 1]
        c = _color(name, i)
        label = f"{name} ({STATUS_WORDS.get(traj.status, traj.status)})" if upto is None else name
        ax.plot(pts[:, 0], pts[:, 1], "-", color=c, lw=1.6, label=label, zorder=3)
        ax.plot(*pts[-1], "o", color=c, ms=6, mec="black", mew=0.6, zorder=4)
        gaps = _gaps(objective, traj)[: k + 1]
        ax_loss.plot(np.arange(gaps.size), gaps, color=c, label=name)
    ax.plot(*trajectories[next(iter(trajectories))].xs[0], "s", color="white", mec="black",
            ms=8, zorder=5, label="start")  # fmt: skip
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    name = getattr(objective, "name", "") if title is None else title
    ax.set_title(f"{name}; ● = current iterate", fontsize=11)
    ax_loss.set_yscale("log")
    ax_loss.set_xlim(0, n_max)
    all_gaps = np.concatenate([_gaps(objective, t) for t in trajectories.values()])
    ax_loss.set_ylim(max(all_gaps.min(), 1e-12) / 3, all_gaps.max() * 3)
    ax_loss.set_xlabel("step k")
    ax_loss.set_ylabel("$f(x_k) - f^*$")
    ax_loss.set_title("distance to the global minimum value", fontsize=11)
    return fig


def race_animation(objective, trajectories: dict, xlim, ylim, frames: int = 12, dpi: int = 72,
                   title: str | None = None):  # fmt: skip
    """A FuncAnimation of the race: ``frames`` frames, step counts spread evenly up to the end.

    ``title`` is passed to :func:`plot_race`.

    Embed it with ``HTML(anim.to_jshtml())``: the frames (PNG at ``dpi``) are stored in the page,
    so it plays without a kernel. The layout is computed once, on the last frame.
    """
    frames = integer(frames, "frames", 2)
    dpi = integer(dpi, "dpi", 20)
    n_max = max(t.n_steps for t in trajectories.values())
    ks = np.unique(np.linspace(0, n_max, frames).round().astype(int))
    fig = plot_race(objective, trajectories, xlim, ylim, upto=n_max, dpi=dpi, title=title)
    fig.canvas.draw()  # lay out once (with the longest titles and curves), then freeze the layout
    fig.set_layout_engine("none")
    ax, ax_loss = fig.axes[:2]
    path_lines = [line for line in ax.lines if line.get_label() in trajectories]
    heads = [line for line in ax.lines if line.get_marker() == "o"]
    loss_lines = ax_loss.lines
    paths = [t.xs for t in trajectories.values()]
    gaps = [_gaps(objective, t) for t in trajectories.values()]

    def draw(k):
        for pts, g, path, head, loss in zip(paths, gaps, path_lines, heads, loss_lines,
                                            strict=True):  # fmt: skip
            m = min(k, len(pts) - 1)
            path.set_data(pts[: m + 1, 0], pts[: m + 1, 1])
            head.set_data([pts[m, 0]], [pts[m, 1]])
            loss.set_data(np.arange(m + 1), g[: m + 1])
        ax_loss.set_title(f"step {k} of {n_max}", fontsize=11)
        return [*path_lines, *heads, *loss_lines]

    anim = _LowResolutionAnimation(fig, draw, frames=ks, interval=250, blit=False)
    plt.close(fig)
    return anim


class _LowResolutionAnimation(FuncAnimation):
    """Saves (and so ``to_jshtml()``s) at the figure's own dpi, not at rcParams["savefig.dpi"]."""

    def save(self, *args, dpi=None, **kwargs):
        return super().save(*args, dpi=self._fig.dpi if dpi is None else dpi, **kwargs)


class OptimizerRace:
    """Dashboard: choose a surface, the optimizers and the learning rate; the race reruns.

    ``optimizers`` maps names to optimizer classes or partials (default :data:`OPTIMIZERS`);
    ``surfaces`` maps names to :class:`Surface` (default :data:`SURFACES`). After each change,
    ``trajectories`` holds the runs, ``figure`` the drawing and ``summary`` one line per optimizer.
    """

    def __init__(self, surfaces=None, optimizers=None, surface=None, chosen=None, lr=0.01,
                 steps=150):  # fmt: skip
        self.surfaces = dict(SURFACES if surfaces is None else surfaces)
        self.optimizers = dict(OPTIMIZERS if optimizers is None else optimizers)
        if not self.surfaces or not self.optimizers:
            raise ValueError("surfaces and optimizers must each hold at least one entry.")
        for name, optimizer in self.optimizers.items():
            optimizer_class(optimizer, f"optimizers[{name!r}]")
        surface = next(iter(self.surfaces)) if surface is None else surface
        one_of(surface, self.surfaces, "surface")
        chosen = tuple(self.optimizers) if chosen is None else tuple(chosen)
        unknown = [c for c in chosen if c not in self.optimizers]
        if unknown or not chosen:
            raise ValueError(f"chosen must name optimizers among {list(self.optimizers)}, "
                             f"got {list(chosen)}.")  # fmt: skip
        lr = real_number(lr, "lr", positive=True)
        if not 1e-4 <= lr <= 1.0:
            raise ValueError(f"lr must lie in [1e-4, 1], got {lr}.")
        steps = integer(steps, "steps", 1, 2001)

        style = {"description_width": "initial"}
        self.surface_menu = w.Dropdown(options=list(self.surfaces), value=surface,
                                       description="surface", style=style)  # fmt: skip
        self.optimizer_menu = w.SelectMultiple(options=list(self.optimizers), value=chosen,
                                               rows=len(self.optimizers), description="optimizers",
                                               style=style)  # fmt: skip
        self.lr_slider = w.FloatLogSlider(value=lr, base=10, min=-4, max=0, step=0.05,
                                          description="learning rate", readout_format=".3g",
                                          continuous_update=False, style=style)  # fmt: skip
        self.steps_slider = w.IntSlider(value=steps, min=10, max=max(2000, steps), step=10,
                                        description="steps", continuous_update=False,
                                        style=style)  # fmt: skip
        self.summary = w.HTML()
        self.output = w.Output()
        controls = w.HBox([w.VBox([self.surface_menu, self.lr_slider, self.steps_slider]),
                           self.optimizer_menu])  # fmt: skip
        self.widget = w.VBox([controls, self.summary, self.output])
        self.trajectories: dict = {}
        self.figure = None
        for control in (self.surface_menu, self.optimizer_menu, self.lr_slider,
                        self.steps_slider):  # fmt: skip
            control.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change) -> None:
        self.update()

    def update(self) -> None:
        """Rerun the race with the current controls and redraw into the Output widget."""
        surface = self.surfaces[self.surface_menu.value]
        lr = float(self.lr_slider.value)
        chosen = self.optimizer_menu.value or (next(iter(self.optimizers)),)
        self.trajectories = race(
            surface.objective,
            surface.x0,
            {name: self.optimizers[name] for name in chosen},
            lr,
            int(self.steps_slider.value),
        )
        f_star = getattr(surface.objective, "min_value", 0.0)
        rows = [f"<b>{name}</b>: {STATUS_WORDS.get(t.status, t.status)} after {t.n_steps} steps, "
                f"f - f* = {t.losses[-1] - f_star:.2e}"
                for name, t in self.trajectories.items()]  # fmt: skip
        self.summary.value = f"lr = {lr:.3g}<br>" + "<br>".join(rows)
        self.figure = plot_race(surface.objective, self.trajectories, surface.xlim, surface.ylim)
        show_in(self.output, self.figure)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
