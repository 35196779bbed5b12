"""Exercise 05 as issue 21 redesigned it: each new question's reference agrees with torch (float64)
or with the lecture's recursion it is derived from, correct alternative forms a learner writes
pass, bad input gets one clear sentence, and the wrong answers the Mistakes stand for, written
the way a learner writes them, fail a visible check with their hint.

The generic tests in ``test_checks.py`` already prove, for every Mistake, that the reference
passes, the mistake fails with its own hint and the stub fails."""

import math
import numbers
import warnings

import numpy as np
import pytest
import torch

from course_utils import specs
from course_utils.checks import CheckFailed, checker

SCHEDULES = "05_learning_rate_schedules"


def _reference(name):
    return specs.load(SCHEDULES).question(name).reference


def _fails_with(name, answer, text):
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)(name, answer)
    assert text in str(failed.value), str(failed.value)


# ----------------------------------------------------------------------------- 1. warm restarts


def _torch_warm_restarts(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([param], lr=base_lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0, T_mult, eta_min)
    lrs = []
    for _ in range(steps):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    return np.array(lrs, dtype=np.float64)


@pytest.mark.parametrize(
    "args",
    [(0.1, 5, 12), (0.1, 2, 14, 2), (0.5, 3, 20, 3, 0.01), (0.1, 1, 5), (1.0, 10, 400, 2, 1e-4)]
    + [(0.37, T_0, 90, T_mult, 0.002) for T_0 in (1, 3, 7) for T_mult in (1, 2, 3)],
)
def test_warm_restarts_reference_is_torchs_scheduler(args):
    np.testing.assert_allclose(
        _reference("warm_restarts_lrs")(*args), _torch_warm_restarts(*args), rtol=1e-12, atol=0
    )


def test_warm_restarts_generated_cases_agree_with_torch():
    question = specs.load(SCHEDULES).question("warm_restarts_lrs")
    generated = [c for c in question.cases if c.generated]
    for seed in range(20):
        for case in generated:
            args = case.make_inputs(np.random.default_rng(seed))
            np.testing.assert_allclose(
                question.reference(*args), _torch_warm_restarts(*args), rtol=1e-12, atol=1e-15
            )


def _closed_form_warm_restarts(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
    """A correct alternative: the period index from a logarithm (torch's own form for a
    fractional epoch), vectorized; T_mult = 1 by a remainder."""
    for value, low in ((T_0, 1), (T_mult, 1), (steps, 0)):
        if type(value) is not int or value < low:  # a bool is refused (rr05 1)
            raise ValueError("T_0 and T_mult must be whole numbers >= 1, steps >= 0.")
    t = np.arange(steps)
    if T_mult == 1:
        since, period = t % T_0, np.full(steps, T_0)
    else:
        n = np.floor(np.log(t / T_0 * (T_mult - 1) + 1) / np.log(T_mult) + 1e-12).astype(int)
        since = t - T_0 * (T_mult**n - 1) // (T_mult - 1)
        period = T_0 * T_mult**n
    return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * since / period)) / 2


def test_a_closed_form_warm_restarts_passes():
    checker(SCHEDULES)("warm_restarts_lrs", _closed_form_warm_restarts)


def test_warm_restarts_rejects_what_torch_rejects_in_one_sentence():
    reference = _reference("warm_restarts_lrs")
    for args, sentence in [
        ((0.1, 0, 5), "T_0 must be >= 1, got 0."),
        ((0.1, 4, 5, 1.5), "T_mult must be a whole number >= 1 of type int, got 1.5."),
        ((0.1, 4, 5, 0), "T_mult must be >= 1, got 0."),
        ((0.1, 4, -1), "steps must be a whole number >= 0, got -1."),
    ]:
        with pytest.raises(ValueError) as raised:
            reference(*args)
        assert str(raised.value) == sentence
        if args[2] >= 0:  # torch rejects the same arguments, with ValueError too
            with pytest.raises(ValueError):
                _torch_warm_restarts(*args)
    # a numpy integer, as torch refuses it (rl05 E2); its repr differs between numpy 1 and 2
    with pytest.raises(ValueError, match=r"^T_0 must be a whole number >= 1 of type int, got "):
        reference(0.1, np.int64(4), 5)
    with pytest.raises(ValueError, match="Expected positive integer T_0"):
        _torch_warm_restarts(0.1, np.int64(4), 5)


