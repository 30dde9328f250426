"""Fit the leader's decision thresholds to the dates of the centre's decisions in the record.

Usage: python -m greatterror.calibration.leader_rule [--scale 0.003] [--seed 1] [--seeds 3]
                                                     [--budget 150] [--workers 1] [--write]

The target dates are not typed in here: they are the first date of each policy decision in
the historical scenario, whose events cite the evidence base. The endogenous scenario is run
with the candidate thresholds, and the loss is the mean absolute difference in days between
the rule's first decision of each kind and the record's, averaged over ``--seeds`` runs on
seeds of the fitting range (a decision the rule never takes counts as up to a year after the
end of the run, nearer the end the nearer its signal came to its threshold: ``never_taken``).

Why it has to be re-run: the thresholds are measured in perceived-threat units, and the
perceived threat comes from what society does (arrests, confessions, signals), whose
parameters are the historical scenario's. When a refit of the historical scenario changes
them, thresholds fitted before may never be crossed, and the endogenous scenario then decides
nothing. ``scripts/refit_historical.py`` therefore re-runs this fit after applying a refit.

The search is optuna's TPE sampler over the thresholds' prior supports (log scale for the
log-uniform ones; ``calibration/problem.optuna_space``), starting from the scenario's current
values. ``--write`` puts the best set, with its provenance, into ``scenarios/endogenous.toml``.
This is a point fit of when the rule decides, not of what the repression amounts to.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

from greatterror.calibration.problem import optuna_space, require
from greatterror.calibration.seeds import check_fit_seed, population_seed, recheck_seeds
from greatterror.evidence.loader import load_evidence
from greatterror.interrupt import exit_quietly
from greatterror.model.run import simulate
from greatterror.model.scenario import POLICY_ACTIONS, load_scenario
from greatterror.paths import scenarios_dir
from greatterror.pools import worker_pool

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
BEGIN = "# leader thresholds: written by greatterror.calibration.leader_rule --write"
END = "# /leader thresholds"


def _kind(action: str, detail: str | None) -> tuple[str, str | None]:
    """National operations count as one decision: the rule launches them together."""
    if action == "launch_operation" and detail and detail.startswith("national_"):
        return (action, "national")
    return (action, detail)


def record_dates() -> dict[tuple[str, str | None], dt.date]:
    dates: dict[tuple[str, str | None], dt.date] = {}
    for event in sorted(load_scenario("historical").events, key=lambda e: e.date):
        # limits and the extension or dated end of an operation are not decisions the
        # leader's rule takes (under it the operations run until the halt); the execution
        # lists come with the rule's appointment of Yezhov (steps_policy.apply_decision),
        # so they are not a decision of their own; nor is the narrowing of Order 00486
        # (under the rule the order ends with the halt, model/families.py); the party purge
        # opens with the rule's appointment of Yezhov too (``open_purge`` is the scripted opening),
        # and so does the register of former oppositionists (``closed_letter``, 29 July 1936)
        skip = (
            "open_purge",
            "closed_letter",
            "set_limits",
            "limit_increase",
            "extend_operation",
            "end_operation",
            "execution_lists",
            "families_order_narrowed",
        )
        if event.action in POLICY_ACTIONS and event.action not in skip:
            key = _kind(event.action, event.operation or event.chief)
            dates.setdefault(key, event.date)
    return dates


def decisions(
    overrides: dict[str, float], scale: float, seed: int, evidence: Any
) -> dict[tuple[str, str | None], dt.date]:
    """The first date the rule takes each kind of decision in one endogenous run."""
    return _run(overrides, scale, seed, evidence)[0]


def _run(
    overrides: dict[str, float], scale: float, seed: int, evidence: Any
) -> tuple[dict[tuple[str, str | None], dt.date], dict[str, float]]:
    """The decisions' first dates and how near each came to its threshold (``leader_nearest``)."""
    result = simulate(load_scenario("endogenous"), scale, seed, overrides, evidence)
    taken: dict[tuple[str, str | None], dt.date] = {}
    for d in result.summary["policy"]:
        taken.setdefault(_kind(d["action"], d["detail"]), dt.date.fromisoformat(d["date"]))
    return taken, dict(result.summary.get("leader_nearest") or {})


def never_taken(end: dt.date, nearest: float) -> dt.date:
    """The date a decision the rule never took counts as: a year after the run's end when its
    signal stayed at zero, nearer the end the nearer it came to its threshold. Until
    5 Dec 2026 it was a year after the end whatever the signal did, and the loss was flat
    beyond the largest threshold crossed: the search of 5 December stayed on that plateau,
    with ``leader_backlog_days`` at 671 (the special troikas never called, 145 days of mean
    error) where 330 days gave 28 (review of 5 Dec 2026, F1)."""
    return end + dt.timedelta(days=365.0 * (1.0 - min(max(nearest, 0.0), 1.0)))


