"""The validation figures a run's summary is compared with (calibration/holdout.py).

Each measure names a fact of the evidence base's validation set, and reads the summary's
blocks as docs/outputs.md describes them. A synthetic summary with known numbers checks the
sums (calendar years, whole operations, the army's events by year). Fast: no simulation.
"""

from __future__ import annotations

from typing import Any

import pytest

from greatterror.calibration.holdout import (
    IN_SAMPLE_CHECKS,
    MEASURES,
    NAMED_FACTS,
    OUT_OF_SAMPLE,
    holdout_values,
)
from greatterror.calibration.series import COLUMNS, Series
from greatterror.evidence.loader import load_evidence
from greatterror.vocabulary import LINES_OF

YEARS = [str(y) for y in range(1934, 1941)]


def _summary() -> dict[str, Any]:
    yearly = {
        y: {
            "arrested": 1000.0 * i,
            "convicted": 100.0 * i,
            "shot": 10.0 * i,
            "camp": 1.0 * i,
            "exile": 0.5 * i,
            "other": 0.25 * i,
        }
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
        "families": {"children_to_homes": 0.0},
        "yearly": yearly,
        "operations": ops,
        "operations_yearly": ops_yearly,
        "army": army,
        "gulag": {
            "stock_1jan": stock,
            "prisons": {
                "1939-04-01": 8.0,
                "1939-07-01": 9.0,
                "1939-10-01": 10.0,
                "1940-01-01": 11.0,
            },
            "yearly": {
                "1937": {"died_camp": 30.0, "died_colony": 10.0, "died_transit": 7.0},
                "1938": {"died_camp": 90.0, "died_colony": 20.0, "died_transit": 5.0},
                "1939": {"released_term": 3.0, "released_review": 4.0},
            },
        },
        "elites": {
            "nkvd_officers": {"arrested": 5.0},
            "army_command": {"arrested": 6.0},
            "cc_1934": {"arrested": 110.0},
            "cc_1934_politburo": {"arrested": 4.0},
        },
        # the NKVD officers' arrests by half month: the first and the last bins are outside
        # 1 Oct 1936 - 15 Aug 1938, the others inside
        "nkvd_cadres": {
            "arrested_by_half_month": {
                "1936-09-16": 1,
                "1936-10-01": 2,
                "1937-03-16": 30,
                "1938-08-01": 400,
                "1938-08-16": 5000,
            }
        },
        "demography": {"shot": {"all": {"male_share": 0.9}}},
        # the cases before sentence on the first of two months, and the releases before
        # sentence since the run's start (cumulative)
        "pretrial": {
            "held": {"1936-10-01": 30.0, "1938-11-01": 300.0},
            "released": {"1936-10-01": 3.0, "1938-11-01": 10.0},
        },
        # Poles are 0.75 of the Polish operation's 9 death sentences
        "national_nationality": {"national_polish": {"shot": 0.75}},
        # Order 00447's lines: 200 arrests in all, 50 former kulaks, 100 criminals
        "lines": {
            name: {"arrested": n}
            for name, n in zip(
                LINES_OF["kulak_00447"], (50.0, 10.0, 20.0, 100.0, 5.0, 15.0), strict=True
            )
        }
        | {"pol_pow": {"arrested": 1000.0}},
        # by day: from 5 to 15 Aug 1937, both included, 30 former kulaks, 10 criminals and 60
        # on the other lines, the camps' 50 among them (not the 1,000 of 4 Aug, nor those of
        # 16 Aug on); to 1 Sep included 140 and 140 of 360 (not the 1,000 of 2 Sep)
        "lines_by_day": {
            "former_kulak": {"1937-08-04": 1000.0, "1937-08-05": 10.0, "1937-08-15": 20.0}
            | {"1937-08-16": 10.0, "1937-09-01": 100.0, "1937-09-02": 1000.0},
            "clergy_sectarian": {"1937-08-16": 10.0},
            "party_officer": {"1937-08-06": 5.0},
            "criminal": {"1937-08-10": 10.0, "1937-08-20": 30.0, "1937-09-01": 100.0},
            "camp_prisoner": {"1937-08-10": 50.0},
            "anti_soviet_other": {"1937-08-07": 5.0, "1937-08-31": 10.0},
        },
        "targeted": {"marks": {"clergy_sectarian": {"arrested": 12.0}}},
        "oppositionists_arrested_by_plenum_1937": 18.0,
        "trials": [
            {"id": trial_id, "defendants": 10.0 + i, "death_sentences": float(i)}
            for i, trial_id in enumerate(TRIALS)
        ],
    }


