"""Draws equal in distribution to NumPy's, at a fraction of their per-call cost.

At 1:1,000 a warm run makes about 50,000 step calls, and most of their cost is the fixed
cost of NumPy calls on tiny arrays (docs/performance-log.md). The draws here give the same
distribution as the NumPy call each replaces, not the same numbers, so runs change by
Monte Carlo noise only: bench/equivalence.py compares the two codes' runs over many seeds
(docs/performance-log.md, "branch speed5"), and tests/test_fast_draws.py checks each draw's
distribution against the NumPy call it replaces, with a test that a wrong rule fails.

**Poisson counts per region** (``poisson_counts``): drawn as their total first, then split
among the regions. Several steps start their day with ``rng.poisson(lam)`` over the 65 regions (arrests from
the registers, denunciations, the national operations' lines): counts per stratum first,
then who. At 1:1,000 most of those days have no event anywhere (the total of ``lam`` is
a few hundredths), yet each array draw costs about 15 microseconds of NumPy's argument
checks and per-region sampling, and the day's later draws and transitions run on empty
arrays.

The rule is unchanged: the counts are independent Poisson(``lam[r]``). They are drawn by
superposition (the sum of independent Poisson variables is Poisson with the summed mean,
and given the total ``N`` the counts are Multinomial(``N``, ``lam / lam.sum()``)), which
gives exactly the same joint distribution as ``rng.poisson(lam)``: the scalar draw of the
total costs under a microsecond, and on a day with no event nothing else is drawn. The
numbers drawn differ from ``rng.poisson(lam)``'s.

**A sample without replacement** (``distinct_sample``): ``rng.choice(n, size=k,
replace=False)`` costs about 12-16 microseconds for a handful of positions out of the
137,000 officers (the army purge draws one to three times a day). Drawing ``k`` positions
uniformly with replacement (each ``int(u * n)`` for a uniform ``u``, as the project's other
draws of a position are made: its departure from uniform is below ``n / 2**53``) and keeping them if they are distinct gives, on acceptance, every
ordered ``k``-tuple of distinct positions with equal probability, which is the law of
``rng.choice``'s sample; on rejection (rare when ``k * k`` is small against ``n``) the
sample is drawn by ``rng.choice`` itself. A mixture of two draws of the same law has that
law, so the result is exactly a uniform sample without replacement.

**Uniform integers** (``integers_below``): ``rng.integers(0, high, size=n)`` costs about
12 microseconds for a few numbers (its size argument is handled in Python);
``int(u * high)`` for ``n`` uniforms has the same law, up to the departure from uniform
below ``high / 2**53`` noted above.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def poisson_counts(
    rng: np.random.Generator, lam: NDArray[np.float64]
) -> tuple[int, NDArray[np.int64]]:
    """Independent Poisson(``lam[r]``) counts, in distribution as ``rng.poisson(lam)``.

    Returns their total and the counts (int64, shaped like ``lam``; zeros on a day without
    event, which takes one scalar Poisson draw from ``rng``), so that a caller can skip its
    day's later work when the total is 0. A negative or non-finite mean raises
    ``ValueError``, as NumPy's draw does: a total that is not a finite non-negative number
    here, a negative entry in the multinomial split otherwise.
    """
    total = float(lam.sum())
    if not 0.0 <= total < np.inf:
        raise ValueError(f"Poisson means must be finite and non-negative, sum {total}")
    n = rng.poisson(total) if total > 0.0 else 0
    if n == 0:
        return 0, np.zeros(lam.shape, dtype=np.int64)
    counts = rng.multinomial(n, np.ravel(lam) / total).reshape(lam.shape).astype(np.int64)
    return int(n), counts


def distinct_sample(rng: np.random.Generator, n: int, k: int) -> NDArray[np.int64]:
    """``k`` distinct positions of ``0..n-1``, in distribution as ``rng.choice(n, size=k,
    replace=False)`` (a uniformly random ordered sample without replacement)."""
    if k > n or k < 0:
        raise ValueError(f"cannot take {k} distinct positions of {n}")
    if k * k > n:  # collisions would be frequent: NumPy's own method
        return rng.choice(n, size=k, replace=False).astype(np.int64)
    # a position as the project's other draws of one take it, ``int(u * n)`` (registers.py);
    # ``rng.integers(0, n, size=k)`` costs as much as the call it would replace
    drawn = (rng.random(k) * n).astype(np.int64)
    if k < 2 or len(set(drawn.tolist())) == k:
        return drawn
    return rng.choice(n, size=k, replace=False).astype(np.int64)


def integers_below(rng: np.random.Generator, high: int, n: int) -> NDArray[np.int64]:
    """``n`` integers uniform on ``0..high-1``, in distribution as ``rng.integers(0, high,
    size=n)``."""
    if high < 1:
        raise ValueError(f"high must be at least 1, not {high}")
    return (rng.random(n) * high).astype(np.int64)
