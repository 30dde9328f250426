"""Where the package finds its shipped data and keeps its local state.

Local state (the evidence database, the run registry) lives under one home
directory so that a user, or a test, can relocate all of it with a single
environment variable, ``GREATTERROR_HOME``.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

HOME_ENV = "GREATTERROR_HOME"


def data_dir() -> Path:
    """The directory of CSV data shipped inside the package."""
    return Path(str(files("greatterror") / "data"))


def evidence_dir() -> Path:
    return data_dir() / "evidence"


def population_data_dir() -> Path:
    return data_dir() / "population"


def scenarios_dir() -> Path:
    return Path(str(files("greatterror") / "scenarios"))


def home_dir() -> Path:
    """The local state directory; created on first use."""
    raw = os.environ.get(HOME_ENV)
    home = Path(raw) if raw else Path.home() / ".greatterror"
    home.mkdir(parents=True, exist_ok=True)
    return home
