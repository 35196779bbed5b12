"""Exercise 07, question 3: derive the backward recursion over the lag for the RNN in the form
Pascanu, Mikolov & Bengio (2013) analyse, h_t = W_hh tanh(h_{t-1}) + W_ih x_t + b (the
activation applied to the previous state, as in lecture §5's one-unit cliff model), where the
lecture derives it for h_t = tanh(a_t).

Here dh_t/dh_{t-1} = W_hh diag(tanh'(h_{t-1})), so the gradient goes back by
df/dh_{j-1} = tanh'(h_{j-1}) ⊙ (W_hh^T df/dh_j), with tanh'(h) = 1 - tanh(h)^2. The answer
returns every lag at once: row ℓ is df/dh_{T-ℓ}, ℓ = 0..T.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question


def _check(W_hh, hs, df_dhT):
    W, hs, g = (np.asarray(v, dtype=float) for v in (W_hh, hs, df_dhT))
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W_hh must be a square (H, H) array, got shape {W.shape}.")
    H = W.shape[0]
    if hs.ndim != 2 or hs.shape[0] < 1 or hs.shape[1] != H:
        raise ValueError(f"hs must have shape (T + 1, H) with T >= 0 and H = {H}, got {hs.shape}.")
    if g.shape != (H,):
        raise ValueError(f"df_dhT must have shape ({H},), got {g.shape}.")
    return W, hs, g


def _by_lag(W_hh, hs, df_dhT, step):
    W, hs, g = _check(W_hh, hs, df_dhT)
    T = len(hs) - 1
    out = np.empty((T + 1, len(g)))
    out[0] = g
    for lag in range(1, T + 1):
        j = T - lag + 1  # from df/dh_j to df/dh_{j-1}
        out[lag] = step(W, hs[j - 1], hs[j], out[lag - 1])
    return out


def _dtanh(h):
    return 1.0 - np.tanh(h) ** 2


def _state_form_grads(W_hh, hs, df_dhT):
    return _by_lag(W_hh, hs, df_dhT, lambda W, h_prev, h, g: _dtanh(h_prev) * (W.T @ g))


def _lecture_recursion(W_hh, hs, df_dhT):  # the lecture's form, the state read as a_j
    return _by_lag(W_hh, hs, df_dhT, lambda W, h_prev, h, g: W.T @ (_dtanh(h) * g))


def _derivative_at_later_state(W_hh, hs, df_dhT):
    return _by_lag(W_hh, hs, df_dhT, lambda W, h_prev, h, g: _dtanh(h) * (W.T @ g))


def _derivative_first(W_hh, hs, df_dhT):
    return _by_lag(W_hh, hs, df_dhT, lambda W, h_prev, h, g: W.T @ (_dtanh(h_prev) * g))


def _not_transposed(W_hh, hs, df_dhT):
    return _by_lag(W_hh, hs, df_dhT, lambda W, h_prev, h, g: _dtanh(h_prev) * (W @ g))


def _one_minus_h_squared(W_hh, hs, df_dhT):
    return _by_lag(W_hh, hs, df_dhT, lambda W, h_prev, h, g: (1 - h_prev**2) * (W.T @ g))


def _no_shape_checks(W_hh, hs, df_dhT):
    # no checks, the rows collected in a list: numpy raises by itself where a product does not
    # fit, but with T = 0 no product is computed (referee sc07 E2, /work/ref/sc07/exp_q3.py)
    out = [np.array(df_dhT, dtype=float)]
    for lag in range(1, len(hs)):
        out.append(_dtanh(hs[len(hs) - 1 - lag]) * (W_hh.T @ out[-1]))
    return np.array(out)


def state_form_states(W_hh, W_ih, b, xs, h0):
    """h_0..h_T of h_t = W_hh tanh(h_{t-1}) + W_ih x_t + b, rows of a (T + 1, H) array."""
    hs = [np.asarray(h0, dtype=float)]
    for x in xs:
        hs.append(W_hh @ np.tanh(hs[-1]) + W_ih @ x + b)
    return np.array(hs)


def random_state_form(rng, H, T, D=2, gain=1.2):
    """(W_hh, hs, df_dhT) of a random state-form RNN driven by T random inputs."""
    W = gain * rng.normal(size=(H, H)) / np.sqrt(H)
    hs = state_form_states(
        W,
        rng.normal(size=(H, D)),
        0.3 * rng.normal(size=H),
        rng.normal(size=(T, D)),
        rng.normal(size=H),
    )
    return W, hs, rng.normal(size=H)


W_FIXED = np.array([[0.5, -1.2, 0.4], [0.9, 0.3, -0.8], [-0.6, 1.1, 0.2]])
HS_FIXED = np.array(
    [[0.4, -1.3, 0.8], [1.6, 0.2, -0.9], [-0.7, 0.9, 1.2], [0.3, -1.1, -0.5]]
)  # rows h_0 .. h_3
G_FIXED = np.array([1.0, -2.0, 0.5])

STATE_FORM_GRADS = Question(
    name="state_form_grads",
    points=4,
    skill="derivation",
    reference=_state_form_grads,
    # rn0607 07-3: a derivation meets 1e-9, two-point central differences do not on the H = 5,
    # T = 12 case (visible now, as long as the hidden one) at any step tried, 1e-6..1e-4; rw07: a
    # five-point stencil at h = 1e-3 passes every case (the text says so); the course's finite
    # differences score 0
    rtol=1e-9,
    atol=1e-12,
    library=("course_utils.gradcheck.numerical_gradient",),
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (W_FIXED.copy(), HS_FIXED.copy(), G_FIXED.copy()),
            "the W_hh, hs (T = 3) and df_dhT printed above",
        ),
        Case(
            lambda: (W_FIXED.copy(), HS_FIXED[:1].copy(), G_FIXED.copy()),
            "T = 0: hs holds h_0 only",
        ),
        Case(
            lambda: random_state_form(np.random.default_rng(12), 5, 12),
            "H = 5, T = 12 (seed 12)",
        ),
        Case(
            lambda: (W_FIXED.copy(), HS_FIXED[:, :2].copy(), G_FIXED.copy()),
            "hs with 2 columns for H = 3 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(  # referee sc07 E2: T = 0 computes no product, so numpy would not notice
            lambda: (W_FIXED.copy(), HS_FIXED[:1].copy(), np.append(G_FIXED, 0.0)),
            "T = 0 and df_dhT of length 4 for H = 3 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(lambda rng: random_state_form(rng, 5, 12), "H = 5, T = 12, random", hidden=True),
        Case(lambda rng: random_state_form(rng, 1, 6, gain=3.0), "H = 1, T = 6", hidden=True),
        Case(
            lambda: (W_FIXED[:2].copy(), HS_FIXED.copy(), G_FIXED.copy()),
            "a W_hh that is not square",
            hidden=True,
            raises="ValueError",
        ),
        Case(
            lambda: (W_FIXED.copy(), HS_FIXED.copy(), G_FIXED[None, :].copy()),
            "df_dhT of shape (1, 3), a row, for H = 3 (must raise ValueError)",
            hidden=True,
            raises="ValueError",
        ),
        Case(
            lambda: (W_FIXED.copy(), HS_FIXED[:1, :2].copy(), G_FIXED.copy()),
            "T = 0 and hs with 2 columns for H = 3 (must raise ValueError)",
            hidden=True,
            raises="ValueError",
        ),
        Case(
            lambda: (W_FIXED[:, :2].copy(), HS_FIXED[:1].copy(), G_FIXED.copy()),
            "T = 0 and a W_hh of shape (3, 2), not square (must raise ValueError)",
            hidden=True,
            raises="ValueError",
        ),
    ),
    mistakes=(
        Mistake(
            "That is the lecture's recursion, for a state that is the tanh OF the step's "
            "pre-activation: here the tanh acts on the PREVIOUS state inside the step, so its "
            "derivative is taken at h_{j-1} and multiplies after the transposed W_hh.",
            _lecture_recursion,
        ),
        Mistake(
            "tanh' is evaluated at the wrong state: in this form step j applies the tanh to the "
            "previous state h_{j-1}, so that is where its derivative is taken.",
            _derivative_at_later_state,
        ),
        Mistake(
            "Right derivative, wrong order: the Jacobian is W_hh times diag(tanh'(h_{j-1})), so "
            "its transpose multiplies by the transposed W_hh FIRST and by tanh'(h_{j-1}) after.",
            _derivative_first,
        ),
        Mistake(
            "The gradient flows back through the TRANSPOSE of W_hh, not through W_hh itself.",
            _not_transposed,
        ),
        Mistake(
            "One minus the square of a value is tanh' only when that value is a tanh's OUTPUT; "
            "here the states are not (each is W_hh times a tanh, plus input and bias): square "
            "the tanh of the state instead.",
            _one_minus_h_squared,
        ),
        Mistake(
            "Check the shapes yourself and raise ValueError when they do not fit: numpy raises "
            "by itself only where a product does not fit, and with T = 0 (one row in hs) no "
            "product is computed, so a df_dhT of the wrong length can go unnoticed.",
            _no_shape_checks,
            missing_raise="ValueError",
        ),
    ),
    hint=(
        "Write one step's Jacobian dh_j/dh_{j-1} with the chain rule (which factor comes first, "
        "and at which state is tanh' taken?), then apply its transpose T times, from df/dh_T "
        "back to df/dh_0, keeping every row. Shapes that do not fit are a ValueError."
    ),
)
