"""Runs killed with SIGKILL in each phase, and runs made in parallel (docs/reliability.md).

After a kill, the registry and the output folder must each be complete or
absent: never a registry row for a folder that was not written, never a
folder that looks finished but is not. Each run is a real `greatterror run`
in its own process, paused at a phase by ``GREATTERROR_PAUSE_AT``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from greatterror.faults import PAUSE_ENV, PHASES
from greatterror.paths import HOME_ENV
from greatterror.results.rebuild import rebuild_registry
from greatterror.results.registry import list_runs
from greatterror.results.rundir import clean_leftovers, folder_problem, read_marker

SCALE = "0.00001"
ENTRY = "from greatterror.cli.app import main; main()"
WAIT_SECONDS = 240

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def start_run(home: Path, out: Path, seed: int, pause: str | None = None) -> subprocess.Popen:
    env = {**os.environ, HOME_ENV: str(home), "COLUMNS": "200"}
    env.pop(PAUSE_ENV, None)
    if pause:
        env[PAUSE_ENV] = pause
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            ENTRY,
            "run",
            "--scale",
            SCALE,
            "--seed",
            str(seed),
            "--out",
            str(out),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_pause(process: subprocess.Popen, phase: str) -> None:
    assert process.stderr is not None
    deadline = time.monotonic() + WAIT_SECONDS
    seen = []
    for line in process.stderr:
        seen.append(line)
        if line.strip() == f"paused at {phase}":
            return
        assert time.monotonic() < deadline, f"no pause at {phase}: {''.join(seen)}"
    raise AssertionError(f"the run ended before pausing at {phase}: {''.join(seen)}")


def test_a_run_killed_in_any_phase_leaves_complete_or_absent_state(tmp_path: Path) -> None:
    home = tmp_path / "home"
    runs = tmp_path / "runs"
    outs = {phase: runs / phase for phase in PHASES}
    processes = {
        phase: start_run(home, outs[phase], seed, pause=phase)
        for seed, phase in enumerate(PHASES, start=1)
    }
    for phase, process in processes.items():
        wait_for_pause(process, phase)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL

    registry = home / "registry.duckdb"
    recorded = {Path(r["out_dir"]): r for r in list_runs(path=registry)}
    for phase, out in outs.items():
        if out.exists():  # complete: the marker names the run and every file checks out
            marker = read_marker(out)
            assert marker is not None, phase
            assert folder_problem(out, marker["run_id"], marker["content_hash"]) is None
        if out.resolve() in recorded:  # complete: a registered run has its folder
            row = recorded[out.resolve()]
            assert folder_problem(out, row["run_id"], row["summary"]["content_hash"]) is None
    # phase by phase: what exists after the kill
    assert not outs["simulation"].exists() and not outs["writing"].exists()
    assert outs["registry"].exists() and not recorded  # written, not yet recorded
    leftovers = sorted(p.name for p in runs.iterdir() if p.name.startswith("."))
    assert len(leftovers) == 1 and leftovers[0].startswith(".writing.partial-")

    # the next run into the same folder removes the dead writer's partial folder
    assert [p.name for p in clean_leftovers(outs["writing"])] == leftovers
    # and the run killed while being recorded is recovered from its folder
    report = rebuild_registry([runs], path=registry)
    assert report.from_folders == 1
    (row,) = list_runs(path=registry)
    assert Path(row["out_dir"]) == outs["registry"].resolve()


def test_four_parallel_runs_are_all_recorded(tmp_path: Path) -> None:
    home = tmp_path / "home"
    outs = [tmp_path / f"run{i}" for i in range(4)]
    processes = [start_run(home, out, seed=i + 1) for i, out in enumerate(outs)]
    for process in processes:
        _, err = process.communicate(timeout=WAIT_SECONDS)
        assert process.returncode == 0, err
    rows = list_runs(path=home / "registry.duckdb")
    assert sorted(Path(r["out_dir"]) for r in rows) == sorted(o.resolve() for o in outs)
    assert len({r["run_id"] for r in rows}) == 4
    for row in rows:
        problem = folder_problem(
            Path(row["out_dir"]), row["run_id"], row["summary"]["content_hash"]
        )
        assert problem is None
