"""The validation figures read from timeseries.parquet's dated counts (calibration/holdout.py).

Order 00447 to a date, in all regions and in single regions; the Special Board's sentences of
Leningrad's 'former people' in March 1935; the national operations' arrests to a date; the
arrests from 1 October 1936 to 1 November 1938 less the sentences and the releases before
sentence (these from summary.json's ``pretrial``, beside which the validation prints the stock); the
special troikas of autumn 1938; the Military Collegium's list cases and Order 00486's children
by 10 July 1938. Each sums its fact's period (the
``window``), in a region of the model or in all of them; none is fitted (holdout.py).
"""

from __future__ import annotations

from collections.abc import Callable

from greatterror.calibration.measure import Measure, Outputs, Summary
from greatterror.calibration.series import CONVICTED
from greatterror.vocabulary import NATIONAL_OPERATIONS, POLITICAL_OPERATIONS

_K = ("kulak_00447",)


def _dated(
    operations: tuple[str, ...], events: tuple[str, ...], start: str, end: str, region: str = ""
) -> Callable[[Outputs], float]:
    return lambda s: s.series.total(operations, events, start, end, region or None)


def _arrested_by(operation: str, start: str, end: str) -> Callable[[Outputs], float]:
    """Arrested from ``start`` to ``end`` as a percentage of the operation's convictions."""

    def value(s: Outputs) -> float:
        arrested = s.series.total((operation,), ("arrested",), start, end)
        convicted = float(s.summary["operations"][operation]["convicted"])
        return 100.0 * arrested / convicted if convicted > 0 else 0.0

    return value


def released_before_sentence(summary: Summary, start: str, end: str) -> float:
    """The weight released from investigation or awaiting sentence between the holding steps of
    ``start`` and ``end`` (each the first of a month): summary.json's cumulative
    ``pretrial.released`` (docs/outputs.md). The count is read at the start of the holding step
    (step 17 of the day, in ``Punishment``); ``Investigation`` (step 14) releases before it, so
    its releases are those of the days after ``start`` up to and including ``end`` (for
    ``V-nkvd-011138-pending``, 2 October 1936 to 1 November 1938). ``HaltReview`` (step 26)
    releases after it, so its releases are those of ``start`` to the day before ``end``; it
    releases nothing before the halt, so nothing inside that window."""
    return _pretrial(summary, "released", end) - _pretrial(summary, "released", start)


def pretrial_held(summary: Summary, date: str) -> float:
    """The people under investigation or awaiting sentence on ``date`` (the first of a month,
    at the start of its holding step): a stock, summary.json's ``pretrial.held``."""
    return _pretrial(summary, "held", date)


def _pretrial(summary: Summary, key: str, date: str) -> float:
    """summary.json's ``pretrial[key][date]``; a KeyError naming what is missing otherwise,
    as calibration/statistics.py does for missing targets: a summary written before branch
    flowrow has no ``pretrial`` block (docs/outputs.md), and a run that does not reach
    ``date`` has no value for it."""
    block = summary.get("pretrial")
    if block is None:
        raise KeyError(
            "the summary has no 'pretrial' block (summaries written before branch flowrow): "
            "rerun the simulation to measure the releases before sentence"
        )
    values = block[key]
    if date not in values:
        raise KeyError(f"the summary's pretrial.{key} has no value for {date}")
    return float(values[date])


def _pending(start: str, end: str) -> Callable[[Outputs], float]:
    """The political operations' arrests from ``start`` to ``end`` less their sentences (death,
    camp, exile, other measures) and less the releases from investigation in the same days,
    as the 1st Special Department's note of 1 November 1938 gives its arrests less its
    convicted and released (``V-nkvd-011138-pending``); whether its released are the same
    releases is not shown (docs/design/pretrial-releases.md §5: like for like under its reading
    (A) only). A difference of flows, not a stock: it
    is the growth of the cases before sentence over the window (``pretrial_held`` on ``end``
    less on ``start``), the record's with its deaths in custody and cases passed to other
    bodies (docs/design/sources-halt-pool.md). The releases are the model's releases before
    sentence only (``released_before_sentence``), not the ``released`` events, which also count
    the camps' releases at term end."""

    def value(s: Outputs) -> float:
        arrested = s.series.total(POLITICAL_OPERATIONS, ("arrested",), start, end)
        convicted = s.series.total(POLITICAL_OPERATIONS, CONVICTED, start, end)
        return arrested - convicted - released_before_sentence(s.summary, start, end)

    return value


#: the flow differences beside which the validation prints the model's stock on the window's
#: two dates (scripts/validate_historical.py): fact id -> (start, end)
STOCK_BESIDE = {"V-nkvd-011138-pending": ("1936-10-01", "1938-11-01")}


