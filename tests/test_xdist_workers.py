"""``-n auto`` starts one worker per CPU this process may use (tests/xdist_workers.py): the
affinity, bounded by the cgroup v2 quota, and none on one CPU."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import xdist_workers


def _cpu_max(tmp_path: Path, text: str | None) -> Path:
    path = tmp_path / "cpu.max"
    if text is not None:
        path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "cpus"),
    [
        ("max 100000\n", None),  # no quota
        ("200000 100000\n", 2),  # docker --cpus 2
        ("150000 100000\n", 1),  # 1.5 CPUs: whole ones, rounded down
        ("50000 100000\n", 1),  # half a CPU: at least one
        ("garbled\n", None),
        (None, None),  # no file: cgroup v1, or not Linux
    ],
)
def test_the_cgroup_quota_in_whole_cpus(tmp_path: Path, text: str | None, cpus: int) -> None:
    assert xdist_workers.cgroup_cpus(_cpu_max(tmp_path, text)) == cpus


@pytest.mark.parametrize(
    ("affinity", "quota", "workers"),
    [
        (64, "200000 100000", 2),  # a 2-CPU container on a 64-CPU host
        (2, "max 100000", 2),
        (2, None, 2),
        (4, "800000 100000", 4),  # the quota above the affinity
        (1, None, 0),  # one CPU: run in the pytest process
        (64, "100000 100000", 0),
    ],
)
def test_auto_workers_follow_affinity_and_quota(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    affinity: int,
    quota: str | None,
    workers: int,
) -> None:
    monkeypatch.delenv(xdist_workers.OVERRIDE_ENV, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(affinity)), raising=False)
    assert xdist_workers.auto_workers(_cpu_max(tmp_path, quota)) == workers


def test_the_override_is_left_to_xdist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With PYTEST_XDIST_AUTO_NUM_WORKERS set, the hook gives no answer and xdist's own reads
    the variable."""
    from xdist.plugin import pytest_xdist_auto_num_workers

    monkeypatch.setenv(xdist_workers.OVERRIDE_ENV, "3")
    assert xdist_workers.auto_workers(_cpu_max(tmp_path, "100000 100000")) is None
    assert pytest_xdist_auto_num_workers(config=None) == 3  # type: ignore[arg-type]


def test_the_suite_uses_the_hook(pytestconfig: pytest.Config) -> None:
    """The hook is found where pytest looks for it when started from the repository's root."""
    hooks = pytestconfig.pluginmanager.hook.pytest_xdist_auto_num_workers.get_hookimpls()
    assert any(impl.plugin_name.endswith("tests/conftest.py") for impl in hooks)
