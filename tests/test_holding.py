"""Tests of validity of the holding stage and the Gulag's deaths (model/holding.py, issue 9).

Two runs at 1:1000 (about 10 s together): the historical scenario, and the same seed with
the exhaustion of prisoners held in overcrowded prisons switched off (``exhaustion_risk`` 0).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.case_flags import HOLDING
from greatterror.model.gulag import GF
from greatterror.model.holding import crowding
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.vocabulary import Status

SCALE, SEED = 0.001, 1
# the prior's fewest places, so that the prisons overfill and every path of the holding stage
# acts: with the Order 00447 pipeline (no cases waiting for limits) the historical run at its
# default places never overfills them, and exhaustion then never acts at all. The etap's pace is
# pinned: a fitted etap fast enough to empty the prisons within days leaves exhaustion little to
# act on, and this test is of the mechanism, not of the fitted point. It is half the data-file
# default since the colony convicts no longer wait for the etap (their local transfer,
# model/holding.py), so that at the default the camp convicts' queue hardly forms; the camps'
# reception (model/reception.py) is off, so that the deaths compared are the exhaustion's
CROWDED = {"prison_capacity": 80_000.0, "etap_capacity": 1000.0, "reception_risk": 0.0}


@pytest.fixture(scope="module")
def runs():
    scenario, evidence = load_scenario("historical"), load_evidence()
    on = simulate(scenario, SCALE, SEED, CROWDED, evidence=evidence)
    off = simulate(scenario, SCALE, SEED, {**CROWDED, "exhaustion_risk": 0.0}, evidence=evidence)
    return on, off


def test_crowding_is_the_share_held_beyond_the_places() -> None:
    assert crowding(50.0, 100.0) == 0.0
    assert crowding(250.0, 100.0) == pytest.approx(1.5)


def test_the_holding_stage_conserves_people(runs) -> None:
    """Everyone sentenced to camp is still held, or arrived in a camp, or died or left."""
    for result in runs:
        sim = result.simulation
        flows, camps, c = sim.ledger.gulag, sim.world.camps, sim.cases
        entered = flows[:, GF["entered_holding"]].sum()
        out = flows[:, [GF["admitted"], GF["died_holding"], GF["left_holding"]]].sum()
        assert entered > 0 and flows[:, GF["admitted"]].sum() > 0
        assert entered - out == pytest.approx(camps.hold_w, abs=1e-6 * entered)
        held = np.flatnonzero(c.unpacked(HOLDING))
        assert camps.hold_n == len(held)
        assert (c.status[held] == Status.CAMP).all()
        # the camp count is the camp roll's live prisoners, none of them still in a prison
        roll = np.unique(camps.roll.peek())
        in_camp = roll[(c.status[roll] == Status.CAMP) & ~c.has(HOLDING, roll)]
        assert camps.n == len(in_camp)
        prisons = result.summary["gulag"]["prisons"]
        day = (dt.date(1938, 1, 1) - sim.engine.start).days
        assert prisons["1938-01-01"] == sim.ledger.prisons[day] > 0


def test_deaths_never_exceed_those_held(runs) -> None:
    for result in runs:
        g = result.summary["gulag"]
        for year, flows in g["yearly"].items():
            stock = g["stock_1jan"].get(year, {"camps": 0.0, "colonies": 0.0})
            start = stock["camps"] + stock["colonies"] if year != "1934" else 1e12
            assert flows["died_camp"] + flows["died_transit"] <= start + flows["admitted"]
            assert flows["died_holding"] <= flows["entered_holding"] + stock.get("prisons", 1e12)
        assert result.simulation.world.camps.n >= 0


def test_switching_exhaustion_off_removes_the_1938_excess(runs) -> None:
    """Until the first death of a prisoner who arrived exhausted the two runs are the same;
    without exhaustion the camp deaths of 1938 fall back (paired streams)."""
    on, off = (r.simulation for r in runs)
    died = GF["died_camp"]
    first = int(np.flatnonzero(on.ledger.gulag[:, died] != off.ledger.gulag[:, died])[0])
    assert on.ledger.crowding_days[first] > 0  # it acts only once the prisons are overfull
    assert np.array_equal(on.ledger.gulag[:first], off.ledger.gulag[:first])
    with_it, without = (r.summary["gulag"]["yearly"]["1938"]["died_camp"] for r in runs)
    # with the prisons overfull the excess is large (about 4.6 times at 1:1000, seed 1)
    assert with_it > 1.15 * without


def test_the_starting_stock_is_the_count_nearest_the_start(runs) -> None:
    """Issue 9 (6): the camps unit holds the camps and colonies of 1 Jan 1935 (the published
    count nearest the start on 1 Dec 1934), not those of 1 Jan 1937."""
    evidence = load_evidence()
    start = sum(evidence.value(f"IN-gulag-{kind}-1935") for kind in ("itl", "itk"))
    assert abs(start - evidence.value("G8-1937")) > 200_000
    sim = runs[0].simulation
    camps_unit = sim.world.institutions.camps_region
    held = float(sim.engine.weights(np.flatnonzero(sim.pop["region"] == camps_unit)).sum())
    assert held == pytest.approx(start, rel=0.01)
