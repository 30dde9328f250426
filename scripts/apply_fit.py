"""Write the best point of an optuna quick fit into the historical scenario file.

Usage: python scripts/apply_fit.py FIT.json "description of the search"

FIT.json is the output of ``python -m greatterror.calibration.search``. The values
are written by greatterror.calibration.apply.write_scenario (checked before the file
is replaced). An ABC-SMC fit is applied with ``greatterror calibrate apply`` instead.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from greatterror.calibration.apply import write_scenario
from greatterror.model.scenario import load_scenario
from greatterror.model.scenario_files import shipped_path


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        raise SystemExit(__doc__)
    fit = json.loads(Path(sys.argv[1]).read_text())
    # a search over some parameters (--free) keeps the scenario's values of the others
    values = {**load_scenario("historical").parameters, **fit["best"]}
    write_scenario(
        shipped_path("historical"),
        values,
        [
            f"Point fit by greatterror.calibration.search (optuna) on {dt.date.today()}: "
            f"{sys.argv[2]};",
            f"archival distance (statistics.archival_distance, one fitting seed) = "
            f"{fit['loss']:.3f}. Not a posterior: docs/calibration.md.",
        ],
    )


if __name__ == "__main__":
    main()
