"""The command line's output worker writes the files the run's own process would write."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_report import _summary
from test_results import write_out_dir

import greatterror as gt
from greatterror.model.series_rows import series_parts
from greatterror.results import output_worker
from greatterror.results.outputs import RunOutputError
from greatterror.results.report import REPORT_FILE, write_report
from greatterror.results.tables import write_series


def test_the_worker_writes_the_same_report(tmp_path: Path) -> None:
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    for folder in (mine, theirs):
        folder.mkdir()
        write_out_dir(folder, _summary())
    expected = write_report(mine).read_bytes()
    with output_worker.prefetched() as worker:
        assert worker is not None  # the test machine has two cores
        written = output_worker.write_report(theirs, worker)
    assert written == theirs / REPORT_FILE
    assert written.read_bytes() == expected
    assert sorted(p.name for p in mine.iterdir()) == sorted(p.name for p in theirs.iterdir())


def test_the_worker_writes_the_same_tables(tmp_path: Path) -> None:
    sim = gt.Sim("historical", scale=0.0001, seed=1).run()
    parts = series_parts(sim.engine)
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    mine.mkdir()
    theirs.mkdir()
    write_series(mine, parts)
    with output_worker.prefetched() as worker:
        assert worker is not None
        output_worker.write_series(theirs, parts, worker)
    for name in ("timeseries.parquet", "channels.parquet"):
        assert (theirs / name).read_bytes() == (mine / name).read_bytes()


def test_an_error_of_the_work_is_raised_in_the_caller(tmp_path: Path) -> None:
    with output_worker.prefetched() as worker, pytest.raises(RunOutputError, match="lacks"):
        output_worker.write_report(tmp_path, worker)  # an empty folder


def test_without_its_worker_the_caller_does_the_work(tmp_path: Path) -> None:
    write_out_dir(tmp_path, _summary())
    with output_worker.prefetched() as worker:
        assert worker is not None
        worker._process.kill()
        worker._process.join()
        assert output_worker.write_report(tmp_path, worker) == tmp_path / REPORT_FILE
    assert (tmp_path / REPORT_FILE).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_an_interrupted_command_stops_its_worker() -> None:
    with pytest.raises(KeyboardInterrupt), output_worker.prefetched() as worker:
        assert worker is not None
        raise KeyboardInterrupt
    assert not worker._process.is_alive()


def test_the_worker_is_the_callers_not_the_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chores21: the worker was a module-level global that every caller in the process used
    while a command's block was open; now only a caller that is passed it uses it. A caller
    without it writes in its own process, and the module holds no worker."""
    write_out_dir(tmp_path, _summary())
    with output_worker.prefetched() as worker:
        assert worker is not None

        def not_asked(*job: object) -> tuple[bool, object]:
            raise AssertionError(f"the worker was asked {job[0]!r}")

        monkeypatch.setattr(worker, "ask", not_asked)
        assert output_worker.write_report(tmp_path) == tmp_path / REPORT_FILE  # written here
        assert not any(
            isinstance(v, output_worker.OutputWorker) for v in vars(output_worker).values()
        )
    assert (tmp_path / REPORT_FILE).exists()