TRIALS = (
    "leningrad_centre_1934",
    "moscow_centre_1935",
    "trial_of_16_1936",
    "trial_of_17_1937",
    "military_1937",
    "trial_of_21_1938",
)


def _series() -> Series:
    """Arrests and sentences of Order 00447 on days around the figures' dates, in Moscow
    oblast and elsewhere, and arrests in the Latvian and the ordinary operations."""
    rows = [
        ("1937-08-04", "moscow_obl", "kulak_00447", "arrested", 1.0),  # before the order
        ("1937-08-05", "moscow_obl", "kulak_00447", "arrested", 2.0),
        ("1937-08-15", "gorky_obl", "kulak_00447", "arrested", 4.0),
        ("1937-08-16", "gorky_obl", "kulak_00447", "arrested", 8.0),
        ("1937-09-01", "moscow_obl", "kulak_00447", "convicted_cat1", 16.0),
        ("1937-09-02", "belorussian_ssr", "kulak_00447", "convicted_camp", 32.0),
        ("1938-02-04", "gorky_obl", "kulak_00447", "convicted_exile", 64.0),
        ("1938-02-05", "gorky_obl", "kulak_00447", "convicted_cat1", 128.0),
        ("1938-11-17", "belorussian_ssr", "kulak_00447", "convicted_cat1", 256.0),
        ("1938-11-18", "moscow_obl", "kulak_00447", "convicted_cat1", 512.0),
        ("1938-01-10", "moscow_obl", "national_latvian", "arrested", 20.0),
        ("1938-02-08", "moscow_obl", "national_latvian", "arrested", 10.0),
        ("1936-09-30", "moscow_obl", "ordinary", "arrested", 1000.0),
        ("1938-07-01", "moscow_obl", "ordinary", "arrested", 3000.0),
        ("1938-07-01", "moscow_obl", "non_political", "arrested", 5000.0),
        # the last months before the halt: 2 Jul - 1 Nov 1938, both ends included
        ("1938-07-02", "moscow_obl", "national_polish", "arrested", 40.0),
        ("1938-11-01", "gorky_obl", "kulak_00447", "arrested", 80.0),
        ("1938-11-02", "gorky_obl", "kulak_00447", "arrested", 160.0),
    ]
    columns = list(zip(*rows, strict=True))
    return Series.of(dict(zip(COLUMNS, columns, strict=True)))


def test_every_measure_names_a_validation_fact_once() -> None:
    evidence = load_evidence()
    ids = [m.fact_id for m in MEASURES]
    assert len(ids) == len(set(ids))
    for fact_id in ids:
        assert fact_id.startswith("V-") or fact_id in NAMED_FACTS, fact_id
        assert evidence.fact(fact_id).value is not None
    assert {
        "G6-men-shot",
        "G2-gulag-deaths",
        "G11-leningrad-centre",
        "G11-moscow-centre",
        "G7-tukh-trial",
        "G8-children",
        *(f"G1-{y}-{part}" for y in range(1935, 1941) for part in ("camps", "exile", "other")),
    } == NAMED_FACTS
    assert len(OUT_OF_SAMPLE) + len(IN_SAMPLE_CHECKS) == len(MEASURES)


