"""course_utils.schedules gives the same learning rates as torch.optim.lr_scheduler, step for step."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import schedules as S
from course_utils.schedules import functional

STEPS = 1000
RTOL = 1e-10


class FakeOptimizer:
    """The part of an optimizer a scheduler touches: param_groups (and defaults)."""

    def __init__(self, lrs, momentum=None, betas=None):
        extra = {}
        if momentum is not None:
            extra["momentum"] = momentum
        if betas is not None:
            extra["betas"] = betas
        self.defaults = {"lr": lrs[0], **extra}
        self.param_groups = [{"params": [], "lr": lr, **extra} for lr in lrs]


def _torch_optimizer(lrs, kind="sgd"):
    params = [[torch.nn.Parameter(torch.zeros(1))] for _ in lrs]
    groups = [{"params": p, "lr": lr} for p, lr in zip(params, lrs, strict=True)]
    if kind == "adam":
        return torch.optim.Adam(groups, lr=lrs[0])
    return torch.optim.SGD(groups, lr=lrs[0], momentum=0.9)


def _ours_optimizer(lrs, kind="sgd"):
    if kind == "adam":
        return FakeOptimizer(lrs, betas=(0.9, 0.999))
    return FakeOptimizer(lrs, momentum=0.9)


def _run(make_ours, make_torch, lrs, kind="sgd", steps=STEPS, metrics=None):
    """Learning rates (and momenta) of both, one row per step, t = 0 .. steps."""
    ours_opt, torch_opt = _ours_optimizer(lrs, kind), _torch_optimizer(lrs, kind)
    ours, theirs = make_ours(ours_opt), make_torch(torch_opt)
    key = "betas" if kind == "adam" else "momentum"

    def mom(groups):
        return [g[key][0] if key == "betas" else g[key] for g in groups]

    rows_o = [ours.get_last_lr() + mom(ours_opt.param_groups)]
    rows_t = [theirs.get_last_lr() + mom(torch_opt.param_groups)]
    for t in range(steps):
        torch_opt.step()
        if metrics is None:
            ours.step()
            theirs.step()
        else:
            ours.step(metrics[t])
            theirs.step(metrics[t])
        rows_o.append(ours.get_last_lr() + mom(ours_opt.param_groups))
        rows_t.append(theirs.get_last_lr() + mom(torch_opt.param_groups))
    return np.array(rows_o, dtype=float), np.array(rows_t, dtype=float)


def _assert_same(a, b):
    """Equal to RTOL relative; values that reach 0 (e.g. end_factor = 0) are compared with an
    absolute floor of 1e-12 of the largest lr, since torch's recursive update rounds near 0."""
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-12 * np.abs(b).max())


lrs_st = st.lists(st.floats(1e-4, 1.0), min_size=1, max_size=3)
SETTINGS = settings(max_examples=15, deadline=None)


@SETTINGS
@given(lrs=lrs_st, step_size=st.integers(1, 300), gamma=st.floats(0.05, 0.99))
def test_step_lr(lrs, step_size, gamma):
    _assert_same(*_run(lambda o: S.StepLR(o, step_size, gamma),
                       lambda o: torch.optim.lr_scheduler.StepLR(o, step_size, gamma), lrs))  # fmt: skip


@SETTINGS
@given(lrs=lrs_st, ms=st.lists(st.integers(1, 1100), min_size=1, max_size=5),
       gamma=st.floats(0.05, 0.99))  # fmt: skip
def test_multistep_lr(lrs, ms, gamma):
    _assert_same(*_run(lambda o: S.MultiStepLR(o, ms, gamma),
                       lambda o: torch.optim.lr_scheduler.MultiStepLR(o, ms, gamma), lrs))  # fmt: skip


@SETTINGS
@given(lrs=lrs_st, gamma=st.floats(0.98, 1.0))
def test_exponential_lr(lrs, gamma):
    _assert_same(*_run(lambda o: S.ExponentialLR(o, gamma),
                       lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma), lrs))  # fmt: skip


@SETTINGS
@given(lrs=lrs_st, k=st.floats(0.0, 1.0))
def test_inverse_time_lr_equals_lambda_lr(lrs, k):
    _assert_same(*_run(lambda o: S.InverseTimeLR(o, k),
                       lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + k * t)),
                       lrs))  # fmt: skip


