"""The rows of a run's two tables (timeseries.parquet, channels.parquet), from compact parts.

:func:`series_parts` takes from a finished simulation what the tables hold: the ledger's
nonzero cells and their counts, the channels' daily backlog and decisions, the first day
and the regions' codes. They are a few arrays, cheap to hand to another process (the command
line's output worker, results/output_worker.py, writes the tables there, so that the run's
own process never imports pyarrow and pandas); :func:`timeseries_rows` and
:func:`channel_rows` expand them into the tables' columns, the same wherever they run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.vocabulary import CHANNELS, EVENTS, OPERATIONS


@dataclass(frozen=True)
class SeriesParts:
    """What the two tables hold, compactly (plain arrays, strings and tuples: picklable)."""

    start: str  # the first day, ISO
    shape: tuple[int, int, int, int]  # the ledger's (days, regions, operations, events)
    cells: NDArray[np.int64]  # the flat indices of the ledger's nonzero cells, ascending
    counts: NDArray[np.float64]  # their counts
    regions: tuple[str, ...]  # the regions' codes, by region index
    backlog: NDArray[np.float64]  # (days, channels)
    decided: NDArray[np.float64]  # (days, channels)


def series_parts(sim: Any) -> SeriesParts:
    cells, counts = sim.ledger.nonzero()
    return SeriesParts(
        start=sim.start.isoformat(),
        shape=tuple(sim.ledger.shape),
        cells=cells,
        counts=counts,
        regions=tuple(reg.code for reg in sim.pop.regions),
        backlog=sim.ledger.backlog,
        decided=sim.ledger.decided,
    )


def timeseries_rows(parts: SeriesParts) -> dict[str, Any]:
    """The event counts by date, region, operation and event (nonzero cells, in the ledger's
    order: day, region, operation, event)."""
    d, r, o, e = np.unravel_index(parts.cells, parts.shape)
    return {
        "date": np.datetime64(parts.start) + d.astype("timedelta64[D]"),
        "region": np.array(parts.regions, dtype=object)[r],
        "operation": np.array(OPERATIONS, dtype=object)[o],
        "event": np.array(EVENTS, dtype=object)[e],
        "count": parts.counts,
    }


def channel_rows(parts: SeriesParts) -> dict[str, Any]:
    """The channels' backlog and decisions, day by day, channel by channel."""
    days = np.repeat(np.arange(parts.backlog.shape[0]), len(CHANNELS))
    return {
        "date": np.datetime64(parts.start) + days.astype("timedelta64[D]"),
        "channel": np.tile(np.array(CHANNELS, dtype=object), parts.backlog.shape[0]),
        "backlog": parts.backlog.reshape(-1),
        "decided": parts.decided.reshape(-1),
    }
