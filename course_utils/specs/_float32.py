"""A typical mistake several specs share: a right answer computed or returned in float32.

float32 keeps about 7 significant digits (relative spacing 6e-8), coarser than the checks' usual
relative tolerance of 1e-9, so such an answer fails with values that look right when printed. A
spec names it with :func:`float32_close` in a Mistake's ``matches``, and a hint that says so.
"""

from __future__ import annotations

import numpy as np


def float32_close(want, have, rtol: float = 1e-4) -> bool:
    """True when ``have`` has ``want``'s shape, every value of it is a float32 number (returned
    in float32, or computed in float32 and cast back), and it agrees with ``want`` to about
    float32's precision (``rtol``) but is not required to reach the check's: a right answer in
    float32. The float32 test keeps wrong answers computed in float64 out."""
    want = np.asarray(want, dtype=np.float64)
    have = have.to_numpy() if hasattr(have, "to_numpy") else have  # a judged answer: PlainArray
    have = np.asarray(have, dtype=np.float64)
    if have.shape != want.shape:
        return False
    with np.errstate(over="ignore"):
        in_float32 = np.array_equal(have, have.astype(np.float32), equal_nan=True)
    return in_float32 and bool(np.allclose(have, want, rtol=rtol, atol=0.0))
