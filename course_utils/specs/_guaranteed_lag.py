"""Exercise 07, question 4: from lecture §2's bound, predict the lag by which the gradient is
guaranteed to have fallen below a threshold, then measure the lag on the lecture's RNN.

||df/dh_{T-ℓ}|| <= (γ ||W_hh||_2)^ℓ ||df/dh_T||, so with q = γ ||W_hh||_2 < 1 the bound falls
below θ = ``threshold`` at the smallest integer ℓ >= 0 with q^ℓ · n < θ (n = ``grad_norm``).
When n < θ that is ℓ = 0; when q >= 1 - 1e-12 (and n >= θ) the bound guarantees no lag: ValueError.
The margin 1e-12 absorbs rounding (rl0307 07-2): an orthogonal W_hh's computed spectral norm lies
a few units of 1e-16 either side of 1 (0.9999999999999999 for the QR draw of seed 20 below, within
9e-16 of 1 for 50 draws each at H = 3, 64, 256), and at q = 1 - 1e-12 the first lag below would be
about 1e12 ln(n/θ), which no loop counts to either.
A visible case at q = 0.99999 (lag 1030891, about a second for a loop) refuses a looser cut-off
such as np.isclose(q, 1) or q >= 0.999 (sd07 E3).
The cases include the ties (n = θ; q^ℓ n = θ exactly at a whole lag) that "strictly below" decides,
a q >= 1 with n < θ (0, no error), q = 1 exactly (the identity with tanh: an answer that raises
only for q > 1 loops forever there, rk07 L3), each of the four activations (the linear one on a
non-normal W_hh, where the spectral radius gives another lag: rh07 E3), W_hh = 0 (q = 0: lag 1, where
math.log(q) fails: rx07 E1) and each argument the text
says to refuse, among them grad_norm = inf, whose bound is inf at every lag (rh07 E5), and a
non-square W_hh of norm below 1, which only a shape check refuses (rk07 L4), and grad_norm = 0,
valid and below any threshold (answer 0), which an answer refusing non-positive norms gets wrong
(sf07 E1). The reference returns a float and exact_types is on (sf07 E3): an int, an np.int64 or
an integer-valued float fits, as the text says, and a 1-element array does not.
"""

from __future__ import annotations

import math

import numpy as np

from .base import Case, Mistake, Question

GAMMA = {"linear": 1.0, "tanh": 1.0, "relu": 1.0, "sigmoid": 0.25}
NO_SHRINK = 1.0 - 1e-12  # q at or above this: the bound does not shrink (rounding of q = 1)


def _lag(q, n, threshold):
    if n < threshold:
        return 0
    if q >= NO_SHRINK:
        raise ValueError(
            f"gamma * ||W_hh||_2 = {float(q)!r} >= 1 - 1e-12: the bound does not shrink, so it "
            "guarantees no lag."
        )
    if q == 0.0:
        return 1
    lag = max(0, math.floor(math.log(threshold / n) / math.log(q)))
    while q**lag * n >= threshold:  # the first lag strictly below, exact in floating point
        lag += 1
    while lag > 0 and q ** (lag - 1) * n < threshold:
        lag -= 1
    return lag


def _checked(W_hh, activation, grad_norm, threshold):
    if activation not in GAMMA:
        raise ValueError(f"activation must be one of {', '.join(GAMMA)}, got {activation!r}.")
    W = np.asarray(W_hh, dtype=float)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W_hh must be a square (H, H) array, got shape {W.shape}.")
    if not (threshold > 0 and grad_norm >= 0):
        raise ValueError(
            f"threshold must be > 0 and grad_norm >= 0, got {threshold} and {grad_norm}."
        )
    if not np.isfinite(grad_norm):
        raise ValueError(
            f"grad_norm must be finite, got {grad_norm}: an infinite bound guarantees no lag."
        )
    return W


def _guaranteed_lag(W_hh, activation, grad_norm, threshold):
    W = _checked(W_hh, activation, grad_norm, threshold)
    return _lag(GAMMA[activation] * np.linalg.norm(W, 2), grad_norm, threshold)


