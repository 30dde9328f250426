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
from typing import Any, NoReturn

from greatterror.calibration.apply import ApplyError, write_scenario
from greatterror.calibration.search import best_problem
from greatterror.model.scenario import load_scenario
from greatterror.model.scenario_files import shipped_path


def refuse(message: str) -> NoReturn:
    """A bad argument: one line and exit code 2, as the greatterror command has it."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def read_fit(path: Path) -> dict[str, Any]:
    """The search's output: a JSON object with 'best' (free parameter -> value) and 'loss'."""
    try:
        fit = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        refuse(f"FIT.json: {path} cannot be read ({exc.strerror})")
    except ValueError:
        refuse(
            f"FIT.json: {path} is not JSON; expected the output of greatterror.calibration.search"
        )
    if not (
        isinstance(fit, dict)
        and isinstance(fit.get("best"), dict)
        and isinstance(fit.get("loss"), int | float)
    ):
        refuse(f"FIT.json: {path} holds no 'best' values and 'loss'; expected the search's output")
    problem = best_problem(fit["best"])
    if problem:
        refuse(f"FIT.json: {path}: {problem}")
    return fit


def main() -> None:
    if len(sys.argv) == 2 and sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        refuse("give FIT.json and a description of the search")
    fit = read_fit(Path(sys.argv[1]))
    # a search over some parameters (--free) keeps the scenario's values of the others
    values = {**load_scenario("historical").parameters, **fit["best"]}
    try:  # a value outside its parameter's range: the new scenario would not load
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
    except ApplyError as exc:
        refuse(f"FIT.json: {sys.argv[1]}: {exc}")


if __name__ == "__main__":
    main()
