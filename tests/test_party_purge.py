"""The party purge (issue 9, item 5): the rules hold in a historical run.

One run at 1:1,000, recording each party-route arrest and each reinstatement
as it happens (the roll is the mass layer's members, so its counts scale).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.engine import Engine
from greatterror.model.party_state import EXCHANGE, VERIFICATION, P
from greatterror.model.purge_state import at_liberty
from greatterror.model.scenario import load_scenario
from greatterror.model.sim import Simulation
from greatterror.model.subsets import CountedSubset
from greatterror.population.build import build_population
from greatterror.population.codes import Party

SCALE, SEED = 0.001, 5


@pytest.fixture(scope="module")
def run():
    """A finished run, with each party-route arrest's (day, roll positions, expulsion days)."""
    sim = Simulation(
        load_scenario("historical"), build_population(SCALE, SEED), SEED, load_evidence()
    )
    engine: Engine = sim.engine
    taken: list[tuple[int, np.ndarray, np.ndarray]] = []
    checks: list[tuple[str, int, np.ndarray]] = []
    due = engine.due

    def recording(day: int, kind: str) -> np.ndarray:
        out = due(day, kind)
        if len(out) and kind == "party_arrest":
            taken.append((day, out, sim.world.party.expelled_day[out].copy()))
        if len(out) and kind in ("party_verification", "party_exchange"):
            checks.append((kind, day, out))
        return out

    engine.due = recording  # type: ignore[method-assign]
    roll = sim.world.party
    look = roll.look

    def checked_look(status: np.ndarray, changes) -> CountedSubset | np.ndarray:
        # the appeals' pool kept from the day's changes, in lockstep with the pass over
        # ``appealing`` it replaced (the rule before branch partypool): equal every day
        waiting = look(status, changes)
        rule = roll.appealing[at_liberty(status, roll.rows, roll.appealing)]
        assert isinstance(waiting, CountedSubset)
        looks.append(
            len(waiting) == len(rule) and np.array_equal(np.flatnonzero(waiting.mask), rule)
        )
        return waiting

    looks: list[bool] = []
    assert len(roll.rows) < roll.pass_below  # 1:1,000 looks by the pass unless told
    roll.pass_below = 0  # the record of changes, as at 1:10 and 1:1
    roll.look = checked_look  # type: ignore[method-assign]
    sim.run()
    sim.looks = looks  # type: ignore[attr-defined]
    return sim, taken, checks


def _day(sim: Simulation, date: dt.date) -> int:
    return (date - sim.engine.start).days


def test_the_roll_is_the_mass_layers_party_and_the_population_is_not_changed(run) -> None:
    sim, _, _ = run
    roll, pop = sim.world.party, sim.pop
    assert not pop.is_elite_layer[roll.rows].any()
    assert (pop["party"][roll.rows] != Party.NONE).all()
    members = int(np.count_nonzero(np.isin(pop["party"], (Party.MEMBER, Party.CANDIDATE))))
    elite = int(np.count_nonzero(np.isin(pop["party"][pop.is_elite_layer], (1, 2))))
    # members of the population's 1 January 1937 are still its members after the run
    assert members - elite == int(
        np.count_nonzero(np.isin(pop["party"][roll.rows], (Party.MEMBER, Party.CANDIDATE)))
    )


def test_the_checks_of_1935_and_1936_expel_within_their_dates_and_share(run) -> None:
    sim, _, checks = run
    windows = {"party_verification": VERIFICATION, "party_exchange": EXCHANGE}
    assert {kind for kind, _, _ in checks} == set(windows)
    for kind, day, _ in checks:
        first, last = windows[kind]
        assert _day(sim, first) <= day <= _day(sim, last)
    roll = sim.world.party
    verified = sum(len(pos) for kind, _, pos in checks if kind == "party_verification")
    # in the party on the first day: everyone on the roll but the expelled of before the run
    share = verified / int(np.count_nonzero(roll.expelled_day != -2))
    assert abs(share - sim.engine.params["party_verification_share"]) < 0.02  # 3 sd
    # the people of the checks come from the population's expelled of 1 January 1937
    positions = np.concatenate([pos for _, _, pos in checks])
    assert (sim.pop["party"][roll.rows[positions]] == Party.EXPELLED).all()


def test_no_one_is_arrested_through_the_party_route_without_a_prior_expulsion(run) -> None:
    _, taken, _ = run
    assert taken, "the party route arrested no one"
    for day, _, expelled in taken:
        assert (expelled >= 0).all() and (expelled < day).all()


def test_reinstatement_only_after_the_january_1938_plenum_and_never_of_the_arrested(run) -> None:
    sim, _, _ = run
    roll = sim.world.party
    plenum = _day(sim, dt.date(1938, 1, 11))
    reinstated = roll.counts[:, P["reinstated"]]
    assert reinstated[:plenum].sum() == 0
    assert reinstated[plenum:].sum() > 0
    assert not (roll.reinstated & roll.to_arrest).any()
    assert (roll.expelled_day[roll.reinstated] == -1).all()


def test_the_kept_sets_equal_their_definitions(run) -> None:
    """The roll's incremental sets (kept for speed) match the rules they keep."""
    sim, _, _ = run
    roll = sim.world.party
    pool = roll.in_party() & ~roll.reinstated
    assert (roll.pool_set.mask == pool).all() and len(roll.pool_set) == np.count_nonzero(pool)
    appealing = np.flatnonzero((roll.expelled_day >= 0) & ~roll.to_arrest)
    assert len(appealing) > 0 and roll.reinstated.any()
    assert np.array_equal(roll.appealing, appealing)


def test_the_appeals_pool_kept_from_the_changes_equals_the_pass_every_day(run) -> None:
    """``PartyRoll.look`` (the pool kept from the people whose status changed) gave, on
    every day of appeals, the members the pass over ``appealing`` gives, in the same order
    (so the draws from it are the same)."""
    sim, _, _ = run
    looks = sim.looks
    plenum = _day(sim, dt.date(1938, 1, 11))
    assert len(looks) >= sim.engine.days - plenum - 1  # a look every day of appeals
    assert all(looks), f"{looks.count(False)} of {len(looks)} looks differ from the rule"
    roll = sim.world.party
    assert roll.waiting is not None and len(roll.waiting) > 0


def test_expulsions_run_with_the_party_purge_and_stop_at_the_halt(run) -> None:
    sim, _, _ = run
    expelled = sim.world.party.counts[:, P["expelled"]]
    yezhov, halt = _day(sim, dt.date(1936, 9, 26)), _day(sim, dt.date(1938, 11, 17))
    after_checks = _day(sim, EXCHANGE[1]) + 1
    assert expelled[after_checks:yezhov].sum() == 0
    assert expelled[yezhov:halt].sum() > 0
    assert expelled[halt + 1 :].sum() == 0
