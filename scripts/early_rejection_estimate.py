"""How much of a fit's simulated time early rejection could save: an estimate from a stored fit.

Usage: python scripts/early_rejection_estimate.py FIT.db [--json OUT]

docs/performance.md names a route to issue 10's fit throughput that does not make a day cheaper:
stop a run once the targets whose periods have ended already put its distance past the
generation's threshold, since a count whose period has ended no longer changes. Nothing was
built; this script measures, before anything is built, what it could save.

Rejected particles are not stored, so it uses a proxy: generation t - 1's accepted particles,
judged by generation t's recorded weights (``greatterror_distance_weights``) and threshold. Those
that generation t would reject stand for its rejected proposals; for each, the first end of a
target's period at which the distance over the targets ended so far exceeds the threshold is
the day its run could have stopped. The share of a rejected run's days that would not be
simulated (s) is then applied to the generation's actual rejection rate (r = 1 - particles /
simulations): about r x s of the generation's simulated days. The proxy is closer to the record
than generation t's proposals (they are perturbed from it), so its runs are decided later than
the rejected proposals' would be, and s is, if anything, too small. The distance is pyabc's
(p = 2 over the weighted statistics), the statistics the stored ones (excess log ratios); no
simulation is run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from greatterror.calibration.weights import recorded_weights


def period_ends(ids: list[str], start: dt.date) -> dict[str, int]:
    """Each target's last day, in days from the run's ``start``, from the evidence base."""
    from greatterror.evidence.loader import load_evidence

    evidence = load_evidence()
    return {i: (evidence.fact(i).period_end - start).days + 1 for i in ids}


def distance(stats: dict[str, float], weights: dict[str, float], ids: list[str]) -> float:
    """pyabc's p = 2 distance over the targets ``ids``: the root of the summed squares of each
    weighted statistic (the record's statistic is 0: an excess log ratio)."""
    return float(np.sqrt(sum((weights[i] * stats[i]) ** 2 for i in ids)))


def generation(db: Path, t: int) -> tuple[float, int, int, list[dict[str, float]]]:
    """Generation t's threshold, simulations, particles and its particles' statistics."""
    import pyabc

    history = pyabc.History(f"sqlite:///{db.resolve()}")
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    eps, sims = con.execute(
        "SELECT epsilon, nr_samples FROM populations WHERE t = ?", (t,)
    ).fetchone()
    con.close()
    _, stats = history.get_weighted_sum_stats(t=t)
    return float(eps), int(sims), len(stats), [dict(s) for s in stats]


def stop_share(
    stats: dict[str, float],
    weights: dict[str, float],
    eps: float,
    ends: dict[str, int],
    total_days: int,
) -> float | None:
    """The share of a run's days after the first end of a target's period at which the targets
    ended so far put it past ``eps``; None for a run the threshold accepts."""
    ids = sorted(weights)
    if distance(stats, weights, ids) <= eps:
        return None
    for day in sorted(set(ends.values())):
        if distance(stats, weights, [i for i in ids if ends[i] <= day]) > eps:
            return max(total_days - day, 0) / total_days
    return 0.0


def estimate(db: Path, scenario: str = "historical") -> dict[str, Any]:
    """The estimate for every generation after the first of the fit in ``db`` (a run of
    ``scenario``'s dates)."""
    import pyabc

    from greatterror.model.scenario import load_scenario

    chosen = load_scenario(scenario)
    total_days = (chosen.end - chosen.start).days + 1
    max_t = int(pyabc.History(f"sqlite:///{db.resolve()}").max_t)
    ends: dict[str, int] | None = None
    previous = generation(db, 0)
    rows = []
    for t in range(1, max_t + 1):
        weights = recorded_weights(db, t)
        if weights is None:
            raise ValueError(
                f"{db}: no recorded weights for generation {t} (a fit by `greatterror "
                "calibrate`, which records them, is needed; a comparison does not)"
            )
        ends = ends or period_ends(sorted(weights), chosen.start)
        current = generation(db, t)
        eps, sims, particles, _ = current
        shares = [stop_share(s, weights, eps, ends, total_days) for s in previous[3]]
        stopped = [x for x in shares if x is not None]
        rejected = 1.0 - particles / sims
        saved = float(np.mean(stopped)) if stopped else 0.0
        rows.append(
            {
                "t": t,
                "threshold": eps,
                "simulations": sims,
                "rejection_rate": rejected,
                "proxies": len(previous[3]),
                "proxies_rejected": len(stopped),
                "days_saved_per_rejected_run": saved,
                "days_saved_share": rejected * saved,
            }
        )
        previous = current
    return {"database": str(db), "scenario": scenario, "generations": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not args.db.is_file():  # pyabc would create an empty database there
        parser.error(f"db: {args.db} is not a file")
    try:
        result = estimate(args.db)
    except ValueError as exc:
        parser.error(str(exc))
    print(
        "| generation | threshold | simulations | rejected | proxies rejected | days saved a "
        "rejected run | days saved |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in result["generations"]:
        print(
            f"| {r['t']} | {r['threshold']:.2f} | {r['simulations']} | "
            f"{r['rejection_rate']:.0%} | {r['proxies_rejected']} of {r['proxies']} | "
            f"{r['days_saved_per_rejected_run']:.0%} | {r['days_saved_share']:.0%} |"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
