"""Tests of the camps' reception of new prisoners (model/reception.py, issue 9).

The rule: the intake of the last 90 days (yearly rate) over the intake of the year
before it is the surge; each new prisoner is fatally weakened with probability
``1 - exp(-reception_risk * surge)`` and dies in the camp after a delay. Two runs at
1:1000 (about 15 s together): the historical scenario with ``reception_risk`` 0 and 0.3.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.gulag import GF
from greatterror.model.reception import INTAKE_WINDOW, PLAN_DAYS, intake_surge
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.vocabulary import Status

SCALE, SEED = 0.001, 1


def test_no_surge_before_a_year_of_intake_is_recorded() -> None:
    admitted = np.ones(2000)
    admitted[400:] = 10.0  # a tenfold intake from day 400
    # a day short of a year's intake before the window: no plan to compare with yet
    assert intake_surge(admitted, INTAKE_WINDOW + PLAN_DAYS - 1) == 0.0
    assert intake_surge(admitted, INTAKE_WINDOW + PLAN_DAYS) > 0.0


def test_surge_is_the_recent_intake_beyond_the_planned_one() -> None:
    admitted = np.full(2000, 2.0)
    assert intake_surge(admitted, 1000) == 0.0  # steady intake: no surge
    admitted[1000 - INTAKE_WINDOW : 1000] = 6.0  # three times the plan for 90 days
    assert intake_surge(admitted, 1000) == pytest.approx(2.0)
    admitted[1000 - INTAKE_WINDOW : 1000] = 1.0  # less than planned: no surge, no negative
    assert intake_surge(admitted, 1000) == 0.0
    assert intake_surge(np.zeros(2000), 1000) == 0.0  # nothing planned: no surge


@pytest.fixture(scope="module")
def runs():
    scenario, evidence = load_scenario("historical"), load_evidence()
    off = simulate(scenario, SCALE, SEED, {"reception_risk": 0.0}, evidence=evidence)
    on = simulate(scenario, SCALE, SEED, {"reception_risk": 0.3}, evidence=evidence)
    return off, on


def test_reception_deaths_start_only_after_a_surge_and_raise_1938(runs) -> None:
    """Until the first death of a prisoner weakened at his reception the runs are the same
    (the draws come from their own stream); then the camp deaths of 1938 rise."""
    off, on = (r.simulation for r in runs)
    died = GF["died_camp"]
    differs = np.flatnonzero(on.ledger.gulag[:, died] != off.ledger.gulag[:, died])
    assert len(differs)
    first = int(differs[0])
    assert first > INTAKE_WINDOW + PLAN_DAYS
    assert np.array_equal(on.ledger.gulag[:first], off.ledger.gulag[:first])
    admitted = on.ledger.gulag[:, GF["admitted"]]
    surged = [intake_surge(admitted, d) > 0 for d in range(INTAKE_WINDOW + PLAN_DAYS, first)]
    assert any(surged)
    died_off, died_on = (r.summary["gulag"]["yearly"]["1938"]["died_camp"] for r in runs)
    assert died_on > 1.2 * died_off


def test_camps_conserve_people_and_terms_expire(runs) -> None:
    """The camp stock at the end is the first day's plus the admissions less the releases and
    deaths, less the few camp prisoners taken out for a new case (Order 00447's camp
    limits), who leave the camps without a Gulag flow; no one is held past his term."""
    for result in runs:
        sim = result.simulation
        flows, camps, c = sim.ledger.gulag, sim.world.camps, sim.cases
        admitted = flows[:, GF["admitted"]].sum()
        out = flows[:, [GF[k] for k in ("released_term", "released_review")]].sum()
        out += flows[:, [GF["died_camp"], GF["died_transit"]]].sum()
        taken = sim.ledger.held[0] + admitted - out - camps.w
        assert 0.0 <= taken <= 0.01 * admitted
        held = np.flatnonzero(c.status == Status.CAMP)
        ends = c.release_day[held].astype(np.int64)
        assert (ends >= sim.days - 1).all() or (ends[ends < sim.days - 1] < 0).all()
        ended = result.summary["gulag"]["yearly"]
        assert all(ended[y]["released_term"] > 0 for y in ("1935", "1936", "1937", "1938"))


def test_reception_deaths_fall_on_camp_prisoners(runs) -> None:
    """The weakened die in the camps: every death of the added ones is a camp death, and the
    deaths in transit and in prisons are not those of the reception."""
    off, on = runs
    start = (dt.date(1937, 1, 1) - on.simulation.engine.start).days
    for flow in ("died_transit", "died_holding"):
        a = on.simulation.ledger.gulag[start:, GF[flow]].sum()
        b = off.simulation.ledger.gulag[start:, GF[flow]].sum()
        assert a <= b + 0.5 * max(b, 1000.0)