def test_warm_restarts_that_never_reach_the_restart_fail_with_the_one_step_late_hint():
    def one_late(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
        out, since, period = [], 0, T_0
        for _ in range(steps):
            out.append(eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * since / period)) / 2)
            since += 1
            if since > period:  # restarts after the cosine reached eta_min
                since, period = 0, period * T_mult
        return np.array(out)

    _fails_with("warm_restarts_lrs", one_late, "hint: Each restart comes one step late")


# ----------------------------------------------------------------------------- 2. which_loop


def _torch_log(loop, steps, per_epoch, make):
    """What each of the question's four loops logs, run for real on a torch optimizer."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = make(opt)
    log = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # loop 1's order, which torch warns about
        for k in range(steps):
            if loop == 1:
                sched.step()
            log.append(opt.param_groups[0]["lr"])
            opt.step()
            if loop in (0, 3):
                sched.step()
            if loop == 3:
                sched.step()
            if loop == 2 and (k + 1) % per_epoch == 0:
                sched.step()
    return np.array(log)


@pytest.mark.parametrize("loop", [0, 1, 2, 3])
@pytest.mark.parametrize(
    "make",
    [
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=50),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=7, T_mult=2),
    ],
    ids=["cosine", "warm restarts"],
)
def test_which_loop_reads_the_logs_torch_writes(loop, make):
    # the question's step maps are what torch's loops do (the log read before optimizer.step())
    intended = _torch_log(0, 40, 5, make)
    assert _reference("which_loop")(_torch_log(loop, 20, 5, make), intended, 5) == loop


def test_which_loop_generated_cases_have_one_answer_the_loop_drawn():
    question = specs.load(SCHEDULES).question("which_loop")
    (case, *_) = [c for c in question.cases if c.generated]
    for seed in range(500):
        loop = int(np.random.default_rng(seed).integers(4))  # the first draw of the case
        args = case.make_inputs(np.random.default_rng(seed))
        assert question.reference(*args) == loop


def _with_tolerance(logged, intended, steps_per_epoch, report_ties=True):
    """A correct alternative: np.allclose instead of exact equality, loops tried in a dict."""
    whole = isinstance(steps_per_epoch, int | np.integer) and not isinstance(steps_per_epoch, bool)
    if not whole or steps_per_epoch < 1 or len(logged) == 0:
        raise ValueError("bad input")
    if len(intended) < 2 * len(logged):
        raise ValueError("intended too short")
    intended = np.asarray(intended)
    k = np.arange(len(logged))
    loops = {0: k, 1: k + 1, 2: k // steps_per_epoch, 3: 2 * k}
    fits = [n for n, t in loops.items() if np.allclose(logged, intended[t], rtol=1e-12, atol=0)]
    if not fits:
        raise ValueError("no loop fits")
    return fits[0] if len(fits) == 1 or not report_ties else -1


def test_which_loop_with_a_tolerance_passes():
    checker(SCHEDULES)("which_loop", _with_tolerance)


def test_which_loop_bad_input_gets_one_sentence():
    reference = _reference("which_loop")
    log = np.linspace(1, 0.5, 10)
    with pytest.raises(ValueError, match="the log is empty"):
        reference([], log, 2)
    with pytest.raises(ValueError, match=r"needs at least 2 \* len\(logged\) = 20"):
        reference(log, log, 2)
    with pytest.raises(ValueError, match="steps_per_epoch must be a whole number >= 1"):
        reference(log[:3], log, 2.0)
    with pytest.raises(ValueError, match="no loop of the four gives this log"):
        reference(log[::-1][:3], log, 2)


def test_which_loop_deciding_a_tie_gets_the_tie_hint():
    def first_fit(logged, intended, steps_per_epoch):
        return _with_tolerance(logged, intended, steps_per_epoch, report_ties=False)

    _fails_with("which_loop", first_fit, "the log cannot tell them apart")


# ----------------------------------------------------------------------------- 3. steps_to_floor


def _by_recursion(lr, L, sigma, start_mean_square, rel=0.1, limit=10**6):
    """The lecture's recursion iterated until the band is reached (the brute-force prediction)."""
    floor = lr * sigma**2 / (L * (2 - lr * L))
    m = start_mean_square
    for t in range(limit):
        if abs(m - floor) <= rel * floor * (1 + 1e-12):
            return t
        m = (1 - lr * L) ** 2 * m + lr**2 * sigma**2
    raise AssertionError("band not reached")


