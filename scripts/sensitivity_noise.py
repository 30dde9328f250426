"""The noise floor of a Morris screening (docs/sensitivity.md): what seed noise alone gives.

Usage: python scripts/sensitivity_noise.py RESULT.json [--shipped K] [--workers W]
       [--replicate EARLIER.json]

RESULT.json is the output of `greatterror sensitivity SCENARIO --method morris --json`
(it must hold the run's ``distances``). The script re-runs the same design on the same fit
population with every simulation seed salted, so each elementary effect gets a replicate
that differs from the first only by the simulation's randomness, and prints JSON with,
per parameter: μ* of the first run and of the replicate, and the noise in an elementary
effect (the root mean square of the two replicates' differences over √2) with the μ* that
noise alone would give (its mean absolute value over √2), the same over the steps whose
four runs all finished (no runaway: the stand-in distance hides no noise), and how many
steps changed runaway status between the replicates. ``--replicate EARLIER.json`` reads the
replicate's distances from an earlier output of this script instead of running the design
again. With ``--shipped K`` it also
re-runs the scenario as shipped on K salted simulation seeds (the spread of the distance at
one point). The salt is 1 (the design) and 2 to K + 1 (the shipped point); a run's seed is
otherwise the fit's (``calibration/seeds.simulation_seed``).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from greatterror.calibration import simulator


def salted(salt: int) -> None:
    """Make every simulation seed of this process (and of workers forked later) salted."""
    from greatterror.calibration.seeds import simulation_seed

    simulator.simulation_seed = lambda seed, values: simulation_seed(
        seed, {**values, "__salt__": float(salt)}
    )


def steps(unit: np.ndarray, k: int) -> list[list[tuple[int, int]]]:
    """Each parameter's steps (the design rows before and after it moves), by trajectory."""
    out: list[list[tuple[int, int]]] = [[] for _ in range(k)]
    for start in range(0, len(unit), k + 1):
        for j in range(start, start + k):
            (i,) = np.nonzero(unit[j + 1] - unit[j])[0]
            out[i].append((j, j + 1))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("result", type=Path)
    parser.add_argument("--shipped", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--replicate", type=Path, default=None)
    args = parser.parse_args()
    first: dict[str, Any] = json.loads(args.result.read_text(encoding="utf-8"))
    from greatterror.calibration.problem import salib_problem, scenario_problem
    from greatterror.calibration.sensitivity import analyse, design
    from greatterror.calibration.statistics import archival_distance
    from greatterror.model.scenario import load_scenario

    scenario, scale, seed = first["scenario"], first["scale"], first["seed"]
    if args.replicate is None:
        salted(1)
        second = analyse(scenario, "morris", first["samples"], scale, args.workers, seed)
    else:
        second = json.loads(args.replicate.read_text(encoding="utf-8"))["replicate"]
    names, _ = scenario_problem(load_scenario(scenario))
    problem = salib_problem(names)
    unit = design("morris", first["samples"], seed, problem)
    k = problem["num_vars"]
    y1, y2 = np.array(first["distances"]), np.array(second["distances"])
    run1 = np.isclose(y1, first["runaway_distance"])
    run2 = np.isclose(y2, first["runaway_distance"])
    rows = []
    for i, pairs in enumerate(steps(unit, k)):
        a_, b_ = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
        delta = unit[b_, i] - unit[a_, i]
        a, b = (y1[b_] - y1[a_]) / delta, (y2[b_] - y2[a_]) / delta
        # a step counts as finished when neither end ran away in either replicate
        finished = ~(run1[a_] | run1[b_] | run2[a_] | run2[b_])
        flipped = (run1[a_] != run2[a_]) | (run1[b_] != run2[b_])
        diff = (a - b)[finished]
        rows.append(
            {
                "name": problem["names"][i],
                "mu_star": float(np.abs(a).mean()),
                "mu_star_replicate": float(np.abs(b).mean()),
                "ee_noise_rms": float(np.sqrt(np.mean((a - b) ** 2) / 2)),
                "mu_star_of_noise": float(np.abs(a - b).mean() / math.sqrt(2)),
                "finished_steps": int(finished.sum()),
                "mu_star_finished": float(np.abs(a[finished]).mean()),
                "mean_finished": float(a[finished].mean()),
                "mu_star_of_noise_finished": float(np.abs(diff).mean() / math.sqrt(2)),
                "steps_changing_runaway_status": int(flipped.sum()),
            }
        )
    rows.sort(key=lambda r: -r["mu_star"])
    out: dict[str, Any] = {
        "first": str(args.result),
        "replicate": {key: second[key] for key in ("runs", "runaways", "distance", "distances")},
        "parameters": rows,
    }
    if args.shipped:
        model = simulator.FitModel(scenario, scale, seed)
        shipped = []
        for salt in range(2, args.shipped + 2):
            salted(salt)
            shipped.append(archival_distance(model({}), model.bands()))
        out["shipped"] = {
            "distances": shipped,
            "mean": float(np.mean(shipped)),
            "sd": float(np.std(shipped, ddof=1)),
        }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
