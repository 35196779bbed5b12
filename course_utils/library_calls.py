"""Counting calls to the course library's own implementation of a graded answer.

A question may name the library functions that implement it (``Question.library``); an answer
that calls one scores 0. The grading sandbox counts such calls for the whole run
(``grading/sandbox/probe.py``); ``check`` counts them during one call of the learner's answer, so
the instant check and the grader agree. Runs where the answer runs: no reference, no expected
value.
"""

from __future__ import annotations

import contextlib
import importlib
import sys


def resolve(dotted: str):
    """(owner, attribute, object) for a dotted name: a module's function or a class's method."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:-1]:
            owner = getattr(owner, attr)
        return owner, parts[-1], getattr(owner, parts[-1])
    raise ImportError(dotted)


def counting(original, on_call):
    """A stand-in for ``original`` that calls ``on_call()`` first; no ``__wrapped__`` and no
    default argument leads back to the original."""
    originals = [original]

    def counted(*args, **kwargs):
        on_call()
        return originals[0](*args, **kwargs)

    for attr in ("__name__", "__qualname__", "__doc__", "__module__"):
        try:
            setattr(counted, attr, getattr(original, attr))
        except (AttributeError, TypeError):
            pass
    return counted


def places(original, namespaces=(), packages=("course_utils",)):
    """Every (owner, name) under which ``original`` is reachable: the loaded modules of the given
    packages (the course's; a torch function's also torch's own) and the given namespaces
    (dicts, e.g. the learner's globals)."""
    found = []
    prefixes = tuple(packages) + tuple(f"{p}." for p in packages)
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", None)
        if isinstance(name, str) and (name in packages or name.startswith(prefixes)):
            try:
                found += [(module, n) for n, v in list(vars(module).items()) if v is original]
            except TypeError:  # a module object without a __dict__
                continue
    for namespace in namespaces:
        found += [(namespace, n) for n, v in list(namespace.items()) if v is original]
    return found


def module_places(owner, attr, original, namespaces=(), packages=("course_utils",)):
    """``places``, plus the resolved owner module's own name when ``places`` misses it: a module
    object that hands out its functions through ``__getattr__`` (``torch._VF.lstm`` is
    ``torch._C._VariableFunctions.lstm``, kept in no module's namespace) is patched by setting the
    name on it, which shadows ``__getattr__`` (sa08: ``torch.nn.LSTM`` calls ``_VF.lstm``)."""
    found = places(original, namespaces, packages)
    if not any(where is owner and name == attr for where, name in found):
        found.append((owner, attr))
    return found


def is_library_original(answer, dotted_names) -> str | None:
    """The dotted name of the library function that ``answer`` *is* (an alias such as
    ``lstm_step_forward = lstm_cell_forward``, or a bound method), else None. Calling such an
    answer is a call to the library: the grader, which patches the library before the learner's
    code runs, counts it; ``check`` receives the original object and must count it here."""
    target = getattr(answer, "__func__", answer)
    for dotted in dotted_names:
        try:
            original = resolve(dotted)[2]
        except (ImportError, AttributeError):
            continue
        if target is getattr(original, "__func__", original):
            return dotted
    return None


@contextlib.contextmanager
def counted_calls(dotted_names, namespaces=()):
    """``with counted_calls(names, [globals_dict]) as calls: ...``; afterwards ``calls[0]`` is the
    number of calls made to those functions inside the block. Everything is put back on exit."""
    calls = [0]

    def bump():
        calls[0] += 1

    resolved = []  # every name resolved before anything is patched: a subclass's inherited
    for dotted in dotted_names:  # method (torch's AdamW.step is Adam.step) is the original then
        try:
            resolved.append((dotted, *resolve(dotted)))
        except (ImportError, AttributeError):
            continue
    undo = []
    try:
        for dotted, owner, attr, original in resolved:
            stand_in = counting(original, bump)
            if isinstance(owner, type):  # a method: patched on its class
                inherited = attr not in vars(owner)  # put back by deleting, not by setting
                undo.append((owner, attr, None if inherited else original))
                setattr(owner, attr, stand_in)
                continue
            packages = {"course_utils", dotted.split(".")[0]}  # torch's own modules for torch's
            for where, name in module_places(owner, attr, original, namespaces, packages):
                had = isinstance(where, dict) or name in vars(where)  # else put back by deleting
                undo.append((where, name, original if had else None))
                if isinstance(where, dict):
                    where[name] = stand_in
                else:
                    setattr(where, name, stand_in)
        yield calls
    finally:
        for where, name, original in reversed(undo):
            if isinstance(where, dict):
                where[name] = original
            elif original is None:
                delattr(where, name)
            else:
                setattr(where, name, original)
