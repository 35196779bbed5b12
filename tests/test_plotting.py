"""Course plots: labelled axes, the right number of lines, legends, log-safe losses, PNG output."""

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.descent import gradient_descent  # noqa: E402
from course_utils.objectives import NonConvex1D, Quadratic, Rosenbrock, Saddle  # noqa: E402
from course_utils.plotting import (  # noqa: E402
    COLORS,
    LOG_FLOOR,
    plot_contour,
    plot_function_1d,
    plot_loss_curves,
    plot_trajectory,
    save_figure,
    show_in,
    use_course_style,
)


@pytest.fixture(autouse=True)
def _close_figures():
    with mpl.rc_context():
        yield
    plt.close("all")


def _legend_texts(ax):
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


def test_colors_are_the_okabe_ito_palette():
    assert len(COLORS) == 8 and len(set(COLORS)) == 8
    assert all(mcolors.is_color_like(c) for c in COLORS)
    assert {"#0072B2", "#D55E00", "#009E73", "#E69F00"} <= set(COLORS)


def test_use_course_style_sets_palette_and_layout():
    use_course_style()
    assert mpl.rcParams["axes.prop_cycle"].by_key()["color"] == COLORS
    assert mpl.rcParams["axes.grid"] is True
    assert mpl.rcParams["figure.constrained_layout.use"] is True
    assert mpl.rcParams["savefig.bbox"] == "tight"
    assert mpl.rcParams["figure.dpi"] == 100


def test_plot_contour_labels_axes_and_marks_minimizers():
    ax = plot_contour(Quadratic([1.0, 10.0], angle=0.3), (-2, 2), (-1, 1), n=50)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_1$", "$x_2$")
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.0, 1.0)
    assert len(ax.collections) >= 2  # contour set + minimizer marker
    assert _legend_texts(ax) == ["minimizer"]


def test_plot_contour_names_the_axes_it_is_given():
    ax = plot_contour(Saddle(), (-1, 1), (-1, 1), n=20, labels=("$x$", "$y$"))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x$", "$y$")
    # a trajectory drawn on it keeps those names
    plot_trajectory(ax, np.array([[0.5, 0.5], [0.2, 0.4]]))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x$", "$y$")


@pytest.mark.parametrize("labels", ["$x$", ("$x$",), ("$x$", 2), ("a", "b", "c"), None])
def test_plot_contour_rejects_labels_that_are_not_two_strings(labels):
    with pytest.raises(
        TypeError, match=r"^labels must be a pair of strings \(x-axis label, y-axis label\), got "
    ):
        plot_contour(Saddle(), (-1, 1), (-1, 1), n=20, labels=labels)


def test_plot_contour_marks_saddle_and_skips_points_outside_view():
    ax = plot_contour(Saddle(), (-1.5, 1.5), (-1.5, 1.5), n=40, log_levels=False)
    assert _legend_texts(ax) == ["minimizer", "saddle point"]
    ax2 = plot_contour(Rosenbrock(), (-2, -1), (2, 3), n=40)  # minimizer (1, 1) is outside
    assert _legend_texts(ax2) == []


def test_plot_contour_with_explicit_levels():
    ax = plot_contour(Quadratic([1.0, 2.0]), (-1, 1), (-1, 1), levels=[0.1, 0.2, 0.4], n=30)
    np.testing.assert_allclose(ax.collections[0].levels, [0.1, 0.2, 0.4])


def test_plot_trajectory_adds_one_line_per_call_and_a_legend():
    q = Quadratic([1.0, 10.0])
    ax = plot_contour(q, (-3, 3), (-3, 3), n=40)
    xs = [gradient_descent(q, [2.5, 2.0], lr, max_iters=20).xs for lr in (0.05, 0.15)]
    plot_trajectory(ax, xs[0], label="lr = 0.05")
    plot_trajectory(ax, xs[1], label="lr = 0.15", color=COLORS[2])
    assert len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), xs[0])
    assert mcolors.same_color(ax.lines[1].get_color(), COLORS[2])
    assert _legend_texts(ax) == ["minimizer", "lr = 0.05", "lr = 0.15"]


def test_plot_trajectory_labels_a_blank_axes():
    _, ax = plt.subplots()
    plot_trajectory(ax, np.array([[0.0, 1.0], [0.5, 0.5]]))
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is None


