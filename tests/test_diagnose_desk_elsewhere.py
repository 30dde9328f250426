"""scripts/diagnose_desk_elsewhere.py's ``check`` patches the model in its own process; its
pool's workers must carry the patches (review23 F10)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from greatterror.model import fifth_column, steps_policy

ROOT = Path(__file__).resolve().parents[1]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "diagnose_desk_elsewhere", ROOT / "scripts" / "diagnose_desk_elsewhere.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _reading() -> tuple[str, str]:
    """What a worker sees of the two patched functions."""
    return fifth_column.report.__name__, steps_policy.Perception.on.__name__


def test_the_check_pool_forks_so_its_workers_read_through_the_desk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = _script()
    # restored at teardown: the script's patches last for the process
    monkeypatch.setattr(fifth_column, "report", fifth_column.report)
    monkeypatch.setattr(steps_policy.Perception, "on", steps_policy.Perception.on)
    script.read_through_the_desk()
    assert _reading() == ("<lambda>", "perceive_on")
    with script.fork_pool(1) as pool:
        assert pool._mp_context.get_start_method() == "fork"
        assert pool.submit(_reading).result(timeout=120) == ("<lambda>", "perceive_on")
