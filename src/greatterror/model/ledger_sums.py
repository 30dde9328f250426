"""The summary's sums over the ledger's cube of counts, in one compiled pass.

The summary (model/summary.py) reads the ledger's counts (day x region x
operation x event, 10 million cells whatever the scale) three times:

- political events per day: ``cube[:, :, POLITICAL_CODES].sum(axis=(1, 2))``;
- events per operation: ``cube.sum(axis=(0, 1))``;
- non-political events per day: ``cube[:, :, NON_POLITICAL].sum(axis=1)``;
- events per day and operation: ``cube.sum(axis=1)`` (each operation's yearly counts,
  compared with the record's counts of Order 00447 by year in calibration/holdout.py).

As NumPy expressions these copy most of the cube (the fancy index) and
read it several times, about a quarter of a second at 1:1,000, more than the
rest of the summary. :func:`ledger_sums` gives the same arrays from
one read of the cube, bit for bit: NumPy adds a reduction over outer axes
cell by cell in memory order (the kept event axis is the innermost, so no
pairwise summation is involved), and the pass below adds the cells in the
same orders (for the political sums, that of the copy the fancy index
makes, whose operation axis is outermost in memory). It skips cells that
hold zero: adding zero changes no sum.
tests/test_kernels.py compares the two on random sparse cubes.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.vocabulary import NON_POLITICAL, OPERATIONS, POLITICAL_OPERATIONS

#: per operation code: a political operation (every operation but the non-political convicts)
POLITICAL = np.array([name in POLITICAL_OPERATIONS for name in OPERATIONS])


Sums = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]


def ledger_sums_numpy(cube: NDArray[np.float64]) -> Sums:
    """The rule: political events per day and event, every event per operation and event,
    non-political events per day and event, every event per day and operation."""
    political = [int(c) for c in np.flatnonzero(POLITICAL)]
    return (
        cube[:, :, political].sum(axis=(1, 2)),
        cube.sum(axis=(0, 1)),
        cube[:, :, NON_POLITICAL, :].sum(axis=1),
        cube.sum(axis=1),
    )


def ledger_sums(cube: NDArray[np.float64]) -> Sums:
    """:func:`ledger_sums_numpy` in one compiled pass over the cube (C-contiguous)."""
    days, regions, ops, events = cube.shape
    return _sums(
        np.ascontiguousarray(cube).reshape(-1), days, regions, ops, events, POLITICAL,
        NON_POLITICAL,
    )  # fmt: skip


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _sums(
    counts, days, regions, ops, events, political, non_political
):  # pragma: no cover - compiled
    per_day = np.zeros((days, events))
    per_op = np.zeros((ops, events))
    per_day_other = np.zeros((days, events))
    per_day_op = np.zeros((days, ops, events))
    block = regions * ops * events
    for d in range(days):
        base = d * block
        # day by day, region by region: the order NumPy adds a cell into ``per_op``,
        # ``per_day_other`` and ``per_day_op``
        for r in range(regions):
            for o in range(ops):
                c = base + (r * ops + o) * events
                for e in range(events):
                    v = counts[c + e]
                    if v != 0.0:
                        per_op[o, e] += v
                        per_day_op[d, o, e] += v
                        if o == non_political:
                            per_day_other[d, e] += v
        # operation by operation, then region by region: the order of the copy that
        # NumPy's fancy index makes (its operation axis is the outermost in memory)
        for o in range(ops):
            if not political[o]:
                continue
            for r in range(regions):
                c = base + (r * ops + o) * events
                for e in range(events):
                    v = counts[c + e]
                    if v != 0.0:
                        per_day[d, e] += v
    return per_day, per_op, per_day_other, per_day_op
