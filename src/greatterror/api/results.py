"""What a finished run gives back: its summary, time series and targets as tables.

The summary is the same dict that ``summary.json`` holds (docs/outputs.md);
the tables are pandas DataFrames built on first use, so a run that only
needs its summary (calibration, ensembles) pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from greatterror.model.summary import channel_rows, timeseries_rows

if TYPE_CHECKING:
    import pandas as pd

    from greatterror.evidence.loader import Evidence
    from greatterror.model.sim import Simulation

TARGET_COLUMNS = ["id", "label", "archival", "low", "high", "simulated", "ratio", "inside", "met"]
#: A target is met when the run falls inside the archival range or within this
#: relative distance of the central value (docs/validation.md uses the same rule).
TOLERANCE = 0.2


#: The warnings a run's summary can carry: where each is (keys into summary.json) and what
#: it says of many runs at once, where each run's own text gives its own figures (days, dates).
SUMMARY_WARNINGS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("nkvd_capacity",),
        "the NKVD's capacity to arrest (nkvd_capacity) held arrests back: those runs are not "
        "the runs without the bound (summary.json, nkvd_capacity)",
    ),
    (
        ("limit_requests", "held_for_sanction"),
        "cases held for a sanction at the run's end, neither sentenced nor released (no halt) "
        "(summary.json, limit_requests.held_for_sanction)",
    ),
)


def _warned(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """Each warning the summary carries: (what it says of many runs, the run's own text)."""
    found = []
    for keys, general in SUMMARY_WARNINGS:
        block: Any = summary
        for key in keys:
            block = block.get(key) if isinstance(block, dict) else None
        text = block.get("warning") if isinstance(block, dict) else None
        if text:
            found.append((general, str(text)))
    return found


def summary_warnings(summary: dict[str, Any]) -> list[str]:
    """The warnings of one run's summary, in the order of ``SUMMARY_WARNINGS``; [] for none."""
    return [own for _, own in _warned(summary)]


def warning_kinds(summary: dict[str, Any]) -> list[str]:
    """The same warnings in the words used for many runs (``count_warnings``)."""
    return [general for general, _ in _warned(summary)]


def count_warnings(kinds: Iterable[Iterable[str]]) -> dict[str, int]:
    """How many runs had each warning, from each run's ``warning_kinds``; {} for none."""
    counts: dict[str, int] = {}
    for run in kinds:
        for kind in dict.fromkeys(run):  # a run counts once per warning
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def targets_frame(summary: dict[str, Any], evidence: Evidence) -> pd.DataFrame:
    """Simulated against archival, with the record's range and whether the run falls inside it.

    ``low`` and ``high`` are the archival range of the fact (the central value
    when the sources give only one figure); ``met`` is ``inside`` or a ratio
    within ``TOLERANCE`` of 1.
    """
    import pandas as pd  # imported on use: the CLI's start-up does not pay for it

    rows = []
    for t in summary["targets"]:
        fact = evidence.facts.get(t["id"])
        low = fact.value_low if fact is not None and fact.value_low is not None else t["archival"]
        high = (
            fact.value_high if fact is not None and fact.value_high is not None else t["archival"]
        )
        inside = low is not None and high is not None and low <= t["simulated"] <= high
        rows.append({**{k: t.get(k) for k in TARGET_COLUMNS}, "low": low, "high": high})
        ratio = t.get("ratio")
        rows[-1]["inside"] = bool(inside)
        rows[-1]["met"] = bool(inside) or (ratio is not None and abs(ratio - 1.0) <= TOLERANCE)
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


class Results:
    """The outputs of one run.

    Attributes are computed once, on first access: ``summary`` (dict),
    ``timeseries`` (date, region, operation, event, count), ``channels``
    (date, channel, backlog, decided) and ``targets`` (id, label, archival,
    low, high, simulated, ratio, inside). ``warnings`` lists what the summary
    warns of (an empty list when nothing):

    >>> results = Results({"nkvd_capacity": {"warning": None}}, None, None)
    >>> results.warnings
    []
    >>> results.summary["limit_requests"] = {"held_for_sanction": {"warning": "cases held"}}
    >>> results.warnings
    ['cases held']
    """

    def __init__(self, summary: dict[str, Any], simulation: Simulation, evidence: Evidence):
        self.summary = summary
        self._sim = simulation
        self._evidence = evidence

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(timeseries_rows(self._sim))

    @cached_property
    def channels(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(channel_rows(self._sim))

    @cached_property
    def targets(self) -> pd.DataFrame:
        return targets_frame(self.summary, self._evidence)

    @property
    def warnings(self) -> list[str]:
        """The run's warnings, read from its summary each time (stored nowhere else): the
        NKVD's capacity held arrests back (``nkvd_capacity.warning``), cases were left held for
        a sanction (``limit_requests.held_for_sanction.warning``). ``greatterror run`` prints
        them; a notebook should look at them before reading the figures."""
        return summary_warnings(self.summary)

    @property
    def yearly(self) -> pd.DataFrame:
        """Yearly totals (arrested, convicted, death sentences, ...), one row per year."""
        import pandas as pd

        frame = pd.DataFrame.from_dict(self.summary["yearly"], orient="index")
        frame.index.name = "year"
        return frame

    def __repr__(self) -> str:
        s = self.summary
        return f"Results(scenario={s['scenario']!r}, scale={s['scale']:g}, seed={s['seed']})"
