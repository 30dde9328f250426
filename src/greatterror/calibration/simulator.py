"""One ABC particle: parameters in, calibration statistics out, with no start-up cost per run.

The population, the evidence base and the scenario are loaded once per
process and kept: every particle of a fit runs on the same synthetic
population (built from the fit's population seed), and only the simulation's
own random streams change. Worker processes forked by pyabc's multicore
sampler inherit what the parent loaded (``warm``); Dask workers load it on
their first particle.

Seeds (``calibration/seeds.py``). A fit's seeds are kept apart from the
validation seeds (1 to 10, scripts/validate_historical.py): the population
seed is ``FIT_SEED_BASE + seed`` and each simulation's seed is
``FIT_SEED_BASE`` plus a hash of the fit seed and the particle's parameter
values, so a particle is reproducible from what the database stores,
whichever worker ran it.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from greatterror.calibration.seeds import (
    FIT_SEED_BASE,
    check_fit_seed,
    population_seed,
    simulation_seed,
)
from greatterror.calibration.statistics import (
    CALIBRATION_IDS,
    Archival,
    archival_targets,
    excess_log_ratios,
)
from greatterror.faults import pause_point

__all__ = [
    "FIT_SEED_BASE",
    "FitModel",
    "RunawayRun",
    "population_seed",
    "run_or_stop",
    "simulation_seed",
    "warm",
]
#: A run is stopped as a runaway once the people it holds exceed this many times the
#: archival arrests of 1937-38 (target G2-detained); it is checked every CHECK_DAYS days.
RUNAWAY_FACTOR = 5.0
CHECK_DAYS = 30
#: The log ratio given to every target of a runaway run: a stand-in (e^8, about 3,000 times
#: the record), not a measurement; only the arrest targets are known to exceed log(5).
RUNAWAY_STATISTIC = 8.0


class RunawayRun(RuntimeError):
    """A run stopped early: it already holds several times the record's arrests."""


def run_or_stop(sim: Any, population: Any, evidence: Any) -> str | None:
    """Run ``sim`` (a ``model.sim.Simulation``) to its end unless it runs away: None when it
    finished, else where it was stopped (once the people it holds exceed ``RUNAWAY_FACTOR``
    times the record's arrests of 1937-38). The check only reads the state.

    Used by the fit and by ``vary`` (api/vary.py), whose prior draws run away as a fit's do.
    """
    held_now = _held_counter(population, sim.cases.status)
    start = held_now()
    limit = RUNAWAY_FACTOR * evidence.value("G2-detained")
    # checked after days 0, CHECK_DAYS, 2 * CHECK_DAYS ... (no call per day)
    for day in range(0, sim.days, CHECK_DAYS):
        sim.run(until=day + 1)
        held = held_now() - start
        if held > limit:
            return f"day {day}: {held:,.0f} held"
    sim.run()
    return None


_EVIDENCE: list[Any] = []  # the evidence base, once
_SCENARIOS: dict[str, Any] = {}  # by scenario name, each checked against the evidence
_POPULATIONS: dict[tuple[float, int], Any] = {}  # by (scale, population seed)
_BANDS: dict[tuple[str, ...], tuple[Archival, ...]] = {}
_LOCK = threading.Lock()  # Dask workers with threads share one process
_FROZEN_IN: list[int] = []  # the process that froze what it held after its first particle