def _guaranteed_lag_number(W_hh, activation, grad_norm, threshold):
    # sf07 E3: a float, so that with exact_types an int, an np.int64 or an integer-valued float
    # fits (the text accepts each), and a 1-element array does not
    return float(_guaranteed_lag(W_hh, activation, grad_norm, threshold))


def _refuses_zero(W_hh, activation, grad_norm, threshold):
    # sf07 E1: the "must be positive" pattern of questions 1 and 2 copied onto grad_norm
    if grad_norm <= 0:
        raise ValueError("grad_norm must be positive.")
    return _guaranteed_lag(W_hh, activation, grad_norm, threshold)


def _spectral_radius(W_hh, activation, grad_norm, threshold):
    W = _checked(W_hh, activation, grad_norm, threshold)
    return _lag(GAMMA[activation] * np.abs(np.linalg.eigvals(W)).max(), grad_norm, threshold)


def _frobenius(W_hh, activation, grad_norm, threshold):
    W = _checked(W_hh, activation, grad_norm, threshold)
    return _lag(GAMMA[activation] * np.linalg.norm(W), grad_norm, threshold)


def _no_gamma(W_hh, activation, grad_norm, threshold):
    W = _checked(W_hh, activation, grad_norm, threshold)
    return _lag(np.linalg.norm(W, 2), grad_norm, threshold)


def _last_lag_above(W_hh, activation, grad_norm, threshold):
    return max(0, _guaranteed_lag(W_hh, activation, grad_norm, threshold) - 1)


def _relative_threshold(W_hh, activation, grad_norm, threshold):
    return _guaranteed_lag(W_hh, activation, 1.0, threshold)


def _raise_first(W_hh, activation, grad_norm, threshold):
    W = _checked(W_hh, activation, grad_norm, threshold)
    if GAMMA[activation] * np.linalg.norm(W, 2) >= NO_SHRINK:
        raise ValueError("gamma * ||W_hh||_2 >= 1: no lag is guaranteed.")
    return _guaranteed_lag(W, activation, grad_norm, threshold)


def _at_or_below(W_hh, activation, grad_norm, threshold):
    _checked(W_hh, activation, grad_norm, threshold)
    if grad_norm <= threshold:
        return 0
    return _guaranteed_lag(W_hh, activation, grad_norm, threshold)


def _cut_off_near_one(W_hh, activation, grad_norm, threshold):
    # sd07 E3: "no lag" for q within np.isclose's rtol 1e-5 of 1, not only from 1 - 1e-12 on
    W = _checked(W_hh, activation, grad_norm, threshold)
    q = GAMMA[activation] * np.linalg.norm(W, 2)
    if grad_norm >= threshold and np.isclose(q, 1.0):
        raise ValueError("gamma * ||W_hh||_2 is close to 1: no lag is guaranteed.")
    return _guaranteed_lag(W, activation, grad_norm, threshold)


def _ceil_of_logs(W_hh, activation, grad_norm, threshold):
    W = _checked(W_hh, activation, grad_norm, threshold)
    q = GAMMA[activation] * np.linalg.norm(W, 2)
    if grad_norm < threshold:
        return 0
    if q >= NO_SHRINK:
        raise ValueError("gamma * ||W_hh||_2 >= 1: no lag is guaranteed.")
    return max(0, math.ceil(math.log(threshold / grad_norm) / math.log(q)))


# upper triangular: eigenvalues 0.5, 0.3, 0.4 (rho = 0.5), ||W||_2 = 0.819; Frobenius 0.949
W_TANH = np.array([[0.5, 0.6, 0.0], [0.0, 0.3, 0.2], [0.0, 0.0, 0.4]])
# rho = 2, ||W||_2 = 3.277: gamma ||W||_2 = 0.819 for a sigmoid, > 1 for tanh
W_SIGMOID = 4.0 * W_TANH
# ||W_HALF||_2 = 0.5 exactly: from grad_norm 1 the bound is 2^-l, exactly 2^-10 at lag 10 (a tie)
W_HALF = np.diag([0.5, 0.25])
MATRICES = {"W_TANH": W_TANH, "W_SIGMOID": W_SIGMOID}


def orthogonal_seed_20():
    """rl0307 07-2: a 3x3 orthogonal Q whose computed spectral norm is 0.9999999999999999 (with
    numpy's OpenBLAS; another LAPACK may round it to 1 or above: every one is >= NO_SHRINK)."""
    return np.linalg.qr(np.random.default_rng(20).standard_normal((3, 3)))[0]


