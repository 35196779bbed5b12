"""The shared input checks: one sentence per wrong argument."""

from functools import partial

import numpy as np
import pytest

from course_utils import validation
from course_utils.optim import SGD
from course_utils.validation import (
    flag,
    fraction,
    gradient_output,
    integer,
    objective_like,
    one_of,
    optimizer_class,
    scalar_output,
)


def test_integer_accepts_ints_and_numpy_ints():
    assert integer(3, "n", 1) == 3 and type(integer(np.int64(3), "n")) is int


@pytest.mark.parametrize(
    ("value", "low", "high", "error", "pattern"),
    [
        (True, None, None, TypeError, r"^n must be an int, got bool\.$"),
        (2.0, None, None, TypeError, r"^n must be an int, got float\.$"),
        (0, 1, None, ValueError, r"^n must be >= 1, got 0\.$"),
        (5, None, 5, ValueError, r"^n must be < 5, got 5\.$"),
        (-1, 0, 5, ValueError, r"^n must be in \[0, 5\), got -1\.$"),
    ],
)
def test_integer_errors(value, low, high, error, pattern):
    with pytest.raises(error, match=pattern):
        integer(value, "n", low, high)


def test_flag_takes_only_booleans():
    assert flag(True, "b") is True and flag(np.bool_(False), "b") is False
    for value in (1, 0, "yes", None):
        with pytest.raises(TypeError, match=rf"^b must be True or False, got {value!r}\.$"):
            flag(value, "b")


def test_fraction_bounds_and_types():
    assert fraction(0, "rate") == 0.0 and type(fraction(np.float32(0.5), "rate")) is float
    assert fraction(1, "rate", one_allowed=True) == 1.0
    with pytest.raises(ValueError, match=r"^rate must be in \[0, 1\), got 1\.0\.$"):
        fraction(1, "rate")
    with pytest.raises(ValueError, match=r"^rate must be in \[0, 1\], got -0\.1\.$"):
        fraction(-0.1, "rate", one_allowed=True)
    with pytest.raises(ValueError, match=r"^rate must be in \[0, 1\], got 1\.5\.$"):
        fraction(1.5, "rate", one_allowed=True)
    with pytest.raises(TypeError, match=r"^rate must be a real number, got str\.$"):
        fraction("0.5", "rate")
    with pytest.raises(ValueError, match=r"^rate must be finite, got nan\.$"):
        fraction(float("nan"), "rate")


def test_objective_like():
    class F:
        dim = 2

        def value(self, x):
            return 0.0

    assert objective_like(F(), ("value",), 2) is not None
    with pytest.raises(TypeError, match=r"^objective must have a callable \.grad\(x\)"):
        objective_like(F())
    with pytest.raises(ValueError, match=r"^objective must have dim 1, got dim 2\.$"):
        objective_like(F(), ("value",), 1)


def test_outputs():
    assert scalar_output(np.float32(1.5), "f") == 1.5
    assert gradient_output([1, 2], (2,), "g").dtype == np.float64
    with pytest.raises(TypeError, match=r"^f must return a real number, got dtype bool\.$"):
        scalar_output(True, "f")
    with pytest.raises(TypeError, match=r"^g must return an array of real numbers, got a str"):
        gradient_output("12", (2,), "g")


def test_one_of_names_the_options():
    assert one_of("stop", ("raise", "stop"), "mode") == "stop"
    with pytest.raises(ValueError, match=r"^mode must be 'raise' or 'stop', got 'x'\.$"):
        one_of("x", ("raise", "stop"), "mode")
    with pytest.raises(ValueError, match=r"^k must be one of \['a', 'b', 'c'\], got 'd'\.$"):
        one_of("d", "abc", "k")


def test_optimizer_class_accepts_classes_and_partials_called_with_lr():
    torch = pytest.importorskip("torch")
    for optimizer in (SGD, partial(SGD, momentum=0.9), partial(SGD, lr=0.5), torch.optim.Adam):
        assert optimizer_class(optimizer) is optimizer

    def make(params, lr, momentum=0.5):
        return SGD(params, lr=lr, momentum=momentum)

    assert optimizer_class(make) is make  # a function with the same call shape is accepted too


@pytest.mark.parametrize(
    ("optimizer", "pattern"),
    [
        ("SGD", r"; got a str\.$"),
        (SGD([np.zeros(1)], lr=0.1), r"; got an SGD instance, not the class\.$"),
        (lambda params: SGD(params, lr=0.1), r"; got <lambda>\(params\), which does not take"),
        (lambda lr: lambda params: SGD(params, lr=lr), r"; got <lambda>\(lr\), which does not"),
        (partial(SGD, [np.zeros(1)]), r"; got partial\(lr"),
    ],
)
def test_optimizer_class_errors(optimizer, pattern):
    with pytest.raises(TypeError, match=r"^opt must be an optimizer class or a functools\.partial "
                       r"of one, called as opt\(params, lr=\.\.\.\), e\.g\. SGD or "
                       r"functools\.partial\(SGD, momentum=0\.9\)" + ".*" + pattern):  # fmt: skip
        optimizer_class(optimizer, "opt")


def test_float_array_checks_dtype_shape_and_values_in_one_sentence():
    x = np.zeros((2, 3))
    assert validation.float_array(x, "x", (None, 3)) is x  # no copy when nothing changes
    assert validation.float_array(x, "x", (2, 3), np.float32).dtype == np.float32
    for bad, error, match in [
        (np.zeros((2, 3), int), TypeError, "x must be a floating-point array, got dtype int64."),
        (np.zeros(4), ValueError, r"x must have shape \(any, 3\), got \(4,\)."),
        (np.zeros((0, 3)), ValueError, r"x must not be empty, got shape \(0, 3\)."),
        (np.full((1, 3), np.inf), ValueError, r"x must contain only finite values \(3 are"),
    ]:
        with pytest.raises(error, match=match):
            validation.float_array(bad, "x", (None, 3))
    with pytest.raises(ValueError, match=r"b must have shape \(4,\), got \(3,\)."):
        validation.float_array(np.zeros(3), "b", (4,))