def warm(scenario: str, scale: float, seed: int) -> tuple[Any, Any, Any]:
    """The scenario, evidence and population of a fit, each loaded once per process.

    Each is kept under what it depends on: the population under (scale, population
    seed) only, whichever scenario runs on it. A reference table runs 9 hypotheses on
    3 population seeds in each worker; keyed by the scenario as well, a worker held 27
    populations instead of 3 (1.2 GB at 1:1,000, review 25, F2). The population is
    never changed by a run (every particle of a fit already shares one).
    """
    population_key = (scale, population_seed(check_fit_seed(seed)))
    with _LOCK:
        loaded = False
        if not _EVIDENCE:
            from greatterror.evidence.loader import load_evidence

            _EVIDENCE.append(load_evidence())
            loaded = True
        evidence = _EVIDENCE[0]
        if scenario not in _SCENARIOS:
            from greatterror.model.scenario import check_against_evidence, load_scenario

            chosen = load_scenario(scenario)
            check_against_evidence(chosen, evidence)
            _SCENARIOS[scenario] = chosen
            loaded = True
        if population_key not in _POPULATIONS:
            from greatterror.population.build import build_population

            _POPULATIONS[population_key] = build_population(*population_key)
            loaded = True
        if loaded:
            # The simulation's modules, imported here rather than on a worker's first
            # particle: pyabc's multicore sampler forks its workers from this process anew
            # for every generation, and each imported them again (0.2 s of CPU a worker).
            import greatterror.model.sim
            import greatterror.model.summary  # noqa: F401

            # What the process holds now (modules, pyabc, the scenario, evidence and
            # population) lives as long as the process: moved out of the cyclic
            # collector's sight, it is no longer traversed by the full collection after
            # every particle (FitModel.summary), which then costs the run's own objects
            # only (0.09 s of CPU a particle at 1:333 before, docs/performance-log.md).
            gc.collect()
            gc.freeze()
        return _SCENARIOS[scenario], evidence, _POPULATIONS[population_key]


def _held_counter(population: Any, status: np.ndarray) -> Callable[[], float]:
    """A function giving the people held now (not at liberty), in full-population equivalents.

    It counts the status codes of each layer in one compiled pass (the elite layer
    is the population's last rows, as ``Population`` builds it) instead of summing a
    weight per person: about 0.2 ms instead of 2 ms at 1:1,000. The counts are
    exact; so was the sum of weights whenever a weight is a whole number.
    """
    from greatterror.model.kernels import count_values
    from greatterror.vocabulary import AT_LIBERTY

    n_mass = int(population.n_mass)
    layered = bool(population.is_elite_layer[n_mass:].all()) and not bool(
        population.is_elite_layer[:n_mass].any()
    )
    held_code = np.zeros(256, dtype=bool)
    held_code[: len(AT_LIBERTY)] = ~AT_LIBERTY
    w_mass, w_elite = (float(w) for w in population.weight_of_layer)
    if not layered:  # any other layout: one weight per person
        weights = population.weights()
        return lambda: float(weights[held_code[status]].sum())

    def held() -> float:
        mass = int(count_values(status[:n_mass], 256)[held_code].sum())
        elite = int(count_values(status[n_mass:], 256)[held_code].sum())
        return mass * w_mass + elite * w_elite

    return held


def simulated_value(name: str, value: float) -> float:
    """The value a run simulates for a drawn one: an integer parameter's is rounded."""
    from greatterror.model.params import BY_NAME

    return float(round(value)) if BY_NAME[name].integer else float(value)


