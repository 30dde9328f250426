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

START = dt.date(1934, 12, 1)
END = dt.date(1940, 12, 31)


def period_ends(ids: list[str]) -> dict[str, int]:
    """Each target's last day (days from the run's start) from evidence/facts.csv."""
    import csv

    from greatterror.paths import evidence_dir

    with open(evidence_dir() / "facts.csv", encoding="utf-8") as handle:
        facts = {r["id"]: r for r in csv.DictReader(handle)}
    return {i: (dt.date.fromisoformat(facts[i]["period_end"]) - START).days + 1 for i in ids}


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


def estimate(db: Path) -> dict[str, Any]:
    import pyabc

    history = pyabc.History(f"sqlite:///{db.resolve()}")
    max_t = int(history.max_t)
    total_days = (END - START).days + 1
    rows = []
    for t in range(1, max_t + 1):
        weights = recorded_weights(db, t)
        if weights is None:
            raise SystemExit(f"{db}: no recorded weights for generation {t}")
        eps, sims, particles, _ = generation(db, t)
        _, _, _, proxies = generation(db, t - 1)
        ids = sorted(weights)
        ends = period_ends(ids)
        checkpoints = sorted(set(ends.values()))
        stopped_share = []
        for stats in proxies:
            if distance(stats, weights, ids) <= eps:
                continue
            for day in checkpoints:
                ended = [i for i in ids if ends[i] <= day]
                if distance(stats, weights, ended) > eps:
                    stopped_share.append(max(total_days - day, 0) / total_days)
                    break
            else:
                stopped_share.append(0.0)
        rejected = 1.0 - particles / sims
        saved = float(np.mean(stopped_share)) if stopped_share else 0.0
        rows.append(
            {
                "t": t,
                "threshold": eps,
                "simulations": sims,
                "rejection_rate": rejected,
                "proxies": len(proxies),
                "proxies_rejected": len(stopped_share),
                "days_saved_per_rejected_run": saved,
                "days_saved_share": rejected * saved,
            }
        )
    return {"database": str(db), "generations": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = estimate(args.db)
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
