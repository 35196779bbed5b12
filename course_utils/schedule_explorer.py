"""An interactive schedule explorer: pick a schedule, move its parameters, see lr against step."""

from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np

from .plotting import show_in
from .schedules.functional import (
    cosine_annealing_lr,
    cosine_warm_restarts_lr,
    cyclic_lr,
    exponential_lr,
    inverse_time_lr,
    linear_lr,
    one_cycle_lr,
    polynomial_lr,
    step_lr,
)

__all__ = ["FORMULAS", "SCHEDULE_CONTROLS", "ScheduleExplorer", "schedule_explorer"]

#: The formula of each schedule (LaTeX, for the explorer's and the notebook's figure titles),
#: keyed by the name of its class in :mod:`course_utils.schedules`: α₀ is the initial lr (the
#: course writes α for the learning rate; torch's documentation writes η), t the step, and every
#: other name is the scheduler's argument in code font (no letter that the course uses elsewhere).
FORMULAS = {
    "StepLR": r"$\alpha_0\,\mathtt{gamma}^{\lfloor t/\mathtt{step\_size} \rfloor}$",
    "MultiStepLR": r"$\alpha_0\,\mathtt{gamma}^{\#\{\mathtt{milestones} \leq t\}}$",
    "ExponentialLR": r"$\alpha_0\,\mathtt{gamma}^{t}$",
    "InverseTimeLR": r"$\alpha_0 / (1 + \mathtt{k}\,t)$",
    "LinearLR": r"$\alpha_0\,(\mathtt{start\_factor}$ to $\mathtt{end\_factor})$, linear"
    "\n"
    r"in $t$ up to $t = \mathtt{total\_iters}$",
    "PolynomialLR": r"$\alpha_0\,(1 - \min(t, \mathtt{total\_iters})/\mathtt{total\_iters})^{\mathtt{power}}$",
    "CosineAnnealingLR": r"$\mathtt{eta\_min} + (\alpha_0 - \mathtt{eta\_min})\,"
    r"\frac{1 + \cos(\pi t / \mathtt{T\_max})}{2}$",
    "CosineAnnealingWarmRestarts": r"cosine within each period $\mathtt{T\_0}, "
    r"\mathtt{T\_0}\cdot\mathtt{T\_mult}, \ldots$",
    "CyclicLR": r"$\mathtt{base\_lr} + (\mathtt{max\_lr} - \mathtt{base\_lr})\,\mathrm{tri}(t)\,"
    r"\mathrm{scale}$",
    "SequentialLR": r"LinearLR, then CosineAnnealingLR from $t = \mathtt{milestones}[0]$",
    "ReduceLROnPlateau": r"$\alpha \leftarrow \mathtt{factor}\cdot\alpha$ after more than "
    r"$\mathtt{patience}$ flat steps",
    "LambdaLR": r"$\alpha_0\,\mathtt{lr\_lambda}(t)$",
    "OneCycleLR": r"$\mathtt{max\_lr}/\mathtt{div\_factor} \nearrow \mathtt{max\_lr}$,"
    "\n"
    r"peak at $t = \mathtt{pct\_start}\cdot\mathtt{total\_steps} - 1$,"
    "\n"
    r"$\searrow \mathtt{max\_lr}/(\mathtt{div\_factor}\cdot\mathtt{final\_div\_factor})$",
}

# name -> (function of (t, base_lr, **params), {param: (kind, min, max, value)}).
# The base lr is its own slider; OneCycleLR's lr argument is max_lr.
SCHEDULE_CONTROLS = {
    "StepLR": (step_lr, {"step_size": ("int", 1, 200, 30), "gamma": ("float", 0.05, 0.95, 0.5)}),
    "ExponentialLR": (exponential_lr, {"gamma": ("float", 0.9, 0.999, 0.98)}),
    "InverseTimeLR": (inverse_time_lr, {"k": ("float", 0.0, 0.5, 0.05)}),
    "LinearLR": (
        linear_lr,
        {
            "start_factor": ("float", 0.01, 1.0, 0.1),
            "end_factor": ("float", 0.0, 1.0, 1.0),
            "total_iters": ("int", 1, 200, 20),
        },
    ),  # fmt: skip
    "PolynomialLR": (
        polynomial_lr,
        {"total_iters": ("int", 1, 300, 150), "power": ("float", 0.1, 4.0, 2.0)},
    ),
    "CosineAnnealingLR": (
        cosine_annealing_lr,
        {"T_max": ("int", 1, 300, 150), "eta_min": ("float", 0.0, 0.05, 0.0)},
    ),
    "CosineAnnealingWarmRestarts": (
        cosine_warm_restarts_lr,
        {"T_0": ("int", 1, 100, 20), "T_mult": ("int", 1, 3, 2), "eta_min": ("float", 0, 0.05, 0)},
    ),
    "CyclicLR": (
        lambda t, base_lr, max_lr, step_size_up, mode: cyclic_lr(  # sliders may cross:
            t, min(base_lr, max_lr), max(base_lr, max_lr), step_size_up, None, mode, 0.995
        ),
        {
            "max_lr": ("float", 0.1, 1.0, 0.5),
            "step_size_up": ("int", 1, 100, 25),
            "mode": ("choice", "triangular", "triangular2", "exp_range"),
        },
    ),  # fmt: skip
    "OneCycleLR": (
        lambda t, base_lr, pct_start, anneal_strategy, total_steps: one_cycle_lr(
            t, base_lr, total_steps, pct_start, anneal_strategy
        ),
        {
            "pct_start": ("float", 0.05, 0.95, 0.3),
            "anneal_strategy": ("choice", "cos", "linear"),
            "total_steps": ("steps",),
        },
    ),  # fmt: skip
}