def test_steps_to_floor_reference_is_the_recursion_iterated():
    reference = _reference("steps_to_floor")
    rng = np.random.default_rng(0)
    for _ in range(300):
        lr_L, L = rng.uniform(0.01, 1.9), rng.uniform(0.5, 4)
        args = (lr_L / L, L, rng.uniform(0.1, 2), rng.choice([0.0, rng.uniform(0, 20)]))
        rel = rng.uniform(0.02, 0.3)
        assert reference(*args, rel) == _by_recursion(*args, rel), (args, rel)


def test_steps_to_floor_generated_cases_agree_with_the_recursion():
    question = specs.load(SCHEDULES).question("steps_to_floor")
    generated = [c for c in question.cases if c.generated]
    for seed in range(50):
        for case in generated:
            args = case.make_inputs(np.random.default_rng(seed))
            assert question.reference(*args) == _by_recursion(*args)


def _plain_log(lr, L, sigma, start_mean_square, rel=0.1):
    """A correct alternative: np.log(1 - a) instead of log1p (off by a few steps in 1e9, within
    the stated tolerance), the floor's band tested with a ratio."""
    a = lr * L
    real = all(isinstance(v, numbers.Real) for v in (lr, L, sigma, rel, start_mean_square))
    finite = real and all(map(math.isfinite, (lr, L, sigma, rel, start_mean_square)))  # rr05 2
    if not finite or min(lr, L, sigma, rel) <= 0 or a >= 2 or start_mean_square < 0:
        raise ValueError("bad input")
    floor = lr * sigma**2 / (L * (2 - a))
    ratio = abs(start_mean_square / floor - 1)
    if ratio <= rel:
        return 0
    if a == 1:
        return 1
    return math.ceil(math.log(rel / ratio) / math.log((1 - a) ** 2))


def test_steps_to_floor_with_a_plain_logarithm_passes():
    checker(SCHEDULES)("steps_to_floor", _plain_log)


def test_steps_to_floor_bad_input_gets_one_sentence():
    reference = _reference("steps_to_floor")
    with pytest.raises(ValueError, match=r"lr \* L = 2 >= 2: the mean square grows"):
        reference(2.0, 1.0, 1.0, 1.0)
    for args, name in [((0.1, 0.0, 1.0, 1.0), "L"), ((0.1, 1.0, 1.0, 1.0, 0.0), "rel")]:
        with pytest.raises(ValueError, match=rf"^{name} must be a finite number > 0"):
            reference(*args)
    with pytest.raises(ValueError, match="start_mean_square must be a finite number >= 0"):
        reference(0.1, 1.0, 1.0, math.nan)


def test_a_loop_over_the_steps_times_out_on_the_tiny_step():
    question = specs.load(SCHEDULES).question("steps_to_floor")
    tiny = [c for c in question.visible_cases if "1e-8" in c.description]
    assert len(tiny) == 1 and question.reference(*tiny[0].make_inputs()) > 10**9
    assert question.timeout <= 20  # a Python loop of 1e9 steps takes minutes


