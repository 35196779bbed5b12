"""The schedule explorer redraws the chosen schedule when a control changes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.schedule_explorer import (  # noqa: E402
    FORMULAS,
    SCHEDULE_CONTROLS,
    ScheduleExplorer,
)
from course_utils.schedules.functional import step_lr  # noqa: E402


def test_every_schedule_draws_finite_positive_rates_with_its_formula():
    e = ScheduleExplorer()
    for name in SCHEDULE_CONTROLS:
        e.choice.value = name
        assert e.last_lrs.shape == (e.steps.value,)
        assert np.all(np.isfinite(e.last_lrs)) and np.all(e.last_lrs >= 0)
        assert (
            name in e.figure.axes[0].get_title() and FORMULAS[name] in e.figure.axes[0].get_title()
        )
    assert plt.get_fignums() == []


def test_changing_a_control_changes_the_plotted_schedule():
    e = ScheduleExplorer("StepLR", base_lr=0.1, steps=200)
    np.testing.assert_allclose(e.last_lrs, [step_lr(t, 0.1, 30, 0.5) for t in range(200)])
    before = e.last_lrs.copy()
    e.controls["step_size"].value = 50
    assert not np.allclose(before, e.last_lrs)
    np.testing.assert_allclose(e.last_lrs, [step_lr(t, 0.1, 50, 0.5) for t in range(200)])
    plotted = e.figure.axes[0].lines[0].get_ydata()
    np.testing.assert_allclose(plotted, e.last_lrs)
    e.steps.value = 120
    assert e.last_lrs.size == 120
    e.base_lr.value = 0.01
    assert e.last_lrs[0] == pytest.approx(0.01)


def test_one_cycle_uses_the_steps_slider_as_total_steps():
    e = ScheduleExplorer("OneCycleLR", base_lr=0.5, steps=100)
    assert e.last_lrs.max() == pytest.approx(0.5, rel=1e-2)
    assert e.last_lrs[-1] < 1e-4


def test_unknown_schedule_is_a_clear_error():
    with pytest.raises(ValueError, match="schedule must be one of StepLR"):
        ScheduleExplorer("Warmup")


def test_cyclic_sliders_may_cross_without_an_error():
    e = ScheduleExplorer("CyclicLR", base_lr=0.1, steps=100)
    e.base_lr.value = 0.8  # above the max_lr slider (0.5): the triangles between 0.5 and 0.8
    assert e.last_lrs.min() == pytest.approx(0.5) and e.last_lrs.max() == pytest.approx(0.8)


def test_the_formulas_name_every_schedule_class():
    from course_utils import schedules

    assert set(FORMULAS) == set(schedules.__all__) - {"LRScheduler", "functional"}


def test_the_lr_slider_is_labelled_as_what_it_sets():
    e = ScheduleExplorer("OneCycleLR", base_lr=0.5, steps=100)
    assert e.base_lr.description == "peak lr (max_lr)"
    assert max(e.last_lrs) == pytest.approx(0.5)  # the slider's value is the peak
    e.choice.value = "StepLR"
    assert e.base_lr.description == "initial lr (α₀)" and e.last_lrs[0] == pytest.approx(0.5)
    e.choice.value = "CyclicLR"  # its lr argument is base_lr: the low end, where the cycle starts
    assert e.base_lr.description == "base_lr (the lower end of the cycle)" and e.last_lrs[
        0
    ] == pytest.approx(0.5)
