"""Joint ABC-SMC over several hypothesis scenarios, with a model index: model selection.

pyabc samples a model index and then that model's parameters from its prior,
so each accepted particle is one simulation of one hypothesis; the share of
the (weighted) particles each hypothesis holds in a generation is its
posterior model probability at that generation's threshold (Toni et al.
2009, "Approximate Bayesian computation scheme for parameter inference and
model selection in dynamical systems", J. R. Soc. Interface 6(31)). The
prior over the hypotheses is uniform. Each hypothesis keeps its own free
parameters and priors (its scenario's ``[priors]`` table over the declared
priors, ``calibration/problem.py``), and every hypothesis is judged by the
same statistics and the same adaptive distance as a single fit
(``calibration/abc.make_distance``).

One comparison is several independent ABC runs in one SQLite database (pyabc
numbers them 1, 2, ...): ``repeats`` runs at the declared priors, with fit
seeds ``seed``, ``seed + 1``, ...; then one run per prior scale, with the
first repeat's seed, where every prior is widened or narrowed
(``scaled_prior``). The first repeat and a prior-scaled run thus share
their population and, for equal parameter values, their simulations: they
differ only in the priors. The runs are made one after another; a comparison
killed at any moment resumes from the last stored generation of the run in
progress, like ``greatterror calibrate``. The settings that define a comparison,
and their storage, are in ``compare_settings.py``.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from greatterror.calibration.abc import (
    FitError,
    connect_scheduler,
    db_url,
    make_distance,
    make_sampler,
)
from greatterror.calibration.budget import cap_sampler, simulations_left
from greatterror.calibration.compare_settings import (
    META_KEY,
    CompareSettings,
    check_resume,
    scenario_hashes,
)
from greatterror.calibration.problem import (
    free_parameters,
    from_unit,
    prior_of,
    require,
    scenario_problem,
)
from greatterror.calibration.simulator import FitModel, warm
from greatterror.calibration.statistics import observed
from greatterror.model.priors import Prior


@dataclass(frozen=True)
class RunSpec:
    """One ABC run of a comparison: its number in the database, seed and prior scale."""

    index: int
    seed: int
    prior_scale: float

    @property
    def is_repeat(self) -> bool:
        return self.prior_scale == 1.0

    @property
    def label(self) -> str:
        if self.is_repeat:
            return f"repeat, seed {self.seed}"
        return f"priors x{self.prior_scale:g}, seed {self.seed}"


def plan(settings: CompareSettings) -> list[RunSpec]:
    """The runs of a comparison, in the order they are made and numbered."""
    runs = [RunSpec(r + 1, settings.seed + r, 1.0) for r in range(settings.repeats)]
    for k, factor in enumerate(settings.prior_scales):
        runs.append(RunSpec(settings.repeats + k + 1, settings.seed, float(factor)))
    return runs


def scaled_prior(prior: Prior, factor: float) -> Prior:
    """A prior widened (factor > 1) or narrowed (factor < 1) about its centre.

    - uniform: the half-width about the midpoint times ``factor``;
    - log-uniform: the same in log space (about the geometric midpoint);
    - normal: sigma times ``factor``;
    - beta: the same mean, with its standard deviation about ``factor`` times
      as large (the concentration alpha + beta + 1 divided by factor squared),
      never below alpha and beta of 1 when widening, so that it does not turn
      U-shaped.

    A support is always cut to the parameter's declared range, so a widened
    prior is only as wide as the parameter allows.
    """
    if factor == 1.0:
        return prior
    low, high = prior.low, prior.high
    if prior.kind == "uniform":
        a, b = prior.args
        centre, half = (a + b) / 2, (b - a) / 2 * factor
        args: tuple[float, ...] = (max(low, centre - half), min(high, centre + half))
    elif prior.kind == "loguniform":
        la, lb = math.log(prior.args[0]), math.log(prior.args[1])
        centre, half = (la + lb) / 2, (lb - la) / 2 * factor
        lower = math.exp(centre - half)
        args = (max(low, lower) if low > 0 else lower, min(high, math.exp(centre + half)))
    elif prior.kind == "normal":
        args = (prior.args[0], prior.args[1] * factor)
    elif prior.kind == "beta":
        alpha, beta = prior.args
        mean, concentration = alpha / (alpha + beta), alpha + beta
        new = max((concentration + 1) / factor**2 - 1, 1e-3)
        if factor > 1:
            new = max(new, min(concentration, 1 / min(mean, 1 - mean)))
        args = (mean * new, (1 - mean) * new)
    else:
        return prior
    return Prior(kind=prior.kind, args=args, low=low, high=high)


def logistic_values(
    names: tuple[str, ...], priors: tuple[Prior, ...], z: dict[str, float]
) -> dict[str, float]:
    """Parameter values x = F^-1(1 / (1 + e^-z)) from their logistic-scale values z."""
    import numpy as np

    unit = np.array([[1.0 / (1.0 + math.exp(-float(z[n]))) for n in names]])
    values = from_unit(names, unit, dict(zip(names, priors, strict=True)))
    return {n: float(v) for n, v in zip(names, values[0], strict=True)}


def hypothesis_priors(
    scenario: str, factor: float = 1.0, fixed: Collection[str] = ()
) -> tuple[tuple[str, ...], tuple[Prior, ...]]:
    """A hypothesis scenario's free parameters and their priors, every prior scaled by ``factor``,
    less those a screen ``fixed`` (``CompareSettings.fixed``)."""
    from greatterror.model.scenario import load_scenario

    free, priors = scenario_problem(load_scenario(scenario))
    free_parameters(free)  # unknown or fixed parameters fail before any work
    kept = tuple(name for name in free if name not in fixed)
    return kept, tuple(scaled_prior(prior_of(name, priors), factor) for name in kept)


@dataclass(frozen=True)
class LogisticModel:
    """A hypothesis's model with its parameters on the logistic scale of their priors.

    Each parameter is handed to pyabc as z = logit(F(x)), F its prior's CDF,
    so that every z has a standard logistic prior on the whole real line and
    the model maps z back to x = F^-1(1 / (1 + e^-z)) before simulating.
    This is the same prior on x. The reason is the perturbation kernel: a
    hypothesis may hold only a few particles in a generation, and pyabc's
    kernel fitted to so few points in 16-31 dimensions proposes values
    outside some prior's support nearly every time (each rejected unseen),
    so that a generation never fills. On the logistic scale no proposal has
    prior density zero. The database therefore stores z, not x
    (``to_values`` maps back).
    """

    fit: FitModel
    names: tuple[str, ...]
    priors: tuple[Prior, ...]

    def to_values(self, z: dict[str, float]) -> dict[str, float]:
        return logistic_values(self.names, self.priors, z)

    def __call__(self, parameters: Any) -> dict[str, float]:
        return self.fit(self.to_values(dict(parameters)))


def hypothesis_model(
    scenario: str,
    scale: float,
    seed: int,
    factor: float,
    targets: tuple[str, ...],
    fixed: tuple[tuple[str, float], ...] = (),
) -> tuple[LogisticModel, Any]:
    """One hypothesis's model and its pyabc prior, every prior scaled by ``factor``; ``fixed``
    parameters are set on every run (``FitModel.fixed``) and not drawn."""
    pyabc = require("pyabc")
    warm(scenario, scale, seed)  # the scenario, evidence and population, loaded before forking
    free, scaled = hypothesis_priors(scenario, factor, dict(fixed))
    model = LogisticModel(FitModel(scenario, scale, seed, targets, fixed=fixed), free, scaled)
    prior = pyabc.Distribution(**{name: pyabc.RV("logistic", 0.0, 1.0) for name in free})
    return model, prior


def build_compare_abc(settings: CompareSettings, spec: RunSpec, sampler: Any) -> Any:
    """The pyabc ABCSMC of one run: one model and one prior per hypothesis, a shared distance."""
    pyabc = require("pyabc")
    from greatterror.calibration.compare_epsilon import BelowTieQuantileEpsilon

    models, priors, evidence = [], [], None
    for scenario, label in zip(settings.scenarios, settings.labels, strict=True):
        _, evidence, _ = warm(scenario, settings.scale, spec.seed)  # loaded before forking
        model, prior = hypothesis_model(
            scenario,
            settings.scale,
            spec.seed,
            spec.prior_scale,
            settings.targets,
            settings.fixed_of(label),
        )
        models.append(pyabc.FunctionModel(model, name=label))
        priors.append(prior)
    from greatterror.calibration.compare_transition import DefensiveLogisticTransition

    return pyabc.ABCSMC(
        models,
        priors,
        make_distance(evidence, settings.targets),
        transitions=[DefensiveLogisticTransition() for _ in models],
        population_size=settings.particles,
        eps=BelowTieQuantileEpsilon(alpha=settings.quantile),
        sampler=sampler,
    )


def prior_record(settings: CompareSettings, factor: float) -> str:
    """Each hypothesis's free parameters and priors (scaled by ``factor``), as stored JSON.

    The database holds parameters on the logistic scale of these priors, so reading its
    particles back (``compare_check``) needs the very same priors: a later change of a
    scenario's priors is then found, not silently applied.
    """
    record = {}
    for scenario, label in zip(settings.scenarios, settings.labels, strict=True):
        names, priors = hypothesis_priors(scenario, factor, dict(settings.fixed_of(label)))
        record[label] = {n: p.model_dump(mode="json") for n, p in zip(names, priors, strict=True)}
    return json.dumps(record, sort_keys=True)


def stored_runs(path: Path) -> list[int]:
    """The run numbers already started in a database (pyabc's ABC ids)."""
    pyabc = require("pyabc")
    if not path.exists():
        return []
    return sorted(int(r.id) for r in pyabc.History(db_url(path)).all_runs())


def run_compare(
    settings: CompareSettings,
    db: Path,
    generations: int,
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    progress: Any = None,
) -> list[RunSpec]:
    """Make (or continue) every run of the comparison until each has ``generations`` generations."""
    require("pyabc")
    import numpy as np

    logging.getLogger("ABC").setLevel(logging.WARNING)
    if resume:
        check_resume(settings, db)
    if settings.scenario_hashes is None:  # stored with each run it starts
        settings = replace(settings, scenario_hashes=scenario_hashes(settings.scenarios))
    client = None
    if scheduler:
        client = connect_scheduler(scheduler)
    runs = plan(settings)
    current: dict[str, Any] = {}
    try:
        sampler = make_sampler(workers, client)
        if settings.max_simulations is not None:
            sampler = cap_sampler(
                sampler, lambda: simulations_left(settings.max_simulations, current["abc"].history)
            )
        for spec in runs:
            np.random.seed(spec.seed * 1000 + spec.index)  # the main process's draws
            abc = current["abc"] = build_compare_abc(settings, spec, sampler)
            if spec.index in stored_runs(db):
                abc.load(db_url(db), spec.index)
                done = abc.history.max_t + 1
            else:
                meta = {
                    META_KEY: {
                        "settings": settings.to_json(),
                        "run": spec.index,
                        "priors": prior_record(settings, spec.prior_scale),
                    }
                }
                abc.new(db_url(db), observed(settings.targets), meta_info=meta)
                if abc.history.id != spec.index:
                    raise FitError(f"--db: run {spec.index} was stored as {abc.history.id}")
                done = 0
            if progress is not None:
                progress(spec, done, generations)
            if generations > done and simulations_left(settings.max_simulations, abc.history) > 0:
                limits: dict[str, Any] = {}
                if settings.max_simulations is not None:
                    limits["max_total_nr_simulations"] = settings.max_simulations
                abc.run(max_nr_populations=generations - done, **limits)
                if progress is not None and abc.history.max_t + 1 < generations:
                    progress(spec, abc.history.max_t + 1, generations, stopped=True)
    finally:
        if client is not None:
            client.close()
    return runs
