"""The validation figures a run's summary can already be compared with: never fitted.

The evidence base's ``V-`` facts are the validation set (docs/validation.md).
This module says, for those of them the summary reports (the Gulag's stocks,
their political part, and releases, the national operations one by one, Order 00447's
convictions and death sentences in 1937 and in 1938, the arrested NKVD and
army officers, the army's dismissals by year, and the NKVD's arrest and sentence totals of
1 Oct 1936 - 1 Nov 1938), how to read the simulated value from a run's summary; the others
need outputs the model does not have yet (docs/validation.md lists what each
needs). ``G6-men-shot`` (men among those shot, Leningrad data) and ``G2-gulag-deaths`` (the
camps' deaths of 1937-38 without the colonies) are not calibration targets either and are
compared here too. Nothing in this module
is handed to a fit: ``check_calibration_ids`` (statistics.py) refuses these ids,
and tests/test_refit.py checks that none of them is a target.

Used by scripts/validate_historical.py (the out-of-sample table) and by the
posterior predictive check (``calibration/check.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from greatterror.vocabulary import NATIONAL_OPERATIONS

Summary = dict[str, Any]


@dataclass(frozen=True)
class Measure:
    fact_id: str
    simulated: Callable[[Summary], float]
    #: how the simulated figure differs from the record's definition, if it does
    caveat: str = ""


def _stock(year: int, key: str) -> Callable[[Summary], float]:
    return lambda s: float(s["gulag"]["stock_1jan"][str(year)][key])


def _political_camps(year: int, share: bool) -> Callable[[Summary], float]:
    """Camp (ITL) prisoners the GULAG counted as counter-revolutionaries on 1 January: all but
    the non-political convicts (model/steps_courts.py) and Order 00447's line of criminals
    (model/steps_gulag.py, ``criminal_line``); or their share of the camp prisoners in
    percent."""

    def value(s: Summary) -> float:
        row = s["gulag"]["stock_1jan"][str(year)]
        criminals = float(row.get("criminal_line_camps", 0.0))
        political = float(row["camps"] - row["non_political_camps"]) - criminals
        if not share:
            return political
        return 100.0 * political / row["camps"] if row["camps"] > 0 else 0.0

    return value


def _camp_deaths(s: Summary) -> float:
    """Deaths in the camps (ITL) in 1937 and 1938, the colonies (ITK) left out: the camp-only
    series of Getty, Rittersporn & Zemskov (1993) that ``G2-gulag-deaths`` sums."""
    rows = [s["gulag"]["yearly"][str(y)] for y in (1937, 1938)]
    return sum(float(r["died_camp"] - r["died_colony"]) for r in rows)


def _operation(name: str, key: str) -> Callable[[Summary], float]:
    return lambda s: float(s["operations"][name][key])


def _operation_year(name: str, key: str, year: int) -> Callable[[Summary], float]:
    return lambda s: float(s["operations_yearly"][name][str(year)][key])


def _released_1939(s: Summary) -> float:
    flows = s["gulag"]["yearly"]["1939"]
    return float(flows["released_term"] + flows["released_review"])


def _years(key: str, *years: int) -> Callable[[Summary], float]:
    return lambda s: sum(float(s["yearly"][str(y)][key]) for y in years)


def _national_arrested(s: Summary) -> float:
    return sum(float(s["operations"][op]["arrested"]) for op in NATIONAL_OPERATIONS)


def _dismissed(year: int, political_only: bool) -> Callable[[Summary], float]:
    kinds = (
        ("dismissed_political",) if political_only else ("dismissed_political", "dismissed_other")
    )
    return lambda s: sum(float(s["army"][k][str(year)]) for k in kinds)


def _army(event: str, *years: int) -> Callable[[Summary], float]:
    return lambda s: sum(float(s["army"][event][str(y)]) for y in years)


def _men_shot(s: Summary) -> float:
    return 100.0 * float(s["demography"]["shot"]["all"]["male_share"])


_NATIONAL = {"pol": "national_polish", "ger": "national_german", "har": "national_harbin"}
_NATIONAL["lat"] = "national_latvian"
_CALENDAR = "calendar years 1937-1938, not 1 Oct 1936 - 1 Nov 1938"

MEASURES: tuple[Measure, ...] = (
    *(
        Measure(f"V-gulag-{kind}-{year}", _stock(year, key))
        for year in (1936, 1938, 1939, 1940)
        for kind, key in (("itl", "camps"), ("itk", "colonies"))
    ),
    Measure("V-gulag-rel-1939", _released_1939, "releases at term end and by review"),
    Measure("G2-gulag-deaths", _camp_deaths),
    *(
        Measure(
            f"V-gulag-cr{suffix}-{year}",
            _political_camps(year, share),
            "all camp prisoners but the non-political convicts and Order 00447's line of "
            "criminals, whatever their sentence",
        )
        for year in (1936, 1937, 1938, 1939, 1940)
        for suffix, share in (("", False), ("-share", True))
    ),
    Measure("V-natop-pol-arr", _operation("national_polish", "arrested")),
    *(
        Measure(f"V-natop-{short}-{what}", _operation(op, key))
        for short, op in _NATIONAL.items()
        for what, key in (("conv", "convicted"), ("shot", "death_sentences"))
    ),
    Measure(
        "V-nkvd-arrested-3638",
        lambda s: float(s["elites"]["nkvd_officers"]["arrested"]),
        "whole run, not 1 Oct 1936 - 15 Aug 1938",
    ),
    Measure(
        "V-army-arr-3738",
        lambda s: float(s["elites"]["army_command"]["arrested"]),
        "all arrested officers over the whole run, not only the dismissed of 1937-38",
    ),
    # The 1st Special Department's note of 1 Nov 1938 (nkvd_spravka_1nov1938); the summary
    # has calendar years and whole operations, not its period.
    Measure("V-nkvd-011138-arr", _years("arrested", 1937, 1938), _CALENDAR),
    Measure("V-nkvd-011138-conv", _years("convicted", 1937, 1938), _CALENDAR),
    Measure("V-nkvd-011138-death", _years("shot", 1937, 1938), _CALENDAR),
    Measure("V-nkvd-011138-prison", _years("camp", 1937, 1938), _CALENDAR),
    Measure(
        "V-nkvd-011138-00447-arr",
        _operation("kulak_00447", "arrested"),
        "the order's arrests over the whole run, not to 1 Nov 1938",
    ),
    Measure(
        "V-nkvd-011138-natop-arr",
        _national_arrested,
        "the national operations' arrests over the whole run, not to 1 Nov 1938",
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
    *(Measure(f"V-army-dism-{year}", _dismissed(year, False)) for year in (1937, 1938, 1939)),
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
    Measure("G6-men-shot", _men_shot, "men among all sentenced to death, percent"),
)


def holdout_values(summary: Summary) -> dict[str, float]:
    """The simulated value of each validation figure the summary reports."""
    return {m.fact_id: m.simulated(summary) for m in MEASURES}
