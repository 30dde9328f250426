"""A simple, documented search for the historical scenario's free parameters.

Stage 1 draws parameter sets at random, log-uniformly within a factor of
``spread`` around the starting values (and inside each declared range).
Stage 2 walks the best set one coordinate at a time, trying x*step and
x/step, until the budget is spent. The loss is the mean squared log ratio of
simulated to archival value over the targets. This is deliberately plain:
the full ABC-SMC fit of every hypothesis is a later step.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from greatterror.model.params import BY_NAME

FREE_PARAMETERS = (
    "base_arrest_rate",
    "base_unmarked_arrest_rate",
    "denunciation_rate",
    "names_per_confession",
    "names_acted_on",
    "operation_pace",
    "overfill_target",
    "approval_probability",
    "request_cat1_share",
    "cat1_share_troika",
    "national_op_rate",
    "album_death_share",
    "elite_hazard",
    "gulag_mortality",
    "supply_mortality",
    "courts_death_share",
    "post_halt_restraint",
    "release_rate_after_halt",
    "album_capacity",
    "troika_capacity",
    "trial_threat_scale",
    "trial_death_share_early",
    "trial_death_share_late",
    "army_hazard",
    "halt_release_share",
    "release_without_confession",
    "request_interval",
    "request_size",
    "camp_capacity",
    "prominence_weight",
    "late_approval_factor",
    "operation_term_days",
)


def loss(targets: Sequence[dict[str, Any]]) -> float:
    terms = []
    for t in targets:
        sim, arch = t["simulated"], t["archival"]
        if arch and arch > 0:
            terms.append(math.log(max(sim, 1.0) / arch) ** 2)
    return float(np.mean(terms))


def _evaluate(
    args: tuple[dict[str, float], float, int],
) -> tuple[dict[str, float], float, list[dict[str, Any]]]:
    from greatterror.model.run import simulate
    from greatterror.model.scenario import load_scenario

    params, scale, seed = args
    result = simulate(load_scenario("historical"), scale, seed, overrides=params)
    return params, loss(result.summary["targets"]), result.summary["targets"]


@dataclass
class Trial:
    params: dict[str, float]
    loss: float


def clip(name: str, value: float) -> float:
    """A candidate value kept inside its parameter's declared range."""
    spec = BY_NAME[name]
    return float(min(max(value, spec.low), spec.high))


def fit(
    start: dict[str, float],
    scale: float,
    seed: int,
    budget: int,
    workers: int = 2,
    spread: float = 3.0,
    step: float = 1.5,
    rng_seed: int = 0,
    n_random: int | None = None,
    log: Callable[[str], None] = print,
) -> list[Trial]:
    rng = np.random.default_rng(rng_seed)
    trials: list[Trial] = []
    n_random = budget // 2 if n_random is None else max(1, n_random)
    candidates = [dict(start)]
    for _ in range(n_random - 1):
        candidates.append(
            {
                n: clip(n, v * float(np.exp(rng.uniform(-np.log(spread), np.log(spread)))))
                for n, v in start.items()
            }
        )
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for params, value, _ in pool.map(_evaluate, [(c, scale, seed) for c in candidates]):
            trials.append(Trial(params, value))
            log(f"random {len(trials)}/{n_random}: loss {value:.4f}")
        best = min(trials, key=lambda t: t.loss)
        names = list(start)
        i = 0
        while len(trials) < budget:
            name = names[i % len(names)]
            i += 1
            tries = [
                {**best.params, name: clip(name, best.params[name] * f)} for f in (step, 1 / step)
            ]
            for params, value, _ in pool.map(_evaluate, [(t, scale, seed) for t in tries]):
                trials.append(Trial(params, value))
                if value < best.loss:
                    best = Trial(params, value)
                    log(f"coordinate {name}: loss {value:.4f}")
    return trials


def main() -> None:  # pragma: no cover - a long-running command-line job
    import argparse

    from greatterror.model.scenario import load_scenario

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=int, default=120)
    parser.add_argument("--out", type=Path, default=Path("fit_historical.json"))
    parser.add_argument("--start", type=Path, help="JSON file whose 'best' values start the search")
    parser.add_argument(
        "--spread", type=float, default=3.0, help="factor around the start for random draws"
    )
    parser.add_argument("--step", type=float, default=1.5, help="factor of each coordinate move")
    parser.add_argument(
        "--random",
        type=int,
        default=None,
        help="random draws before the coordinate walk (default: half the budget)",
    )
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
    values = load_scenario("historical").parameter_values()
    if args.start:
        values.update(json.loads(args.start.read_text())["best"])
    start = {n: values[n] for n in free}
    trials = fit(
        start,
        args.scale,
        args.seed,
        args.budget,
        spread=args.spread,
        step=args.step,
        n_random=args.random,
    )
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
