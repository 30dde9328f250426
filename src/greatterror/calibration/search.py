"""A quick point fit with optuna: a starting point for ABC, not a posterior.

Usage: python -m greatterror.calibration.search [--scale 0.01] [--seed 1] [--budget 120] [--out fit.json]

Optuna's TPE sampler searches the free parameters over their priors' supports
(``calibration/problem.optuna_space``; log scale for log-uniform priors),
starting from the scenario's current values. The loss is the fit's own
distance at its floor (``statistics.archival_distance``: each target's log
distance outside its archival band over the band's half-width, in a Euclidean
norm), the same function the ABC-SMC fit adapts and the sensitivity screening
measures, from one fitting seed (``seeds.py``: kept apart from the validation
seeds). Candidates are evaluated ``--workers`` at a time in worker processes
(optuna's ask-and-tell interface). The full fit with uncertainty is
``greatterror calibrate`` (ABC-SMC); this quick start only gives one point.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from greatterror.calibration.problem import optuna_space, require
from greatterror.calibration.statistics import archival_distance
from greatterror.model.params import FREE_PARAMETERS
from greatterror.pools import worker_pool


def _evaluate(args: tuple[str, dict[str, float], float, int]) -> float:
    """The distance of one candidate (a runaway run: the distance of its stand-ins)."""
    from greatterror.calibration.simulator import FitModel

    scenario, params, scale, seed = args
    model = FitModel(scenario, scale, seed)
    return archival_distance(model(params), model.bands())


@dataclass
class Trial:
    params: dict[str, float]
    loss: float


def fit(
    start: dict[str, float],
    scale: float,
    seed: int,
    budget: int,
    workers: int = 2,
    scenario: str = "historical",
    log: Callable[[str], None] = print,
) -> list[Trial]:
    """Run ``budget`` simulations; the first is the starting point."""
    optuna = require("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = {name: dist for name, dist in optuna_space(list(start)).items()}
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    study.enqueue_trial(start)
    trials: list[Trial] = []
    with contextlib.ExitStack() as stack:
        # Ctrl-C ends the workers at once (pools.py)
        pool = stack.enter_context(worker_pool(workers)) if workers > 1 else None
        while len(trials) < budget:
            batch = [study.ask(space) for _ in range(min(workers, budget - len(trials)))]
            jobs = [(scenario, dict(t.params), scale, seed) for t in batch]
            values = pool.map(_evaluate, jobs) if pool else map(_evaluate, jobs)
            for trial, value in zip(batch, values, strict=True):
                study.tell(trial, value)
                trials.append(Trial(dict(trial.params), value))
                log(f"trial {len(trials)}/{budget}: loss {value:.4f}")
    return trials


def check_args(parser: Any, args: Any) -> None:
    """The numbers and the output path, before any trial (exit 2 and a message; --budget 0
    was ``min() arg is an empty sequence`` after the search, --scale 0 a worker's traceback)."""
    from greatterror.calibration.seeds import SeedRangeError, check_fit_seed
    from greatterror.preflight import PreflightError, check_scale
    from greatterror.results.files import RunOutputError
    from greatterror.results.rundir import check_output_file

    for option, value in (("--budget", args.budget), ("--workers", args.workers)):
        if value < 1:
            parser.error(f"{option}: {value} is too small; allowed: a whole number of at least 1")
    try:
        check_scale(args.scale)
        check_fit_seed(args.seed)
        check_output_file(args.out)
    except (PreflightError, SeedRangeError, RunOutputError) as exc:
        parser.error(str(exc))


def best_problem(best: Any) -> str | None:
    """Why a fit.json's 'best' is not a set of free parameters' values, or None.

    Read by ``--start`` here and by scripts/apply_fit.py, which writes the values into the
    scenario: a word was a traceback from float(), NaN one from optuna (review34 F5).
    """
    if not isinstance(best, dict):
        return "'best' is not an object of parameter values"
    unknown = [n for n in best if n not in FREE_PARAMETERS]
    if unknown:
        return (
            f"'best' holds what is not a free parameter: {unknown}; allowed: "
            f"{', '.join(FREE_PARAMETERS)}"
        )
    bad = [
        n
        for n, v in best.items()
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v)
    ]
    if bad:
        return f"'best' values must be finite numbers; not so: {bad}"
    return None


def start_values(parser: Any, path: Path) -> dict[str, float]:
    """--start's 'best' values (a fit.json this module wrote), or exit 2 naming what is wrong."""
    try:
        best = json.loads(path.read_text(encoding="utf-8"))["best"]
    except OSError as exc:
        parser.error(f"--start: {path} cannot be read ({exc.strerror})")
    except (ValueError, KeyError, TypeError):
        parser.error(
            f"--start: {path} is not a fit.json of this search (JSON with a 'best' object)"
        )
    problem = best_problem(best)
    if problem:
        parser.error(f"--start: {path}: {problem}")
    return {str(n): float(v) for n, v in best.items()}


def main() -> None:  # pragma: no cover - a long-running command-line job
    """The command line; Ctrl-C stops it with one line and exit code 130 (greatterror/interrupt.py)."""
    from greatterror.interrupt import exit_quietly

    with exit_quietly():
        _main()


def _main() -> None:  # pragma: no cover - a long-running command-line job
    import argparse

    from greatterror.model.scenario import load_scenario

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("fit_historical.json"))
    parser.add_argument("--start", type=Path, help="JSON file whose 'best' values start the search")
    parser.add_argument(
        "--free",
        default=",".join(FREE_PARAMETERS),
        help="comma-separated parameters to vary (default: every free parameter)",
    )
    args = parser.parse_args()
    free = [name.strip() for name in args.free.split(",") if name.strip()]
    unknown = [name for name in free if name not in FREE_PARAMETERS]
    if unknown:
        parser.error(
            f"--free: not free parameters: {', '.join(unknown)}; allowed: {', '.join(FREE_PARAMETERS)}"
        )
    check_args(parser, args)
    values = load_scenario("historical").parameter_values()
    if args.start:
        values.update(start_values(parser, args.start))
    space = optuna_space(free)
    start = {n: min(max(values[n], space[n].low), space[n].high) for n in free}
    trials = fit(start, args.scale, args.seed, args.budget, args.workers)
    best = min(trials, key=lambda t: t.loss)
    args.out.write_text(
        json.dumps(
            {
                "best": best.params,
                "loss": best.loss,
                "trials": [{"params": t.params, "loss": t.loss} for t in trials],
            },
            indent=1,
        )
    )
    print(json.dumps(best.params, indent=1), best.loss)


if __name__ == "__main__":  # pragma: no cover
    main()
