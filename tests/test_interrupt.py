"""Ctrl-C stops a command with one line and exit code 130, leaving nothing half-written
(cli/interrupt.py, docs/reliability.md).

The subprocess tests send SIGINT to the command's whole process group, as a terminal's Ctrl-C
does (the output worker and its drawing processes get it too), at a pause point
(faults.py), so the signal arrives at a known phase whatever the machine's load.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_crash_safety import wait_for_pause
from typer.testing import CliRunner

from greatterror.cli.app import app
from greatterror.cli.interrupt import INTERRUPTED, MESSAGE, exit_quietly
from greatterror.faults import PAUSE_ENV
from greatterror.paths import HOME_ENV
from greatterror.results.registry import list_runs

ENTRY = "from greatterror.cli.app import main; main()"


def test_an_interrupt_while_importing_exits_with_one_line(capsys) -> None:
    try:
        with pytest.raises(SystemExit) as stop, exit_quietly():
            raise KeyboardInterrupt
        assert gc.get_freeze_count() > 0  # the exit's last collection skips what is left
    finally:
        gc.unfreeze()
    assert stop.value.code == INTERRUPTED
    assert capsys.readouterr().err == MESSAGE + "\n"


def test_an_interrupted_run_prints_one_line(tmp_path: Path, monkeypatch) -> None:
    """In process: the simulation raises KeyboardInterrupt as a Numba kernel's return would."""
    from greatterror.api import sim as sim_module

    def interrupted_run(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim_module.Sim, "run", interrupted_run)
    out = tmp_path / "out"
    try:
        result = CliRunner().invoke(app, ["run", "--scale", "0.0001", "--out", str(out)])
    finally:
        gc.unfreeze()
    assert result.exit_code == INTERRUPTED, result.output
    assert result.output.strip().splitlines()[-1] == MESSAGE
    assert "Traceback" not in result.output
    assert not out.exists()


def _start(home: Path, out: Path, pause: str) -> subprocess.Popen:
    env = {**os.environ, HOME_ENV: str(home), PAUSE_ENV: pause, "COLUMNS": "200"}
    return subprocess.Popen(
        [sys.executable, "-c", ENTRY, "run", "--scale", "0.00001", "--out", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        # SIGINT at its default, as in a terminal (a shell's background job ignores it)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


@pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")
@pytest.mark.parametrize("phase", ["simulation", "writing"])
def test_ctrl_c_leaves_no_traceback_and_no_partial_output(tmp_path: Path, phase: str) -> None:
    home, runs = tmp_path / "home", tmp_path / "runs"
    out = runs / "run"
    process = _start(home, out, phase)
    wait_for_pause(process, phase)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == INTERRUPTED, err
    assert err.strip() == MESSAGE, err
    assert not out.exists()
    assert not runs.exists() or not any(runs.iterdir())  # no partial folder left behind
    registry = home / "registry.duckdb"
    assert not registry.exists() or list_runs(path=registry) == []


def _slow_unless_first(i: int) -> int:
    """A task for ``map_tasks``: the first returns at once, the others take a minute."""
    if i:
        time.sleep(60)
    return i


def test_an_interrupt_ends_the_local_workers_at_once() -> None:
    """Chores21: after Ctrl-C, ``greatterror counterfactual --workers 2`` waited in the pool's
    exit for every queued pair (the workers, interrupted in their current run, took the next
    ones). Now the runs not started are cancelled and the workers ended. The interrupt is
    raised by the progress callback after the first task, while the others run."""
    import multiprocessing

    from greatterror.api.dispatch import map_tasks

    def progress(done: int, total: int) -> None:
        raise KeyboardInterrupt

    before = set(multiprocessing.active_children())
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        map_tasks(_slow_unless_first, [(i,) for i in range(6)], workers=2, progress=progress)
    assert time.monotonic() - started < 30
    time.sleep(0.5)
    assert set(multiprocessing.active_children()) <= before
