"""The kernels' integer sorts equal NumPy's (model/sorting.py)."""

from __future__ import annotations

import numpy as np
import pytest
from compiled_calls import search_sorted, sorted_copy, stable_argsort

from greatterror.model.sorting import (
    assert_ascending,
    distinct_with,
    first_per_group,
    in_sorted,
    isin_array,
    isin_set,
)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 31, 32, 33, 200, 5000])
@pytest.mark.parametrize("high", [1, 3, 300, 70_000, 200_000_000])
def test_sorts_equal_numpy(n: int, high: int) -> None:
    rng = np.random.default_rng(n * 7 + high)
    for dtype in (np.int64, np.int32):
        values = rng.integers(0, high, size=n).astype(dtype)
        assert np.array_equal(stable_argsort(values), np.argsort(values, kind="mergesort"))
        assert np.array_equal(sorted_copy(values), np.sort(values))
        assert sorted_copy(values).dtype == values.dtype


def test_negative_and_extreme_values() -> None:
    values = np.array([5, -3, 2**40, -(2**40), 0, 5, -3] * 10, dtype=np.int64)
    assert np.array_equal(stable_argsort(values), np.argsort(values, kind="mergesort"))


@pytest.mark.parametrize("n", [0, 1, 2, 7, 100])
def test_search_sorted_equals_numpy(n: int) -> None:
    rng = np.random.default_rng(n)
    values = np.sort(rng.integers(0, 50, size=n))  # with repeats
    for x in range(-2, 53):
        assert search_sorted(values, x) == np.searchsorted(values, x)


@pytest.mark.parametrize("n", [0, 1, 2, 7, 100, 3000])
@pytest.mark.parametrize("m", [0, 1, 5, 400])
def test_membership_equals_isin(n: int, m: int) -> None:
    """``in_sorted``, ``isin_array`` and ``isin_set`` give ``np.isin``'s answer, repeats,
    negative values and int32 values included."""
    rng = np.random.default_rng(n * 11 + m)
    for dtype in (np.int64, np.int32):
        values = rng.integers(-5, 300, size=n).astype(dtype)
        test = rng.integers(-5, 300, size=m)
        want = np.isin(values, test)
        assert np.array_equal(in_sorted(values.astype(np.int64), np.sort(test)), want)
        assert np.array_equal(isin_array(values, test.astype(dtype)), want)
        assert np.array_equal(isin_set(values, set(test.tolist())), want)
        assert np.array_equal(isin_set(values, test.tolist()), want)
        assert isin_set(values, set()).dtype == np.bool_


@pytest.mark.parametrize("n", [0, 1, 5, 40, 2000])
def test_distinct_with_and_first_per_group_equal_numpy(n: int) -> None:
    """``distinct_with`` and ``first_per_group`` give the NumPy rules of
    ``steps_courts.draw_convicts`` (a stable sort by group and each item's rank in it)."""
    rng = np.random.default_rng(n + 5)
    status = rng.integers(0, 3, size=500).astype(np.uint8)
    group = rng.integers(0, 7, size=500).astype(np.uint8)
    for dtype in (np.int64, np.int32):
        values = rng.integers(0, 500, size=n).astype(dtype)
        a = np.unique(values).astype(np.int64)
        want = a[status[a] == 1]
        got = distinct_with(values, status, 1)
        assert got.dtype == np.int64 and np.array_equal(got, want)
    items = rng.permutation(want)
    counts = rng.integers(0, 6, size=7).astype(np.int64)
    g = group[items].astype(np.int64)
    order = np.argsort(g, kind="stable")
    sg = g[order]
    rank = np.arange(len(order)) - np.searchsorted(sg, sg, side="left")
    expect = np.sort(items[order[rank < counts[sg]]])
    assert np.array_equal(first_per_group(items, group, counts), expect)
    # a rule that keeps the last ones of each group instead gives other items
    if n == 2000:
        assert not np.array_equal(first_per_group(items[::-1], group, counts), expect)