@SETTINGS
@given(lrs=lrs_st, a=st.floats(0.01, 1.0), b=st.floats(0.0, 1.0), n=st.integers(1, 1200))
def test_linear_lr(lrs, a, b, n):
    _assert_same(*_run(lambda o: S.LinearLR(o, a, b, n),
                       lambda o: torch.optim.lr_scheduler.LinearLR(o, a, b, n), lrs))  # fmt: skip


@SETTINGS
@given(lrs=lrs_st, n=st.integers(1, 1200), power=st.floats(0.1, 3.0))
def test_polynomial_lr(lrs, n, power):
    a, b = _run(lambda o: S.PolynomialLR(o, n, power),
                lambda o: torch.optim.lr_scheduler.PolynomialLR(o, n, power), lrs)  # fmt: skip
    # torch's recursive form divides two tiny numbers near the end: compare with an absolute
    # floor of 1e-10 * lr there.
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-10 * max(lrs))


@SETTINGS
@given(lrs=lrs_st, T_max=st.integers(1, 600), eta_min=st.floats(0.0, 1e-4))
def test_cosine_annealing_lr(lrs, T_max, eta_min):
    a, b = _run(lambda o: S.CosineAnnealingLR(o, T_max, eta_min),
                lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max, eta_min), lrs)  # fmt: skip
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-10 * max(lrs))


@SETTINGS
@given(lrs=lrs_st, T_0=st.integers(1, 300), T_mult=st.integers(1, 3), eta_min=st.floats(0, 1e-4))
def test_cosine_warm_restarts(lrs, T_0, T_mult, eta_min):
    _assert_same(*_run(lambda o: S.CosineAnnealingWarmRestarts(o, T_0, T_mult, eta_min),
                       lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
                           o, T_0, T_mult, eta_min), lrs))  # fmt: skip


@SETTINGS
@given(base=st.floats(1e-4, 1e-2), ratio=st.floats(1.0, 100.0), up=st.integers(1, 300),
       down=st.one_of(st.none(), st.integers(1, 300)),
       mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
       gamma=st.floats(0.99, 1.0), kind=st.sampled_from(["sgd", "adam"]),
       cycle_momentum=st.booleans())  # fmt: skip
def test_cyclic_lr(base, ratio, up, down, mode, gamma, kind, cycle_momentum):
    kw = dict(base_lr=base, max_lr=base * ratio, step_size_up=up, step_size_down=down,
              mode=mode, gamma=gamma, cycle_momentum=cycle_momentum)  # fmt: skip
    _assert_same(*_run(lambda o: S.CyclicLR(o, **kw),
                       lambda o: torch.optim.lr_scheduler.CyclicLR(o, **kw), [0.1], kind))  # fmt: skip


@SETTINGS
@given(max_lr=st.floats(1e-3, 1.0), pct=st.floats(0.05, 0.45),
       strategy=st.sampled_from(["cos", "linear"]), three_phase=st.booleans(),
       div=st.floats(2.0, 100.0), final_div=st.floats(10.0, 1e5),
       kind=st.sampled_from(["sgd", "adam"]), cycle_momentum=st.booleans())  # fmt: skip
def test_one_cycle_lr(max_lr, pct, strategy, three_phase, div, final_div, kind, cycle_momentum):
    kw = dict(max_lr=max_lr, total_steps=STEPS, pct_start=pct, anneal_strategy=strategy,
              three_phase=three_phase, div_factor=div, final_div_factor=final_div,
              cycle_momentum=cycle_momentum)  # fmt: skip
    _assert_same(*_run(lambda o: S.OneCycleLR(o, **kw),
                       lambda o: torch.optim.lr_scheduler.OneCycleLR(o, **kw), [0.1], kind))  # fmt: skip


@SETTINGS
@given(lrs=lrs_st, warm=st.integers(1, 200), T_max=st.integers(1, 900), start=st.floats(0.01, 1))
def test_sequential_warmup_then_cosine(lrs, warm, T_max, start):
    def build(mod):
        def make(o):
            first = mod.LinearLR(o, start_factor=start, total_iters=warm)
            second = mod.CosineAnnealingLR(o, T_max=T_max)
            return mod.SequentialLR(o, [first, second], milestones=[warm])

        return make

    a, b = _run(build(S), build(torch.optim.lr_scheduler), lrs)
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-10 * max(lrs))


