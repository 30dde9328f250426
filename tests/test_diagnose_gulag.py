"""scripts/diagnose_gulag.py counts every death and release of the camps: its wrappers of the
engine's Python transitions see the camps' draw, the transit deaths and TermEnd's releases,
which the run makes as compiled calls on the core unless the script runs their NumPy
references (the script's docstring). A short run (half a year at 1:1,000) is enough: the
outflow table must add up to the ledger's flows year by year."""

from __future__ import annotations

from pathlib import Path

import pytest
from script_module import load_script

from greatterror.model import steps_justice
from greatterror.model.steps_gulag import camp_deaths

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


@pytest.fixture(scope="module")
def tables():
    mp = pytest.MonkeyPatch()
    mp.syspath_prepend(str(SCRIPTS))  # the script imports scripts/_diagnose.py
    try:
        script = load_script("diagnose_gulag.py")
        return script.main(["--scale", "0.001", "--seed", "1", "--until", "1935-06-30"])
    finally:
        mp.undo()


def test_deaths_by_rule_include_the_camps_draw_and_transit(tables) -> None:
    rules = {rule for (_, rule, _), v in tables["custody"].items() if v > 0}
    assert {"camp_deaths", "transit_deaths"} <= rules, rules
    etap = sum(v for (_, r, p), v in tables["custody"].items() if r == "transit_deaths")
    assert etap == pytest.approx(sum(f["died_transit"] for f in tables["flows"].values()))


def test_the_outflow_adds_up_to_the_ledgers_flows(tables) -> None:
    """Deaths (the camps' and transit's: the etap's dead were admitted), releases (term end
    and review) and new cases leaving the camps and colonies, each year, equal the ledger's."""
    out = tables["outflow"]
    assert tables["flows"], "no year run"
    for year, f in tables["flows"].items():

        def left(how: str, year: int = year) -> float:
            return sum(v for (y, h, _, _), v in out.items() if (y, h) == (year, how))

        assert left("died") == pytest.approx(f["died_camp"] + f["died_transit"]), year
        assert left("released") == pytest.approx(f["released_term"] + f["released_review"]), year
        assert left("new_case") == pytest.approx(f["taken_for_case"]), year
    assert sum(f["released_term"] for f in tables["flows"].values()) > 0


def test_main_restores_the_compiled_steps(tables) -> None:
    assert steps_justice.camp_deaths is camp_deaths
