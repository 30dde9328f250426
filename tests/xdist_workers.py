"""How many pytest-xdist workers the suite starts with ``-n auto``: one per CPU this process may
use, not one per CPU the host has.

xdist counts CPUs with psutil (installed here through dask), which sees the host: a CI
container limited to 2 CPUs on a 64-CPU host would start 64 workers, each building its own
simulations and compiling its own Numba cache (tests/conftest.py), which risks running out of
memory. The count here is the CPUs the scheduler lets this process run on (affinity, which
``taskset`` and ``docker --cpuset-cpus`` set), bounded by the cgroup v2 CPU quota (``docker
--cpus``, Kubernetes CPU limits; whole CPUs, rounded down, at least one). One CPU means no
worker at all: a single worker would only compile a second Numba cache for no gain.
``PYTEST_XDIST_AUTO_NUM_WORKERS`` still sets the count, as xdist documents."""

from __future__ import annotations

import os
from pathlib import Path

#: the cgroup v2 CPU limit of this process's cgroup, as a container sees it
CPU_MAX = Path("/sys/fs/cgroup/cpu.max")

#: xdist's own override of the count (honoured by xdist's hook, which runs when ours does not)
OVERRIDE_ENV = "PYTEST_XDIST_AUTO_NUM_WORKERS"


def cgroup_cpus(cpu_max: Path = CPU_MAX) -> int | None:
    """Whole CPUs of the cgroup's quota ("QUOTA PERIOD" in microseconds), or None if there is
    no quota ("max ..."), no such file (cgroup v1, not Linux) or no sense in it."""
    try:
        quota, period = cpu_max.read_text().split()[:2]
        return max(1, int(quota) // int(period))
    except (OSError, ValueError, ZeroDivisionError):
        return None


def available_cpus(cpu_max: Path = CPU_MAX) -> int:
    """The CPUs this process may use: its affinity, bounded by the cgroup quota."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        count = os.cpu_count() or 1
    quota = cgroup_cpus(cpu_max)
    return max(1, min(count, quota) if quota else count)


def auto_workers(cpu_max: Path = CPU_MAX) -> int | None:
    """The worker count for ``-n auto``: 0 (run in this process) on one CPU; None when the
    override is set, so that xdist's own hook reads it."""
    if os.environ.get(OVERRIDE_ENV):
        return None
    count = available_cpus(cpu_max)
    return 0 if count == 1 else count
