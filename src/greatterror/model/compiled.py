"""Whether the model's Numba kernels are already compiled, so a first run can say why it waits.

Every kernel is compiled with ``cache=True``: the first run after an install
(or after a kernel's source changed) compiles them, about 15 s of CPU on the
development machine (docs/performance-log.md), and writes them to Numba's cache;
later processes load them in milliseconds. Numba keeps the cache beside the
source (``__pycache__``) when that folder is writable, otherwise in the
user's cache folder; ``NUMBA_CACHE_DIR`` chooses another folder.

Finding out reads each kernel's cache index (a small file), never compiles.
It uses Numba's cache objects, which are not a public interface: if they
change, the answer is "compiled" and the notice is simply not shown.

**Stale caches.** Numba checks a cached kernel against its own module's source
file only. A kernel that calls a kernel of another module keeps, in its cache,
the callee as it was compiled: after the callee's source changes, the caller
loads the old code, which gives wrong results or crashes the process (a
segmentation fault was seen on 4 December 2026; docs/performance-log.md, branch
speed7). ``drop_stale_caches`` therefore keeps a stamp of all kernel modules'
sources (path, size and modification time, as Numba's own check) beside the
caches, and drops every kernel's cache when the stamp changes: after editing
any kernel module, the next run recompiles all of them, once.

**Processes sharing a cache.** Numba's cache files are not safe for two processes writing at
once; ``drop_stale_caches`` first installs ``cache_lock``, a file lock around them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

#: CPU seconds to compile one kernel, on average: 15.3 s for the 52 kernels of a 1:1,000 run
#: on the development machine (bench/bench_coldstart.py, docs/performance-log.md); 17.6 s for 65
#: on 6 December, under load (bench/bench_compile.py, branch speed12)
SECONDS_PER_KERNEL = 0.3


def _kernel_modules() -> list[ModuleType]:
    """The modules whose kernels are cached, and those which define none but whose constants
    kernels compile in (``case_flags``: the flags' bits; ``slots``: the slots' indices;
    ``streams``: the stream codes, positions in ``STREAMS``, model/stream_pointers.py;
    ``gulag``: the flows' columns ``GF``, ``YEAR``; ``vocabulary``: ``Status``, ``OP``, ``EV``,
    ``LN`` ...; ``population.codes``: the people's codes; ``arrays``: the named tuples kernels
    take; ``sentence_events``: the calendar stamp's shift), so a change of one must drop their caches too. A module a kernel module imports
    that is in neither group is in ``NO_COMPILED_CONSTANTS`` (tests/test_compiled.py)."""
    from greatterror import vocabulary
    from greatterror.model import (
        arrays,
        arrest_kernel,
        calendar,
        case_flags,
        channels,
        core,
        core_kernels,
        families,
        flatcalls,
        gulag,
        gulag_kernels,
        holding,
        kernels,
        ledger_cells,
        ledger_sums,
        line_draws,
        lines,
        njit_options,
        pairwise,
        purge_state,
        queue_kernels,
        registers,
        sentence_events,
        sentence_kernels,
        slots,
        sorting,
        stream_pointers,
        streams,
        subsets,
        term_kernel,
    )
    from greatterror.population import codes as population_codes
    from greatterror.population import kernels as population_kernels
    from greatterror.population import kernels_marks as population_marks
    from greatterror.population import kernels_search as population_search

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
        core,
        core_kernels,
        gulag_kernels,
        queue_kernels,
        sentence_kernels,
        population_kernels,
        population_marks,
        population_search,
        stream_pointers,
        njit_options,
        case_flags,
        streams,
        slots,
        sentence_events,
        line_draws,
        gulag,
        vocabulary,
        population_codes,
        arrays,
        arrest_kernel,
    ]


#: the modules that kernel modules import but whose names no kernel compiles in: Python
#: classes and functions used by the Python side of a kernel module (reading data files, the
#: components' steps) or only for type annotations (tests/test_compiled.py)
NO_COMPILED_CONSTANTS = (
    "greatterror.evidence.csvrows",
    "greatterror.evidence.errors",
    "greatterror.evidence.schema",
    "greatterror.paths",
    "greatterror.model.credits",  # served_years: term_kernel's loop is its own copy
    "greatterror.model.engine",
    "greatterror.model.fast_draws",
    "greatterror.model.loop",
    "greatterror.model.state",
    "greatterror.model.steps_gulag",
    "greatterror.model.world",
    "greatterror.population.groups",
    "greatterror.population.inputs",
    "greatterror.population.people",
)


#: kernel modules no run calls yet (the compiled draws, for the compiled components to come):
#: stamped with the others, but not counted by the first-run notice, which would otherwise
#: count their kernels as missing before every run
NOT_YET_CALLED = ("greatterror.model.stream_pointers.",)


#: the file, in each kernel cache folder, that holds the stamp of the sources cached there
STAMP_NAME = "greatterror-kernels.stamp"


def _kernels(modules: list[ModuleType]) -> Iterator[tuple[str, Any]]:
    """Each kernel defined in ``modules`` (not those imported into them), with its name."""
    from numba.core.registry import CPUDispatcher

    for module in modules:
        for name, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", value


def _counted(name: str, kernel: Any) -> bool:
    """Whether the notice counts this kernel: not one no run calls yet, and not one inlined
    into its callers (``inline="always"``, model/njit_options.py), which is never compiled on
    its own and so never has a cache entry of its own."""
    return not name.startswith(NOT_YET_CALLED) and kernel.targetoptions.get("inline") != "always"


def uncompiled_kernels() -> list[str]:
    """The names of the kernels a run would compile first (none when the cache holds them)."""
    missing = []
    for name, kernel in _kernels(_kernel_modules()):
        if not _counted(name, kernel):
            continue
        try:
            cached = bool(getattr(kernel, "_cache")._cache_file._load_index())  # noqa: B009
        except Exception:  # Numba's internals changed: assume compiled, say nothing
            cached = True
        if not cached:
            missing.append(name)
    return missing


def sources_stamp(modules: list[ModuleType]) -> str:
    """A digest of the kernel modules' source files: name, size and modification time of each
    (what Numba compares for one module, here taken over all of them together)."""
    digest = hashlib.sha256()
    for module in sorted(modules, key=lambda m: m.__name__):
        stat = Path(str(module.__file__)).stat()
        digest.update(f"{module.__name__} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


@functools.cache
def drop_stale_caches() -> bool:
    """Drop every kernel's cache if any kernel module's source changed since the caches were
    stamped; stamp them. Once a process (later calls return the first answer); True if the
    caches were dropped. Folders that cannot be written are left as they are: a kernel whose
    cache cannot be written is compiled in every process anyway.

    First it locks Numba's cache files across processes (``cache_lock``): this runs before any
    kernel does, in every process that runs them (``Simulation``, ``build_population``)."""
    from greatterror.model.cache_lock import install

    install()
    modules = _kernel_modules()
    stamp = sources_stamp(modules)
    caches: list[Any] = [getattr(kernel, "_cache", None) for _, kernel in _kernels(modules)]
    folders = {Path(c.cache_path) for c in caches if getattr(c, "cache_path", None)}
    if all(_read(folder / STAMP_NAME) == stamp for folder in folders):
        return False
    for cache in caches:
        with contextlib.suppress(Exception):  # an unwritable folder, or Numba's internals
            cache.flush()
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / STAMP_NAME).write_text(stamp + "\n")
    return True


#: the notice is shown only when at least this share of the package's kernels is missing
NOTICE_SHARE = 0.5


def _kernel_count() -> int:
    return sum(_counted(name, kernel) for name, kernel in _kernels(_kernel_modules()))


def notice_for(missing: int, total: int) -> str | None:
    """The notice for ``missing`` of ``total`` kernels not in the cache, or None."""
    if missing == 0 or missing < NOTICE_SHARE * total:
        return None
    seconds = max(1, round(SECONDS_PER_KERNEL * missing))
    return (
        f"Compiling {missing} Numba kernels before the first run after an install or "
        f"update (about {seconds} s, once: later runs load them from Numba's cache)."
    )


def compile_notice() -> str | None:
    """A sentence for the user if this run must compile kernels first, else None.

    Some kernels are never called by a run of the historical scenario through the command
    line (the dense ledger's, which only the regional start of H3 and H4 and paired runs
    fill; population kernels only some scales reach), so their caches stay empty: a notice
    counting them would be shown, falsely, before every run (about ten of some 110 kernels at
    1:10,000; a fixed count of ten once did exactly that, review31 F9). After an install, or
    after a kernel module changed (``drop_stale_caches``), every kernel is missing; the notice
    is therefore shown only when at least ``NOTICE_SHARE`` of them are."""
    return notice_for(len(uncompiled_kernels()), _kernel_count())
