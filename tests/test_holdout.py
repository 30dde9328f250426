"""The validation figures a run's summary is compared with (calibration/holdout.py).

Each measure names a fact of the evidence base's validation set, and reads the summary's
blocks as docs/outputs.md describes them. A synthetic summary with known numbers checks the
sums (calendar years, whole operations, the army's events by year). Fast: no simulation.
"""

from __future__ import annotations

from typing import Any

import pytest

from greatterror.calibration.holdout import MEASURES, holdout_values
from greatterror.evidence.loader import load_evidence

YEARS = [str(y) for y in range(1934, 1941)]


def _summary() -> dict[str, Any]:
    yearly = {
        y: {"arrested": 1000.0 * i, "convicted": 100.0 * i, "shot": 10.0 * i, "camp": 1.0 * i}
        for i, y in enumerate(YEARS, 1)
    }
    ops = {
        "kulak_00447": {"arrested": 7.0, "convicted": 6.0, "death_sentences": 5.0},
        "national_polish": {"arrested": 11.0, "convicted": 10.0, "death_sentences": 9.0},
        "national_german": {"arrested": 21.0, "convicted": 20.0, "death_sentences": 19.0},
        "national_harbin": {"arrested": 31.0, "convicted": 30.0, "death_sentences": 29.0},
        "national_latvian": {"arrested": 41.0, "convicted": 40.0, "death_sentences": 39.0},
        "national_other": {"arrested": 51.0, "convicted": 50.0, "death_sentences": 49.0},
        "family": {"arrested": 1000.0, "convicted": 0.0, "death_sentences": 0.0},
    }
    army = {
        event: {y: float(k * 100 + i) for i, y in enumerate(YEARS)}
        for k, event in enumerate(
            ("dismissed_political", "dismissed_other", "arrested_after_dismissal", "reinstated"), 1
        )
    }
    stock = {y: {"camps": 4.0, "colonies": 2.0, "non_political_camps": 3.0} for y in YEARS}
    # Order 00447 by year: arrested i, convicted 10 i, death sentences 100 i (1937: i=4)
    ops_yearly = {
        "kulak_00447": {
            y: {"arrested": 1.0 * i, "convicted": 10.0 * i, "death_sentences": 100.0 * i}
            for i, y in enumerate(YEARS, 1)
        }
    }
    return {
        "yearly": yearly,
        "operations": ops,
        "operations_yearly": ops_yearly,
        "army": army,
        "gulag": {
            "stock_1jan": stock,
            "yearly": {
                "1937": {"died_camp": 30.0, "died_colony": 10.0, "died_transit": 7.0},
                "1938": {"died_camp": 90.0, "died_colony": 20.0, "died_transit": 5.0},
                "1939": {"released_term": 3.0, "released_review": 4.0},
            },
        },
        "elites": {"nkvd_officers": {"arrested": 5.0}, "army_command": {"arrested": 6.0}},
        "demography": {"shot": {"all": {"male_share": 0.9}}},
    }


def test_every_measure_names_a_validation_fact_once() -> None:
    evidence = load_evidence()
    ids = [m.fact_id for m in MEASURES]
    assert len(ids) == len(set(ids))
    for fact_id in ids:
        assert fact_id.startswith("V-") or fact_id in ("G6-men-shot", "G2-gulag-deaths"), fact_id
        assert evidence.fact(fact_id).value is not None


def test_the_measures_read_the_summary_as_documented() -> None:
    got = holdout_values(_summary())
    # the camps' deaths of 1937-38 without the colonies' and without those in transit
    assert got["G2-gulag-deaths"] == pytest.approx((30 - 10) + (90 - 20))
    # yearly rows: 1937 is the 4th year (i=4), 1938 the 5th
    assert got["V-nkvd-011138-arr"] == pytest.approx(4000 + 5000)
    assert got["V-nkvd-011138-conv"] == pytest.approx(400 + 500)
    assert got["V-nkvd-011138-death"] == pytest.approx(40 + 50)
    assert got["V-nkvd-011138-prison"] == pytest.approx(4 + 5)
    assert got["V-nkvd-011138-00447-arr"] == 7.0
    # the national operations only, not the families' (Order 00486)
    assert got["V-nkvd-011138-natop-arr"] == pytest.approx(11 + 21 + 31 + 41 + 51)
    # army events: dismissed_political k=1, dismissed_other k=2, arrested k=3, reinstated k=4;
    # the year index i is 3 for 1937, 4 for 1938, 5 for 1939, 6 for 1940
    assert got["V-army-dism-1937"] == pytest.approx(103 + 203)
    assert got["V-army-dism-pol-1938"] == pytest.approx(104)
    assert got["V-army-dism-1939"] == pytest.approx(105 + 205)
    assert got["V-army-arr-1938"] == pytest.approx(304)
    assert got["V-army-reinst-1939"] == pytest.approx(404 + 405)
    assert got["V-army-reinst-1940"] == pytest.approx(404 + 405 + 406)
    assert got["V-gulag-rel-1939"] == 7.0
    # Order 00447's convictions and death sentences of 1937 (i=4) and 1938 (i=5)
    assert got["V-00447-conv-010138"] == pytest.approx(40.0)
    assert got["V-00447-cat1-010138"] == pytest.approx(400.0)
    assert got["V-00447-conv-1938"] == pytest.approx(50.0)
    assert got["V-00447-cat1-1938"] == pytest.approx(500.0)
    assert got["G6-men-shot"] == pytest.approx(90.0)
    # political camp prisoners: camps less the non-political (model/steps_courts.py)
    assert got["V-gulag-cr-1938"] == pytest.approx(1.0)
    assert got["V-gulag-cr-share-1938"] == pytest.approx(25.0)
