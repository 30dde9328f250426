"""The caption of each figure of a run's report: what is simulated, what is archival.

A reader who mistakes a simulated number for an archival one is misled about
real people's fates, so every caption says which is which.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from greatterror.results import demography_figure

FIGURE_TITLES = {
    "yearly": "Yearly totals against the archival series",
    "operations": "Arrests, death sentences and executions by operation",
    "limits": "Use of the Order No. 00447 limits by region",
    "backlog": "Backlog of each sentencing channel",
    "targeted": "Who was targeted: arrest rates by group",
    "elites": "The elite layer",
    "trials": "Show trials against the record",
    "demography": "Who the victims were: sex and age",
}


def _scale_text(scale: Any) -> str:
    if isinstance(scale, int | float) and 0 < scale <= 1:
        return f"1:{1 / scale:,.0f}"
    return str(scale)


def _equivalents(summary: Mapping[str, Any]) -> str:
    scale = summary.get("scale")
    per_person = (
        f"each simulated person of the mass population counts as {1 / scale:,.0f} people"
        if isinstance(scale, int | float) and 0 < scale <= 1
        else "each simulated person of the mass population is weighted by the inverse of the scale"
    )
    return (
        f"Counts are full-population equivalents: at scale {_scale_text(scale)} {per_person}; "
        "members of the elite layer, simulated at full size, count as one each."
    )


def _partial_years(start: Any, end: Any) -> str:
    """A warning for calendar years the run covers only in part, whose totals are not comparable."""
    try:
        first, last = date.fromisoformat(str(start)), date.fromisoformat(str(end))
    except ValueError:
        return ""
    notes = []
    if (first.month, first.day) != (1, 1):
        notes.append(f"{first.year} from {first.isoformat()} only")
    if (last.month, last.day) != (12, 31):
        notes.append(f"{last.year} up to {last.isoformat()} only")
    return f" The run covers {' and '.join(notes)}." if notes else ""


def captions(summary: Mapping[str, Any], members: int = 0) -> dict[str, str]:
    """The caption of each figure, keyed like FIGURE_TITLES; ``members``: runs of an ensemble."""
    counts = _equivalents(summary)
    band = (
        f" Black lines: the 10-90% band of the {members} runs of the ensemble (same scenario "
        "and parameters, different seeds); the bars are this run."
        if members
        else ""
    )
    partial = _partial_years(summary.get("start"), summary.get("end"))
    return {
        "yearly": (
            "Simulated: persons arrested, convicted and sentenced to death in each calendar "
            "year of this run. Archival: the yearly figures among the run's calibration targets "
            "whose id begins with G1- (G1-<year>-conv for persons convicted; G1-<year>-death "
            "for death sentences). The vertical axis is logarithmic, so that the quiet years "
            "(about 1,000 to 2,500 death sentences) are visible beside 1937-38 (over 300,000); "
            "equal steps on it are equal ratios. A measure or year without a grey bar has no "
            f"archival yearly figure among the targets; a zero is written as 0.{partial}{band} "
            f"{counts}"
        ),
        "operations": (
            "Simulated only: weekly sums (weeks beginning on Monday) of arrests, death "
            "sentences (category 1) and executions in all regions, by the operation under "
            "which each case was handled. No archival series is drawn; archival totals by "
            f"operation, where the record has them, are in the targets table below. {counts}"
        ),
        "limits": (
            "Simulated: the share of each region's category 1 (death sentence) and category 2 "
            "(camp) limit under NKVD Order No. 00447 used by the end of the run. Archival: the "
            "limits themselves, as supplied by the scenario (the order's appendix of 30 July "
            "1937 and any later increases the scenario applies). Regions are sorted by the "
            "category 1 share; a bar past the dashed line means the simulated sentences "
            f"exceeded the limit. {counts}"
        ),
        "backlog": (
            "Simulated only: cases awaiting a decision at the end of each day, for each "
            "sentencing channel (troikas, the 'album' procedure, special troikas, the Special "
            "Board (OSO), the Military Collegium, the military tribunals and the courts). "
            "There is no archival daily "
            f"series to compare with. {counts}"
        ),
        "targeted": (
            "Simulated only: arrests during the run per 1,000 people of each group of the "
            "simulated population, by occupation, by register mark (the category under which "
            "a person was held on NKVD or police registers) and by party status. No archival "
            "comparison is drawn here. Rates are computed from full-population equivalents "
            f"and so do not depend on the scale. {counts}"
        ),
        "elites": (
            "Simulated: the size of each elite group and how many of its members were arrested "
            "and shot during the run, one panel per group, each with its own vertical axis "
            "(the groups differ a thousandfold in size), and the number on each bar. "
            "'not reported' means the run's summary has no such figure for the group (the "
            "17th Congress delegates are counted as arrested only). The elite layer is "
            "simulated person by person, so these are counts of individuals. Archival: a black "
            "line marks the figure of a calibration target (G7-cc-shot, G7-17cong-arr) where "
            f"there is one. {counts}"
        ),
        "trials": (
            "Simulated: defendants and death sentences in each show trial as it took place in "
            "this run. Archival: the numbers of defendants and death sentences recorded for "
            f"that trial, as carried in the run summary. {counts}"
        ),
        "demography": f"{demography_figure.CAPTION} {counts}",
    }
