"""The compiled deaths in transit and reception (``gulag_kernels.transit_deaths_day``) against
their NumPy reference (``steps_transit.transit_deaths_reference`` with
``reception.reception_deaths_reference``, the code replaced), bit for bit.

Two runs of one scenario, seed and population go day by day side by side, at a transit
mortality and a reception risk raised so that many die on the etap and many are scheduled
for a death of exhaustion; the first's changed buffer is made too small at the start, so
that the kernel finds a buffer full and is called again. After every
day the slots, the Gulag flows, the camp roll, the calendar, the changed record and the
streams' states (``gulag``, ``colony_deaths``, ``reception``) must be equal, and weekly
every case array and ledger cell.
"""

from __future__ import annotations

import numpy as np
import pytest
from core_lockstep import assert_same as _assert_same

import greatterror as gt
from greatterror.model import steps_justice
from greatterror.model.calendar import KIND
from greatterror.model.steps_transit import transit_deaths_reference

SCALE, SEED, DAYS = 0.003, 1, 1000
#: a transit death probability far above the historical one: many deaths a day
MORTALITY = 0.2
#: a reception risk far above the fitted one: most arrivals weakened once the intake surges
RISK = 20.0


def _reference_day(e) -> None:
    """One day of ``e`` with Punishment's transit deaths in NumPy."""
    compiled = steps_justice.transit_deaths
    steps_justice.transit_deaths = transit_deaths_reference
    try:
        e.step()
    finally:
        steps_justice.transit_deaths = compiled


@pytest.fixture(scope="module")
def pair():
    compiled = gt.Sim("historical", scale=SCALE, seed=SEED).engine
    reference = gt.Sim("historical", scale=SCALE, seed=SEED).engine
    for sim in (compiled, reference):
        sim.engine.params["transit_mortality"] = MORTALITY
        sim.engine.params["reception_risk"] = RISK
        sim.engine._changed = []
    holder = compiled.engine.core
    holder.changed = np.empty(1, dtype=np.int64)  # full at the first deaths
    holder.refresh()
    died = weakened = 0
    col = steps_justice.GF["died_transit"]
    code = KIND["exhausted_death"]
    for day in range(DAYS):
        before = compiled.engine.calendar.lists[code, :, 2, :].sum()
        compiled.step()
        _reference_day(reference)
        weakened += compiled.engine.calendar.lists[code, :, 2, :].sum() > before
        died += compiled.engine.ledger.gulag[day, col] > 0
        _assert_same(
            compiled,
            reference,
            day,
            day % 7 == 6 or day == DAYS - 1,
            ("gulag", "colony_deaths", "reception"),
        )
        compiled.engine._changed.clear()
        reference.engine._changed.clear()
    return compiled, died, weakened


def test_the_compiled_transit_deaths_equal_their_numpy_reference_every_day(pair) -> None:
    """Compared after each day in the fixture; deaths in transit on many days, deaths of
    exhaustion scheduled on many, the changed buffer grown."""
    compiled, died, weakened = pair
    assert died > 50
    assert weakened > 50
    assert len(compiled.engine.core.changed) > 1
