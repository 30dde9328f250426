"""Shortcuts of branch speed10 (docs/performance-log.md): a step leaves out its calls only on days
its rule decides nothing, and the passes made cheaper find the same people."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import greatterror as gt
from greatterror.model.opposition_register import register_of
from greatterror.model.sorting import isin_set
from greatterror.model.state import Cases
from greatterror.model.steps_halt import sentenced_to_death_in_mass_operations
from greatterror.model.steps_investigation import Investigation
from greatterror.model.trial_cases import CUSTODY, in_custody
from greatterror.population.codes import Mark
from greatterror.vocabulary import CH, MASS_OP, Status


@pytest.fixture(scope="module")
def sim() -> gt.Sim:
    s = gt.Sim("historical", scale=0.0001, seed=1)
    s.run(until="1937-09-01")
    return s


def _state(e, queue) -> tuple:
    streams = tuple(str(g.bit_generator.state) for g in (e.rng.sentencing, e.rng.no_sentence))
    return len(queue), queue.weight, queue.peek().tobytes(), e.world.cases.status.tobytes(), streams


@pytest.mark.parametrize("channel", ["courts", "oso", "special_troika"])
def test_a_budget_that_pays_for_no_case_decides_nothing(sim: gt.Sim, channel: str) -> None:
    """Below the first case's weight the channel leaves its queue, the cases and its streams
    as they were; a budget for one case takes one (so that the test can fail)."""
    e = sim.engine.engine
    w = e.world
    queue = w.institutions.queues[CH[channel]]
    free = np.flatnonzero(w.cases.status == Status.FREE)[:3]
    queue.push(free.astype(np.int32))  # people at liberty: popped, but none sentenced
    step = sim.loop["sentencing"]
    first = e.w_elite if e.is_elite[free[0]] else e.w_mass
    before = _state(e, queue)
    assert step._decide_head(w, e, e.days - 1, channel, 0.5 * first) == 0.0
    assert _state(e, queue) == before
    assert step._decide_head(w, e, e.days - 1, channel, first) == first
    assert len(queue) == before[0] - 1
    queue.clear()


def test_the_opposition_register_equals_the_flag_rule(sim: gt.Sim) -> None:
    e = sim.engine.engine
    w = e.world
    marks = w.people["marks"]
    rule = np.flatnonzero((marks & Mark.OPPOSITIONIST) != 0)  # the IntFlag, as it was
    rule = rule[~e.is_elite[rule]]
    got = register_of(w, e)
    assert len(rule) > 0
    assert np.array_equal(got, rule)


def test_the_void_sentences_are_the_rule_s_cases() -> None:
    rng = np.random.default_rng(4)
    c = Cases.empty(500)
    c.status[:] = rng.integers(0, Status.DIED_IN_CUSTODY + 1, size=500)
    c.op[:] = rng.integers(0, len(MASS_OP), size=500)
    rule = np.flatnonzero((c.status == Status.SENTENCED_DEATH) & MASS_OP[c.op])
    got = sentenced_to_death_in_mass_operations(c)
    assert len(rule) > 0 and len(rule) < (c.status == Status.SENTENCED_DEATH).sum()
    assert got.dtype == np.int64 and np.array_equal(got, rule)


def test_cases_returned_starts_as_untouched_zeros() -> None:
    """``Cases.returned`` is stored plus one, so that "none" is 0 (np.zeros, not np.full)."""
    assert not Cases.empty(10).returned.any()


def test_in_custody_is_the_isin_rule() -> None:
    status = np.random.default_rng(2).integers(0, Status.DIED_IN_CUSTODY + 1, 300).astype(np.uint8)
    assert np.array_equal(in_custody(status), np.isin(status, CUSTODY))
    assert in_custody(status).any() and not in_custody(status).all()


def test_the_interrogation_draws_split_by_the_trials_set(sim: gt.Sim) -> None:
    """The prisoners of a show trial's case draw on ``trial_interrogation``, the others on
    ``investigation``: found by set look-ups, as ``isin_set`` finds them."""
    e = sim.engine.engine
    tc = e.world.trial_cases
    saved = tc.by_trial
    tc.by_trial = {14, 35, 999}
    idx = np.arange(10, dtype=np.int64) * 7
    try:
        inv, trial = copy.deepcopy(e.rng.investigation), copy.deepcopy(e.rng.trial_interrogation)
        u = Investigation.interrogation_draws(e.world, e, idx)
        mine = isin_set(idx, tc.by_trial)
        assert mine.sum() == 2
        want = np.empty((2, len(idx)))
        want[:, ~mine] = inv.random((2, 8))
        want[:, mine] = trial.random((2, 2))
        assert np.array_equal(u, want)
    finally:
        tc.by_trial = saved
