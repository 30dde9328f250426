"""Fit the leader's decision thresholds to the dates of the centre's decisions in the record.

Usage: python -m greatterror.calibration.leader_rule [--scale 0.01] [--seed 1] [--budget 40] [--random 0]

The target dates are not typed in here: they are the first date of each
policy decision in the historical scenario, whose events cite the evidence
base. The endogenous scenario is run with the candidate thresholds, and the
loss is the mean absolute difference in days between the rule's first
decision of each kind and the record's (a decision the rule never takes
counts as a year after the end of the run). The search walks one threshold
at a time, multiplying and dividing by a step that shrinks, and prints the
best set as TOML lines for ``scenarios/endogenous.toml``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

import numpy as np

from greatterror.evidence.loader import load_evidence
from greatterror.model.params import clip
from greatterror.model.run import simulate
from greatterror.model.scenario import POLICY_ACTIONS, load_scenario

FREE = (
    "leader_expand_threshold",
    "leader_methods_threshold",
    "leader_mass_threshold",
    "leader_national_threshold",
    "leader_cost_weight",
    "leader_min_operation_days",
    "leader_backlog_days",
    "leader_release_delay",
)


def _kind(action: str, detail: str | None) -> tuple[str, str | None]:
    """National operations count as one decision: the rule launches them together."""
    if action == "launch_operation" and detail and detail.startswith("national_"):
        return (action, "national")
    return (action, detail)


def record_dates() -> dict[tuple[str, str | None], dt.date]:
    dates: dict[tuple[str, str | None], dt.date] = {}
    for event in sorted(load_scenario("historical").events, key=lambda e: e.date):
        # limits and the extension or dated end of an operation are not decisions the
        # leader's rule takes (under it the operations run until the halt)
        skip = ("set_limits", "limit_increase", "extend_operation", "end_operation")
        if event.action in POLICY_ACTIONS and event.action not in skip:
            key = _kind(event.action, event.operation or event.chief)
            dates.setdefault(key, event.date)
    return dates


def loss(overrides: dict[str, float], scale: float, seed: int, evidence: Any) -> float:
    scenario = load_scenario("endogenous")
    result = simulate(scenario, scale, seed, overrides, evidence)
    taken: dict[tuple[str, str | None], dt.date] = {}
    for d in result.summary["policy"]:
        taken.setdefault(_kind(d["action"], d["detail"]), dt.date.fromisoformat(d["date"]))
    missing = scenario.end + dt.timedelta(days=365)
    errors = [abs((taken.get(k, missing) - when).days) for k, when in record_dates().items()]
    return sum(errors) / len(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=int, default=40)
    parser.add_argument(
        "--random", type=int, default=0, help="random draws (within a factor 3) before the walk"
    )
    args = parser.parse_args()
    evidence = load_evidence()
    base = load_scenario("endogenous").parameter_values()
    best = {name: base[name] for name in FREE}
    best_loss = loss(best, args.scale, args.seed, evidence)
    print(f"start: {best_loss:.1f} days")
    rng = np.random.default_rng(args.seed)
    for _ in range(args.random):
        trial = {
            name: clip(name, v * float(np.exp(rng.uniform(-1.1, 1.1)))) for name, v in best.items()
        }
        value_loss = loss(trial, args.scale, args.seed, evidence)
        if value_loss < best_loss:
            best, best_loss = trial, value_loss
            print(f"random draw: {best_loss:.1f} days")
    runs, step = 1 + args.random, 2.0
    while runs < args.budget:
        improved = False
        for name in FREE:
            for factor in (step, 1 / step):
                value = clip(name, best[name] * factor)
                trial = {**best, name: value}
                value_loss = loss(trial, args.scale, args.seed, evidence)
                runs += 1
                if value_loss < best_loss:
                    best, best_loss, improved = trial, value_loss, True
                    print(f"{name} = {value:.4g}: {best_loss:.1f} days")
                    break
            if runs >= args.budget:
                break
        if not improved:
            step = step**0.5
    print(f"best: {best_loss:.1f} days mean absolute error over {len(record_dates())} decisions")
    for name in FREE:
        print(f"{name} = {best[name]!r}")


if __name__ == "__main__":
    main()