def test_wrappers_refuse_floats_and_other_shapes() -> None:
    """``isin_array`` and ``isin_set`` refuse float values or members (a cast to int64 would
    truncate 1.5 to 1 where ``np.isin`` finds no match) and non-1-D input (review14 F13)."""
    with pytest.raises(TypeError):
        isin_array(np.array([1.5]), np.array([1]))
    with pytest.raises(TypeError):
        isin_array(np.array([1]), np.array([1.5]))
    with pytest.raises(TypeError):
        isin_set(np.array([1]), {1.5})
    with pytest.raises(TypeError):
        isin_array(np.zeros((2, 2), dtype=np.int64), np.array([1]))
    # empty input of any dtype holds no value to truncate
    assert isin_array(np.array([]), np.array([1])).shape == (0,)


def test_in_sorted_takes_an_int32_table_and_its_precondition_is_checked() -> None:
    """``in_sorted`` answers against an int32 table without a cast; on an unsorted table it
    answers wrongly (its documented precondition), which ``assert_ascending`` catches."""
    table = np.array([1, 5, 9], dtype=np.int32)
    values = np.array([9, 2, 5], dtype=np.int64)
    assert np.array_equal(in_sorted(values, table), np.isin(values, table))
    assert_ascending(table)
    with pytest.raises(ValueError):
        assert_ascending(np.array([9, 1, 5]))


def test_distinct_with_and_first_per_group_check_bounds() -> None:
    """An index outside ``status``, ``group`` or ``counts`` raises ``IndexError``, as NumPy's
    indexing does, instead of reading other memory (review14 F13)."""
    with pytest.raises(IndexError):
        distinct_with(np.array([0, 3]), np.zeros(3, dtype=np.uint8), 0)
    with pytest.raises(IndexError):
        distinct_with(np.array([-1]), np.zeros(3, dtype=np.uint8), 0)
    with pytest.raises(IndexError):
        first_per_group(np.array([0, 4]), np.zeros(4, dtype=np.uint8), np.ones(1, np.int64))
    with pytest.raises(IndexError):
        first_per_group(np.array([0]), np.array([2], dtype=np.uint8), np.ones(2, np.int64))


def test_the_bounds_check_is_compiled_for_int64_only() -> None:
    """Chores23: ``first_per_group``'s groups are regions (uint8), and the bounds check was
    compiled for uint8 as well as int64 in every first run; it is given int64 always."""
    from greatterror.model.sorting import _check_index, _outside

    region = np.array([0, 1, 1, 0], dtype=np.uint8)
    first_per_group(np.array([0, 1, 2]), region, np.ones(2, np.int64))
    _check_index(np.array([1, 2], dtype=np.int32), 3, "int32")
    _check_index(np.arange(6)[::2], 5, "a strided view")
    assert {(sig[0].dtype.name, sig[0].layout) for sig in _outside.signatures} == {("int64", "C")}
    with pytest.raises(IndexError, match=r"an index outside 0\.\.1"):
        _check_index(np.array([2], dtype=np.uint8), 2, "uint8")
    with pytest.raises(IndexError, match=r"an index outside 0\.\.1"):
        _check_index(np.array([2**64 - 1], dtype=np.uint64), 2, "uint64")


@pytest.mark.parametrize("idx", [np.array([True, False]), np.array([1.7]), np.array([], float)])
def test_the_bounds_check_refuses_a_non_integer_index(idx: np.ndarray) -> None:
    """Review23 F13: the cast to int64 would read a bool mask as the indices 0 and 1 and cut
    1.7 to 1 without a sign; a dtype that is not integer is refused instead."""
    from greatterror.model.sorting import _check_index

    with pytest.raises(TypeError, match=r"bounds: integer indices are needed, not (bool|float64)"):
        _check_index(idx, 3, "bounds")
