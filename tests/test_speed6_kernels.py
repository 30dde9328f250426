"""The compiled paths of the punishment step give bit for bit what their NumPy rules give
(docs/performance-log.md, branch speed6); each test also shows that a wrong rule is caught."""

from __future__ import annotations

import numpy as np
import pytest

from greatterror.model.calendar import Calendar
from greatterror.model.case_flags import COLONY, HOLDING, SOCIAL_ORDER
from greatterror.model.gulag import YEAR
from greatterror.model.holding import etap_plan, etap_plan_reference
from greatterror.model.purge_state import _changed_counts
from greatterror.model.sorting import drop_sorted, merge_sorted
from greatterror.model.state import Cases
from greatterror.model.term_kernel import term_ends, term_ends_reference
from greatterror.vocabulary import NON_POLITICAL


def _cases(n: int, rng: np.random.Generator) -> Cases:
    cases = Cases.empty(n)
    cases.op[:] = rng.choice([0, 1, NON_POLITICAL], size=n)
    cases.flags[:] = np.where(rng.random(n) < 0.2, SOCIAL_ORDER, 0)
    cases.flags[rng.random(n) < 0.3] |= COLONY  # a term's place replaces an earlier one's
    return cases


def _years(n: int, rng: np.random.Generator) -> np.ndarray:
    """Terms of every kind: ordinary, under and at three years, tiny, exactly half a day off a
    whole day (rounding to even), and long enough to pass the int16 range of release days."""
    years = rng.uniform(0.0, 10.0, size=n)
    years[::7] = 3.0
    years[1::11] = 1e-4
    years[2::13] = (np.arange(len(years[2::13])) + 200.5) / YEAR
    years[3::17] = 95.0
    return years


@pytest.mark.parametrize("credit", [0.0, 0.25, 1.3])
@pytest.mark.parametrize("day", [0, 1500, 1625, 1626, 1700])
def test_term_ends_equal_the_numpy_rule_bit_for_bit(credit: float, day: int) -> None:
    rng = np.random.default_rng(day + int(credit * 10))
    n = 3000
    fast_cases, rule_cases = _cases(n, rng), Cases.empty(n)
    for name in ("op", "flags"):
        getattr(rule_cases, name)[:] = getattr(fast_cases, name)
    idx = rng.choice(n, size=800, replace=False).astype(np.int64)
    years = _years(len(idx), rng)
    abolished = 1626
    ends, moved = term_ends(
        fast_cases, day, idx, years, credit, abolished, NON_POLITICAL, judicial=True
    )
    ends_rule, moved_rule = term_ends_reference(
        rule_cases, day, idx, years, credit, abolished, judicial=True
    )
    assert ends.tobytes() == ends_rule.tobytes()
    assert moved.tobytes() == moved_rule.tobytes()
    assert fast_cases.release_day.tobytes() == rule_cases.release_day.tobytes()
    assert fast_cases.flags.tobytes() == rule_cases.flags.tobytes()
    assert (rule_cases.release_day[idx] == -1).any()  # the int16 range is tested
    # the test can fail: rounding half days up instead of to even moves some releases
    half = day + np.maximum(np.floor(years * YEAR + 0.5).astype(np.int64), 1)
    if credit == 0.0:
        assert not np.array_equal(half, ends)


def test_term_ends_keep_the_last_write_of_a_repeated_person() -> None:
    """A person twice in one batch (never in a run, but NumPy's rule is defined for it): the
    last term wins in both, and both lists of colony convicts read the place after all writes."""
    rng = np.random.default_rng(1)
    a, b = _cases(10, rng), Cases.empty(10)
    b.op[:], b.flags[:] = a.op, a.flags
    idx = np.array([3, 5, 3], dtype=np.int64)
    years = np.array([1.0, 2.0, 7.0])
    fast = term_ends(a, 10, idx, years, 0.25, 1626, NON_POLITICAL, judicial=True)
    rule = term_ends_reference(b, 10, idx, years, 0.25, 1626, judicial=True)
    for x, y in zip(fast, rule, strict=True):
        assert x.tobytes() == y.tobytes()
    assert a.flags.tobytes() == b.flags.tobytes()


