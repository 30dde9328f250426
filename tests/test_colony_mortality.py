"""The colonies' death rate is ``colony_mortality_ratio`` times the camps' (model/steps_gulag.py).

The camp-death draw is run for 20 days at a high rate on the stock of early 1935 at 1:1000
(about 700 camp and 240 colony prisoners), so that a few hundred die; the share of the
colony prisoners who died over that of the camp prisoners is then about the ratio's.
"""

from __future__ import annotations

import numpy as np
import pytest

import greatterror as gt
from greatterror.model.case_flags import COLONY, HOLDING
from greatterror.model.gulag import GF
from greatterror.model.steps_gulag import camp_deaths
from greatterror.vocabulary import Status


def _death_shares(ratio: float) -> tuple[float, float]:
    sim = gt.Sim("historical", scale=0.001, seed=1, pars={"colony_mortality_ratio": ratio})
    sim.step()
    e, w, day = sim.engine.engine, sim.engine.world, int(sim.engine.day)
    c = w.cases
    held = (c.status == Status.CAMP) & ~c.unpacked(HOLDING)
    colony, camp = held & c.unpacked(COLONY), held & ~c.unpacked(COLONY)
    e.params["gulag_mortality"] = 10.0  # a test rate: about 40% die in 20 days
    e.params["supply_mortality"] = 0.0
    for d in range(day, day + 20):
        camp_deaths(w, e, d)
    dead = c.status == Status.DIED_IN_CUSTODY
    return float(dead[colony].mean()), float(dead[camp].mean())


@pytest.mark.parametrize(("ratio", "low", "high"), [(0.4, 0.2, 0.65), (1.0, 0.8, 1.25)])
def test_colony_prisoners_die_at_the_ratio_of_the_camps_rate(ratio, low, high) -> None:
    colony, camp = _death_shares(ratio)
    assert camp > 0.25
    assert low < colony / camp < high


def test_the_colonies_deaths_are_counted_apart() -> None:
    """``died_colony`` is the weight of the colony prisoners who died, and only theirs: the
    camps' own series (``G2-gulag-deaths``, calibration/holdout.py) is ``died_camp`` less it."""
    sim = gt.Sim("historical", scale=0.001, seed=2)
    sim.step()
    e, w, day = sim.engine.engine, sim.engine.world, int(sim.engine.day)
    c = w.cases
    held = (c.status == Status.CAMP) & ~c.unpacked(HOLDING)
    e.params["gulag_mortality"] = 10.0
    before = e.ledger.gulag[day : day + 20].copy()
    for d in range(day, day + 20):
        camp_deaths(w, e, d)
    counted = (e.ledger.gulag[day : day + 20] - before).sum(axis=0)
    dead = np.flatnonzero(held & (c.status == Status.DIED_IN_CUSTODY))
    in_colony = dead[c.has(COLONY, dead)]
    assert len(in_colony) > 20 and len(in_colony) < len(dead)
    assert counted[GF["died_colony"]] == pytest.approx(float(e.weights(in_colony).sum()))
    assert counted[GF["died_camp"]] == pytest.approx(float(e.weights(dead).sum()))


def test_a_ratio_of_zero_spares_the_colonies() -> None:
    colony, camp = _death_shares(0.0)
    assert colony == 0.0 and camp > 0.25
    assert np.isfinite(camp)
