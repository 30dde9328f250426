"""Shared fixtures: every test session gets its own local state directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from script_module import load_script

from greatterror.paths import HOME_ENV


@pytest.fixture(autouse=True, scope="session")
def isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("greatterror-home")
    mp = pytest.MonkeyPatch()
    mp.setenv(HOME_ENV, str(home))
    yield home
    mp.undo()


@pytest.fixture
def refit_script() -> Callable[[], ModuleType]:
    """A loader of scripts/refit_historical.py as a fresh module (it is a script, not part of
    the package), for the tests of the refit's gate and validity check."""

    def load() -> ModuleType:
        return load_script("refit_historical.py", "refit")

    return load
