"""What a validation figure is and what it reads (calibration/holdout.py's measures).

A ``Measure`` names the fact it compares and reads its simulated value from a run's two
outputs, ``Outputs``: summary.json and timeseries.parquet's rows (calibration/series.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from greatterror.calibration.series import Series

Summary = dict[str, Any]


@dataclass(frozen=True)
class Outputs:
    """A run's two outputs the measures read: summary.json and timeseries.parquet's rows."""

    summary: Summary
    series: Series


@dataclass(frozen=True)
class Measure:
    fact_id: str
    simulated: Callable[[Outputs], float]
    #: how the simulated figure differs from the record's definition, if it does
    caveat: str = ""
    #: the in-sample targets whose simulated quantity this figure repeats (the same output,
    #: a sum of theirs, or most of their period): a check on another source, not out of sample
    repeats: tuple[str, ...] = ()
    #: the model inputs chosen after this figure was read (a fixed parameter's value): the
    #: figure no longer checks them independently, so it is shown with the checks of
    #: in-sample quantities and not counted out of sample
    informed: tuple[str, ...] = ()
    #: the days a figure read from timeseries.parquet sums over (the fact's period)
    window: tuple[str, str] | None = None
