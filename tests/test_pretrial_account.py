"""The account of the cases before sentence closes (review F12, F13 on V-nkvd-011138-pending).

The 1st Special Department's note of 1 November 1938 gives arrests, sentences and releases over
a window, and their difference is the growth of the pool of cases before sentence over it (with
the record's deaths in custody and transfers). The model's measure of that row
(calibration/holdout_dated.py, ``_pending``) takes the model's releases before sentence off
(summary.json's ``pretrial.released``, counted by ``Engine.release``) and the validation prints
the stock beside it (``pretrial.held``). This checks, on a 1:1,000 run, that the stock of people
under investigation or awaiting sentence changes by the political arrests less the political
sentences and less those releases, nothing more, up to the halt; and that the monthly
snapshots are that stock and that cumulative count.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import greatterror as gt
from greatterror.calibration.series import CONVICTED
from greatterror.model.engine import Engine
from greatterror.model.sim import Simulation
from greatterror.model.steps_justice import Punishment
from greatterror.model.world import World
from greatterror.vocabulary import EV, OPERATIONS, POLITICAL_OPERATIONS


def test_the_cases_before_sentence_change_only_by_arrests_sentences_and_releases() -> None:
    sim = gt.Sim("historical", scale=0.001, seed=3).engine
    e, camps = sim.engine, sim.world.camps
    political = [OPERATIONS.index(op) for op in POLITICAL_OPERATIONS]
    events = [EV["arrested"], *(EV[k] for k in CONVICTED)]
    start = 0
    checked = 0.0
    for until in (dt.date(1936, 9, 30), dt.date(1937, 12, 31), dt.date(1938, 10, 31)):
        held, released = camps.pretrial_w, e.ledger.released_pretrial
        sim.run(until=until)
        stop = sim.day
        cube = e.ledger.cube()[start:stop][:, :, political][..., events].sum(axis=(0, 1, 2))
        flows = cube[0] - cube[1:].sum() - (e.ledger.released_pretrial - released)
        assert camps.pretrial_w - held == pytest.approx(flows, abs=1e-6 * e.w_mass)
        checked += e.ledger.released_pretrial - released
        start = stop
    assert checked > 0  # the test saw releases before sentence
    _the_snapshot_of_1_nov_1938_is_the_stock_at_the_start_of_the_holding_step(sim, political)


def _the_snapshot_of_1_nov_1938_is_the_stock_at_the_start_of_the_holding_step(
    sim: Simulation, political: list[int]
) -> None:
    """Step 1 Nov 1938 from the end of 31 Oct, reading the stock, the cumulative releases and
    the day's flows so far where ``Punishment`` (step 17, whose holding step takes the
    snapshot) begins. The snapshot must equal them, and they must be the 31 Oct stock plus
    the day's political arrests so far less its sentences and releases before sentence so far
    (review23 F8)."""
    e, camps = sim.engine, sim.world.camps
    events = [EV["arrested"], *(EV[k] for k in CONVICTED)]
    held_before, released_before = camps.pretrial_w, e.ledger.released_pretrial
    day = sim.day
    assert sim.date(day) == dt.date(1938, 11, 1)
    (punishment,) = [c for c in sim.loop.components if isinstance(c, Punishment)]
    seen: dict[str, float] = {}
    step = punishment.step

    def at_its_start(w: World, eng: Engine, d: int) -> None:
        flows = eng.ledger.cube()[d][:, political][..., events].sum(axis=(0, 1))
        seen.update(
            held=camps.pretrial_w,
            released=eng.ledger.released_pretrial,
            net=float(flows[0] - flows[1:].sum()),
        )
        step(w, eng, d)

    punishment.step = at_its_start  # type: ignore[method-assign]
    try:
        sim.step()
    finally:
        del punishment.step
    held, released = e.ledger.pretrial_dates["1938-11-01"]
    assert held == seen["held"] and released == seen["released"]
    today = seen["released"] - released_before
    assert held - held_before == pytest.approx(seen["net"] - today, abs=1e-6 * e.w_mass)
    # the day's arrests before step 17 moved the stock, so the snapshot is not the 31 Oct one
    assert held != held_before and np.isfinite(held)
    # before the halt nothing releases a case before sentence after step 17 (HaltReview, step
    # 26, works only after it): the snapshot's count is 1 Nov's end-of-day count
    assert released_before <= released == e.ledger.released_pretrial
    assert set(e.ledger.pretrial_dates) >= {"1936-10-01", "1938-10-01", "1938-11-01"}
