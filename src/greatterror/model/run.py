"""Run a scenario end to end: population, simulation, outputs, registry.

These two functions are where every way of running the model (the command
line, the Python API) gets the same guarantees: :func:`simulate` refuses a
seed, scale or memory need that would fail late, before any work;
:func:`save_run` checks the output folder and the registry before writing,
writes the folder atomically with the run's id and content hash in it, and
only then records the run (docs/reliability.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greatterror.evidence.loader import Evidence, load_evidence
from greatterror.faults import pause_point
from greatterror.model.components import resolve_switches
from greatterror.model.scenario import Scenario, check_against_evidence
from greatterror.model.series_rows import series_parts
from greatterror.model.sim import Simulation
from greatterror.model.summary import build_summary
from greatterror.population.build import build_population
from greatterror.preflight import check_local_state, check_memory, check_scale, check_seed
from greatterror.results.outputs import (
    SUMMARY_FILE,
    write_summary,
)
from greatterror.results.rundir import CLI_NAMES, OutputNames

if TYPE_CHECKING:
    from greatterror.results.output_worker import OutputWorker


@dataclass
class RunResult:
    summary: dict[str, Any]
    simulation: Simulation
    out_dir: Path | None = None
    run_id: str | None = None


def simulate(
    scenario: Scenario,
    scale: float,
    seed: int,
    overrides: dict[str, Any] | None = None,
    evidence: Evidence | None = None,
    progress: Callable[[int], None] | None = None,
    mechanisms: Mapping[str, Any] | None = None,
    force: bool = False,
) -> RunResult:
    """Build the population and run the simulation; nothing is written.

    ``mechanisms`` switches mechanisms by M-id or switch name (``{"M12": False}``);
    ``force`` runs even when the estimated memory exceeds what is available.
    """
    check_scale(scale)
    check_seed(seed)
    check_memory(scale, force)
    evidence = evidence or load_evidence()
    check_against_evidence(scenario, evidence)
    scenario.parameter_values(overrides)  # validate before any work
    resolve_switches(scenario, mechanisms)
    population = build_population(scale, seed)
    # the overrides as given, so that the run records them (the engine resolves the values)
    sim = Simulation(scenario, population, seed, evidence, overrides or {}, mechanisms)
    pause_point("simulation")
    sim.run(progress=progress)
    return RunResult(build_summary(sim, scenario.name), sim)


def save_run(
    result: RunResult,
    out_dir: Path,
    overwrite: bool = False,
    register: bool = True,
    worker: OutputWorker | None = None,
    spelling: OutputNames = CLI_NAMES,
) -> RunResult:
    """Write every output atomically, then record the run in the registry.

    The run id is made first, so that summary.json and the report carry it;
    the registry row and the folder's marker then name the same run. ``worker`` is the
    command line's output worker (results/output_worker.py), which writes the tables and the
    report; without one they are written here.
    """
    # imported here: matplotlib, duckdb and pyarrow take about 1.2 s to import, and a
    # run that is only simulated (calibration, benchmarks, tests) needs none of them; the
    # tables and the report are written by the command line's output worker when it passes
    # one (results/output_worker.py), which has imported pyarrow and matplotlib while the run
    # simulated, else here
    from greatterror.results.output_worker import write_report, write_series
    from greatterror.results.registry import new_run_id, record_run
    from greatterror.results.rundir import (
        content_hash,
        write_marker,
        write_run_atomically,
    )

    # the output folder is checked by write_run_atomically before anything is written
    if register:
        check_local_state()
    sim = result.simulation
    created = datetime.now(UTC).replace(tzinfo=None)
    body = {k: v for k, v in result.summary.items() if k not in ("run_id", "content_hash")}
    run_id = new_run_id(body, created)

    def write(tmp: Path) -> None:
        write_series(tmp, series_parts(sim), worker)  # timeseries.parquet, channels.parquet
        content = content_hash(tmp, body)
        result.summary = {"run_id": run_id, "content_hash": content, **body}
        write_summary(tmp / SUMMARY_FILE, result.summary)
        pause_point("writing")
        write_report(tmp, worker)
        write_marker(tmp, run_id, content, created.isoformat())

    result.out_dir = write_run_atomically(out_dir, write, overwrite=overwrite, spelling=spelling)
    result.run_id = run_id
    if register:
        record_run(result.summary, result.out_dir, created=created)
    return result
