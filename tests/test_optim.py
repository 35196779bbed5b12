"""course_utils.optim against torch.optim: same parameters after 200 steps, state, bad input."""

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_utils import optim
from course_utils.optim import sgd_step

SETTINGS = settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
STEPS = 200

unit = st.floats(0.0, 0.99)
positive_lr = st.floats(1e-4, 0.1)


@st.composite
def sgd_hyper(draw):
    momentum = draw(st.sampled_from([0.0, 0.5, 0.9]) | unit)
    nesterov = momentum > 0 and draw(st.booleans())
    return dict(
        lr=draw(positive_lr),
        momentum=momentum,
        dampening=0.0 if nesterov else draw(st.sampled_from([0.0]) | unit),
        weight_decay=draw(st.sampled_from([0.0]) | st.floats(0.0, 0.1)),
        nesterov=nesterov,
        maximize=draw(st.booleans()),
    )


@st.composite
def adagrad_hyper(draw):
    return dict(
        lr=draw(st.floats(1e-3, 0.5)),
        lr_decay=draw(st.sampled_from([0.0]) | st.floats(0.0, 0.1)),
        weight_decay=draw(st.sampled_from([0.0]) | st.floats(0.0, 0.1)),
        initial_accumulator_value=draw(st.sampled_from([0.0]) | st.floats(0.0, 1.0)),
        eps=draw(st.sampled_from([1e-10, 1e-6, 0.1])),
        maximize=draw(st.booleans()),
    )


@st.composite
def rmsprop_hyper(draw):
    return dict(
        lr=draw(st.floats(1e-4, 0.02)),
        alpha=draw(st.floats(0.5, 0.999)),
        eps=draw(st.sampled_from([1e-8, 1e-4, 0.1])),
        weight_decay=draw(st.sampled_from([0.0]) | st.floats(0.0, 0.1)),
        momentum=draw(st.sampled_from([0.0]) | unit),
        centered=draw(st.booleans()),
        maximize=draw(st.booleans()),
    )


@st.composite
def adam_hyper(draw, default_decay=0.0):
    return dict(
        lr=draw(st.floats(1e-4, 0.05)),
        betas=(draw(st.sampled_from([0.9]) | unit), draw(st.sampled_from([0.999]) | unit)),
        eps=draw(st.sampled_from([1e-8, 1e-4, 0.1])),
        weight_decay=draw(st.sampled_from([default_decay]) | st.floats(0.0, 0.2)),
        amsgrad=draw(st.booleans()),
        maximize=draw(st.booleans()),
    )


OPTIMIZERS = {
    "SGD": (optim.SGD, torch.optim.SGD, sgd_hyper()),
    "Adagrad": (optim.Adagrad, torch.optim.Adagrad, adagrad_hyper()),
    "RMSprop": (optim.RMSprop, torch.optim.RMSprop, rmsprop_hyper()),
    "Adam": (optim.Adam, torch.optim.Adam, adam_hyper()),
    "AdamW": (optim.AdamW, torch.optim.AdamW, adam_hyper(0.01)),
}


