"""The Parquet files of a run directory (docs/outputs.md): schemas, writing, reading.

Kept apart from ``results/outputs.py`` because pyarrow takes about 0.2 s to
import and a run that is only simulated (calibration, benchmarks, tests)
writes no table; ``outputs`` still offers these names, importing this
module on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from greatterror.model.series_rows import SeriesParts, channel_rows, timeseries_rows
from greatterror.results.files import CHANNELS_FILE, TIMESERIES_FILE, Columns, RunOutputError
from greatterror.vocabulary import CHANNELS, EVENTS, OPERATIONS

TIMESERIES_SCHEMA = pa.schema(
    [
        pa.field("date", pa.date32(), nullable=False),
        pa.field("region", pa.string(), nullable=False),
        pa.field("operation", pa.string(), nullable=False),
        pa.field("event", pa.string(), nullable=False),
        pa.field("count", pa.float64(), nullable=False),
    ]
)
CHANNELS_SCHEMA = pa.schema(
    [
        pa.field("date", pa.date32(), nullable=False),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("backlog", pa.float64(), nullable=False),
        pa.field("decided", pa.float64(), nullable=False),
    ]
)


def _column(name: str, values: Sequence[Any] | np.ndarray, type_: pa.DataType) -> pa.Array:
    # Dates may come as ISO strings, datetime.date or numpy datetime64 values
    # of any unit, in a list or an array: whatever the calendar code holds.
    if pa.types.is_date32(type_):
        try:
            values = np.asarray(values, dtype="datetime64[D]")
        except (TypeError, ValueError) as exc:
            raise RunOutputError(f"column '{name}' does not hold dates: {exc}") from exc
        if np.isnat(values).any():
            raise RunOutputError(f"column '{name}' has {int(np.isnat(values).sum())} missing dates")
    try:
        array = pa.array(values, type=type_)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
        raise RunOutputError(f"column '{name}' cannot be stored as {type_}: {exc}") from exc
    if array.null_count:
        raise RunOutputError(f"column '{name}' has {array.null_count} missing values")
    if pa.types.is_floating(type_) and pc.any(pc.is_nan(array)).as_py():
        raise RunOutputError(f"column '{name}' has NaN values")
    return array


def _table(rows: Columns, schema: pa.Schema, what: str) -> pa.Table:
    missing = [n for n in schema.names if n not in rows]
    extra = [n for n in rows if n not in schema.names]
    if missing or extra:
        raise RunOutputError(f"{what}: missing columns {missing}, unexpected columns {extra}")
    arrays = [_column(f.name, rows[f.name], f.type) for f in schema]
    if len({len(a) for a in arrays}) > 1:
        raise RunOutputError(f"{what}: columns have different lengths")
    return pa.Table.from_arrays(arrays, schema=schema)


def _check_values(table: pa.Table, column: str, allowed: Sequence[str], what: str) -> None:
    present = set(pc.unique(table[column]).to_pylist())
    unknown = sorted(present - set(allowed))
    if unknown:
        raise RunOutputError(
            f"{what}: unknown {column} value(s) {unknown}; docs/outputs.md allows {list(allowed)}"
        )


def _sorted(table: pa.Table, keys: Sequence[str]) -> pa.Table:
    # A stable row order makes two runs' files comparable byte for byte.
    return table.take(pc.sort_indices(table, [(k, "ascending") for k in keys]))


def write_timeseries(path: Path, rows: Columns) -> None:
    """Write the event counts; rows with a zero count are dropped, as the format promises."""
    table = _table(rows, TIMESERIES_SCHEMA, TIMESERIES_FILE)
    _check_values(table, "operation", OPERATIONS, TIMESERIES_FILE)
    _check_values(table, "event", EVENTS, TIMESERIES_FILE)
    table = table.filter(pc.not_equal(table["count"], 0.0))
    pq.write_table(_sorted(table, ["date", "region", "operation", "event"]), path)


def write_channels(path: Path, rows: Columns) -> None:
    """Write the daily backlog and decisions of each sentencing channel."""
    table = _table(rows, CHANNELS_SCHEMA, CHANNELS_FILE)
    _check_values(table, "channel", CHANNELS, CHANNELS_FILE)
    pq.write_table(_sorted(table, ["date", "channel"]), path)


def write_series(folder: Path, parts: SeriesParts) -> None:
    """Write a run's timeseries.parquet and channels.parquet into ``folder``."""
    write_timeseries(folder / TIMESERIES_FILE, timeseries_rows(parts))
    write_channels(folder / CHANNELS_FILE, channel_rows(parts))


def _read(path: Path, schema: pa.Schema) -> pa.Table:
    """A run's table; RunOutputError naming the file when it is missing, truncated or not
    Parquet (a damaged run folder is the user's to fix, not a bug)."""
    if not Path(path).is_file():
        raise RunOutputError(f"{path}: missing; the run folder is incomplete, run it again")
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        # Arrow's first sentence, without the path it repeats ("Could not open ...: why")
        detail = str(exc).split(". ")[0].rsplit(": ", 1)[-1].strip() or type(exc).__name__
        raise RunOutputError(
            f"{path}: not a readable Parquet table ({detail}); the file is damaged or "
            "truncated: make the run again, or restore the folder from a copy"
        ) from None
    missing = [n for n in schema.names if n not in table.column_names]
    if missing:
        raise RunOutputError(f"{path}: missing columns {missing}")
    try:
        return table.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError) as exc:
        raise RunOutputError(f"{path}: columns do not match docs/outputs.md: {exc}") from exc


def read_timeseries(path: Path) -> pa.Table:
    return _read(path, TIMESERIES_SCHEMA)


def read_channels(path: Path) -> pa.Table:
    return _read(path, CHANNELS_SCHEMA)
