"""Shared fixtures: every test session gets its own local state directory; under
pytest-xdist, every worker its own Numba cache, and ``-n auto`` one worker per CPU this
process may use (tests/xdist_workers.py)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from script_module import load_script
from xdist_workers import auto_workers

from greatterror.paths import HOME_ENV

#: set by pytest-xdist in each worker process: gw0, gw1, ...
WORKER_ENV = "PYTEST_XDIST_WORKER"
NUMBA_CACHE_ENV = "NUMBA_CACHE_DIR"


@pytest.hookimpl(optionalhook=True)  # optional: also loads with ``-p no:xdist``
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """Workers for ``-n auto``: the CPUs affinity and the cgroup quota allow, none on one CPU
    (tests/xdist_workers.py); None leaves ``PYTEST_XDIST_AUTO_NUM_WORKERS`` to xdist."""
    return auto_workers()


def pytest_configure(config: pytest.Config) -> None:
    """Give each xdist worker (and the processes its tests start) a Numba cache of its own.

    Numba's cache is not safe for processes that compile the same kernel at once: an entry's
    index is written before its data, and the data file's name is chosen from the index as it
    was read, so two processes compiling two signatures of one kernel can leave an index that
    names the other's code (numba/numba#10128, open). Two workers started together on a
    fresh checkout, as in CI, compile the same kernels at the same moment; the stamp of
    model/compiled.py's ``drop_stale_caches`` would be raced on too. Each worker's cache lives
    in .pytest_cache (kept between sessions, so a developer compiles once per worker), or,
    without pytest's cache plugin, in a temporary folder. A ``NUMBA_CACHE_DIR`` already set is
    kept as the parent of the workers' folders. Serial runs (``-n 0``) keep Numba's default."""
    worker = os.environ.get(WORKER_ENV)
    if not worker:
        return
    if os.environ.get(NUMBA_CACHE_ENV):
        folder = Path(os.environ[NUMBA_CACHE_ENV]) / f"xdist-{worker}"
    elif getattr(config, "cache", None) is not None:
        folder = config.cache.mkdir(f"numba-{worker}")
    else:
        folder = Path(tempfile.mkdtemp(prefix=f"greatterror-numba-{worker}-"))
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    os.environ[NUMBA_CACHE_ENV] = str(folder)
    if "numba" in sys.modules:  # imported by a plugin: make it read the variable again
        from numba.core import config as numba_config

        numba_config.reload_config()


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


@pytest.fixture
def build_threads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The thread counts the population's builds are given from now on, in order (a spy on
    ``population.build.build_population``, which still builds): a test of ``threads=`` or
    ``--threads`` sees that the count reached the build."""
    import greatterror.population.build as build_module

    asked: list[int] = []
    real = build_module.build_population

    def spy(*args: Any, threads: int = 1, **kwargs: Any) -> Any:
        asked.append(threads)
        return real(*args, threads=threads, **kwargs)

    monkeypatch.setattr(build_module, "build_population", spy)
    return asked