def make_problem(seed, n_groups):
    """Random float64 params in groups, and a gradient oracle: a random quadratic plus noise."""
    rng = np.random.default_rng(seed)
    shapes = [tuple(rng.integers(1, 5, size=rng.integers(0, 4))) for _ in range(rng.integers(2, 5))]
    params = [rng.normal(size=s) for s in shapes]
    curvature = [rng.uniform(0.1, 2.0, size=s) for s in shapes]
    targets = [rng.normal(size=s) for s in shapes]
    noise = [rng.normal(scale=0.1, size=(STEPS, *s)) for s in shapes]
    split = sorted(rng.choice(np.arange(1, len(shapes)), size=n_groups - 1, replace=False))
    bounds = [0, *split, len(shapes)]
    groups = [list(range(a, b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]

    def grads(t, xs, sign):
        # sign -1 (maximize): the gradient of a concave function, so ascent converges too
        zipped = zip(curvature, xs, targets, noise, strict=True)
        return [np.asarray(sign * c * (x - m) + n[t]) for c, x, m, n in zipped]

    return params, groups, grads


def build(cls, params, groups, hyper, group_lr):
    spec = [{"params": [params[i] for i in g]} for g in groups]
    if len(spec) > 1:
        spec[1]["lr"] = group_lr
    return cls(spec, **hyper)


def run_pair(name, seed, n_groups, hyper, group_lr, lr_factor):
    ours_cls, torch_cls, _ = OPTIMIZERS[name]
    params, groups, grads = make_problem(seed, n_groups)
    ours = [p.copy() for p in params]
    theirs = [torch.tensor(p, requires_grad=True) for p in params]
    opt = build(ours_cls, ours, groups, hyper, group_lr)
    ref = build(torch_cls, theirs, groups, hyper, group_lr)
    sign = -1.0 if hyper.get("maximize") else 1.0
    for t in range(STEPS):
        if t == STEPS // 2:  # a schedule's move: change the learning rate through param_groups
            for group in opt.param_groups + ref.param_groups:
                group["lr"] *= lr_factor
        g = grads(t, ours, sign)
        opt.step(g)
        for p, gi in zip(theirs, g, strict=True):
            p.grad = torch.from_numpy(gi.copy())
        ref.step()
    return ours, [p.detach().numpy() for p in theirs]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_matches_torch_for_200_steps(name):
    @SETTINGS
    @given(
        seed=st.integers(0, 2**32 - 1),
        n_groups=st.integers(1, 2),
        hyper=OPTIMIZERS[name][2],
        group_lr=positive_lr,
        lr_factor=st.floats(0.1, 2.0),
    )
    def check(seed, n_groups, hyper, group_lr, lr_factor):
        ours, theirs = run_pair(name, seed, n_groups, hyper, group_lr, lr_factor)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-12)

    check()


# Each feature the issue names, run for sure (hypothesis above explores around them).
FEATURES = {
    "SGD": {
        "plain": dict(lr=0.05),
        "momentum with dampening": dict(lr=0.05, momentum=0.9, dampening=0.3),
        "nesterov": dict(lr=0.05, momentum=0.8, nesterov=True),
        "weight decay": dict(lr=0.05, momentum=0.5, weight_decay=0.05),
        "maximize": dict(lr=0.05, momentum=0.5, weight_decay=0.05, maximize=True),
    },
    "Adagrad": {
        "plain": dict(lr=0.1),
        "lr decay, weight decay, accumulator": dict(
            lr=0.1, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.5, eps=1e-6
        ),
        "maximize": dict(lr=0.1, weight_decay=0.05, maximize=True),
    },
    "RMSprop": {
        "plain": dict(lr=0.01),
        "weight decay": dict(lr=0.01, alpha=0.9, weight_decay=0.05),
        "momentum": dict(lr=0.005, momentum=0.9),
        "centered with momentum": dict(lr=0.005, alpha=0.95, momentum=0.8, centered=True),
        "maximize": dict(lr=0.005, momentum=0.5, centered=True, maximize=True),
    },
    "Adam": {
        "plain": dict(lr=0.01),
        "L2 weight decay": dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1),
        "amsgrad": dict(lr=0.01, amsgrad=True, eps=1e-4),
        "maximize": dict(lr=0.01, weight_decay=0.1, amsgrad=True, maximize=True),
    },
    "AdamW": {
        "default decay": dict(lr=0.01),
        "strong decay with amsgrad": dict(
            lr=0.02, betas=(0.5, 0.9), weight_decay=0.3, amsgrad=True
        ),
        "maximize": dict(lr=0.01, weight_decay=0.1, maximize=True),
    },
}


@pytest.mark.parametrize(
    "name, feature", [(name, f) for name, features in FEATURES.items() for f in features]
)
def test_each_feature_matches_torch(name, feature):
    ours, theirs = run_pair(name, 7, 2, FEATURES[name][feature], 0.01, 0.3)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-12)


