"""Assignment specs: graded names, test inputs (visible and hidden), references, tolerances, hints.

``load("01_gradient_descent")`` returns the :class:`Assignment` whose id matches a notebook stem.
"""

from __future__ import annotations

import importlib

from .base import Assignment, Case, Mistake, Question

# notebook stem -> module holding ``ASSIGNMENT``
_MODULES = {
    "00_start_here": "course_utils.specs.start_here",
    "01_gradient_descent": "course_utils.specs.gradient_descent",
    "02_batch_stochastic_minibatch": "course_utils.specs.batch_stochastic_minibatch",
    "03_backpropagation": "course_utils.specs.backpropagation",
    "04_momentum_adaptive": "course_utils.specs.momentum_adaptive",
    "05_learning_rate_schedules": "course_utils.specs.lr_schedules",
    "06_rnn_bptt": "course_utils.specs.rnn_bptt",
    "07_vanishing_exploding": "course_utils.specs.vanishing_exploding",
    "08_lstm_gru": "course_utils.specs.lstm_gru",
    "09_putting_it_together": "course_utils.specs.putting_together",
    "10_data_parallel_sgd": "course_utils.specs.data_parallel_sgd",
}

ASSIGNMENT_IDS = tuple(_MODULES)


def load(assignment_id: str) -> Assignment:
    """The spec for an assignment id (the shared stem of its notebooks)."""
    try:
        module = _MODULES[assignment_id]
    except KeyError:
        known = ", ".join(ASSIGNMENT_IDS)
        raise KeyError(f"unknown assignment {assignment_id!r}; known: {known}.") from None
    return importlib.import_module(module).ASSIGNMENT


__all__ = ["ASSIGNMENT_IDS", "Assignment", "Case", "Mistake", "Question", "load"]
