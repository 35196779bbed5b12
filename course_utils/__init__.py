"""Helpers for the gradient-descent-to-gated-RNNs course."""

__version__ = "0.1.0"
