"""The command line's report worker writes the page the run's own process would write."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_report import _summary
from test_results import write_out_dir

from greatterror.results import report_worker
from greatterror.results.outputs import RunOutputError
from greatterror.results.report import REPORT_FILE, write_report


def test_the_worker_writes_the_same_page(tmp_path: Path) -> None:
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    for folder in (mine, theirs):
        folder.mkdir()
        write_out_dir(folder, _summary())
    expected = write_report(mine).read_bytes()
    with report_worker.prefetched():
        assert report_worker._ACTIVE is not None  # the test machine has two cores
        written = report_worker.write_report_prefetched(theirs)
    assert written == theirs / REPORT_FILE
    assert written.read_bytes() == expected
    assert sorted(p.name for p in mine.iterdir()) == sorted(p.name for p in theirs.iterdir())


def test_an_error_of_the_report_is_raised_in_the_caller(tmp_path: Path) -> None:
    with report_worker.prefetched(), pytest.raises(RunOutputError, match="lacks"):
        report_worker.write_report_prefetched(tmp_path)  # an empty folder


def test_without_its_worker_the_caller_writes_the_report(tmp_path: Path) -> None:
    write_out_dir(tmp_path, _summary())
    with report_worker.prefetched():
        worker = report_worker._ACTIVE
        assert worker is not None
        worker._process.kill()
        worker._process.join()
        assert report_worker.write_report_prefetched(tmp_path) == tmp_path / REPORT_FILE
    assert (tmp_path / REPORT_FILE).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