def test_the_measures_read_the_summary_as_documented() -> None:
    got = holdout_values(_summary(), _series())
    # the camps' deaths of 1937-38 without the colonies' and without those in transit
    assert got["G2-gulag-deaths"] == pytest.approx((30 - 10) + (90 - 20))
    # yearly rows: 1937 is the 4th year (i=4), 1938 the 5th
    assert got["V-nkvd-arrested-3638"] == 432.0
    assert got["V-nkvd-011138-arr"] == pytest.approx(4000 + 5000)
    assert got["V-nkvd-011138-conv"] == pytest.approx(400 + 500)
    assert got["V-nkvd-011138-death"] == pytest.approx(40 + 50)
    assert got["V-nkvd-011138-prison"] == pytest.approx(4 + 5)
    assert got["V-nkvd-011138-00447-arr"] == 7.0
    assert got["V-cc1934-arr"] == 110.0 and got["V-politburo3438-arr"] == 4.0
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
    assert got["V-prisons-1939-07"] == 9.0 and got["V-prisons-1940-01"] == 11.0
    # Order 00447's convictions and death sentences of 1937 (i=4) and 1938 (i=5)
    assert got["V-00447-conv-010138"] == pytest.approx(40.0)
    assert got["V-00447-cat1-010138"] == pytest.approx(400.0)
    assert got["V-00447-conv-1938"] == pytest.approx(50.0)
    assert got["V-00447-cat1-1938"] == pytest.approx(500.0)
    assert got["G6-men-shot"] == pytest.approx(90.0)
    # political camp prisoners: camps less the non-political (model/steps_courts.py)
    assert got["V-gulag-cr-1938"] == pytest.approx(1.0)
    assert got["V-gulag-cr-share-1938"] == pytest.approx(25.0)
    # the 1953 series' split: 1935 is the 2nd year (i=2), 1940 the 7th
    assert got["G1-1935-exile"] == pytest.approx(1.0)
    assert got["G1-1938-other"] == pytest.approx(1.25)
    assert got["G1-1940-camps"] == pytest.approx(7.0)
    # Poles among the Polish operation's death sentences: the share times their number
    assert got["V-natop-pol-poles-shot"] == pytest.approx(0.75 * 9)
    assert got["V-opp-arrested-0237"] == 18.0


def test_the_colonies_until_1938_are_counted_with_the_prisons() -> None:
    """The record's colony (ITK) count of 1935-1938 is the OMZ's joint count of the colonies
    and the prisons (G8-itl-1934's note): the model's colonies are compared with everyone it
    holds in prisons added until 1938, the colonies alone from 1939, when the GULAG held the
    colonies and the prisons were counted apart (G8-prisons-1939)."""
    summary = _summary()
    for year in YEARS:
        summary["gulag"]["stock_1jan"][year] |= {"prisons": 5.0, "awaiting_etap": 1.0}
    got = holdout_values(summary, _series())
    assert got["V-gulag-itk-1936"] == got["V-gulag-itk-1938"] == pytest.approx(2.0 + 5.0)
    assert got["V-gulag-itk-1939"] == got["V-gulag-itk-1940"] == pytest.approx(2.0)
    assert got["V-gulag-itl-1938"] == got["V-gulag-itl-1939"] == pytest.approx(4.0)
    caveats = {m.fact_id: m.caveat for m in MEASURES}
    assert "prisons" in caveats["V-gulag-itk-1938"] and not caveats["V-gulag-itk-1939"]


