"""``gt.Sim``: one run of a scenario, stepped or run to the end, then saved or plotted.

Modelled on Starsim's ``ss.Sim(...).run().plot()``: every argument is checked
when the ``Sim`` is made, the population is built on the first step (or
taken from the caller, to reuse it across runs), and the results exist once
the run has reached its last day.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greatterror.api.options import (
    SimError,
    check_pars,
    check_scale,
    check_seed,
    check_threads,
    resolve_scenario,
)
from greatterror.api.results import Results
from greatterror.evidence.loader import Evidence, load_evidence
from greatterror.faults import pause_point
from greatterror.model.scenario import Scenario, ScenarioError, check_against_evidence
from greatterror.population.people import Population
from greatterror.results.rundir import API_NAMES, OutputNames

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from greatterror.model.sim import Simulation
    from greatterror.results.output_worker import OutputWorker

__all__ = ["Sim", "SimError"]


class Sim:
    """A simulation of one scenario at one scale and seed.

    Example (a tiny scale, so that it runs in a second or two):

    >>> import greatterror as gt
    >>> sim = gt.Sim("historical", scale=0.0001, seed=1, mechanisms={"M12": False})
    >>> sim.run(until="1935-06-30").date.isoformat()
    '1935-07-01'
    >>> sim.run().finished
    True
    >>> int(sim.results.summary["seed"]), sim.results.summary["mechanisms"]["denunciation"]
    (1, False)
    >>> list(sim.results.targets.columns)[:4]
    ['id', 'label', 'archival', 'low']

    ``pars`` overrides parameters (``greatterror params`` lists them);
    ``mechanisms`` switches mechanisms on or off by M-id or switch name;
    ``population`` reuses a population built with ``gt.Population.build``
    (its scale is then the run's scale); ``evidence`` reuses a loaded
    evidence base.

    ``threads`` (1 by default, at most 1024) builds the population's regions that many at
    once when the ``Sim`` builds its own population: the same population and the same
    results at any count, only the build's wall time changes (23 s at 1 thread, 12.7 s
    at 2 at 1:1; docs/performance-log.md). It is not recorded with the results, which it
    does not change, and it is unused when ``population`` is given. One by default so
    that many runs at once (``gt.Ensemble``'s workers) do not share the cores twice over.
    """

    def __init__(
        self,
        scenario: str | Path | Scenario = "historical",
        *,
        scale: float | None = None,
        seed: int = 1,
        pars: Mapping[str, Any] | None = None,
        mechanisms: Mapping[str, bool] | None = None,
        population: Population | None = None,
        evidence: Evidence | None = None,
        threads: int = 1,
    ) -> None:
        self.seed = check_seed(seed)
        self.threads = check_threads(threads)
        if population is not None:
            if not isinstance(population, Population):
                raise SimError("population: expected a gt.Population (gt.Population.build)")
            if scale is not None and check_scale(scale) != population.scale:
                raise SimError(
                    f"scale: {scale:g} differs from the given population's scale "
                    f"{population.scale:g}; leave scale out to use the population's"
                )
            scale = population.scale
        self.scale = check_scale(0.01 if scale is None else scale)
        # the scenario as defined, and the switches given for this run, are kept apart so
        # that the run records both (scenario_source, mechanism_overrides)
        self._defined = resolve_scenario(scenario)
        self.scenario = resolve_scenario(self._defined, mechanisms)
        self.mechanisms = dict(mechanisms or {})
        self.pars = check_pars(self.scenario, pars)
        self.evidence = evidence or load_evidence()
        try:
            check_against_evidence(self.scenario, self.evidence)
        except ScenarioError as exc:
            raise SimError(str(exc)) from None
        self.population = population
        self._engine: Simulation | None = None
        self._results: Results | None = None
        self.run_id: str | None = None
        self.out_dir: Path | None = None

    # -- the engine, built on first use ---------------------------------------------------
    @property
    def engine(self) -> Simulation:
        """The engine (``greatterror.model.sim.Simulation``), with its world and loop."""
        if self._engine is None:
            from greatterror.model.sim import Simulation
            from greatterror.population.build import build_population

            if self.population is None:
                self.population = build_population(self.scale, self.seed, threads=self.threads)
            self._engine = Simulation(
                self._defined,
                self.population,
                self.seed,
                self.evidence,
                self.pars,
                self.mechanisms,
            )
            pause_point("simulation")  # the crash-safety tests' kill point (faults.py)
        return self._engine

    @property
    def loop(self) -> Any:
        """The daily plan: the components in order, with ``.timings`` per step."""
        return self.engine.loop

    @property
    def date(self) -> dt.date:
        """The next day to be simulated."""
        return self.scenario.start + dt.timedelta(days=self._day())

    @property
    def finished(self) -> bool:
        return self._engine is not None and self._engine.day >= self._engine.days

    def _day(self) -> int:
        return 0 if self._engine is None else int(self._engine.day)

    # -- running ------------------------------------------------------------------------
    def step(self) -> Sim:
        """Advance one day (every component, then the end-of-day bookkeeping)."""
        if self.finished:
            raise SimError("step: the run has already reached its last day")
        self.engine.step()
        return self

    def run(
        self,
        until: str | dt.date | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Sim:
        """Run to the end of the scenario, or up to and including the day ``until``.

        ``progress(days_done, days_total)`` is called after each day.
        """
        last = self._until_date(until)
        engine = self.engine
        report = None if progress is None else (lambda d: progress(d + 1, engine.days))
        engine.run(until=last, progress=report)
        return self

    def _until_date(self, until: str | dt.date | None) -> dt.date | None:
        if until is None:
            return None
        try:
            date = dt.date.fromisoformat(until) if isinstance(until, str) else until
        except ValueError:
            raise SimError(f"until: {until!r} is not a date (YYYY-MM-DD)") from None
        if not isinstance(date, dt.date):
            raise SimError("until: expected a date or a YYYY-MM-DD string")
        start, end = self.scenario.start, self.scenario.end
        if not (start <= date <= end):
            raise SimError(f"until: {date} is outside the scenario's period, {start} to {end}")
        if date < self.date - dt.timedelta(days=1):
            raise SimError(f"until: {date} is already past (the run is at {self.date})")
        return date

    # -- results ------------------------------------------------------------------------
    @property
    def results(self) -> Results:
        """The run's results; the run must have reached its last day."""
        if not self.finished:
            raise SimError("results: the run has not finished; call run() first")
        if self._results is None:
            from greatterror.model.summary import build_summary

            summary = build_summary(self.engine, self.scenario.name)
            self._results = Results(summary, self.engine, self.evidence)
        return self._results

    def plot(self) -> Figure:
        """A matplotlib figure with the key panels: yearly figures against the record,
        weekly arrests by operation, and the elite groups."""
        from greatterror.api.plot import key_figure

        return key_figure(self.results)

    def save(
        self,
        out: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        register: bool = True,
        worker: OutputWorker | None = None,
        spelling: OutputNames = API_NAMES,
    ) -> str:
        """Write the CLI's outputs to ``out`` (atomically) and record the run; returns its id.

        ``worker`` is the command line's output worker (results/output_worker.py); without
        one, as from Python, the tables and the report are written in this process.
        ``spelling`` names the folder and the leave to replace it in a refusal: ``out`` and
        ``overwrite=True`` here, ``--out`` and ``--overwrite`` from the command line."""
        from greatterror.model.run import RunResult, save_run

        summary = self.results.summary  # a run not finished is refused first
        # any path-like (pytest's tmpdir, a PurePath) as ``Path()`` takes (review34 F3)
        if not isinstance(out, str | os.PathLike) or not str(out).strip():
            raise SimError(f"out: expected a folder path for the run's files; got {out!r}")
        result = save_run(
            RunResult(summary, self.engine),
            Path(out),
            overwrite=overwrite,
            register=register,
            worker=worker,
            spelling=spelling,
        )
        self.out_dir, self.run_id = result.out_dir, result.run_id
        return self.run_id or ""

    def __repr__(self) -> str:
        state = "finished" if self.finished else f"at {self.date}"
        return f"Sim({self.scenario.name!r}, scale={self.scale:g}, seed={self.seed}, {state})"
