"""The fitting problem handed to pyabc, optuna and SALib, derived from data/parameters.csv.

Each library gets the same free parameters and the same priors, so a
posterior, a point fit and a sensitivity ranking always refer to one
declared problem. The libraries are optional (the ``calibrate`` extra) and
are imported only when a definition is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.errors import GreatterrorError
from greatterror.model.params import BY_NAME, FREE_PARAMETERS, Param
from greatterror.model.priors import Prior

#: Priors that replace the declared ones for a fit, by parameter name.
Priors = Mapping[str, Prior]


class MissingExtraError(GreatterrorError, RuntimeError):
    """A calibration library is not installed; the message says how to install it."""


def require(module: str) -> Any:
    """Import an optional library of the ``calibrate`` extra, or explain how to get it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"{module} is not installed; install the calibration extra: "
            "python3 -m pip install -e '.[calibrate]'"
        ) from None


def free_parameters(names: Sequence[str] | None = None) -> tuple[Param, ...]:
    """The declarations of ``names`` (default: every free parameter), checked to be fittable."""
    chosen = FREE_PARAMETERS if names is None else tuple(names)
    out = []
    for name in chosen:
        if name not in BY_NAME:
            raise ValueError(f"{name}: unknown parameter; `greatterror params` lists them all")
        spec = BY_NAME[name]
        if spec.prior.kind == "fixed":
            raise ValueError(f"{name}: its prior is 'fixed', so it cannot be fitted")
        out.append(spec)
    return tuple(out)


def scenario_problem(scenario: Any) -> tuple[tuple[str, ...], dict[str, Prior]]:
    """A scenario's free parameters and the priors its ``[priors]`` table sets.

    The free parameters are the declared ones (data/parameters.csv) and any
    other parameter the scenario gives a prior; a scenario's prior replaces
    the declared prior of that parameter (model/hypothesis.py).
    """
    own = getattr(scenario, "priors", {}) or {}
    priors = {}
    for name, prior in own.items():
        spec = BY_NAME[name]
        priors[name] = Prior(kind=prior.kind, args=prior.args, low=spec.low, high=spec.high)
    names = (*FREE_PARAMETERS, *(n for n in own if n not in FREE_PARAMETERS))
    return names, priors


def conditional_free(text: str, free: Sequence[str]) -> tuple[str, ...]:
    """The free parameters a conditional fit varies (``calibrate --free a,b``), in ``free``'s order.

    A conditional fit varies some of a scenario's free parameters and holds the others at the
    values the scenario file sets: for one whose targets moved under it when the model changed
    (docs/calibration.md, "A conditional fit"). ValueError, naming the allowed names, for an
    empty list or a name that is not in ``free``.
    """
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in free]
    if not names or unknown:
        said = f"not free parameters of the scenario: {', '.join(unknown)}" if unknown else "empty"
        raise ValueError(f"--free: {said}; allowed: a comma-separated list of {', '.join(free)}")
    return tuple(n for n in free if n in names)


#: the values a conditional fit held its scenario's other free parameters at, by name
Held = tuple[tuple[str, float], ...]


def held_values(scenario: Any, varied: Sequence[str]) -> Held:
    """The values of ``scenario``'s free parameters not in ``varied``, as its runs resolve them:
    what a conditional fit (``calibrate --free``) holds them at; () for a fit of them all."""
    free, _ = scenario_problem(scenario)
    values = scenario.parameter_values()
    return tuple((n, float(values[n])) for n in free if n not in varied)


def scenario_digest(scenario: Any, varied: Sequence[str]) -> str:
    """The hash of ``scenario``'s resolved content (``provenance.scenario_source``, as runs
    record it) as a fit of ``varied`` runs it: each parameter at the value its runs resolve,
    less the ``varied`` ones, which every particle sets.

    A fit stores it (``abc.FitSettings.scenario_hash``), and a comparison one per hypothesis
    (``compare_settings.CompareSettings.scenario_hashes``): a resume refuses a scenario whose
    digest moved (a date, an event, a switch, a prior, a fixed or held value), which would
    mix two models' simulations in one posterior, but not a file in which ``calibrate
    apply`` rewrote only the varied values, which no particle reads.
    """
    from greatterror.provenance import scenario_source

    kept = {n: v for n, v in scenario.parameter_values().items() if n not in varied}
    return str(scenario_source(scenario.model_copy(update={"parameters": kept}))["hash"])


