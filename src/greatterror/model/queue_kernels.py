"""The queues (``state.Queue``) from compiled code: read, push, pop on the core (model/core.py).

Every queue the steps use is a numbered entry of the core (``slots.Q_*``): its buffer the
core's field ``queue{k}`` (the same array as ``Queue._buf``; ``queue_buf``), its head, tail, need and whether it
keeps a weight the int slots from ``QUEUES + QUEUE_SLOTS * k``, its weight the float slot
``QUEUE_W + k``. ``Queue`` reads and writes the same slots (properties), so a push made here
is one Python sees, and the other way round.

A kernel never grows a buffer: it checks ``queue_room`` before its first write (as ``room``
and ``calendar_room``, model/core_kernels.py); without room the need is put in the queue's
``QNEED`` slot and the kernel returns -1; ``CoreHolder.grow`` then calls ``Queue.reserve``
(the growth ``Queue.push`` makes, to the same size) and the core gets the new buffer.

A weighed queue's weight moves by NumPy's sum of the weights pushed or popped
(``pairwise_sum``, bit for bit ``float(weigh(idx).sum())``; ``weigh`` is ``Engine.weights``),
and is 0.0 once the queue is empty, as ``Queue.pop`` makes it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.model.pairwise import pairwise_sum
from greatterror.model.slots import HEAD, QNEED, QUEUE_SLOTS, QUEUE_W, QUEUES, TAIL, WEIGHED


@njit(cache=True, **NO_CFUNC_WRAPPER)
def queue_buf(core, k):  # pragma: no cover - compiled
    """Queue ``k``'s buffer (the core's field ``queue{k}``)."""
    if k == 0:
        return core.queue0
    if k == 1:
        return core.queue1
    if k == 2:
        return core.queue2
    if k == 3:
        return core.queue3
    if k == 4:
        return core.queue4
    if k == 5:
        return core.queue5
    if k == 6:
        return core.queue6
    if k == 7:
        return core.queue7
    if k == 8:
        return core.queue8
    return core.queue9


@njit(cache=True, **NO_CFUNC_WRAPPER)
def queue_len(core, k):  # pragma: no cover - compiled
    """``len(queue)`` of queue ``k``."""
    at = QUEUES + QUEUE_SLOTS * k
    return core.is_[at + TAIL] - core.is_[at + HEAD]


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def queue_room(core, k, n):  # pragma: no cover - compiled
    """Whether queue ``k`` has room for ``n`` more after its tail; if not, ``n`` is put in
    its ``QNEED`` slot (``CoreHolder.grow`` reserves it)."""
    at = QUEUES + QUEUE_SLOTS * k
    if core.is_[at + TAIL] + n <= queue_buf(core, k).shape[0]:
        return True
    core.is_[at + QNEED] = n
    return False


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def _weight_sum(core, idx):  # pragma: no cover - compiled
    """``float(Engine.weights(idx).sum())``: NumPy's sum bit for bit (model/pairwise.py)."""
    n = idx.shape[0]
    weight = np.empty(n, dtype=np.float64)
    for i in range(n):
        weight[i] = core.weight_of_layer[np.int64(core.is_elite[idx[i]])]
    return pairwise_sum(weight, np.int64(0), np.int64(n))


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def queue_push(core, k, idx):  # pragma: no cover - compiled
    """``Queue.push(idx)`` of queue ``k`` (room checked by the caller: ``queue_room``)."""
    n = idx.shape[0]
    if n == 0:
        return
    at = QUEUES + QUEUE_SLOTS * k
    buf = queue_buf(core, k)
    tail = core.is_[at + TAIL]
    for i in range(n):
        buf[tail + i] = idx[i]
    core.is_[at + TAIL] = tail + n
    if core.is_[at + WEIGHED]:
        core.fs[QUEUE_W + k] += _weight_sum(core, idx)


@njit(cache=True, **NO_CFUNC_WRAPPER)
def queue_peek(core, k, n):  # pragma: no cover - compiled
    """``Queue.peek(n)`` of queue ``k`` (``n`` < 0: all): a view of its first ``n``."""
    at = QUEUES + QUEUE_SLOTS * k
    head, tail = core.is_[at + HEAD], core.is_[at + TAIL]
    end = tail if n < 0 else min(head + n, tail)
    return queue_buf(core, k)[head:end]


@njit(cache=True, **NO_CFUNC_WRAPPER)
def queue_pop(core, k, n):  # pragma: no cover - compiled
    """``Queue.pop(n)`` of queue ``k``: its first ``n`` (fewer if it holds fewer), as int64."""
    at = QUEUES + QUEUE_SLOTS * k
    head, tail = core.is_[at + HEAD], core.is_[at + TAIL]
    m = min(max(n, 0), tail - head)
    buf = queue_buf(core, k)
    out = np.empty(m, dtype=np.int64)
    for i in range(m):
        out[i] = buf[head + i]
    core.is_[at + HEAD] = head + m
    if core.is_[at + WEIGHED]:
        if head + m == tail:
            core.fs[QUEUE_W + k] = 0.0
        else:
            core.fs[QUEUE_W + k] -= _weight_sum(core, out)
    return out
