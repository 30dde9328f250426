"""Reading and writing the files of a run directory, as specified in docs/outputs.md.

The schemas live here, and only here, so that the simulation that writes a
run and the report that reads it cannot drift apart. A run directory is
written through :func:`greatterror.results.rundir.write_run_atomically`, so
that a run that fails half-way leaves no directory that looks like a finished
run.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from greatterror.results.files import (
    CHANNELS_FILE,
    REPORT_FILE,
    SUMMARY_FILE,
    TIMESERIES_FILE,
    Columns,
    RunOutputError,
)
from greatterror.vocabulary import CHANNELS, EVENTS, OPERATIONS

#: re-exported, so that the results side has one module to import its names from
__all__ = [
    "CHANNELS",
    "CHANNELS_FILE",
    "EVENTS",
    "OPERATIONS",
    "REPORT_FILE",
    "SUMMARY_FILE",
    "SUMMARY_KEYS",
    "TIMESERIES_FILE",
    "Columns",
    "RunOutputError",
    "read_summary",
    "summary_json",
    "write_summary",
]

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
    "operations_yearly",
    "elites",
    "trials",
    "policy_mode",
    "policy",
    "targets",
    "limit_fill",
    "targeted",
    "demography",
    "non_political",
    "families",
)

#: the Parquet side (results/tables.py), imported on first use: pyarrow takes about
#: 0.2 s to import, and a run that is only simulated writes no table
_TABLES = (
    "TIMESERIES_SCHEMA",
    "CHANNELS_SCHEMA",
    "write_timeseries",
    "write_channels",
    "read_timeseries",
    "read_channels",
)


def __getattr__(name: str) -> Any:
    if name in _TABLES:
        from greatterror.results import tables

        return getattr(tables, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunOutputError(f"{path}: not valid JSON: {exc}") from None
    except OSError as exc:
        raise RunOutputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not isinstance(data, dict):
        raise RunOutputError(f"{path}: expected a JSON object")
    return data
