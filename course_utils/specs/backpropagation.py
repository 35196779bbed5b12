"""Spec for exercise set 03: neural networks and backpropagation (redesigned for issue 21).

Questions: ``leaky_relu_grad`` (warm-up), ``smoothed_cross_entropy`` (derivation, in
``_smoothed_cross_entropy.py``), ``residual_backward`` (derivation, in ``_residual_backward.py``),
``leaky_relu_init_std`` (prediction). None of the four is written in lecture 03: it writes the
sigmoid, tanh and ReLU derivatives, the plain softmax cross-entropy, a tanh layer without a skip
connection and the Xavier/He scales; the exercise asks for what those make possible. Each mistake
below is an implementation learners really write; the check names it when the learner's output
equals that wrong implementation's output.
"""

from __future__ import annotations

import numpy as np

from ._residual_backward import RESIDUAL_BACKWARD
from ._smoothed_cross_entropy import SMOOTHED_CROSS_ENTROPY
from .base import AUTOGRAD, Assignment, Case, Mistake, Question


def _check_slope(slope):
    if not 0.0 <= slope <= 1.0:
        raise ValueError(f"slope must be in [0, 1], got {slope}.")


def _check_fan_in(fan_in):
    if fan_in < 1:
        raise ValueError(f"fan_in must be at least 1, got {fan_in}.")


def _checking(wrong, *, fan_in=False):
    """A mistake that checks its input as the task asks: it then differs from the reference
    only in the mistake it names, and an answer that forgets the check gets the question's hint
    (which names the ValueError), not a mistake's."""

    def answer(first, slope):
        if fan_in:
            _check_fan_in(first)
        _check_slope(slope)
        return wrong(first, slope)

    return answer


# ----------------------------------------------------------------------------- 1. leaky_relu_grad


def leaky_relu_grad(z, slope):
    """d/dz of the leaky ReLU (z for z > 0, slope * z otherwise), at the pre-activations z."""
    _check_slope(slope)
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, float(slope))


def _generated_z(rng):
    # rounded to one decimal, with one entry set to exactly 0 (the tie) in every draw
    z = np.round(rng.normal(size=int(rng.integers(5, 20))), 1)
    z[int(rng.integers(len(z)))] = 0.0
    return z, float(rng.uniform(0, 1))


LEAKY_RELU_GRAD = Question(
    name="leaky_relu_grad",
    skill="warm-up",
    points=2,
    reference=leaky_relu_grad,
    library=AUTOGRAD,  # a derivative: torch's autograd of F.leaky_relu would compute it for you
    rtol=1e-12,
    atol=0.0,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (np.array([-2.0, -0.5, 0.0, 0.5, 3.0]), 0.1),
            "z = [-2, -0.5, 0, 0.5, 3], slope 0.1",
        ),
        Case(lambda: (np.array([[1.0, -1.0], [-4.0, 0.1]]), 0.2), "a 2x2 array, slope 0.2"),
        Case(lambda: (np.array([-1.0, 0.0, 1.0]), 0.0), "slope 0 (ReLU; 0 at z = 0)"),
        Case(lambda: (np.array([-3.0, 0.0, 2.0]), 1.0), "slope 1 (the identity)"),
        Case(lambda: (np.zeros(0), 0.5), "an empty z (an empty result)"),
        Case(lambda: (np.array([1.0]), -0.1), "slope -0.1 (ValueError)", raises="ValueError"),
        Case(lambda: (np.array([1.0]), 1.5), "slope 1.5 (ValueError)", raises="ValueError"),
        Case(_generated_z, "random z with exact zeros, random slope (new every run)", hidden=True),
    ),
    mistakes=(
        Mistake(
            "At z = 0 the task takes the slope of the negative side (as torch does), not 1: "
            "only a strictly positive pre-activation has derivative 1.",
            _checking(lambda z, a: np.where(z >= 0, 1.0, a)),
        ),
        Mistake(
            "That is ReLU's derivative: the leaky ReLU's negative side is a line of slope "
            "`slope`, not flat, so its derivative there is not 0.",
            _checking(lambda z, a: (z > 0).astype(float)),
        ),
        Mistake(
            "That is the leaky ReLU itself, not its derivative.",
            _checking(lambda z, a: np.where(z > 0, z, a * z)),
        ),
        Mistake(
            "On the negative side the derivative of a line through 0 is its slope, a constant; "
            "your answer still depends on z there.",
            _checking(lambda z, a: np.where(z > 0, 1.0, a * z)),
        ),
    ),
    hint=(
        "The leaky ReLU is two lines through the origin; its derivative is each line's slope "
        "on its side, with the negative side's slope at z = 0. Return floats with the shape of "
        "z, and raise ValueError for a slope outside [0, 1]."
    ),
)