def test_lambda_lr_per_group():
    fs = [lambda t: 0.99**t, lambda t: 1 / (1 + t)]
    _assert_same(*_run(lambda o: S.LambdaLR(o, fs),
                       lambda o: torch.optim.lr_scheduler.LambdaLR(o, fs), [0.1, 0.2]))  # fmt: skip


def _plateau_metrics(seed):
    rng = np.random.default_rng(seed)
    # decreasing, then flat stretches, then noisy: exercises patience, cooldown and thresholds
    base = np.concatenate([np.linspace(1, 0.5, 100), np.full(150, 0.5), 0.5 + 1e-5 * np.arange(150),
                           0.4 + 0.05 * rng.standard_normal(600)])  # fmt: skip
    return base.tolist()


@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("threshold_mode", ["rel", "abs"])
@pytest.mark.parametrize(
    ("patience", "cooldown", "threshold"), [(10, 0, 1e-4), (3, 5, 1e-2), (0, 2, 0.0)]
)
def test_reduce_on_plateau_step_for_step(mode, threshold_mode, patience, cooldown, threshold):
    metrics = _plateau_metrics(patience + cooldown)
    if mode == "max":
        metrics = [-m for m in metrics]
    kw = dict(mode=mode, factor=0.5, patience=patience, threshold=threshold,
              threshold_mode=threshold_mode, cooldown=cooldown, min_lr=1e-6)  # fmt: skip
    a, b = _run(lambda o: S.ReduceLROnPlateau(o, **kw),
                lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, **kw), [0.1, 0.05],
                metrics=metrics)  # fmt: skip
    _assert_same(a, b)
    assert a[-1, 0] < 0.1, "the plateau must have reduced the lr at least once"


def test_state_dict_round_trip_continues_identically():
    opt = FakeOptimizer([0.1])
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=7, T_mult=2)
    for _ in range(20):
        sched.step()
    saved, lr = sched.state_dict(), opt.param_groups[0]["lr"]
    expected = [sched.step() or sched.get_last_lr()[0] for _ in range(30)]
    opt2 = FakeOptimizer([0.1])
    fresh = S.CosineAnnealingWarmRestarts(opt2, T_0=7, T_mult=2)
    fresh.load_state_dict(saved)
    opt2.param_groups[0]["lr"] = lr
    assert [fresh.step() or fresh.get_last_lr()[0] for _ in range(30)] == expected


def test_plain_functions_are_what_the_classes_use():
    opt = FakeOptimizer([0.3])
    sched = S.CosineAnnealingLR(opt, T_max=50, eta_min=0.01)
    got = [sched.get_last_lr()[0]] + [sched.step() or sched.get_last_lr()[0] for _ in range(80)]
    assert got == [functional.cosine_annealing_lr(t, 0.3, 50, 0.01) for t in range(81)]
    assert (
        functional.inverse_time_lr(0, 0.2, 0.5) == 0.2
        and functional.inverse_time_lr(4, 0.2, 0.5) == 0.2 / 3
    )
    assert math.isclose(functional.one_cycle_lr(0, 1.0, 100), 1.0 / 25)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda o: S.StepLR(o, step_size=-3), "step_size must be >= 1, got -3."),
        (lambda o: S.StepLR(o, step_size=2.5), "step_size must be an int, got float."),
        (lambda o: S.ExponentialLR(o, gamma=-0.5), "gamma must be positive, got -0.5."),
        (lambda o: S.CyclicLR(o, base_lr=0.1, max_lr=0.01), "max_lr must be >= base_lr"),
        (lambda o: S.OneCycleLR(o, max_lr=0.1), "give either total_steps or both epochs"),
        (
            lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1.5),
            "pct_start must be in [0, 1]",
        ),
        (lambda o: S.LinearLR(o, start_factor=0.0), "start_factor must be positive"),
        (lambda o: S.ReduceLROnPlateau(o, factor=2.0), "factor must be in [0, 1), got 2.0."),
        (lambda o: S.ReduceLROnPlateau(o, mode="up"), "mode must be 'min' or 'max'"),
        (
            lambda o: S.LambdaLR(o, [lambda t: 1.0] * 3),
            "lr_lambda must have one value per param group",
        ),
        (lambda o: S.CosineAnnealingLR(o, T_max=0), "T_max must be >= 1, got 0."),
    ],
)
def test_invalid_arguments_get_one_clear_sentence(make, message):
    with pytest.raises((ValueError, TypeError)) as info:
        make(FakeOptimizer([0.1], momentum=0.9))
    assert message in str(info.value)
    assert str(info.value).endswith(".")


