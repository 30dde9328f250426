"""The compiled paths of branch speed7 give bit for bit what their NumPy rules give
(docs/performance-log.md, branch speed7); each test also shows that a wrong rule is caught."""

from __future__ import annotations

import numpy as np
import pytest
from compiled_calls import pairwise_sum

from greatterror.model.arrays import Layers
from greatterror.model.calendar import Calendar
from greatterror.model.case_flags import HOLDING
from greatterror.model.flatcalls import close_cases_flat, close_cases_flat_reference
from greatterror.model.pairwise import pairwise_sum_reference
from greatterror.model.state import Cases
from greatterror.vocabulary import OP, STATUSES, Status

LENGTHS = [*range(0, 300), 1000, 8191, 8192, 8193, 20_000]


def test_pairwise_sum_is_numpys_sum_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    for n in LENGTHS:
        a = rng.random(n) * 1e3 + rng.random(n)
        assert pairwise_sum(a, 0, n) == pairwise_sum_reference(a)
        if n > 3:  # a slice starting later, as the kernels use it
            assert pairwise_sum(a, 2, n - 3) == pairwise_sum_reference(a[2 : n - 1])


def test_a_sum_in_order_is_not_numpys_sum() -> None:
    """The test above can fail: adding in order gives other bits on most long arrays."""
    rng = np.random.default_rng(7)
    differ = 0
    for n in (50, 129, 300, 1000):
        a = rng.random(n) * 1e3 + rng.random(n)
        in_order = 0.0
        for x in a.tolist():
            in_order += x
        differ += in_order != pairwise_sum(a, 0, n)
    assert differ >= 2


def _world(n: int, rng: np.random.Generator) -> tuple[Cases, Layers]:
    cases = Cases.empty(n)
    cases.status[:] = rng.integers(0, len(STATUSES), size=n)
    cases.op[:] = rng.choice([0, OP["elite"], OP["kulak_00447"]], size=n)
    people = Layers(
        rng.integers(0, 9, size=n).astype(np.int16),
        rng.random(n) < 0.3,
        np.array([1234.567, 1.0]),
    )
    cases.flags[:] = rng.integers(0, 128, size=n)  # every flag, in any mix
    return cases, people


@pytest.mark.parametrize("hold", [False, True])
@pytest.mark.parametrize("size", [0, 1, 5, 8, 40, 129, 700])
def test_close_cases_flat_equals_the_numpy_rule(hold: bool, size: int) -> None:
    rng = np.random.default_rng(size + hold)
    n = 2000
    fast, people = _world(n, rng)
    rule = Cases.empty(n)
    for name in ("status", "op", "sentence_day", "flags"):
        getattr(rule, name)[:] = getattr(fast, name)
    idx = rng.choice(n, size=size, replace=False).astype(np.int64)
    status, day = int(Status.CAMP), 17
    got = close_cases_flat(idx, status, day, *fast.arrays(), *people, hold)
    want = close_cases_flat_reference(idx, status, day, rule.arrays(), people, hold)
    for g, w in zip(got, want, strict=True):
        if isinstance(w, np.ndarray):
            assert g.tobytes() == w.astype(g.dtype).tobytes()
        else:
            assert g == w and type(g) is type(w)
    for name in ("status", "op", "sentence_day", "flags"):
        assert getattr(fast, name).tobytes() == getattr(rule, name).tobytes()
    if hold:  # the rule's own check: a camp sentence marks everyone closed as held
        assert fast.has(HOLDING, idx).all()
    if size >= 40:  # the test can fail: the weight sums are those of the right people
        assert got[4] != got[5]
        assert 0 < got[6] < size


def test_calendar_marks_exactly_the_days_with_people_due() -> None:
    """``Calendar.take`` answers an empty day from the kind's marks without a compiled
    call: a day is marked while anyone is due on it, in either list, and only then."""
    cal = Calendar(30)
    rng = np.random.default_rng(3)
    due: dict[int, int] = {}
    for _ in range(60):
        size = int(rng.choice([1, 3, 70]))
        idx = rng.integers(0, 1000, size=size).astype(np.int64)
        days = rng.integers(0, 35, size=size)  # some past the end: dropped, not marked
        cal.add("k", idx, days)
        for d in days[days < 30].tolist():
            due[d] = due.get(d, 0) + 1
    marks = cal._kinds["k"].marked
    assert [d for d in range(30) if marks[d]] == sorted(due)
    for day in range(30):
        assert len(cal.take("k", day)) == due.get(day, 0)
        assert not marks[day]


def test_calendar_adds_the_offset_as_numpy_did() -> None:
    """``Calendar.add(kind, idx, delays, day)`` is ``add(kind, idx, delays + day)``, the
    engine's call before (``Engine.schedule_after``); a wrong offset is caught."""
    rng = np.random.default_rng(5)
    fast, rule = Calendar(50), Calendar(50)
    for day in range(40):
        idx = rng.integers(0, 1000, size=int(rng.choice([2, 80]))).astype(np.int64)
        delays = rng.geometric(0.2, size=len(idx))
        fast.add("k", idx, delays, day)
        rule.add("k", idx, delays + day)
    got = [fast.take("k", d) for d in range(50)]
    assert all(np.array_equal(g, rule.take("k", d)) for d, g in enumerate(got))
    shifted = Calendar(50)
    shifted.add("k", np.arange(3, dtype=np.int64), np.array([1, 2, 3]), 1)
    assert len(shifted.take("k", 1)) == 0 and len(shifted.take("k", 2)) == 1
