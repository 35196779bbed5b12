"""The base of the numpy optimizers: param groups, per-parameter state, checks, state_dict.

Each optimizer (``sgd.py``, ``adagrad.py``, ``rmsprop.py``, ``adam.py``, ``adamw.py``) subclasses
:class:`Optimizer`, in ``torch.optim.Optimizer``'s shape.
"""

from __future__ import annotations

import copy

import numpy as np

from course_utils.validation import flag, real_number

__all__ = ["Optimizer"]


class Optimizer:
    """Base class: param groups, per-parameter state, input checks, state_dict round-trip.

    A subclass sets ``defaults`` (via ``__init__``), checks one group's hyperparameters in
    ``_check_group`` and updates one parameter in ``_update(param, grad, state, group, scratch)``
    by calling its step function with ``**self.step_options(group)``.
    """

    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
        self.param_groups: list[dict] = []
        self.state: list[dict] = []
        self._scratch: list[tuple | None] = []
        if isinstance(params, np.ndarray) or isinstance(params, dict):
            kind = "a single array" if isinstance(params, np.ndarray) else "a single dict"
            raise TypeError(
                f"params must be a list of arrays or a list of param-group dicts, got {kind}; "
                "wrap it in a list."
            )
        try:
            params = list(params)
        except TypeError:
            raise TypeError(
                "params must be a list of arrays or a list of param-group dicts, "
                f"got {type(params).__name__}."
            ) from None
        if not params:
            raise ValueError("params is empty: the optimizer has nothing to update.")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for group in groups:
            self.add_param_group(group)

    # -- param groups ----------------------------------------------------------------------------
    def add_param_group(self, group: dict) -> None:
        """Add a group ``{"params": [...], hyperparameter: value, ...}`` (defaults fill the rest)."""
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError("each param group must be a dict with a 'params' list.")
        params = group["params"]
        params = [params] if isinstance(params, np.ndarray) else list(params)
        if not params:
            raise ValueError("a param group has an empty 'params' list.")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for p in params:
            _check_param(p, len(self.state))
            if id(p) in seen:
                raise ValueError("a parameter appears twice (in one group or in two groups).")
            seen.add(id(p))
            self.state.append({})
            self._scratch.append(None)
        full = {**self.defaults, **group, "params": params}
        self._check_group(full)
        self.param_groups.append(full)

    def _check_group(self, group: dict) -> None:
        """Every optimizer has lr, weight_decay and maximize; a subclass checks the rest."""
        real_number(group["lr"], "lr", nonnegative=True)
        real_number(group["weight_decay"], "weight_decay", nonnegative=True)
        flag(group["maximize"], "maximize")

    # -- the step --------------------------------------------------------------------------------
    def step(self, grads) -> None:
        """Update every parameter in place from ``grads``, one array per parameter, in order."""
        grads = self._checked_grads(grads)
        for group in self.param_groups:  # a schedule may have changed them since the last step
            self._check_group(group)
        i = 0
        for group in self.param_groups:
            for p in group["params"]:
                if self._scratch[i] is None:  # work arrays, kept so a step allocates nothing
                    self._scratch[i] = (np.empty_like(p), np.empty_like(p))
                self._update(p, grads[i], self.state[i], group, self._scratch[i])
                i += 1

    def _update(self, param, grad, state: dict, group: dict, scratch) -> None:
        raise NotImplementedError

    def step_options(self, group: dict) -> dict:
        """The group's hyperparameters (every key of ``defaults``) by name: the keyword arguments
        of the optimizer's step function, which uses the same names as torch's param groups."""
        return {name: group[name] for name in self.defaults}

    @property
    def _params(self) -> list[np.ndarray]:
        return [p for g in self.param_groups for p in g["params"]]

    def _checked_grads(self, grads) -> list[np.ndarray]:
        params = self._params
        if isinstance(grads, np.ndarray):
            raise TypeError("grads must be a list of arrays (one per parameter), got one array.")
        grads = list(grads)
        if len(grads) != len(params):
            raise ValueError(f"got {len(grads)} gradients for {len(params)} parameters.")
        checked = []
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            g = np.asarray(g)
            if g.dtype.kind not in "iuf":
                raise TypeError(f"gradient {i} must be an array of real numbers, got {g.dtype}.")
            if g.shape != p.shape:
                raise ValueError(
                    f"gradient {i} has shape {g.shape} but its parameter has shape {p.shape}."
                )
            # one fast pass: a sum is finite when every term is (an overflowing sum is re-checked)
            with np.errstate(over="ignore"):
                finite_sum = np.isfinite(g.sum())
            if not finite_sum and not np.isfinite(g).all():
                raise ValueError(f"gradient {i} contains non-finite values (nan or inf).")
            checked.append(g)
        return checked

    # -- saving and loading ----------------------------------------------------------------------
    def state_dict(self) -> dict:
        """A copy of the state and hyperparameters; parameters are referred to by index."""
        groups, start = [], 0
        for group in self.param_groups:
            n = len(group["params"])
            saved = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            groups.append({**saved, "params": list(range(start, start + n))})
            start += n
        state = {i: copy.deepcopy(s) for i, s in enumerate(self.state) if s}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what ``state_dict()`` saved, onto this optimizer's own parameters."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"the state dict has {len(saved_groups)} param groups, "
                f"this optimizer {len(self.param_groups)}."
            )
        for saved, group in zip(saved_groups, self.param_groups, strict=True):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    "a param group in the state dict has a different number of params."
                )
        # the i-th parameter here is the i-th id listed in the saved groups, in group order
        saved_ids = [j for saved in saved_groups for j in saved["params"]]
        new_state: list[dict] = []
        for i, (p, j) in enumerate(zip(self._params, saved_ids, strict=True)):
            new_state.append({})
            for key, value in state_dict["state"].get(j, {}).items():
                if isinstance(value, np.ndarray):
                    if value.shape != p.shape:
                        raise ValueError(
                            f"state {key!r} of parameter {i} has shape {value.shape} "
                            f"but the parameter has shape {p.shape}."
                        )
                    value = value.astype(p.dtype, copy=True)
                else:
                    value = copy.deepcopy(value)
                new_state[i][key] = value
        for saved, group in zip(saved_groups, self.param_groups, strict=True):
            hyper = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            self._check_group({**group, **hyper})
            group.update(hyper)
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines + [")"])


def _check_param(p, i: int) -> None:
    if not isinstance(p, np.ndarray):
        raise TypeError(
            f"parameter {i} must be a numpy array (updated in place), got {type(p).__name__}."
        )
    if p.dtype.kind != "f":
        raise TypeError(
            f"parameter {i} has dtype {p.dtype}: an optimizer updates in place, so it must be a "
            "float array (use x = x.astype(float))."
        )
    if not p.flags.writeable:
        raise ValueError(f"parameter {i} is read-only: an optimizer updates it in place.")