def _random_case(rng):
    H = int(rng.integers(2, 7))
    W = rng.normal(size=(H, H))
    W *= rng.uniform(0.5, 0.95) / np.linalg.norm(W, 2)
    return W, "tanh", float(rng.uniform(1.0, 20.0)), float(10.0 ** rng.uniform(-8, -2))


GUARANTEED_LAG = Question(
    name="guaranteed_lag",
    points=2,
    skill="prediction",
    reference=_guaranteed_lag_number,
    rtol=0.0,
    atol=0.0,
    inputs_unchanged=True,
    exact_types=True,
    cases=(
        *(
            Case(
                lambda name=name, act=act: (MATRICES[name].copy(), act, 3.0, 1e-4),
                f"{name} above, {act}, grad_norm 3, threshold 1e-4",
            )
            for name, act in (
                ("W_TANH", "tanh"),
                ("W_SIGMOID", "sigmoid"),
                ("W_TANH", "relu"),  # rh07 E3: every activation of the text
                ("W_TANH", "linear"),  # non-normal: the spectral radius gives another lag
            )
        ),
        Case(
            lambda: (W_TANH.copy(), "linear", 1e-5, 1e-4), "grad_norm already below the threshold"
        ),
        Case(
            lambda: (W_SIGMOID.copy(), "tanh", 3.0, 1e-4),
            "W_SIGMOID with tanh: gamma ||W||_2 > 1 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (np.eye(3), "tanh", 3.0, 1e-4),
            "W_hh = np.eye(3) with tanh (the identity): gamma ||W_hh||_2 = 1 "
            "exactly, so the bound stays at grad_norm at every lag and never falls below the "
            "threshold (must raise ValueError; a loop until the bound is below never ends)",
            raises="ValueError",
        ),
        Case(
            lambda: (orthogonal_seed_20(), "tanh", 3.0, 1e-4),
            "W_hh = np.linalg.qr(np.random.default_rng(20).standard_normal((3, 3)))[0], an "
            "orthogonal matrix, with tanh: its computed spectral norm is 1 up to rounding "
            "(0.9999999999999999 here), so q >= 1 - 1e-12 and the bound does not shrink (must "
            "raise ValueError; a loop until the bound is below runs about 9e16 times)",
            raises="ValueError",
        ),
        Case(  # sd07 E3: a cut-off such as np.isclose(q, 1) or q >= 0.999 raises here
            lambda: (0.99999 * np.eye(3), "tanh", 3.0, 1e-4),
            "W_hh = 0.99999 * np.eye(3), tanh, grad_norm 3, threshold 1e-4: q = 0.99999 is below "
            "1 - 1e-12, so the bound shrinks and a lag is guaranteed (about 10^6)",
        ),
        Case(
            lambda: (W_SIGMOID.copy(), "tanh", 1e-5, 1e-4),
            "W_SIGMOID with tanh, grad_norm 1e-5 already below the threshold 1e-4 (the answer is "
            "0 although gamma ||W||_2 > 1)",
        ),
        Case(
            lambda: (W_HALF.copy(), "linear", 1.0, 2.0**-10),
            "W_hh = diag(0.5, 0.25), linear, grad_norm 1, threshold 2^-10 (the bound equals the "
            "threshold at lag 10: not strictly below)",
        ),
        Case(  # sf07 E1: grad_norm = 0 is valid (a norm >= 0) and below any threshold
            lambda: (W_TANH.copy(), "tanh", 0.0, 1e-4),
            "W_TANH above, tanh, grad_norm = 0 (a zero gradient: already below the threshold, "
            "so the answer is 0)",
        ),
        Case(
            lambda: (W_TANH.copy(), "tanh", 1e-4, 1e-4),
            "W_TANH above, tanh, grad_norm equal to the threshold 1e-4 (not below it)",
        ),
        Case(
            lambda: (W_TANH.copy(), "tanh", 3.0, 0.0),
            "threshold = 0 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (W_TANH.copy(), "tanh", float("inf"), 1e-4),
            "grad_norm = inf, an overflowed norm (must raise ValueError)",
            raises="ValueError",
        ),
        Case(_random_case, "a random W_hh with ||W_hh||_2 < 1, tanh", hidden=True),
        Case(
            lambda: (W_TANH.copy(), "softplus", 3.0, 1e-4),
            "an unknown activation",
            hidden=True,
            raises="ValueError",
        ),
        Case(
            # ||.||_2 = 0.245 < 1: only a shape check refuses it (np.ones had norm 2.45, which
            # the q >= 1 rule refused as well: rk07 L4)
            lambda: (0.1 * np.ones((2, 3)), "tanh", 3.0, 1e-4),
            "a W_hh that is not square (spectral norm 0.245 < 1)",
            hidden=True,
            raises="ValueError",
        ),
        Case(
            lambda: (W_TANH.copy(), "tanh", -1.0, 1e-4),
            "a negative grad_norm",
            hidden=True,
            raises="ValueError",
        ),
        Case(
            # rx07 E1: q = 0, the bound is 0 from lag 1 on; math.log(q) raises here instead
            lambda: (np.zeros((3, 3)), "tanh", 3.0, 1e-4),
            "W_hh = np.zeros((3, 3)), tanh, grad_norm 3, threshold 1e-4 (gamma ||W_hh||_2 = 0: "
            "the bound is 0 from lag 1 on, so the answer is 1)",
            hidden=True,
        ),
    ),
    mistakes=(
        # first: _frobenius also raises on 0.99999 * eye(3) (its norm is 1.7)
        Mistake(
            "The cut-off is 1 - 1e-12 and no looser: a factor q of 0.99999, or any q below 1 - "
            "1e-12, shrinks the bound, slowly, and the lag it guarantees must be returned "
            "(np.isclose(q, 1) has a relative tolerance of 1e-5).",
            _cut_off_near_one,
        ),
        Mistake(
            "That uses the spectral radius (largest |eigenvalue|): it sets the long-run rate of a "
            "linear RNN, but the bound at every lag needs the spectral norm, the largest singular "
            "value.",
            _spectral_radius,
        ),
        Mistake(
            "That is the Frobenius norm (np.linalg.norm(W) without ord): the bound uses the "
            "spectral norm, the matrix 2-norm.",
            _frobenius,
        ),
        Mistake(
            "The activation's factor gamma is missing: for the sigmoid each step also multiplies "
            "by sigmoid' <= 1/4.",
            _no_gamma,
        ),
        Mistake(
            "Already below means strictly below: a grad_norm equal to the threshold is not below "
            "it, so the answer is not 0 there.",
            _at_or_below,
        ),
        Mistake(
            "Where the bound q^l grad_norm equals the threshold exactly at a whole lag, it is not "
            "yet strictly below: the answer is one more. A loop must go on while bound >= "
            "threshold (not stop at equality), and a rounded-up logarithm needs one added there.",
            _ceil_of_logs,
        ),
        Mistake(
            "Off by one: that is the last lag at which the bound is still at or above the "
            "threshold; the question asks for the first lag at which it is below.",
            _last_lag_above,
        ),
        Mistake(
            "Look at grad_norm first: if it is already below the threshold the answer is 0, even "
            "when gamma ||W_hh||_2 >= 1; only otherwise does a bound that never shrinks raise.",
            _raise_first,
        ),
        Mistake(
            "grad_norm = 0 is allowed: it is a norm, so it only has to be >= 0, and 0 is below "
            "any positive threshold, so the answer there is 0 (refuse only a negative or infinite "
            "grad_norm).",
            _refuses_zero,
        ),
        Mistake(
            "The bound starts from ||df/dh_T|| = grad_norm, not from 1: the threshold is on the "
            "gradient's norm itself.",
            _relative_threshold,
        ),
    ),
    hint=(
        "Take norms in the product of Jacobians (lecture §2): the bound at lag l is "
        "(gamma ||W_hh||_2)^l times grad_norm, with the spectral norm. Find the smallest whole l "
        ">= 0 at which it is strictly below the threshold; a bound that never shrinks (factor "
        "gamma ||W_hh||_2 >= 1 - 1e-12, rounding of 1 included) guarantees nothing (ValueError)."
    ),
)