def test_harness_detects_a_wrong_optimizer():
    """The comparison above can fail: SGD with the wrong dampening is caught."""
    params, groups, grads = make_problem(0, 1)
    hyper = dict(lr=0.05, momentum=0.9, dampening=0.5)
    ours = [p.copy() for p in params]
    opt = build(optim.SGD, ours, groups, {**hyper, "dampening": 0.0}, None)
    theirs = [torch.tensor(p, requires_grad=True) for p in params]
    ref = build(torch.optim.SGD, theirs, groups, hyper, None)
    for t in range(20):
        g = grads(t, ours, 1.0)
        opt.step(g)
        for p, gi in zip(theirs, g, strict=True):
            p.grad = torch.from_numpy(gi.copy())
        ref.step()
    assert not all(np.allclose(a, b.detach().numpy()) for a, b in zip(ours, theirs, strict=True))


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_dict_round_trip_continues_identically(name):
    ours_cls, hyper = OPTIMIZERS[name][0], FIXED_HYPER[name]
    params, groups, grads = make_problem(1, 2)
    a = [p.copy() for p in params]
    opt = build(ours_cls, a, groups, hyper, 0.02)
    for t in range(50):
        opt.step(grads(t, a, 1.0))
    saved = opt.state_dict()
    b = [p.copy() for p in a]
    fresh = build(ours_cls, b, groups, {**hyper, "lr": 0.5}, 0.5)  # hyperparameters get restored
    fresh.load_state_dict(saved)
    assert [g["lr"] for g in fresh.param_groups] == [g["lr"] for g in opt.param_groups]
    for t in range(50, 100):
        opt.step(grads(t, a, 1.0))
        fresh.step(grads(t, b, 1.0))
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    # the saved dict is a copy: stepping did not change it, and it refers to params by index
    assert sorted(saved["state"]) == list(range(len(params)))
    assert [g["params"] for g in saved["param_groups"]] == groups


FIXED_HYPER = {
    "SGD": dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "Adagrad": dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
    "RMSprop": dict(lr=0.01, momentum=0.5, centered=True),
    "Adam": dict(lr=0.01, amsgrad=True, weight_decay=0.01),
    "AdamW": dict(lr=0.01, amsgrad=True),
}


def test_signatures_match_torch():
    import inspect

    torch_only = {"foreach", "differentiable", "fused", "capturable"}
    for name, (ours_cls, torch_cls, _) in OPTIMIZERS.items():
        ours = inspect.signature(ours_cls).parameters
        theirs = {
            k: v for k, v in inspect.signature(torch_cls).parameters.items() if k not in torch_only
        }
        assert list(ours) == list(theirs), name
        for key, p in theirs.items():
            assert ours[key].default == p.default, (name, key)


def test_step_function_updates_in_place_and_returns_its_arrays():
    p, g = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    out, buf = sgd_step(p, g, None, lr=0.1, momentum=0.9)
    assert out is p and np.array_equal(p, [0.95, 2.1]) and np.array_equal(buf, g)
    out, buf2 = sgd_step(p, g, buf, lr=0.1, momentum=0.9)
    assert buf2 is buf and np.allclose(buf, 1.9 * g) and np.allclose(p, [0.855, 2.29])
    assert np.array_equal(g, [0.5, -1.0])  # the gradient is only read


def test_float32_params_stay_float32_and_in_place():
    x = np.ones(3, dtype=np.float32)
    view = x
    opt = optim.SGD([x], lr=0.5, momentum=0.9, weight_decay=0.1)
    opt.step([np.ones(3)])
    assert x is view and x.dtype == np.float32 and np.allclose(x, 1 - 0.5 * 1.1)


