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

import greatterror as gt
from greatterror.model import slots, steps_justice
from greatterror.model.calendar import KIND
from greatterror.model.steps_transit import transit_deaths_reference

SCALE, SEED, DAYS = 0.003, 1, 1000
#: a transit death probability far above the historical one: many deaths a day
MORTALITY = 0.2
#: a reception risk far above the fitted one: most arrivals weakened once the intake surges
RISK = 20.0


def _bits(a) -> bytes:
    return np.ascontiguousarray(a).tobytes()


def _assert_same(a, b, day: int, full: bool) -> None:
    ea, eb = a.engine, b.engine
    ca, cb = a.world.cases, b.world.cases
    la, lb = ea.ledger, eb.ledger
    if full:
        for name in ("status", "op", "arrest_day", "sentence_day", "flags", "arrests",
                     "release_day", "line", "returned"):  # fmt: skip
            assert _bits(getattr(ca, name)) == _bits(getattr(cb, name)), (day, name)
        la._flush()
        lb._flush()
        assert _bits(la._cells) == _bits(lb._cells), day
        assert _bits(la._values) == _bits(lb._values), day
    sa, sb = a.world.camps.slots, b.world.camps.slots
    assert _bits(sa.f[: slots.FLOAT_STATE]) == _bits(sb.f[: slots.FLOAT_STATE]), day
    end = slots.NEED if full else slots.LEDGER_ROWS
    assert _bits(sa.i[:end]) == _bits(sb.i[:end]), day
    for name in ("gulag", "held", "hunger", "stock", "holding"):
        assert _bits(getattr(la, name)) == _bits(getattr(lb, name)), (day, name)
    assert _bits(a.world.camps.roll.peek()) == _bits(b.world.camps.roll.peek()), day
    for name in ("gulag", "colony_deaths", "reception"):
        x, y = getattr(ea.rng, name), getattr(eb.rng, name)
        assert x.bit_generator.state == y.bit_generator.state, (day, name)
    assert [x.tolist() for x in ea._changed] == [x.tolist() for x in eb._changed], day
    ka, kb = ea.calendar, eb.calendar
    n = ka._state[0]
    assert _bits(ka._state) == _bits(kb._state), day
    assert _bits(ka.lists) == _bits(kb.lists), day
    assert _bits(ka.marks) == _bits(kb.marks), day
    assert _bits(ka._entries[:, :n]) == _bits(kb._entries[:, :n]), day


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
        _assert_same(compiled, reference, day, day % 7 == 6 or day == DAYS - 1)
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