# ------------------------------------------------------------ the referee's read (rf05 E1-E9)


def test_a_wrapper_around_torchs_warm_restarts_scheduler_scores_0_in_check():
    """E1: reading the rates off torch's CosineAnnealingWarmRestarts passes every case, so it must
    fail as the grader scores it (torch's get_lr is named in the question's library)."""
    get_lr = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.get_lr
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)("warm_restarts_lrs", _torch_warm_restarts)
    text = str(failed.value)
    assert "calls the course library's own implementation" in text and "scores 0" in text
    assert "CosineAnnealingWarmRestarts.get_lr" in text
    assert torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.get_lr is get_lr  # put back


def _restarts_by_cosine_annealing(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
    """Torch's CosineAnnealingLR, rebuilt at every restart: a wrapper too."""
    out, period = [], T_0
    while len(out) < steps:
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=period, eta_min=eta_min)
        for _ in range(min(period, steps - len(out))):
            out.append(sched.get_last_lr()[0])
            opt.step()
            sched.step()
        period *= T_mult
    if type(T_0) is not int or type(T_mult) is not int or T_0 < 1 or T_mult < 1 or steps < 0:
        raise ValueError("bad input")
    return np.array(out, dtype=float)


def test_a_wrapper_around_torchs_cosine_annealing_scores_0_in_check():
    _fails_with("warm_restarts_lrs", _restarts_by_cosine_annealing, "scores 0")


def test_the_grading_probe_counts_torchs_scheduler(monkeypatch):
    """The grader's sandbox counts the same call: its probe installs the counting of torch's
    methods on their classes (monkeypatch puts each class's original back afterwards)."""
    from course_utils.grading.sandbox import probe
    from course_utils.library_calls import resolve

    question = specs.load(SCHEDULES).question("warm_restarts_lrs")
    torch_names = [n for n in question.library_names if n.startswith("torch.")]
    for dotted in torch_names:
        owner, attr, original = resolve(dotted)
        monkeypatch.setattr(owner, attr, original)  # recorded, so undone after the test
    probe.install(torch_names)
    before = sum(probe._library_calls.get(n, 0) for n in torch_names)
    _torch_warm_restarts(0.1, 4, 10, 2)
    assert sum(probe._library_calls.get(n, 0) for n in torch_names) - before >= 10


