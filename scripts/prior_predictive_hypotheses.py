"""Prior predictive check of the hypothesis scenarios: can each encoding reach the record?

Before a joint comparison (``greatterror hypotheses compare``) spends a night, this asks of
each hypothesis scenario what its simulations look like when its free parameters are drawn
from its declared priors, as the comparison draws them: every free parameter (the declared
ones and those the scenario gives a prior, ``compare.hypothesis_priors``) on the logistic
scale of its prior, z ~ standard logistic, mapped back by ``compare.logistic_values``. Each
draw is simulated as a comparison particle is (``simulator.FitModel``: the fit seed's
population, a simulation seed hashed from the seed and the values, runaways stopped once they
hold five times the record's arrests of 1937-38), and reported with

- ``distance``: the in-sample distance, each target's log excess outside its archival band
  over its tolerance, Euclidean norm (``statistics.archival_distance``: the comparison's
  adaptive distance at its floor; the comparison's own weights are never sharper);
- ``peak``: the calendar year with the most convictions;
- ``start`` and ``end``: the months of the first arrest and of the last sentence under
  Order 00447 (empty if it never ran), and ``halt``: the month of the halt, if any;
- ``conv37_38``: convictions of 1937 and 1938 over the record's (G1-1937-conv + G1-1938-conv);
- ``death37_38``: death sentences of 1937 and 1938 over the record's (G1-1937-death +
  G1-1938-death);
- ``national``: the month the national operations were launched, if they were, and
  ``nearest``: for the leader's decisions (``NEAREST``), the highest share of its threshold
  the decision's signal reached (``Institutions.nearest``; 1.0 once reached), so that a
  decision a bounded threat can never reach is seen (review24 F1). These two are in the JSON
  rows only, not in the tables.

This is not a fit and no threshold is applied: the table says what an encoding can produce
under its priors, so that a hypothesis the comparison would reject for its encoding alone is
seen before the comparison runs. Draws are reproducible: hypothesis k of the full list
(``hypothesis_catalog.hypothesis_scenarios``, in id order) draws from
``numpy.random.default_rng([draw_seed, k])``, so a subset (``--only``) gets the same draws.

    python scripts/prior_predictive_hypotheses.py --draws 10 --scale 0.001 --seed 1 \\
        [--only H3,H4] [--workers 2] [--json out.json] [--set centre_reading_capacity=10]

``--set NAME=VALUE`` (repeatable) sets a parameter the scenarios fix for every draw; it is left
out of each run's simulation seed (``FitModel.fixed``), so the check runs the same draws with
the same seeds as without it and differs by that value only. A drawn parameter cannot be set.

The machine is shared: keep ``--workers`` at 1 or 2 (a run at 1:1,000 takes 15-30 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from greatterror.calibration.compare import hypothesis_priors, logistic_values
from greatterror.calibration.simulator import FitModel, RunawayRun
from greatterror.calibration.statistics import archival_distance, excess_log_ratios

RECORD_37_38 = ("G1-1937-conv", "G1-1938-conv")
# the leader's decisions whose nearness to their thresholds a row records (Institutions.nearest:
# 1.0 once the signal reached the threshold, otherwise the highest share of it reached; empty
# where the policy is scripted)
NEAREST = (
    "chief_change:yezhov",
    "physical_methods",
    "launch_operation:kulak_00447",
    "launch_operation:national",
    "halt",
)
DEATHS_37_38 = ("G1-1937-death", "G1-1938-death")


@dataclass(frozen=True)
class ShapeModel(FitModel):
    """A comparison particle's model that also reads the run's shape from the simulation."""

    def _run(self, sim: Any, population: Any, evidence: Any, name: str, full: bool = True) -> Any:
        summary = super()._run(sim, population, evidence, name, full)
        if full:
            summary["shape"] = shape(sim, summary)
        return summary


def _month(start: dt.date, day: int | None) -> str:
    return "" if day is None else (start + dt.timedelta(days=int(day))).strftime("%Y-%m")


def shape(sim: Any, summary: dict[str, Any]) -> dict[str, Any]:
    """The run's peak year, Order 00447's first and last months, the halt's month."""
    from greatterror.vocabulary import EV, OP

    _, _, _, per_day_op = sim.ledger.sums()  # day, operation, event
    kulak = per_day_op[:, OP["kulak_00447"], :]
    arrests = np.flatnonzero(kulak[:, EV["arrested"]] > 0)
    sentences = np.flatnonzero(kulak[:, EV["convicted_cat1"]] + kulak[:, EV["convicted_camp"]] > 0)
    yearly = summary["yearly"]
    halts = [p["date"] for p in summary["policy"] if p.get("action") == "halt"]
    national = [
        p["date"]
        for p in summary["policy"]
        if p.get("action") == "launch_operation" and str(p.get("detail")).startswith("national")
    ]
    return {
        "peak": max(yearly, key=lambda y: yearly[y]["convicted"]),
        "start": _month(sim.start, int(arrests[0]) if len(arrests) else None),
        "end": _month(sim.start, int(sentences[-1]) if len(sentences) else None),
        "halt": halts[0][:7] if halts else "",
        "national": national[0][:7] if national else "",
        "nearest": {k: summary.get("leader_nearest", {}).get(k) for k in NEAREST},
        "convicted_00447": float(summary["operations"]["kulak_00447"]["convicted"]),
    }


