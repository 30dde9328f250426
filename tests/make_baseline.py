"""Regenerate the regression baseline of tests/test_model.py (run after a deliberate model change)."""

from __future__ import annotations

import json
from pathlib import Path

from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario

if __name__ == "__main__":
    result = simulate(load_scenario("historical"), 0.001, 3)
    out = {
        "targets": {t["id"]: t["simulated"] for t in result.summary["targets"]},
        "trial_defendants": [t["defendants"] for t in result.summary["trials"]],
    }
    path = Path(__file__).parent / "baselines" / "historical_0.001_seed3.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {path}")
