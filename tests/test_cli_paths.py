"""Output paths, databases and run files that cannot be used are refused before any work.

The checks are tried for real: ``os.access`` says yes to root even in /proc
and /sys, where nothing can be created, so a check that asks it lets a run
simulate for minutes and then fail with a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from greatterror.cli.app import app

runner = CliRunner()
needs_proc = pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")


def invoke(*args: str):
    return runner.invoke(app, list(args))


def said(result) -> str:
    return " ".join(result.output.split())


@needs_proc
@pytest.mark.parametrize("out", ["/proc/x", "/proc/x/y"])
def test_run_into_proc_is_refused_before_any_work(out: str) -> None:
    result = invoke("run", "--scale", "0.0001", "--out", out)
    assert result.exit_code == 2, result.output
    assert f"--out: {out}: cannot write in /proc" in said(result)


@needs_proc
def test_new_database_in_proc_is_refused(tmp_path: Path) -> None:
    fit = invoke(
        "calibrate",
        "historical",
        "--db",
        "/proc/x.db",
        "--particles",
        "2",
        "--generations",
        "1",
        "--scale",
        "0.001",
        "--workers",
        "1",
    )
    assert fit.exit_code == 2, fit.output
    assert "--db: /proc/x.db cannot be written" in said(fit)
    out = tmp_path / "res"
    cmp = invoke("hypotheses", "compare", "H1", "H2", "--db", "/proc/x.db", "--out", str(out))
    assert cmp.exit_code == 2, cmp.output
    assert "--db: /proc/x.db cannot be written" in said(cmp)
    assert not out.exists()
