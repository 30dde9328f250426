"""scripts/diagnose_desk_elsewhere.py: ``check`` is retired (review24 F3: its patches no longer
reached the reading, which the scenario's ``centre_reading`` decides since branch desk2);
``stock`` counts the reports in view as the desk does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from script_module import load_script

from greatterror.model import fifth_column, steps_policy

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "diagnose_desk_elsewhere.py"


def _script() -> ModuleType:
    return load_script(SCRIPT.name)


def test_the_retired_check_says_where_the_check_is() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "check", "--only", "H7"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "prior_predictive_hypotheses.py" in done.stderr


def test_the_stock_counts_what_the_desk_holds_in_view(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under H5 as shipped (read through the desk) the script's count of the reports in view
    is the desk's own stock (``Institutions.reports_read``) day by day, once reports come."""
    from greatterror.evidence.loader import load_evidence
    from greatterror.model.hypothesis_catalog import find_hypothesis
    from greatterror.model.sim import Simulation
    from greatterror.population.build import build_population

    # restored at teardown: the counter's wrappers last for the process
    monkeypatch.setattr(fifth_column, "report", fifth_column.report)
    monkeypatch.setattr(steps_policy.Perception, "step", steps_policy.Perception.step)
    count = _script().Stock()
    h5 = find_hypothesis("H5")
    assert h5.centre_reading == "desk"
    run = Simulation(h5, build_population(0.0001, 1), 1, load_evidence())
    seen = 0
    for _ in range(120):
        run.step()
        inst = run.world.institutions
        assert count.stock == pytest.approx(inst.reports_read, rel=1e-9, abs=1e-9)
        seen += inst.reports_read > 0
    assert seen > 0