X = np.zeros(3)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: optim.SGD([X.copy()], lr=-0.1), ValueError, "lr must be non-negative, got -0.1."),
        (
            lambda: optim.SGD([X.copy()], momentum=-0.5),
            ValueError,
            "momentum must be non-negative, got -0.5.",
        ),
        (
            lambda: optim.SGD([X.copy()], weight_decay=-1.0),
            ValueError,
            "weight_decay must be non-negative, got -1.0.",
        ),
        (
            lambda: optim.SGD([X.copy()], nesterov=True),
            ValueError,
            "Nesterov momentum requires a positive momentum and zero dampening.",
        ),
        (
            lambda: optim.SGD([X.copy()], momentum=0.9, dampening=0.1, nesterov=True),
            ValueError,
            "Nesterov momentum requires a positive momentum and zero dampening.",
        ),
        (lambda: optim.SGD([X.copy()], lr="0.1"), TypeError, "lr must be a real number, got str."),
        (
            lambda: optim.SGD([np.zeros(3, dtype=int)]),
            TypeError,
            "parameter 0 has dtype int64: an optimizer updates in place, so it must be a float "
            "array (use x = x.astype(float)).",
        ),
        (
            lambda: optim.SGD([[0.0, 1.0]]),
            TypeError,
            "parameter 0 must be a numpy array (updated in place), got list.",
        ),
        (
            lambda: optim.SGD(X.copy()),
            TypeError,
            "params must be a list of arrays or a list of param-group dicts, got a single array; "
            "wrap it in a list.",
        ),
        (
            lambda: optim.SGD([]),
            ValueError,
            "params is empty: the optimizer has nothing to update.",
        ),
        (
            lambda: optim.SGD([X, X]),
            ValueError,
            "a parameter appears twice (in one group or in two groups).",
        ),
    ],
)
def test_bad_construction_gets_one_sentence(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert str(info.value) == message


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda: optim.Adam([X.copy()], betas=(1.0, 0.999)),
            "betas[0] must be in [0, 1), got 1.0.",
        ),
        (
            lambda: optim.AdamW([X.copy()], betas=(0.9, -0.1)),
            "betas[1] must be in [0, 1), got -0.1.",
        ),
        (
            lambda: optim.Adam([X.copy()], betas=0.9),
            "betas must be a pair (beta1, beta2), got 0.9.",
        ),
        (lambda: optim.Adam([X.copy()], eps=-1e-8), "eps must be non-negative, got -1e-08."),
        (
            lambda: optim.Adam([X.copy()], amsgrad="yes"),
            "amsgrad must be True or False, got 'yes'.",
        ),
        (lambda: optim.AdamW([X.copy()], lr=-1.0), "lr must be non-negative, got -1.0."),
        (lambda: optim.RMSprop([X.copy()], alpha=1.5), "alpha must be in [0, 1], got 1.5."),
        (
            lambda: optim.RMSprop([X.copy()], momentum=-0.9),
            "momentum must be non-negative, got -0.9.",
        ),
        (lambda: optim.RMSprop([X.copy()], eps=-1.0), "eps must be non-negative, got -1.0."),
        (lambda: optim.RMSprop([X.copy()], centered=1), "centered must be True or False, got 1."),
        (
            lambda: optim.Adagrad([X.copy()], lr_decay=-0.1),
            "lr_decay must be non-negative, got -0.1.",
        ),
        (
            lambda: optim.Adagrad([X.copy()], initial_accumulator_value=-1),
            "initial_accumulator_value must be non-negative, got -1.",
        ),
        (lambda: optim.Adagrad([X.copy()], eps=-1.0), "eps must be non-negative, got -1.0."),
        (
            lambda: optim.SGD([{"params": [X.copy()], "lr": -0.5}], lr=0.1),
            "lr must be non-negative, got -0.5.",
        ),
        (
            lambda: optim.Adam([{"params": [X.copy()]}, {"params": [X.copy()], "betas": (0.9, 1)}]),
            "betas[1] must be in [0, 1), got 1.0.",
        ),
    ],
)
def test_bad_hyperparameters_get_one_sentence(make, message):
    with pytest.raises((ValueError, TypeError)) as info:
        make()
    assert str(info.value) == message


@pytest.mark.parametrize(
    "grads, error, message",
    [
        ([np.zeros(3)], ValueError, "got 1 gradients for 2 parameters."),
        ([np.zeros(3), np.zeros(3), np.zeros(3)], ValueError, "got 3 gradients for 2 parameters."),
        (
            [np.zeros(3), np.zeros(2)],
            ValueError,
            "gradient 1 has shape (2,) but its parameter has shape (2, 2).",
        ),
        (
            [np.array([0.0, np.nan, 0.0]), np.zeros((2, 2))],
            ValueError,
            "gradient 0 contains non-finite values (nan or inf).",
        ),
        (
            [np.zeros(3), np.array([[np.inf, 0.0], [0.0, 0.0]])],
            ValueError,
            "gradient 1 contains non-finite values (nan or inf).",
        ),
        (
            [np.array(["a", "b", "c"]), np.zeros((2, 2))],
            TypeError,
            "gradient 0 must be an array of real numbers, got <U1.",
        ),
        (
            np.zeros(3),
            TypeError,
            "grads must be a list of arrays (one per parameter), got one array.",
        ),
    ],
)
def test_bad_gradients_get_one_sentence_and_change_nothing(grads, error, message):
    params = [np.ones(3), np.ones((2, 2))]
    opt = optim.SGD(params, lr=0.1, momentum=0.9)
    with pytest.raises(error) as info:
        opt.step(grads)
    assert str(info.value) == message
    assert all((p == 1).all() for p in params) and opt.state == [{}, {}]