def held_changes(held: Held, scenario: Any) -> list[str]:
    """The held values that ``scenario`` no longer sets, each as "name = now (the fit held it
    at then)": a conditional fit's posterior is conditional on the values it held."""
    values = scenario.parameter_values()
    return [
        f"{n} = {float(values[n])!r} (the fit held it at {v!r})"
        for n, v in held
        if float(values[n]) != v
    ]


def prior_of(name: str, priors: Priors | None = None) -> Prior:
    """The prior a fit uses for ``name``: the scenario's, or else the declared one."""
    return (priors or {}).get(name) or BY_NAME[name].prior


def pyabc_prior(names: Sequence[str] | None = None, priors: Priors | None = None) -> Any:
    """A ``pyabc.Distribution`` of one ``pyabc.RV`` per free parameter."""
    pyabc = require("pyabc")
    rvs = {}
    for p in free_parameters(names):
        name, args, kwargs = prior_of(p.name, priors).scipy_spec()
        rvs[p.name] = pyabc.RV(name, *args, **kwargs)
    return pyabc.Distribution(**rvs)


def optuna_space(
    names: Sequence[str] | None = None, priors: Priors | None = None
) -> dict[str, Any]:
    """Optuna distributions over each prior's support (log scale for log-uniform priors).

    Optuna samples within bounds; a normal or beta prior becomes its range, so
    a point fit is not pulled towards the prior's centre.
    """
    optuna = require("optuna")
    space: dict[str, Any] = {}
    for p in free_parameters(names):
        prior = prior_of(p.name, priors)
        low, high = prior.support
        if p.integer:
            space[p.name] = optuna.distributions.IntDistribution(int(low), int(high))
        else:
            log = prior.kind == "loguniform"
            space[p.name] = optuna.distributions.FloatDistribution(low, high, log=log)
    return space


def salib_problem(names: Sequence[str] | None = None) -> dict[str, Any]:
    """The SALib problem over the unit cube; ``from_unit`` maps a sample to parameter values.

    SALib's own distributions do not include a log-uniform or a truncated
    normal on a range, so each parameter is sampled uniformly on [0, 1] and
    sent through its prior's inverse CDF: the sensitivity is then measured
    over the priors themselves.
    """
    params = free_parameters(names)
    return {
        "num_vars": len(params),
        "names": [p.name for p in params],
        "bounds": [[0.0, 1.0]] * len(params),
        "dists": ["unif"] * len(params),
    }


@lru_cache(maxsize=1024)
def frozen_prior(prior: Prior) -> Any:
    """``prior.frozen()``, made once per process and prior (a ``Prior`` is immutable): a
    frozen SciPy distribution takes about a millisecond to make, and the hypothesis
    comparison maps each particle's 2-20 values through their priors (``from_unit``, by
    ``compare.LogisticModel``), 0.01 s of CPU a particle when made anew each time."""
    return prior.frozen()


def from_unit(
    names: Sequence[str], unit: NDArray[np.float64], priors: Priors | None = None
) -> NDArray[np.float64]:
    """Rows of values in [0, 1] mapped through each parameter's prior (inverse CDF).

    A whole-number parameter's value is rounded to the nearest integer: a convention of the
    screens, the comparison's priors and ``--vary`` alike, under which the two end values of
    a uniform prior get half the mass of the inner ones (uniform(2, 5): 2 and 5 a sixth each,
    3 and 4 a third each; review20 F10). Changing it would change every stored design."""
    params = free_parameters(names)
    values = np.empty_like(unit, dtype=np.float64)
    eps = 1e-12  # keeps log-uniform and truncated priors off their open ends
    for j, p in enumerate(params):
        column = frozen_prior(prior_of(p.name, priors)).ppf(np.clip(unit[:, j], eps, 1 - eps))
        if p.integer:
            column = np.round(column)
        values[:, j] = np.clip(column, p.low, p.high)
    return values
