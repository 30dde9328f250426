"""Tests of the colony convicts' local transfer (model/holding.py, issue 9).

The rule: a prisoner sentenced to a colony (a court's term under three years,
gulag.served_in_colony) waits in the prisons for a local transfer of mean
``colony_transfer_days``, not for the etap to the camps. One
run at 1:1000 (about 10 s) with the etap at the prior's fewest places, so that prisoners
sentenced to camps pile up in the prisons.
"""

from __future__ import annotations

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.case_flags import COLONY, HOLDING
from greatterror.model.gulag import GF
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.vocabulary import Status

SCALE, SEED = 0.001, 2
SLOW_ETAP = {"etap_capacity": 300.0, "colony_transfer_days": 30.0}


@pytest.fixture(scope="module")
def run():
    return simulate(load_scenario("historical"), SCALE, SEED, SLOW_ETAP, evidence=load_evidence())


def test_colony_convicts_do_not_wait_for_the_etap(run) -> None:
    """At the end, the camp convicts still in the prisons have waited for the etap for
    longer than any colony convict still there waits for his transfer (a mean of 30 days:
    a wait of a year has a chance of about e^-12)."""
    sim = run.simulation
    c, last = sim.cases, sim.days - 1
    held = np.flatnonzero(c.unpacked(HOLDING))
    waited = last - c.sentence_day[held].astype(np.int64)
    colony, camp = waited[c.has(COLONY, held)], waited[~c.has(COLONY, held)]
    assert len(camp) and camp.max() > 365  # the etap is the bottleneck
    assert len(colony) == 0 or colony.max() < 365
    assert (c.status[held] == Status.CAMP).all()


def test_colonies_are_filled_while_the_etap_is_full(run) -> None:
    """The colony stock does not fall with the etap's backlog: on 1 January 1939 the
    colonies hold at least half their prisoners of 1 January 1937."""
    stock = run.summary["gulag"]["stock_1jan"]
    assert stock["1939"]["awaiting_etap"] > 50_000
    assert stock["1939"]["colonies"] > 0.5 * stock["1937"]["colonies"]


def test_the_prisons_conserve_people(run) -> None:
    sim = run.simulation
    flows, camps = sim.ledger.gulag, sim.world.camps
    entered = flows[:, GF["entered_holding"]].sum()
    out = flows[:, [GF["admitted"], GF["died_holding"], GF["left_holding"]]].sum()
    assert entered - out == pytest.approx(camps.hold_w, abs=1e-6 * entered)
    assert camps.hold_n == int(sim.cases.unpacked(HOLDING).sum())


def test_the_etaps_unused_places_do_not_pile_up() -> None:
    """The day's unused etap places carry over only while a camp convict still waits for them,
    so the carry stays below one agent's weight. (With colony convicts listed again at the
    queue's end it used to carry every day's unused places: 280,000 places by 1938 at 1:1000,
    seed 1, and the etap then never bound.)"""
    import greatterror as gt

    sim = gt.Sim("historical", scale=0.001, seed=1)
    heaviest = max(sim.engine.engine.w_mass, sim.engine.engine.w_elite)
    largest = 0.0
    while sim.date.isoformat() < "1938-01-01":
        sim.step()
        largest = max(largest, sim.engine.world.camps.etap_carry)
    assert largest < heaviest


def test_a_colony_transfer_is_not_an_etap_and_takes_no_transit_deaths() -> None:
    """The deaths in transit are the etap's (model/steps_gulag.py): with ``transit_mortality``
    at 1 every camp convict arriving dies on the way and no colony convict does (a colony is
    reached by a local transfer, docs/ODD.md 7.8)."""
    import greatterror as gt
    from greatterror.model.steps_transit import transit_deaths

    sim = gt.Sim("historical", scale=SCALE, seed=SEED)
    sim.run(until="1937-06-30")
    e, w = sim.engine.engine, sim.engine.world
    day = (np.datetime64("1937-07-01") - np.datetime64(e.start.isoformat())).astype(int)
    c = w.cases
    held = np.flatnonzero(c.status == Status.CAMP)
    colony, camp = held[c.has(COLONY, held)][:50], held[~c.has(COLONY, held)][:50]
    assert len(colony) == 50 and len(camp) == 50
    e.params["transit_mortality"] = 1.0
    w.camps.arrivals = [colony, camp]
    transit_deaths(w, e, int(day))
    assert (c.status[camp] == Status.DIED_IN_CUSTODY).all()
    assert (c.status[colony] == Status.CAMP).all()
