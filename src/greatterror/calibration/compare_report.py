"""Read a hypothesis comparison: model probabilities, Bayes factors, stability, priors, evidence.

Everything here is read from the comparison's SQLite database
(``calibration/compare.py``); nothing is simulated again.

- Posterior model probabilities: each hypothesis's share of a generation's
  particle weights (pyabc's ``get_model_probabilities``).
- Stability: the last generation's probabilities of every repeat, and their
  mean, which is the probability of the repeats pooled (the runs have equal
  particle counts).
- Bayes factors: with a uniform prior over the hypotheses, the Bayes factor
  of A over B is the ratio of their posterior probabilities. A probability
  below the 95% upper bound on a share that none of the repeats' effective
  particles holds (``compare_evidence.zero_rate_bound``, about 3 / ESS; the
  bound the reference table uses with its draws) is not told from zero, so
  the factor against it is given as a lower bound, at that bound. The
  words are Kass and Raftery's (1995, "Bayes factors", J. Am. Stat. Assoc.
  90(430): 773-795, section 3.2). They are withheld where the best hypothesis
  or the other one holds particles whose effective size is below
  ``MIN_EFFECTIVE_PER_HYPOTHESIS`` (review24 F4). The pairwise factors are
  floored in the same way, and marked where the floor makes them bounds.
- Which statistics separate the hypotheses: for each hypothesis, the
  weighted median distance of its accepted particles' statistics from the
  record, target by target, in units of the target's archival tolerance (a
  particle is one simulation at a posterior draw, so this is a posterior
  predictive check per statistic). A target on which the hypotheses' misfits
  differ most is the evidence that separates them. A hypothesis with no
  particle in the last generation is read at the last generation it had
  particles in (a looser threshold, which can only favour it); the
  generation is reported.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from greatterror.calibration.abc import db_url
from greatterror.calibration.compare import RunSpec, plan
from greatterror.calibration.compare_evidence import (
    MIN_EFFECTIVE_PER_HYPOTHESIS,
    bayes_factors,
    effective_size,
    pairwise_factors,
)
from greatterror.calibration.compare_settings import CompareSettings, stored_compare
from greatterror.calibration.posterior import weighted_quantiles
from greatterror.calibration.problem import require


def leaders(probabilities: dict[str, float], particles: int) -> str:
    """The hypotheses first in one run, joined by "=" when tied: within half a particle's share
    (0.5 / particles) of the highest probability. Review22 F4: a tie (H1 and H6 with 15 of 60
    particles each) was settled by list order and shown as a lone winner.

    >>> leaders({"H1": 0.25, "H2": 0.2, "H6": 0.25}, 60)
    'H1=H6'
    >>> leaders({"H1": 0.3, "H6": 0.25}, 60)
    'H1'
    """
    top = max(probabilities.values())
    tolerance = 0.5 / max(particles, 1)
    return "=".join(k for k, v in probabilities.items() if top - v <= tolerance)


class CappedHistory:
    """A pyabc History read as if its run had stopped after generation ``cap``.

    ``compare show --generation T`` and ``compare check --generation T`` read every run so,
    to compare runs at one threshold step when some went further than others (or to read
    the first generation, which rests on draws from the priors with equal weights, when
    later generations' importance weights are degenerate).
    """

    def __init__(self, history: Any, cap: int) -> None:
        self._history = history
        self._cap = cap

    @property
    def max_t(self) -> int:
        return min(int(self._history.max_t), self._cap)

    def get_all_populations(self) -> Any:
        pops = self._history.get_all_populations()
        return pops[pops["t"] <= self._cap]

    @property
    def total_nr_simulations(self) -> int:
        return int(self.get_all_populations()["samples"].sum())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._history, name)


def load_runs(
    path: Path, generation: int | None = None
) -> tuple[CompareSettings, list[tuple[RunSpec, Any]]]:
    """The settings and each stored run's pyabc History (runs not yet started are left out),
    each read up to ``generation`` when one is given."""
    pyabc = require("pyabc")
    settings = stored_compare(path)
    started = {int(r.id) for r in pyabc.History(db_url(path)).all_runs()}
    runs = [(s, pyabc.History(db_url(path), _id=s.index)) for s in plan(settings)]
    if generation is not None:
        runs = [(s, CappedHistory(h, generation)) for s, h in runs]
    return settings, [(s, h) for s, h in runs if s.index in started and h.max_t >= 0]


def generation_rows(settings: CompareSettings, history: Any) -> list[dict[str, Any]]:
    """One row per generation: threshold, simulations and each hypothesis's probability."""
    probabilities = history.get_model_probabilities()
    pops = history.get_all_populations()
    rows = []
    for _, pop in pops[pops["t"] >= 0].iterrows():
        t = int(pop["t"])
        row = probabilities.loc[t] if t in probabilities.index else {}
        rows.append(
            {
                "generation": t,
                "epsilon": float(pop["epsilon"]),
                "simulations": int(pop["samples"]),
                "effective_particles": effective_size(history.get_weighted_distances(t)["w"]),
                "effective_particles_by_hypothesis": {
                    label: effective_size(history.get_distribution(m, t)[1])
                    for m, label in enumerate(settings.labels)
                },
                "probabilities": {
                    label: float(row.get(m, 0.0)) if len(row) else 0.0
                    for m, label in enumerate(settings.labels)
                },
            }
        )
    return rows


def _misfit(settings: CompareSettings, history: Any, m: int) -> tuple[int, Any, Any] | None:
    """The last generation with particles of model ``m``: weights and its statistics' matrix."""
    for t in range(history.max_t, -1, -1):
        weights, stats = history.get_weighted_sum_stats_for_model(m=m, t=t)
        if len(stats):
            matrix = np.array([[float(s[k]) for k in settings.targets] for s in stats])
            return t, np.asarray(weights, dtype=np.float64), matrix
    return None


def _weighted_median(matrix: Any, weights: Any) -> Any:
    """Each column's weighted median (robust to the few runaway runs a generation may accept)."""
    return np.array(
        [weighted_quantiles(matrix[:, j], weights, [0.5])[0] for j in range(matrix.shape[1])]
    )


def separation(settings: CompareSettings, runs: list[tuple[RunSpec, Any]]) -> list[dict[str, Any]]:
    """Per target, each hypothesis's misfit in archival tolerances; sorted, widest spread first.

    ``log_excess`` is the signed statistic itself (``statistics.excess_log_ratios``): the log
    distance of the simulated figure outside the archival band, 0 inside it, negative below
    its lower edge and positive above its upper, a weighted median per run and the mean over
    the repeats. It is not log(simulated / archival) (dock16: a dock of one against the
    record's 16 reads -2.68, the distance below 16 / 1.1)."""
    from greatterror.calibration.statistics import archival_targets
    from greatterror.evidence.loader import load_evidence

    tolerance = np.array([a.tolerance for a in archival_targets(load_evidence(), settings.targets)])
    per_label: dict[str, dict[str, Any]] = {}
    for m, label in enumerate(settings.labels):
        misfits, signed, gens = [], [], []
        for spec, history in runs:
            if not spec.is_repeat:
                continue
            found = _misfit(settings, history, m)
            if found is None:
                continue
            t, w, matrix = found
            misfits.append(_weighted_median(np.abs(matrix) / tolerance, w))
            signed.append(_weighted_median(matrix, w))
            gens.append(t)
        if misfits:
            per_label[label] = {
                "misfit": np.mean(misfits, axis=0),
                "log_excess": np.mean(signed, axis=0),
                "generations": gens,
            }
    rows = []
    for j, target in enumerate(settings.targets):
        cells = {
            label: {
                "misfit": float(v["misfit"][j]),
                "log_excess": float(v["log_excess"][j]),
                "generations": v["generations"],
            }
            for label, v in per_label.items()
        }
        values = [c["misfit"] for c in cells.values()]
        spread = max(values) - min(values) if values else 0.0
        rows.append({"target": target, "spread": spread, "by_hypothesis": cells})
    return sorted(rows, key=lambda r: -r["spread"])


def common_generation(stopped_at: dict[int, int], generation: int | None) -> int | None:
    """The generation to read every run at: the one asked for, or else, when runs stopped at
    different generations, the lowest of their last ones (None: each run's last, all equal)."""
    if generation is None and len(set(stopped_at.values())) > 1:
        return min(stopped_at.values())
    return generation


def summarise(path: Path, generation: int | None = None) -> dict[str, Any]:
    """Everything ``hypotheses compare show`` reports, as plain data (every run read up to
    ``generation`` when one is given).

    Without ``generation``, runs that stopped at different generations (a simulation budget
    stops each where it runs out) are all read at the lowest of their last generations:
    pooling their probabilities at different thresholds would mix steps of the sequence
    (review of 5 Dec 2026, F7). ``stopped_at`` records where each run stopped."""
    settings, runs = load_runs(path, generation)
    stopped_at = {spec.index: int(history.max_t) for spec, history in runs}
    if generation != (generation := common_generation(stopped_at, generation)):
        settings, runs = load_runs(path, generation)
    out_runs = []
    for spec, history in runs:
        gens = generation_rows(settings, history)
        out_runs.append(
            {
                "run": spec.index,
                "seed": spec.seed,
                "prior_scale": spec.prior_scale,
                "kind": "repeat" if spec.is_repeat else "prior sensitivity",
                "generations": gens,
                "final": gens[-1]["probabilities"],
                "final_effective_particles": gens[-1]["effective_particles"],
                "simulations": int(history.total_nr_simulations),
            }
        )
    repeats = [r for r in out_runs if r["prior_scale"] == 1.0]
    stability: dict[str, dict[str, float]] = {}
    for label in settings.labels:
        values = [r["final"][label] for r in repeats]
        if values:
            stability[label] = {
                "mean": float(np.mean(values)),
                "min": float(min(values)),
                "max": float(max(values)),
            }
    best: str | None = None
    factors: list[dict[str, Any]] = []
    pairwise: dict[str, dict[str, float | None]] = {}
    pairwise_bounds: dict[str, dict[str, str]] = {}
    by_hypothesis: dict[str, float] = {}
    if stability:
        pooled = {k: v["mean"] for k, v in stability.items()}
        # resolved to one part in the repeats' effective particles (at most their number)
        effective = sum(min(r["final_effective_particles"], settings.particles) for r in repeats)
        # each hypothesis's own effective particles, summed over the repeats
        by_hypothesis = {
            label: float(
                sum(
                    r["generations"][-1]
                    .get("effective_particles_by_hypothesis", {})
                    .get(label, 0.0)
                    for r in repeats
                )
            )
            for label in settings.labels
        }
        best, factors = bayes_factors(pooled, effective, by_hypothesis)
        pairwise, pairwise_bounds = pairwise_factors(pooled, effective)
    per_repeat_best = [leaders(r["final"], settings.particles) for r in repeats]
    reference = {r["seed"]: r["final"] for r in repeats}
    sensitivity = []
    for r in out_runs:
        if r["prior_scale"] != 1.0:
            base = reference.get(r["seed"], {})
            sensitivity.append(
                {
                    "prior_scale": r["prior_scale"],
                    "seed": r["seed"],
                    "final": r["final"],
                    "best": leaders(r["final"], settings.particles),
                    "change_from_declared_priors": {
                        k: r["final"][k] - base[k] for k in r["final"] if k in base
                    },
                }
            )
    return {
        "settings": json.loads(settings.to_json()),
        "database": str(path),
        "read_up_to_generation": generation,
        "stopped_at": stopped_at,
        "runs_planned": len(plan(settings)),
        "runs": out_runs,
        "stability": stability,
        "best_per_repeat": per_repeat_best,
        "best": best,
        "bayes_factors": factors,
        "effective_particles_by_hypothesis": by_hypothesis,
        "evidence_minimum_effective_particles": MIN_EFFECTIVE_PER_HYPOTHESIS,
        "pairwise_bayes_factors": pairwise,
        "pairwise_bounds": pairwise_bounds,
        "prior_sensitivity": sensitivity,
        "separation": separation(settings, runs),
    }


def factor_rows(summary: dict[str, Any]) -> list[list[Any]]:
    """The best hypothesis's Bayes factor against each other one, with its words or the reason
    they are withheld (``compare_evidence.bayes_factors``), as printed: ``compare show`` and
    the dashboard's Hypotheses page."""
    return [
        [
            r["hypothesis"],
            f"{r['probability']:.3f}",
            (">" if r["lower_bound"] else "") + f"{r['bayes_factor_of_best']:.3g}",
            r["evidence_for_best"],
        ]
        for r in summary["bayes_factors"]
    ]


def separation_rows(
    summary: dict[str, Any], limit: int | None = None
) -> tuple[list[str], list[list[Any]]]:
    """The targets (the first ``limit``; all without it), the most separating first: its
    spread and each hypothesis's misfit in archival tolerances (the median of its accepted
    simulations), as ``compare show`` prints them and the dashboard shows them."""
    rows = summary["separation"][:limit]
    if not rows:
        return [], []
    labels = [k for k in summary["settings"]["labels"] if k in rows[0]["by_hypothesis"]]
    return labels, [
        [r["target"], f"{r['spread']:.2f}"]
        + [f"{r['by_hypothesis'][k]['misfit']:.2f}" for k in labels]
        for r in rows
    ]


def write_files(summary: dict[str, Any], out_dir: Path) -> list[Path]:
    """The result as JSON and two CSV tables (probabilities per generation; separation)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = out_dir / "compare.json"
    result.write_text(json.dumps(summary, indent=2, default=float) + "\n", encoding="utf-8")
    probs = out_dir / "compare_probabilities.csv"
    with probs.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["run", "seed", "prior_scale", "generation", "epsilon", "hypothesis", "probability"]
        )
        for r in summary["runs"]:
            for g in r["generations"]:
                for label, p in g["probabilities"].items():
                    writer.writerow(
                        [
                            r["run"],
                            r["seed"],
                            r["prior_scale"],
                            g["generation"],
                            f"{g['epsilon']:.6g}",
                            label,
                            f"{p:.6g}",
                        ]
                    )
    sep = out_dir / "compare_separation.csv"
    with sep.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "target",
                "spread",
                "hypothesis",
                "misfit_in_tolerances",
                "signed_log_excess_over_band",
                "generations",
            ]
        )
        for row in summary["separation"]:
            for label, cell in row["by_hypothesis"].items():
                writer.writerow(
                    [
                        row["target"],
                        f"{row['spread']:.4g}",
                        label,
                        f"{cell['misfit']:.4g}",
                        f"{cell['log_excess']:.4g}",
                        " ".join(str(g) for g in cell["generations"]),
                    ]
                )
    return [result, probs, sep]
