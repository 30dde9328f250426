"""Run a scenario end to end: population, simulation, outputs, registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from greatterror.evidence.loader import Evidence, load_evidence
from greatterror.model.scenario import Scenario, check_against_evidence
from greatterror.model.sim import Simulation
from greatterror.model.summary import build_summary, channel_rows, timeseries_rows
from greatterror.population.build import build_population
from greatterror.results.outputs import (
    CHANNELS_FILE,
    SUMMARY_FILE,
    TIMESERIES_FILE,
    write_run_atomically,
    write_summary,
)


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
) -> RunResult:
    """Build the population and run the simulation; nothing is written."""
    evidence = evidence or load_evidence()
    check_against_evidence(scenario, evidence)
    params = scenario.parameter_values(overrides)  # validate before any work
    population = build_population(scale, seed)
    sim = Simulation(scenario, population, seed, evidence, params)
    sim.run(progress=progress)
    return RunResult(build_summary(sim, scenario.name), sim)


def save_run(
    result: RunResult, out_dir: Path, overwrite: bool = False, register: bool = True
) -> RunResult:
    """Write every output atomically, then record the run in the registry."""
    # imported here: matplotlib, duckdb and pyarrow take about 1.2 s to import, and a
    # run that is only simulated (calibration, benchmarks, tests) needs none of them
    from greatterror.results.registry import record_run
    from greatterror.results.report import write_report
    from greatterror.results.tables import write_channels, write_timeseries

    sim = result.simulation

    def write(tmp: Path) -> None:
        write_timeseries(tmp / TIMESERIES_FILE, timeseries_rows(sim))
        write_channels(tmp / CHANNELS_FILE, channel_rows(sim))
        write_summary(tmp / SUMMARY_FILE, result.summary)
        write_report(tmp)

    result.out_dir = write_run_atomically(out_dir, write, overwrite=overwrite)
    if register:
        result.run_id = record_run(result.summary, result.out_dir)
    return result
