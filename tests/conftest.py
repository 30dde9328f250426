"""Shared fixtures: every test session gets its own local state directory."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

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
    path = Path(__file__).resolve().parents[1] / "scripts" / "refit_historical.py"

    def load() -> ModuleType:
        spec = importlib.util.spec_from_file_location("refit", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
