"""The camps' compiled daily deaths (``gulag_kernels.camp_deaths_day``) against their NumPy
reference (``steps_gulag.camp_deaths_reference``, the code replaced), bit for bit.

Two runs of one scenario, seed and population go day by day side by side, at a death rate
raised so that hundreds die and the camp roll is compacted. The first's changed buffer is
made too small at the start, so that the kernel finds a buffer full after drawing the count
and must use the count it kept (slot ``PENDING``) on its second call; its camp roll is made
full, so that the first admissions replace the buffer the kernel reads. After every day the
slots, the Gulag flows, the supply series (``held``, ``hunger``), the camp roll (queue
``Q_ROLL``, which the kernel reads and compacts), the changed record and both streams' states
must be equal, and weekly every case array and ledger cell.
"""

from __future__ import annotations

import numpy as np
import pytest
from core_lockstep import assert_same as _assert_same

import greatterror as gt
from greatterror.model import slots, steps_justice
from greatterror.model.steps_gulag import camp_deaths_reference
from greatterror.vocabulary import Status

SCALE, SEED, DAYS = 0.003, 1, 700
#: a yearly death rate far above the historical one (about 0.02): many deaths a day
MORTALITY = 2.5


def _reference_day(e) -> None:
    """One day of ``e`` with Punishment's camp deaths in NumPy."""
    compiled = steps_justice.camp_deaths
    steps_justice.camp_deaths = camp_deaths_reference
    try:
        e.step()
    finally:
        steps_justice.camp_deaths = compiled


@pytest.fixture(scope="module")
def pair():
    compiled = gt.Sim("historical", scale=SCALE, seed=SEED).engine
    reference = gt.Sim("historical", scale=SCALE, seed=SEED).engine
    for sim in (compiled, reference):
        sim.engine.params["gulag_mortality"] = MORTALITY
        sim.engine._changed = []
    holder = compiled.engine.core
    holder.changed = np.empty(1, dtype=np.int64)  # full at the first deaths
    holder.refresh()
    # the roll's buffer full, so that the first admissions replace it (``Queue.reserve``)
    roll = compiled.world.camps.roll
    roll._buf = roll.peek().copy()
    roll._head, roll._tail = 0, len(roll._buf)
    holder.queue_grown(slots.Q_ROLL)
    died = compactions = grown = 0
    col = steps_justice.GF["died_camp"]
    for day in range(DAYS):
        roll = compiled.world.camps.roll
        before, buf = len(roll), roll._buf
        compiled.step()
        _reference_day(reference)
        compactions += len(roll) < before
        grown += roll._buf is not buf
        died += compiled.engine.ledger.gulag[day, col] > 0
        _assert_same(
            compiled, reference, day, day % 7 == 6 or day == DAYS - 1, ("gulag", "colony_deaths")
        )
        compiled.engine._changed.clear()
        reference.engine._changed.clear()
    return compiled, died, compactions, grown


def test_the_compiled_camp_deaths_equal_their_numpy_reference_every_day(pair) -> None:
    """Compared after each day in the fixture; deaths on most days, the roll compacted and
    its buffer replaced by a larger one (the kernel reads it as queue ``Q_ROLL``, handed on by
    ``CoreHolder.queue_grown``), colony prisoners among the dead, the changed buffer grown."""
    compiled, died, compactions, grown = pair
    assert died > DAYS // 2
    assert compactions > 0 and grown > 0
    # (the roll keeps no weight: the kernel's compaction moves none)
    assert compiled.world.camps.roll._weigh is None
    gulag = compiled.engine.ledger.gulag
    assert gulag[:, steps_justice.GF["died_colony"]].sum() > 0
    assert len(compiled.engine.core.changed) > 1
    assert compiled.world.camps.slots.i[slots.PENDING] == 0
    assert np.count_nonzero(compiled.world.cases.status == Status.DIED_IN_CUSTODY) > 0
