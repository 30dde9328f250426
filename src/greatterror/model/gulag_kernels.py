"""The Gulag components' days as compiled calls on the compiled core (model/core.py).

``term_end_day`` is TermEnd's daily work (model/steps_gulag.py): its rule is the
component's docstring, and ``steps_gulag.term_end_reference`` the same rule in NumPy (the
code this replaced), which tests/test_core_term_end.py runs beside it on copies of one run's
state and requires equal bit for bit.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from greatterror.model.calendar import KIND
from greatterror.model.case_flags import HOLDING
from greatterror.model.core_kernels import due_count, release_core, room, take_kind
from greatterror.model.gulag import GF
from greatterror.model.pairwise import pairwise_sum
from greatterror.vocabulary import Status

_TERM_END = KIND["term_end"]
_CAMP = int(Status.CAMP)
_RELEASED_TERM = GF["released_term"]


@njit(cache=True)
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
