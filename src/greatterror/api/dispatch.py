"""Many independent runs: the checks of seeds and workers, and where the runs go.

``Ensemble`` (one run per seed) and ``Paired`` (two runs per seed) share this.
Each task is independent and its result is put back in task order, so the
results do not depend on how many workers there are: local worker processes
by default, or a Dask cluster when given a ``dask.distributed.Client``.

When the caller stops (Ctrl-C, or an error of a run), the local workers are ended at once
and the runs not started are cancelled: the pool's own exit would wait for every queued
run, minutes at 1:100. The workers ignore SIGINT, which a terminal's Ctrl-C sends to each
of them too: the process that started them stops them (cli/interrupt.py).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from greatterror.api.options import SimError, check_seed

#: At most this many seeds in one call: a bound on the work one call can ask for.
MAX_SEEDS = 10_000

T = TypeVar("T")


def check_seeds(seeds: Iterable[int]) -> list[int]:
    """Distinct seeds, each in the registry's range, at least one and at most ``MAX_SEEDS``."""
    checked = [check_seed(s, "seeds") for s in seeds]
    if not checked:
        raise SimError("seeds: expected at least one seed")
    if len(checked) > MAX_SEEDS:
        raise SimError(f"seeds: {len(checked)} seeds; allowed: at most {MAX_SEEDS}")
    if len(set(checked)) != len(checked):
        raise SimError("seeds: a seed is repeated; each run needs its own seed")
    return checked


def check_workers(workers: Any, tasks: int) -> int:
    """The worker count asked for, or one per task up to the machine's cores."""
    if workers is None:
        return min(tasks, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise SimError("workers: expected a whole number of at least 1")
    if workers < 1:
        raise SimError(f"workers: {workers} is out of range; allowed: 1 or more")
    return workers


def _ignore_interrupt() -> None:
    """A worker's initializer: Ctrl-C is its parent's to handle (module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel the runs not started and end the workers now: their results are not wanted.

    ProcessPoolExecutor has no public way to end its workers before Python 3.14
    (``terminate_workers``), so its private map of processes is read for that
    (tests/test_interrupt.py checks that this Python's pool still has it). A Python whose
    pool no longer has the map gets only the public shutdown, which cancels the runs not
    started but cannot end the running ones: the pool's exit then waits for those (one run
    per worker), not for the whole queue."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()


def map_tasks(
    fn: Callable[..., T],
    args: Sequence[tuple[Any, ...]],
    *,
    workers: int,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[T]:
    """``[fn(*a) for a in args]``, spread over workers; ``progress(done, total)`` after each."""
    done: dict[int, T] = {}

    def finished(i: int, result: T) -> None:
        done[i] = result
        if progress is not None:
            progress(len(done), len(args))

    if client is not None:
        from dask.distributed import as_completed

        futures = {client.submit(fn, *a, pure=False): i for i, a in enumerate(args)}
        for future in as_completed(futures):
            finished(futures[future], future.result())
    elif workers == 1:
        for i, a in enumerate(args):
            finished(i, fn(*a))
    else:
        # fork: workers start with the compiled kernels and loaded modules of this process
        context = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else None)
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_ignore_interrupt
        ) as pool:
            try:
                futures = {pool.submit(fn, *a): i for i, a in enumerate(args)}
                for fut in futures:
                    finished(futures[fut], fut.result())
            except BaseException:
                _stop_workers(pool)
                raise
    return [done[i] for i in range(len(args))]
