"""Read a stored ABC-SMC fit: the posterior per parameter, per-generation diagnostics, plots.

Quantiles are weighted by the particles' importance weights. The effective
sample size of a generation is (sum w)^2 / sum w^2. The pairwise plot shows
the parameters the data constrain most: those whose 90% interval, measured
in prior probability (the prior's CDF), is narrowest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.calibration.abc import FitSettings, db_url, stored_settings
from greatterror.calibration.problem import Priors, prior_of, require

PAIRWISE_MAX = 6


def weighted_quantiles(
    values: NDArray[np.float64], weights: NDArray[np.float64], qs: list[float]
) -> list[float]:
    """Quantiles of a weighted sample (the weighted empirical CDF, interpolated)."""
    order = np.argsort(values)
    v, w = values[order], weights[order] / weights.sum()
    cdf = np.cumsum(w) - 0.5 * w
    return [float(np.interp(q, cdf, v)) for q in qs]


def effective_sample_size(weights: NDArray[np.float64]) -> float:
    w = np.asarray(weights, dtype=np.float64)
    return float(w.sum() ** 2 / (w**2).sum())


def load_fit(path: Path) -> tuple[FitSettings, Any]:
    """The fit's settings and its pyabc History (FitError if it is not a fit database)."""
    pyabc = require("pyabc")
    settings = stored_settings(path)
    return settings, pyabc.History(db_url(path), _id=1)


def fit_priors(settings: FitSettings) -> Priors:
    """The priors the fit used: its scenario's own, where the scenario still loads."""
    from greatterror.calibration.problem import scenario_problem
    from greatterror.model.scenario import ScenarioError, load_scenario

    try:
        return scenario_problem(load_scenario(settings.scenario))[1]
    except ScenarioError:
        return {}


def generations(history: Any) -> list[dict[str, Any]]:
    """One row per stored generation: epsilon, particles, simulations, acceptance, ESS."""
    rows = []
    pops = history.get_all_populations()
    for _, pop in pops[pops["t"] >= 0].iterrows():
        t = int(pop["t"])
        _, w = history.get_distribution(m=0, t=t)
        rows.append(
            {
                "generation": t,
                "epsilon": float(pop["epsilon"]),
                "particles": int(pop["particles"]),
                "simulations": int(pop["samples"]),
                "acceptance": float(pop["particles"]) / max(int(pop["samples"]), 1),
                "ess": effective_sample_size(np.asarray(w)),
            }
        )
    return rows


#: the columns of a fit's table of generations, and of its posterior (``generation_cells``,
#: ``posterior_cells``): ``calibrate show`` prints them and the dashboard shows them
GENERATION_COLUMNS = ("generation", "epsilon", "particles", "simulations", "acceptance", "ESS")
POSTERIOR_COLUMNS: tuple[str, ...] = ("parameter", "median", "5%", "95%", "prior median")
POSTERIOR_COLUMNS += ("prior mass of the interval",)


def generation_cells(g: dict[str, Any]) -> list[Any]:
    """One row of ``generations`` as printed, in ``GENERATION_COLUMNS``' order."""
    return [
        g["generation"],
        f"{g['epsilon']:.3g}",
        g["particles"],
        g["simulations"],
        f"{g['acceptance']:.2f}",
        f"{g['ess']:.1f}",
    ]


def posterior_cells(r: dict[str, Any]) -> list[str]:
    """One row of ``posterior`` as printed, in ``POSTERIOR_COLUMNS``' order."""
    values = (f"{r[k]:.4g}" for k in ("median", "p05", "p95", "prior_median"))
    return [r["name"], *values, f"{r['prior_mass_of_interval']:.2f}"]


def posterior(
    history: Any, t: int | None = None, priors: Priors | None = None
) -> list[dict[str, Any]]:
    """Median and 90% interval of each parameter at generation ``t`` (default: the last)."""
    df, w = history.get_distribution(m=0, t=history.max_t if t is None else t)
    weights = np.asarray(w, dtype=np.float64)
    rows = []
    for name in df.columns:
        values = df[name].to_numpy(dtype=np.float64)
        p05, p50, p95 = weighted_quantiles(values, weights, [0.05, 0.5, 0.95])
        prior = prior_of(name, priors).frozen()
        rows.append(
            {
                "name": name,
                "median": p50,
                "p05": p05,
                "p95": p95,
                "prior_median": float(prior.median()),
                "prior_mass_of_interval": float(prior.cdf(p95) - prior.cdf(p05)),
            }
        )
    return rows


def write_plots(history: Any, out_dir: Path, priors: Priors | None = None) -> list[Path]:
    """Marginal histograms of every parameter and a pairwise plot of the best constrained."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df, w = history.get_distribution(m=0, t=history.max_t)
    weights = np.asarray(w, dtype=np.float64)
    names = list(df.columns)
    out_dir.mkdir(parents=True, exist_ok=True)
    ncol = 6
    nrow = -(-len(names) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3 * ncol, 2.2 * nrow), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        prior = prior_of(name, priors)
        low, high = prior.support
        log = prior.kind == "loguniform"
        bins = np.geomspace(low, high, 16) if log else np.linspace(low, high, 16)
        ax.hist(df[name], bins=bins, weights=weights, color="0.35")
        if log:
            ax.set_xscale("log")
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    fig.suptitle(f"Posterior marginals, generation {history.max_t} (range: the prior's support)")
    fig.tight_layout()
    marginals = out_dir / "posterior_marginals.png"
    fig.savefig(marginals, dpi=90)
    plt.close(fig)

    ranked = sorted(posterior(history, priors=priors), key=lambda r: r["prior_mass_of_interval"])
    top = [r["name"] for r in ranked[:PAIRWISE_MAX]]
    k = len(top)
    fig, axes = plt.subplots(k, k, figsize=(2.2 * k, 2.2 * k), squeeze=False)
    size = 8 + 40 * weights / weights.max()
    for i, yi in enumerate(top):
        for j, xj in enumerate(top):
            ax = axes[i][j]
            if i == j:
                ax.hist(df[xj], bins=12, weights=weights, color="0.35")
            else:
                ax.scatter(df[xj], df[yi], s=size, color="0.2", alpha=0.6)
            for name, setter in ((xj, ax.set_xscale), (yi, ax.set_yscale)):
                if prior_of(name, priors).kind == "loguniform" and not (i == j and name == yi):
                    setter("log")
            if i == k - 1:
                ax.set_xlabel(xj, fontsize=7)
            if j == 0:
                ax.set_ylabel(yi, fontsize=7)
            ax.tick_params(labelsize=6)
    fig.suptitle("Pairwise posterior of the most constrained parameters")
    fig.tight_layout()
    pairwise = out_dir / "posterior_pairwise.png"
    fig.savefig(pairwise, dpi=90)
    plt.close(fig)
    return [marginals, pairwise]
