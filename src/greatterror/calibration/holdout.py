"""The validation figures a run's outputs can already be compared with: never fitted.

The evidence base's ``V-`` facts are the validation set (docs/validation.md).
This module says, for those of them the outputs report, how to read the simulated value:
from the summary (the Gulag's stocks, their political part, and releases, the national
operations one by one, Order 00447's convictions and death sentences in 1937 and in 1938,
the special troikas' cases of autumn 1938 (the Harbin operation's, three regions', and the
executions in Krasnoyarsk krai), the Military Collegium's list cases and Order 00486's
children,
Order 00447's arrests by line, the arrested NKVD and army officers, the 1934 CC's and its
Politburo's arrested, the army's dismissals by year, the show trials, the NKVD's arrest and
sentence totals of 1 Oct 1936 - 1 Nov 1938, and the yearly arrests of 1937-1940)
or from the dated counts of timeseries.parquet (``calibration/series.py``: Order 00447 to a
date and in one region, the national operations to a date); the others need outputs the
model does not have yet (docs/validation.md lists what each needs). Facts of the G series
that are not calibration targets are compared here too (``G6-men-shot``, men among those
shot; ``G2-gulag-deaths``, the camps' deaths of 1937-38 without the colonies; the show
trials of 1934-35 and the Tukhachevsky trial).

A figure whose simulated value is an in-sample target's, or a sum of targets', or is read
from the same outputs over a window holding most of the targets' period, or is the targets'
quantity less a small part of it (``G2-gulag-deaths``: the camps' deaths, which the targets
``G8-deaths-1937`` and ``-1938`` count with the colonies'), names those targets in
``repeats``: it checks an in-sample quantity against another source and is not counted out
of sample (docs/validation.md, "Checks of in-sample quantities"). A part of a target's
period (Order 00447 by 1 Jan 1938) or of its regions (one oblast) is out of sample: the fit
sees the total, not how it is spread. A figure whose quantity a threshold of the refit gate
bounds (``G6-men-shot``: calibration/validity.py ``MIN_MALE_SHARE_SHOT``) names it in
``gate``: a fitted point that fails it is never applied, so the figure constrains the fit
and is a check too. tests/test_validation_set.py checks both: no out-of-sample figure reads
every summary value an in-sample target reads, and none is one the gate rests on. A figure
read when a fixed parameter's value (``informed``) or a rule of the model (``informed_rules``:
``V-trial17-defendants``, the trials' carry-over of branch trials4) was chosen is a check too.

Nothing in this module is handed to a fit: ``check_calibration_ids`` (statistics.py)
refuses every ``V-`` id and every other id compared here (``VALIDATION_IDS``), and
tests/test_refit.py and tests/test_validation_set.py check that none of them is a target.

The measures read from timeseries.parquet are in calibration/holdout_dated.py, those of the
Gulag's stocks and flows in calibration/holdout_gulag.py, the types in calibration/measure.py. Used by scripts/validate_historical.py (the out-of-sample table) and by the
posterior predictive check (``calibration/check.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from greatterror.calibration.holdout_dated import (
    LISTS_AND_FAMILIES,
    NATIONAL_BY_DATE,
    ORDER_00447_BY_DATE,
    REGIONS,
    SPECIAL_TROIKAS,
)
from greatterror.calibration.holdout_dated import NATIONAL as _NATIONAL
from greatterror.calibration.holdout_gulag import GULAG
from greatterror.calibration.measure import Measure, Outputs, Summary
from greatterror.calibration.series import Series
from greatterror.vocabulary import LINES_OF, NATIONAL_OPERATIONS


def _operation(name: str, key: str) -> Callable[[Outputs], float]:
    return lambda s: float(s.summary["operations"][name][key])


def _operation_year(name: str, key: str, year: int) -> Callable[[Outputs], float]:
    return lambda s: float(s.summary["operations_yearly"][name][str(year)][key])


def _no_sentence_share(*ops: str) -> Callable[[Outputs], float]:
    """The share, in percent, of the operations' arrests that ended in no sentence under them
    (a case sent back by a special troika or pending at the halt: model/no_sentence.py,
    model/steps_halt.py), over the whole run."""

    def value(s: Outputs) -> float:
        rows = [s.summary["operations"][op] for op in ops]
        arrested = sum(float(r["arrested"]) for r in rows)
        convicted = sum(float(r["convicted"]) for r in rows)
        return 100.0 * (arrested - convicted) / arrested if arrested > 0 else 0.0

    return value


def _years(key: str, *years: int) -> Callable[[Outputs], float]:
    return lambda s: sum(float(s.summary["yearly"][str(y)][key]) for y in years)


def _national_arrested(s: Outputs) -> float:
    return sum(float(s.summary["operations"][op]["arrested"]) for op in NATIONAL_OPERATIONS)


def _nkvd_arrested(first: str, last: str) -> Callable[[Outputs], float]:
    """NKVD officers arrested in the half months starting from ``first`` to ``last``
    (summary ``nkvd_cadres.arrested_by_half_month``, keyed by each half month's first day)."""

    def value(s: Outputs) -> float:
        bins = s.summary["nkvd_cadres"]["arrested_by_half_month"]
        return float(sum(n for day, n in bins.items() if first <= day <= last))

    return value


def _dismissed(year: int, political_only: bool) -> Callable[[Outputs], float]:
    kinds = (
        ("dismissed_political",) if political_only else ("dismissed_political", "dismissed_other")
    )
    return lambda s: sum(float(s.summary["army"][k][str(year)]) for k in kinds)


def _army(event: str, *years: int) -> Callable[[Outputs], float]:
    return lambda s: sum(float(s.summary["army"][event][str(y)]) for y in years)


def _men_shot(s: Outputs) -> float:
    return 100.0 * float(s.summary["demography"]["shot"]["all"]["male_share"])


def _line_share(line: str, first: str, last: str) -> Callable[[Outputs], float]:
    """The line's share, in percent, of Order 00447's arrests from ``first`` to ``last`` (ISO,
    both days included), summary ``lines_by_day``: the arrests the count rows of the same GUGB
    summaries take (``ORDER_00447_BY_DATE`` in holdout_dated.py: every region of the model and
    its camps unit, to the summary's date included). The camps' own line, which none of the
    summaries' lines names, counts with the lines other than the two July ones, as the
    summaries' "other counter-revolutionary element" (docs/validation.md, "Order 00447's
    arrests by line": the reading and why). The order's lines opened at different times, so a
    whole run's share is not theirs."""

    def value(s: Outputs) -> float:
        days = s.summary["lines_by_day"]

        def arrested(name: str) -> float:
            return sum(float(v) for k, v in days[name].items() if first <= k <= last)

        total = sum(arrested(name) for name in LINES_OF["kulak_00447"])
        return 100.0 * arrested(line) / total if total > 0 else 0.0

    return value


def _poles_shot(s: Outputs) -> float:
    """Poles among those the Polish operation sentenced to death: the summary's share of the
    operation's own nationality among them times their number."""
    share = float(s.summary["national_nationality"]["national_polish"]["shot"])
    return share * float(s.summary["operations"]["national_polish"]["death_sentences"])


def _trial(trial_id: str, key: str) -> Callable[[Outputs], float]:
    def value(s: Outputs) -> float:
        (trial,) = [t for t in s.summary["trials"] if t["id"] == trial_id]
        return float(trial[key])

    return value


_CALENDAR = "calendar years 1937-1938, not 1 Oct 1936 - 1 Nov 1938"

_K = ("kulak_00447",)
_DATED_LINE = (
    "of all the operation's arrests, its camps unit's own line among the other lines; a person "
    "under the line and day of his last case"
)
#: Order 00447's arrests by line (tragediya_t5 to 15 Aug 1937; Yezhov's report to 1 Sep 1937):
#: former kulaks and criminals; the order's other lines are the rest. The window is that of
#: the count rows of the same summaries (holdout_dated.ORDER_00447_BY_DATE), last day included
_ORDER_00447_BY_LINE = (
    *(
        Measure(
            f"V-00447-{short}-share-{day}",
            _line_share(line, "1937-08-05", last),
            _DATED_LINE,
            window=("1937-08-05", last),
        )
        for day, last in (("150837", "1937-08-15"), ("010937", "1937-09-01"))
        for short, line in (("kulak", "former_kulak"), ("crim", "criminal"))
    ),
    Measure(
        "V-clergy-arr-aug-nov1937",
        lambda s: float(s.summary["targeted"]["marks"]["clergy_sectarian"]["arrested"]),
        "everyone with the clergy mark arrested in the whole run, in any operation: an upper "
        "bound of Aug-Nov 1937",
    ),
)
#: the former oppositionists arrested by the February-March plenum of 1937 (Stalin's count)
_OPPOSITION = (
    Measure(
        "V-opp-arrested-0237",
        lambda s: float(s.summary["oppositionists_arrested_by_plenum_1937"]),
        "everyone with the oppositionist mark whose last arrest came from the start (Dec 1934) "
        "to 23 Feb 1937, in any operation; the population's stock is the record's of 1937, "
        "after these arrests",
    ),
)
#: the show trials' counts that are not calibration targets (summary ``trials``)
_TRIALS = (
    Measure("G11-leningrad-centre", _trial("leningrad_centre_1934", "defendants")),
    Measure("V-trial-leningrad-death", _trial("leningrad_centre_1934", "death_sentences")),
    Measure("G11-moscow-centre", _trial("moscow_centre_1935", "defendants")),
    Measure("V-trial-moscow-centre-death", _trial("moscow_centre_1935", "death_sentences")),
    Measure("V-trial16-death", _trial("trial_of_16_1936", "death_sentences")),
    # branch trials4 kept, of two variants, the carry-over that brought this figure from 0.65
    # to 1.06 of the record: it no longer checks that rule independently
    Measure(
        "V-trial17-defendants",
        _trial("trial_of_17_1937", "defendants"),
        informed_rules=("carry_over (trials4)",),
    ),
    Measure("G7-tukh-trial", _trial("military_1937", "defendants")),
    Measure("V-trial-tukh-death", _trial("military_1937", "death_sentences")),
    Measure("V-trial21-defendants", _trial("trial_of_21_1938", "defendants")),
)

#: the yearly arrests (V-arrests-1937 ... -1940: the Pospelov commission's yearly table and the
#: Memorial NIC series, facts.csv). The model's ``yearly.arrested`` counts the political
#: operations' arrests only (the militia's non-political cases are apart), as the commission's
#: "anti-Soviet activity" does; its population has no territory annexed in 1939-40. 1937 and 1938
#: split G2-detained's two years: checks of it, not out of sample. No scholarly yearly figure for
#: 1935 and 1936 was found (docs/validation.md).
_YEARLY_ARRESTS = (
    *(
        Measure(f"V-arrests-{y}", _years("arrested", y), repeats=("G2-detained",))
        for y in (1937, 1938)
    ),
    Measure(
        "V-arrests-1939",
        _years("arrested", 1939),
        "political arrests only; the record's year holds western Ukraine and Belorussia from Sept",
    ),
    Measure(
        "V-arrests-1940",
        _years("arrested", 1940),
        "political arrests only; the record counts the territories annexed in 1939-40 and may "
        "count all crimes",
    ),
)

MEASURES: tuple[Measure, ...] = (
    *GULAG,
    Measure("V-natop-pol-arr", _operation("national_polish", "arrested")),
    Measure("V-natop-pol-poles-shot", _poles_shot),
    Measure("V-natop-pol-nosent", _no_sentence_share("national_polish"), "whole run"),
    Measure(
        "V-natop-all-nosent",
        _no_sentence_share(*NATIONAL_OPERATIONS),
        "arrests and sentences over the whole run, not arrests to 1 Nov 1938",
    ),
    *(
        Measure(f"V-natop-{short}-{what}", _operation(op, key))
        for short, op in _NATIONAL.items()
        for what, key in (("conv", "convicted"), ("shot", "death_sentences"))
    ),
    Measure(
        "V-nkvd-arrested-3638",
        _nkvd_arrested("1936-10-01", "1938-08-01"),
        "the senior officers (110) counted with the GUGB officers",
        window=("1936-10-01", "1938-08-15"),
    ),
    Measure(
        "V-cc1934-arr",
        lambda s: float(s.summary["elites"]["cc_1934"]["arrested"]),
        "whole run; the record's range runs from the arrested and shot to an upper bound",
        informed=("prominence_weight",),
    ),
    Measure(
        "V-politburo3438-arr",
        lambda s: float(s.summary["elites"]["cc_1934_politburo"]["arrested"]),
        "whole run; 5 by the halt, 6 to 1940 in the record",
        informed=("prominence_weight",),
    ),
    Measure(
        "V-army-arr-3738",
        lambda s: float(s.summary["elites"]["army_command"]["arrested"]),
        "all arrested officers over the whole run, not only the dismissed of 1937-38",
    ),
    # The 1st Special Department's note of 1 Nov 1938 (nkvd_spravka_1nov1938); the summary
    # has calendar years and whole operations, not its period.
    # They repeat in-sample quantities: G2-detained, G1-1937/1938-conv and G2-shot are the same
    # calendar years of the same yearly series; camp sentences are that series' convictions
    # less its death and exile sentences; every arrest of Order 00447, and all but a few
    # percent of the national operations' (V-natop-all-nosent), end in the conviction
    # G3-final-conv and G4-all-conv count.
    Measure(
        "V-nkvd-011138-arr", _years("arrested", 1937, 1938), _CALENDAR, repeats=("G2-detained",)
    ),
    Measure(
        "V-nkvd-011138-conv",
        _years("convicted", 1937, 1938),
        _CALENDAR,
        repeats=("G1-1937-conv", "G1-1938-conv"),
    ),
    Measure("V-nkvd-011138-death", _years("shot", 1937, 1938), _CALENDAR, repeats=("G2-shot",)),
    Measure(
        "V-nkvd-011138-prison",
        _years("camp", 1937, 1938),
        _CALENDAR,
        repeats=("G1-1937-conv", "G1-1938-conv", "G2-shot"),
    ),
    Measure(
        "V-nkvd-011138-00447-arr",
        _operation("kulak_00447", "arrested"),
        "the order's arrests over the whole run, not to 1 Nov 1938",
        repeats=("G3-final-conv",),
    ),
    Measure(
        "V-nkvd-011138-natop-arr",
        _national_arrested,
        "the national operations' arrests over the whole run, not to 1 Nov 1938",
        repeats=("G4-all-conv",),
    ),
    # Order 00447 at the end of 1937 and in 1938 (Werth 2010 after Jansen and Petrov 2002)
    Measure("V-00447-conv-010138", _operation_year("kulak_00447", "convicted", 1937)),
    Measure(
        "V-00447-cat1-010138",
        _operation_year("kulak_00447", "death_sentences", 1937),
        "death sentences; the record counts executions",
    ),
    Measure("V-00447-conv-1938", _operation_year("kulak_00447", "convicted", 1938)),
    Measure(
        "V-00447-cat1-1938",
        _operation_year("kulak_00447", "death_sentences", 1938),
        "death sentences; the record counts executions",
    ),
    # the totals of 1937 and 1938 informed army_other_dismissal_rate (branch params2: the
    # natural loss of their sum, 6,692 of 35,020, per officer-year of the list strengths their
    # percentages give); 1939's did not
    *(
        Measure(
            f"V-army-dism-{year}", _dismissed(year, False), informed=("army_other_dismissal_rate",)
        )
        for year in (1937, 1938)
    ),
    Measure("V-army-dism-1939", _dismissed(1939, False)),
    *(Measure(f"V-army-dism-pol-{year}", _dismissed(year, True)) for year in (1937, 1938)),
    *(
        Measure(f"V-army-arr-{y}", _army("arrested_after_dismissal", y), "political staff included")
        for y in (1937, 1938)
    ),
    Measure(
        "V-army-reinst-1939",
        _army("reinstated", 1938, 1939),
        "calendar years 1938-1939, not to 25 Oct 1939",
    ),
    Measure(
        "V-army-reinst-1940",
        _army("reinstated", 1938, 1939, 1940),
        "calendar years 1938-1940, not 1 Aug 1938 - 1 May 1940",
    ),
    # the 1953 series' split of each year's convictions (MVD 1953): exile and the other
    # measures are parts the fit does not see; camps are the year's convictions less its death and exile sentences and
    # the "other measures" (conditional sentences, deportation abroad...; since branch
    # sentsplit an outcome of the Special Board and the courts, model/collegium.py), so they
    # repeat the year's two targets
    *(Measure(f"G1-{y}-exile", _years("exile", y)) for y in range(1935, 1941)),
    *(Measure(f"G1-{y}-other", _years("other", y)) for y in range(1935, 1941)),
    *(
        Measure(
            f"G1-{y}-camps",
            _years("camp", y),
            "the model's other measures are the Special Board's and the courts' only",
            repeats=(f"G1-{y}-conv", f"G1-{y}-death"),
        )
        for y in range(1935, 1941)
    ),
    *_ORDER_00447_BY_LINE,
    *ORDER_00447_BY_DATE,
    *REGIONS,
    *NATIONAL_BY_DATE,
    *SPECIAL_TROIKAS,
    *_TRIALS,
    *_OPPOSITION,
    Measure(
        "G6-men-shot",
        _men_shot,
        "men among all sentenced to death, percent",
        gate=("MIN_MALE_SHARE_SHOT",),
    ),
    *_YEARLY_ARRESTS,
    *LISTS_AND_FAMILIES,
)


#: the figures compared out of sample, and the checks of in-sample quantities
OUT_OF_SAMPLE = tuple(m for m in MEASURES if not m.checks)
IN_SAMPLE_CHECKS = tuple(m for m in MEASURES if m.checks)
#: ids compared here that are not ``V-`` facts: never fitted either (statistics.py)
NAMED_FACTS = frozenset(m.fact_id for m in MEASURES if not m.fact_id.startswith("V-"))


def holdout_values(summary: Summary, series: Series) -> dict[str, float]:
    """The simulated value of each validation figure, from a run's summary and its
    timeseries.parquet rows (``Series.of(model.summary.timeseries_rows(sim))``)."""
    outputs = Outputs(summary, series)
    return {m.fact_id: m.simulated(outputs) for m in MEASURES}
