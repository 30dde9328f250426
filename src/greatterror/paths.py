"""Where the package finds its shipped data and keeps its local state.

Local state (the evidence database, the run registry) lives under one home
directory so that a user, or a test, can relocate all of it with a single
environment variable, ``GREATTERROR_HOME``.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from greatterror.errors import GreatterrorError

HOME_ENV = "GREATTERROR_HOME"


class HomeError(GreatterrorError):
    """The local state directory cannot be used; the message names it and why."""


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
    """The local state directory; created on first use, refused when it is not a writable folder."""
    raw = os.environ.get(HOME_ENV)
    home = Path(raw) if raw else Path.home() / ".greatterror"
    where = f"{HOME_ENV}={home}" if raw else f"the local state folder {home}"
    if home.exists() and not home.is_dir():
        raise HomeError(f"{where} is not a folder; point {HOME_ENV} at a writable folder")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HomeError(
            f"{where} cannot be created ({exc.strerror or exc}); point {HOME_ENV} at a "
            "writable folder"
        ) from None
    if not os.access(home, os.W_OK | os.X_OK):
        raise HomeError(f"{where} is not writable; point {HOME_ENV} at a writable folder")
    return home