def _key(kind: tuple[str, str | None]) -> str:
    """A decision's key in ``leader_nearest`` (``Institutions.nearest``)."""
    action, detail = kind
    return action if detail is None else f"{action}:{detail}"


def loss(overrides: dict[str, float], scale: float, seed: int, evidence: Any) -> float:
    taken, nearest = _run(overrides, scale, seed, evidence)
    end = load_scenario("endogenous").end
    errors = [
        abs(((taken.get(k) or never_taken(end, nearest.get(_key(k), 0.0))) - when).days)
        for k, when in record_dates().items()
    ]
    return sum(errors) / len(errors)


def _evaluate(args: tuple[dict[str, float], float, int]) -> float:
    params, scale, seed = args
    return loss(params, scale, seed, load_evidence())


def simulation_seeds(seed: int, count: int) -> tuple[int, ...]:
    """The seeds of the endogenous runs a fit of the thresholds averages over: ``count``
    seeds of the fitting range (``calibration/seeds.py``), never a validation seed. One seed
    overfits: the thresholds of 5 Dec 2026, fitted on seed 1, gave 28 days of mean error there
    and dates two to four months off on another seed."""
    fit_seeds = (check_fit_seed(seed), *recheck_seeds(seed, count - 1))
    return tuple(population_seed(s) for s in fit_seeds)


