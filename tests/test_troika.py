"""The troikas' category follows the lists and the region's limits (model/troika.py, M16).

The kernel against the rule stated readably (a property test over random queues and limits),
the first category's July list sentenced in category 1, the other cases in proportion to what
is left of the limits, the death share rising once first-category increases arrive, the
fallback beyond the limits, and the split of the requested increases taken from the evidence.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greatterror.evidence.loader import load_evidence
from greatterror.evidence.schema import LimitIncrease
from greatterror.model.kernels import Limits, TroikaQueue, troika_verdicts
from greatterror.model.limits import increase_cat1_share
from greatterror.model.troika import troika_reference, wish_fallback


def _limits(limit1, limit2, used1=None, used2=None) -> Limits:
    limit1, limit2 = np.asarray(limit1, float), np.asarray(limit2, float)
    return Limits(
        limit1.copy(),
        np.zeros_like(limit1) if used1 is None else np.asarray(used1, float).copy(),
        limit2.copy(),
        np.zeros_like(limit2) if used2 is None else np.asarray(used2, float).copy(),
    )


def _ahead(n: int, ahead: bool = True) -> np.ndarray:
    """Whether each case that fits neither limit is sentenced beyond them (else held)."""
    return np.full(n, ahead)


def _queue(
    rng: np.random.Generator, n: int, regions: int, weight: float = 1.0, first: int = 0
) -> TroikaQueue:
    """``n`` cases, the first ``first`` of them of the first category's July list."""
    return TroikaQueue(
        region=rng.integers(0, regions, size=n).astype(np.int64),
        weight=np.full(n, weight),
        u_wish=rng.random(n),
        u=rng.random(n),
        first=np.arange(n) < first,
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 80),
    regions=st.integers(1, 4),
    budget=st.sampled_from([0.0, 7.5, 40.0, np.inf]),
    ceiling=st.booleans(),
)
def test_kernel_follows_the_rule_of_the_component(seed, n, regions, budget, ceiling) -> None:
    rng = np.random.default_rng(seed)
    cases = TroikaQueue(
        region=rng.integers(0, regions, size=n).astype(np.int64),
        weight=rng.choice([0.5, 1.0, 3.0], size=n),
        u_wish=rng.random(n),
        u=rng.random(n),
        first=rng.random(n) < 0.3,
    )
    # limits with some regions partly used, some used up, some over their limit already
    limit1, limit2 = rng.choice([0.0, 5.0, 20.0], (2, regions))
    used1, used2 = rng.choice([0.0, 4.0, 25.0], (2, regions))
    fallback = rng.random(regions)
    fast, slow = _limits(limit1, limit2, used1, used2), _limits(limit1, limit2, used1, used2)
    ahead = rng.random(n) < rng.choice([0.0, 0.5, 1.0])  # sentenced beyond the limits, or held
    verdict, spent = troika_verdicts(cases, fast, float(budget), ceiling, fallback, ahead)
    want, want_spent = troika_reference(cases, slow, float(budget), ceiling, fallback, ahead)
    np.testing.assert_array_equal(verdict, want)
    assert spent == want_spent
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(a, b)


def _death_share(verdict: np.ndarray) -> float:
    decided = verdict > 0
    return float(np.isin(verdict[decided], (1, 3)).mean())


def test_the_july_list_is_sentenced_in_category_1_and_the_rest_to_the_limits() -> None:
    """A region with 2,000 in category 1 and 8,000 in category 2 whose first 1,500 cases are
    of the first category's July list: those are sentenced to death; the others fall in
    category 1 in the share of what is left of that limit (500 of 8,500 at first), so the
    troika passes category-2 sentences from its first day (the first rule, the first
    category first for every case, passed none until the category-1 limit was used up), and
    both limits are filled together."""
    rng = np.random.default_rng(7)
    limits = _limits([2000.0], [8000.0])
    fallback = np.array([0.5])
    verdict, _ = troika_verdicts(
        _queue(rng, 10_000, 1, first=1500), limits, np.inf, True, fallback, _ahead(10_000)
    )
    assert (verdict[:1500] == 1).all()
    rest = verdict[1500:3000]
    assert 0.01 < _death_share(rest) < 0.12  # about 500 / 8,500 and falling
    assert (verdict == 2)[1500:3000].sum() > 1300
    assert limits.used1[0] == pytest.approx(2000, abs=1)
    assert limits.used2[0] == pytest.approx(8000, abs=1)


def test_the_death_share_rises_with_first_category_increases() -> None:
    """A first-category increase (like Ukraine's of September 1937) turns the next cases to
    death in the share it adds to what is left of the limits."""
    rng = np.random.default_rng(8)
    limits = _limits([2000.0], [8000.0])
    fallback = np.array([0.5])
    verdict, _ = troika_verdicts(_queue(rng, 5000, 1), limits, np.inf, True, fallback, _ahead(5000))
    before = _death_share(verdict)
    assert before == pytest.approx(0.2, abs=0.03)
    limits.limit1[0] += 6000.0
    verdict, _ = troika_verdicts(_queue(rng, 5000, 1), limits, np.inf, True, fallback, _ahead(5000))
    assert _death_share(verdict) > before + 0.3


