"""Numba kernels for the few loops that must run in order, case by case."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def troika_verdicts(
    region, weight, want_death, u, limit1, used1, limit2, used2, budget
):  # pragma: no cover - compiled
    """Decide troika cases in queue order within limits and the day's budget.

    Returns (verdict, spent): verdict is 1 (category 1), 2 (category 2),
    0 (deferred: no limit left in either category) or -1 (not reached
    today). A case that only partly fits the remaining limit is accepted with
    probability remaining/weight, so limits bind exactly in expectation at
    any scale; the overshoot is always less than one sampled case.
    """
    n = region.shape[0]
    verdict = np.full(n, -1, dtype=np.int8)
    spent = 0.0
    for i in range(n):
        if spent >= budget:
            break
        r = region[i]
        w = weight[i]
        first = 1 if want_death[i] else 2
        for attempt in range(2):
            cat = first if attempt == 0 else 3 - first
            avail = (limit1[r] - used1[r]) if cat == 1 else (limit2[r] - used2[r])
            if avail >= w or (avail > 0 and u[i] < avail / w):
                if cat == 1:
                    used1[r] += w
                else:
                    used2[r] += w
                verdict[i] = cat
                spent += w
                break
        if verdict[i] == -1:
            verdict[i] = 0
    return verdict, spent
