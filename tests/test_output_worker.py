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
    with output_worker.prefetched():
        assert output_worker._ACTIVE is not None  # the test machine has two cores
        written = output_worker.write_report(theirs)
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
    with output_worker.prefetched():
        output_worker.write_series(theirs, parts)
    for name in ("timeseries.parquet", "channels.parquet"):
        assert (theirs / name).read_bytes() == (mine / name).read_bytes()


def test_an_error_of_the_work_is_raised_in_the_caller(tmp_path: Path) -> None:
    with output_worker.prefetched(), pytest.raises(RunOutputError, match="lacks"):
        output_worker.write_report(tmp_path)  # an empty folder


def test_without_its_worker_the_caller_does_the_work(tmp_path: Path) -> None:
    write_out_dir(tmp_path, _summary())
    with output_worker.prefetched():
        worker = output_worker._ACTIVE
        assert worker is not None
        worker._process.kill()
        worker._process.join()
        assert output_worker.write_report(tmp_path) == tmp_path / REPORT_FILE
    assert (tmp_path / REPORT_FILE).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_an_interrupted_command_stops_its_worker() -> None:
    with pytest.raises(KeyboardInterrupt), output_worker.prefetched():
        worker = output_worker._ACTIVE
        assert worker is not None
        raise KeyboardInterrupt
    assert not worker._process.is_alive()
    assert output_worker._ACTIVE is None
