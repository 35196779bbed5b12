"""One colour-blind-safe plotting style and the few plots the course draws again and again."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler

from .validation import integer, objective_like

__all__ = [
    "COLORS",
    "use_course_style",
    "plot_contour",
    "plot_trajectory",
    "trajectory_legend",
    "plot_loss_curves",
    "plot_function_1d",
    "save_figure",
    "show_in",
]

#: Okabe–Ito palette (blue, vermillion, bluish green, orange, sky blue, purple, yellow, black).
COLORS = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]

#: Log-scale loss curves draw values <= 0 at this floor.
LOG_FLOOR = 1e-16


def use_course_style() -> None:
    """Set matplotlib rcParams to the course style (palette, fonts, grid, layout, dpi)."""
    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=COLORS),
            "font.size": 12,
            "axes.titlesize": 13,
            "axes.labelsize": 12,
            "legend.fontsize": 10,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "lines.linewidth": 1.8,
            "figure.constrained_layout.use": True,
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "image.cmap": "viridis",
        }
    )


def _limits(lim, name: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers (low, high), got {lim!r}.") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must be a finite pair (low, high) with low < high, got {lim!r}.")
    return lo, hi


def _check_objective(objective, dim: int) -> None:
    objective_like(objective, ("value",), dim)


def _check_ax(ax):
    if ax is None:
        return plt.subplots()[1]
    if not isinstance(ax, mpl.axes.Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}.")
    return ax


def _mark_minimizers(ax, objective, lo_hi, f_of=None) -> None:
    """Star the known minimizers (and the saddle point, if any) that lie inside the view."""
    mins = np.asarray(getattr(objective, "minimizers", np.empty((0, 1))), dtype=float)
    points = [("minimizer", "*", mins)]
    if getattr(objective, "saddle_point", None) is not None:
        points.append(("saddle point", "X", np.atleast_2d(objective.saddle_point)))
    for label, marker, pts in points:
        inside = np.all((pts >= lo_hi[:, 0]) & (pts <= lo_hi[:, 1]), axis=1)
        pts = pts[inside]
        if len(pts) == 0:
            continue
        ys = pts[:, 1] if f_of is None else f_of(pts[:, 0])
        ax.scatter(pts[:, 0], ys, marker=marker, s=160, c="white", edgecolors="black",
                   linewidths=1.2, zorder=5, label=label)  # fmt: skip


def _axis_labels(labels) -> tuple[str, str]:
    if (
        not isinstance(labels, tuple | list)
        or len(labels) != 2
        or not all(isinstance(label, str) for label in labels)
    ):
        raise TypeError(
            f"labels must be a pair of strings (x-axis label, y-axis label), got {labels!r}."
        )
    return labels[0], labels[1]


def plot_contour(
    objective,
    xlim,
    ylim,
    ax=None,
    levels=30,
    log_levels=True,
    n: int = 200,
    labels=("$x_1$", "$x_2$"),
):
    """Draw contour lines of a 2-D objective over xlim × ylim and star its known minimizers.

    ``levels`` is a count or an increasing sequence of values. With ``log_levels``, a count
    is spread geometrically above the grid minimum, so the valleys get as many lines as the
    walls. ``labels`` names the two axes, e.g. ``("$x$", "$y$")`` for a function written
    f(x, y). Returns the axes.
    """
    _check_objective(objective, 2)
    (x0, x1), (y0, y1) = _limits(xlim, "xlim"), _limits(ylim, "ylim")
    n = integer(n, "n", 2)
    xlabel, ylabel = _axis_labels(labels)
    ax = _check_ax(ax)
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    Z = np.asarray(objective.value(np.stack([X, Y])), dtype=float)
    if isinstance(levels, int | np.integer) and not isinstance(levels, bool):
        if levels < 2:
            raise ValueError(f"levels must be >= 2 when it is a count, got {levels}.")
        zmin, span = Z.min(), np.ptp(Z)
        if log_levels and span > 0:
            levels = zmin + np.geomspace(span * 1e-3, span, int(levels))
    else:
        levels = np.asarray(levels, dtype=float)
        if levels.ndim != 1 or levels.size < 1 or np.any(np.diff(levels) <= 0):
            raise ValueError("levels must be a count or a strictly increasing 1-D sequence.")
    ax.contour(X, Y, Z, levels=levels, cmap="viridis", linewidths=0.8)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(getattr(objective, "name", ""))
    _mark_minimizers(ax, objective, np.array([[x0, x1], [y0, y1]]))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best")
    return ax


def plot_trajectory(ax, xs, label=None, color=None):
    """Draw iterates ``xs`` (shape (n, 2)) as a line with dots; start ○ and end ■ markers.

    For a 1-D problem pass the points (x_k, f(x_k)). Adds exactly one Line2D to ``ax``.
    Returns the axes.
    """
    if not isinstance(ax, mpl.axes.Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}.")
    pts = np.asarray(xs, dtype=float)
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) == 0:
        raise ValueError(f"xs must have shape (n, 2) with n >= 1, got {pts.shape}.")
    if not np.all(np.isfinite(pts)):
        raise ValueError("xs must contain only finite values.")
    (line,) = ax.plot(pts[:, 0], pts[:, 1], "-o", ms=3, lw=1.5, color=color, label=label, zorder=3)
    c = line.get_color()
    ax.scatter(*pts[0], s=70, facecolors="white", edgecolors=c, linewidths=2, zorder=4)
    # Above the minimizer stars (zorder 5), with a white rim: visible where a run ends on a star.
    ax.scatter(*pts[-1], s=60, marker="s", color=c, edgecolors="white", linewidths=1, zorder=6)
    if not ax.get_xlabel():
        ax.set_xlabel("$x_1$")
    if not ax.get_ylabel():
        ax.set_ylabel("$x_2$")
    if label is not None:
        ax.legend(loc="best")
    return ax


def trajectory_legend(ax, last_label: str = "last iterate", loc="best", **kwargs):
    """A legend of ``ax``'s labelled artists plus the ○ start and ■ end markers of
    :func:`plot_trajectory` (named ``last_label``, e.g. "step 40"). Returns the legend."""
    if not isinstance(ax, mpl.axes.Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}.")
    handles, labels = ax.get_legend_handles_labels()
    start = mpl.lines.Line2D([], [], marker="o", ls="", ms=8, mfc="white", mec="0.3", mew=2)
    end = mpl.lines.Line2D([], [], marker="s", ls="", ms=7, color="0.3")
    return ax.legend([*handles, start, end], [*labels, "start $x_0$", str(last_label)], loc=loc,
                     **kwargs)  # fmt: skip


def plot_loss_curves(curves, ax=None, logy=True, xlabel="step", ylabel="loss"):
    """Plot each curve of ``{label: values}`` against its step index, with a legend.

    With ``logy``, zeros are drawn at LOG_FLOOR = 1e-16; negative values raise (plot
    loss - min_value instead). Returns the axes.
    """
    if not isinstance(curves, dict) or not curves:
        raise TypeError("curves must be a non-empty dict mapping labels to 1-D arrays.")
    ax = _check_ax(ax)
    for label, values in curves.items():
        y = np.asarray(values, dtype=float)
        if y.ndim != 1 or y.size == 0:
            raise ValueError(f"curves[{label!r}] must be a non-empty 1-D array, got {y.shape}.")
        if logy:
            if np.any(y < 0):
                raise ValueError(
                    f"curves[{label!r}] has negative values, which a log axis cannot show; "
                    "plot loss - min_value or pass logy=False."
                )
            y = np.where(y <= LOG_FLOOR, LOG_FLOOR, y)
        ax.plot(np.arange(y.size), y, label=str(label))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax


def plot_function_1d(objective, xlim, ax=None, n: int = 400):
    """Plot a 1-D objective over xlim and star its known minimizers. Returns the axes."""
    _check_objective(objective, 1)
    lo, hi = _limits(xlim, "xlim")
    n = integer(n, "n", 2)
    ax = _check_ax(ax)
    t = np.linspace(lo, hi, n)
    ax.plot(t, objective.value(t[None, :]), color="0.35", lw=1.5, label="$f(x)$")
    ax.set_xlim(lo, hi)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    ax.set_title(getattr(objective, "name", ""))
    _mark_minimizers(ax, objective, np.array([[lo, hi]]), lambda p: objective.value(p[None, :]))
    ax.legend(loc="upper center")
    return ax


def save_figure(fig, path) -> Path:
    """Save ``fig`` to ``path`` (format from the suffix), creating folders. Returns the path."""
    if not isinstance(fig, mpl.figure.Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}.")
    if not isinstance(path, str | Path):
        raise TypeError(f"path must be a str or Path, got {type(path).__name__}.")
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in fig.canvas.get_supported_filetypes():
        raise ValueError(
            f"path must end in an image suffix such as .png or .pdf, got {str(path)!r}."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    return path


def _in_ipython() -> bool:
    """True inside an IPython kernel or shell (where widgets and ``display`` work)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def show_in(output, fig) -> None:
    """Draw ``fig`` into the ipywidgets ``output`` (replacing what it showed), then close it.

    The figure is shown as a static image, so it is closed in pyplot at once (pyplot's registry
    stays clean however often a dashboard redraws); outside IPython it is only closed.
    """
    if _in_ipython():
        from IPython.display import display

        output.clear_output(wait=True)
        with output:
            display(fig)
    plt.close(fig)