def test_warm_restarts_that_accept_a_whole_float_t_mult_fail():
    """E2: torch rejects T_mult = 2.0; an answer that checks float(T_mult).is_integer() must fail."""

    def lenient(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
        for value in (T_0, T_mult):
            if not float(value).is_integer() or value < 1:
                raise ValueError("T_0 and T_mult must be whole numbers >= 1.")
        return _closed_form_warm_restarts(base_lr, int(T_0), steps, int(T_mult), eta_min)

    with pytest.raises(ValueError):
        _torch_warm_restarts(0.1, 4, 10, 2.0)
    _fails_with("warm_restarts_lrs", lenient, "T_mult = 2.0")


def test_warm_restarts_paper_convention_is_named_in_the_one_step_late_hint():
    """E3: the one-step-late answer is the SGDR paper's end point; the hint says so."""
    question = specs.load(SCHEDULES).question("warm_restarts_lrs")
    assert "paper" in question.mistakes[0].hint and "torch" in question.mistakes[0].hint


def test_steps_to_floor_with_log1p_past_lr_l_1_gets_the_overshoot_hint():
    """E5: following a 'log1p(-a)' tip for lr L = 1.6 gives NaN; the hint names the square."""

    def log1p_everywhere(lr, L, sigma, start_mean_square, rel=0.1):
        a = lr * L
        if min(lr, L, sigma, rel) <= 0 or a >= 2 or start_mean_square < 0:
            raise ValueError("bad input")
        floor = lr * sigma**2 / (L * (2 - a))
        distance = abs(start_mean_square - floor)
        if distance <= rel * floor:
            return 0
        if a == 1:
            return 1
        with np.errstate(invalid="ignore"):
            return int(np.ceil(np.log(rel * floor / distance) / (2 * np.log1p(-a))))

    _fails_with("steps_to_floor", log1p_everywhere, "2 log|1 - lr L|")


def _log_period_warm_restarts(log=math.log):
    """ri05 E5: the period index from a floating-point logarithm without a guard, as torch's
    explicit-epoch branch computes it with math.log: math.log(243, 3) = 4.999..., so it misses the
    restart at step 121 for T_0 = 1, T_mult = 3. uk05: with log10(x) / log10(b), the learner's
    likely repair, 125 for base 5 gives 2.999..., so it misses the restart at step 31 for T_0 = 1,
    T_mult = 5 (and passed every case while T_mult stayed in {1, 2, 3}); um05: log2, step 133 for
    T_mult = 11."""

    def answer(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
        for value, low in ((T_0, 1), (T_mult, 1), (steps, 0)):
            if type(value) is not int or value < low:  # a bool is refused (rr05 1)
                raise ValueError("T_0 and T_mult must be whole numbers >= 1, steps >= 0.")
        rates = []
        for t in range(steps):
            if T_mult == 1:
                since, period = t % T_0, T_0
            else:
                n = int(log(t / T_0 * (T_mult - 1) + 1, T_mult))
                since, period = t - T_0 * (T_mult**n - 1) // (T_mult - 1), T_0 * T_mult**n
            rates.append(
                eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * since / period)) / 2
            )
        return np.array(rates)

    return answer


@pytest.mark.parametrize(
    ("log", "step"),
    [
        (math.log, "step 121"),
        (lambda x, b: math.log10(x) / math.log10(b), "step 31"),
        (lambda x, b: np.log(x) / np.log(b), None),
        (lambda x, b: math.log2(x) / math.log2(b), "step 133"),
        (lambda x, b: np.log2(x) / np.log2(b), None),
        (lambda x, b: math.log1p(x - 1) / math.log1p(b - 1), "step 111"),
    ],
    ids=[
        "math.log(x, b)",
        "log10(x) / log10(b)",
        "np.log(x) / np.log(b)",
        "log2(x) / log2(b)",
        "np.log2(x) / np.log2(b)",
        "log1p(x - 1) / log1p(b - 1)",
    ],
)
def test_a_floating_point_period_count_fails_a_visible_case_with_the_hint(log, step):
    """rq05: torch's own closed form with math.log passed every visible case and lost its 3
    points on a hidden case; that case is visible now, so the hint shows at once. uk05: the
    base-10 ratio passed every case, hidden ones too; a visible T_mult = 5 case catches it. um05:
    so did the base-2 ratio (log2(11^3) / log2(11) = 2.999...: step 133 for T_0 = 1, T_mult = 11),
    caught by a visible T_mult = 11 case; un05: log1p(x - 1) / log1p(b - 1) (the careful form Q3
    recommends) at step 111 for T_mult = 10. numpy's own logarithms differ between versions
    (np.log(243) / np.log(3) is 5.0 with numpy 1.26, 4.999... with 2.4; 1331 for base 11 the
    other way round), so for the np forms only some visible case is asserted to catch them."""
    from test_checks import _judged

    question = specs.load(SCHEDULES).question("warm_restarts_lrs")
    answer = _log_period_warm_restarts(log)
    if step is not None:  # math's logarithms: the platform's libm, the case named
        (case,) = [c for c in question.cases if step in c.description]
        args = case.make_inputs()
        assert not case.hidden and not np.allclose(answer(*args), question.reference(*args))
    with pytest.raises(CheckFailed, match=r"math\.log\(243, 3\) = 4\.999"):
        checker(SCHEDULES)("warm_restarts_lrs", answer)
    assert _judged(SCHEDULES, "warm_restarts_lrs", answer).score == 0


