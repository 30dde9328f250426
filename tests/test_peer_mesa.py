"""The Mesa peer of bench/peers/ runs beside greatterror on the reduced rules.

Skipped unless the optional ``bench`` extra (Mesa 3, SciPy) is installed.
Whether the two engines agree is a statistical question over ten seeds,
answered by ``python bench/peers/compare_mesa.py`` and recorded in
docs/performance.md; this test only checks, at a tiny size and one seed,
that both run the scenario and that the Mesa model keeps the rules' bounds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("mesa")
pytest.importorskip("scipy")

PEERS = Path(__file__).resolve().parents[1] / "bench" / "peers"
sys.path.insert(0, str(PEERS))

SCALE = 2e-5


@pytest.fixture(scope="module")
def population():
    from greatterror.population.build import build_population

    return build_population(SCALE, 1)


def test_both_engines_run_the_reduced_rules(population) -> None:
    from compare_mesa import run_greatterror
    from mesa_terror import TerrorModel
    from peer_inputs import build_inputs, load_reduced_scenario

    from greatterror.evidence.loader import load_evidence
    from greatterror.model.components import resolve_switches

    scenario = load_reduced_scenario()
    on = {name for name, value in resolve_switches(scenario).items() if value}
    assert on == {
        "vulnerability_marks",
        "limits_and_throughput",
        "legal_acceleration",
        "snowball_naming",
    }
    yearly, _, _ = run_greatterror(population, 1, load_evidence())
    assert sum(y["arrested"] for y in yearly.values()) > 0

    inputs = build_inputs(SCALE, 1, scenario, population)
    model = TerrorModel(inputs, seed=1).run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == inputs.days == (scenario.end - scenario.start).days + 1
    arrested = frame["arrested"].sum()
    convicted = frame["convicted_cat1"].sum() + frame["convicted_camp"].sum()
    assert arrested > 0 and 0 < convicted <= arrested
    assert frame["arrested"].iloc[: inputs.launch_day].sum() == 0  # nothing before the order
    # every troika sentence counts in a used limit, beyond the limit if need be (no case waits)
    used = sum(d.used[0] + d.used[1] for d in model.directorates)
    assert used == pytest.approx(convicted)
