"""Exercise 06, question 4: predict the entropy of the sampling distribution softmax(y / τ) in
the two limits of the temperature, τ → 0+ and τ → ∞. Lecture §4 samples the untrained model at
τ = 0.5, 1, 1.5 and the trained model at τ = 0.3, 0.5, 0.8, 1.2 (four sampling seeds), and measures
there the fraction of real words and the distinct real words; it does not give the entropy's
limits. The solution notebook then measures both limits.

As τ → 0+ the mass goes, in equal shares, to the logits equal to the largest one (m of them: the
entropy tends to ln m); as τ → ∞ every logit divided by τ tends to 0 and the distribution to the
uniform one over the V entries (ln V). Entropies in nats. The limit is taken at fixed logits, so
only exact ties count: at a small but fixed τ, logits closer than about τ still share the mass
(the solution notebook measures [2, 2 + 1e-9, 0]), so the cold limit is not continuous in the
logits.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question


def _logits(logits):
    y = np.asarray(logits, dtype=float)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"logits must be a non-empty 1-D array, got shape {y.shape}.")
    if not np.isfinite(y).all():
        raise ValueError("logits must be finite numbers (no NaN or inf).")
    return y


def _temperature_limits(logits):
    y = _logits(logits)
    return float(np.log(np.count_nonzero(y == y.max()))), float(np.log(y.size))


def _cold_is_zero(logits):  # one winner assumed: ties ignored
    return 0.0, float(np.log(_logits(logits).size))


def _near_tie_is_tie(logits):  # np.isclose as the tie test: a near-tie counted as a tie
    y = _logits(logits)
    return float(np.log(np.count_nonzero(np.isclose(y, y.max())))), float(np.log(y.size))


def _relative_tolerance(logits):  # a tie test with a relative tolerance of 1e-12
    y = _logits(logits)
    return float(np.log(np.count_nonzero(np.isclose(y, y.max(), rtol=1e-12, atol=0)))), float(
        np.log(y.size)
    )


_NEAR_TIE = (
    "A near-tie is not a tie: the limit is taken with the logits fixed, and however "
    "close two logits are, once τ is far smaller than their difference the larger one "
    "takes all the mass. Count only the logits exactly equal to the largest, in float64: a "
    "tolerance, rounding, or float32 (where 2 + 1e-9 equals 2) each turn a near-tie into a tie."
)


def _in_bits(logits):
    y = _logits(logits)
    return float(np.log2(np.count_nonzero(y == y.max()))), float(np.log2(y.size))


def _hot_is_tau_one(logits):  # the entropy at τ = 1, the model's own distribution
    y = _logits(logits)
    p = np.exp(y - y.max())
    p /= p.sum()
    return float(np.log(np.count_nonzero(y == y.max()))), float(-(p * np.log(p)).sum())


def _hot_at_large_tau(logits, tau=1e3):  # the hot limit measured at a large, finite τ
    y = _logits(logits)
    p = np.exp((y - y.max()) / tau)
    p /= p.sum()
    return float(np.log(np.count_nonzero(y == y.max()))), float(-(p * np.log(p)).sum())


TEMPERATURE_LIMITS = Question(
    name="temperature_limits",
    returns=("entropy_cold", "entropy_hot"),
    points=2,
    skill="prediction",
    reference=_temperature_limits,
    inputs_unchanged=True,
    cases=(
        Case(lambda: (np.array([2.0, 1.0, 0.0, -1.0]),), "logits [2, 1, 0, -1]: one largest"),
        Case(lambda: (np.array([3.0, 1.0, 3.0, 0.5, 3.0]),), "logits [3, 1, 3, 0.5, 3]: a tie"),
        Case(
            lambda: (np.array([10.0, -10.0, 0.0, 5.0]),),
            "spread-out logits [10, -10, 0, 5]",
        ),
        Case(lambda: (np.array([0.7]),), "a single logit, V = 1"),
        Case(lambda: (np.array([4.0, 4.0]),), "two equal logits [4, 4]"),
        Case(
            lambda: (np.array([1.0, 1.0 + 1e-6, 0.0]),),
            "logits [1, 1 + 1e-6, 0]: a near-tie, not a tie",
        ),
        Case(
            lambda: (np.array([2.0, 2.0 + 1e-9, 0.0]),),
            "logits [2, 2 + 1e-9, 0]: a near-tie, not a tie (float32 cannot tell them apart)",
        ),
        Case(
            lambda: (np.array([1.0, np.nextafter(1.0, 2.0), 0.0]),),
            "logits [1, the next float64 above 1, 0]: the closest near-tie, still not a tie",
        ),
        Case(
            lambda: (np.array([]),), "no logits, V = 0 (must raise ValueError)", raises="ValueError"
        ),
        Case(
            lambda: (np.array([1.0, np.nan]),),
            "a NaN logit (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda rng: (rng.integers(-3, 3, size=int(rng.integers(2, 12))).astype(float),),
            "random small integer logits (ties likely)",
            hidden=True,
        ),
        Case(
            lambda: (np.array([1.0, np.inf]),),
            "an infinite logit",
            hidden=True,
            raises="ValueError",
        ),
        Case(
            lambda: (np.array([1.0, -np.inf]),),
            "a logit of -inf",
            hidden=True,
            raises="ValueError",
        ),
    ),
    mistakes=(
        Mistake(
            "As τ → 0 the mass does not always go to one entry: when several logits tie for the "
            "largest, it is shared equally among them, and the entropy of equal shares is the "
            "logarithm of how many there are (ln 2 for two tied logits), not 0.",
            _cold_is_zero,
        ),
        Mistake(
            "Even a relative tolerance of 1e-12 counts two different float64 values as a tie "
            "(1 and the next float above it): count only the logits exactly equal to the largest.",
            _relative_tolerance,
        ),
        Mistake(_NEAR_TIE, _near_tie_is_tie),
        Mistake(
            "Your entropies are in bits (log base 2): give them in nats, with the natural "
            "logarithm, as the lecture's losses are.",
            _in_bits,
        ),
        Mistake(
            "The hot limit is not the entropy at τ = 1: as τ grows every logit divided by τ "
            "shrinks towards 0, whatever the logits are.",
            _hot_is_tau_one,
        ),
        Mistake(
            "The hot limit is a limit, not the entropy at a large τ: at any finite τ the "
            "logits still differ after division by τ (their gaps shrink like 1/τ but never "
            "vanish), so the entropy is still below its limit. Predict the limit itself from what the distribution tends to.",
            _hot_at_large_tau,
        ),
    ),
    hint=(
        "Predict each limit from what dividing the logits by τ does: as τ → 0 the differences "
        "between logits are magnified without bound, as τ → ∞ they vanish; count how many "
        "entries keep probability in each limit (exact ties count, near-ties do not). V = 0 or a logit that is not "
        "finite is a ValueError."
    ),
)
