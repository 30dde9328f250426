"""Whether the model's Numba kernels are already compiled, so a first run can say why it waits.

Every kernel is compiled with ``cache=True``: the first run after an install
(or after a kernel's source changed) compiles them, about 15 s of CPU on the
development machine (docs/performance.md), and writes them to Numba's cache;
later processes load them in milliseconds. Numba keeps the cache beside the
source (``__pycache__``) when that folder is writable, otherwise in the
user's cache folder; ``NUMBA_CACHE_DIR`` chooses another folder.

Finding out reads each kernel's cache index (a small file), never compiles.
It uses Numba's cache objects, which are not a public interface: if they
change, the answer is "compiled" and the notice is simply not shown.
"""

from __future__ import annotations

from types import ModuleType

#: CPU seconds to compile one kernel, on average: 15.3 s for the 52 kernels of a 1:1,000 run
#: on the development machine (bench/bench_coldstart.py, docs/performance.md)
SECONDS_PER_KERNEL = 0.3


def _kernel_modules() -> list[ModuleType]:
    from greatterror.model import (
        calendar,
        channels,
        families,
        flatcalls,
        holding,
        kernels,
        ledger_cells,
        ledger_sums,
        lines,
        pairwise,
        purge_state,
        registers,
        sorting,
        subsets,
        term_kernel,
    )
    from greatterror.population import kernels as population_kernels

    return [
        kernels,
        flatcalls,
        pairwise,
        holding,
        calendar,
        channels,
        registers,
        families,
        lines,
        subsets,
        purge_state,
        term_kernel,
        sorting,
        ledger_sums,
        ledger_cells,
        population_kernels,
    ]


def uncompiled_kernels() -> list[str]:
    """The names of the kernels a run would compile first (none when the cache holds them)."""
    from numba.core.registry import CPUDispatcher

    missing = []
    for module in _kernel_modules():
        for name, value in vars(module).items():
            if not isinstance(value, CPUDispatcher) or value.__module__ != module.__name__:
                continue
            try:
                cached = bool(getattr(value, "_cache")._cache_file._load_index())  # noqa: B009
            except Exception:  # Numba's internals changed: assume compiled, say nothing
                cached = True
            if not cached:
                missing.append(f"{module.__name__}.{name}")
    return missing


def compile_notice() -> str | None:
    """A sentence for the user if this run must compile kernels first, else None."""
    missing = uncompiled_kernels()
    if not missing:
        return None
    seconds = max(1, round(SECONDS_PER_KERNEL * len(missing)))
    return (
        f"Compiling {len(missing)} Numba kernels before the first run after an install or "
        f"update (about {seconds} s, once: later runs load them from Numba's cache)."
    )
