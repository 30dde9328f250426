"""The arrest transition as one compiled call on the compiled core (model/core.py).

``arrest_core`` is ``Engine.arrest``'s rule (model/engine.py), whichever step arrests: its NumPy
and property calls were spread over a dozen components, about 15 us a call in 6,000 calls
with someone to arrest in a warm 1:1,000 run (docs/performance-log.md, branch transk).
``Engine.arrest`` is now a thin wrapper around it (``CoreHolder.call``), and
``engine_reference.arrest_reference`` the NumPy code it replaced, which tests/test_core_arrest.py
runs beside it over a whole run and requires equal bit for bit.

Its steps, in the order of the NumPy code, so that every count, weight sum and draw is the
same: the unarrestable dropped (``Engine.arrestable``: a person of the sorted table barred
from a day on or before today); the cases opened (``flatcalls.open_cases_flat``); the arrest
counted (slot ``ARRESTS``, ``Engine.arrests``) and the people noted as changed; those taken
from a camp off the camp counts and everyone's weight onto ``Camps.pretrial_w``; of those,
the ones still in a prison awaiting the etap leave the holding stage (``left_holding``) and
are put back on the camp count, so that only the others count as ``taken_for_case`` in the
Gulag's flows; the ``arrested`` event in the ledger (``core_kernels.ledger_add``); with an
investigation, its length drawn per person from stream ``duration`` (Order 00447's cases an
Erlang of shape 3 plus 3 days, the others geometric; the parameter computed in Python, with
the rule's reasons, ``Engine.investigation_p``) and its end scheduled (``add_kind``); Order
00447's arrests added to ``Institutions.arrested_00447`` per region as ``np.bincount`` sums
them (in order, from 0, then added).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from greatterror.model.calendar import KIND
from greatterror.model.case_flags import HOLDING
from greatterror.model.core_kernels import (
    add_kind,
    calendar_room,
    leave_holding,
    ledger_add,
    room,
)
from greatterror.model.flatcalls import open_cases_flat_body
from greatterror.model.gulag import GF
from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.model.slots import (
    ARRESTS,
    CAMPS_N,
    CAMPS_W,
    CHANGED,
    PRETRIAL_W,
)
from greatterror.model.sorting import search_sorted
from greatterror.model.stream_pointers import geometric, negative_binomial, stream_code
from greatterror.vocabulary import EV, OP

_KULAK = OP["kulak_00447"]
_EV_ARRESTED = EV["arrested"]
_INVESTIGATION_END = KIND["investigation_end"]
_DURATION = stream_code("duration")
_LEFT_HOLDING = GF["left_holding"]
_TAKEN = GF["taken_for_case"]


@njit(cache=True, **NO_CFUNC_WRAPPER)
def set_unarrestable(core, people, since):  # pragma: no cover - compiled
    """Hand the unarrestable table (ascending, and the day each is barred from) to the core
    (``Engine.set_unarrestable``)."""
    core.unarrestable = people
    core.unarrestable_from = since


@njit(cache=True, **NO_CFUNC_WRAPPER)
def arrestable_mask(people, since, day, idx):  # pragma: no cover - compiled
    """``arrestable_mask_body`` for Python callers (``Engine.arrestable``); the compiled arrest
    calls the body (a kernel that cached kernels call is not called from Python too:
    docs/design/compiled-core.md, "Known problem")."""
    return arrestable_mask_body(people, since, day, idx)


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def arrestable_mask_body(people, since, day, idx):  # pragma: no cover - compiled
    """Which of ``idx`` no entry of the unarrestable table (``people`` ascending, each barred
    from day ``since`` on) bars on ``day``: the rule once, for ``Engine.arrestable`` and the
    compiled arrest (which reads the table from the core)."""
    n, m = idx.shape[0], people.shape[0]
    keep = np.empty(n, dtype=np.bool_)
    for i in range(n):
        p = idx[i]
        j = search_sorted(people, p)
        barred = False
        while j < m and people[j] == p:
            barred |= since[j] <= day
            j += 1
        keep[i] = not barred
    return keep


@njit(cache=True, **NO_CFUNC_WRAPPER)
def arrest_core(core, day, idx, out, code, allow_in_camp, camps_region, investigate, p):
    """``Engine.arrest(day, idx, op, allow_in_camp, investigate, camps_region)`` for the
    operation with ``code`` (``OP``); ``p`` the investigation length's parameter
    (``Engine.investigation_p``). The people arrested (distinct, ascending) are written to
    ``out[:n]`` (``len(out) >= len(idx)``); returns ``n``, or -1 if a buffer is full (room
    for all of ``idx`` checked before anything is written or drawn: nothing changed;
    ``CoreHolder.call``)."""
    n = idx.shape[0]
    full = not room(core, n)
    if investigate and not calendar_room(core, n):  # (both checked: both needs set)
        full = True
    if full:
        return -1
    if n == 0:
        return 0
    people = core.unarrestable
    lo, hi = idx[0], idx[0]
    for i in range(n):
        lo = min(lo, idx[i])
        hi = max(hi, idx[i])
    # only an arrest that reaches the rows from the first to the last unarrestable one can
    # take one of them (``Engine.arrest``)
    if people.shape[0] and lo <= people[people.shape[0] - 1] and hi >= people[0]:
        keep = arrestable_mask_body(core.unarrestable, core.unarrestable_from, np.int64(day), idx)
        take = np.empty(n, dtype=np.int64)  # (a loop: a boolean index is one more compilation)
        m = 0
        for i in range(n):
            if keep[i]:
                take[m] = idx[i]
                m += 1
        take = take[:m]
    else:
        take = idx[:n]
    opened, region, weight, left, left_w, total = open_cases_flat_body(
        take, core.status, core.op, core.arrest_day, core.sentence_day, core.flags,
        core.arrests, core.region, core.is_elite, core.weight_of_layer, np.int64(code),
        np.int64(day), allow_in_camp, np.int64(camps_region), core.line,
    )  # fmt: skip
    k = opened.shape[0]
    if k == 0:
        return 0
    core.is_[ARRESTS] += k
    c = core.is_[CHANGED]
    for i in range(k):
        out[i] = opened[i]
        core.changed[c + i] = opened[i]
    core.is_[CHANGED] = c + k
    if left:
        core.is_[CAMPS_N] -= left
        core.fs[CAMPS_W] -= left_w
    core.fs[PRETRIAL_W] += total  # np.sum(weight) bit for bit (model/pairwise.py)
    if allow_in_camp:  # those taken who were awaiting the etap were counted as leaving a camp
        held = np.empty(k, dtype=np.bool_)
        any_held = False
        for i in range(k):
            held[i] = (core.flags[opened[i]] & HOLDING) != 0
            any_held |= held[i]
        if any_held:
            held_w, held_n = leave_holding(core, day, opened, weight, held, np.int64(_LEFT_HOLDING))
            core.is_[CAMPS_N] += held_n
            core.fs[CAMPS_W] += held_w
            left_w -= held_w
    if left_w:  # the Gulag's flows close: a camp prisoner taken for a new case leaves it
        core.gulag[day, _TAKEN] += left_w
    ops = np.empty(k, dtype=np.uint8)  # (the case arrays' dtype: ledger_add's one signature)
    for i in range(k):
        ops[i] = code
    ledger_add(core, day, region, ops, np.int64(_EV_ARRESTED), weight)
    if investigate:
        delays = np.empty(k, dtype=np.int64)
        if code == _KULAK:  # Erlang with shape 3, plus 3 days
            for i in range(k):
                delays[i] = negative_binomial(core.streams, _DURATION, 3.0, p) + 3
        else:
            for i in range(k):
                delays[i] = geometric(core.streams, _DURATION, p)
        add_kind(core, np.int64(_INVESTIGATION_END), opened, delays, np.int64(day))
    if code == _KULAK:  # np.bincount(region, weight): each region's sum, in order, from 0
        taken = core.arrested_00447
        sums = np.empty(taken.shape[0], dtype=np.float64)
        for r in range(taken.shape[0]):
            sums[r] = 0.0
        for i in range(k):
            sums[region[i]] += weight[i]
        for r in range(taken.shape[0]):
            taken[r] += sums[r]
    return k