def test_which_loop_takes_a_numpy_integer_and_refuses_a_bool():
    reference = _reference("which_loop")
    intended = np.cos(np.linspace(0, 1, 48))
    logged = intended[np.arange(24) // 6]
    assert reference(logged, intended, np.int64(6)) == reference(logged, intended, 6) == 2
    with pytest.raises(ValueError, match="steps_per_epoch"):
        reference(logged, intended, True)


def _which_loop_taking_a_whole_float(logged, intended, steps_per_epoch):
    """rk05 E5: a learner's check that reads 6.0 as 6 (it scored full marks before)."""
    if isinstance(steps_per_epoch, float) and steps_per_epoch.is_integer():
        steps_per_epoch = int(steps_per_epoch)
    return _reference("which_loop")(logged, intended, steps_per_epoch)


def test_which_loop_refuses_a_whole_float_and_an_answer_that_takes_it_scores_0():
    from test_checks import _judged

    intended = np.cos(np.linspace(0, 1, 48))
    logged = intended[np.arange(24) // 6]
    with pytest.raises(ValueError, match="steps_per_epoch"):
        _reference("which_loop")(logged, intended, 6.0)
    _fails_with("which_loop", _which_loop_taking_a_whole_float, "6.0, a float")
    for seed in (0, 7, 123):
        assert _judged(SCHEDULES, "which_loop", _which_loop_taking_a_whole_float, seed).score == 0


def test_un05_the_hidden_long_period_case_catches_floating_point_period_counts():
    """un05: each float logarithm misses restarts at some T_mult; the hidden case drawing T_mult
    from 2 to 40 past the third restart catches each form in some of 40 grading draws."""
    question = specs.load(SCHEDULES).question("warm_restarts_lrs")
    (case,) = [c for c in question.cases if "T_mult from 2 to 40" in c.description]
    assert case.hidden and case.generated
    draws = [case.make_inputs(np.random.default_rng(seed)) for seed in range(40)]
    assert all(args[2] >= args[1] * (1 + args[3] + args[3] ** 2) for args in draws)
    logs = (
        math.log,
        lambda x, b: math.log10(x) / math.log10(b),
        lambda x, b: math.log2(x) / math.log2(b),
        lambda x, b: math.log1p(x - 1) / math.log1p(b - 1),
    )
    for log in logs:
        answer = _log_period_warm_restarts(log)
        caught = [
            not np.allclose(answer(*args), question.reference(*args), rtol=1e-9, atol=1e-12)
            for args in draws
        ]
        assert sum(caught) >= 2, [args[1:4] for args in draws]


def test_uq05_a_right_warm_restart_schedule_in_float32_gets_the_dtype_hint():
    """uq05 E2: the right schedule returned in float32 failed with values that look right to seven
    digits and the hint about counting periods; it now gets a hint that names float32, and the
    same numbers in float64 (an array or a list) pass."""
    from test_checks import _judged
    from test_checks_05_fa05 import _written_out as rates  # a right answer written by hand

    def in_float32(*args):
        return rates(*args).astype(np.float32)

    def computed_in_float32(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
        exact = rates(base_lr, T_0, steps, T_mult, eta_min)
        return np.float32(eta_min) + (exact - eta_min).astype(np.float32)

    for answer in (in_float32, computed_in_float32):
        with pytest.raises(CheckFailed, match="float32's precision"):
            checker(SCHEDULES)("warm_restarts_lrs", answer)
        assert _judged(SCHEDULES, "warm_restarts_lrs", answer).score == 0
    checker(SCHEDULES)("warm_restarts_lrs", rates)
    checker(SCHEDULES)("warm_restarts_lrs", lambda *args: list(rates(*args)))
