"""Checks of ``Sim``'s and ``Ensemble``'s arguments: scenario, scale, seed, threads,
parameters, mechanisms.

Everything a user passes is checked here, before a population is built, so
that a bad value costs nothing and names the field and its allowed values.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Real
from pathlib import Path
from typing import Any

from greatterror.errors import GreatterrorError
from greatterror.model.hypothesis_check import check_hypothesis
from greatterror.model.params import ParameterError
from greatterror.model.scenario import Scenario, ScenarioError, load_scenario
from greatterror.preflight import MAX_SEED, MAX_THREADS
from greatterror.scales import MAX_SCALE, MIN_SCALE


class SimError(GreatterrorError, ValueError):
    """A bad argument to the Python API; the message names the field and the allowed values."""


def check_scale(scale: Any) -> float:
    """The scale as a Python float: any real number but a bool, NumPy's scalars included.

    ``np.int64`` and ``np.float64`` are taken at their value. A float of less than double
    precision (``np.float32``, ``np.float16``) is taken as the decimal it prints:
    ``np.float32(0.001)`` is 0.001, not its binary value 0.0010000000474974513, which the
    run would record as its scale and the registry compare as a different one.
    """
    import numpy as np

    if isinstance(scale, bool) or not isinstance(scale, Real):
        raise SimError(f"scale: expected a number from {MIN_SCALE:g} to {MAX_SCALE:g}")
    narrow = isinstance(scale, np.floating) and scale.dtype.itemsize < 8
    value = float(str(scale)) if narrow else float(scale)
    if not (MIN_SCALE <= value <= MAX_SCALE):
        raise SimError(
            f"scale: {value:g} is out of range; allowed values: {MIN_SCALE:g} to {MAX_SCALE:g}"
        )
    return value


def is_whole(value: Any) -> bool:
    """A whole number: a Python int or a NumPy integer (``np.arange``'s items), never a bool.

    A float with no fraction (``2.0``) and a string of digits are not: the caller meant
    something else, or a parse was forgotten.
    """
    return isinstance(value, Integral) and not isinstance(value, bool)


def check_seed(seed: Any, field: str = "seed") -> int:
    if not is_whole(seed):
        raise SimError(f"{field}: expected a whole number from 0 to {MAX_SEED}")
    if not (0 <= seed <= MAX_SEED):
        raise SimError(f"{field}: {seed} is out of range; allowed values: 0 to {MAX_SEED}")
    return int(seed)


def check_threads(threads: Any) -> int:
    """Threads for the population's build: they change its wall time, never its contents."""
    if not is_whole(threads):
        raise SimError(f"threads: expected a whole number from 1 to {MAX_THREADS}")
    if not (1 <= threads <= MAX_THREADS):
        raise SimError(f"threads: {threads} is out of range; allowed values: 1 to {MAX_THREADS}")
    return int(threads)


def _switch_name(key: str) -> str:
    """A mechanism switch by M-id (``M12``) or by switch name (``denunciation``).

    Whether a mechanism is implemented comes from the components' declarations.
    """
    from greatterror.model.components import mechanism_table

    rows = mechanism_table()
    allowed = ", ".join(f"{r.id} ({r.switch})" for r in rows if r.implemented)
    for r in rows:
        if key in (r.id, r.switch):
            if not r.implemented:
                raise SimError(
                    f"mechanisms: {key} ({r.switch}) is not implemented in this version; "
                    f"allowed: {allowed}"
                )
            return r.switch
    raise SimError(f"mechanisms: unknown mechanism {key!r}; allowed: {allowed}")


def resolve_scenario(
    scenario: str | Path | Scenario, mechanisms: Mapping[str, bool] | None = None
) -> Scenario:
    """The scenario by shipped name, file path or object, with mechanism switches laid over it."""
    if isinstance(scenario, Scenario):
        base = scenario
    elif isinstance(scenario, str | Path):
        try:
            base = load_scenario(scenario)
        except ScenarioError as exc:
            raise SimError(str(exc)) from None
    else:
        raise SimError("scenario: expected a shipped scenario name, a .toml path or a Scenario")
    try:
        # a hypothesis must agree with what the model implements before anything runs
        check_hypothesis(base)
    except ScenarioError as exc:
        raise SimError(str(exc)) from None
    if mechanisms is not None and not isinstance(mechanisms, Mapping):
        raise SimError(
            f"mechanisms: expected a dict of switch to True or False, e.g. {{'M12': False}}; "
            f"got {mechanisms!r}"
        )
    if not mechanisms:
        return base
    switches = dict(base.mechanisms)
    for key, value in mechanisms.items():
        name = _switch_name(str(key))  # an unknown name is the first thing to say
        if not isinstance(value, bool):
            raise SimError(f"mechanisms.{key}: expected True or False, got {value!r}")
        switches[name] = value
    # model_copy keeps the file's origin for messages; the switches were checked above
    return base.model_copy(update={"mechanisms": switches})


def check_pars(scenario: Scenario, pars: Mapping[str, Any] | None) -> dict[str, Any]:
    """The overrides, validated against the parameter schema (names, types, ranges)."""
    if pars is not None and not isinstance(pars, Mapping):
        raise SimError(
            "pars: expected a dict of parameter name to value, e.g. "
            f"{{'names_per_confession': 1.0}}; got {pars!r}"
        )
    overrides = dict(pars or {})
    try:
        scenario.parameter_values(overrides)
    except ParameterError as exc:
        raise SimError(f"pars.{exc}") from None
    return overrides
