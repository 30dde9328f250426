"""How each parameter's Morris steps fell against the runaway threshold (docs/sensitivity.md).

Usage: python scripts/sensitivity_steps.py RESULT.json

RESULT.json is the output of `greatterror sensitivity SCENARIO --method morris --json`. The
design is regenerated from its seed; the parameters are its ``parameters`` list, or the
scenario's free ones for an output written before that list existed. A step with one end a
runaway (the stand-in distance) has an elementary effect of the threshold, not of the
parameter, and a step with both ends runaways an effect of zero, so μ* alone mixes three
things. Printed as JSON, per parameter: μ*, the steps of each kind, and μ* and the signed
mean over the finished steps (a signed mean equal to ±μ* means one sign throughout).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        raise SystemExit(__doc__)
    result = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    from greatterror.calibration.problem import salib_problem, scenario_problem
    from greatterror.calibration.sensitivity import design
    from greatterror.model.scenario import load_scenario

    names = result.get("parameters") or list(scenario_problem(load_scenario(result["scenario"]))[0])
    problem = salib_problem(names)
    unit = design("morris", result["samples"], result["seed"], problem)
    k = len(names)
    y = np.array(result["distances"])
    runaway = np.isclose(y, result["runaway_distance"], atol=1e-3)  # distances are rounded
    effects: list[list[tuple[float, int]]] = [[] for _ in range(k)]
    for start in range(0, len(unit), k + 1):
        for j in range(start, start + k):
            (i,) = np.nonzero(unit[j + 1] - unit[j])[0]
            effect = (y[j + 1] - y[j]) / (unit[j + 1, i] - unit[j, i])
            effects[i].append((float(effect), int(runaway[j]) + int(runaway[j + 1])))
    mu = {r["name"]: r["mu_star"] for r in result["ranking"]}
    rows = []
    for name, steps in zip(names, effects, strict=True):
        finished = [e for e, ends in steps if ends == 0]
        rows.append(
            {
                "name": name,
                "mu_star": mu[name],
                "steps": len(steps),
                "threshold_steps": sum(ends == 1 for _, ends in steps),
                "both_runaway_steps": sum(ends == 2 for _, ends in steps),
                "finished_steps": len(finished),
                "mu_star_finished": float(np.abs(finished).mean()) if finished else None,
                "mean_finished": float(np.mean(finished)) if finished else None,
            }
        )
    rows.sort(key=lambda r: -r["mu_star"])
    finished_y = y[~runaway]
    summary = {
        "runs": len(y),
        "runaways": int(runaway.sum()),
        "finished": {
            "median": float(np.median(finished_y)),
            "min": float(finished_y.min()),
            "max": float(finished_y.max()),
        },
        "parameters": rows,
    }
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
