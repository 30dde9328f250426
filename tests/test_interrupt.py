"""Ctrl-C stops a command with one line and exit code 130, leaving nothing half-written
(greatterror/interrupt.py, docs/reliability.md).

The subprocess tests send SIGINT to the command's whole process group, as a terminal's Ctrl-C
does (the output worker and its drawing processes get it too), at a pause point
(faults.py), so the signal arrives at a known phase whatever the machine's load.
"""

from __future__ import annotations

import contextlib
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
from greatterror.faults import PAUSE_ENV
from greatterror.interrupt import INTERRUPTED, MESSAGE, exit_quietly
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


def _first_at_once(i: int) -> int:
    """A task for the ``map`` below: the first returns at once, the others take half a minute."""
    if i:
        time.sleep(30)
    return i


def test_an_interrupted_map_leaves_no_traceback_from_the_pools_thread(monkeypatch) -> None:
    """CI of 6 December 2026: Ctrl-C in ``greatterror sensitivity --workers 2`` printed an
    InvalidStateError traceback from the pool's manager thread (Python 3.11 fails every queued
    run when a worker is ended, cancelled runs included; pools.py ``_detach_cancelled_runs``).
    Forty interrupts of a ``map`` over two workers, each raised at its first result; before the
    fix about half of them left the error. Each interrupt's manager thread is kept before the
    ``with`` ends and joined before the check, so that an error is seen in the interrupt that
    raised it, the last one's included (review24 F5: ``shutdown(wait=False)`` forgets the
    thread, and the errors arrived after the block had exited)."""
    import threading

    from greatterror.pools import worker_pool

    errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    for k in range(40):
        manager: threading.Thread | None = None
        with pytest.raises(KeyboardInterrupt), worker_pool(2) as pool:
            for _result in pool.map(_first_at_once, range(12), chunksize=1):
                manager = pool._executor_manager_thread  # type: ignore[attr-defined]
                raise KeyboardInterrupt
        assert manager is not None
        manager.join(5)
        assert not manager.is_alive()
        assert errors == [], f"interrupt {k + 1}"


