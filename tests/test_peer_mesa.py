"""The Mesa peer of bench/peers/ runs beside greatterror on the reduced rules.

Skipped unless the optional ``bench`` extra (Mesa 3, SciPy) is installed; CI and the
README's test command install it (``dev,dashboard,calibrate,bench``; the module takes a few
seconds). Whether the
two engines agree is a statistical question over ten seeds, answered by
``python bench/peers/compare_mesa.py`` and recorded in docs/performance.md; these
tests check, at a small size and one seed, that both run the scenario on the
current population interface, that greatterror acts in it only through the
reduced rules, and that the Mesa model keeps the rules' bounds. Nothing here is
timed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from greatterror.vocabulary import EVENTS

pytest.importorskip("mesa")
pytest.importorskip("scipy")

PEERS = Path(__file__).resolve().parents[1] / "bench" / "peers"
sys.path.insert(0, str(PEERS))

SCALE = 1e-4


@pytest.fixture(scope="module")
def population():
    from greatterror.population.build import build_population

    return build_population(SCALE, 1)


def test_greatterror_acts_only_through_the_reduced_rules(population) -> None:
    """Only the four mechanisms are on, and nothing outside them arrests or sentences:
    arrests are Order 00447's, or ordinary work's of people named after the order's first
    dated end; no one dies in custody (a new unswitched process acting in the period would
    show here, and the Mesa model would not have it)."""
    from peer_inputs import load_reduced_scenario

    import greatterror as gt
    from greatterror.model.components import resolve_switches

    scenario = load_reduced_scenario()
    on = {name for name, value in resolve_switches(scenario).items() if value}
    assert on == {
        "vulnerability_marks",
        "limits_and_throughput",
        "legal_acceleration",
        "snowball_naming",
    }
    sim = gt.Sim(str(PEERS / "reduced.toml"), population=population, seed=1).run()
    ts = sim.results.timeseries
    ts = ts[ts["count"] > 0]
    arrests = ts[ts["event"] == "arrested"]
    assert arrests["count"].sum() > 0
    assert set(arrests["operation"]) <= {"kulak_00447", "ordinary"}
    first_end = min(e.date for e in scenario.events if e.action == "end_operation")
    ordinary = arrests[arrests["operation"] == "ordinary"]
    assert (ordinary["date"].astype(str) >= first_end.isoformat()).all()
    # every event but deaths in custody (switched off in the reduced scenario)
    assert set(ts["event"]) <= set(EVENTS) - {"died_in_custody"}


def test_the_mesa_model_runs_the_reduced_rules(population) -> None:
    from mesa_terror import TerrorModel
    from peer_inputs import build_inputs, load_reduced_scenario

    scenario = load_reduced_scenario()
    inputs = build_inputs(SCALE, 1, scenario, population)
    assert inputs.people == population.n_mass
    assert inputs.launch_day > inputs.set_limits_day >= 0 and inputs.end_days
    model = TerrorModel(inputs, seed=1).run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == inputs.days == (scenario.end - scenario.start).days + 1
    arrested = frame["arrested"].sum()
    convicted = frame["convicted_cat1"].sum() + frame["convicted_camp"].sum()
    assert arrested > 0 and 0 < convicted <= arrested
    assert frame["arrested"].iloc[: inputs.launch_day].sum() == 0  # nothing before the order
    # every troika sentence counts in a used limit, beyond the limit if need be (no case waits)
    used = sum(d.used[0] + d.used[1] for d in model.directorates)
    assert used == pytest.approx(model.troika.decided)
    assert model.troika.decided <= convicted
    # the order has ended everywhere by the end of the period
    assert all(d.closed for d in model.directorates) and not model.operation
