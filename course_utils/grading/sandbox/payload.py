"""Test-case inputs on their way from the trusted grader into the sandboxed kernel.

``encode`` (trusted parent) pickles a case's arguments; functions that exist only in a spec module
(test functions, lambdas, closures) travel *by value*: their code object, defaults, closure values
and the globals they use, never their module. So the kernel receives the inputs of one case, at
the moment that case is evaluated, and nothing else of the spec: no reference, no tolerance, no
other case. ``decode`` (inside the kernel) rebuilds them. Data flows one way only: the kernel's
answers come back as JSON (``answers.Observation``), never as a pickle.
"""

from __future__ import annotations

import base64
import builtins
import importlib
import io
import marshal
import pickle
import types

# Modules the sandbox cannot import: functions defined there travel by value.
_NOT_IN_SANDBOX = ("__main__", "tests", "grading_fixtures")


def _needs_value(function: types.FunctionType, in_sandbox) -> bool:
    """Runs in the grader (``encode``): a function the sandbox could not import goes by value.

    ``in_sandbox(module_name)`` is the grader's classification (``grading.view``), passed in so
    that this file, which the sandbox also runs, imports nothing of the grader; without it every
    course_utils function travels by value.
    """
    if function is make_function:
        return False
    module = function.__module__ or ""
    local = "<" in function.__qualname__  # a lambda or a function defined inside a function
    if module.split(".")[0] == "course_utils":
        return local or in_sandbox is None or not in_sandbox(module)
    return local or module.startswith(_NOT_IN_SANDBOX)


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def make_function(code_bytes, global_values, name, defaults, kwdefaults, closure_values):
    """Rebuild a function sent by value (runs inside the kernel)."""
    code = marshal.loads(code_bytes)
    namespace = {"__builtins__": builtins, **global_values}
    cells = tuple(types.CellType(v) for v in closure_values) if closure_values is not None else None
    function = types.FunctionType(code, namespace, name, defaults, cells)
    function.__kwdefaults__ = kwdefaults
    return function


class _Pickler(pickle.Pickler):
    def __init__(self, file, in_sandbox, **kwargs):
        super().__init__(file, **kwargs)
        self.in_sandbox = in_sandbox

    def reducer_override(self, obj):
        if isinstance(obj, types.ModuleType):
            return importlib.import_module, (obj.__name__,)
        if isinstance(obj, types.FunctionType) and _needs_value(obj, self.in_sandbox):
            names = _global_names(obj.__code__)
            global_values = {n: obj.__globals__[n] for n in names if n in obj.__globals__}
            closure = None
            if obj.__closure__ is not None:
                closure = [cell.cell_contents for cell in obj.__closure__]
            args = (
                marshal.dumps(obj.__code__),
                global_values,
                obj.__name__,
                obj.__defaults__,
                obj.__kwdefaults__,
                closure,
            )
            return make_function, args
        return NotImplemented


def encode(args: tuple, in_sandbox=None) -> str:
    """The arguments of one case as ASCII text (base64 of a pickle); ``in_sandbox`` as above."""
    buffer = io.BytesIO()
    _Pickler(buffer, in_sandbox, protocol=pickle.HIGHEST_PROTOCOL).dump(tuple(args))
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def decode(text: str) -> tuple:
    """Inside the kernel: the arguments back (the text comes from the trusted grader)."""
    return pickle.loads(base64.b64decode(text))
