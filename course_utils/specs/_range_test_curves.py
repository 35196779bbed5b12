"""The generated smoothed range-test curves of question 4 of exercise set 05
(``range_test_verdict``, in ``_range_test_verdict.py``): no training, so hidden cases change every
grading run. A private part of that spec (the registry skips modules whose name starts with
``_``)."""

from __future__ import annotations

import numpy as np

from .base import Case


def _curve(kind, n=80, seed=0, dip=None, tail=None):
    """A smoothed range-test loss of ``n`` steps from 2.3 (ln 10: chance for ten classes).
    ``kind``: "usable" (falls to 0.6, then blows up past 4x its lowest), "falling" (still falls
    at the end), "seed 2" (falls to 1.96, rises to 2.9: above the start, under 4x its lowest),
    "stop rule" (falls to 0.3, rises to 1.3: 4x its lowest, under the start), "too high" (rises
    from the start). ``dip``: (index, value) of a settling dip; ``tail``: NaN or inf after the
    lowest point (the finite values there stay under both limits)."""
    noise = 0.003 * np.random.default_rng(seed).standard_normal(n)
    x = np.linspace(0.0, 1.0, n)
    bottom, top, turn = {
        "usable": (0.6, 2.6, 0.75),
        "falling": (0.5, 0.5, 1.5),
        "seed 2": (1.96, 2.9, 0.6),
        "stop rule": (0.3, 1.3, 0.75),
        "too high": (2.3, 6.0, 0.0),
    }[kind]
    fall = 2.3 - (2.3 - bottom) * np.clip(x / max(turn, 1e-9), 0, 1) ** 0.7
    rise = (top - bottom) * np.clip((x - turn) / max(1 - turn, 1e-9), 0, 1) ** 2
    loss = np.abs(fall + rise + noise * (kind != "too high"))
    loss[0] = 2.3
    if kind == "too high":
        loss[1:] = 2.3 + 3.7 * x[1:] + 0.01
    if dip is not None:
        loss[dip[0]] = dip[1]
    if tail is not None:
        lowest = int(np.argmin(loss[10:])) + 10
        loss[lowest + 1 : lowest + 3] = np.minimum(loss[lowest + 1 : lowest + 3], bottom + 0.05)
        loss[lowest + 3 :] = tail
    return loss


def _lowest_at_skip_start(skip_start=10):
    """Lowest exactly at index skip_start, then a blow-up: a 20-step sweep."""
    loss = np.r_[2.3, np.full(skip_start - 1, 2.35), 1.0, np.linspace(2.5, 6.0, 19 - skip_start)]
    return loss, skip_start


def _recovers():
    """Falls to 1.0, blows up to 5.0 (over 4x the lowest, above the start), then falls again to
    1.5: the turn was seen, although the last value is under both limits."""
    return (np.r_[2.3, np.full(9, 2.35), 2.0, 1.5, 1.0, 2.0, 5.0, 3.0, 1.5],)


def _flat(seed=0, n=80):
    """A sweep whose rates never left the too-small range: 2.3 plus mini-batch noise of at most
    0.018, under the margin 0.02 x 2.3 both ways; its lowest after skip_start is below the start and a
    later value above it (without a margin it would read as fell and turned)."""
    noise = np.random.default_rng(seed).standard_normal(n)
    loss = 2.3 + 0.006 * noise / np.abs(noise).max() * 3
    loss[0] = 2.3
    lowest = 10 + int(np.argmin(loss[10:]))
    loss[lowest], loss[-1] = 2.28, 2.32  # a fall and a later rise, each within the margin
    return (loss,)


def _sqrt_fall():
    """Falls from 2.3 to 0.4 as a square root, still falling at its last rate: values early in
    the fall (1.62 at step 10) lie above 4 x its lowest, before the lowest point."""
    return (2.3 - 1.9 * np.linspace(0.0, 1.0, 80) ** 0.5,)


def _small_rise():
    """Falls from 2.3 to 1.0, then rises back to 2.32: above the first value, but by less than the
    margin 0.02 x 2.3, and under 4 x its lowest: no turn by the task's limits."""
    return (np.r_[2.3, np.full(9, 2.0), np.linspace(2.0, 1.0, 20), np.linspace(1.0, 2.32, 10)],)


def _flat_then_nan():
    """Never fell (2.29 after its first value 2.3, within the margin), then NaN recorded at its
    last step: the blow-up of a sweep that began too high, recorded by another tool."""
    return (np.r_[2.3, np.full(20, 2.29), np.nan],)


def _settling_bump():
    """A moving average that overshoots its start while settling, then stays flat (rm05 E2)."""
    return (np.r_[2.3, 2.4, 2.42, 2.4, 2.36, 2.33, 2.31, 2.3, 2.3, 2.3, np.full(20, 2.3)],)


def _generated(kind):
    def make(rng):
        n = int(rng.integers(60, 140))
        dip = (int(rng.integers(1, 10)), float(rng.uniform(0.05, 0.2)))
        tail = [None, np.nan, np.inf][int(rng.integers(3))] if kind == "usable" else None
        if kind == "flat":
            return _flat(int(rng.integers(1000)), n)[0], 10
        if kind == "too high, stopped":  # the realistic too-high sweep: the stop rule fired
            return _curve("too high", n, int(rng.integers(1000)), dip), 10, 4.0, True
        if kind == "stopped unrecorded":  # lr_range_test stopped at a NaN it did not record
            return _curve("falling", n, int(rng.integers(1000)), dip), 10, 4.0, True
        return _curve(kind, n, int(rng.integers(1000)), dip, tail), 10

    return make


#: The hidden cases: one generated sweep of each kind, new inputs every grading run.
GENERATED_CASES = (
    Case(_generated("usable"), "a usable sweep, maybe ending in NaN or inf", hidden=True),
    Case(_generated("falling"), "a sweep that stopped while its loss fell", hidden=True),
    Case(_generated("seed 2"), "a sweep whose loss rose above its start", hidden=True),
    Case(_generated("too high"), "a sweep that began past its best rates", hidden=True),
    Case(_generated("flat"), "a sweep at rates too small to move the loss", hidden=True),
    Case(
        _generated("stopped unrecorded"),
        "a sweep stopped at a loss it did not record (diverged=True)",
        hidden=True,
    ),
    Case(
        _generated("too high, stopped"),
        "a sweep that began past its best rates and stopped at its blow-up (diverged=True)",
        hidden=True,
    ),
)


def _on_the_margin():
    """The lowest value exactly (1 - margin) times the first, with numbers exact in binary (4.0,
    3.0, margin 0.25, so every way of writing the bound gives 3.0): not below it, so the loss did
    not fall; then 6.0, above (1 + margin) times the first (5.0): lower lr_min. An answer that
    reads "fell" as at or below the bound sees a fall and a turn: usable (rt05 point 6)."""
    return np.r_[np.full(10, 4.0), 3.5, 3.0, 3.5, 6.0], 10, 4.0, False, 0.25
