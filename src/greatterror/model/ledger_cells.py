"""The ledger's counts as the cells that hold events, for a summary without the dense cube.

The ledger (model/state.py) counts events by day, region, operation and event: 10
million cells (73 MB) whatever the scale, of which a 1:1,000 run fills about one in
two hundred. Filling the dense array faults in every page of it, 0.1-0.2 s of CPU on
the development machine unless an array of a finished run can be used again (its
pool, ``ledger._CountsPool``, hands one out only when nothing refers to it any more,
and a finished simulation is often still alive: held by the caller, or in a reference
cycle that the garbage collector has not yet broken). A summary needs only the sums
of :mod:`greatterror.model.ledger_sums`, so the ledger keeps its events as cells until
someone asks for the dense counts.

Bit for bit the same sums: a cell's value is its events' weights added one by one
in the order they were added, starting from zero (as ``counts[cell] += w`` did), and
the sums below add the cells in the orders of :func:`ledger_sums.ledger_sums`, which
skips zero cells (adding zero changes no sum). tests/test_fast_paths.py compares them.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from greatterror.model.ledger_sums import POLITICAL, Sums
from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.vocabulary import NON_POLITICAL


@njit(cache=True, **NO_CFUNC_WRAPPER)
def cell_ids(meta, region, op_arrays, n_reg, n_op, n_ev):  # pragma: no cover - compiled
    """The cell of each buffered event, in the order added.

    ``meta`` holds one row per buffered call: day, operation code (-1: the call gave one
    per event, taken in order from ``op_arrays``), event code and number of events."""
    out = np.empty(region.shape[0], dtype=np.int64)
    k = 0
    j = 0
    for c in range(meta.shape[0]):
        day, code, event, n = meta[c, 0], meta[c, 1], meta[c, 2], meta[c, 3]
        for _ in range(n):
            op = op_arrays[j] if code < 0 else code
            if code < 0:
                j += 1
            out[k] = ((day * n_reg + region[k]) * n_op + op) * n_ev + event
            k += 1
    return out


@njit(cache=True, **NO_CFUNC_WRAPPER)
def scatter_cells(counts, cells, weights):  # pragma: no cover - compiled
    """The events added into the dense ``counts`` one by one, in the order added (the same
    sums as ``np.add.at``, which also adds in order)."""
    for k in range(cells.shape[0]):
        counts[cells[k]] += weights[k]


@njit(cache=True, **NO_CFUNC_WRAPPER)
def merge_cells(cells, values, new_cells, new_weights):  # pragma: no cover - compiled
    """``cells``/``values`` (sorted, distinct) with the events ``new_cells``/``new_weights``
    added, the events sorted by cell and, within a cell, in the order added.

    A cell's value is its old value (or zero) plus its new events one by one."""
    n, m = cells.shape[0], new_cells.shape[0]
    out_cells = np.empty(n + m, dtype=np.int64)
    out_values = np.empty(n + m, dtype=np.float64)
    i = 0
    j = 0
    k = 0
    while i < n or j < m:
        if j < m and (i >= n or new_cells[j] <= cells[i]):
            c = new_cells[j]
            v = 0.0
            if i < n and cells[i] == c:
                v = values[i]
                i += 1
            while j < m and new_cells[j] == c:
                v += new_weights[j]
                j += 1
        else:
            c = cells[i]
            v = values[i]
            i += 1
        out_cells[k] = c
        out_values[k] = v
        k += 1
    return out_cells[:k], out_values[:k]


def add_events(
    cells: NDArray[np.int64],
    values: NDArray[np.float64],
    event_cells: NDArray[np.int64],
    weights: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The cells with events (in the order added) counted in; a stable sort keeps that order
    within a cell."""
    order = np.argsort(event_cells, kind="stable")
    return merge_cells(cells, values, event_cells[order], weights[order])


def cell_sums(cells: NDArray[np.int64], values: NDArray[np.float64], shape: tuple) -> Sums:
    """:func:`ledger_sums.ledger_sums` of the cube that holds ``values`` at ``cells``."""
    days, regions, ops, events = shape
    return _sums(cells, values, days, regions, ops, events, POLITICAL, NON_POLITICAL)


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _sums(
    cells, values, days, regions, ops, events, political, non_political
):  # pragma: no cover - compiled
    per_day = np.zeros((days, events))
    per_op = np.zeros((ops, events))
    per_day_other = np.zeros((days, events))
    per_day_op = np.zeros((days, ops, events))
    block = regions * ops * events
    n = cells.shape[0]
    lo = 0
    while lo < n:
        d = cells[lo] // block
        hi = lo
        # the day's cells in memory order: day by day, region by region, as ledger_sums
        while hi < n and cells[hi] // block == d:
            v = values[hi]
            if v != 0.0:
                rest = cells[hi] - d * block
                o = (rest // events) % ops
                e = rest % events
                per_op[o, e] += v
                per_day_op[d, o, e] += v
                if o == non_political:
                    per_day_other[d, e] += v
            hi += 1
        # operation by operation, then region by region (ledger_sums' political order)
        for o in range(ops):
            if not political[o]:
                continue
            for c in range(lo, hi):
                rest = cells[c] - d * block
                if (rest // events) % ops != o:
                    continue
                v = values[c]
                if v != 0.0:
                    per_day[d, rest % events] += v
        lo = hi
    return per_day, per_op, per_day_other, per_day_op
