"""The Gulag's terms (model/gulag.py): ranges by channel, release days, the initial stock."""

from __future__ import annotations

import numpy as np

from greatterror.model.gulag import (
    COLONY_BELOW_YEARS,
    GULAG_FLOWS,
    INITIAL_CAMP_TERMS,
    as_day,
    draw_terms,
    gulag_summary,
    initial_terms,
    release_days,
    residual_terms,
    term_range,
)

PARAMS = {"court_term_mean_years": 5.0}


def test_order_00447_category_2_terms_are_8_to_10_years() -> None:
    years = draw_terms(np.random.default_rng(1), 10_000, term_range("troika", PARAMS))
    assert years.min() >= 8.0 and years.max() <= 10.0


def test_court_terms_follow_the_parameter() -> None:
    terms = term_range("courts", {"court_term_mean_years": 3.0})
    years = draw_terms(np.random.default_rng(2), 50_000, terms)
    assert (terms.low, terms.high) == (1.0, 5.0)
    assert abs(years.mean() - 3.0) < 0.05


def test_a_term_ends_after_its_sentence() -> None:
    ends = release_days(100, np.array([0.0, 0.001, 1.0]))
    assert ends.tolist() == [101, 101, 100 + 365]
    assert as_day(np.array([40_000, 5])).tolist() == [-1, 5]


def test_initial_colony_terms_are_under_three_years() -> None:
    years, colony = initial_terms(np.random.default_rng(3), 20_000, 0.25)
    assert abs(colony.mean() - 0.25) < 0.02
    assert years[colony].max() < COLONY_BELOW_YEARS
    assert years[~colony].max() < INITIAL_CAMP_TERMS.high


def test_remaining_terms_are_those_of_a_steady_inflow() -> None:
    """Held prisoners' terms are length-biased and half served on average: on 3-10 years the
    mean remaining term is (10^3 - 3^3) / (3 (10^2 - 3^2)), about 3.56 years."""
    rng = np.random.default_rng(4)
    years = residual_terms(rng, 200_000, INITIAL_CAMP_TERMS)
    expected = (10.0**3 - 3.0**3) / (3.0 * (10.0**2 - 3.0**2))
    assert abs(years.mean() - expected) < 0.02
    assert years.min() >= 0.0 and years.max() < 10.0
    # against a steady inflow simulated outright: sentences every day for 30 years, terms
    # uniform on 3-10 years, the remaining terms of those held on the last day
    start = rng.uniform(0.0, 30.0, 400_000)
    term = rng.uniform(3.0, 10.0, 400_000)
    held = start + term > 30.0
    held &= start > 10.0  # far enough from the beginning to be steady
    remaining = start[held] + term[held] - 30.0
    assert abs(remaining.mean() - years.mean()) < 0.05
    assert abs(np.median(remaining) - np.median(years)) < 0.08


def test_summary_block_counts_stock_on_first_january() -> None:
    years = np.array([1934, 1935, 1935])
    flows = np.ones((3, len(GULAG_FLOWS)))
    stock = np.full((3, 5), np.nan)
    stock[1] = (10.0, 2.0, 7.0, 1.0, 0.5)
    out = gulag_summary(flows, stock, years)
    assert out["stock_1jan"] == {
        "1935": {
            "camps": 10.0,
            "colonies": 2.0,
            "non_political_camps": 7.0,
            "non_political_colonies": 1.0,
            "criminal_line_camps": 0.5,
        }
    }
    assert out["yearly"]["1935"]["released_term"] == 2.0
