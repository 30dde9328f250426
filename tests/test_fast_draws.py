"""The draws of model/fast_draws.py have the law of the NumPy calls they replace.

Each check is a goodness-of-fit test at a small significance level on many draws from a
fixed seed (so it is deterministic), and each is shown to reject a plausible wrong rule,
so that the tests can fail.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from greatterror.model.fast_draws import distinct_sample, integers_below, poisson_counts

LAM = np.array([0.0, 0.004, 0.02, 0.05, 0.006, 0.0, 0.1, 0.03])  # a quiet day's regions
REPS = 40_000


def _counts_by_region(draw, lam: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([draw(rng, lam) for _ in range(REPS)])


def _ours(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    return poisson_counts(rng, lam)[1]


def _poisson_fit_p(samples: np.ndarray, lam: np.ndarray) -> float:
    """The smallest p-value of chi-square tests of each region's counts (0, 1, 2+) and of
    the day's total (0, 1, 2, 3+) against Poisson with mean ``lam`` (and ``lam.sum()``)."""
    ps = []

    def chi2(observed: np.ndarray, mean: float, cells: int) -> float:
        probs = stats.poisson.pmf(np.arange(cells - 1), mean)
        probs = np.append(probs, 1.0 - probs.sum())
        obs = np.bincount(np.minimum(observed, cells - 1), minlength=cells)
        keep = probs * len(observed) >= 5  # cells with too small an expectation are pooled
        exp = probs * len(observed)
        o = np.append(obs[keep], obs[~keep].sum())
        x = np.append(exp[keep], exp[~keep].sum())
        o, x = o[x > 0], x[x > 0]
        if len(o) < 2:
            return 1.0
        return float(stats.chisquare(o, x * o.sum() / x.sum()).pvalue)

    for r, mean in enumerate(lam):
        if mean == 0:
            ps.append(1.0 if samples[:, r].max() == 0 else 0.0)
        else:
            ps.append(chi2(samples[:, r], mean, 3))
    ps.append(chi2(samples.sum(axis=1), float(lam.sum()), 4))
    return min(ps)


def test_poisson_counts_have_the_law_of_numpy_poisson() -> None:
    ours = _counts_by_region(_ours, LAM, 1)
    assert ours.dtype == np.int64 and ours.shape == (REPS, len(LAM))
    # Bonferroni over the 9 tests of each sample
    assert _poisson_fit_p(ours, LAM) > 0.001 / 9
    numpy = _counts_by_region(lambda rng, lam: rng.poisson(lam), LAM, 2)
    assert _poisson_fit_p(numpy, LAM) > 0.001 / 9
    # independent regions: the counts of two regions are uncorrelated
    corr = np.corrcoef(ours[:, 3], ours[:, 6])[0, 1]
    assert abs(corr) < 4 / np.sqrt(REPS)
    # the means agree with NumPy's per-region draw
    se = np.sqrt(LAM / REPS * 2) + 1e-12
    assert np.all(np.abs(ours.mean(axis=0) - numpy.mean(axis=0)) < 4.5 * se)


def test_the_poisson_check_rejects_a_wrong_split() -> None:
    # a total of the right law split equally among the regions with a positive mean
    def equal_split(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
        n = rng.poisson(lam.sum())
        shares = (lam > 0) / np.count_nonzero(lam)
        return rng.multinomial(n, shares)

    assert _poisson_fit_p(_counts_by_region(equal_split, LAM, 3), LAM) < 1e-6
    # the right split of a total drawn with a mean 10% too high
    too_many = _counts_by_region(lambda rng, lam: _ours(rng, 1.1 * lam), LAM, 4)
    assert _poisson_fit_p(too_many, LAM) < 0.001 / 9


def test_poisson_counts_large_means_and_bad_input() -> None:
    rng = np.random.default_rng(5)
    lam = np.array([30.0, 0.0, 5.0, 200.0])
    draws = np.array([poisson_counts(rng, lam)[1] for _ in range(4000)])
    assert np.all(np.abs(draws.mean(axis=0) - lam) < 4.5 * np.sqrt(lam / 4000) + 1e-12)
    assert np.all(np.abs(draws.var(axis=0) - lam) < 0.15 * lam + 1e-12)
    n, counts = poisson_counts(rng, np.zeros(65))
    assert n == 0 and counts.shape == (65,) and not counts.any()
    with pytest.raises(ValueError):
        poisson_counts(rng, np.array([0.1, np.nan]))
    with pytest.raises(ValueError):
        poisson_counts(rng, np.array([50.0, -1.0]))


def _tuple_fit_p(draw, n: int, k: int, reps: int, seed: int) -> float:
    """Chi-square p-value of the ordered k-tuples drawn against the uniform law over the
    ordered k-tuples of distinct positions (which is ``rng.choice(n, k, replace=False)``'s);
    0 if any tuple repeats a position."""
    rng = np.random.default_rng(seed)
    index = {t: i for i, t in enumerate(itertools.permutations(range(n), k))}
    counts = np.zeros(len(index))
    for _ in range(reps):
        t = tuple(int(x) for x in draw(rng, n, k))
        if len(set(t)) != k:
            return 0.0
        counts[index[t]] += 1
    return float(stats.chisquare(counts).pvalue)


@pytest.mark.parametrize(("n", "k"), [(10, 3), (7, 1), (6, 3)])
def test_distinct_sample_is_uniform_without_replacement(n: int, k: int) -> None:
    # (10, 3) rejects about a quarter of its first draws and takes NumPy's; (6, 3) takes
    # NumPy's method (k * k > n); (7, 1) one position
    reps = 60 * int(np.prod(np.arange(n - k + 1, n + 1)))
    assert _tuple_fit_p(distinct_sample, n, k, reps, 6) > 0.001
    rng = np.random.default_rng(7)
    assert len(distinct_sample(rng, 5, 0)) == 0
    with pytest.raises(ValueError):
        distinct_sample(rng, 3, 4)


def test_the_tuple_check_rejects_a_biased_sample() -> None:
    # a plausible wrong rule: a repeated position is moved to the next free one
    def shifted(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
        out: list[int] = []
        for x in rng.integers(0, n, size=k).tolist():
            while x in out:
                x = (x + 1) % n
            out.append(x)
        return np.array(out)

    assert _tuple_fit_p(shifted, 10, 3, 60 * 720, 8) < 1e-6


def _integers_fit_p(draw, high: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    values = np.concatenate([draw(rng, high, int(k)) for k in rng.integers(0, 6, size=20_000)])
    if values.min() < 0 or values.max() >= high:
        return 0.0
    return float(stats.chisquare(np.bincount(values, minlength=high)).pvalue)


def test_integers_below_are_uniform_and_a_wrong_range_fails() -> None:
    assert _integers_fit_p(integers_below, 30, 9) > 0.001
    assert _integers_fit_p(lambda rng, h, n: rng.integers(0, h, size=n), 30, 10) > 0.001
    # one value short of the range (a plausible off-by-one) is detected
    assert _integers_fit_p(lambda rng, h, n: integers_below(rng, h - 1, n), 30, 11) < 1e-6
    assert integers_below(np.random.default_rng(1), 30, 0).dtype == np.int64
    with pytest.raises(ValueError):
        integers_below(np.random.default_rng(1), 0, 3)
