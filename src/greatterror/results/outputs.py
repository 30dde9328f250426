"""Reading and writing the files of a run directory, as specified in docs/outputs.md.

The schemas live here, and only here, so that the simulation that writes a
run and the report that reads it cannot drift apart. A run directory is
written through :func:`write_run_atomically`, so that a run that fails
half-way leaves no directory that looks like a finished run.
"""

from __future__ import annotations

import json
import math
import secrets
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

TIMESERIES_FILE = "timeseries.parquet"
CHANNELS_FILE = "channels.parquet"
SUMMARY_FILE = "summary.json"
REPORT_FILE = "report.html"

OPERATIONS = (
    "kulak_00447",
    "national_polish",
    "national_german",
    "national_harbin",
    "national_latvian",
    "national_other",
    "elite",
    "ordinary",
    "family",
)
EVENTS = (
    "arrested",
    "convicted_cat1",
    "convicted_camp",
    "convicted_exile",
    "executed",
    "released",
    "died_in_custody",
)
CHANNELS = ("troika", "album", "special_troika", "oso", "military_collegium", "courts")

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
SUMMARY_KEYS = (
    "scenario",
    "scale",
    "seed",
    "version",
    "parameters",
    "population",
    "start",
    "end",
    "yearly",
    "operations",
    "elites",
    "trials",
    "policy_mode",
    "policy",
    "targets",
    "limit_fill",
    "targeted",
)

Columns = Mapping[str, Sequence[Any] | np.ndarray]


class RunOutputError(ValueError):
    """A run's output is malformed or cannot be written where asked; the message says where."""


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


def _read(path: Path, schema: pa.Schema) -> pa.Table:
    table = pq.read_table(path)
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


def _plain(value: Any) -> Any:
    """Turn numpy values into JSON ones, and non-finite numbers into null.

    NaN and infinity are not JSON; an undefined ratio (an archival value of
    zero) is honestly "no value", which is what null says.
    """
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def summary_json(summary: Mapping[str, Any]) -> str:
    """The summary as strict JSON text; shared by summary.json and the run registry."""
    return json.dumps(_plain(summary), indent=2, ensure_ascii=False, allow_nan=False)


def write_summary(path: Path, summary: Mapping[str, Any]) -> None:
    missing = [k for k in SUMMARY_KEYS if k not in summary]
    if missing:
        raise RunOutputError(f"{SUMMARY_FILE}: missing keys {missing} (see docs/outputs.md)")
    Path(path).write_text(summary_json(summary) + "\n", encoding="utf-8")


def read_summary(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RunOutputError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise RunOutputError(f"{path}: expected a JSON object")
    return data


def _sibling(out_dir: Path, tag: str) -> Path:
    # Hidden and in the same directory, so that the final rename stays on one
    # filesystem (and is therefore atomic) and a crash leaves only dot-files.
    return out_dir.parent / f".{out_dir.name}.{tag}-{secrets.token_hex(4)}"


def write_run_atomically(
    out_dir: Path, writer_fn: Callable[[Path], None], *, overwrite: bool = False
) -> Path:
    """Call ``writer_fn(tmp_dir)`` and move ``tmp_dir`` to ``out_dir`` only if it returned.

    An existing non-empty ``out_dir`` is refused unless ``overwrite`` is set,
    because it may hold the only copy of an earlier run. With ``overwrite``
    the old directory is removed only after the new one is in place.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise RunOutputError(f"output path {out_dir} exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise RunOutputError(
            f"output directory {out_dir} already exists and is not empty; "
            "choose another directory or allow overwriting it"
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = _sibling(out_dir, "partial")
    tmp.mkdir()
    try:
        writer_fn(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old: Path | None = None
    if out_dir.exists():
        old = _sibling(out_dir, "old")
        out_dir.rename(old)
    try:
        tmp.rename(out_dir)
    except BaseException:
        if old is not None:
            old.rename(out_dir)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return out_dir