@dataclass(frozen=True)
class FitModel:
    """The pyabc model: a picklable callable from a parameter dict to the statistics."""

    scenario: str
    scale: float
    seed: int
    ids: Sequence[str] = CALIBRATION_IDS
    stop_runaways: bool = True
    #: Values set for every run on top of the drawn ones and left out of the simulation
    #: seed, so that a check repeated with a fixed parameter moved (the prior predictive
    #: check's ``--set``) runs the same draws with the same seeds and differs by that
    #: parameter only; an integer parameter's value is rounded as a drawn one is. Empty in a fit.
    fixed: tuple[tuple[str, float], ...] = ()

    def bands(self) -> tuple[Archival, ...]:
        """The archival band of each of the model's targets (statistics.py)."""
        key = tuple(self.ids)
        if key not in _BANDS:
            _, evidence, _ = warm(self.scenario, self.scale, self.seed)
            _BANDS[key] = archival_targets(evidence, key)
        return _BANDS[key]

    def summary(self, values: dict[str, float]) -> dict[str, Any]:
        """The run's summary at these parameter values (the rest at the scenario's); see
        ``simulate``."""
        summary: dict[str, Any] = self.simulate(values, full=True)
        return summary

    def targets(self, values: dict[str, float]) -> list[dict[str, Any]]:
        """``summary(values)["targets"]``, equal row for row, without the summary's other
        blocks (``model.summary.target_rows``): what the fit reads of a run."""
        rows: list[dict[str, Any]] = self.simulate(values, full=False)
        return rows

    def simulate(self, values: dict[str, float], full: bool = True) -> Any:
        """The run at these parameter values (the rest at the scenario's): its summary, or
        with ``full`` False its targets' rows only.

        With ``stop_runaways``, a run whose held population passes
        ``RUNAWAY_FACTOR`` times the record's arrests of 1937-38 raises
        RunawayRun instead of finishing: prior draws with a runaway naming
        cascade cost many times an ordinary run, and their distance to the
        record is already far beyond any acceptance threshold. The check only
        reads the state; it never changes the run.
        """
        from greatterror.model.sim import Simulation

        chosen, evidence, population = warm(self.scenario, self.scale, self.seed)

        overrides = {k: simulated_value(k, v) for k, v in values.items()}
        seed = simulation_seed(self.seed, overrides)
        overrides.update((k, simulated_value(k, v)) for k, v in self.fixed)  # rounded as drawn ones
        sim = Simulation(chosen, population, seed, evidence, overrides)
        sim.loop.timed = False  # the steps' timings: no particle's output
        runaway = None
        pause_point("simulation")  # the interrupt tests' signal point (faults.py)
        try:
            result = self._run(sim, population, evidence, chosen.name, full)
        except RunawayRun as stopped:  # its traceback (which holds the run) ends here
            runaway = str(stopped)
        # A run's state (world, engine, calendar: about 100 MB at 1:333) is held in
        # reference cycles, which only the cyclic collector frees, and its full
        # collections come rarely in a long-lived worker: a pyabc worker grew by about
        # 50 MB a particle until the kernel killed it at 12 GB (docs/performance-log.md,
        # memory). Collecting here bounds a worker's memory at one run.
        del sim
        gc.collect()
        if [os.getpid()] != _FROZEN_IN:
            # What a process holds after its first particle lives as long as it: the
            # kernels Numba loaded, and in a forked pyabc worker the parent's pyabc objects
            # (the database, the generation's sample, made after ``warm`` froze). Frozen,
            # the collection after each particle no longer traverses them (0.008 s of CPU a
            # particle at 1:1,000 in a comparison's worker, docs/performance-log.md).
            _FROZEN_IN[:] = [os.getpid()]
            gc.freeze()
        if runaway is not None:
            raise RunawayRun(runaway)
        return result

    def _run(self, sim: Any, population: Any, evidence: Any, name: str, full: bool = True) -> Any:
        """Run ``sim`` to the end (checking for a runaway) and summarise it (``full``), or
        give its targets' rows only."""
        from greatterror.model import summary

        if self.stop_runaways:
            stopped = run_or_stop(sim, population, evidence)
            if stopped is not None:
                raise RunawayRun(stopped)
        sim.run()
        return summary.build_summary(sim, name) if full else summary.target_rows(sim)

    def __call__(self, parameters: Any) -> dict[str, float]:
        """The statistics; for a runaway run, ``RUNAWAY_STATISTIC`` for every target.

        pyabc needs finite statistics (a NaN makes the first generation's
        threshold NaN), so a runaway gets a stand-in that puts it far from the
        record on every target, and it is rejected once the threshold falls.
        """
        values = {str(k): float(v) for k, v in dict(parameters).items()}
        try:
            return excess_log_ratios({"targets": self.targets(values)}, self.bands())
        except RunawayRun:
            return dict.fromkeys(self.ids, RUNAWAY_STATISTIC)
