"""The compiled transitions (arrest, release, death in custody) against their NumPy code.

Two runs of one scenario, seed and population go day by day side by side: one as a run goes,
where ``Engine.arrest``, ``release`` and ``die_in_custody`` are compiled calls on the core
(``arrest_kernel.arrest_core``, ``core_kernels.end_custody``), the other with the NumPy code
they replaced (``engine_reference.arrest_reference``, ``Transitions.release_reference``,
``die_in_custody_reference``) put in their place on its engine, so that every component that
arrests, releases or kills in custody goes through it. The compiled run's ledger and changed
buffers start small and its calendar is cut to the entries in use every day, so that the
compiled arrest finds each full and returns "full" before it draws. After every day the state
must be equal bit for bit (tests/core_lockstep.py), and the arrests' count, Order 00447's
arrests per region and the ``duration`` stream with it.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from core_lockstep import assert_same, bits, count_calls, count_full

import greatterror as gt
from greatterror.model.arrest_kernel import arrest_core
from greatterror.model.case_flags import HOLDING
from greatterror.model.engine_reference import arrest_reference
from greatterror.vocabulary import OP, Status

SCALE, SEED = 0.003, 1


def _reference(e) -> None:
    """Put the NumPy transitions in the place of the compiled ones on engine ``e``."""
    e.arrest = functools.partial(arrest_reference, e)
    e.release = e.release_reference
    e.die_in_custody = e.die_in_custody_reference


def _count_calls(holder) -> dict[str, int]:
    """Count the compiled arrests (``core_lockstep.count_calls``): their calls, the people
    arrested, those taken from prisoners awaiting the etap, Order 00447's, and the growths."""
    counts = {"arrested": 0, "held_taken": 0, "kulak": 0}
    flags = holder.engine.world.cases.flags

    def observe(call, day, *args):
        idx = args[0]
        held = int(np.count_nonzero(flags[idx] & HOLDING))
        done = call(arrest_core, day, *args)
        counts["arrested"] += done
        counts["held_taken"] += held - int(np.count_nonzero(flags[idx] & HOLDING))
        counts["kulak"] += done * (args[2] == OP["kulak_00447"])
        return done

    return count_calls(holder, arrest_core, counts, observe)


@pytest.fixture(scope="module")
def pair():
    compiled = gt.Sim("historical", scale=SCALE, seed=SEED).engine
    reference = gt.Sim("historical", scale=SCALE, seed=SEED).engine
    _reference(reference.engine)
    holder, ledger = compiled.engine.core, compiled.engine.ledger
    # small compiled buffers, so that the compiled calls find them full and they grow
    ledger.rows, ledger.row_region = ledger.rows[:2].copy(), ledger.row_region[:3].copy()
    ledger.row_op, ledger.row_weight = ledger.row_op[:3].copy(), ledger.row_weight[:3].copy()
    holder.changed = holder.changed[:4].copy()
    holder.refresh()
    full = count_full(holder, arrest_core)
    counts = _count_calls(holder)
    ea, eb = compiled.engine, reference.engine
    cal = compiled.engine.calendar
    for day in range(compiled.days):
        # the calendar's entries cut to those ever used, every day: it doubles when it grows,
        # so Python's adds would otherwise keep it ahead of the compiled arrest's needs
        cal._entries = cal._entries[:, : max(int(cal._state[0]), 1)].copy()
        holder.refresh()
        compiled.step()
        reference.step()
        assert_same(compiled, reference, day, day % 7 == 6 or day == compiled.days - 1,
                    streams=("duration",), scratch=True)  # fmt: skip
        assert ea.arrests == eb.arrests, day
        inst_a, inst_b = compiled.world.institutions, reference.world.institutions
        assert bits(inst_a.arrested_00447) == bits(inst_b.arrested_00447), day
    return compiled, reference, counts | {f"full_{k}": v for k, v in full.items()}


def test_the_compiled_transitions_equal_their_numpy_code_every_day(pair) -> None:
    """The whole run, compared after each day (in the fixture); the compiled arrest was
    called, arrested Order 00447's cases and prisoners awaiting the etap, and found its
    buffers full at least once (so that the comparison compared something), the calendar
    among them: its return without room is then known to leave stream ``duration`` alone."""
    compiled, _, counts = pair
    assert counts["calls"] > 1000
    assert counts["arrested"] == compiled.engine.arrests > 1000
    assert counts["kulak"] > 0
    assert counts["grows"] > 0
    assert counts["full_full"] > 0
    assert counts["full_calendar"] > 0


def test_the_compiled_arrest_takes_camp_prisoners_as_the_numpy_code() -> None:
    """Prisoners in a camp and awaiting the etap in a prison, people at liberty, the
    unarrestable and repeats, arrested for Order 00447 with a region's camp prisoners allowed
    (the Gulag's ``left_holding`` and ``taken_for_case`` flows, the camp and holding counts,
    ``arrested_00447``), by the compiled ``Engine.arrest`` and by its NumPy code, on the same
    state (two runs to a day when many await the etap), leave the same state."""
    compiled = gt.Sim("historical", scale=SCALE, seed=SEED).engine
    reference = gt.Sim("historical", scale=SCALE, seed=SEED).engine
    _reference(reference.engine)
    day = 0
    while compiled.world.camps.hold_n < 200:
        compiled.step()
        reference.step()
        day += 1
    assert_same(compiled, reference, day)
    cases, region = compiled.world.cases, compiled.engine.region
    camp = np.flatnonzero(cases.status == Status.CAMP)
    held = camp[cases.has(HOLDING, camp)]
    home = int(np.bincount(region[held]).argmax())  # the region with the most awaiting the etap
    camp = camp[region[camp] == home]
    held = camp[cases.has(HOLDING, camp)]
    free = np.flatnonzero(cases.status == Status.FREE)[::997][:40]
    barred = compiled.engine.unarrestable[:3]
    idx = np.concatenate([camp[~cases.has(HOLDING, camp)][:30], held[:9], free, barred, free[:5]])
    idx = np.random.default_rng(4).permutation(idx).astype(np.int64)
    assert len(held) > 0 and len(idx) > 60
    for e in (compiled.engine, reference.engine):
        e._changed = []
    got = compiled.engine.arrest(day, idx, "kulak_00447", True, camps_region=home)
    want = reference.engine.arrest(day, idx, "kulak_00447", True, camps_region=home)
    assert got.tolist() == want.tolist()
    assert len(got) > 40 and not np.isin(barred, got).any()
    assert_same(compiled, reference, day, streams=("duration",))
    assert compiled.engine.arrests == reference.engine.arrests
    assert bits(compiled.world.institutions.arrested_00447) == bits(
        reference.world.institutions.arrested_00447
    )