def test_the_pool_still_has_the_private_map_of_workers() -> None:
    """pools.py's ``stop_workers`` reads ProcessPoolExecutor's private ``_processes``
    to end the workers at once; fails loudly if a Python drops it (then the guard's fallback
    runs, and a stopped ensemble waits for the runs in progress)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1) as pool:
        assert hasattr(pool, "_processes")


def test_without_the_private_map_the_runs_not_started_are_cancelled() -> None:
    """The guard of ``stop_workers``: a pool without ``_processes`` is shut down through the
    public call, with the runs not started cancelled, and nothing else is touched."""
    from greatterror.pools import stop_workers

    class PublicPool:
        def __init__(self) -> None:
            self.calls: list[dict[str, bool]] = []

        def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
            self.calls.append({"wait": wait, "cancel_futures": cancel_futures})

    pool = PublicPool()
    stop_workers(pool)  # type: ignore[arg-type]
    assert pool.calls == [{"wait": False, "cancel_futures": True}]


def _start_command(home: Path, args: list[str]) -> subprocess.Popen:
    """A command in its own process group, paused in its workers' first simulation."""
    env = {**os.environ, HOME_ENV: str(home), PAUSE_ENV: "simulation", "COLUMNS": "200"}
    return subprocess.Popen(
        [sys.executable, "-c", ENTRY, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _group_gone(pgid: int, seconds: float = 10.0) -> bool:
    """Whether every process of the group has ended (the paused workers would sleep 60 s)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")
@pytest.mark.parametrize(
    "args",
    [
        ["sensitivity", "historical", "--samples", "2", "--scale", "0.00001", "--json"],
        [
            "calibrate",
            "historical",
            "--particles",
            "2",
            "--generations",
            "1",
            "--scale",
            "0.00001",
            "--db",
            "{tmp}/fit.db",
        ],
    ],
    ids=["sensitivity", "calibrate"],
)
def test_ctrl_c_stops_a_command_with_worker_processes(tmp_path: Path, args: list[str]) -> None:
    """Chores22: Ctrl-C during `sensitivity` and `calibrate` with two workers: one line, the
    last, exit 130, and no worker left running (the workers pause in their first simulation, at the pause
    point of ``FitModel.summary``, so the signal reaches them while they simulate)."""
    command = [a.replace("{tmp}", str(tmp_path)) for a in args] + ["--workers", "2"]
    process = _start_command(tmp_path / "home", command)
    try:
        wait_for_pause(process, "simulation")
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=60)
        assert process.returncode == INTERRUPTED, err
        assert "Traceback" not in err, err
        # nothing after the message, not even the pause hook's own line: a worker that prints
        # one after it outlived the command (the workers are ended before the message:
        # pools.py's stop_workers for sensitivity, abc.py's QuietWorkers for calibrate)
        assert err.strip().splitlines()[-1] == MESSAGE, err
        assert err.count(MESSAGE) == 1, err
        assert _group_gone(process.pid), "a worker is still running after the interrupt"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _search_loss(args: tuple[str, dict[str, float], float, int]) -> float:
    """A stand-in for search.py's simulation, importable by forked workers."""
    params = args[1]
    return (params["names_per_confession"] - 0.5) ** 2 + params["names_acted_on"]


def _leader_loss(args: tuple[dict[str, float], float, int]) -> float:
    """A stand-in for leader_rule.py's simulation: depends on the thresholds and the seed."""
    params, _, seed = args
    return sum(abs(v) for v in params.values()) / 1000.0 + seed % 7


def _asleep(args: object) -> float:
    time.sleep(60)
    return 0.0


def _leader_start() -> dict[str, float]:
    from greatterror.calibration import leader_rule
    from greatterror.model.params import BY_NAME

    return {name: float(BY_NAME[name].default) for name in leader_rule.FREE}


def test_the_point_fits_give_the_same_trials_with_one_worker_or_two(monkeypatch) -> None:
    """Review22 F21: the two point-fit scripts run their workers in pools.py's pool; the
    trials do not depend on the number of workers."""
    pytest.importorskip("optuna")
    from greatterror.calibration import leader_rule, search

    monkeypatch.setattr(search, "_evaluate", _search_loss)
    start = {"names_per_confession": 2.0, "names_acted_on": 0.4}
    found = [search.fit(start, 0.0001, 1, budget=6, workers=w, log=lambda _: None) for w in (1, 2)]
    assert found[0] == found[1]

    monkeypatch.setattr(leader_rule, "_evaluate", _leader_loss)
    fits = [
        leader_rule.fit(_leader_start(), 0.0001, 1, budget=4, workers=w, seeds=(3, 4))
        for w in (1, 2)
    ]
    assert fits[0] == fits[1]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGALRM is POSIX")
@pytest.mark.parametrize("script", ["search", "leader_rule"])
def test_an_interrupt_ends_the_point_fits_workers_at_once(monkeypatch, script: str) -> None:
    """Review22 F21: Ctrl-C during a point fit with two workers ends them at once (their
    bare pools waited for every run in progress). The interrupt is raised in this process by
    a timer while both workers sleep in their first run."""
    pytest.importorskip("optuna")
    import multiprocessing

    from greatterror.calibration import leader_rule, search

    module = search if script == "search" else leader_rule
    monkeypatch.setattr(module, "_evaluate", _asleep)

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    before = set(multiprocessing.active_children())
    previous = signal.signal(signal.SIGALRM, interrupt)
    started = time.monotonic()
    try:
        signal.setitimer(signal.ITIMER_REAL, 2.0)
        with pytest.raises(KeyboardInterrupt):
            if script == "search":
                start = {"names_per_confession": 2.0, "names_acted_on": 0.4}
                search.fit(start, 0.0001, 1, budget=4, workers=2, log=lambda _: None)
            else:
                leader_rule.fit(_leader_start(), 0.0001, 1, budget=4, workers=2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 30
    time.sleep(0.5)
    assert set(multiprocessing.active_children()) <= before


@pytest.mark.parametrize("script", ["search", "leader_rule"])
def test_an_interrupted_point_fit_exits_with_one_line(monkeypatch, capsys, script: str) -> None:
    from greatterror.calibration import leader_rule, search

    module = search if script == "search" else leader_rule

    def interrupted_main() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "_main", interrupted_main)
    try:
        with pytest.raises(SystemExit) as stop:
            module.main()
    finally:
        gc.unfreeze()
    assert stop.value.code == INTERRUPTED
    assert capsys.readouterr().err == MESSAGE + "\n"
