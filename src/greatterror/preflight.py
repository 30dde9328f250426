"""Checks made before any simulation work, so that a run fails in a second, not after an hour.

A run that would fail late (its seed cannot be stored, its output folder or
the registry cannot be written, the machine has too little memory for the
scale) is refused here with one message, before the population is built
and before anything is written.
"""

from __future__ import annotations

from pathlib import Path

from greatterror.errors import GreatterrorError
from greatterror.scales import MAX_SCALE, MIN_SCALE

#: the registry stores the seed as a signed 64-bit integer
MAX_SEED = 2**63 - 1
#: At most this many threads for a population's build (``--threads``, ``threads=``): a bound
#: on a mistyped value, not on what helps. The build gives each thread whole regions (65
#: today) and starts no more threads than it has regions, so any count up to this one is
#: safe; past the machine's cores a count only adds switching.
MAX_THREADS = 1_024
#: people in the 1937 USSR represented at scale 1, and the elite layer kept at full size
#: at every scale: 837,192 people at 1:1,000 and 2,289,463 at 1:100, of them 675,830 in the
#: elite layer (``gt.Population.build(scale, seed=1)``, 6 December 2026; the officers'
#: households of 5 December tripled the layer, which was 245,000 before)
_PEOPLE_AT_FULL_SCALE = 161_800_000
_ELITE_LAYER = 676_000
#: peak memory of a run: a fixed part plus bytes per simulated person, fitted to the peak
#: RSS of full runs in docs/performance-log.md (0.34 GB at 1:100, 0.87 GB at 1:10, 6.1 GB at
#: 1:1) with about 10% to spare for writing the outputs; the cases' operational line and
#: naming flag (model/lines.py, 2 bytes a person, 0.3 GB at 1:1), added since, fit in that
#: margin. Re-measured on 6 December 2026 (docs/performance.md, "Memory at full scale"): 5.64
#: GB at 1:1 after branches mem1 and flags, under the 6.8 GB this gives (7.90 GB the same
#: morning, before them)
_FIXED_BYTES = 350_000_000
_BYTES_PER_PERSON = 40


class PreflightError(GreatterrorError):
    """A run would fail or cannot be done here; the message names the setting and the limit."""


def check_seed(seed: int) -> None:
    if not (0 <= seed <= MAX_SEED):
        raise PreflightError(
            f"--seed: {seed} is out of range; allowed values: 0 to {MAX_SEED} (2^63 - 1)"
        )


def check_scale(scale: float) -> None:
    if not (MIN_SCALE <= scale <= MAX_SCALE):
        raise PreflightError(
            f"--scale: {scale:g} is out of range; allowed values: {MIN_SCALE:g} to {MAX_SCALE:g}"
        )


def check_threads(threads: int) -> None:
    if not (1 <= threads <= MAX_THREADS):
        raise PreflightError(
            f"--threads: {threads} is out of range; allowed values: 1 to {MAX_THREADS}"
        )


def estimated_bytes(scale: float) -> int:
    """Peak memory of a run at ``scale``, from the measured figures in docs/performance.md."""
    people = _PEOPLE_AT_FULL_SCALE * scale + _ELITE_LAYER
    return int(_FIXED_BYTES + _BYTES_PER_PERSON * people)


def available_bytes() -> int | None:
    """Memory this process can still use: MemAvailable, capped by a cgroup limit; None if unknown."""
    found: list[int] = []
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text(encoding="ascii").strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text(encoding="ascii").strip()
        if limit.isdigit() and used.isdigit():
            found.append(int(limit) - int(used))
    except OSError:
        pass
    return min(found) if found else None


def check_memory(scale: float, force: bool = False, available: int | None = None) -> None:
    """Refuse a scale whose estimated memory exceeds what is available, unless forced."""
    if force:
        return
    available = available_bytes() if available is None else available
    need = estimated_bytes(scale)
    if available is not None and need > available:
        raise PreflightError(
            f"--scale: a run at {scale:g} needs about {need / 1e9:.1f} GB of memory and "
            f"{available / 1e9:.1f} GB is available; choose a smaller scale or pass --force"
        )


def check_run(
    scale: float, seed: int, out: Path | None, overwrite: bool = False, force: bool = False
) -> None:
    """What a run can check from its settings alone: scale, seed, memory, output folder.

    The scenario and parameters are checked by loading them
    (:func:`greatterror.model.scenario.load_scenario`), and the local state by
    :func:`check_local_state`; both before any simulation work.
    """
    from greatterror.results.rundir import check_output_dir

    check_scale(scale)
    check_seed(seed)
    check_memory(scale, force)
    if out is not None:
        check_output_dir(out, overwrite)


def check_local_state() -> None:
    """The home folder is a writable folder (created if missing) and the registry is sound."""
    from greatterror.paths import home_dir
    from greatterror.results.registry import check_registry

    home_dir()
    check_registry()
