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
    #: a sum of theirs, most of their period, or their quantity less a small part of it): a
    #: check on another source, not out of sample
    repeats: tuple[str, ...] = ()
    #: the model inputs chosen after this figure was read (a fixed parameter's value): the
    #: figure no longer checks them independently, so it is shown with the checks of
    #: in-sample quantities and not counted out of sample
    informed: tuple[str, ...] = ()
    #: the model's rules (not parameters) chosen after this figure was read, each as "rule
    #: (branch that chose it)": as for ``informed``, the figure no longer checks them
    #: independently and is shown with the checks
    informed_rules: tuple[str, ...] = ()
    #: the refit gate's thresholds (names of calibration/validity.py's constants) that bound
    #: this figure's quantity: a fitted point that fails one is not applied, so the figure
    #: constrains the fit and is shown with the checks, not counted out of sample
    gate: tuple[str, ...] = ()
    #: the days a figure read from timeseries.parquet sums over (the fact's period)
    window: tuple[str, str] | None = None

    @property
    def checks(self) -> tuple[str, ...]:
        """Why the figure is a check of in-sample quantities and not out of sample: the targets
        it repeats, "informed" and each input chosen after reading it, "informed by" and each
        rule chosen after reading it, "gate" and each refit gate threshold that bounds it;
        empty for a figure counted out of sample."""
        return (
            *self.repeats,
            *(f"informed {x}" for x in self.informed),
            *(f"informed by {x}" for x in self.informed_rules),
            *(f"gate {x}" for x in self.gate),
        )
