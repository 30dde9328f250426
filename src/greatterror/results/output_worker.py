"""The command line's tables and report, written by a process forked before the simulation.

``greatterror run`` spends about half a second importing pyarrow, pandas (which pyarrow
imports at its first array), matplotlib and the report's modules before it can write its
tables and draw the report, and the second core of a two-core machine is idle while the run
simulates (the simulation is one process). An :class:`OutputWorker` is forked at the start
of the command: it imports those modules while the parent simulates, then waits. The parent
hands it the run's series (model/series_rows.py: a few arrays) and the folder, and it writes
timeseries.parquet and channels.parquet there with ``tables.write_series``; later the
folder again, and it writes ``report.html`` with ``report.write_report``: the same functions
on the same data as the parent would call, so the same files. Anything that goes wrong with
the worker (it died, it cannot be forked) leaves the parent to do the work itself; an error
of the work (``RunOutputError``) is raised in the parent as it would have been there.

Used only through :func:`prefetched` by the command line, which passes the worker it yields
to ``Sim.save`` and on to ``write_series`` and ``write_report``: the worker is owned by the
command, not held in this module, so a caller that passes none (the Python API's ``Sim.save``,
a second run in the same process) writes its outputs in its own process, as before.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from greatterror.model.series_rows import SeriesParts


def _stop(_signum: int, _frame: Any) -> None:
    raise SystemExit(0)  # unwinds the report's pool of drawing processes (its ``with``)


def _reply(conn: Connection, message: tuple[str, Any]) -> bool:
    """Send ``message`` to the parent; False if the parent is gone."""
    try:
        conn.send(message)
    except OSError:
        return False
    return True


def _serve(conn: Connection, parent_end: Connection) -> None:
    """The worker: import, then do each job asked for until told to stop (``None``) or until
    the parent goes away (its end of the pipe closes)."""
    parent_end.close()  # so that the parent's death closes the pipe for us
    # Ctrl-C is the parent's to handle: it then stops the worker (``OutputWorker.stop``)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    try:
        import numpy as np
        import pyarrow as pa

        from greatterror.results import report, tables  # the point of the worker

        pa.array(np.zeros(1))  # pyarrow imports pandas at its first array
        # reading the run's Parquet files imports pyarrow's dataset module on first use
        import pyarrow.dataset  # noqa: F401
    except Exception:  # the parent, doing the work itself, reports what is wrong
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            if job[0] == "series":
                tables.write_series(Path(job[1]), job[2])
                answer: tuple[str, Any] = ("ok", None)
            else:
                answer = ("ok", report.write_report(Path(job[1])))
        except Exception as exc:  # the parent raises it as its own
            answer = ("error", exc)
        try:
            sent = _reply(conn, answer)
        except Exception:  # an exception that cannot be pickled: its text
            sent = _reply(conn, ("error", RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")))
        if not sent:
            return


class OutputWorker:
    """A forked process that has imported the output modules and writes outputs on demand."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe()
        self._process: Any = context.Process(
            target=_serve, args=(child_end, self._conn), name="greatterror-output", daemon=False
        )
        self._process.start()
        child_end.close()
        self.alive = True

    def ask(self, *job: Any) -> tuple[bool, Any]:
        """Have the worker do ``job``; (False, None) if the worker is gone."""
        if not self.alive:
            return False, None
        try:
            self._conn.send(job)
            status, value = self._conn.recv()
        except (EOFError, OSError):
            self.alive = False
            return False, None
        if status == "error":
            raise value
        return True, value

    def close(self) -> None:
        """Let the worker finish and exit (it has nothing left to do)."""
        with contextlib.suppress(OSError, ValueError):
            self._conn.send(None)
        self._conn.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self.stop()

    def stop(self) -> None:
        """Stop the worker now, whatever it is doing (the command failed or was interrupted:
        its outputs are not wanted, and their folder is being removed)."""
        self._conn.close()
        if self._process.is_alive():
            self._process.terminate()  # SIGTERM: the worker stops its drawing processes too
        self._process.join()


@contextlib.contextmanager
def prefetched() -> Iterator[OutputWorker | None]:
    """A worker forked on entry, for the block to pass to ``write_series`` and ``write_report``
    (None where the machine has one core or cannot fork: the caller then writes itself). It is
    closed when the block ends, and stopped at once if the block raises (Ctrl-C included)."""
    worker = None
    if (multiprocessing.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods():
        with contextlib.suppress(OSError):
            worker = OutputWorker()
    try:
        yield worker
    except BaseException:
        if worker is not None:
            worker.stop()
        raise
    if worker is not None:
        worker.close()


def write_series(folder: Path, parts: SeriesParts, worker: OutputWorker | None = None) -> None:
    """``tables.write_series(folder, parts)``, by ``worker`` when there is one and it is alive."""
    if worker is not None and worker.ask("series", str(folder), parts)[0]:
        return
    from greatterror.results.tables import write_series as write_here

    write_here(folder, parts)


def write_report(out_dir: Path, worker: OutputWorker | None = None) -> Path:
    """``report.write_report(out_dir)``, by ``worker`` when there is one and it is alive."""
    if worker is not None:
        done, written = worker.ask("report", str(out_dir))
        if done:
            return Path(written)
    from greatterror.results.report import write_report as write_here

    return write_here(out_dir)