def test_the_list_track_and_the_children_read_their_window() -> None:
    """The elite operation's sentences in the Collegium's window (1 Oct 1936 - 30 Sep 1938) and
    in 1937-39; Order 00486's children by 10 July 1938, the run's children times the share of
    the wives' arrests made by then (summary.families is not dated)."""
    from greatterror.calibration.holdout_dated import LISTS_AND_FAMILIES
    from greatterror.calibration.measure import Outputs

    rows = [
        ("1938-07-10", "moscow_obl", "family", "arrested", 250.0),
        ("1938-07-11", "moscow_obl", "family", "arrested", 750.0),
        ("1936-09-30", "moscow_obl", "elite", "convicted_cat1", 1.0),
        ("1936-10-01", "moscow_obl", "elite", "convicted_cat1", 2.0),
        ("1938-09-30", "gorky_obl", "elite", "convicted_camp", 4.0),
        ("1938-10-01", "gorky_obl", "elite", "arrested", 16.0),  # not a sentence
        ("1939-12-31", "gorky_obl", "elite", "convicted_camp", 8.0),
    ]
    series = Series.of(dict(zip(COLUMNS, list(zip(*rows, strict=True)), strict=True)))
    summary = {
        "families": {"children_to_homes": 400.0},
        "operations": {"family": {"arrested": 1000.0}},
    }
    got = {m.fact_id: m.simulated(Outputs(summary, series)) for m in LISTS_AND_FAMILIES}
    assert got["V-mc-conv-3638"] == pytest.approx(2.0 + 4.0)
    assert got["V-lists-names-3739"] == pytest.approx(4.0 + 8.0)
    assert got["G8-children"] == pytest.approx(400.0 * 250.0 / 1000.0)
    (children,) = [m for m in LISTS_AND_FAMILIES if m.fact_id == "G8-children"]
    no_wives = {"families": {"children_to_homes": 0.0}, "operations": {"family": {"arrested": 0.0}}}
    assert children.simulated(Outputs(no_wives, series)) == 0.0


def test_the_dated_regional_and_by_line_figures_read_their_window() -> None:
    """The figures read from timeseries.parquet count the days of their window, both ends
    included, in their region and operation only; the by-line shares are of Order 00447's
    lines; the trials' counts are the summary's."""
    got = holdout_values(_summary(), _series())
    # by 15 Aug 1937: the arrests of 5 and 15 Aug, not those of 4 and 16 Aug
    assert got["V-00447-arr-150837"] == pytest.approx(2 + 4)
    assert got["V-00447-arr-010937"] == pytest.approx(2 + 4 + 8)
    assert got["V-00447-cat1-010937"] == pytest.approx(16)
    assert got["V-00447-cat2-010937"] == 0.0
    assert got["V-00447-conv-300937"] == pytest.approx(16 + 32)
    # one region each, over the operation (to 17 Nov 1938)
    assert got["V-reg-moscow-00447-cat1"] == pytest.approx(16)
    assert got["V-reg-bssr-00447-shot"] == pytest.approx(256)
    assert got["V-reg-bssr-00447-conv"] == pytest.approx(32 + 256)
    assert got["V-reg-gorky-00447-040238"] == pytest.approx(64)
    # the Latvian operation's arrests to 7 Feb 1938 over its convictions (40), in percent
    assert got["V-natop-lat-arr-070238"] == pytest.approx(100 * 20 / 40)
    # all political arrests from 1 Oct 1936 to 1 Jul 1938: not the non-political convicts,
    # nor the ordinary arrests of 30 Sep 1936
    assert got["V-arrests-010738"] == pytest.approx(1 + 2 + 4 + 8 + 20 + 10 + 3000)
    assert got["V-natop-arr-010738"] == pytest.approx(20 + 10)
    # from the day after that count to 1 Nov 1938, and the same without the national operations
    assert got["V-arrests-jul-oct1938"] == pytest.approx(40 + 80)
    assert got["V-arrests-jul-oct1938-nonnat"] == pytest.approx(80)
    # shares of Order 00447's arrests on its lines in the count rows' window, both ends
    # included, the camps' line among the others (review14 F12), not of the Polish line's nor
    # of the whole run's
    assert got["V-00447-kulak-share-150837"] == pytest.approx(30.0)
    assert got["V-00447-crim-share-150837"] == pytest.approx(10.0)
    assert got["V-00447-kulak-share-010937"] == pytest.approx(100.0 * 140 / 360)
    assert got["V-00447-crim-share-010937"] == pytest.approx(100.0 * 140 / 360)
    assert got["V-clergy-arr-aug-nov1937"] == 12.0
    assert got["G11-moscow-centre"] == 11.0 and got["V-trial-moscow-centre-death"] == 1.0
    assert got["G7-tukh-trial"] == 14.0 and got["V-trial-tukh-death"] == 4.0
    assert got["V-trial17-defendants"] == 13.0 and got["V-trial16-death"] == 2.0


