"""How each parameter's Morris steps fell against the runaway threshold (docs/sensitivity.md).

Usage: python scripts/sensitivity_steps.py RESULT.json

RESULT.json is the output of `greatterror sensitivity SCENARIO --method morris --json`, of
any scenario (a hypothesis's too). The design is regenerated from its seed; the parameters
are its ``parameters`` list, or the scenario's free ones for an output written before that
list existed. A step with one end a runaway (the stand-in distance) has an elementary effect
of the threshold, not of the parameter, and a step with both ends runaways an effect of zero,
so μ* alone mixes three things. Printed as JSON, per parameter: μ*, the steps of each kind,
and μ* over the finished steps with the half-width of its 95% bootstrap interval and the
signed mean there (equal to ±μ* means one sign throughout); ``calibration/screen_rule.steps``.
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
    from greatterror.calibration.problem import scenario_problem
    from greatterror.calibration.screen_rule import steps
    from greatterror.model.scenario import load_scenario

    if not result.get("parameters"):
        result["parameters"] = list(scenario_problem(load_scenario(result["scenario"]))[0])
    rows = sorted(steps(result), key=lambda r: -r["mu_star"])
    y = np.array(result["distances"])
    runaway = np.isclose(y, result["runaway_distance"], atol=1e-3)
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
