"""The camps' compiled daily deaths (``gulag_kernels.camp_deaths_day``) against their NumPy
reference (``steps_gulag.camp_deaths_reference``, the code replaced), bit for bit.

Two runs of one scenario, seed and population go day by day side by side, at a death rate
raised so that hundreds die and the camp roll is compacted; the first's changed buffer is
made too small at the start, so that the kernel finds a buffer full after drawing the count
and must use the count it kept (slot ``PENDING``) on its second call. After every day the
slots, the Gulag flows, the supply series (``held``, ``hunger``), the camp roll, the changed
record and both streams' states must be equal, and weekly every case array and ledger cell.
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
    died = compactions = 0
    col = steps_justice.GF["died_camp"]
    for day in range(DAYS):
        before = len(compiled.world.camps.roll)
        compiled.step()
        _reference_day(reference)
        compactions += len(compiled.world.camps.roll) < before
        died += compiled.engine.ledger.gulag[day, col] > 0
        _assert_same(
            compiled, reference, day, day % 7 == 6 or day == DAYS - 1, ("gulag", "colony_deaths")
        )
        compiled.engine._changed.clear()
        reference.engine._changed.clear()
    return compiled, died, compactions


def test_the_compiled_camp_deaths_equal_their_numpy_reference_every_day(pair) -> None:
    """Compared after each day in the fixture; deaths on most days, the roll compacted,
    colony prisoners among the dead, the changed buffer grown."""
    compiled, died, compactions = pair
    assert died > DAYS // 2
    assert compactions > 0
    gulag = compiled.engine.ledger.gulag
    assert gulag[:, steps_justice.GF["died_colony"]].sum() > 0
    assert len(compiled.engine.core.changed) > 1
    assert compiled.world.camps.slots.i[slots.PENDING] == 0
    assert np.count_nonzero(compiled.world.cases.status == Status.DIED_IN_CUSTODY) > 0
