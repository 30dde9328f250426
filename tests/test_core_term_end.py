"""The compiled core (model/core.py) against the Python engine, bit for bit.

Two runs of one scenario, seed and population go day by day side by side: one with TermEnd's
compiled day (``gulag_kernels.term_end_day``), the other with its NumPy reference
(``steps_gulag.term_end_reference``, the code it replaced, through ``Transitions.release``,
itself compiled since branch transk).
After every day every case array, the run's slots, the ledger's cells (both ledgers flushed:
any flush bound gives the same cells), its Gulag flows and stocks, the calendar and the
record of changed statuses must be equal bit for bit. Then the compiled ``release`` against
its NumPy code ``release_reference`` (and the compiled ``die_in_custody`` against
``die_in_custody_reference``) on a mix of
camp, holding and pretrial prisoners, and the compiled calendar's add and take against the
Python calendar's.
"""

from __future__ import annotations

import numpy as np
import pytest
from compiled_calls import add_kind, take_kind
from core_lockstep import assert_same, count_calls

import greatterror as gt
from greatterror.model import slots
from greatterror.model.calendar import KIND
from greatterror.model.case_flags import HOLDING
from greatterror.model.core_kernels import end_custody
from greatterror.model.gulag import GF
from greatterror.model.gulag_kernels import term_end_day
from greatterror.model.steps_gulag import camp_stock, term_end_reference
from greatterror.vocabulary import Status

SCALE, SEED = 0.003, 1


def _reference_step(w, e, day) -> None:
    """TermEnd's step with the NumPy reference for the compiled day."""
    term_end_reference(w, e, day)
    date = e.date(day)
    if date.month == 1 and date.day == 1:
        e.ledger.stock[day] = camp_stock(w, e)


def _pair():
    """Two simulations of the same run; the second's TermEnd runs the reference."""
    compiled = gt.Sim("historical", scale=SCALE, seed=SEED).engine
    reference = gt.Sim("historical", scale=SCALE, seed=SEED).engine
    reference.loop["term_end"].step = _reference_step  # type: ignore[method-assign]
    return compiled, reference


def _assert_same(a, b, day: int, full: bool = True) -> None:
    """``core_lockstep.assert_same`` with the scratch slots too: both runs compile the same
    components other than TermEnd, so those are equal as well."""
    assert_same(a, b, day, full, scratch=True)


def _count_calls(holder) -> dict[str, float]:
    """Count what TermEnd's compiled day did (``core_lockstep.count_calls``): its calls, the
    people it released and its ``released_term`` flow, and the buffers' growths."""
    counts = {"released": 0, "released_term": 0.0}
    gulag, status = holder.engine.ledger.gulag, holder.engine.world.cases.status

    def observe(call, day, *args):
        released = int(np.count_nonzero(status == Status.RELEASED))
        flow = float(gulag[day, GF["released_term"]])
        done = call(term_end_day, day)
        counts["released"] += int(np.count_nonzero(status == Status.RELEASED)) - released
        counts["released_term"] += float(gulag[day, GF["released_term"]]) - flow
        return done

    return count_calls(holder, term_end_day, counts, observe)


@pytest.fixture(scope="module")
def pair():
    compiled, reference = _pair()
    holder, ledger = compiled.engine.core, compiled.engine.ledger
    # small compiled buffers, so that TermEnd's day finds them full and they grow (the weekly
    # flushes below would otherwise keep the ledger's buffer from ever filling)
    ledger.rows, ledger.row_region = ledger.rows[:2].copy(), ledger.row_region[:3].copy()
    ledger.row_op, ledger.row_weight = ledger.row_op[:3].copy(), ledger.row_weight[:3].copy()
    holder.changed = holder.changed[:4].copy()
    holder.refresh()
    counts = _count_calls(holder)
    for day in range(compiled.days):
        compiled.step()
        reference.step()
        _assert_same(compiled, reference, day, day % 7 == 6 or day == compiled.days - 1)
    return compiled, reference, counts


def test_the_compiled_term_end_equals_its_numpy_reference_every_day(pair) -> None:
    """The whole run, compared after each day (in the fixture); TermEnd's compiled day was
    called, released people on a term's end with a ``released_term`` flow, and found its
    buffers full at least once (so that the comparison compared something)."""
    _, _, counts = pair
    assert counts["calls"] > 100
    assert counts["released"] > 0
    assert counts["released_term"] > 0
    assert counts["grows"] > 0