def test_one_cycle_past_total_steps_says_so():
    sched = S.OneCycleLR(FakeOptimizer([0.1], momentum=0.9), max_lr=0.1, total_steps=5)
    for _ in range(5):
        sched.step()
    with pytest.raises(ValueError, match="stepped 6 times but total_steps = 5"):
        sched.step()


def test_not_an_optimizer_and_bad_metric():
    with pytest.raises(TypeError, match="optimizer must have param_groups"):
        S.StepLR([0.1], step_size=2)
    plateau = S.ReduceLROnPlateau(FakeOptimizer([0.1]))
    with pytest.raises(TypeError, match="needs the monitored number"):
        plateau.step("low")
    with pytest.raises(ValueError, match="metrics must be finite"):
        plateau.step(float("nan"))
    with pytest.raises(ValueError, match="momentum or betas"):
        S.OneCycleLR(FakeOptimizer([0.1]), max_lr=0.1, total_steps=10)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: functional.step_lr(3, 0.1, 2, gamma="x"), TypeError,
         "gamma must be a real number, got str."),
        (lambda: functional.exponential_lr(3, 0.1, gamma=-2), ValueError,
         "gamma must be positive, got -2."),
        (lambda: functional.multistep_lr(3, 0.1, [2, "5"]), TypeError,
         "each milestone must be an int, got str."),
        (lambda: functional.multistep_lr(3, 0.1, 5), TypeError,
         "milestones must be a list of steps, got int."),
        (lambda: functional.multistep_lr(3, 0.1, [2, 5], gamma=0), ValueError,
         "gamma must be positive, got 0."),
        (lambda: functional.cosine_annealing_lr(3, 0.1, 10, eta_min=-0.01), ValueError,
         "eta_min must be non-negative, got -0.01."),
        (lambda: functional.cosine_warm_restarts_lr(3, 0.1, 10, eta_min="0"), TypeError,
         "eta_min must be a real number, got str."),
        (lambda: functional.step_lr(3, -0.1, 2), ValueError,
         "base_lr must be non-negative, got -0.1."),
        (lambda: functional.cosine_annealing_lr(3, None, 10), TypeError,
         "base_lr must be a real number, got NoneType."),
        (lambda: functional.step_lr(3, 0.1, 0), ValueError, "step_size must be >= 1, got 0."),
        (lambda: functional.cosine_annealing_lr(3, 0.1, 2.0), TypeError,
         "T_max must be an int, got float."),
        (lambda: functional.linear_lr(3, 0.1, start_factor=1.5), ValueError,
         "start_factor must be in [0, 1], got 1.5."),
        (lambda: functional.linear_lr(3, 0.1, end_factor=-1), ValueError,
         "end_factor must be in [0, 1], got -1.0."),
        (lambda: functional.polynomial_lr(3, 0.1, power=0), ValueError,
         "power must be positive, got 0."),
        (lambda: functional.cyclic_lr(3, 0.1, 0.5, gamma=-1.0), ValueError,
         "gamma must be positive, got -1.0."),
        (lambda: functional.cyclic_lr(3, 0.5, 0.1), ValueError,
         "max_lr must be >= base_lr, got max_lr = 0.1 < base_lr = 0.5."),
        (lambda: functional.cyclic_momentum(3, "low", 0.9), TypeError,
         "base_momentum must be a real number, got str."),
        (lambda: functional.one_cycle_lr(3, 0.1, 10, pct_start=1.5), ValueError,
         "pct_start must be in [0, 1], got 1.5."),
        (lambda: functional.one_cycle_lr(0, 0.1, 10, pct_start=0.1), ValueError,
         "pct_start * total_steps must not be 1, got 0.1 * 10: the first phase would end at "
         "step 0, where it starts; choose another pct_start or total_steps."),
        (lambda: functional.one_cycle_lr(3, 0.1, 10, div_factor=0), ValueError,
         "div_factor must be positive, got 0."),
        (lambda: functional.one_cycle_lr(3, 0.1, 10, three_phase=1), TypeError,
         "three_phase must be True or False, got 1."),
        (lambda: functional.one_cycle_momentum(3, 10, max_momentum=-0.5), ValueError,
         "max_momentum must be non-negative, got -0.5."),
    ],
)  # fmt: skip
def test_the_functions_check_every_argument_in_one_sentence(call, error, message):
    """Each formula checks its own arguments (the classes call it and rely on that)."""
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda o: S.StepLR(o, 2, gamma="x"), TypeError, "gamma must be a real number, got str."),
        (lambda o: S.ExponentialLR(o, gamma=-2), ValueError, "gamma must be positive, got -2."),
        (lambda o: S.MultiStepLR(o, [3, -1]), ValueError, "each milestone must be >= 0, got -1."),
        (lambda o: S.CosineAnnealingLR(o, 10, eta_min=-1), ValueError,
         "eta_min must be non-negative, got -1."),
        (lambda o: S.CyclicLR(o, base_lr="a", max_lr=0.5), TypeError,
         "base_lr must be a real number, got str."),
        (lambda o: S.OneCycleLR(o, max_lr="a", total_steps=10), TypeError,
         "max_lr must be a real number, got str."),
        (lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="exp"), ValueError,
         "anneal_strategy must be 'cos' or 'linear', got 'exp'."),
        (lambda o: S.LinearLR(o, end_factor=2), ValueError, "end_factor must be in [0, 1], got 2.0."),
    ],
)  # fmt: skip
def test_the_classes_report_the_functions_sentence(make, error, message):
    opt = FakeOptimizer([0.1], momentum=0.9)
    with pytest.raises(error) as info:
        make(opt)
    assert str(info.value) == message
    assert opt.param_groups[0]["lr"] == 0.1, "a refused scheduler leaves the lr as it was"