def test_a_limit_is_exceeded_within_the_limits_by_less_than_one_case() -> None:
    """Cases of weight 100 of the first category's list against 1,050 left in category 1: the
    remainder of 50 is taken by a case with probability 1/2 each time one tries it, so 10 or 11
    are sentenced to death within the limit, never more."""
    got = set()
    for seed in range(20):
        rng = np.random.default_rng(seed)
        limits = _limits([1050.0], [10_000.0])
        verdict, _ = troika_verdicts(
            _queue(rng, 40, 1, weight=100.0, first=40),
            limits,
            np.inf,
            True,
            np.array([0.5]),
            _ahead(40),
        )
        got.add(int((verdict == 1).sum()))
        assert limits.used1[0] < 1050.0 + 100.0
    assert got <= {10, 11}


def test_beyond_both_limits_the_troika_follows_its_last_request() -> None:
    """Once both limits are used up, cases take the composition of the region's last request
    (``fallback``), beyond the limits."""
    rng = np.random.default_rng(11)
    limits = _limits([1000.0], [3000.0])
    cases = _queue(rng, 8000, 1, first=500)
    verdict, _ = troika_verdicts(cases, limits, np.inf, True, np.array([0.8]), _ahead(8000))
    assert (verdict[:4000] <= 2).all() and (verdict[4000:] >= 3).all()
    assert (verdict[:500] == 1).all()
    assert (verdict[:4000] == 1).sum() == pytest.approx(1000, abs=1)
    assert np.mean(verdict[4000:] == 3) == pytest.approx(0.8, abs=0.03)
    assert limits.used1[0] == pytest.approx(1000 + (verdict == 3).sum())


def test_a_case_not_drawn_ahead_is_held_and_spends_nothing() -> None:
    """Rule R1: once both limits are used up, a case not drawn to be sentenced ahead of the
    sanction is held (verdict -2): it counts neither in the used limits nor in the day's
    budget; a case that fits a limit is sentenced whatever its draw; with every case drawn
    ahead the verdicts are those without the rule."""
    rng = np.random.default_rng(12)
    cases = _queue(rng, 8000, 1, first=500)
    ahead = rng.random(8000) < 0.4
    with_rule, without = _limits([1000.0], [3000.0]), _limits([1000.0], [3000.0])
    fallback = np.array([0.8])
    verdict, spent = troika_verdicts(cases, with_rule, np.inf, True, fallback, ahead)
    plain, plain_spent = troika_verdicts(cases, without, np.inf, True, fallback, _ahead(8000))
    within = plain <= 2
    np.testing.assert_array_equal(verdict[within], plain[within])
    assert (verdict[~within & ahead] >= 3).all()
    assert (verdict[~within & ~ahead] == -2).all()
    held = verdict == -2
    assert held.sum() == pytest.approx(0.6 * (~within).sum(), rel=0.05)
    assert spent == pytest.approx(plain_spent - held.sum())
    total = with_rule.used1[0] + with_rule.used2[0]
    assert total == pytest.approx(without.used1[0] + without.used2[0] - held.sum())


def test_without_limits_the_wish_is_the_constant_share() -> None:
    """M16 off: no central limits; each case wishes category 1 with ``cat1_share_troika``."""
    rng = np.random.default_rng(3)
    limits = _limits([10.0, 0.0], [1000.0, 0.0])
    cases = _queue(rng, 6000, 2)
    fallback = np.full(2, 0.35)
    verdict, _ = troika_verdicts(cases, limits, np.inf, False, fallback, _ahead(6000, False))
    assert set(np.unique(verdict)) <= {1, 2}
    for r in (0, 1):
        assert _death_share(verdict[cases.region == r]) == pytest.approx(0.35, abs=0.03)


def test_the_fallback_is_the_last_request_else_the_limits_else_the_constant() -> None:
    class Inst:
        limit_cat1 = np.array([100.0, 100.0, 0.0])
        limit_cat2 = np.array([300.0, 300.0, 0.0])
        asked_share = np.array([0.9, np.nan, np.nan])

    np.testing.assert_allclose(wish_fallback(Inst, 0.5, True), [0.9, 0.25, 0.5])  # type: ignore[arg-type]
    np.testing.assert_allclose(wish_fallback(Inst, 0.5, False), [0.5, 0.5, 0.5])  # type: ignore[arg-type]


def _row(id_: str, cat1, cat2, total=None) -> LimitIncrease:
    return LimitIncrease(id=id_, date="1937-09-05", cat1=cat1, cat2=cat2, total=total, source="x")


def test_the_split_of_increases_counts_only_rows_that_give_both_categories() -> None:
    rows = [_row("a", 300, 100), _row("b", 1000, None), _row("c", None, None, 500), _row("d", 0, 0)]
    assert increase_cat1_share(rows) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="cat1 and cat2"):
        increase_cat1_share([_row("b", 1000, None)])


def test_the_shipped_increases_asked_mostly_for_the_first_category() -> None:
    """Werth 2010 (fact G3-inc-factor): the category-1 limits grew about fivefold and the
    category-2 limits about twofold, so most of what was added was category 1."""
    evidence = load_evidence()
    share = increase_cat1_share(evidence.increases)
    growth = evidence.fact("G3-inc-factor")
    initial1, initial2 = evidence.value("G3-lim-cat1"), evidence.value("G3-lim-cat2")
    added1 = (growth.value_high - 1) * initial1  # category 1: the high end, about fivefold
    added2 = (growth.value_low - 1) * initial2  # category 2: the low end, about twofold
    werth = added1 / (added1 + added2)
    assert 0.5 < share < 1.0
    assert 0.5 < werth < share + 0.2
