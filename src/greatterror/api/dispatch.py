"""Many independent runs: the checks of seeds and workers, and where the runs go.

``Ensemble`` (one run per seed) and ``Paired`` (two runs per seed) share this.
Each task is independent and its result is put back in task order, so the
results do not depend on how many workers there are: local worker processes
by default, or a Dask cluster when given a ``dask.distributed.Client``.

When the caller stops (Ctrl-C, or an error of a run), the local workers are ended at once
and the runs not started are cancelled: the pool's own exit would wait for every queued
run, minutes at 1:100. The workers ignore SIGINT, which a terminal's Ctrl-C sends to each
of them too: the process that started them stops them (pools.py, greatterror/interrupt.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import islice
from typing import Any, TypeVar

from greatterror.api.options import SimError, check_seed, is_whole
from greatterror.pools import worker_pool

#: At most this many seeds in one call: a bound on the work one call can ask for.
MAX_SEEDS = 10_000

T = TypeVar("T")


def check_seeds(seeds: Iterable[int]) -> list[int]:
    """Distinct seeds, each in the registry's range, at least one and at most ``MAX_SEEDS``.

    A single number (``seeds=8``) is refused by name rather than read as a count, and the
    seeds are read only up to one past the bound, so that ``range(10**12)`` is refused at
    once instead of filling the memory.
    """
    if isinstance(seeds, str | bytes | Mapping) or not isinstance(seeds, Iterable):
        raise SimError(
            f"seeds: expected a list or range of whole numbers, e.g. range(1, 9); got {seeds!r}"
        )
    checked = [check_seed(s, "seeds") for s in islice(seeds, MAX_SEEDS + 1)]
    if not checked:
        raise SimError("seeds: expected at least one seed")
    if len(checked) > MAX_SEEDS:
        raise SimError(f"seeds: more than {MAX_SEEDS} seeds; allowed: at most {MAX_SEEDS}")
    if len(set(checked)) != len(checked):
        raise SimError("seeds: a seed is repeated; each run needs its own seed")
    return checked


def check_workers(workers: Any, tasks: int) -> int:
    """The worker count asked for, or one per task up to the machine's cores."""
    if workers is None:
        return min(tasks, os.cpu_count() or 1)
    if not is_whole(workers):
        raise SimError("workers: expected a whole number of at least 1")
    if workers < 1:
        raise SimError(f"workers: {workers} is out of range; allowed: 1 or more")
    return int(workers)


def check_client(client: Any) -> Any:
    """None (local workers) or a ``dask.distributed.Client``: anything that can ``submit``.

    Checked when the ensemble is made, so that a wrong object is named as the argument
    it is, not found as a missing method once the runs start.
    """
    if client is not None and not callable(getattr(client, "submit", None)):
        raise SimError(
            f"client: expected a dask.distributed.Client (or None for local workers); got {client!r}"
        )
    return client


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
        with worker_pool(workers) as pool:  # Ctrl-C ends its workers (pools.py)
            futures = {pool.submit(fn, *a): i for i, a in enumerate(args)}
            for fut in futures:
                finished(futures[fut], fut.result())
    return [done[i] for i in range(len(args))]
