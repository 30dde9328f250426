"""CountedSubset (model/subsets.py) against the NumPy rule it replaces, and the premise of its use."""

from __future__ import annotations

import numpy as np
import pytest

from greatterror.model.subsets import CountedSubset


def test_size_and_nth_follow_the_mask_through_changes() -> None:
    rng = np.random.default_rng(5)
    for n in (1, 2, 7, 64, 1000, 4099):
        mask = rng.random(n) < 0.6
        subset = CountedSubset(mask)
        reference = mask.copy()
        for _ in range(30):
            pos = rng.integers(0, n, size=int(rng.integers(0, 12)))  # repeats included
            if rng.random() < 0.5:
                subset.add(pos)
                reference[pos] = True
            else:
                subset.remove(pos)
                reference[pos] = False
            members = np.flatnonzero(reference)
            assert len(subset) == len(members)
            assert (subset.mask == reference).all()
            if len(members):
                ks = rng.integers(0, len(members), size=min(len(members), 9))
                assert np.array_equal(subset.nth(ks), members[ks])
                assert np.array_equal(subset.nth(np.arange(len(members))), members)


def test_the_subset_owns_its_mask_and_refuses_out_of_range() -> None:
    mask = np.array([True, False, True])
    subset = CountedSubset(mask)
    subset.remove(np.array([0]))
    assert mask[0] and not subset.mask[0]
    with pytest.raises(IndexError):
        subset.nth(np.array([1]))


@pytest.mark.parametrize(("size", "k"), [(137_191, 1), (137_191, 40), (137_191, 5_000), (9, 4)])
def test_choice_from_an_array_draws_as_choice_of_its_positions(size: int, k: int) -> None:
    """The army purge relies on this: ``choice(a)`` equals ``a[choice(len(a))]``, same stream."""
    a = np.sort(np.random.default_rng(1).choice(10 * size, size=size, replace=False))
    one, two = np.random.default_rng(3), np.random.default_rng(3)
    assert np.array_equal(
        one.choice(a, size=k, replace=False), a[two.choice(size, size=k, replace=False)]
    )
    assert one.random() == two.random()
