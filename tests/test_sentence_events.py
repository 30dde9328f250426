"""A prisoner sentenced again is not moved or killed by the events of his old sentence
(model/sentence_events.py; the transfer to a colony and the deaths of the fatally weakened,
model/holding.py).

Order 00447 reached the camps' prisoners: one could be taken for a new case and sentenced
again while an event of his first sentence was still on the calendar. Each test schedules
the event for one prisoner, sentences him again (or not, the control), and runs the rule on
the event's day. One population at 1:1000, stepped a few days into 1935 (a few seconds).
"""

from __future__ import annotations

import numpy as np
import pytest

import greatterror as gt
from greatterror.model.case_flags import COLONY, HOLDING
from greatterror.model.gulag import TermRange
from greatterror.model.holding import admit, holding_step, to_colony
from greatterror.model.sentence_events import schedule_for_sentence, stamp, unstamp
from greatterror.vocabulary import EV, Status

LONG = TermRange(8.0, 10.0, "test: a camp term", judicial=True)
SHORT = TermRange(0.5, 1.0, "test: a colony term", judicial=True)


@pytest.fixture
def sim():
    s = gt.Sim("historical", scale=0.001, seed=1, pars={"exhaustion_risk": 0.0})
    for _ in range(3):
        s.step()
    return s


def _parts(sim):
    e, w = sim.engine.engine, sim.engine.world
    return e, w, int(sim.engine.day)


def _resentence(e, w, day: int, p: int, terms: TermRange) -> None:
    """A new case against ``p`` (at liberty or in a camp) and a new camp sentence the day after."""
    idx = np.array([p], dtype=np.int64)
    assert len(e.arrest(day, idx, "kulak_00447", allow_in_camp=True)) == 1
    e.sentence(day + 1, idx, "camp", terms=terms)


def _in_camp(e, w) -> int:
    c, camps_region = w.cases, w.institutions.camps_region
    in_camp = (c.status == Status.CAMP) & ~c.unpacked(HOLDING) & ~c.unpacked(COLONY)
    ok = np.flatnonzero(in_camp & (e.region == camps_region))
    return int(ok[0])


@pytest.mark.parametrize("again", [False, True])
def test_a_weakened_prisoner_sentenced_again_does_not_die_of_the_old_sentence(sim, again):
    e, w, day = _parts(sim)
    p = _in_camp(e, w)
    schedule_for_sentence(e, day, "exhausted_death", np.array([p]), np.array([5]))
    if again:
        _resentence(e, w, day, p, LONG)
        admit(w, e, day + 2, np.array([p]))  # back in a camp before the old event's day
    assert w.cases.status[p] == Status.CAMP and not w.cases.has(HOLDING, p)
    holding_step(w, e, day + 5)
    expected = Status.CAMP if again else Status.DIED_IN_CUSTODY
    assert w.cases.status[p] == expected


@pytest.mark.parametrize("again", [False, True])
def test_a_colony_convict_sentenced_again_to_a_camp_waits_for_the_etap(sim, again):
    """A camp prisoner given a new colony term (a court's term under three years) waits for
    the local transfer; taken for a third case and sentenced to a camp term before it, he
    waits for the etap, not for the old transfer."""
    e, w, day = _parts(sim)
    c = w.cases
    p = _in_camp(e, w)
    _resentence(e, w, day, p, SHORT)
    assert c.has(COLONY, p) and c.has(HOLDING, p)
    schedule_for_sentence(e, day + 1, "to_colony", np.array([p]), np.array([5]))
    if again:
        _resentence(e, w, day + 2, p, LONG)
        assert not c.has(COLONY, p) and c.has(HOLDING, p)
    to_colony(w, e, day + 6)
    # the old transfer would take him out of the prisons, past the etap, to a camp
    assert bool(c.has(HOLDING, p)) == again


def test_stamps_keep_the_row_and_the_sentence() -> None:
    rows = np.array([0, 7, 170_000_000], dtype=np.int64)
    days = np.zeros(200_000_000, dtype=np.int16)  # calloc: only the pages written are touched
    days[[0, 7, 170_000_000]] = [-1, 300, 2000]
    entries = stamp(days[rows], rows)
    assert unstamp(entries, days).tolist() == rows.tolist()
    days[7] = 400
    assert unstamp(entries, days).tolist() == [0, 170_000_000]


def test_two_deaths_scheduled_for_one_day_kill_once(sim):
    """The etap's exhaustion and the camp's reception may both schedule the death of one
    weakened prisoner for the same day: he dies once, and the ledger counts one death."""
    e, w, day = _parts(sim)
    p = _in_camp(e, w)
    for _ in range(2):
        schedule_for_sentence(e, day, "exhausted_death", np.array([p]), np.array([5]))
    weight = float(e.weights(np.array([p])).sum())
    before = float(e.ledger.gulag[:, :].sum())
    holding_step(w, e, day + 5)
    assert w.cases.status[p] == Status.DIED_IN_CUSTODY
    died = e.ledger.cube()[day + 5, ..., EV["died_in_custody"]].sum()
    assert died == pytest.approx(weight)
    assert float(e.ledger.gulag[:, :].sum()) > before
