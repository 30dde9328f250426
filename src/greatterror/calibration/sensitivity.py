"""Global sensitivity of the distance to the archival record over the free parameters (SALib).

Fixed parameters can be screened too, over their declared priors (``analyse``'s ``names``).

The output studied is the fit's own distance at its floor
(``statistics.archival_distance``: each calibration target's log distance
outside its archival band over the band's half-width, in a Euclidean norm),
without the adaptive weights, which exist only inside an ABC population. As in the fit, a runaway run (``simulator``)
stops early and gets the stand-in statistics, so its output is censored: the
indices describe the distance the fit sees. Parameters are sampled on the unit cube and
mapped through their priors (``problem.from_unit``), so the indices measure
sensitivity over the priors of data/parameters.csv. Morris screening is the
cheap first pass that says which parameters an ABC fit could drop; Sobol
indices cost many more runs.

Morris's grid puts half its points on the unit cube's faces (levels 0 and 1).
Through the inverse CDF of a uniform or log-uniform prior these are the ends of
its declared support; through a normal or beta prior they are the extreme tail
(a normal prior's 1 - 1e-12 quantile is seven standard deviations out), values
the fit essentially never draws, and every elementary effect of such a
parameter would involve one. For these priors the grid is spread over the
0.5%-99.5% quantiles instead (``morris_quantiles``; Saltelli et al., Global
Sensitivity Analysis: The Primer, 2008, ch. 3, as cited in SALib issue 515).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np

from greatterror.calibration.problem import (
    Priors,
    from_unit,
    prior_of,
    require,
    salib_problem,
    scenario_problem,
)
from greatterror.calibration.simulator import RUNAWAY_STATISTIC, FitModel, warm
from greatterror.calibration.statistics import archival_distance
from greatterror.pools import worker_pool

_MODEL: FitModel | None = None
#: The quantiles a Morris grid's levels 0 and 1 stand for under a prior with tails.
MORRIS_TAIL = 0.005
#: Priors whose support ends are the declared range, not a tail: the grid reaches them.
_EDGE_PRIORS = ("uniform", "loguniform")


def _distance(values: dict[str, float]) -> float:
    assert _MODEL is not None
    return archival_distance(_MODEL(values), _MODEL.bands())


def _init(model: FitModel) -> None:
    global _MODEL
    _MODEL = model
    warm(model.scenario, model.scale, model.seed)


def design(
    method: Literal["morris", "sobol"], samples: int, seed: int, problem: dict[str, Any]
) -> np.ndarray:
    """The SALib design on the unit cube."""
    if method == "morris":
        morris = require("SALib.sample.morris")
        return np.asarray(morris.sample(problem, samples, num_levels=4, seed=seed))
    sobol = require("SALib.sample.sobol")
    if samples & (samples - 1):
        raise ValueError(f"--samples: {samples} is not a power of 2; Sobol sampling needs one")
    return np.asarray(sobol.sample(problem, samples, calc_second_order=False, seed=seed))


def morris_quantiles(
    names: list[str], unit: np.ndarray, priors: Priors | None = None
) -> np.ndarray:
    """The Morris grid in each prior's quantiles: [0, 1] shrunk to the 0.5%-99.5% quantiles
    for a normal or beta prior (the module's docstring says why), unchanged otherwise.

    Only the values the simulations receive change; the elementary effects are still
    taken over the grid's own steps, so every parameter's step is the same share of
    its design range.
    """
    out = np.array(unit, dtype=np.float64, copy=True)
    for j, name in enumerate(names):
        if prior_of(name, priors).kind not in _EDGE_PRIORS:
            out[:, j] = MORRIS_TAIL + (1 - 2 * MORRIS_TAIL) * out[:, j]
    return out


def analyse(
    scenario: str,
    method: Literal["morris", "sobol"],
    samples: int,
    scale: float,
    workers: int,
    seed: int,
    names: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Run the design and return the ranking, most influential first.

    ``names`` (default: the scenario's free parameters) may include fixed
    parameters: each is moved over its declared prior, the others stay at the
    scenario's values (calibration/screen_set.py says why one would).
    """
    from greatterror.model.scenario import load_scenario

    free, priors = scenario_problem(load_scenario(scenario))
    names = free if names is None else names
    problem = salib_problem(names)
    unit = design(method, samples, seed, problem)
    quantiles = morris_quantiles(problem["names"], unit, priors) if method == "morris" else unit
    values = from_unit(problem["names"], quantiles, priors)
    model = FitModel(scenario, scale, seed)
    warm(scenario, scale, seed)  # forked workers inherit the population
    bands = model.bands()
    rows = [dict(zip(problem["names"], map(float, v), strict=True)) for v in values]
    # the distance of a run stopped as a runaway: every statistic at its stand-in
    runaway = archival_distance(dict.fromkeys(model.ids, RUNAWAY_STATISTIC), bands)
    if workers == 1:
        _init(model)
        y = np.array([_distance(r) for r in rows])
    else:
        # Ctrl-C ends the workers at once, without a traceback of theirs (pools.py)
        with worker_pool(workers, initializer=_init, initargs=(model,)) as pool:
            y = np.array(list(pool.map(_distance, rows, chunksize=1)))
    ranking: list[dict[str, Any]] = []
    if method == "morris":
        analyze = require("SALib.analyze.morris")
        res = analyze.analyze(problem, unit, y, num_levels=4, seed=seed)
        for i, name in enumerate(problem["names"]):
            ranking.append(
                {
                    "name": name,
                    "mu_star": float(res["mu_star"][i]),
                    "mu_star_conf": float(res["mu_star_conf"][i]),
                    "sigma": float(res["sigma"][i]),
                }
            )
        ranking.sort(key=lambda r: -r["mu_star"])
    else:
        analyze = require("SALib.analyze.sobol")
        res = analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        for i, name in enumerate(problem["names"]):
            ranking.append(
                {
                    "name": name,
                    "ST": float(res["ST"][i]),
                    "ST_conf": float(res["ST_conf"][i]),
                    "S1": float(res["S1"][i]),
                    # half-widths of SALib's bootstrap 95% intervals: at a small N they
                    # decide which indices can be told from zero
                    "S1_conf": float(res["S1_conf"][i]),
                }
            )
        ranking.sort(key=lambda r: -r["ST"])
    return {
        "scenario": scenario,
        "method": method,
        "samples": samples,
        "runs": len(rows),
        "scale": scale,
        "seed": seed,
        "parameters": list(problem["names"]),
        "distance": {"median": float(np.median(y)), "min": float(y.min()), "max": float(y.max())},
        "runaways": int(np.isclose(y, runaway).sum()),
        "runaway_distance": float(runaway),
        # each design point's distance, in the order of the design (regenerated from the seed)
        "distances": [round(float(v), 4) for v in y],
        "ranking": ranking,
    }


def write_plot(result: dict[str, Any], out_dir: Path) -> Path:
    """A horizontal bar chart of the index, with its confidence interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["ranking"]
    key, conf = ("mu_star", "mu_star_conf") if result["method"] == "morris" else ("ST", "ST_conf")
    fig, ax = plt.subplots(figsize=(7, 0.25 * len(rows) + 1.2))
    names = [r["name"] for r in rows][::-1]
    ax.barh(names, [r[key] for r in rows][::-1], xerr=[r[conf] for r in rows][::-1], color="0.4")
    ax.set_xlabel("Morris mu* (distance units)" if key == "mu_star" else "Sobol total index ST")
    ax.set_title(f"{result['scenario']}: sensitivity of the distance to the record")
    ax.tick_params(labelsize=7)
    fig.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"sensitivity_{result['method']}.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