def test_an_unknown_operation_or_event_is_refused() -> None:
    with pytest.raises(ValueError, match="operation 'kulak' is unknown"):
        _series().total(("kulak",), ("arrested",), "1937-01-01", "1938-01-01")
    with pytest.raises(ValueError, match="event 'shot' is unknown"):
        _series().total(("kulak_00447",), ("shot",), "1937-01-01", "1938-01-01")


def test_the_army_totals_that_set_the_other_dismissal_rate_are_checks() -> None:
    """The natural loss of 1937-38 (their sum's note) and their percentages set
    ``army_other_dismissal_rate`` (branch params2), so the totals of 1937 and 1938 name it and
    are checks; 1939's did not enter the value and stays out of sample (review18 F5)."""
    by_id = {m.fact_id: m for m in MEASURES}
    for fact in ("V-army-dism-1937", "V-army-dism-1938"):
        assert by_id[fact].informed == ("army_other_dismissal_rate",), fact
        assert by_id[fact] in IN_SAMPLE_CHECKS, fact
    assert "army_other_dismissal_rate" not in by_id["V-army-dism-1939"].informed
    assert by_id["V-army-dism-1939"] in OUT_OF_SAMPLE


def test_the_mordovian_report_of_27_august_1937_reads_its_region_and_window() -> None:
    """The Mordovian NKVD's telegram of 27 Aug 1937: Order 00447's arrests and sentences in
    ``mordovian_assr`` from 5 to 27 Aug 1937, both ends included; not another region's, not
    another operation's, not the camps unit's (where the model keeps Temlag's prisoners)."""
    from greatterror.calibration.holdout_dated import REGIONS
    from greatterror.calibration.measure import Outputs

    rows = [
        ("1937-08-04", "mordovian_assr", "kulak_00447", "arrested", 1.0),  # before the order
        ("1937-08-05", "mordovian_assr", "kulak_00447", "arrested", 2.0),
        ("1937-08-27", "mordovian_assr", "kulak_00447", "arrested", 4.0),
        ("1937-08-28", "mordovian_assr", "kulak_00447", "arrested", 8.0),
        ("1937-08-10", "gorky_obl", "kulak_00447", "arrested", 16.0),
        ("1937-08-10", "mordovian_assr", "national_polish", "arrested", 32.0),
        ("1937-08-05", "mordovian_assr", "kulak_00447", "convicted_camp", 64.0),
        ("1937-08-27", "mordovian_assr", "kulak_00447", "convicted_cat1", 128.0),
        ("1937-08-28", "mordovian_assr", "kulak_00447", "convicted_cat1", 256.0),
        ("1937-08-20", "gulag_camps", "kulak_00447", "convicted_cat1", 512.0),
    ]
    series = Series.of(dict(zip(COLUMNS, list(zip(*rows, strict=True)), strict=True)))
    got = {m.fact_id: m.simulated(Outputs({}, series)) for m in REGIONS}
    assert got["V-reg-mordovia-00447-arr-270837"] == pytest.approx(2 + 4)
    assert got["V-reg-mordovia-00447-conv-270837"] == pytest.approx(64 + 128)