def draws_of(scenario: str, k: int, n: int, draw_seed: int) -> list[dict[str, float]]:
    """``n`` parameter sets from the scenario's priors, drawn as the comparison draws them."""
    names, priors = hypothesis_priors(scenario)
    z = np.random.default_rng([draw_seed, k]).logistic(size=(n, len(names)))
    return [logistic_values(names, priors, dict(zip(names, row, strict=True))) for row in z]


Job = tuple[str, str, int, float, int, dict[str, float], tuple[tuple[str, float], ...]]


def run_one(job: Job) -> dict[str, Any]:
    """One draw: its distance and shape, or ``runaway`` with the day it was stopped."""
    label, scenario, draw, scale, seed, values, fixed = job
    model = ShapeModel(scenario, scale, seed, fixed=fixed)
    row: dict[str, Any] = {"hypothesis": label, "draw": draw, "values": values}
    try:
        summary = model.summary(values)
    except RunawayRun as stopped:
        return {**row, "runaway": str(stopped)}
    bands = model.bands()
    targets = {t["id"]: t for t in summary["targets"]}

    def ratio(ids: Sequence[str]) -> float:
        return sum(targets[i]["simulated"] for i in ids) / sum(targets[i]["archival"] for i in ids)

    return {
        **row,
        "runaway": "",
        "distance": archival_distance(excess_log_ratios(summary, bands), bands),
        **summary["shape"],
        "conv37_38": ratio(RECORD_37_38),
        "death37_38": ratio(DEATHS_37_38),
    }


def table(rows: list[dict[str, Any]]) -> str:
    """A markdown table, one line per draw, in the order of the hypotheses."""
    head = "| hyp. | draw | distance | peak | 00447 start | 00447 end | halt | conv. 1937-38 / record | death sent. 1937-38 / record |"
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r["runaway"]:
            lines.append(
                f"| {r['hypothesis']} | {r['draw']} | runaway ({r['runaway']}) | | | | | | |"
            )
            continue
        lines.append(
            f"| {r['hypothesis']} | {r['draw']} | {r['distance']:.1f} | {r['peak']} | "
            f"{r['start'] or 'never'} | {r['end'] or '-'} | {r['halt'] or 'none'} | "
            f"{r['conv37_38']:.2f} | {r['death37_38']:.2f} |"
        )
    return "\n".join(lines)


def _near(lo: float, hi: float) -> str:
    return f"{lo:.2f}-{hi:.2f}"


