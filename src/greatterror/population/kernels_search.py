"""Numba kernels for the population build's searches: a category from a uniform draw.

A draw u falls in the first category whose cumulative share exceeds it
(``np.searchsorted(cum, u, side="right")``): ages by band and by year, the households' social
groups, nationalities and sizes. Apart from population/kernels.py (the passes that make
the people's attributes) because they share one device, the guide table (``guide_table``):
the search starts at the bucket of the draw, so that it needs about one comparison instead
of a dozen data-dependent branches; the category found is the one the search from 0 finds,
and each kernel's NumPy expression is in tests/test_population_kernels.py and
tests/test_kernels.py.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from greatterror.model.njit_options import NO_CFUNC_WRAPPER


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def categories_into(cum, x, at, out):  # pragma: no cover - compiled
    """``out[at] = np.searchsorted(cum, x, side="right")`` (``at`` empty: ``out[:]``).

    Writes the categories straight into a uint8 attribute instead of making
    an intp array of them first.
    """
    m = cum.shape[0]
    scatter = at.shape[0] > 0
    for i in range(x.shape[0]):
        v = x[i]
        j = 0
        while j < m and cum[j] <= v:
            j += 1
        if scatter:
            out[at[i]] = j
        else:
            out[i] = j


#: buckets of a guide table (``guide_table``): a power of two, so that ``u * GUIDE`` and
#: ``k / GUIDE`` are exact and a draw's bucket never starts above the draw
GUIDE = 4096


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def guide_table(cums, last, total):  # pragma: no cover - compiled
    """Where the search of each row of ``cums`` may start, by bucket of the draw.

    ``table[r, k]`` is the first j < ``last`` with ``cums[r, j] > (k / GUIDE) * total``
    (``last`` if none; 0 for bucket 0): every earlier entry is at most ``u * total`` for
    any draw u of bucket k (``u >= k / GUIDE`` exactly, and a product with ``total >= 0`` keeps
    the order), so the linear search ``while j < last and cums[r, j] <= u * total`` finds
    the same j when it starts there, without the dozen data-dependent branches
    (mispredicted) that a search from 0 costs. The kernels that use it search inline: a
    search written as a kernel of its own was not inlined, and cost 9 ns a draw, not 1.5.
    The table is uint8 (a GUIDE-wide row per table row): ``last`` above 255 is refused
    (``ValueError``), since a start of 256 or more would wrap and give wrong categories.
    """
    if last > 255:
        raise ValueError("guide_table: more categories than its uint8 table holds (255)")
    rows = cums.shape[0]
    table = np.empty((rows, GUIDE), dtype=np.uint8)
    for r in range(rows):
        table[r, 0] = 0
        j = 0
        for k in range(1, GUIDE):
            bound = (k / GUIDE) * total
            while j < last and cums[r, j] <= bound:
                j += 1
            table[r, k] = j
    return table


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def categories_scaled(cums, guide, total, u, out):  # pragma: no cover - compiled
    """``out[i] = np.searchsorted(cums[0], u[i] * total, side="right")``: a category drawn
    with probabilities proportional to those whose cumulative sums are ``cums[0]`` (and
    sum ``total``), as region.choice drew it; ``guide`` is
    ``guide_table(cums, cums.shape[1], total)``."""
    m = cums.shape[1]
    for i in range(u.shape[0]):
        x = u[i]
        v = x * total
        j = 0
        if 0.0 <= x < 1.0:  # the search starts at the draw's bucket (guide_table)
            j = guide[0, int(x * GUIDE)]
        while j < m and cums[0, j] <= v:
            j += 1
        out[i] = j


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def categories_by_group(cums, guide, group, u, at, out):  # pragma: no cover - compiled
    """``out[p] = np.searchsorted(cums[group[p]], u, side="right")`` (capped at the last
    category) for each person p: ``at[i]``, or i if ``at`` is empty.

    Each row of ``cums`` is a cumulative distribution ending at 1; the cap
    guards against a row that ends a rounding error below 1. ``guide`` is
    ``guide_table(cums, last category)``.
    """
    last = cums.shape[1] - 1
    scatter = at.shape[0] > 0
    for i in range(u.shape[0]):
        p = at[i] if scatter else i
        g = group[p]
        v = u[i]
        j = 0
        if 0.0 <= v < 1.0:  # the search starts at the draw's bucket (the same j: guide_table)
            j = guide[g, int(v * GUIDE)]
        while j < last and cums[g, j] <= v:
            j += 1
        out[p] = j


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def years_in_bands(year_cum, guide, first, group, u, age):  # pragma: no cover - compiled
    """Replace each age band code in ``age`` by a year of that band.

    ``year_cum[group, band]`` is the cumulative distribution of the band's
    years (ending at exactly 1, padded with 1), so the year is
    ``first[band] + np.searchsorted(year_cum[group, band], u, side="right")``.
    ``year_cum`` is given as a table of rows ``group * bands + band``, and ``guide`` is
    ``guide_table(year_cum, width - 1)``.
    """
    bands = first.shape[0]
    last = year_cum.shape[1] - 1
    for i in range(age.shape[0]):
        b = age[i]
        row = np.int64(group[i]) * bands + b
        v = u[i]
        j = 0
        if 0.0 <= v < 1.0:  # the search starts at the draw's bucket (the same j: guide_table)
            j = guide[row, int(v * GUIDE)]
        while j < last and year_cum[row, j] <= v:
            j += 1
        age[i] = first[b] + j