def test_merge_and_drop_sorted_equal_numpy_insert_and_delete() -> None:
    """The appeal lists' edits (model/sorting.py) against the NumPy calls they replace, with
    repeated values, values below and above all others, and empty arrays."""
    rng = np.random.default_rng(4)
    for _ in range(300):
        a = np.sort(rng.integers(0, 60, size=rng.integers(0, 30))).astype(np.int64)
        b = np.sort(rng.integers(-5, 70, size=rng.integers(0, 8))).astype(np.int64)
        want = np.insert(a, np.searchsorted(a, b), b)
        got = merge_sorted(a, b)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
        if len(a):
            drop = a[np.sort(rng.integers(0, len(a), size=rng.integers(0, len(a) + 1)))]
            want = np.delete(a, np.searchsorted(a, drop))
            assert drop_sorted(a, drop).tobytes() == want.tobytes()
            # a value not in ``a`` drops the next larger entry, as np.delete does
            gap = np.setdiff1d(np.arange(a.min(), a.max()), a)[:2].astype(np.int64)
            got = drop_sorted(a, gap)
            assert got.tobytes() == np.delete(a, np.searchsorted(a, gap)).tobytes()
    with pytest.raises(IndexError):
        drop_sorted(np.arange(3, dtype=np.int64), np.array([7], dtype=np.int64))
    # the test can fail: a merge that appends instead of inserting is caught
    a, b = np.array([1, 4, 9], dtype=np.int64), np.array([2, 5], dtype=np.int64)
    assert not np.array_equal(np.concatenate([a, b]), merge_sorted(a, b))


@pytest.mark.parametrize("budget", [0.0, 0.5, 1.0, 2500.0, 7000.0, np.inf])
def test_etap_plan_equals_the_numpy_rule(budget: float) -> None:
    """The etap's choice (model/holding.py) over queues with stale entries, colony convicts
    and elite rows, against the rule written with ``channels.affordable``."""
    rng = np.random.default_rng(int(min(budget, 1e6)))
    for _ in range(200):
        n = int(rng.integers(0, 40))
        listed = rng.integers(0, 50, size=n).astype(np.int32)
        flags = rng.integers(0, 128, size=50).astype(np.uint8)  # every flag, in any mix
        flags[rng.random(50) < 0.6] |= HOLDING
        is_elite = rng.random(50) < 0.2
        args = (listed, flags, is_elite, 1000.0, 1.0, budget)
        assert etap_plan(*args) == etap_plan_reference(*args)
    # the test can fail: counting the colony convicts as live changes the plan
    listed = np.arange(4, dtype=np.int32)
    no = np.zeros(4, dtype=bool)
    col = np.array([HOLDING | COLONY, HOLDING, HOLDING, HOLDING], dtype=np.uint8)
    held = np.full(4, HOLDING, dtype=np.uint8)
    assert etap_plan(listed, col, no, 1.0, 1.0, 2.0) != etap_plan(listed, held, no, 1.0, 1.0, 2.0)


def test_calendar_grows_when_a_batch_does_not_fit() -> None:
    """``append_due`` refuses a batch that does not fit without writing anything; the calendar
    then makes room and adds it again (model/calendar.py), keeping every entry and its order."""
    cal = Calendar(6)
    rng = np.random.default_rng(2)
    first = rng.integers(0, 10**6, size=900).astype(np.int64)
    cal.add("k", first, np.full(900, 2, dtype=np.int64))
    size = cal._entries.shape[1]
    big = rng.integers(0, 10**6, size=3000).astype(np.int64)
    due = rng.integers(0, 8, size=3000)  # some past the end of the run: dropped
    cal.add("k", big, due)
    assert cal._entries.shape[1] > size
    for day in range(6):
        want = big[due == day]
        if day == 2:
            want = np.concatenate([first, want])
        np.testing.assert_array_equal(cal.take("k", day), want)


def test_changed_commander_counts_equal_the_numpy_rule() -> None:
    """``Army.new_commander_arrests`` (model/purge_state.py) counts and notes the changed
    arrest counts of the high command as ``count_nonzero(arrests[commanders] != seen)``."""
    rng = np.random.default_rng(6)
    rows = rng.choice(1000, size=60, replace=False).astype(np.int64)
    seen = np.zeros(60, dtype=np.uint8)
    arrests = np.zeros(1000, dtype=np.uint8)
    for _ in range(50):
        arrests[rng.integers(0, 1000, size=rng.integers(0, 40))] += 1
        want = int(np.count_nonzero(arrests[rows] != seen))
        assert _changed_counts(arrests, rows, seen) == want
        assert np.array_equal(seen, arrests[rows])  # the look is noted
    assert _changed_counts(arrests, rows, seen) == 0  # nothing new since
