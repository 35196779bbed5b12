"""Spec for exercise set 04: momentum and adaptive methods (redesigned for issue 21).

Questions: ``nesterov_rate`` (prediction, 3), ``amsgrad_step`` (variant, 3),
``adamw_amsgrad_step`` (warm-up, 1), ``adamax_step`` (variant, 2). None of them is written in lecture 04: the lecture
writes heavy ball, Nesterov, AdaGrad, RMSProp, Adam and AdamW (the four questions this set had
before), runs AMSGrad through the library in §10 but does not write it, does not write Adamax (only its Try next names it), and derives heavy ball's per-eigenvalue map (§2b), not
Nesterov's. The steps are pure functions (inputs unchanged, new state returned), each a torch
optimizer's step; the questions live in private parts, one module per topic:
``_nesterov_rate.py`` (1), ``_amsgrad.py`` (2, 3), ``_adamax.py`` (4), ``_adam_parts.py`` (shared).
"""

from __future__ import annotations

from ._adamax import ADAMAX_STEP
from ._amsgrad import ADAMW_AMSGRAD_STEP, AMSGRAD_STEP
from ._nesterov_rate import NESTEROV_RATE
from .base import Assignment

ASSIGNMENT = Assignment(
    id="04_momentum_adaptive",
    title="Momentum and adaptive methods",
    questions=(NESTEROV_RATE, AMSGRAD_STEP, ADAMW_AMSGRAD_STEP, ADAMAX_STEP),
)
