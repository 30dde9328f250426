"""The sentence transition on the compiled core: ``Transitions.sentence`` in one call.

``sentence_core`` is the rule of ``Transitions.sentence_reference`` (model/transitions.py,
the NumPy code it replaced, kept as the test's reference) made in the same order, so that
every case array, slot, ledger row, calendar entry, queue and stream is the same bit for bit
(tests/test_core_sentence.py):

1. the closing (``close_cases_flat``: the new status, the sentence day, with a camp sentence
   the flag ``HOLDING``), the people noted as changed, the conviction counted in the ledger
   except for a void sentence passed again (``Transitions._void_again``: awaiting sentence
   with a sentence day, read before the closing), the pretrial weight taken off;
2. a death sentence: one geometric delay each on stream ``execution`` (at least the next
   day), the execution scheduled for the sentence (``sentence_events.stamp``);
3. a camp sentence: the convicts pushed onto the holding queue (``slots.Q_HOLDING``) and
   counted there, their terms drawn (``gulag.draw_terms``: one uniform each on stream
   ``term``), the release days and the colony flag (``term_kernel._term_ends_body``), the
   ``term_end`` entries, the colony convicts' transfer after a geometric delay each on stream
   ``transfer`` (``prison_terms._colony_transfer``), and the ``entered_holding`` flow.

Every room (the ledger's and changed buffers, the calendar's entries, the holding queue) is
checked before the first write or draw, for the most a call can need: without one nothing
is drawn or changed and the call returns -1 (``CoreHolder.call`` grows and calls again).
The signal ``convicted`` (model/families.py) stays with the Python caller, which has ``idx``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from greatterror.model.calendar import KIND
from greatterror.model.core_kernels import add_kind, calendar_room, ledger_add, room
from greatterror.model.flatcalls import close_cases_flat_body
from greatterror.model.gulag import GF
from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.model.queue_kernels import queue_push, queue_room
from greatterror.model.sentence_events import _SHIFT
from greatterror.model.slots import CHANGED, HOLD_N, HOLD_W, PRETRIAL_W, Q_HOLDING
from greatterror.model.stream_pointers import fill_random, geometric, stream_code
from greatterror.model.term_kernel import _term_ends_body
from greatterror.vocabulary import EV, Status

#: the sentences' codes (``Transitions.sentence``'s ``kind``)
DEATH, CAMP, EXILE, OTHER = 0, 1, 2, 3
SENTENCES = {"death": DEATH, "camp": CAMP, "exile": EXILE, "other": OTHER}
_STATUS = (
    int(Status.SENTENCED_DEATH), int(Status.CAMP), int(Status.EXILE), int(Status.RELEASED)
)  # fmt: skip
_EVENT = (EV["convicted_cat1"], EV["convicted_camp"], EV["convicted_exile"], EV["convicted_other"])
_AWAITING = int(Status.AWAITING_SENTENCE)
_EXECUTE = KIND["execute"]
_TERM_END = KIND["term_end"]
_TO_COLONY = KIND["to_colony"]
_ENTERED = GF["entered_holding"]
_EXECUTION = stream_code("execution")
_TERM = stream_code("term")
_TRANSFER = stream_code("transfer")


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def _stamped(core, idx):  # pragma: no cover - compiled
    """``sentence_events.stamp(sentence_day[idx], idx)``."""
    out = np.empty(idx.shape[0], dtype=np.int64)
    for i in range(idx.shape[0]):
        q = idx[i]
        out[i] = q | ((np.int64(core.sentence_day[q]) + 1) << _SHIFT)
    return out


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def _draw_terms(core, n, low, high, two_ranges, mid, below):  # pragma: no cover - compiled
    """``gulag.draw_terms(rng.term, n, terms)``: the same operations, element by element."""
    u = np.empty(n, dtype=np.float64)
    fill_random(core.streams, _TERM, u)
    years = np.empty(n, dtype=np.float64)
    if not two_ranges:
        for i in range(n):
            years[i] = low + (high - low) * u[i]
        return years
    p = min(max(below, 0.0), 1.0)
    for i in range(n):
        if u[i] < p:
            years[i] = low + (mid - low) * u[i] / max(p, 1e-300)
        else:
            years[i] = mid + (high - mid) * (u[i] - p) / max(1.0 - p, 1e-300)
    return years


@njit(cache=True, **NO_CFUNC_WRAPPER)
def sentence_core(
    core, day, idx, kind, voided, execution_p, transfer_p, credit, abolished, non_political,
    low, high, two_ranges, mid, below, judicial,
):  # pragma: no cover - compiled  # fmt: skip
    """``Transitions.sentence(day, idx, kind, ...)`` (``kind``: ``SENTENCES``' code;
    ``voided``: ``Transitions.voided``; ``execution_p``/``transfer_p``: the geometric delays'
    parameters; ``credit``, ``abolished``, ``non_political``: ``term_kernel.term_ends``'; the
    term range ``low``, ``high``, ``two_ranges``, ``mid``, ``below``, ``judicial``:
    ``gulag.TermRange``'s, read for a camp sentence only). Returns 1, 0 for no one, or -1
    if a buffer is full (nothing drawn or changed)."""
    n = idx.shape[0]
    if n == 0:
        return 0
    camp = kind == CAMP
    entries = n if kind == DEATH else (2 * n if camp else 0)
    ok = room(core, n)
    ok &= calendar_room(core, entries)  # (every room checked: every need set)
    if camp:
        ok &= queue_room(core, np.int64(Q_HOLDING), n)
    if not ok:
        return -1
    # a void sentence passed again is not counted again (read before the closing)
    again = np.empty(n, dtype=np.bool_)
    counted = n
    for i in range(n):
        q = idx[i]
        again[i] = voided and core.status[q] == _AWAITING and core.sentence_day[q] >= 0
        counted -= again[i]
    ops, region, weight, _, pretrial_w, entered, _ = close_cases_flat_body(
        idx, np.int64(_STATUS[kind]), np.int64(day),
        core.status, core.op, core.arrest_day, core.sentence_day, core.flags, core.arrests,
        core.region, core.is_elite, core.weight_of_layer, camp,
    )  # fmt: skip  # (no literals: the engine's own signature, model/pairwise.py)
    c = core.is_[CHANGED]
    for i in range(n):
        core.changed[c + i] = idx[i]
    core.is_[CHANGED] = c + n
    if counted == n:
        ledger_add(core, day, region, ops, _EVENT[kind], weight)
    else:  # (loops, not a mask's indexing: the house rule, docs/performance.md)
        kept_ops = np.empty(counted, dtype=ops.dtype)
        kept_region = np.empty(counted, dtype=region.dtype)
        kept_weight = np.empty(counted, dtype=np.float64)
        k = 0
        for i in range(n):
            if not again[i]:
                kept_ops[k], kept_region[k], kept_weight[k] = ops[i], region[i], weight[i]
                k += 1
        ledger_add(core, day, kept_region, kept_ops, _EVENT[kind], kept_weight)
    core.fs[PRETRIAL_W] -= pretrial_w
    if kind == DEATH:
        delays = np.empty(n, dtype=np.int64)
        for i in range(n):
            delays[i] = geometric(core.streams, _EXECUTION, execution_p)
        add_kind(core, np.int64(_EXECUTE), _stamped(core, idx), delays, np.int64(day))
    elif camp:
        queue_push(core, np.int64(Q_HOLDING), idx)
        core.is_[HOLD_N] += n
        core.fs[HOLD_W] += entered
        years = _draw_terms(core, n, low, high, two_ranges, mid, below)
        ends, moved = _term_ends_body(
            idx, years, np.int64(day), credit, abolished, non_political, judicial,
            core.op, core.flags, core.release_day,
        )  # fmt: skip
        add_kind(core, np.int64(_TERM_END), idx, ends, np.int64(0))
        m = moved.shape[0]
        if m:
            delays = np.empty(m, dtype=np.int64)
            for i in range(m):
                delays[i] = geometric(core.streams, _TRANSFER, transfer_p)
            add_kind(core, np.int64(_TO_COLONY), _stamped(core, moved), delays, np.int64(day))
        core.gulag[day, _ENTERED] += entered
    return 1
