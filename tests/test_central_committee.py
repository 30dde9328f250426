"""The 1934 Central Committee's roles hold in a historical run (review10 F2).

The leader is never arrested, whatever step arrests; a member who died before the Terror
is not arrested after his death date; the leader's circle is the Politburo of 1934-38
(data/population/cc_1934.csv), whose hazard is the other members' times
``patron_protection``. One run at 1:1,000.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.central_committee import (
    cc_rows,
    leader_rows,
    members,
    politburo_rows,
    unarrestable,
)
from greatterror.model.scenario import load_scenario
from greatterror.model.sim import Simulation
from greatterror.model.steps_elites import _elite_weights
from greatterror.population.build import build_population

SCALE, SEED = 0.001, 5


@pytest.fixture(scope="module")
def run() -> Simulation:
    sim = Simulation(
        load_scenario("historical"), build_population(SCALE, SEED), SEED, load_evidence()
    )
    sim.run()
    return sim


def _rows(sim: Simulation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    flags, heads = sim.pop["elite"], sim.registers.elite_heads
    return cc_rows(flags, heads), leader_rows(flags, heads), politburo_rows(flags, heads)


def test_the_data_name_one_leader_and_the_politburo_of_1934_38() -> None:
    roles = [m.role for m in members()]
    assert roles[0] == "leader" and roles.count("leader") == 1
    names = {m.name.split(",")[0] for m in members() if m.role == "politburo"}
    assert {"Molotov", "Kaganovich", "Kirov", "Kosior", "Rudzutak", "Yezhov"} <= names
    assert len(names) == 18
    deaths = {m.name.split(",")[0]: m.death for m in members() if m.death is not None}
    assert deaths["Kirov"] == dt.date(1934, 12, 1) == load_scenario("historical").start
    assert "Tomsky" not in deaths  # a suicide on the eve of arrest is an outcome, not an input


def test_the_leader_is_never_arrested(run: Simulation) -> None:
    cc, leader, _ = _rows(run)
    assert len(cc) == 139 and len(leader) == 1
    assert run.cases.arrests[leader].sum() == 0
    # the rule is the engine's, whichever step arrests: an explicit arrest is refused
    assert len(run.engine.arrest(run.days - 1, leader, "elite")) == 0


def test_no_one_is_arrested_after_his_death(run: Simulation) -> None:
    engine = run.engine
    idx, first = engine.unarrestable, engine.unarrestable_from
    assert len(idx) == 1 + sum(m.death is not None for m in members())
    taken = run.cases.arrests[idx] > 0
    # a last arrest, if any, came before the death (arrest_day is the last case's day)
    assert (run.cases.arrest_day[idx][taken] < first[taken]).all()
    kirov = idx[first == 0]
    assert run.cases.arrests[kirov].sum() == 0


def test_a_member_is_arrestable_until_his_death_and_not_after() -> None:
    """The rule can fail: the day decides, not the person."""
    sim = Simulation(
        load_scenario("historical"), build_population(SCALE, SEED), SEED, load_evidence()
    )
    engine = sim.engine
    later = engine.unarrestable_from > 1
    person, day = int(engine.unarrestable[later][0]), int(engine.unarrestable_from[later][0])
    assert not engine.arrestable(day, np.array([person])).any()
    assert engine.arrestable(day - 1, np.array([person])).all()
    assert len(engine.arrest(day, np.array([person]), "elite")) == 0
    assert len(engine.arrest(day - 1, np.array([person]), "elite")) == 1


def test_the_politburo_is_the_leaders_circle_and_follows_the_rule(run: Simulation) -> None:
    cc, leader, politburo = _rows(run)
    purge = next(c for c in run.loop if c.name == "purge_of_elites")
    assert purge.circle is not None
    assert set(purge.circle.tolist()) == set(politburo.tolist())
    assert not np.isin(leader, politburo).any() and np.isin(politburo, cc).all()
    # the hazard of a member of the circle is a like member's times patron_protection
    others = cc[~np.isin(cc, politburo) & ~np.isin(cc, leader)]
    w_in = _elite_weights(purge, run.world, run.engine, politburo, purge.circle)
    w_out = _elite_weights(purge, run.world, run.engine, others, purge.circle)
    p = run.engine.params["patron_protection"]
    assert set(np.round(w_in / p, 9)) <= set(np.round(w_out, 9))


def test_the_unarrestable_are_the_leader_and_the_dead_only(run: Simulation) -> None:
    cc, leader, _ = _rows(run)
    idx, first = unarrestable(run.pop["elite"], run.registers.elite_heads, run.start)
    assert idx[0] == leader[0] and first[0] == 0
    assert np.isin(idx, cc).all() and len(set(idx.tolist())) == len(idx)