def test_plot_loss_curves_log_scale_with_zeros():
    curves = {"a": [1.0, 0.1, 0.0], "b": np.geomspace(1, 1e-3, 10), "c": [2.0, 1.0]}
    ax = plot_loss_curves(curves)
    assert len(ax.lines) == 3 and ax.get_yscale() == "log"
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "loss"
    assert _legend_texts(ax) == ["a", "b", "c"]
    assert ax.lines[0].get_ydata()[-1] == LOG_FLOOR
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), np.arange(10))


def test_plot_loss_curves_linear_and_custom_labels():
    ax = plot_loss_curves({"f": [-1.0, -2.0]}, logy=False, xlabel="epoch", ylabel="f")
    assert ax.get_yscale() == "linear" and (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "f")


def test_plot_loss_curves_errors():
    with pytest.raises(ValueError, match=r"curves\['f'\] has negative values.*logy=False\."):
        plot_loss_curves({"f": [1.0, -1.0]})
    with pytest.raises(TypeError, match=r"curves must be a non-empty dict"):
        plot_loss_curves([1.0, 2.0])
    with pytest.raises(ValueError, match=r"curves\['g'\] must be a non-empty 1-D array"):
        plot_loss_curves({"g": np.ones((2, 2))})


def test_plot_function_1d():
    ax = plot_function_1d(NonConvex1D(), (-2, 2))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x$", "$f(x)$")
    assert len(ax.lines) == 1 and _legend_texts(ax) == ["$f(x)$", "minimizer"]
    assert len(ax.collections[0].get_offsets()) == 2  # both minimizers


def test_input_errors():
    with pytest.raises(
        ValueError, match=r"xlim must be a finite pair \(low, high\) with low < high"
    ):
        plot_contour(Saddle(), (1, -1), (-1, 1))
    with pytest.raises(ValueError, match=r"objective must have dim 2, got dim 1\."):
        plot_contour(NonConvex1D(), (-1, 1), (-1, 1))
    with pytest.raises(ValueError, match=r"objective must have dim 1, got dim 2\."):
        plot_function_1d(Saddle(), (-1, 1))
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"xs must have shape \(n, 2\) with n >= 1, got \(3,\)\."):
        plot_trajectory(ax, [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"ax must be a matplotlib Axes"):
        plot_trajectory(None, [[0.0, 0.0]])


def test_save_figure_writes_png(tmp_path):
    ax = plot_loss_curves({"gd": [1.0, 0.5, 0.25]})
    path = save_figure(ax.figure, tmp_path / "nested" / "loss.png")
    assert path.exists() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match=r"path must end in an image suffix"):
        save_figure(ax.figure, tmp_path / "loss.txt")
    with pytest.raises(TypeError, match=r"fig must be a matplotlib Figure"):
        save_figure(ax, tmp_path / "x.png")


def test_trajectory_legend_explains_the_markers_and_end_is_drawn_above_stars():
    from course_utils.objectives import Quadratic
    from course_utils.plotting import plot_contour, plot_trajectory, trajectory_legend

    fig, ax = plt.subplots()
    plot_contour(Quadratic([1.0, 4.0]), (-2, 2), (-2, 2), ax=ax)
    plot_trajectory(ax, [[1.0, 1.0], [0.0, 0.0]], label="GD")
    legend = trajectory_legend(ax, last_label="step 1")
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts == ["minimizer", "GD", "start $x_0$", "step 1"]
    star_z = [c.get_zorder() for c in ax.collections if c.get_label() == "minimizer"]
    assert ax.collections[-1].get_zorder() > max(star_z)  # the end ■ is drawn above the star
    plt.close(fig)


class _RecordingOutput:
    """Stands in for an ipywidgets Output: records clearing and what is displayed inside it."""

    def __init__(self):
        self.events = []

    def clear_output(self, wait=False):
        self.events.append(("clear", wait))

    def __enter__(self):
        self.events.append("enter")

    def __exit__(self, *exc):
        self.events.append("exit")


def test_show_in_draws_into_the_output_in_ipython_and_always_closes(monkeypatch):
    import IPython.display

    import course_utils.plotting as plotting

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    out, fig = _RecordingOutput(), plt.figure()
    monkeypatch.setattr(plotting, "_in_ipython", lambda: True)
    show_in(out, fig)
    assert out.events == [("clear", True), "enter", "exit"] and shown == [fig]
    assert fig.number not in plt.get_fignums()  # closed in pyplot after it was displayed

    out, fig = _RecordingOutput(), plt.figure()
    monkeypatch.setattr(plotting, "_in_ipython", lambda: False)
    show_in(out, fig)
    assert out.events == [] and shown == [shown[0]] and fig.number not in plt.get_fignums()
