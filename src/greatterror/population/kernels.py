"""Numba kernels for the population build: the passes NumPy makes slowly at 1:1.

Each kernel computes exactly what the NumPy expression it replaces computed
(the same values in the same order), so the population stays bit-for-bit the
same for a seed; only the work is cheaper (one pass instead of a sort, or a
linear scan of a short table instead of a binary search per person).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def searchsorted_right(cum, x):  # pragma: no cover - compiled
    """``np.searchsorted(cum, x, side="right")`` for a short non-decreasing ``cum``."""
    m = cum.shape[0]
    out = np.empty(x.shape[0], dtype=np.intp)
    for i in range(x.shape[0]):
        v = x[i]
        j = 0
        while j < m and cum[j] <= v:
            j += 1
        out[i] = j
    return out


@njit(cache=True)
def members_by_label(labels, n_groups):  # pragma: no cover - compiled
    """Positions with a label >= 0, grouped by label (ascending within a group), and counts.

    The result equals ``inside[np.argsort(labels[inside], kind="stable")]``
    with ``inside = np.flatnonzero(labels >= 0)``, by a counting sort: the
    labels come from a random permutation, so a comparison sort of them took
    n log n time.
    """
    counts = np.zeros(n_groups, dtype=np.int64)
    for i in range(labels.shape[0]):
        if labels[i] >= 0:
            counts[labels[i]] += 1
    pos = np.empty(n_groups, dtype=np.int64)
    total = 0
    for g in range(n_groups):
        pos[g] = total
        total += counts[g]
    out = np.empty(total, dtype=np.int64)
    for i in range(labels.shape[0]):
        g = labels[i]
        if g >= 0:
            out[pos[g]] = i
            pos[g] += 1
    return out, counts
