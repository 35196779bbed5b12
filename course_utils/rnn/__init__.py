"""Recurrent networks in numpy, in ``torch.nn``'s convention and layout: the cell equations, and
the layers with backpropagation through time built on them.

    from course_utils.rnn import RNN, LSTM, GRU              # layers, equal to torch.nn's
    from course_utils.rnn import lstm_cell_forward, ...      # one step, equal to torch.nn's cells

* ``cells``: one time step of the RNN, LSTM and GRU, forward and backward (read this first; it is
  what lectures 06 and 08 teach).
* ``layers``: ``RNN``, ``LSTM``, ``GRU`` (``forward`` over a sequence, ``backward`` = BPTT).
* ``base``: ``Recurrent``, what the layers share (parameters, validation, the time loop).
* ``_fast_lstm``: the LSTM's time loops in a profiled fast form, tested equal to the cells.

Imports numpy only (and ``course_utils.validation``).
"""

from __future__ import annotations

from . import cells
from .base import Recurrent
from .cells import *  # noqa: F403  (the cell equations: the names in cells.__all__)
from .layers import GRU, LSTM, RNN

__all__ = ["GRU", "LSTM", "RNN", "Recurrent", *cells.__all__]
