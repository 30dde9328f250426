"""The queues from compiled code (model/queue_kernels.py) against the Python ``Queue``
(model/state.py): the same contents, lengths and weights bit for bit, whichever side pushes
or pops, through the buffers' growth (a compiled push that finds its queue full returns -1,
``CoreHolder.grow`` reserves the room, and the call is made again)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from numba import njit

import greatterror as gt
from greatterror.model import slots
from greatterror.model.core import queues_of
from greatterror.model.queue_kernels import (
    queue_len,
    queue_peek,
    queue_pop,
    queue_push,
    queue_room,
)
from greatterror.model.state import Queue

SCALE, SEED = 0.001, 2


@njit(cache=False)
def _push(core, day, k, idx):  # pragma: no cover - compiled
    """A compiled day that pushes ``idx`` onto queue ``k``, its room checked first."""
    if not queue_room(core, k, idx.shape[0]):
        return -1
    queue_push(core, k, idx)
    return 1


@njit(cache=False)
def _pop(core, day, k, n, out):  # pragma: no cover - compiled
    """A compiled day that pops ``n`` of queue ``k`` into ``out``; how many it popped."""
    got = queue_pop(core, k, n)
    out[: got.shape[0]] = got
    return got.shape[0]


@njit(cache=False)
def _peek(core, k, n):  # pragma: no cover - compiled
    return queue_peek(core, k, n).copy(), queue_len(core, k)


@pytest.fixture(scope="module")
def engine():
    """A bound engine, a few days into a run, its mass weight made a fraction (as at
    1:333) so that a weight's sums and differences are rounded, not exact."""
    sim = gt.Sim("historical", scale=SCALE, seed=SEED).engine
    for _ in range(3):
        sim.step()
    assert np.shares_memory(sim.engine.weight_of_layer, sim.engine.layers.weight_of_layer)
    sim.engine.weight_of_layer[0] = 1000.0 / 3.0
    return sim.engine


def _assert_same(queue: Queue, reference: Queue, engine, k: int) -> None:
    assert len(queue) == len(reference)
    assert queue.peek().tolist() == reference.peek().tolist()
    assert np.float64(queue.weight).tobytes() == np.float64(reference.weight).tobytes()
    seen, n = _peek(engine.core.core, k, -1)
    assert n == len(reference) and seen.tolist() == reference.peek().tolist()


#: an operation: (push or pop, by compiled code or Python, how many, the first person)
_OPS = st.lists(
    st.tuples(st.booleans(), st.booleans(), st.integers(0, 1500), st.integers(0, 900)),
    max_size=25,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=_OPS, k=st.sampled_from([0, 5, slots.Q_HELD, slots.Q_HOLDING]))
# two pushes then one compiled pop of all: the weight must be 0.0, not their rounded difference
@example(ops=[(True, True, 10, 0), (True, False, 10, 50), (False, True, 30, 0)], k=slots.Q_HELD)
def test_compiled_pushes_and_pops_equal_the_python_queue(engine, ops, k) -> None:
    """Queue ``k`` of the run (the channels' and the held ones are weighed, the holding
    queue is not), pushed and popped in turn by compiled code and by Python, against a
    Python ``Queue`` of its own given the same operations."""
    queue = queues_of(engine.world)[k]
    queue.clear()
    reference = Queue(engine.weights if queue._weigh is not None else None)
    holder, people = engine.core, len(engine.world.cases.status)
    for push, compiled, n, first in ops:
        if push:
            idx = (np.arange(first, first + n, dtype=np.int64) * 7919) % people
            reference.push(idx)
            if compiled:
                holder.call(_push, 0, np.int64(k), idx)
            else:
                queue.push(idx)
        else:
            expected = reference.pop(min(n, len(reference)))
            if compiled:
                out = np.empty(n, dtype=np.int64)
                got = out[: holder.call(_pop, 0, np.int64(k), np.int64(n), out)]
            else:
                got = queue.pop(min(n, len(queue)))
            assert got.tolist() == expected.tolist()
        _assert_same(queue, reference, engine, k)
    assert holder.slots.is_[slots.QUEUES + slots.QUEUE_SLOTS * k + slots.QNEED] == 0
    queue.clear()


def test_a_full_queue_in_a_compiled_call_is_grown_and_the_call_made_again(engine) -> None:
    queue = engine.world.camps.holding
    queue.clear()
    size = len(queue._buf) + 1
    idx = np.arange(size, dtype=np.int64)
    assert _push(engine.core.core, 0, np.int64(slots.Q_HOLDING), idx) == -1
    assert len(queue) == 0  # nothing written
    assert engine.core.call(_push, 0, np.int64(slots.Q_HOLDING), idx) == 1
    assert len(queue._buf) >= size and queue.peek().tolist() == idx.tolist()
    queue.clear()


def test_the_check_can_fail(engine) -> None:
    """A compiled push that left the weight as it was is found out."""
    k = slots.Q_HELD
    queue = queues_of(engine.world)[k]
    queue.clear()
    reference = Queue(engine.weights)
    idx = np.arange(10, dtype=np.int64)
    reference.push(idx)
    engine.core.call(_push, 0, np.int64(k), idx)
    queue.weight = 0.0
    with pytest.raises(AssertionError):
        _assert_same(queue, reference, engine, k)
    queue.clear()