def _control(name, spec):
    kind = spec[0]
    style, layout = {"description_width": "initial"}, w.Layout(width="32%")
    if kind == "int":
        return w.IntSlider(value=spec[3], min=spec[1], max=spec[2], description=name,
                           continuous_update=False, style=style, layout=layout)  # fmt: skip
    if kind == "float":
        return w.FloatSlider(value=spec[3], min=spec[1], max=spec[2], step=(spec[2] - spec[1]) / 200,
                             readout_format=".3g", description=name, continuous_update=False,
                             style=style, layout=layout)  # fmt: skip
    return w.Dropdown(options=list(spec[1:]), description=name, style=style, layout=layout)


class ScheduleExplorer:
    """A dropdown of schedules, sliders for the initial lr, the number of steps and the chosen
    schedule's parameters, and a plot of lr against step (with the formula as its title).
    ``last_lrs`` holds the plotted values."""

    def __init__(self, schedule: str = "CosineAnnealingLR", base_lr: float = 0.1, steps: int = 300):
        if schedule not in SCHEDULE_CONTROLS:
            known = ", ".join(SCHEDULE_CONTROLS)
            raise ValueError(f"schedule must be one of {known}; got {schedule!r}.")
        self.choice = w.Dropdown(options=list(SCHEDULE_CONTROLS), value=schedule,
                                 description="schedule")  # fmt: skip
        self.base_lr = w.FloatLogSlider(value=base_lr, base=10, min=-4, max=0, step=0.05,
                                        description="initial lr (α₀)", readout_format=".3g",
                                        continuous_update=False,
                                        style={"description_width": "initial"})  # fmt: skip
        self.steps = w.IntSlider(value=steps, min=10, max=1000, description="steps",
                                 continuous_update=False)  # fmt: skip
        self.params = w.HBox()
        self.output = w.Output()
        self.widget = w.VBox([w.HBox([self.choice, self.base_lr, self.steps]), self.params,
                              self.output])  # fmt: skip
        self.controls: dict = {}
        self.last_lrs = np.empty(0)
        self.figure = None
        self.choice.observe(lambda _: self._build_controls(), names="value")
        self.base_lr.observe(lambda _: self.update(), names="value")
        self.steps.observe(lambda _: self.update(), names="value")
        self._build_controls()

    def _build_controls(self) -> None:
        _, specs = SCHEDULE_CONTROLS[self.choice.value]
        # OneCycleLR's lr argument is its PEAK (max_lr); every other schedule starts from it, and
        # CyclicLR's is base_lr, the low end of its cycle.
        labels = {
            "OneCycleLR": "peak lr (max_lr)",
            "CyclicLR": "base_lr (the lower end of the cycle)",
        }
        self.base_lr.description = labels.get(self.choice.value, "initial lr (α₀)")
        self.controls = {n: _control(n, s) for n, s in specs.items() if s[0] != "steps"}
        for control in self.controls.values():
            control.observe(lambda _: self.update(), names="value")
        self.params.children = tuple(self.controls.values())
        self.update()

    def values(self) -> np.ndarray:
        """The learning rate at t = 0 .. steps-1 for the current settings."""
        fn, specs = SCHEDULE_CONTROLS[self.choice.value]
        kwargs = {n: c.value for n, c in self.controls.items()}
        if "total_steps" in specs:
            kwargs["total_steps"] = int(self.steps.value)
        return np.array(
            [fn(t, float(self.base_lr.value), **kwargs) for t in range(self.steps.value)]
        )

    def update(self) -> None:
        """Recompute the schedule and redraw it into the Output widget."""
        self.last_lrs = self.values()
        fig, ax = plt.subplots(figsize=(9, 3.2), layout="constrained")
        ax.plot(np.arange(self.last_lrs.size), self.last_lrs, color="C0")
        ax.set(xlabel="step t", ylabel="learning rate",
               title=f"{self.choice.value}: {FORMULAS[self.choice.value]}")  # fmt: skip
        ax.set_ylim(bottom=0)
        self.figure = fig
        show_in(self.output, fig)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def schedule_explorer(schedule="CosineAnnealingLR", base_lr=0.1, steps=300) -> ScheduleExplorer:
    """Build a :class:`ScheduleExplorer`; a notebook displays it when it is a cell's last value."""
    return ScheduleExplorer(schedule, base_lr, steps)