def test_huge_but_finite_gradient_is_accepted():
    x = np.zeros(4, dtype=np.float32)
    optim.SGD([x], lr=1e-38).step([np.full(4, 3e38, dtype=np.float32)])  # its sum overflows
    assert np.isfinite(x).all() and (x < 0).all()


def test_schedule_made_lr_negative_is_caught_before_any_update():
    x, y = np.ones(2), np.ones(2)
    opt = optim.SGD([{"params": [x]}, {"params": [y]}], lr=0.1)
    opt.param_groups[1]["lr"] = -1.0
    with pytest.raises(ValueError, match=r"^lr must be non-negative, got -1.0.$"):
        opt.step([np.ones(2), np.ones(2)])
    assert (x == 1).all() and (y == 1).all()


def test_adam_step_on_copies_is_a_pure_reference():
    rng = np.random.default_rng(3)
    p, g = rng.normal(size=5), rng.normal(size=5)
    m, v, vmax = np.zeros(5), np.zeros(5), np.zeros(5)
    before = [a.copy() for a in (p, g, m, v, vmax)]
    args = [a.copy() for a in (p, g, m, v)]
    new_p, new_m, new_v = optim.adam_step(
        *args, 1, lr=0.1, amsgrad=True, max_exp_avg_sq=vmax.copy(), weight_decay=0.1
    )
    assert new_p is args[0] and new_m is args[2] and new_v is args[3]
    for a, b in zip(before, (p, g, m, v, vmax), strict=True):
        np.testing.assert_array_equal(a, b)
    # first step: m_hat = g, v_hat = g^2, so the step is lr * g / (|g| + eps) ~ lr * sign(g)
    g_l2 = g + 0.1 * p
    np.testing.assert_allclose(new_p, p - 0.1 * g_l2 / (np.abs(g_l2) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(new_m, 0.1 * g_l2, rtol=1e-12)


def test_adamw_step_decays_the_weights_outside_the_moments():
    p, g = np.array([2.0, -4.0]), np.array([0.5, 0.5])
    new_p, m, _ = optim.adamw_step(p.copy(), g, np.zeros(2), np.zeros(2), 1, lr=0.1)
    np.testing.assert_allclose(m, 0.1 * g)  # the moment saw the bare gradient
    np.testing.assert_allclose(new_p, p * (1 - 0.1 * 0.01) - 0.1 * g / (np.abs(g) + 1e-8))


def test_rmsprop_and_adagrad_steps_follow_their_equations():
    p, g = np.array([1.0, -2.0]), np.array([0.3, -0.4])
    new_p, v = optim.rmsprop_step(p.copy(), g, np.zeros(2), lr=0.01, alpha=0.9)
    np.testing.assert_allclose(v, 0.1 * g**2)
    np.testing.assert_allclose(new_p, p - 0.01 * g / (np.sqrt(0.1 * g**2) + 1e-8))
    new_p, s = optim.adagrad_step(p.copy(), g, np.full(2, 0.5), 3, lr=0.1, lr_decay=0.5)
    np.testing.assert_allclose(s, 0.5 + g**2)
    np.testing.assert_allclose(new_p, p - 0.1 / (1 + 2 * 0.5) * g / (np.sqrt(s) + 1e-10))


def test_state_holds_torchs_names():
    x = np.ones(2)
    opt = optim.Adam([x], amsgrad=True)
    opt.step([np.ones(2)])
    assert sorted(opt.state[0]) == ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]
    assert opt.state[0]["step"] == 1 and opt.param_groups[0]["betas"] == (0.9, 0.999)
    rms = optim.RMSprop([np.ones(2)], momentum=0.9, centered=True)
    rms.step([np.ones(2)])
    assert sorted(rms.state[0]) == ["grad_avg", "momentum_buffer", "square_avg", "step"]


def test_load_state_dict_rejects_a_mismatch():
    opt = optim.Adam([np.ones(2)])
    opt.step([np.ones(2)])
    saved = opt.state_dict()
    with pytest.raises(
        ValueError, match=r"^the state dict has 1 param groups, this optimizer 2\.$"
    ):
        optim.Adam([{"params": [np.ones(2)]}, {"params": [np.ones(2)]}]).load_state_dict(saved)
    with pytest.raises(
        ValueError,
        match=r"^state 'exp_avg' of parameter 0 has shape \(2,\) but the parameter has shape \(3,\)\.$",
    ):
        optim.Adam([np.ones(3)]).load_state_dict(saved)


def test_optimizer_modules_import_numpy_only():
    """Each file of course_utils/optim imports numpy, copy, validation and its own package only."""
    import ast
    from pathlib import Path

    allowed = {"__future__", "copy", "numpy", "course_utils.validation"}
    files = sorted(Path(optim.__file__).parent.glob("*.py"))
    assert {f.stem for f in files} >= {"optimizer", "sgd", "adagrad", "rmsprop", "adam", "adamw"}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                assert {a.name for a in node.names} <= allowed, (path.name, ast.dump(node))
            elif isinstance(node, ast.ImportFrom):
                own = node.level == 1  # from .adam import ...: the package itself
                assert own or node.module in allowed, (path.name, node.module)


def test_each_method_file_holds_its_step_function_and_its_class():
    for cls, step in [
        (optim.SGD, optim.sgd_step),
        (optim.Adagrad, optim.adagrad_step),
        (optim.RMSprop, optim.rmsprop_step),
        (optim.Adam, optim.adam_step),
        (optim.AdamW, optim.adamw_step),
    ]:
        assert cls.__module__ == step.__module__ == f"course_utils.optim.{cls.__name__.lower()}"
    assert optim.Optimizer.__module__ == "course_utils.optim.optimizer"


def test_the_classes_call_their_step_function_with_the_group_hyperparameters():
    x = np.ones(3)
    opt = optim.RMSprop([x], lr=0.01, momentum=0.5, centered=True)
    assert opt.step_options(opt.param_groups[0]) == {
        "lr": 0.01, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0, "momentum": 0.5,
        "centered": True, "maximize": False,
    }  # fmt: skip
    opt.param_groups[0]["initial_lr"] = 0.01  # a scheduler's key is not a step option
    assert "initial_lr" not in opt.step_options(opt.param_groups[0])
    # Adagrad's first step fills s_0 with initial_accumulator_value, in the class and the function
    p, g = np.array([1.0, -2.0]), np.array([0.3, -0.4])
    new_p, s = optim.adagrad_step(p.copy(), g, None, 1, lr=0.1, initial_accumulator_value=0.5)
    np.testing.assert_allclose(s, 0.5 + g**2)
    ours = p.copy()
    optim.Adagrad([ours], lr=0.1, initial_accumulator_value=0.5).step([g])
    np.testing.assert_array_equal(ours, new_p)


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_large_params_go_through_the_blocked_update_and_still_match_torch(name):
    """Past 65536 elements the final p <- p - lr d runs block by block (optim._inplace.descend)."""
    rng = np.random.default_rng(5)
    params = [rng.normal(size=(300, 250)), rng.normal(size=70_001), rng.normal(size=(400, 300)).T]
    ours_cls, torch_cls, _ = OPTIMIZERS[name]
    hyper = FEATURES[name]["maximize"]
    ours = [p.copy() for p in params]
    theirs = [torch.tensor(p, requires_grad=True) for p in params]
    opt, ref = ours_cls(ours, **hyper), torch_cls(theirs, **hyper)
    for _ in range(3):
        grads = [rng.normal(size=p.shape) for p in params]
        opt.step(grads)
        for p, g in zip(theirs, grads, strict=True):
            p.grad = torch.from_numpy(g)
        ref.step()
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b.detach().numpy(), rtol=1e-12, atol=1e-14)