def stocks_beside(summary: Summary) -> dict[str, tuple[float, float]]:
    """For each figure of ``STOCK_BESIDE``, the model's cases before sentence on its window's
    first and last day (``pretrial_held``)."""
    return {
        fact: (pretrial_held(summary, start), pretrial_held(summary, end))
        for fact, (start, end) in STOCK_BESIDE.items()
    }


def _series_measure(
    fact_id: str,
    operations: tuple[str, ...],
    events: tuple[str, ...],
    window: tuple[str, str],
    region: str = "",
    caveat: str = "",
    repeats: tuple[str, ...] = (),
    informed: tuple[str, ...] = (),
) -> Measure:
    return Measure(
        fact_id,
        _dated(operations, events, *window, region),
        caveat,
        repeats,
        informed,
        window=window,
    )


NATIONAL = {"pol": "national_polish", "ger": "national_german", "har": "national_harbin"}
NATIONAL["lat"] = "national_latvian"
#: Order 00447 to a date, all the model's regions (the GUGB summary of 15 Aug counts 57)
_ALL = "all the model's regions and its camps unit"
ORDER_00447_BY_DATE = (
    *(
        _series_measure(
            f"V-00447-{what}-{day}", _K, events, ("1937-08-05", end), caveat=_ALL if x else ""
        )
        for day, end, x in (("150837", "1937-08-15", 1), ("010937", "1937-09-01", 0))
        for what, events in (
            ("arr", ("arrested",)),
            ("cat1", ("convicted_cat1",)),
            ("cat2", ("convicted_camp",)),
        )
    ),
    *(
        _series_measure(
            f"V-00447-{what}-300937", _K, events, ("1937-08-05", "1937-09-30"), caveat=caveat
        )
        for what, events, caveat in (
            ("arr", ("arrested",), ""),
            ("conv", CONVICTED, ""),
            ("cat1", ("convicted_cat1",), "death sentences; the record counts executions"),
        )
    ),
)
_OPERATION = ("1937-08-05", "1938-11-17")
REGIONS = (
    _series_measure("V-reg-moscow-00447-cat1", _K, ("convicted_cat1",), _OPERATION, "moscow_obl"),
    _series_measure(
        "V-reg-bssr-00447-shot", _K, ("convicted_cat1",), _OPERATION, "belorussian_ssr"
    ),
    _series_measure("V-reg-bssr-00447-conv", _K, CONVICTED, _OPERATION, "belorussian_ssr"),
    _series_measure(
        "V-reg-gorky-00447-040238", _K, CONVICTED, ("1937-08-05", "1938-02-04"), "gorky_obl"
    ),
    # the Mordovian NKVD's telegram of 27 Aug 1937: a few sampled people at 1:100 (324 and
    # 334 are about 3 each), so a weak comparison; the record's sentences hold 47 people
    # arrested before the operation and 19 of Temlag's prisoners, which the model's region
    # cannot hold (docs/design/custody-00447.md, K1 and K2)
    *(
        _series_measure(
            f"V-reg-mordovia-00447-{what}-270837",
            _K,
            events,
            ("1937-08-05", "1937-08-27"),
            "mordovian_assr",
            caveat,
        )
        for what, events, caveat in (
            ("arr", ("arrested",), ""),
            ("conv", CONVICTED, "the record's 334 hold 66 people the model's region cannot"),
        )
    ),
)
#: from the day after the 1 July 1938 count (V-arrests-010738) to the 1 November one
_LAST_MONTHS = ("1938-07-02", "1938-11-01")
#: the national operations' arrests by 7 Feb 1938 as a share of their final convictions, and
#: by 1 Jul 1938 (the 1st Special Department's count from 1 Oct 1936)
NATIONAL_BY_DATE = (
    *(
        Measure(
            f"V-natop-{short}-arr-070238",
            _arrested_by(NATIONAL[short], start, "1938-02-07"),
            "percent of the operation's convictions over the whole run",
            window=(start, "1938-02-07"),
        )
        for short, start in (
            ("pol", "1937-08-11"),
            ("ger", "1937-07-25"),
            ("har", "1937-09-20"),
            ("lat", "1937-12-03"),
        )
    ),
    _series_measure(
        "V-natop-arr-010738",
        NATIONAL_OPERATIONS,
        ("arrested",),
        ("1936-10-01", "1938-07-01"),
        repeats=("G4-all-conv",),
    ),
    _series_measure(
        "V-arrests-010738",
        POLITICAL_OPERATIONS,
        ("arrested",),
        ("1936-10-01", "1938-07-01"),
        caveat="every political operation's arrests",
        repeats=("G2-detained",),
    ),
    # the note's arrests less its sentences and releases, 1 Oct 1936 - 1 Nov 1938: a
    # difference of flows (the growth of the pool over the window, with deaths in custody and
    # transfers), read from the same events over most of 1937-38, so a check of the in-sample
    # targets whose calendar-year difference it nearly is (G2-detained less G1-1937-conv and
    # G1-1938-conv), not out of sample (docs/design/sources-halt-pool.md)
    Measure(
        "V-nkvd-011138-pending",
        _pending("1936-10-01", "1938-11-01"),
        "every political operation's arrests less their sentences and their releases from "
        "investigation (the releases of 2 Oct 1936 - 1 Nov 1938)",
        repeats=("G2-detained", "G1-1937-conv", "G1-1938-conv"),
        window=("1936-10-01", "1938-11-01"),
    ),
    # the last four months before the halt: the difference of the department's two counts,
    # a part of G2-detained's period (out of sample: the fit sees the two years' total)
    _series_measure(
        "V-arrests-jul-oct1938",
        POLITICAL_OPERATIONS,
        ("arrested",),
        _LAST_MONTHS,
        caveat="every political operation's arrests",
    ),
    _series_measure(
        "V-arrests-jul-oct1938-nonnat",
        tuple(op for op in POLITICAL_OPERATIONS if op not in NATIONAL_OPERATIONS),
        ("arrested",),
        _LAST_MONTHS,
        caveat="every political operation's arrests but the national operations'",
    ),
)
#: the special troikas of autumn 1938 (Order 00606): the national operations had ended on
#: 1 August 1938 and the album's queue passed to the special troikas on 15 September, so every
#: national-operation case sentenced from then to the halt is theirs (model/album.py)
_SPECIAL = ("1938-09-15", "1938-11-15")
#: what the special troikas decided: a sentence, or none (the case sent back for investigation,
#: model/no_sentence.py; before the halt no other case leaves a national operation)
_DECIDED = (*CONVICTED, "left_operation")
SPECIAL_TROIKAS = (
    _series_measure(
        "V-natop-har-sptroika",
        (NATIONAL["har"],),
        _DECIDED,
        _SPECIAL,
        caveat="Harbin cases sentenced or sent back from 15 Sep 1938",
    ),
    *(
        _series_measure(
            f"V-halt-albums-{region}",
            NATIONAL_OPERATIONS,
            _DECIDED,
            _SPECIAL,
            region,
            "the region's national-operation cases sentenced or sent back from 15 Sep 1938",
        )
        for region in ("leningrad_obl", "armenian_ssr", "georgian_ssr")
    ),
    _series_measure(
        "V-halt-krsk-natop",
        NATIONAL_OPERATIONS,
        ("executed",),
        ("1938-09-15", "1938-11-17"),
        "krasnoyarsk_krai",
        "the region's national-operation executions from 15 Sep 1938 to the halt",
    ),
)


