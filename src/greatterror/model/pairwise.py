"""NumPy's sum of float64 values, repeated in compiled code so that a kernel can return it.

A kernel that adds weights in a plain loop gives other bits than ``np.sum`` on the same
values once there are 8 or more of them: NumPy sums a contiguous float64 array pairwise
(``pairwise_sum`` in NumPy's ``loops_utils.h.src``). Below 8 values it adds them in order
to 0.0; up to 128 it keeps 8 partial sums (values 0-7, 8-15, ... added to partial sum
``i % 8``), joins them as ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)) and adds the rest in order;
above 128 it splits the array at half its length rounded down to a multiple of 8 and adds
the sums of the two parts. ``pairwise_sum`` makes the same additions in the same order, so
``pairwise_sum(a, 0, len(a)) == np.sum(a)`` bit for bit for a contiguous float64 ``a``
(``pairwise_sum_reference`` is that NumPy rule; tests/test_speed7_kernels.py compares
them on every length to 300 and on long arrays). The engine's transitions use it to
return the weight sums the ledger and the camp counts need with the kernel's other
results (docs/performance-log.md, branch speed7).

**Literal arguments.** A kernel that calls another kernel with a constant (``pairwise_sum(w,
0, n)``), or with a variable that holds a constant until Numba's type inference has seen the
whole loop (``k = 0`` before ``k += 1``), compiles the callee a second and third time, for
``Literal[int](0)`` besides ``int64``: each about 0.3 s of CPU in a first run (branch speed12,
``bench/bench_compile.py``). The callers therefore pass ``np.int64(0)`` and array lengths.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from greatterror.model.njit_options import NO_CFUNC_WRAPPER

#: NumPy's block below which a sum is not split (``PW_BLOCKSIZE``)
BLOCK = 128


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _block_sum(a, lo, n):  # pragma: no cover - compiled
    """NumPy's sum of ``a[lo:lo + n]`` for ``n <= BLOCK`` (the leaves of the pairwise sum)."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - (n % 8):
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True, **NO_CFUNC_WRAPPER)
def pairwise_sum(a, lo, n):  # pragma: no cover - compiled
    """``np.sum(a[lo:lo + n])`` for contiguous float64 ``a``, bit for bit (module docstring).

    NumPy's recursion (left half, then right half, then their sum) walked with an explicit
    stack: a recursive compiled function cannot be cached reliably by Numba."""
    if n <= BLOCK:
        return _block_sum(a, lo, n)
    # per level of the recursion: start, length, which half is being summed (1 left,
    # 2 right), the left half's sum
    start = np.empty(64, dtype=np.int64)
    length = np.empty(64, dtype=np.int64)
    side = np.empty(64, dtype=np.int64)
    for i in range(64):  # a loop, not np.zeros: cheaper to compile (model/sorting.py)
        side[i] = 0
    left = np.empty(64, dtype=np.float64)
    depth = 0
    start[0], length[0] = lo, n
    while True:
        m = length[depth]
        if m > BLOCK:  # descend into the left half
            half = m // 2
            half -= half % 8
            side[depth] = 1
            start[depth + 1], length[depth + 1] = start[depth], half
            depth += 1
            continue
        value = _block_sum(a, start[depth], m)
        depth -= 1
        while depth >= 0:  # return ``value`` to the levels above
            if side[depth] == 1:  # the left half is done: descend into the right half
                left[depth] = value
                side[depth] = 2
                half = length[depth] // 2
                half -= half % 8
                start[depth + 1] = start[depth] + half
                length[depth + 1] = length[depth] - half
                depth += 1
                break
            value = left[depth] + value
            depth -= 1
        if depth < 0:
            return value


def pairwise_sum_reference(a: NDArray[np.float64]) -> float:
    """The rule ``pairwise_sum`` follows: NumPy's sum of the values."""
    return float(np.ascontiguousarray(a, dtype=np.float64).sum())