# ----------------------------------------------------------------------------- 4. leaky_relu_init_std


def leaky_relu_init_std(fan_in, slope):
    """The weight std that keeps a leaky-ReLU stack's mean square from layer to layer."""
    _check_fan_in(fan_in)
    _check_slope(slope)
    return float(np.sqrt(2.0 / ((1.0 + slope**2) * fan_in)))


def _generated_fan(rng):
    return int(rng.integers(1, 1000)), float(rng.uniform(0, 1))


LEAKY_RELU_INIT_STD = Question(
    name="leaky_relu_init_std",
    exact_types=True,
    skill="prediction",
    points=2,
    reference=leaky_relu_init_std,
    # the count is the question: torch's gain table and He initializers would look it up
    library=(
        "torch.nn.init.calculate_gain",
        "torch.nn.init.kaiming_normal_",
        "torch.nn.init.kaiming_uniform_",
    ),
    rtol=1e-9,
    atol=0.0,
    cases=(
        Case(lambda: (100, 0.2), "fan_in = 100, slope 0.2"),
        Case(lambda: (256, 0.0), "fan_in = 256, slope 0 (ReLU)"),
        Case(lambda: (64, 1.0), "fan_in = 64, slope 1 (the identity: a linear stack)"),
        Case(lambda: (0, 0.1), "fan_in = 0 (ValueError)", raises="ValueError"),
        # a check of fan_in <= 0 lets 0.5 through; the task refuses every fan_in below 1 (rk0003 E1)
        Case(lambda: (0.5, 0.1), "fan_in = 0.5, below 1 (ValueError)", raises="ValueError"),
        Case(lambda: (10, 1.5), "slope 1.5 (ValueError)", raises="ValueError"),
        Case(lambda: (10, -0.2), "slope -0.2 (ValueError)", raises="ValueError"),
        Case(_generated_fan, "random fan_in and slope (new every run)", hidden=True),
    ),
    mistakes=(
        Mistake(
            "That is He's scale for ReLU, which zeroes the negative side; the leaky ReLU keeps "
            "part of it, so the activations' mean square is larger and the weights must be "
            "smaller.",
            _checking(lambda fan_in, a: float(np.sqrt(2.0 / fan_in)), fan_in=True),
        ),
        Mistake(
            "The negative side scales z by the slope, so it scales z squared by the slope "
            "squared: the mean square of the activations depends on the slope squared, not "
            "on the slope.",
            _checking(lambda fan_in, a: float(np.sqrt(2.0 / ((1.0 + a) * fan_in))), fan_in=True),
        ),
        Mistake(
            "That is the variance of the weights; the question asks for their standard "
            "deviation (its square root).",
            _checking(lambda fan_in, a: 2.0 / ((1.0 + a**2) * fan_in), fan_in=True),
        ),
        Mistake(
            "A factor 2 is missing: each side of a symmetric pre-activation carries half of "
            "its mean square, so each side's contribution is halved.",
            _checking(lambda fan_in, a: float(np.sqrt(1.0 / ((1.0 + a**2) * fan_in))), fan_in=True),
        ),
    ),
    hint=(
        "Follow lecture 03 §8's argument: a pre-activation sums fan_in products of a weight "
        "and an activation, so its variance is fan_in times the weight variance times the "
        "activations' mean square; compute that mean square for the leaky ReLU of a "
        "symmetric pre-activation, and choose the scale that keeps it from layer to layer. "
        "Raise ValueError for a fan_in below 1 or a slope outside [0, 1]."
    ),
)

ASSIGNMENT = Assignment(
    id="03_backpropagation",
    title="Neural networks and backpropagation",
    questions=(LEAKY_RELU_GRAD, SMOOTHED_CROSS_ENTROPY, RESIDUAL_BACKWARD, LEAKY_RELU_INIT_STD),
)
