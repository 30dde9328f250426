"""Sorting integer arrays inside the kernels, cheaply to compile.

Numba compiles its own ``np.sort`` and ``np.argsort(kind="mergesort")`` for
every process whose cache lacks them: about 1.6 s and 1.7 s of CPU on the
development machine, a fifth of the whole compile cost of a first run
(docs/performance-log.md). The kernels only sort integers (person indices), for
which a stable sort is short to write: insertion sort for small arrays,
least-significant-digit radix sort (8-bit digits) for the others. Both are
stable, so ``stable_argsort`` equals ``np.argsort(kind="mergesort")`` and
``sorted_copy`` equals ``np.sort`` exactly (tests/test_sorting.py). For the
same reason the module writes the range of the values, the gather of the
sorted copy and a binary search as loops: Numba's ``min``, ``max``, fancy
index and ``np.searchsorted`` together cost about 2 s to compile. The kernels of the
package also fill new arrays by loops rather than ``np.zeros``, ``np.full`` or
``np.arange``, and count by a loop rather than ``np.count_nonzero``: Numba compiles its own
implementation of each once per process and element type, 0.1-0.5 s of CPU each in a first
run (branch speed12, ``bench/bench_compile.py``).

``merge_sorted`` and ``drop_sorted`` edit the sorted lists of the officers and party members
who may appeal (model/purge_state.py, model/party_state.py) as ``np.insert`` and
``np.delete`` at ``np.searchsorted`` positions do, in one compiled call instead of about
ten microseconds of NumPy's argument handling each (tests/test_speed6_kernels.py).

``in_sorted`` answers ``np.isin`` against a sorted table by binary search; ``isin_set`` and
``isin_array`` are its forms for a Python set and an unsorted array. ``np.isin`` sorts or
hashes both of its arguments on every call (about 50-100 microseconds on the few people of
a day's cases, a few milliseconds against a list of thousands): the show trials' and the
arrests' membership tests called it about 5,500 times a run (docs/performance-log.md, round
speed9). The answer is the same boolean per value (tests/test_sorting.py).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from greatterror.model.njit_options import NO_CFUNC_WRAPPER

SMALL = 32  # below this, insertion sort


@njit(cache=True, **NO_CFUNC_WRAPPER)
def stable_argsort(values):  # pragma: no cover - compiled
    """The order that sorts integer ``values`` ascending, ties in their original order."""
    n = values.shape[0]
    order = np.empty(n, dtype=np.int64)
    for i in range(n):  # ``np.arange(n)``; a loop is cheaper to compile (module docstring)
        order[i] = i
    if n < SMALL:
        for i in range(1, n):
            j = i
            while j > 0 and values[order[j - 1]] > values[order[j]]:
                order[j - 1], order[j] = order[j], order[j - 1]
                j -= 1
        return order
    # the range by a loop: Numba's own ``min`` and ``max`` cost about 1 s to compile
    low = np.int64(values[0])
    high = low
    for i in range(1, n):
        v = np.int64(values[i])
        if v < low:
            low = v
        elif v > high:
            high = v
    span = high - low
    spare = np.empty(n, dtype=np.int64)
    count = np.empty(257, dtype=np.int64)
    shift = 0
    while shift < 64 and (span >> shift) > 0:
        for k in range(257):
            count[k] = 0
        for i in range(n):
            count[((np.int64(values[order[i]]) - low) >> shift & 255) + 1] += 1
        for d in range(256):
            count[d + 1] += count[d]
        for i in range(n):
            digit = (np.int64(values[order[i]]) - low) >> shift & 255
            spare[count[digit]] = order[i]
            count[digit] += 1
        order, spare = spare, order
        shift += 8
    return order


@njit(cache=True, **NO_CFUNC_WRAPPER)
def sorted_copy(values):  # pragma: no cover - compiled
    """``np.sort(values)`` for an integer array."""
    order = stable_argsort(values)
    out = np.empty_like(values)
    for i in range(order.shape[0]):  # a loop: Numba's fancy index costs 0.4 s to compile
        out[i] = values[order[i]]
    return out


@njit(cache=True, **NO_CFUNC_WRAPPER)
def search_sorted(values, x):  # pragma: no cover - compiled
    """``np.searchsorted(values, x)`` (side "left") for one ``x`` in an ascending array:
    the first position whose value is not below ``x`` (Numba's own costs 0.7 s to compile)."""
    lo, hi = 0, values.shape[0]
    while lo < hi:
        mid = (lo + hi) >> 1
        if values[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, **NO_CFUNC_WRAPPER)
def in_sorted(values, table):  # pragma: no cover - compiled
    """``np.isin(values, table)`` for an ascending ``table`` (repeats allowed): per value,
    whether it occurs in the table.

    Precondition, not checked here (the kernel runs on every arrest of a few people): the
    table is ascending; on an unsorted one the answers are wrong without an error. A caller
    that keeps a table checks it once where the table is made (``assert_ascending``, as
    ``Engine.set_unarrestable`` does for ``arrest_kernel.arrestable_mask``'s), and
    ``isin_array``, ``isin_set`` sort their own."""
    out = np.empty(values.shape[0], dtype=np.bool_)
    for i in range(values.shape[0]):  # a loop, not np.zeros: cheaper to compile (sorting.py)
        out[i] = False
    n = table.shape[0]
    if n == 0:
        return out
    for i in range(values.shape[0]):
        lo = search_sorted(table, values[i])
        out[i] = lo < n and table[lo] == values[i]
    return out


def assert_ascending(table: NDArray, what: str = "table") -> None:
    """Raise ``ValueError`` unless ``table`` is ascending (repeats allowed): the precondition of
    ``in_sorted``, checked once where a kept table is made, never in the kernel."""
    if len(table) > 1 and bool(np.any(table[1:] < table[:-1])):
        raise ValueError(f"{what} is not ascending: in_sorted would answer wrongly")


def integer_indices(a: object, what: str) -> NDArray[np.int64]:
    """``a`` as a 1-D int64 array; ``TypeError`` for a non-integer dtype (a float would be
    truncated silently by the cast, where ``np.isin`` compares it exactly) or another shape.
    An empty array of any dtype is taken (``np.asarray([])`` is float64 and holds no value
    to truncate)."""
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise TypeError(f"{what}: a 1-D integer array is needed, not {arr.ndim}-D")
    # signed, unsigned or bool: ``np.issubdtype(dtype, np.integer) or dtype == np.bool_`` by
    # the dtype's kind, a tenth of the cost (these checks run about 10,000 times a run)
    if arr.size and arr.dtype.kind not in "iub":
        raise TypeError(f"{what}: integer values are needed, not {arr.dtype}")
    return np.asarray(arr, dtype=np.int64)


def isin_array(values: NDArray, test: NDArray) -> NDArray[np.bool_]:
    """``np.isin(values, test)`` for integer arrays: ``test`` sorted, then ``in_sorted``.
    Non-integer or non-1-D input raises ``TypeError`` (``integer_indices``)."""
    table = np.sort(integer_indices(test, "isin_array test"))
    return in_sorted(integer_indices(values, "isin_array values"), table)


def isin_set(values: NDArray, members: set[int] | list[int]) -> NDArray[np.bool_]:
    """``np.isin(values, list(members))`` for integer ``values`` and a set (or list) of ints.
    Non-integer ``values`` or members raise ``TypeError`` (``integer_indices``)."""
    table = integer_indices(np.array(list(members)), "isin_set members")
    return in_sorted(integer_indices(values, "isin_set values"), np.sort(table))


def _check_index(idx: NDArray, size: int, what: str) -> None:
    """``IndexError`` unless every value of ``idx`` indexes an array of ``size`` (the
    kernels do no bounds checks: an index out of range would read other memory). The kernel
    is given a contiguous int64 array always: the groups of ``first_per_group`` are regions
    (uint8), and that second element type compiled ``_outside`` a second time in every first
    run (docs/performance-log.md, chores23); a contiguous int64 array is passed as it is. The cast
    would turn a bool mask into 0/1 indices and truncate floats without a sign, so a dtype
    that is not signed or unsigned integer raises ``TypeError`` first (review23 F13); the
    callers give it ``integer_indices``'s int64 or the regions' uint8."""
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{what}: integer indices are needed, not {idx.dtype}")
    idx = np.ascontiguousarray(idx, dtype=np.int64)
    if len(idx) and _outside(idx, size):
        raise IndexError(f"{what}: an index outside 0..{size - 1}")


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _outside(idx, size):  # pragma: no cover - compiled
    """``idx.min() < 0 or idx.max() >= size`` in one pass (two NumPy reductions and their
    conversions cost about 3 microseconds on a few values; the check runs about 5,000 times
    a run)."""
    outside = False
    for i in range(idx.shape[0]):  # a loop: Numba compiles no generator for ``any``
        if idx[i] < 0 or idx[i] >= size:
            outside = True
            break
    return outside


def distinct_with(values: NDArray, status: NDArray, keep: int) -> NDArray[np.int64]:
    """``a = np.unique(values); a[status[a] == keep]``: the sorted distinct values whose
    ``status`` is ``keep``, as int64 (``_distinct_with``). Raises as NumPy would on a value
    outside ``status`` (``IndexError``), and on a non-integer value (``TypeError``)."""
    values = integer_indices(values, "distinct_with values")
    _check_index(values, len(status), "distinct_with values")
    return _distinct_with(values, status, keep)


def first_per_group(items: NDArray, group: NDArray, counts: NDArray) -> NDArray[np.int64]:
    """The first ``counts[g]`` of ``items`` of each group ``g = group[item]``, sorted
    (``_first_per_group``), with the bounds checks the kernel leaves out: every item must
    index ``group`` and every group of an item must index ``counts`` (``IndexError``)."""
    items = integer_indices(items, "first_per_group items")
    _check_index(items, len(group), "first_per_group items")
    if len(items):
        _check_index(group[items], len(counts), "first_per_group groups")
    return _first_per_group(items, group, counts)


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _distinct_with(values, status, keep):  # pragma: no cover - compiled
    """``a = np.unique(values); a[status[a] == keep]``: the sorted distinct values whose
    ``status`` is ``keep``, as int64 (no bounds check: ``distinct_with`` does it)."""
    s = sorted_copy(values.astype(np.int64))
    out = np.empty(s.shape[0], dtype=np.int64)
    k = 0
    for i in range(s.shape[0]):
        if (i == 0 or s[i] != s[i - 1]) and status[s[i]] == keep:
            out[k] = s[i]
            k += 1
    return out[:k]


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _first_per_group(items, group, counts):  # pragma: no cover - compiled
    """The first ``counts[g]`` of ``items`` (in their order) of each group ``g = group[item]``,
    sorted: ``order = np.argsort(group[items], kind="stable")``, each item's rank within its
    group, then ``np.sort(items[order[rank < counts[group[items][order]]]])`` (no bounds
    check: ``first_per_group`` does it)."""
    taken = np.empty(counts.shape[0], dtype=np.int64)
    for g in range(counts.shape[0]):  # a loop, not np.zeros: cheaper to compile (sorting.py)
        taken[g] = 0
    out = np.empty(items.shape[0], dtype=np.int64)
    k = 0
    for i in range(items.shape[0]):
        g = group[items[i]]
        if taken[g] < counts[g]:
            taken[g] += 1
            out[k] = items[i]
            k += 1
    return sorted_copy(out[:k])


@njit(cache=True, **NO_CFUNC_WRAPPER)
def merge_sorted(a, b):  # pragma: no cover - compiled
    """The sorted ``a`` with the sorted ``b`` inserted, each value of ``b`` before the values
    of ``a`` equal to it (``np.insert`` at ``np.searchsorted(a, b)``, side "left")."""
    out = np.empty(a.shape[0] + b.shape[0], dtype=np.int64)
    i = j = 0
    for k in range(out.shape[0]):
        if j < b.shape[0] and (i == a.shape[0] or b[j] <= a[i]):
            out[k] = b[j]
            j += 1
        else:
            out[k] = a[i]
            i += 1
    return out


@njit(cache=True, **NO_CFUNC_WRAPPER)
def drop_sorted(a, b):  # pragma: no cover - compiled
    """``np.delete(a, np.searchsorted(a, b))`` for a sorted ``a``: the entry at each of those
    positions is dropped once (a repeated position once); a position past the end raises."""
    drop = np.empty(a.shape[0], dtype=np.bool_)
    for i in range(a.shape[0]):  # a loop, not np.zeros: cheaper to compile (sorting.py)
        drop[i] = False
    dropped = 0  # ``np.count_nonzero(drop)``, counted here: Numba's costs 0.5 s to compile
    for j in range(b.shape[0]):
        lo = search_sorted(a, b[j])
        if lo == a.shape[0]:
            raise IndexError("position past the end of the sorted array")
        if not drop[lo]:
            dropped += 1
            drop[lo] = True
    out = np.empty(a.shape[0] - dropped, dtype=np.int64)
    k = 0
    for i in range(a.shape[0]):
        if not drop[i]:
            out[k] = a[i]
            k += 1
    return out