def test_the_window_s_arrests_less_its_sentences_and_releases_before_sentence() -> None:
    """``V-nkvd-011138-pending``: the political operations' arrests from 1 Oct 1936 to 1 Nov
    1938, both ends included, less their sentences of the same days (death, camp, exile, other
    measures) and less the releases from investigation or awaiting sentence between the two
    dates (summary.json's cumulative ``pretrial.released``), as the note takes its released
    off (review F13); not the non-political convicts, not the "released" events (they also
    count the camps' releases at term end), not the days outside the window; a check of the
    targets whose calendar-year difference it nearly is, not out of sample. Beside it the
    validation prints the stock (``pretrial.held``) on the two dates (review F12)."""
    from greatterror.calibration.holdout_dated import NATIONAL_BY_DATE, STOCK_BESIDE, stocks_beside
    from greatterror.calibration.measure import Outputs

    rows = [
        ("1936-09-30", "moscow_obl", "ordinary", "arrested", 1.0),  # the day before
        ("1936-10-01", "moscow_obl", "ordinary", "arrested", 2.0),
        ("1937-08-05", "moscow_obl", "kulak_00447", "arrested", 400.0),
        ("1938-11-01", "leningrad_obl", "national_polish", "arrested", 8.0),
        ("1938-11-02", "leningrad_obl", "national_polish", "arrested", 16.0),  # the day after
        ("1937-08-20", "moscow_obl", "non_political", "arrested", 32.0),
        ("1937-08-20", "moscow_obl", "kulak_00447", "convicted_cat1", 64.0),
        ("1937-09-20", "moscow_obl", "kulak_00447", "convicted_camp", 128.0),
        ("1938-03-01", "moscow_obl", "ordinary", "convicted_exile", 1.0),
        ("1938-03-01", "moscow_obl", "ordinary", "convicted_other", 1.0),
        ("1938-11-02", "leningrad_obl", "national_polish", "convicted_cat1", 4.0),
        ("1938-05-01", "moscow_obl", "ordinary", "released", 100.0),
    ]
    series = Series.of(dict(zip(COLUMNS, list(zip(*rows, strict=True)), strict=True)))
    summary = {
        "pretrial": {
            "held": {"1936-09-01": 1.0, "1936-10-01": 20.0, "1938-11-01": 230.0},
            # 0.5 released before sentence before the window, 4.5 in it, 1,000 after it
            "released": {"1936-10-01": 0.5, "1938-11-01": 5.0, "1938-12-01": 1005.0},
        }
    }
    (pending,) = [m for m in NATIONAL_BY_DATE if m.fact_id == "V-nkvd-011138-pending"]
    got = pending.simulated(Outputs(summary, series))
    assert got == pytest.approx(2 + 400 + 8 - 64 - 128 - 2 - 4.5)
    assert pending in IN_SAMPLE_CHECKS
    assert set(pending.repeats) == {"G2-detained", "G1-1937-conv", "G1-1938-conv"}
    assert STOCK_BESIDE == {"V-nkvd-011138-pending": ("1936-10-01", "1938-11-01")}
    assert stocks_beside(summary) == {"V-nkvd-011138-pending": (20.0, 230.0)}


def test_a_summary_without_the_pretrial_block_gives_a_clear_error() -> None:
    """Summaries written before branch flowrow have no ``pretrial`` block: the releases before
    sentence and the stock raise a KeyError naming it, not a bare KeyError (review23 F7)."""
    from greatterror.calibration.holdout_dated import (
        pretrial_held,
        released_before_sentence,
        stocks_beside,
    )

    with pytest.raises(KeyError, match="no 'pretrial' block"):
        released_before_sentence({"operations": {}}, "1936-10-01", "1938-11-01")
    with pytest.raises(KeyError, match="no 'pretrial' block"):
        stocks_beside({})
    short = {"pretrial": {"held": {"1936-10-01": 1.0}, "released": {"1936-10-01": 0.0}}}
    with pytest.raises(KeyError, match=r"pretrial\.held has no value for 1938-11-01"):
        pretrial_held(short, "1938-11-01")
    with pytest.raises(KeyError, match=r"pretrial\.released has no value for 1938-11-01"):
        released_before_sentence(short, "1936-10-01", "1938-11-01")


def test_the_validation_prints_the_stock_beside_the_flow_difference() -> None:
    """scripts/validate_historical.py's line under the checks' table: the flow difference's
    median and the stock's median and 10-90% band on the window's two dates (review F12)."""
    from script_module import load_script

    module = load_script("validate_historical.py")
    runs = [
        {
            "holdout": {"V-nkvd-011138-pending": 1000.0 * i},
            "stocks": {"V-nkvd-011138-pending": (100.0 * i, 2000.0 * i)},
        }
        for i in range(1, 12)
    ]
    (line,) = module.stock_lines(runs)
    assert line.startswith("`V-nkvd-011138-pending` is a difference of flows, not a stock")
    assert "median 6,000 is the growth" in line
    assert "600 on 1936-10-01 (200–1,000)" in line
    assert "12,000 on 1938-11-01 (4,000–20,000)" in line
