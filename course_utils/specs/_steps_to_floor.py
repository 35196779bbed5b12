"""Question 3 of exercise set 05 (``learning_rate_schedules``): ``steps_to_floor``, a
*prediction*: how many constant-step SGD steps on lecture 05 §3's noisy quadratic until the mean
square E x_t^2 is within a relative band of its noise floor, in closed form.

Lecture 05 §3 gives the recursion of E x_t^2 and its fixed point (the noise floor), not how fast
the floor is approached: the learner derives that the distance to the floor shrinks by the factor
(1 - alpha L)^2 per step and solves for the step. The solution notebook then measures it on
simulated runs. The reference is checked against the recursion itself (tests). Mistakes: the
floor's small-step approximation, the factor not squared, the distance measured from 0, a
step early or late, the per-step factor's small-step form exp(-2 alpha L) (te05 E1), int(t) + 1
for ceil(t) and the strict band < (both caught on exact binary ties with the band's edge, sf05
X1), the start below the floor, alpha L = 1 not handled (or answered 1 before the band is
tested) and log(1 - alpha L) taken for alpha L > 1. The answer is an int
(``exact_types``).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .base import Case, Mistake, Question


def _checked(lr, L, sigma, start_mean_square, rel, check_rel=True):
    named = (("lr", lr), ("L", L), ("sigma", sigma), ("rel", rel))
    for name, value in named if check_rel else named[:3]:
        if not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a finite number > 0, got {value!r}.")
    if not isinstance(start_mean_square, numbers.Real) or not 0 <= start_mean_square < math.inf:
        raise ValueError(
            f"start_mean_square must be a finite number >= 0, got {start_mean_square!r}."
        )
    if lr * L >= 2:
        raise ValueError(f"lr * L = {lr * L:g} >= 2: the mean square grows, there is no floor.")


def _steps_to_floor(
    lr, L, sigma, start_mean_square, rel=0.1, *, floor_form="exact", power=2, distance="gap",
    rounding=math.ceil, handle_one=True, overshoot=True, band="closed", check_rel=True,
    factor="exact",
):  # fmt: skip
    """The reference; the keywords build the learners' mistakes (``handle_one="first"``: the
    special case lr L = 1 answered 1 before the band is tested; ``band="strict"``: the band
    tested with < instead of <=; ``check_rel=False``: rel not validated, tc05 E1;
    ``factor="small step"``: the per-step factor exp(-power lr L), as if log(1 - lr L) were
    -lr L, te05 E1)."""
    _checked(lr, L, sigma, start_mean_square, rel, check_rel)
    if lr * L == 1 and handle_one == "first":
        return 1
    if floor_form == "exact":
        floor = lr * sigma**2 / (L * (2 - lr * L))
    else:  # the small-step approximation of the lecture's summary
        floor = lr * sigma**2 / (2 * L)
    if distance == "gap":
        gap = abs(start_mean_square - floor)
    elif distance == "signed":
        gap = start_mean_square - floor
    else:  # the mean square itself, as if it fell to 0
        gap = start_mean_square
    if gap < rel * floor or (band == "closed" and gap == rel * floor):
        return 0
    if lr * L == 1 and handle_one not in ("log", "first"):
        if handle_one:
            return 1
        return max(0, rounding(0.0))
    if lr * L == 1:  # the learner's closed form without the special case: log(0)
        math.log(abs(1 - lr * L))
    # log of the per-step factor |1 - lr L|**power, accurate for small lr L
    # (overshoot=False: log1p(-lr L) for every lr L, undefined past lr L = 1, a domain error)
    per_step = power * (
        math.log1p(-lr * L) if lr * L < 1 or not overshoot else math.log(lr * L - 1)
    )
    if factor != "exact":  # the small-step approximation log(1 - lr L) ~ -lr L, at every lr L
        per_step = -power * lr * L
    return max(0, int(rounding(math.log(rel * floor / gap) / per_step)))


def _mistake(**options):
    return lambda lr, L, sigma, start_mean_square, rel=0.1: _steps_to_floor(
        lr, L, sigma, start_mean_square, rel, **options
    )


def _generated(rng):
    lr_L = float(rng.uniform(0.005, 1.5))
    L = float(rng.uniform(0.5, 4))
    start = float(rng.choice([0.0, rng.uniform(1, 20)]))
    return lr_L / L, L, float(rng.uniform(0.1, 2)), start, float(rng.uniform(0.02, 0.3))


STEPS_TO_FLOOR = Question(
    name="steps_to_floor",
    points=3,
    skill="prediction",
    reference=_steps_to_floor,
    # the task asks for a step count as an int (a float such as 25.0 fails: sa05, point 9)
    exact_types=True,
    rtol=1e-6,
    atol=0.0,
    cases=(
        # te05 E1: first, so that "one step late" (6) and the small-step factor exp(-2 lr L) (7)
        # first fail apart, each with its own hint; t = 4.44 here, far from a whole number
        Case(
            lambda: (0.25, 2.0, 1.0, 4.0),
            "lr = 0.25, L = 2 (lr L = 0.5), sigma = 1, E x_0^2 = 4 (rel = 0.1)",
        ),
        Case(lambda: (0.1, 1.0, 1.0, 1.0), "lr = 0.1, L = 1, sigma = 1, from x_0 = 1 (rel = 0.1)"),
        Case(
            lambda: (0.05, 2.0, 0.5, 4.0, 0.05),
            "lr = 0.05, L = 2, sigma = 0.5, E x_0^2 = 4, rel = 0.05",
        ),
        Case(
            lambda: (0.4, 4.0, 1.0, 9.0),
            "lr = 0.4, L = 4 (lr L = 1.6: each step overshoots), sigma = 1, E x_0^2 = 9",
        ),
        Case(
            lambda: (0.01, 1.0, 1.0, 0.1 / 1.9),
            "after a step decay: lr = 0.01 from the floor of lr = 0.1 (E x_0^2 = 0.1/1.9), L = 1, "
            "sigma = 1",
        ),
        Case(
            lambda: (0.1, 1.0, 1.0, 0.01),
            "lr = 0.1, L = 1, sigma = 1, E x_0^2 = 0.01, below the floor",
        ),
        Case(
            lambda: (0.1, 1.0, 1.0, 0.0), "lr = 0.1, L = 1, sigma = 1, from the minimizer, x_0 = 0"
        ),
        Case(lambda: (1.0, 1.0, 1.0, 9.0), "lr = 1, L = 1 (lr L = 1), sigma = 1, x_0 = 3"),
        Case(
            lambda: (1.0, 1.0, 1.0, 0.95),
            "lr = 1, L = 1 (lr L = 1), sigma = 1, E x_0^2 = 0.95: already within 10% of the "
            "floor 1",
        ),
        Case(
            lambda: (0.1, 1.0, 1.0, 0.05),
            "lr = 0.1, L = 1, sigma = 1, E x_0^2 = 0.05: already within 10% of the floor",
        ),
        Case(
            lambda: (1e-8, 1.0, 1.0, 1.0),
            "lr = 1e-8, L = 1, sigma = 1, x_0 = 1 (about 1.07e9 steps: no loop over the steps)",
        ),
        Case(lambda: (2.0, 1.0, 1.0, 1.0), "lr L = 2 (must raise ValueError)", raises="ValueError"),
        Case(
            lambda: (0.1, 1.0, 0.0, 1.0), "sigma = 0 (must raise ValueError)", raises="ValueError"
        ),
        Case(
            lambda: (0.1, 1.0, 1.0, -1.0),
            "E x_0^2 < 0 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (0.1, 1.0, math.inf, 1.0),
            "sigma = inf, not finite (must raise ValueError)",
            raises="ValueError",
        ),
        # rel is validated like lr, L and sigma (tc05 E1: an answer that never checked it passed);
        # inf first: there an unchecked rel returns 0 (the named Mistake's hint), whatever its logs
        Case(
            lambda: (0.1, 1.0, 1.0, 1.0, math.inf),
            "rel = inf, not finite (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (0.1, 1.0, 1.0, 1.0, "0.1"),
            "rel = '0.1', a str, not a real number (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (0.1, 1.0, 1.0, 1.0, 0), "rel = 0 (must raise ValueError)", raises="ValueError"
        ),
        Case(
            lambda: (0.1, 1.0, 1.0, math.inf),
            "E x_0^2 = inf, not finite (must raise ValueError)",
            raises="ValueError",
            hidden=True,
        ),
        Case(
            lambda: (np.float32(0.1), np.int64(1), 1.0, np.float32(1.0)),
            "lr = np.float32(0.1), L = np.int64(1), E x_0^2 = np.float32(1.0): numpy numbers",
        ),
        Case(
            lambda: (True, 1.0, 1.0, 1.0),
            "lr = True, a bool, accepted as the number 1 (lr L = 1), L = 1, sigma = 1, x_0 = 1",
        ),
        # exact binary ties on the band's edge (sf05 X1): 15 -> 6 -> 3.75, floor 3, edge 0.75
        Case(
            lambda: (1.5, 1.0, 1.0, 15.0, 0.25),
            "lr = 1.5, L = 1, sigma = 1, E x_0^2 = 15, rel = 0.25: floor 3, and E x_t^2 = 15, "
            "6, 3.75 lands exactly on the band's edge at t = 2",
        ),
        Case(
            lambda: (1.0, 1.0, 1.0, 1.5, 0.5),
            "lr = 1, L = 1, sigma = 1, E x_0^2 = 1.5, rel = 0.5: the start is exactly on the "
            "band's edge (floor 1)",
        ),
        Case(lambda: (0.002, 3.0, 0.5, 0.3, 0.05), "a small step far above its floor", hidden=True),
        Case(_generated, "random lr, L, sigma, start and band", hidden=True),
        Case(_generated, "random lr, L, sigma, start and band", hidden=True),
        Case(_generated, "random lr, L, sigma, start and band", hidden=True),
    ),
    mistakes=(
        # first: at lr L = 1 from 0.95 the small-step floor (1/2) answers 1 as well, and this
        # case's answer 1 is read as the band tested too late (every other case tells them apart)
        # before the mistake above: on the edge case at lr L = 1 both answer 1, and this
        # one's first failing case is that edge (handle_one="first" fails at 0.95 first)
        Mistake(
            "The band includes its edge, |E x_t^2 - floor| <= rel times the floor: a mean square "
            "exactly on the edge is inside (here the start, so 0 steps); test with <=, not <.",
            _mistake(band="strict"),
        ),
        Mistake(
            "At lr L = 1 a start already inside the band needs 0 steps, not 1: test the band "
            "first, and only then answer the case lr L = 1 (one step lands on the floor).",
            _mistake(handle_one="first"),
        ),
        Mistake(
            "That floor is the small-step approximation: use the exact fixed point of the "
            "lecture's recursion, which keeps the factor 2 minus lr L in its denominator.",
            _mistake(floor_form="small step"),
        ),
        Mistake(
            "Each step multiplies the distance of the MEAN SQUARE from its floor by the square of "
            "the factor that multiplies x itself; your count is twice too long.",
            _mistake(power=1),
        ),
        Mistake(
            "One step early: at the step you return the mean square is still outside the band; "
            "the answer is the first whole step at which it is inside (round up). If you already "
            "round up, check the floor you aim at: it is lr sigma^2 / (L (2 - lr L)).",
            _mistake(rounding=math.floor),
        ),
        # before "One step late": where t is whole both answer t + 1
        Mistake(
            "Where the solved t is a whole number, the mean square is exactly on the band's edge "
            "at step t, which counts as inside: the answer is ceil(t); int(t) + 1 (or floor(t) + "
            "1) adds a step there.",
            _mistake(rounding=lambda x: int(x) + 1),
        ),
        # te05 E1: before "One step late", which gives the same count (26, against 25) at lr = 0.1
        # from x_0 = 1; the first visible case (lr L = 0.5) tells the two apart (7 and 6, against 5)
        Mistake(
            "Replacing the log of 1 - lr L by -lr L is the small-step approximation: the "
            "distance to the floor shrinks per step by exactly (1 - lr L)^2, not by e^(-2 lr L); "
            "take the log of that square itself.",
            _mistake(factor="small step"),
        ),
        Mistake(
            "One step late: the step before yours is already inside the band (round up the step "
            "count, do not add one).",
            _mistake(rounding=lambda x: math.ceil(x) + 1),
        ),
        Mistake(
            "From below the floor (e.g. x_0 = 0) the mean square rises toward it: the distance "
            "to the floor is its absolute value, and it shrinks just the same.",
            _mistake(distance="signed"),
        ),
        Mistake(
            "What shrinks geometrically is the distance between E x_t^2 and the floor, which "
            "starts at the distance between E x_0^2 and the floor, not at E x_0^2 itself.",
            _mistake(distance="itself"),
        ),
        Mistake(
            "At lr L = 1 the first step multiplies the distance to the floor by 0: one step "
            "lands on the floor (unless the start is already inside the band, 0 steps).",
            _mistake(handle_one=False),
        ),
        Mistake(
            "When lr times L equals 1, the per-step factor of the distance is 0 and its log is not defined (the math "
            "domain error): this case needs its own answer. One step lands on the floor.",
            _mistake(handle_one="log"),
        ),
        Mistake(
            "For lr L > 1 the factor 1 - lr L is negative: its log (log1p of minus lr L) is not "
            "defined (NaN in numpy). The per-step factor of the distance is (1 - lr L)^2, whose "
            "log is 2 log|1 - lr L|.",
            _mistake(overshoot=False),
        ),
        # tc05 E1: differs from the reference only on the cases with a bad rel
        Mistake(
            "rel must be checked like lr, L and sigma: a finite real number > 0 (numbers.Real), "
            "else ValueError; a rel of inf, 0 or a str such as '0.1' is refused before any "
            "arithmetic (with rel = inf every start is inside the band, a str fails with "
            "TypeError).",
            _mistake(check_rel=False),
            missing_raise="ValueError",
        ),
    ),
    hint=(
        "Subtract the floor from the lecture's recursion for E x_t^2: the distance to the floor "
        "shrinks by the same factor every step, so it is the distance at the start times a power "
        "of that factor. Solve for the first whole step at which it is at most rel times the "
        "floor."
    ),
)
