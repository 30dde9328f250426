"""Toy model comparisons whose true model probabilities are known, to test a kernel.

A hypothesis comparison (``compare.py``) weighs each hypothesis by the importance
weights of its particles, and those weights depend on the perturbation kernel
(``compare_transition.py``). With 14-33 free parameters per hypothesis and tens of
particles each, the weights can follow a hypothesis's parameter count instead of the
data (docs/hypotheses.md, "The perturbation kernel"). The toys here have equal
evidence by construction: every model has standard logistic priors (the comparison's
scale), simulates y = p0 and is scored by |y - y_obs|; its other parameters are inert.
Any model's probability other than its prior share (1 / number of models) is
therefore the method's error, and the toys can give the models different numbers of
inert parameters to see whether that error follows the count. y_obs is 0 (the prior's
centre) unless a toy sets it away from 0, to see what a proposal costs in simulations
when the posterior of p0 lies off the prior's centre (review23 F2).

The ABC-SMC is pyabc's, set up as the comparison's (a quantile threshold, pyabc's
default model perturbation, one kernel per model), on one process, with its database
in a temporary directory. pyabc draws from numpy's global generator, which is seeded.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyabc


def _model(parameters: Any) -> dict[str, float]:
    return {"y": float(parameters["p0"])}


def _distance(x: dict[str, float], y: dict[str, float]) -> float:
    return abs(x["y"] - y["y"])


def toy_prior(parameters: int) -> Any:
    """A pyabc prior of ``parameters`` standard logistic parameters p0, p1, ..."""
    names = [f"p{i}" for i in range(parameters)]
    return pyabc.Distribution(**{n: pyabc.RV("logistic", 0.0, 1.0) for n in names})


def toy_run(
    dimensions: Sequence[int],
    kernel: type,
    seed: int,
    particles: int,
    generations: int,
    quantile: float = 0.3,
    observed: float = 0.0,
) -> dict[str, list[list[float]] | list[int]]:
    """One toy ABC-SMC: each model's probability and effective sample size per generation.

    ``dimensions`` gives each model's parameter count (p0 and the inert rest);
    ``particles`` is the population over all models; ``observed`` is the y the models are
    scored against (0, the prior's centre, unless a toy puts the posterior of p0 away from
    it). Returns ``probabilities`` and ``ess`` (one row per generation t = 0, 1, ..., one
    value per model, 0 for a model with no particle; the ESS is Kish's, of the model's own
    normalised weights) and ``simulations`` (the simulations each generation needed).
    """
    if not dimensions or min(dimensions) < 1:
        raise ValueError("every model needs at least one parameter (p0)")
    np.random.seed(seed)
    abc = pyabc.ABCSMC(
        [_model] * len(dimensions),
        [toy_prior(d) for d in dimensions],
        _distance,
        population_size=particles,
        transitions=[kernel() for _ in dimensions],
        eps=pyabc.QuantileEpsilon(alpha=quantile),
        sampler=pyabc.SingleCoreSampler(),
    )
    probabilities, ess = [], []
    with tempfile.TemporaryDirectory() as tmp:
        abc.new(f"sqlite:///{tmp}/toy.db", {"y": float(observed)})
        history = abc.run(max_nr_populations=generations)
        table = history.get_model_probabilities()
        populations = history.get_all_populations()
        for t in range(len(table)):
            row = table.iloc[t]
            probabilities.append([float(row.get(m, 0.0)) for m in range(len(dimensions))])
            sizes = []
            for m in range(len(dimensions)):
                if probabilities[-1][m] <= 0.0:
                    sizes.append(0.0)
                    continue
                _, w = history.get_distribution(m, t)
                w = np.asarray(w, dtype=float) / float(np.sum(w))
                sizes.append(float(1.0 / np.sum(w**2)))
            ess.append(sizes)
        simulations = [int(v) for v in populations[populations.t >= 0]["samples"]]
    return {"probabilities": probabilities, "ess": ess, "simulations": simulations}
