"""Regenerate the regression baseline of tests/test_model.py (run after a deliberate model change).

scripts/refit_historical.py runs it after writing new values into historical.toml.
"""

from __future__ import annotations

import json
from pathlib import Path

from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario

if __name__ == "__main__":
    result = simulate(load_scenario("historical"), 0.001, 3)
    out = {
        # the scenario's values the baseline was made with: tests/test_refit.py fails with
        # "run python tests/make_baseline.py" when historical.toml changes and this does not
        "parameters": result.summary["parameters"],
        "targets": {t["id"]: t["simulated"] for t in result.summary["targets"]},
        "trial_defendants": [t["defendants"] for t in result.summary["trials"]],
    }
    path = Path(__file__).parent / "baselines" / "historical_0.001_seed3.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {path}")