def fit(
    start: dict[str, float],
    scale: float,
    seed: int,
    budget: int,
    workers: int = 1,
    seeds: tuple[int, ...] | None = None,
    line_points: int = 0,
) -> tuple[dict[str, float], float]:
    """The best thresholds of ``budget`` trials (the first is ``start``) and their loss, the
    mean over the runs at ``seeds`` (default: ``seed`` alone); ``seed`` drives the sampler.

    Then, with ``line_points``, one pass of line searches: each threshold in turn at that
    many points across its support, the others at the best so far. The grid is coarse (six
    points put 144 days between the release delays tried), so a value at a grid point, or at a
    bound, is the best of the points tried, not a measured optimum. TPE alone, in eight
    dimensions with a noisy loss, missed a single-axis improvement of 135 to 42 days
    (``leader_backlog_days``, 636 to 330, 5 Dec 2026)."""
    optuna = require("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = optuna_space(list(FREE))
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    study.enqueue_trial({n: min(max(start[n], space[n].low), space[n].high) for n in FREE})
    runs = seeds or (seed,)
    with contextlib.ExitStack() as stack:
        # Ctrl-C ends the workers at once (pools.py)
        pool = stack.enter_context(worker_pool(workers)) if workers > 1 else None

        def trials(count: int, label: str) -> None:
            done = 0
            while done < count:
                batch = [study.ask(space) for _ in range(min(workers, count - done))]
                jobs = [(dict(t.params), scale, s) for t in batch for s in runs]
                values = list(pool.map(_evaluate, jobs) if pool else map(_evaluate, jobs))
                for i, trial in enumerate(batch):
                    study.tell(trial, sum(values[i * len(runs) : (i + 1) * len(runs)]) / len(runs))
                done += len(batch)
                print(f"{label} {done}/{count}: best {study.best_value:.1f} days", flush=True)

        trials(budget, "TPE")
        for name in FREE if line_points > 0 else ():
            best = dict(study.best_params)
            grid = line_grid(space[name], line_points)  # fewer on a narrow integer range
            for value in grid:
                study.enqueue_trial({**best, name: value})
            trials(len(grid), f"line {name}")
    return dict(study.best_params), float(study.best_value)


def line_grid(distribution: Any, points: int) -> list[float]:
    """``points`` values evenly spread over an optuna distribution's range (on the log
    scale for a log distribution; whole numbers for an integer one, without repeats)."""
    import numpy as np

    low, high = float(distribution.low), float(distribution.high)
    if getattr(distribution, "log", False):
        grid = np.geomspace(low, high, points)
    else:
        grid = np.linspace(low, high, points)
    if isinstance(distribution.low, int) and not isinstance(distribution.low, bool):
        return sorted(set(np.rint(grid).astype(int).tolist()))
    return [float(v) for v in grid]


def write(
    best: dict[str, float],
    value: float,
    provenance: str,
    path: Path | None = None,
    taken: dict[tuple[str, str | None], dt.date] | None = None,
) -> None:
    """Put ``best`` into the endogenous scenario between the markers (or replace its lines),
    with the fit's error and, when ``taken`` is given, each decision's date under the rule
    beside the record's, so that the scenario file says what its thresholds do."""
    path = path or scenarios_dir() / "endogenous.toml"
    text = path.read_text(encoding="utf-8")
    dates = [
        f"#   {action}{' ' + detail if detail else ''}: record {when}, rule "
        f"{taken.get((action, detail), 'never') if taken is not None else '?'}"
        for (action, detail), when in record_dates().items()
    ]
    block = "\n".join(
        [
            BEGIN,
            *textwrap.wrap(
                f"({provenance}): mean absolute error {value:.0f} days over "
                f"{len(record_dates())} decisions (a decision never taken counts up to a "
                "year after the end, nearer the nearer its signal came to its threshold):",
                width=86,
                initial_indent="# ",
                subsequent_indent="# ",
            ),
            *(dates if taken is not None else []),
            *[f"{name} = {best[name]!r}" for name in sorted(best)],
            END,
        ]
    )
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        # the first time: the markers go where the leader's lines were
        lines = re.compile(r"^(leader_\w+) = .*\n", re.M)
        first = lines.search(text)
        if first is None:
            raise ValueError(f"{path}: no leader_* lines and no markers to replace")
        text = text[: first.start()] + block + "\n" + lines.sub("", text[first.start() :])
    path.write_text(text, encoding="utf-8")


def main() -> None:
    """The command line; Ctrl-C stops it with one line and exit code 130 (greatterror/interrupt.py)."""
    with exit_quietly():
        _main()


def _main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=0.003)
    parser.add_argument("--seed", type=int, default=1, help="the fit's seed (0 to 999,999)")
    parser.add_argument(
        "--seeds", type=int, default=3, help="runs per trial, on seeds of the fitting range"
    )
    parser.add_argument("--budget", type=int, default=150)
    parser.add_argument(
        "--line-points", type=int, default=6, help="points per threshold in the line searches"
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="write the best set into the scenario")
    args = parser.parse_args()
    if args.budget < 1:
        parser.error(f"--budget: {args.budget} is not allowed; give 1 run or more")
    if args.workers < 1:
        parser.error(f"--workers: {args.workers} is not allowed; give 1 or more")
    if not 0 < args.scale <= 1:
        parser.error(f"--scale: {args.scale} is not allowed; give a share in (0, 1]")
    if args.line_points < 0:
        parser.error(f"--line-points: {args.line_points} is not allowed; give 0 (none) or more")
    if args.seeds < 1:
        parser.error(f"--seeds: {args.seeds} is not allowed; give 1 run or more")
    try:
        seeds = simulation_seeds(args.seed, args.seeds)
    except ValueError as exc:
        parser.error(str(exc))
    base = load_scenario("endogenous").parameter_values()
    start = {name: float(base[name]) for name in FREE}
    first = sum(loss(start, args.scale, s, load_evidence()) for s in seeds) / len(seeds)
    print(f"start: {first:.1f} days", flush=True)
    best, value = fit(
        start, args.scale, args.seed, args.budget, args.workers, seeds, args.line_points
    )
    print(f"best: {value:.1f} days mean absolute error over {len(record_dates())} decisions")
    for name in FREE:
        print(f"{name} = {best[name]!r}")
    if args.write:
        when = dt.date.today().isoformat()
        provenance = (
            f"optuna TPE, {args.budget} trials and line searches of {args.line_points} points "
            f"per threshold at scale {args.scale:g}, each trial the mean of "
            f"{len(seeds)} runs (seeds {', '.join(map(str, seeds))}), {when}, with the "
            "historical scenario's society parameters of that day; the dates below are the "
            "first seed's"
        )
        taken = decisions(best, args.scale, seeds[0], load_evidence())
        target = scenarios_dir() / "endogenous.toml"
        before = target.read_text(encoding="utf-8")
        write(best, value, provenance, taken=taken)
        print("written to scenarios/endogenous.toml")
        # the hypotheses extending the endogenous scenario must still load: a hypothesis'
        # narrower prior on a threshold needs its own starting value inside it
        from greatterror.model.hypothesis_catalog import hypothesis_scenarios
        from greatterror.model.scenario import ScenarioError

        try:
            hypothesis_scenarios()
        except ScenarioError as exc:
            target.write_text(before, encoding="utf-8")  # nothing half-written stays
            print(f"error: the thresholds were not kept: {exc}", file=sys.stderr)
            raise SystemExit(2) from None


if __name__ == "__main__":
    main()