def test_the_old_module_name_still_gives_the_functions():
    from course_utils import schedule_functions

    assert schedule_functions.step_lr is functional.step_lr
    assert set(schedule_functions.__all__) == set(functional.__all__)
    assert all(getattr(schedule_functions, n) is getattr(functional, n) for n in functional.__all__)


def test_schedule_modules_import_the_standard_library_and_validation_only():
    """The schedules are a method package: nothing of ours above validation, no numpy needed."""
    import ast
    from pathlib import Path

    allowed = {"__future__", "math", "bisect"}
    files = sorted(Path(S.__file__).parent.glob("*.py"))
    assert {f.stem for f in files} >= {"functional", "scheduler", "decay", "cyclic"}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                assert {a.name for a in node.names} <= allowed, (path.name, ast.dump(node))
            elif isinstance(node, ast.ImportFrom):
                own = node.level == 1  # from .functional import ...: the package itself
                ours = node.level == 2 and node.module == "validation"
                assert own or ours or node.module in allowed, (path.name, node.module)


def test_one_cycle_first_phase_of_length_zero_raises_where_torch_divides_by_zero():
    """pct_start * total_steps = 1: torch raises ZeroDivisionError, ours one clear ValueError;
    just below 1 the first phase is empty and both agree (t = 0 is already in phase 2)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ZeroDivisionError):
        torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10, pct_start=0.1)
    with pytest.raises(ValueError, match="must not be 1"):
        S.OneCycleLR(FakeOptimizer([0.1]), max_lr=0.1, total_steps=10, pct_start=0.1)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    theirs = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3, pct_start=0.3)
    expected = []
    for _ in range(3):
        expected.append(theirs.get_last_lr()[0])
        opt.step()
        if len(expected) < 3:
            theirs.step()
    ours = [functional.one_cycle_lr(t, 0.1, 3, pct_start=0.3) for t in range(3)]
    assert np.allclose(ours, expected, rtol=1e-12)
