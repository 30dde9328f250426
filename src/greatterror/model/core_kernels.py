"""Compiled pieces of the engine on the compiled core (model/core.py): the calendar's take and
add of one kind, the ledger's add, and the release and death-in-custody transitions.

Each is the rule of its Python counterpart, made in the same order so that every array, slot,
ledger cell and Gulag flow is the same bit for bit: ``take_kind``/``add_kind`` are
``Calendar.take``/``Calendar.add`` (the same kernels, ``take_due`` and ``append_due``, on the
kind's code), ``ledger_add`` is ``Ledger.add`` (a row appended to the compiled buffer, which
``Ledger.note_compiled`` puts after the adds Python made before), ``release_core`` is
``Transitions.release`` with ``_close``, ``_leave_camp`` and ``_leave_holding`` (weight sums
by ``pairwise_sum``: NumPy's ``sum`` bit for bit, model/pairwise.py), ``die_in_custody_core`` is
``Transitions.die_in_custody`` with the same helpers.

A kernel that would append to a buffer first checks the room (``room``); without it, it
changes nothing and returns -1 ("full") with what it needs in slot ``NEED``: the Python
caller grows the buffers and calls again (``CoreHolder.call``), as ``Calendar.add`` does.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from greatterror.model.calendar import SMALL_BATCH, append_due_body, take_due_body
from greatterror.model.case_flags import HOLDING
from greatterror.model.flatcalls import close_cases_flat_body
from greatterror.model.gulag import GF
from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.model.pairwise import pairwise_sum
from greatterror.model.slots import (
    CALENDAR_NEED,
    CAMPS_N,
    CAMPS_W,
    CHANGED,
    HOLD_N,
    HOLD_W,
    LEDGER_ENTRIES,
    LEDGER_ROWS,
    NEED,
    PRETRIAL_W,
    RELEASED_PRETRIAL,
)
from greatterror.vocabulary import EV, Status

_RELEASED = int(Status.RELEASED)
_EV_RELEASED = EV["released"]
_DIED = int(Status.DIED_IN_CUSTODY)
_EV_DIED = EV["died_in_custody"]
_LEFT_HOLDING = GF["left_holding"]


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def take_kind(core, code, day):  # pragma: no cover - compiled
    """``Calendar.take`` of the kind with ``code`` (``calendar.KIND``): its people due on
    ``day``, removed from the calendar."""
    if core.cal_marks[code, day] == 0:
        return np.empty(0, dtype=np.int64)
    return take_due_body(
        core.cal_lists[code], core.cal_entries, core.cal_state, core.cal_marks[code], day
    )


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def due_count(core, code, day):  # pragma: no cover - compiled
    """How many ``take_kind`` would return (the room a kernel checks before taking)."""
    return core.cal_lists[code, 0, 2, day] + core.cal_lists[code, 1, 2, day]


@njit(cache=True, **NO_CFUNC_WRAPPER)
def add_kind(core, code, idx, due, offset):  # pragma: no cover - compiled
    """``Calendar.add`` of the kind with ``code`` (room checked by the caller, before any
    write: ``calendar_room``); False (nothing changed, ``len(idx)`` in slot
    ``CALENDAR_NEED``) if the entries are full."""
    if idx.shape[0] == 0:
        return True
    row = 1 if idx.shape[0] <= SMALL_BATCH else 0
    lists = core.cal_lists[code, row]
    if not append_due_body(
        lists, core.cal_entries, core.cal_state, core.cal_marks[code], idx, due, offset
    ):
        core.is_[CALENDAR_NEED] = idx.shape[0]
        return False
    return True


@njit(cache=True, **NO_CFUNC_WRAPPER)
def calendar_room(core, entries):  # pragma: no cover - compiled
    """Whether the calendar has room for ``entries`` more entries (``append_due``'s test);
    if not, ``entries`` is put in slot ``CALENDAR_NEED``. A kernel checks this and ``room``
    (both, so that both needs are set) before it writes anything."""
    state = core.cal_state
    if state[0] + max(entries - state[2], 0) <= core.cal_entries.shape[1]:
        return True
    core.is_[CALENDAR_NEED] = entries
    return False


@njit(cache=True, **NO_CFUNC_WRAPPER)
def room(core, entries):  # pragma: no cover - compiled
    """Whether the ledger's buffer has room for one row of ``entries`` entries and the
    changed buffer for ``entries`` people; if not, ``entries`` is put in slot ``NEED``."""
    if (
        core.is_[LEDGER_ROWS] + 1 <= core.rows.shape[0]
        and core.is_[LEDGER_ENTRIES] + entries <= core.row_weight.shape[0]
        and core.is_[CHANGED] + entries <= core.changed.shape[0]
    ):
        return True
    core.is_[NEED] = entries
    return False


@njit(cache=True, **NO_CFUNC_WRAPPER)
def ledger_add(core, day, region, op, event, weight):  # pragma: no cover - compiled
    """``Ledger.add(day, region, op, event, weight)`` with one operation per event, into the
    compiled buffer (room checked by the caller, ``room``); nothing for no event."""
    n = region.shape[0]
    if n == 0:
        return
    r = core.is_[LEDGER_ROWS]
    core.rows[r, 0] = day
    core.rows[r, 1] = -1
    core.rows[r, 2] = event
    core.rows[r, 3] = n
    k = core.is_[LEDGER_ENTRIES]
    for i in range(n):
        core.row_region[k + i] = region[i]
        core.row_op[k + i] = op[i]
        core.row_weight[k + i] = weight[i]
    core.is_[LEDGER_ROWS] = r + 1
    core.is_[LEDGER_ENTRIES] = k + n


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _sum_where(weight, keep):  # pragma: no cover - compiled
    """``np.sum(weight[keep])`` bit for bit, and how many are kept."""
    part = np.empty(weight.shape[0], dtype=np.float64)
    k = np.int64(0)  # not ``0``: a literal would compile pairwise_sum again (model/pairwise.py)
    for i in range(weight.shape[0]):
        if keep[i]:
            part[k] = weight[i]
            k += 1
    return pairwise_sum(part, np.int64(0), k), k  # no literal 0: model/pairwise.py


@njit(cache=True, **NO_CFUNC_WRAPPER)
def leave_holding(core, day, idx, weight, held, flow):  # pragma: no cover - compiled
    """Those of ``idx`` with ``held`` (still in a prison awaiting the etap) leave the holding
    stage: their flag cleared, the holding counts less their number and weight, the Gulag's
    flow ``flow`` more (``Transitions._leave_holding``; the release, the death in custody and
    the arrest of a camp prisoner). Returns their weight (NumPy's sum, in order) and number."""
    held_w, held_n = _sum_where(weight, held)
    for i in range(idx.shape[0]):
        if held[i]:
            core.flags[idx[i]] &= ~HOLDING
    core.is_[HOLD_N] -= held_n
    core.fs[HOLD_W] -= held_w
    core.gulag[day, flow] += held_w
    return held_w, held_n


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def _close_core(core, day, idx, status, event):  # pragma: no cover - compiled
    """The closing both transitions share, as ``Transitions._close`` (no ``uncounted``, no
    hold): ``close_cases_flat`` to ``status``, the people noted as changed, ``event`` in the
    ledger, the pretrial weight taken off ``Camps.pretrial_w``. Returns the weights, who was
    in a camp or a prison awaiting the etap before, and the pretrial weight."""
    ops, region, weight, was_camp, pretrial_w, _, _ = close_cases_flat_body(
        idx, status, np.int64(-1),
        core.status, core.op, core.arrest_day, core.sentence_day, core.flags, core.arrests,
        core.region, core.is_elite, core.weight_of_layer, np.bool_(False),
    )  # fmt: skip  # no literals: the engine's signature, not a second one (model/pairwise.py)
    n = idx.shape[0]
    c = core.is_[CHANGED]
    for i in range(n):
        core.changed[c + i] = idx[i]
    core.is_[CHANGED] = c + n
    ledger_add(core, day, region, ops, event, weight)
    core.fs[PRETRIAL_W] -= pretrial_w
    return weight, was_camp, pretrial_w


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def _leave_custody_core(core, day, idx, weight, was_camp, flow):  # pragma: no cover - compiled
    """Of the closed ``idx`` who were in a camp, those still in a prison awaiting the etap
    leave the holding stage (their flag cleared, the holding counts, the Gulag flow ``flow``:
    ``Transitions._leave_holding``), the others the camp count (``_leave_camp``). The weight
    sums are NumPy's over the same weights in the same order; the two counts are separate
    slots, so their order does not matter."""
    n = idx.shape[0]
    any_camp = False
    for i in range(n):
        any_camp |= was_camp[i]
    if not any_camp:
        return
    held = np.empty(n, dtype=np.bool_)
    in_camp = np.empty(n, dtype=np.bool_)
    any_held = False
    for i in range(n):
        held[i] = was_camp[i] and (core.flags[idx[i]] & HOLDING) != 0
        in_camp[i] = was_camp[i] and not held[i]
        any_held |= held[i]
    if any_held:
        leave_holding(core, day, idx, weight, held, flow)
    camp_w, camp_n = _sum_where(weight, in_camp)
    core.is_[CAMPS_N] -= camp_n
    core.fs[CAMPS_W] -= camp_w


@njit(cache=True, **NO_CFUNC_WRAPPER)
def release_core(core, day, idx):  # pragma: no cover - compiled
    """``Transitions.release(day, idx)`` (room checked by the caller, ``room(core, len(idx))``).

    The closing to status released, with the ``released`` event; the pretrial weight moved
    from ``Camps.pretrial_w`` to ``Ledger.released_pretrial``; those who were in a camp leave
    it, or the holding stage (``left_holding`` flow)."""
    if idx.shape[0] == 0:
        return
    weight, was_camp, pretrial_w = _close_core(
        core, day, idx, np.int64(_RELEASED), np.int64(_EV_RELEASED)
    )
    core.fs[RELEASED_PRETRIAL] += pretrial_w
    _leave_custody_core(core, day, idx, weight, was_camp, np.int64(_LEFT_HOLDING))


@njit(cache=True, **NO_CFUNC_WRAPPER)
def die_in_custody_core(core, day, idx, flow):  # pragma: no cover - compiled
    """``Transitions.die_in_custody(day, idx, flow)``, ``flow`` a Gulag flow's code (``GF``;
    room checked by the caller, ``room(core, len(idx))``).

    The closing to status died in custody, with the ``died_in_custody`` event (the pretrial
    weight is not counted as released); those who were in a camp leave it, or the holding
    stage, counted as ``flow``."""
    if idx.shape[0] == 0:
        return
    weight, was_camp, _ = _close_core(core, day, idx, np.int64(_DIED), np.int64(_EV_DIED))
    _leave_custody_core(core, day, idx, weight, was_camp, np.int64(flow))


@njit(cache=True, **NO_CFUNC_WRAPPER)
def end_custody(core, day, idx, died, flow):  # pragma: no cover - compiled
    """``die_in_custody_core(core, day, idx, flow)`` if ``died``, else ``release_core(core,
    day, idx)``, with its room checked: -1 ("full", nothing changed), 1 if anyone was
    released or died, 0 otherwise (``CoreHolder.call``'s protocol). ``Transitions.release``
    and ``die_in_custody``; one kernel for both, so that a first run compiles one wrapper
    (about 0.45 s of CPU each, docs/performance-log.md, branch transk)."""
    if not room(core, idx.shape[0]):
        return -1
    if died:
        die_in_custody_core(core, day, idx, flow)
    else:
        release_core(core, day, idx)
    return 1 if idx.shape[0] else 0
