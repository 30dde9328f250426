"""Compact group memberships (CSR index arrays) and vectorised look-ups.

A group kind (households, workplaces, party cells) is stored as ``indptr``
and ``members``: the members of group g are ``members[indptr[g]:indptr[g+1]]``.
This keeps a population of 162 million in a few arrays instead of millions
of Python objects, and makes "everyone in these people's groups" a single
vectorised gather.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Groups:
    """CSR membership. ``members`` is None when group g is simply the people
    ``indptr[g]..indptr[g+1]`` (households are built that way), which saves
    four bytes a person at full scale. ``indptr`` is int64, or int32 for the households
    (``population/build.py``)."""

    indptr: NDArray[np.int64] | NDArray[np.int32]
    members: NDArray[np.int32] | None

    @property
    def count(self) -> int:
        return len(self.indptr) - 1

    def sizes(self) -> NDArray[np.int64]:
        return np.diff(self.indptr)

    def at(self, positions: NDArray[np.integer]) -> NDArray[np.int32]:
        """The people at flat CSR positions (``indptr[g] + offset``)."""
        return positions.astype(np.int32) if self.members is None else self.members[positions]

    def members_of(self, groups: NDArray[np.integer]) -> NDArray[np.int32]:
        """All members of the given groups, concatenated (groups < 0 are skipped)."""
        groups = groups[groups >= 0]
        if groups.size == 0:
            return np.empty(0, dtype=np.int32)
        starts = self.indptr[groups]
        lengths = self.indptr[groups + 1] - starts
        ranges = concat_ranges(starts, lengths)
        return ranges.astype(np.int32) if self.members is None else self.members[ranges]

    @property
    def nbytes(self) -> int:
        return int(self.indptr.nbytes + (0 if self.members is None else self.members.nbytes))


def concat_ranges(starts: NDArray[np.integer], lengths: NDArray[np.integer]) -> NDArray[np.int64]:
    """Indices ``start..start+length`` for each pair, concatenated, without a Python loop."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    nonzero = lengths > 0
    starts = np.asarray(starts, dtype=np.int64)[nonzero]
    lengths = lengths[nonzero]
    offsets = np.cumsum(lengths) - lengths
    out = np.ones(total, dtype=np.int64)
    out[0] = starts[0]
    out[offsets[1:]] = starts[1:] - (starts[:-1] + lengths[:-1] - 1)
    return np.cumsum(out)


def groups_from_labels(labels: NDArray[np.integer], n_groups: int) -> Groups:
    """CSR membership from a per-person group label (-1 = in no group of this kind)."""
    inside = np.flatnonzero(labels >= 0).astype(np.int32)
    order = np.argsort(labels[inside], kind="stable")
    members = inside[order]
    counts = np.bincount(labels[inside], minlength=n_groups)
    indptr = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Groups(indptr=indptr, members=members)


def cut_into_groups(
    people: NDArray[np.integer],
    size_sampler,
    rng: np.random.Generator,
    first_id: int,
    label: NDArray[np.int32],
) -> int:
    """Shuffle ``people`` and cut them into consecutive groups of sampled sizes.

    Writes each person's group id (``first_id`` onwards) to ``label[person]`` and returns
    the number of groups made. ``size_sampler(rng, k)`` returns k group sizes (>= 1). The
    ids are written through the permutation by a kernel (``label_runs``): NumPy made the
    ids of each position, their sum with ``first_id``, the labels by position and their
    copy to the people, four arrays of the group members' size.
    """
    from greatterror.population.kernels import label_runs

    n = len(people)
    if n == 0:
        return 0
    sizes = _sizes_covering(n, size_sampler, rng)
    order = rng.permutation(n)
    label_runs(order, sizes, np.int64(first_id), np.asarray(people, dtype=np.int64), label)
    return len(sizes)


def _sizes_covering(n: int, size_sampler, rng: np.random.Generator) -> NDArray[np.int64]:
    """Sample group sizes until they cover n people; the last group is trimmed."""
    chunks: list[NDArray[np.int64]] = []
    covered = 0
    while covered < n:
        draw = np.asarray(size_sampler(rng, max(16, (n - covered) // 8 + 1)), dtype=np.int64)
        chunks.append(draw)
        covered += int(draw.sum())
    sizes = np.concatenate(chunks)
    cum = np.cumsum(sizes)
    last = int(np.searchsorted(cum, n))
    sizes = sizes[: last + 1].copy()
    sizes[-1] -= int(cum[last] - n)
    return sizes