#: the elite operation's sentences, the Collegium's list track (model/channels.py)
_LIST_CAVEAT = (
    "the elite operation's sentences (the elite layer and the first secretaries' circles): the "
    "districts' military tribunals' (officers below the high command) and the show trials' "
    "included"
)


def _children_by(start: str, end: str) -> Callable[[Outputs], float]:
    """Order 00486's children counted to ``end``: the run's children of the arrested wives
    times the share of the wives' arrests made by then (the summary's count is not dated)."""

    def value(s: Outputs) -> float:
        wives = float(s.summary["operations"]["family"]["arrested"])
        if wives <= 0:
            return 0.0
        by_then = s.series.total(("family",), ("arrested",), start, end)
        return float(s.summary["families"]["children_to_homes"]) * by_then / wives

    return value


#: ``circle_list_share`` (model/list_selection.py) was set, from its source's "more than half",
#: after these two figures had been read: its value was chosen knowing about where it put them,
#: so they no longer check it independently (branch circles, 5 Dec 2026). G8-children, which
#: the same value moves (Order 00486 reaches the wives of the list track's convicts) and which
#: the branch reported beside them, is marked too (review15 F1): a figure seen while a value was
#: chosen cannot count as out of sample for it
_LISTS_INFORMED = ("circle_list_share",)

LISTS_AND_FAMILIES = (
    _series_measure(
        "V-mc-conv-3638",
        ("elite",),
        CONVICTED,
        ("1936-10-01", "1938-09-30"),
        caveat=_LIST_CAVEAT,
        informed=_LISTS_INFORMED,
    ),
    _series_measure(
        "V-lists-names-3739",
        ("elite",),
        CONVICTED,
        ("1937-01-01", "1939-12-31"),
        caveat=_LIST_CAVEAT + "; sentences, not names on lists",
        informed=_LISTS_INFORMED,
    ),
    Measure(
        "G8-children",
        _children_by("1937-08-15", "1938-07-10"),
        "every child aged 1-15 of the wives arrested, whether placed in a children's home or "
        "taken in by relatives: an upper bound",
        window=("1937-08-15", "1938-07-10"),
        informed=_LISTS_INFORMED,
    ),
)
