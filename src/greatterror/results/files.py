"""The names of a run directory's files and the error for a malformed run (docs/outputs.md).

Shared by ``results/outputs.py`` (JSON, atomic writing) and
``results/tables.py`` (Parquet), so that neither imports the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from greatterror.errors import GreatterrorError

TIMESERIES_FILE = "timeseries.parquet"
CHANNELS_FILE = "channels.parquet"
SUMMARY_FILE = "summary.json"
REPORT_FILE = "report.html"

Columns = Mapping[str, Sequence[Any] | np.ndarray]


class RunOutputError(GreatterrorError, ValueError):
    """A run's output is malformed or cannot be written where asked; the message says where."""
