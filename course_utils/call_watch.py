"""Which function changed the caller's arrays: the graded answer, or another answer it calls.

A learner's ``adamw_step`` may call their own ``adam_step``; when ``adam_step`` writes into the
``m`` it was given, the caller's ``m`` changes during the call of ``adamw_step``, and feedback that
says "``adamw_step`` changed its argument ``m``" points at the wrong function. While a
:class:`CallWatch` is active, the other graded functions of the exercise (looked up by name in the
answer's own namespace, where its code finds them) are replaced by stand-ins that note the first
one to change, in place, an array the graded call received. Runs where the answer runs (the
learner's kernel, or the grading sandbox): it holds no reference and no expected value.
"""

from __future__ import annotations

import types

import numpy as np


def _arrays(values) -> list[np.ndarray]:
    """The ndarrays among ``values``, and inside lists or tuples among them (one level)."""
    found = []
    for value in values:
        if type(value) is np.ndarray:
            found.append(value)
        elif type(value) in (list, tuple):
            found.extend(v for v in value if type(v) is np.ndarray)
    return found


class CallWatch:
    """``with CallWatch(namespace, names, args) as watch: ...`` then ``watch.changed_by``: the name
    of the first watched function that changed an array of ``args`` in place ("" if none did)."""

    def __init__(self, namespace: dict, names, args: tuple):
        self.namespace = namespace
        self.names = [n for n in names if type(namespace.get(n)) is types.FunctionType]
        self.received = _arrays(args)
        self.changed_by = ""
        self._originals: dict[str, object] = {}
        self._stand_ins: dict[str, object] = {}

    def __enter__(self) -> CallWatch:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        for name in self.names:
            original = self.namespace[name]
            self._originals[name] = original
            self._stand_ins[name] = self.namespace[name] = self._watching(name, original)

    def stop(self) -> None:
        """Put the learner's own functions back (unless the learner's code rebound the name)."""
        for name, original in self._originals.items():
            if self.namespace.get(name) is self._stand_ins[name]:
                self.namespace[name] = original
        self._originals.clear()
        self._stand_ins.clear()

    def _watching(self, name: str, original):
        watch = self

        def watched(*args, **kwargs):
            shared = [
                a for a in _arrays((*args, *kwargs.values())) if any(a is r for r in watch.received)
            ]
            before = [a.copy() for a in shared]
            try:
                return original(*args, **kwargs)
            finally:
                changed = any(
                    not np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
                    for a, b in zip(shared, before, strict=True)
                )
                if changed and not watch.changed_by:
                    watch.changed_by = name

        watched.__name__ = watched.__qualname__ = name
        watched.__doc__ = getattr(original, "__doc__", None)
        return watched
