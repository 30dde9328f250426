"""Where a test holds over the whole population, found block by block.

``np.flatnonzero(test(array))`` over 162 million people makes the test's masks at the
population's size: ``(status == a) | (status == b)`` holds three of them at once (3 bytes a
person, about 0.5 GB at 1:1) for a result of a few million indices. The summary, which runs
when every case array is resident and the run's memory is at its peak, made such masks.
:func:`nonzero_by_blocks` evaluates the test on consecutive slices instead, so the masks are
a block's size; the indices are the same, in the same (increasing) order.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

#: people per block: 4 MB masks, few enough calls (40 at 1:1) that their cost is nothing
BLOCK = 1 << 22


def nonzero_by_blocks(
    test: Callable[[slice], NDArray[np.bool_]], n: int, block: int = BLOCK
) -> NDArray[np.int64]:
    """``np.flatnonzero(mask)`` where ``test(s)`` is ``mask[s]`` for a slice ``s`` of ``0..n``."""
    parts = [
        start + np.flatnonzero(test(slice(start, min(start + block, n))))
        for start in range(0, n, block)
    ]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
