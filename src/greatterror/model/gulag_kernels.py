"""The Gulag components' days as compiled calls on the compiled core (model/core.py).

``transit_deaths_day`` is the deaths on the etap and the reception's draw
(``steps_transit.transit_deaths``, held equal
to ``steps_transit.transit_deaths_reference`` by tests/test_core_transit_deaths.py).
``camp_deaths_day`` is the camps' daily deaths (``steps_gulag.camp_deaths``, held equal to
``steps_gulag.camp_deaths_reference`` by tests/test_core_camp_deaths.py). ``term_end_day`` is
TermEnd's daily work (model/steps_gulag.py): its rule is the
component's docstring, and ``steps_gulag.term_end_reference`` the same rule in NumPy (the
code this replaced), which tests/test_core_term_end.py runs beside it on copies of one run's
state and requires equal bit for bit.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from greatterror.model.calendar import KIND
from greatterror.model.case_flags import COLONY, HOLDING
from greatterror.model.core_kernels import (
    add_kind,
    calendar_room,
    die_in_custody_core,
    due_count,
    release_core,
    room,
    take_kind,
)
from greatterror.model.gulag import GF
from greatterror.model.kernels import distinct_sorted_body, first_distinct_body
from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.model.pairwise import pairwise_sum
from greatterror.model.queue_kernels import queue_buf
from greatterror.model.sentence_events import _SHIFT
from greatterror.model.slots import (
    CAMPS_N,
    COLONY_KEPT,
    DEATH_P,
    HEAD,
    PENDING,
    Q_ROLL,
    QUEUE_SLOTS,
    QUEUES,
    RECEPTION_DELAY_P,
    RECEPTION_P,
    TAIL,
    TRANSIT_P,
)
from greatterror.model.stream_pointers import (
    binomial,
    fill_random,
    geometric,
    integers,
    stream_code,
)
from greatterror.vocabulary import Status

_TERM_END = KIND["term_end"]
_CAMP = int(Status.CAMP)
_RELEASED_TERM = GF["released_term"]
_LEFT_HOLDING = GF["left_holding"]
_DIED_CAMP = GF["died_camp"]
_DIED_COLONY = GF["died_colony"]
_DIED_TRANSIT = GF["died_transit"]
_GULAG = stream_code("gulag")
_COLONY_DEATHS = stream_code("colony_deaths")
_RECEPTION = stream_code("reception")
_EXHAUSTED_DEATH = KIND["exhausted_death"]
#: the camp roll's head and tail slots (queue ``Q_ROLL``, model/queue_kernels.py)
_ROLL_HEAD = QUEUES + QUEUE_SLOTS * Q_ROLL + HEAD
_ROLL_TAIL = QUEUES + QUEUE_SLOTS * Q_ROLL + TAIL


@njit(cache=True, **NO_CFUNC_WRAPPER)
def term_end_day(core, day):  # pragma: no cover - compiled
    """TermEnd's day: the people due for ``term_end`` who are still in a camp (or awaiting
    the etap) on the term that ends today are released; the weight of those already in a
    camp (not awaiting the etap, read before the release) is the day's ``released_term``
    flow. Returns -1 if a buffer is full (nothing changed; slot ``NEED`` says how much
    room), 1 if someone was due, 0 if no one (``CoreHolder.call``)."""
    if core.cal_marks[_TERM_END, day] == 0:
        return 0
    if not room(core, due_count(core, _TERM_END, day)):
        return -1
    due = take_kind(core, _TERM_END, day)
    n = due.shape[0]
    if n == 0:
        return 0
    keep = np.empty(n, dtype=np.int64)
    k = np.int64(0)  # not ``0``: no literal signatures of the callees (model/pairwise.py)
    for i in range(n):
        p = due[i]
        if core.status[p] == _CAMP and core.release_day[p] == day:
            keep[k] = p
            k += 1
    idx = keep[:k].copy()
    # those already in a camp (not awaiting the etap), read before the release
    in_camp_w = np.empty(k, dtype=np.float64)
    m = np.int64(0)
    for i in range(k):
        p = idx[i]
        if (core.flags[p] & HOLDING) == 0:
            in_camp_w[m] = core.weight_of_layer[np.int64(core.is_elite[p])]
            m += 1
    release_core(core, day, idx)
    core.gulag[day, _RELEASED_TERM] += pairwise_sum(in_camp_w, np.int64(0), m)
    return 1


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _weights(core, idx):  # pragma: no cover - compiled
    """``Transitions.weights(idx)``: the weights of ``idx`` (mass weight, elite rows 1)."""
    out = np.empty(idx.shape[0], dtype=np.float64)
    for i in range(idx.shape[0]):
        out[i] = core.weight_of_layer[np.int64(core.is_elite[idx[i]])]
    return out


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def _camp_sample(core, n):  # pragma: no cover - compiled
    """``steps_gulag.camp_sample(w, n, rng)`` on stream ``gulag``: up to ``n`` distinct current
    camp prisoners by rejection from the camp roll (queue ``Q_ROLL``), compacted first (in its
    buffer, from its head; its tail slot moved) when fewer than half of its entries are in a
    camp. The roll keeps no weight, so the compaction has none to move."""
    roll = queue_buf(core, np.int64(Q_ROLL))
    head, tail = core.is_[_ROLL_HEAD], core.is_[_ROLL_TAIL]
    if tail - head == 0:
        return np.empty(0, dtype=np.int64)
    if core.is_[CAMPS_N] < (tail - head) // 2:
        keep = np.empty(tail - head, dtype=np.int64)
        k = 0
        for j in range(head, tail):
            if core.status[roll[j]] == _CAMP:
                keep[k] = roll[j]
                k += 1
        kept = distinct_sorted_body(keep[:k])
        for j in range(kept.shape[0]):
            roll[head + j] = kept[j]
        tail = head + kept.shape[0]
        core.is_[_ROLL_TAIL] = tail
    size = tail - head
    m = 3 * n + 8
    pick = np.empty(m, dtype=np.int64)
    k = 0
    for _ in range(m):
        p = np.int64(roll[head + integers(core.streams, _GULAG, 0, size)])
        # (every draw is made, as NumPy's one call of ``size`` draws makes them)
        if core.status[p] == _CAMP and (core.flags[p] & HOLDING) == 0:
            pick[k] = p
            k += 1
    return first_distinct_body(pick[:k], n)


@njit(cache=True, **NO_CFUNC_WRAPPER)
def camp_deaths_day(core, day):  # pragma: no cover - compiled
    """The camps' deaths of the day (``steps_gulag.camp_deaths``, after its Python part, which
    puts the day's death probability in slot ``DEATH_P`` and a drawn colony prisoner's in
    ``COLONY_KEPT``): the count, binomial over the camps' people on stream ``gulag``; those drawn (``_camp_sample``); the
    colonies' thinning on stream ``colony_deaths``; their death in custody and the
    ``died_camp``/``died_colony`` flows. Returns 0 if no one was drawn, -1 if a buffer is full
    (the count is kept in slot ``PENDING``, and the second call uses it: nothing else was
    drawn or changed), else 1 (``CoreHolder.call``)."""
    n = core.is_[PENDING]
    if n == 0:
        n = binomial(core.streams, _GULAG, core.is_[CAMPS_N], core.fs[DEATH_P])
        if n == 0:
            return 0
    if not room(core, n):  # (no more die than are drawn)
        core.is_[PENDING] = n
        return -1
    core.is_[PENDING] = 0
    drawn = _camp_sample(core, n)
    u = np.empty(drawn.shape[0], dtype=np.float64)
    fill_random(core.streams, _COLONY_DEATHS, u)
    kept = core.fs[COLONY_KEPT]
    died = np.empty(drawn.shape[0], dtype=np.int64)
    k = 0
    for i in range(drawn.shape[0]):
        if not ((core.flags[drawn[i]] & COLONY) != 0 and u[i] >= kept):
            died[k] = drawn[i]
            k += 1
    died = died[:k]
    die_in_custody_core(core, day, died, np.int64(_LEFT_HOLDING))
    weight = _weights(core, died)
    core.gulag[day, _DIED_CAMP] += pairwise_sum(weight, np.int64(0), np.int64(k))
    colony_w = np.empty(k, dtype=np.float64)
    c = np.int64(0)
    for i in range(k):
        if (core.flags[died[i]] & COLONY) != 0:
            colony_w[c] = weight[i]
            c += 1
    core.gulag[day, _DIED_COLONY] += pairwise_sum(colony_w, np.int64(0), c)
    return 1


@njit(cache=True, **NO_CFUNC_WRAPPER)
def transit_deaths_day(core, day, new):  # pragma: no cover - compiled
    """The deaths on the etap of the day and the camps' reception of those who arrive
    (``steps_transit.transit_deaths`` and ``reception.reception_deaths_reference``, after their Python
    part, which puts the day's transit death probability, at most 1, in slot ``TRANSIT_P``,
    the reception's in ``RECEPTION_P`` and its delay's parameter in ``RECEPTION_DELAY_P``).

    Of today's arrivals ``new`` those still in a camp each take one draw on stream ``gulag``
    (as ``Generator.random(len)``), and one not in a colony whose draw is below the
    probability dies in custody; their weight is the ``died_transit`` flow. Those who
    arrive, if any, take one draw each on stream ``reception``, then a geometric delay each
    (all the draws first, as NumPy's two calls make them); one not in a colony whose draw is
    below ``RECEPTION_P`` is scheduled for ``exhausted_death`` on his current sentence
    (``sentence_events.stamp``) after his delay. Returns 1, or -1 if a buffer is full
    (checked for all of ``new`` before any draw: nothing drawn or changed;
    ``CoreHolder.call``)."""
    n = new.shape[0]
    if not (room(core, n) & calendar_room(core, n)):  # (both: both needs set)
        return -1
    keep = np.empty(n, dtype=np.int64)
    k = 0
    for i in range(n):
        if core.status[new[i]] == _CAMP:
            keep[k] = new[i]
            k += 1
    u = np.empty(k, dtype=np.float64)
    fill_random(core.streams, _GULAG, u)
    p = core.fs[TRANSIT_P]
    died = np.empty(k, dtype=np.int64)
    arrived = np.empty(k, dtype=np.int64)
    d = 0
    a = 0
    for i in range(k):
        q = keep[i]
        if u[i] < p and (core.flags[q] & COLONY) == 0:
            died[d] = q
            d += 1
        else:
            arrived[a] = q
            a += 1
    died = died[:d]
    die_in_custody_core(core, day, died, np.int64(_LEFT_HOLDING))
    weight = _weights(core, died)
    core.gulag[day, _DIED_TRANSIT] += pairwise_sum(weight, np.int64(0), np.int64(d))
    if a == 0:
        return 1
    r = np.empty(a, dtype=np.float64)
    fill_random(core.streams, _RECEPTION, r)
    delays = np.empty(a, dtype=np.int64)
    g = core.fs[RECEPTION_DELAY_P]
    for i in range(a):
        delays[i] = geometric(core.streams, _RECEPTION, g)
    weak = core.fs[RECEPTION_P]
    entries = np.empty(a, dtype=np.int64)
    due = np.empty(a, dtype=np.int64)
    w = 0
    for i in range(a):
        q = arrived[i]
        if r[i] < weak and (core.flags[q] & COLONY) == 0:
            entries[w] = q | ((np.int64(core.sentence_day[q]) + 1) << _SHIFT)
            due[w] = delays[i]
            w += 1
    add_kind(core, np.int64(_EXHAUSTED_DEATH), entries[:w], due[:w], np.int64(day))
    return 1
