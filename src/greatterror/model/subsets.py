"""A subset of ``0..n-1`` that knows its size and its k-th member without a pass over ``n``.

The army purge draws each day from the serving officers (137,000 elite-layer
rows at every scale): ``rng.choice(np.flatnonzero(mask), size=k, replace=False)``.
Building that array costs a pass over the whole corps each day, although only
its length (for the binomial count) and ``k`` of its entries (the drawn
positions) are used. ``rng.choice(array, ...)`` draws exactly the same numbers
as ``array[rng.choice(len(array), ...)]``, so a subset that can give its size
and its k-th member keeps every stream unchanged.

:class:`CountedSubset` keeps the membership mask and a Fenwick tree of the
counts, so that its size is known, a change of membership costs ``O(log n)``
per position and the k-th member in increasing order costs ``O(log n)``. The
NumPy rule it replaces, tested in tests/test_subsets.py, is::

    subset.nth(ks) == np.flatnonzero(subset.mask)[ks]
    len(subset) == np.count_nonzero(subset.mask)
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from greatterror.model.njit_options import NO_CFUNC_WRAPPER


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _build(mask):  # pragma: no cover - compiled
    """The Fenwick tree (1-based, ``n + 1`` entries) of a boolean mask, in one pass."""
    n = mask.shape[0]
    tree = np.empty(n + 1, dtype=np.int32)
    for i in range(n + 1):  # a loop, not np.zeros: cheaper to compile (sorting.py)
        tree[i] = 0
    for i in range(n):
        if mask[i]:
            tree[i + 1] += 1
    for i in range(1, n + 1):
        parent = i + (i & -i)
        if parent <= n:
            tree[parent] += tree[i]
    return tree


@njit(cache=True, **NO_CFUNC_WRAPPER)
def set_member(tree, mask, p, value):  # pragma: no cover - compiled
    """Set ``mask[p] = value`` and update the tree if it changed; return the change of the
    size (-1, 0 or 1). For compiled callers that keep a subset's members (``_set``,
    model/party_state.py ``_relook``); Python goes through ``CountedSubset``."""
    if mask[p] == value:
        return 0
    mask[p] = value
    delta = 1 if value else -1
    n = mask.shape[0]
    i = p + 1
    while i <= n:
        tree[i] += delta
        i += i & -i
    return delta


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _set(tree, mask, positions, value):  # pragma: no cover - compiled
    """Set ``mask[positions] = value``; update the tree where it changed; return the change."""
    change = 0
    for j in range(positions.shape[0]):
        change += set_member(tree, mask, positions[j], value)
    return change


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _nth(tree, ks, size):  # pragma: no cover - compiled
    """For each ``k`` in ``ks``: the position of the k-th member (0-based, increasing);
    an empty array if some ``k`` is not below ``size`` (the members) or is negative."""
    n = tree.shape[0] - 1
    for j in range(ks.shape[0]):
        if ks[j] < 0 or ks[j] >= size:
            return np.empty(0, dtype=np.int64)
    top = 1
    while top * 2 <= n:
        top *= 2
    out = np.empty(ks.shape[0], dtype=np.int64)
    for j in range(ks.shape[0]):
        remaining = ks[j] + 1
        pos = 0
        step = top
        while step > 0:
            nxt = pos + step
            if nxt <= n and tree[nxt] < remaining:
                pos = nxt
                remaining -= tree[nxt]
            step //= 2
        out[j] = pos  # the 1-based tree index pos + 1 is position pos
    return out


class CountedSubset:
    """A subset of ``0..n-1``: its mask, its size, and its k-th member in increasing order."""

    def __init__(self, mask: NDArray[np.bool_]) -> None:
        self.mask = np.array(mask, dtype=np.bool_)  # a copy: the subset owns its mask
        self.tree = _build(self.mask)
        self.size = int(np.count_nonzero(self.mask))

    def __len__(self) -> int:
        return self.size

    def nth(self, ks: NDArray[np.integer]) -> NDArray[np.int64]:
        """``np.flatnonzero(self.mask)[ks]`` (each ``k`` below ``len(self)``)."""
        ks = np.asarray(ks, dtype=np.int64)
        out = _nth(self.tree, ks, self.size)  # the range is checked in the same pass
        if len(out) != len(ks):
            raise IndexError(f"member index out of range for a subset of {self.size}")
        return out

    def add(self, positions: NDArray[np.integer]) -> None:
        """Make ``positions`` members (those already members are left as they are)."""
        self.size += int(_set(self.tree, self.mask, np.asarray(positions, np.int64), True))

    def remove(self, positions: NDArray[np.integer]) -> None:
        """Make ``positions`` non-members (those not members are left as they are)."""
        self.size += int(_set(self.tree, self.mask, np.asarray(positions, np.int64), False))

    def members(self) -> NDArray[np.int64]:
        """Every member in increasing order (a pass over ``n``; for checks, not daily use)."""
        return np.flatnonzero(self.mask)
