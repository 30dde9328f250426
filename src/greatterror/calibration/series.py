"""A run's dated counts, as ``timeseries.parquet`` holds them, summed over a window.

The summary (summary.json) gives calendar years and whole operations; several validation
figures count to a date (Order 00447's arrests by 15 August 1937), in one region (Moscow
oblast's category 1) or over a period that is not a calendar year. Those are read from the
run's other output, one row per (date, region, operation, event) with a non-zero count
(docs/outputs.md). :class:`Series` holds those rows, whether they come from a finished
simulation (``model/summary.timeseries_rows``) or from a run directory's Parquet file, so
the validation reads what a user of the outputs can read, nothing internal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.vocabulary import EVENTS, OPERATIONS

#: timeseries.parquet's columns (docs/outputs.md)
COLUMNS = ("date", "region", "operation", "event", "count")
#: the events that are a sentence (a conviction): death, camp or exile
CONVICTED = ("convicted_cat1", "convicted_camp", "convicted_exile", "convicted_other")


@dataclass(frozen=True)
class Series:
    """The rows of timeseries.parquet: one per (date, region, operation, event)."""

    date: NDArray[np.datetime64]
    region: NDArray[np.object_]
    operation: NDArray[np.object_]
    event: NDArray[np.object_]
    count: NDArray[np.float64]

    @classmethod
    def of(cls, rows: Mapping[str, Any]) -> Series:
        """From ``timeseries_rows(sim)`` or a DataFrame read from timeseries.parquet."""
        return cls(
            np.asarray(rows["date"], dtype="datetime64[D]"),
            np.asarray(rows["region"], dtype=object),
            np.asarray(rows["operation"], dtype=object),
            np.asarray(rows["event"], dtype=object),
            np.asarray(rows["count"], dtype=np.float64),
        )

    def total(
        self,
        operations: Sequence[str],
        events: Sequence[str],
        start: str | dt.date,
        end: str | dt.date,
        region: str | None = None,
    ) -> float:
        """The count of ``events`` in ``operations`` from ``start`` to ``end`` (both days
        included), in one region or in all of them."""
        for name in operations:
            if name not in OPERATIONS:
                raise ValueError(f"operation {name!r} is unknown; allowed: {', '.join(OPERATIONS)}")
        for name in events:
            if name not in EVENTS:
                raise ValueError(f"event {name!r} is unknown; allowed: {', '.join(EVENTS)}")
        keep = (
            np.isin(self.operation, list(operations))
            & np.isin(self.event, list(events))
            & (self.date >= np.datetime64(str(start), "D"))
            & (self.date <= np.datetime64(str(end), "D"))
        )
        if region is not None:
            keep &= self.region == region
        return float(self.count[keep].sum())
