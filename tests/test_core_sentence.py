"""The compiled sentence (``sentence_kernels.sentence_core``, behind ``Transitions.sentence``)
against its NumPy reference (``Transitions.sentence_reference``, the code replaced), bit for bit.

Two runs of one scenario, seed and population go side by side over a whole run, the second
passing every sentence in NumPy; the first's changed buffer is made too small at the start,
so that the kernel finds a buffer full and is called again, and the holding queue grows
through compiled pushes. After every day the slots, the Gulag flows, every queue, the
calendar, the changed record and the streams the sentence draws from (``execution``,
``term``, ``transfer``) must be equal, and weekly every case array and ledger cell. The run
passes death, camp, exile and other sentences, and after the halt sentences again many whose
sentence was void (not counted twice: the executions' mean delay is raised so that many are
pending at the halt).
"""

from __future__ import annotations

import numpy as np
import pytest
from core_lockstep import assert_same, count_full

import greatterror as gt
from greatterror.model import slots
from greatterror.model.core import CoreHolder
from greatterror.model.sentence_kernels import sentence_core
from greatterror.vocabulary import EV

SCALE, SEED = 0.001, 1
#: a mean delay of executions far above the fitted one: many death sentences still pending,
#: and void, at the halt, and sentenced again after it
EXECUTION_DELAY = 60.0
KINDS = ("convicted_cat1", "convicted_camp", "convicted_exile", "convicted_other")


@pytest.fixture(scope="module")
def pair():
    compiled = gt.Sim("historical", scale=SCALE, seed=SEED).engine
    reference = gt.Sim("historical", scale=SCALE, seed=SEED).engine
    reference.engine.sentence = reference.engine.sentence_reference  # (NumPy, every caller)
    for sim in (compiled, reference):
        sim.engine._changed = []
        sim.engine.params["execution_delay"] = EXECUTION_DELAY
    again = []
    void_again = reference.engine._void_again

    def counting_again(idx):  # the void sentences passed again, counted in the reference
        out = void_again(idx)
        again.append(0 if out is None else int(out.sum()))
        return out

    reference.engine._void_again = counting_again
    holder = compiled.engine.core
    holder.changed = np.empty(1, dtype=np.int64)  # full at the first sentence
    holder.refresh()
    grown, calls = 0, []
    call = CoreHolder.call

    def counting(self, kernel, day, *args):  # the compiled sentences' calls, counted
        calls.append(getattr(kernel, "__name__", ""))
        return call(self, kernel, day, *args)

    holder.call = counting.__get__(holder)
    full = count_full(holder, sentence_core)
    buf = compiled.world.camps.holding._buf
    cal = compiled.engine.calendar
    for day in range(compiled.engine.days):
        # the calendar's entries cut to those ever used, every day: it doubles when it grows,
        # so Python's adds would otherwise keep it ahead of the compiled sentence's needs
        cal._entries = cal._entries[:, : max(int(cal._state[0]), 1)].copy()
        holder.refresh()
        compiled.step()
        reference.step()
        if compiled.world.camps.holding._buf is not buf:
            grown, buf = grown + 1, compiled.world.camps.holding._buf
        last = day == compiled.engine.days - 1
        assert_same(
            compiled, reference, day, day % 7 == 6 or last, ("execution", "term", "transfer")
        )
        compiled.engine._changed.clear()
        reference.engine._changed.clear()
    return compiled, grown, calls, sum(again), full


def test_the_compiled_sentence_equals_its_numpy_reference_every_day(pair) -> None:
    """Compared after each day in the fixture; every kind of sentence passed, void sentences
    passed again, the changed buffer and the holding queue grown, and the compiled sentence
    found the calendar and the holding queue full (its returns without room, then known to
    leave the streams alone)."""
    compiled, grown, calls, again, full = pair
    ledger = compiled.engine.ledger
    counts = ledger.counts.reshape(ledger.shape)  # days, regions, operations, events
    for kind in KINDS:
        assert counts[..., EV[kind]].sum() > 0, kind
    assert calls.count("sentence_core") > 1000
    assert compiled.engine.voided and again > 10
    assert grown > 0
    assert full["calendar"] > 0
    assert full[f"queue{slots.Q_HOLDING}"] > 0
    assert len(compiled.engine.core.changed) > 1
