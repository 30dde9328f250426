"""One comparison of two runs' state, bit for bit, for the compiled core's lockstep tests.

tests/test_core_term_end.py, test_core_camp_deaths.py, test_core_transit_deaths.py and
test_core_sentence.py each run a compiled component and its NumPy reference side by side and
compare, after every day, what either may have changed: the case arrays, the ledger (its cells,
or the day's rows), the run's slots, the Gulag flows and stocks, the calendar, every queue
(the camp roll, the holding queue, the channels' backlogs...), the changed-status record and
the named streams the component draws from. ``count_calls`` and ``count_full`` wrap a
holder's calls to count what a compiled component did, and its returns without room.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from greatterror.model import slots
from greatterror.model.core import queues_of

CASE_ARRAYS = ("status", "op", "arrest_day", "sentence_day", "flags", "arrests",
               "release_day", "line", "returned")  # fmt: skip
LEDGER_ARRAYS = ("gulag", "stock", "held", "hunger", "prisons", "holding")


def bits(a: Any) -> bytes:
    return np.ascontiguousarray(a).tobytes()


def count_calls(
    holder: Any, kernel: Any, counts: dict[str, Any], observe: Callable[..., int]
) -> dict[str, Any]:
    """Wrap ``holder.call`` and ``holder.grow`` (on the instance) to count a compiled
    component's calls and the buffers' growths (``counts["calls"]``, ``counts["grows"]``):
    every call of ``kernel`` is made by ``observe(call, day, *args)``, which makes it through
    ``call`` (the holder's) and adds to ``counts`` what it measured around it."""
    counts.update(calls=0, grows=0)
    call, grow = holder.call, holder.grow

    def counted_call(called: Any, day: int, *args: Any) -> int:
        if called is not kernel:
            return call(called, day, *args)
        counts["calls"] += 1
        return observe(call, day, *args)

    def counted_grow() -> None:
        counts["grows"] += 1
        grow()

    holder.call, holder.grow = counted_call, counted_grow
    return counts


def count_full(holder: Any, kernel: Any) -> dict[str, int]:
    """Wrap ``holder.call`` (on the instance) to count the calls of ``kernel`` that returned
    "full" (-1) by the need each set: ``calendar`` (slot ``CALENDAR_NEED``), ``queue{k}``
    (queue k's ``QNEED`` slot) and ``full`` (all of them). ``CoreHolder.call`` grows and calls
    again, so these returns are seen only here: a test that requires them knows that the
    kernel's path without room ran (and that the lockstep found it left the streams alone)."""
    counts = {"full": 0, "calendar": 0} | {f"queue{k}": 0 for k in range(slots.N_QUEUES)}
    call, si = holder.call, holder.slots.i

    def watched(core: Any, day: int, *args: Any) -> int:
        done = kernel(core, day, *args)
        if done < 0:
            counts["full"] += 1
            counts["calendar"] += si[slots.CALENDAR_NEED] > 0
            for k in range(slots.N_QUEUES):
                at = slots.QUEUES + slots.QUEUE_SLOTS * k + slots.QNEED
                counts[f"queue{k}"] += si[at] > 0
        return done

    watched.__name__ = kernel.__name__

    def counted_call(called: Any, day: int, *args: Any) -> int:
        return call(watched if called is kernel else called, day, *args)

    holder.call = counted_call
    return counts


def assert_same(
    a: Any,
    b: Any,
    day: int,
    full: bool = True,
    streams: Iterable[str] = (),
    scratch: bool = False,
) -> None:
    """Every slot, Gulag flow, calendar list, roll entry and changed record of two
    simulations, the states of ``streams``, and with ``full`` every case array and ledger
    cell (a difference there persists: the daily tests compare them weekly and on the last
    day); without ``full`` the ledger's rows of the day. ``scratch``: compare the float
    slots a compiled call's arguments use too (equal only when both runs compile the same
    components)."""
    ea, eb = a.engine, b.engine
    ca, cb = a.world.cases, b.world.cases
    la, lb = ea.ledger, eb.ledger
    if full:
        for name in CASE_ARRAYS:
            assert bits(getattr(ca, name)) == bits(getattr(cb, name)), (day, name)
        la._flush()  # (the compiled buffer's fill counts, slots, are then 0 again)
        lb._flush()
        assert bits(la._cells) == bits(lb._cells), day
        assert bits(la._values) == bits(lb._values), day
    else:
        la.note_compiled()  # the compiled rows of the day in the lists, as a flush would
        assert la._meta == [tuple(m) for m in lb._meta], day
        for name in ("_regions", "_ops", "_weights"):
            x, y = getattr(la, name), getattr(lb, name)
            if x or y:
                assert bits(np.concatenate(x[-8:]).astype(np.float64)) == bits(
                    np.concatenate(y[-8:]).astype(np.float64)
                ), (day, name)
    sa, sb = a.world.camps.slots, b.world.camps.slots
    floats = slots.FLOAT_SLOTS if scratch else slots.FLOAT_STATE
    assert bits(sa.f[:floats]) == bits(sb.f[:floats]), day
    # (slot NEED is what a kernel that returned "full" asked for: scratch, not state; the
    # ledger's fill counts are the compiled run's own until a flush)
    end = slots.NEED if full else slots.LEDGER_ROWS
    assert bits(sa.i[:end]) == bits(sb.i[:end]), day
    # the state after the scratch slots: ``ARRESTS``, and every queue's need and whether it
    # is weighed (its head and tail are places in its buffer, which the camp deaths' compaction
    # of the roll moves: its people and weight are compared below)
    assert sa.i[slots.ARRESTS] == sb.i[slots.ARRESTS], (day, "arrests")
    for k in range(slots.N_QUEUES):
        for at in (slots.QNEED, slots.WEIGHED):
            at += slots.QUEUES + slots.QUEUE_SLOTS * k
            assert sa.i[at] == sb.i[at], (day, "queue", k, at)
    assert la.slots is sa
    for name in LEDGER_ARRAYS:
        assert bits(getattr(la, name)) == bits(getattr(lb, name)), (day, name)
    ka, kb = ea.calendar, eb.calendar
    assert bits(ka.lists) == bits(kb.lists), day
    assert ka.marked == kb.marked and bits(ka.marks) == bits(kb.marks), day
    assert bits(ka._state) == bits(kb._state), day
    used = int(ka._state[0])
    assert bits(ka._entries[:, :used]) == bits(kb._entries[:, :used]), day
    assert (ea._changed is None) == (eb._changed is None), day
    if ea._changed is not None:
        assert [x.tolist() for x in ea._changed] == [x.tolist() for x in eb._changed], day
    assert bits(a.world.camps.roll.peek()) == bits(b.world.camps.roll.peek()), day
    # every queue compiled code reaches (model/queue_kernels.py): its people and its weight
    for k, (qa, qb) in enumerate(zip(queues_of(a.world), queues_of(b.world), strict=True)):
        assert bits(qa.peek()) == bits(qb.peek()), (day, "queue", k)
        assert bits(np.float64(qa.weight)) == bits(np.float64(qb.weight)), (day, "queue", k)
    for name in streams:
        x, y = getattr(ea.rng, name), getattr(eb.rng, name)
        assert x.bit_generator.state == y.bit_generator.state, (day, name)