def summary(rows: list[dict[str, Any]]) -> str:
    """One line per hypothesis: runaways, the distance's range, how many finished draws peak in
    1937 or 1938 and start Order 00447 between July 1936 and December 1937 (the window the
    texts give for the regional escalation and the orders, seed_system.md section 3; not a
    target), and the ranges of the two ratios to the record. The distance's "median" is the
    median of the finished draws (``np.median``: the mean of the two middle values for an even
    count; the tables before 5 December 2026, 21:00 UTC, gave the upper middle value, review20
    F10)."""
    head = (
        "| hyp. | draws | runaways | distance (min-median) | peak 1937-38 | 00447 start"
        " Jul 1936-Dec 1937 | start months | conv. 1937-38 / record | death sent. / record |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for label in dict.fromkeys(r["hypothesis"] for r in rows):
        mine = [r for r in rows if r["hypothesis"] == label]
        done = [r for r in mine if not r["runaway"]]
        if not done:
            lines.append(f"| {label} | {len(mine)} | {len(mine)} | | | | | | |")
            continue
        d = sorted(r["distance"] for r in done)
        starts = sorted(r["start"] for r in done if r["start"])
        window = sum(1 for r in done if r["start"] and "1936-07" <= r["start"] <= "1937-12")
        conv = [r["conv37_38"] for r in done]
        death = [r["death37_38"] for r in done]
        lines.append(
            f"| {label} | {len(mine)} | {len(mine) - len(done)} | {d[0]:.0f}-{np.median(d):.0f} "
            f"| {sum(r['peak'] in ('1937', '1938') for r in done)}/{len(done)} "
            f"| {window}/{len(done)} "
            f"| {(starts[0] + ' to ' + starts[-1]) if starts else 'never'} "
            f"| {_near(min(conv), max(conv))} | {_near(min(death), max(death))} |"
        )
    return "\n".join(lines)


def parse_set(items: Sequence[str]) -> tuple[tuple[str, float], ...]:
    """``NAME=VALUE`` pairs, each checked as any override is (params.coerce: a known parameter,
    a number within its range, a whole number for an integer parameter); exit 2 otherwise."""
    from greatterror.model.params import ParameterError, coerce

    out = []
    for item in items:
        name, sep, text = item.partition("=")
        if not sep:
            print(f"error: --set: {item!r} is not NAME=VALUE", file=sys.stderr)
            raise SystemExit(2)
        try:
            out.append((name.strip(), coerce(name.strip(), text.strip())))
        except ParameterError as bad:
            print(f"error: --set: {bad}", file=sys.stderr)
            raise SystemExit(2) from None
    return tuple(out)


def main(argv: Sequence[str] | None = None) -> None:
    from greatterror.model.hypothesis_catalog import FOLDER, hypothesis_scenarios

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--draws", type=int, default=10)
    ap.add_argument("--scale", type=float, default=0.001)
    ap.add_argument(
        "--seed", type=int, default=1, help="the fit seed (a comparison's first repeat)"
    )
    ap.add_argument("--draw-seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1, choices=(1, 2))
    ap.add_argument("--only", default="", help="comma-separated ids, e.g. H3,H4 (default: all)")
    ap.add_argument("--json", default="", help="write the rows to this file")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="fix a parameter for every draw, outside the simulation seed (repeatable)",
    )
    a = ap.parse_args(argv)
    if a.draws < 1:
        print("error: --draws: at least 1", file=sys.stderr)
        raise SystemExit(2)
    fixed = parse_set(a.set)
    chosen = [h.strip() for h in a.only.split(",") if h.strip()]
    jobs = []
    for k, s in enumerate(hypothesis_scenarios()):
        label = s.hypothesis.id if s.hypothesis else s.name
        if chosen and label not in chosen:
            continue
        scenario = f"{FOLDER}/{s.name}"
        for i, values in enumerate(draws_of(scenario, k, a.draws, a.draw_seed)):
            drawn = set(values) & {name for name, _ in fixed}
            if drawn:
                print(
                    f"error: --set: {', '.join(sorted(drawn))} is drawn in {label}", file=sys.stderr
                )
                raise SystemExit(2)
            jobs.append((label, scenario, i + 1, a.scale, a.seed, values, fixed))
    unknown = set(chosen) - {j[0] for j in jobs}
    if unknown:
        print(f"error: --only: unknown {', '.join(sorted(unknown))}", file=sys.stderr)
        raise SystemExit(2)
    if a.workers > 1:
        with ProcessPoolExecutor(a.workers) as pool:
            rows = list(pool.map(run_one, jobs, chunksize=1))
    else:
        rows = [run_one(j) for j in jobs]
    print(table(rows))
    print()
    print(summary(rows))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
