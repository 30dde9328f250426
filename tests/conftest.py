"""Shared fixtures: every test session gets its own local state directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from greatterror.paths import HOME_ENV


@pytest.fixture(autouse=True, scope="session")
def isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("greatterror-home")
    mp = pytest.MonkeyPatch()
    mp.setenv(HOME_ENV, str(home))
    yield home
    mp.undo()
