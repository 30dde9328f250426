"""The command line's report, written by a process forked before the simulation.

``greatterror run`` spends about a third of a second importing matplotlib and the report's
modules before it can draw the report, and the second core of a two-core machine is idle
while the run simulates (the simulation is one process). A :class:`ReportWorker` is forked
at the start of the command: it imports those modules while the parent simulates, then
waits; the parent hands it the folder whose files the report is drawn from, and it writes
``report.html`` there with :func:`greatterror.results.report.write_report`, exactly as the
parent would have (the same function on the same files: the same page, the same set of
files). Anything that goes wrong in the worker (it died, it cannot be forked) leaves the
parent to write the report itself; an error of the report (``RunOutputError``) is raised in
the parent as it would have been there.

Used only through :func:`prefetched` by the command line: the Python API (``Sim.save``)
writes its report in its own process, as before.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

#: the worker of the running command, if any (``prefetched``)
_ACTIVE: ReportWorker | None = None


def _serve(conn: Connection, parent_end: Connection) -> None:
    """The worker: import, then write each report asked for until told to stop (``None``)
    or until the parent goes away (its end of the pipe closes)."""
    parent_end.close()  # so that the parent's death closes the pipe for us
    # Ctrl-C is the parent's to handle: it then stops the worker (``close``), which would
    # otherwise print a traceback of its own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from greatterror.results import report  # matplotlib, pyarrow: the point of the worker

    # reading the run's Parquet files imports pyarrow's dataset module (and pandas) on first
    # use: done here too, before the run's files are there
    with contextlib.suppress(ImportError):
        import pyarrow.dataset  # noqa: F401

    while True:
        try:
            out_dir = conn.recv()
        except (EOFError, OSError):
            return
        if out_dir is None:
            return
        try:
            conn.send(("ok", report.write_report(Path(out_dir))))
        except Exception as exc:  # the parent raises it as its own
            try:
                conn.send(("error", exc))
            except Exception:  # an exception that cannot be pickled: its text
                conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


class ReportWorker:
    """A forked process that has imported the report's modules and writes reports on demand."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe()
        self._process: Any = context.Process(
            target=_serve, args=(child_end, self._conn), name="greatterror-report", daemon=False
        )
        self._process.start()
        child_end.close()

    def write_report(self, out_dir: Path) -> Path | None:
        """The report of ``out_dir`` written by the worker; None if the worker is gone (the
        caller then writes it itself)."""
        try:
            self._conn.send(str(out_dir))
            status, value = self._conn.recv()
        except (EOFError, OSError):
            return None
        if status == "error":
            raise value
        return Path(value)

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._conn.send(None)
        self._conn.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()


@contextlib.contextmanager
def prefetched() -> Iterator[None]:
    """Within this block, ``write_report_prefetched`` uses a worker forked on entry (where
    the machine has more than one core and can fork; otherwise nothing changes)."""
    global _ACTIVE
    worker = None
    if (multiprocessing.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods():
        with contextlib.suppress(OSError):
            worker = ReportWorker()
    _ACTIVE = worker
    try:
        yield
    finally:
        _ACTIVE = None
        if worker is not None:
            worker.close()


def write_report_prefetched(out_dir: Path) -> Path:
    """``report.write_report(out_dir)``, by the command's worker when there is one."""
    if _ACTIVE is not None:
        written = _ACTIVE.write_report(out_dir)
        if written is not None:
            return written
    from greatterror.results.report import write_report

    return write_report(out_dir)
