"""Read a hypothesis comparison: model probabilities, Bayes factors, stability, priors, evidence.

Everything here is read from the comparison's SQLite database
(``calibration/compare.py``); nothing is simulated again.

- Posterior model probabilities: each hypothesis's share of a generation's
  particle weights (pyabc's ``get_model_probabilities``).
- Stability: the last generation's probabilities of every repeat, and their
  mean, which is the probability of the repeats pooled (the runs have equal
  particle counts).
- Bayes factors: with a uniform prior over the hypotheses, the Bayes factor
  of A over B is the ratio of their posterior probabilities. A hypothesis
  with no particle left has a probability below about one particle's share,
  1 / (repeats x particles), so its factor is given as a lower bound. The
  words are Kass and Raftery's (1995, "Bayes factors", J. Am. Stat. Assoc.
  90(430): 773-795, section 3.2).
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
import math
from pathlib import Path
from typing import Any

import numpy as np

from greatterror.calibration.abc import db_url
from greatterror.calibration.compare import CompareSettings, RunSpec, plan, stored_compare
from greatterror.calibration.posterior import weighted_quantiles
from greatterror.calibration.problem import require

#: Kass and Raftery (1995), section 3.2: the Bayes factor and the evidence it gives.
KASS_RAFTERY = (
    (3.2, "not worth more than a bare mention"),
    (10.0, "substantial"),
    (100.0, "strong"),
    (math.inf, "decisive"),
)


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


def evidence_words(factor: float) -> str:
    for bound, words in KASS_RAFTERY:
        if factor < bound:
            return words
    return KASS_RAFTERY[-1][1]


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
                "probabilities": {
                    label: float(row.get(m, 0.0)) if len(row) else 0.0
                    for m, label in enumerate(settings.labels)
                },
            }
        )
    return rows


def effective_size(weights: Any) -> float:
    """Kish's effective sample size of importance weights, (sum w)^2 / sum w^2.

    With few particles in many dimensions pyabc's importance weights can be
    degenerate (one particle holding nearly all the weight); a model
    probability is then resolved to about one part in this number, not in the
    number of particles.
    """
    w = np.asarray(weights, dtype=float)
    total = float(w.sum())
    return total * total / float((w * w).sum()) if total > 0 else 0.0


def bayes_factors(
    probabilities: dict[str, float], particles: float
) -> tuple[str, list[dict[str, Any]]]:
    """The best hypothesis and each one's Bayes factor against it, with Kass-Raftery's words.

    ``particles`` is the resolution of the probabilities: the (effective) number of
    particles they rest on. A probability below one particle's share is not resolved, so
    the factor against it is only a lower bound, computed at that share.
    """
    best = max(probabilities, key=lambda k: probabilities[k])
    floor = 1.0 / max(particles, 1.0)  # one particle's share: the resolution of the estimate
    rows = []
    for label, p in probabilities.items():
        if label == best:
            continue
        bound = p < floor
        factor = probabilities[best] / max(p, floor) if bound else probabilities[best] / p
        rows.append(
            {
                "hypothesis": label,
                "probability": p,
                "bayes_factor_of_best": factor,
                "lower_bound": bound,
                "evidence_for_best": evidence_words(factor),
            }
        )
    return best, sorted(rows, key=lambda r: r["bayes_factor_of_best"])


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
    """Per target, each hypothesis's misfit in archival tolerances; sorted, widest spread first."""
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
                "log_ratio": np.mean(signed, axis=0),
                "generations": gens,
            }
    rows = []
    for j, target in enumerate(settings.targets):
        cells = {
            label: {
                "misfit": float(v["misfit"][j]),
                "log_ratio": float(v["log_ratio"][j]),
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
    if stability:
        pooled = {k: v["mean"] for k, v in stability.items()}
        # resolved to one part in the repeats' effective particles (at most their number)
        effective = sum(min(r["final_effective_particles"], settings.particles) for r in repeats)
        best, factors = bayes_factors(pooled, effective)
        for a in settings.labels:
            pairwise[a] = {
                b: (pooled[a] / pooled[b] if pooled[b] > 0 else None) for b in settings.labels
            }
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
        "pairwise_bayes_factors": pairwise,
        "prior_sensitivity": sensitivity,
        "separation": separation(settings, runs),
    }


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
                "mean_log_ratio",
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
                        f"{cell['log_ratio']:.4g}",
                        " ".join(str(g) for g in cell["generations"]),
                    ]
                )
    return [result, probs, sep]