def test_the_compiled_release_equals_the_python_release(pair) -> None:
    """Camp prisoners, prisoners awaiting the etap and people under investigation released
    by ``core_kernels.end_custody`` and by ``Transitions.release_reference`` leave the same
    state."""
    compiled, reference, _ = pair
    day = compiled.days - 1
    cases = compiled.world.cases
    camp = np.flatnonzero(cases.status == Status.CAMP)
    held = camp[cases.has(HOLDING, camp)]
    pretrial = np.flatnonzero(
        (cases.status == Status.INVESTIGATION) | (cases.status == Status.AWAITING_SENTENCE)
    )
    idx = np.concatenate([camp[~cases.has(HOLDING, camp)][:40], held[:9], pretrial[:30]])
    idx = np.random.default_rng(4).permutation(idx).astype(np.int64)
    assert len(idx) > 40
    for e in (compiled.engine, reference.engine):
        e._changed = []
    holder = compiled.engine.core
    left = GF["left_holding"]
    assert holder.call(lambda core, d: end_custody(core, d, idx, False, left), day) == 1
    reference.engine.release_reference(day, idx)
    _assert_same(compiled, reference, day)
    assert compiled.world.camps.slots.i[slots.CHANGED] == 0


def _mix(cases, seed: int, n_camp: int, n_held: int, n_pretrial: int) -> np.ndarray:
    """Camp prisoners, prisoners awaiting the etap and people under investigation or awaiting
    sentence, shuffled."""
    camp = np.flatnonzero(cases.status == Status.CAMP)
    held = camp[cases.has(HOLDING, camp)]
    pretrial = np.flatnonzero(
        (cases.status == Status.INVESTIGATION) | (cases.status == Status.AWAITING_SENTENCE)
    )
    idx = np.concatenate(
        [camp[~cases.has(HOLDING, camp)][:n_camp], held[:n_held], pretrial[:n_pretrial]]
    )
    return np.random.default_rng(seed).permutation(idx).astype(np.int64)


def test_the_compiled_die_in_custody_equals_the_python_one(pair) -> None:
    """Deaths in custody of camp prisoners, prisoners awaiting the etap (counted as the
    default ``left_holding`` flow, then as ``died_holding``) and people under investigation,
    by ``core_kernels.end_custody`` and by ``Transitions.die_in_custody_reference``: the same state,
    ledger cells, flows, slots and changed record."""
    compiled, reference, _ = pair
    day = compiled.days - 2
    for e in (compiled.engine, reference.engine):
        e._changed = []
    holder = compiled.engine.core
    cases = compiled.world.cases
    before = (
        compiled.engine.ledger.gulag[day].copy(),
        compiled.world.camps.hold_n,
        compiled.world.camps.n,
        compiled.world.camps.pretrial_w,
    )
    for seed, flow, sizes in ((5, "left_holding", (40, 7, 30)), (6, "died_holding", (0, 6, 0))):
        idx = _mix(cases, seed, *sizes)
        assert len(idx) >= sum(sizes) - 10 and np.any(cases.has(HOLDING, idx))
        code = GF[flow]
        assert (
            holder.call(lambda core, d, i=idx, c=code: end_custody(core, d, i, True, c), day) == 1
        )
        reference.engine.die_in_custody_reference(day, idx, flow)
        assert np.all(cases.status[idx] == Status.DIED_IN_CUSTODY)
        _assert_same(compiled, reference, day)
    gulag, hold_n, camp_n, pretrial_w = before
    after = compiled.engine.ledger.gulag[day]
    for flow in ("left_holding", "died_holding"):  # (so that the comparison compared something)
        assert after[GF[flow]] > gulag[GF[flow]], flow
    assert compiled.world.camps.hold_n < hold_n and compiled.world.camps.n < camp_n
    assert compiled.world.camps.pretrial_w < pretrial_w
    assert end_custody(holder.core, day, idx[:0], True, GF["left_holding"]) == 0


def test_the_compiled_calendar_equals_the_python_calendar(pair) -> None:
    """``add_kind`` and ``take_kind`` on a kind's code do what ``Calendar.add`` and ``take``
    do on its name, including a batch too large for the entries (then "full")."""
    compiled, reference, _ = pair
    rng = np.random.default_rng(9)
    core = compiled.engine.core
    code = KIND["family"]
    day = compiled.days - 20
    full = compiled.engine.calendar._entries.shape[1] + 1
    for size in (3, 70, full):
        idx = rng.integers(0, 10_000, size=size).astype(np.int64)
        due = rng.integers(0, 10, size=size).astype(np.int64)
        if not add_kind(core.core, code, idx, due, day):
            assert size == full
            compiled.engine.calendar._room(size)  # refreshes the core (``on_grow``)
            assert add_kind(core.core, code, idx, due, day)
        reference.engine.calendar.add("family", idx, due, day)
    _assert_same(compiled, reference, day)
    for d in range(day, compiled.days):
        got = take_kind(core.core, code, d)
        assert got.tolist() == reference.engine.calendar.take("family", d).tolist()
    _assert_same(compiled, reference, day)
