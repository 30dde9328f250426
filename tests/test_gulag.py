"""The Gulag's terms (model/gulag.py): ranges by channel, release days, the initial stock."""

from __future__ import annotations

import numpy as np

from greatterror.model.gulag import (
    COLONY_BELOW_YEARS,
    GULAG_FLOWS,
    as_day,
    draw_terms,
    gulag_summary,
    initial_terms,
    release_days,
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
    years, colony = initial_terms(np.random.default_rng(3), 20_000, 0.25, 2.5)
    assert abs(colony.mean() - 0.25) < 0.02
    assert years[colony].max() < COLONY_BELOW_YEARS
    assert abs(years[~colony].mean() - 2.5) < 0.1


def test_summary_block_counts_stock_on_first_january() -> None:
    years = np.array([1934, 1935, 1935])
    flows = np.ones((3, len(GULAG_FLOWS)))
    stock = np.full((3, 4), np.nan)
    stock[1] = (10.0, 2.0, 7.0, 1.0)
    out = gulag_summary(flows, stock, years)
    assert out["stock_1jan"] == {
        "1935": {
            "camps": 10.0,
            "colonies": 2.0,
            "non_political_camps": 7.0,
            "non_political_colonies": 1.0,
        }
    }
    assert out["yearly"]["1935"]["released_term"] == 2.0
