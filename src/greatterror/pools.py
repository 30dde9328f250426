"""Local worker processes that Ctrl-C stops at once, for the commands that run many
simulations (ensembles, pairs, screenings, the fits' checks, and the two point-fit scripts
calibration/leader_rule.py and calibration/search.py, which had bare process pools until
chores23: review22 F21).

A terminal's Ctrl-C sends SIGINT to the whole process group: the workers too. A worker that
takes it raises KeyboardInterrupt wherever it is, prints its own traceback, and can leave the
pool waiting for a result that never comes (``greatterror sensitivity --workers 2`` hung
after Ctrl-C, chores22). So the workers ignore SIGINT, and the process that started them
stops them: it cancels the runs not started and ends the running ones, since their results
are no longer wanted and the pool's own exit would wait for every queued run (greatterror/interrupt.py
prints the one line and exits 130). Imports nothing of the project, so that the API and the
calibration can both use it.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

# how long stop_workers waits for the pool's manager thread once the workers are ended; it
# notices them gone within its next wake-up (a fraction of a second), so this bounds only a
# pool that hangs
MANAGER_JOIN_SECONDS = 5.0


def ignore_interrupt() -> None:
    """In a worker: Ctrl-C is its parent's to handle (module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    ignore_interrupt()
    if initializer is not None:
        initializer(*initargs)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel the runs not started and end the workers now: their results are not wanted.

    ProcessPoolExecutor has no public way to end its workers before Python 3.14
    (``terminate_workers``), so its private map of processes is read for that
    (tests/test_interrupt.py checks that this Python's pool still has it). A Python whose
    pool no longer has the map gets only the public shutdown, which cancels the runs not
    started but cannot end the running ones: the pool's exit then waits for those (one run
    per worker), not for the whole queue.

    The pool's manager thread is joined (at most ``MANAGER_JOIN_SECONDS``) once the workers are
    ended: ``shutdown(wait=False)`` forgets it, so the ``with``'s own shutdown joins nothing, and
    the thread was still tearing down the pool when the command printed its one line
    (review24 F5). The join also orders the teardown: the manager thread fails the queued runs
    before ``Executor.map``'s generator, closed once the interrupt's traceback is dropped,
    cancels them (without the fresh futures of :func:`_detach_cancelled_runs`, 0 of 20
    interrupted maps left the error with the join and 17 of 20 without it, on this machine).
    The fresh futures are kept, as they do not depend on that order or on the join's bound."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    if processes:
        _detach_cancelled_runs(pool)
    for process in processes:
        process.terminate()
    if processes and manager is not None:
        manager.join(MANAGER_JOIN_SECONDS)


def _detach_cancelled_runs(pool: ProcessPoolExecutor) -> None:
    """Give each cancelled run still queued in the pool a fresh future of its own, before the
    workers are ended.

    When a worker ends abruptly, Python 3.11's pool marks every queued run failed with
    ``set_exception``; on a run already cancelled (by ``Executor.map`` on its way out, or by
    the shutdown in :func:`stop_workers`) that the pool's manager thread has not yet dropped,
    the call raises InvalidStateError in that thread, and its traceback reached the user: the
    CI run of 6 December 2026 (``greatterror sensitivity --workers 2``, Ctrl-C), and 15 of 30
    interrupts of a ``map`` over two workers on this machine. Python 3.12 ignores the error
    there (CPython gh-107219, pull request 108974, not backported to 3.11). The fresh future
    is no one's, as the cancelled run's result is no one's: the manager thread may fail it or
    cancel it. Reads the pool's private queue of runs, as :func:`stop_workers` reads its
    workers; a pool without it is left as it is."""
    for item in list((getattr(pool, "_pending_work_items", None) or {}).values()):
        if item.future.cancelled():
            item.future = Future()


@contextlib.contextmanager
def worker_pool(
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[ProcessPoolExecutor]:
    """A ProcessPoolExecutor whose workers ignore Ctrl-C and are ended when the block raises
    (an interrupt, or an error of a run). Workers are forked where the system can: they start
    with the compiled kernels and loaded modules of this process."""
    context = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else None)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(initializer, initargs)
    ) as pool:
        try:
            yield pool
        except BaseException:
            stop_workers(pool)
            raise
