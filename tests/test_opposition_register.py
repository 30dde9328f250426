"""Validity tests of the 1936 wave against the former oppositionists (model/opposition_register.py).

The CC's closed letter of 29 July 1936 (``closed_letter``, G12-40) opens the NKVD's register
of former oppositionists to the opposition group's hazard. These tests fail if the wave comes
before the letter, if it comes without it, or if an endogenous scenario scripts the letter.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

import greatterror as gt
from greatterror.model.scenario import load_scenario
from greatterror.population.codes import Mark

LETTER = dt.date(1936, 7, 29)
PLENUM = dt.date(1937, 2, 23)


def _register_arrests(scenario: object) -> tuple[float, float, dt.date | None]:
    """Shares of the mass layer's former oppositionists first arrested in the 19 months from
    Kirov's murder to the letter, and in the 7 months from the letter to the plenum (1:1000,
    seed 1); and the day the register opened."""
    sim = gt.Sim(scenario, scale=0.001, seed=1)  # type: ignore[arg-type]
    world = sim.engine.world
    marks = world.people["marks"]
    register = np.flatnonzero((marks & Mark.OPPOSITIONIST) != 0)
    register = register[~sim.engine.is_elite[register]]
    first = np.full(len(register), -1)
    opened = None
    while sim.date <= PLENUM:
        day = sim.date
        sim.step()
        new = (first < 0) & (world.cases.arrests[register] > 0)
        first[new] = (day - sim.scenario.start).days
        if opened is None and world.policy.opposition_register:
            opened = day
    letter = (LETTER - sim.scenario.start).days
    before = np.count_nonzero((first >= 0) & (first < letter)) / len(register)
    after = np.count_nonzero(first >= letter) / len(register)
    return before, after, opened


def test_the_wave_against_the_former_oppositionists_begins_only_after_the_letter() -> None:
    historical = load_scenario("historical")
    assert [e.date for e in historical.events if e.action == "closed_letter"] == [LETTER]
    before, after, opened = _register_arrests(historical)
    assert opened == LETTER
    # the register's rank and file: background work only before the letter, the wave after
    assert before < 0.1
    assert after > 0.3
    # the control: without the letter, no wave (the same hazard is not reached otherwise)
    events = [e for e in historical.events if e.action != "closed_letter"]
    _, after_without, opened_without = _register_arrests(
        historical.model_copy(update={"events": events})
    )
    assert opened_without is None
    assert after_without < 0.1


def test_an_endogenous_scenario_has_no_scripted_letter() -> None:
    """The letter is a decision of the centre: an endogenous scenario drops it, and the rule
    opens the register only with its appointment of Yezhov (model/steps_policy.py)."""
    endogenous = load_scenario("endogenous")
    assert not [e for e in endogenous.events if e.action == "closed_letter"]
    # a threshold at the top of its range: the rule does not appoint Yezhov in this run
    sim = gt.Sim("endogenous", scale=0.001, seed=2, pars={"leader_expand_threshold": 1.0})
    policy = sim.engine.world.policy
    opened = False
    while not sim.finished:
        sim.step()
        opened |= policy.opposition_register
    assert ("chief_change", "yezhov") not in policy.first_day
    assert not opened
