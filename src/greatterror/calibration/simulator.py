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

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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

__all__ = ["FIT_SEED_BASE", "FitModel", "RunawayRun", "population_seed", "simulation_seed", "warm"]
#: A run is stopped as a runaway once the people it holds exceed this many times the
#: archival arrests of 1937-38 (target G2-detained); it is checked every CHECK_DAYS days.
RUNAWAY_FACTOR = 5.0
CHECK_DAYS = 30
#: The log ratio given to every target of a runaway run: a stand-in (e^8, about 3,000 times
#: the record), not a measurement; only the arrest targets are known to exceed log(5).
RUNAWAY_STATISTIC = 8.0


class RunawayRun(RuntimeError):
    """A run stopped early: it already holds several times the record's arrests."""


_CACHE: dict[tuple[str, float, int], tuple[Any, Any, Any]] = {}
_BANDS: dict[tuple[str, ...], tuple[Archival, ...]] = {}
_LOCK = threading.Lock()  # Dask workers with threads share one process


def warm(scenario: str, scale: float, seed: int) -> tuple[Any, Any, Any]:
    """The scenario, evidence and population of a fit, loaded once per process."""
    key = (scenario, scale, check_fit_seed(seed))
    with _LOCK:
        if key not in _CACHE:
            from greatterror.evidence.loader import load_evidence
            from greatterror.model.scenario import check_against_evidence, load_scenario
            from greatterror.population.build import build_population

            chosen = load_scenario(scenario)
            evidence = load_evidence()
            check_against_evidence(chosen, evidence)
            _CACHE[key] = (chosen, evidence, build_population(scale, population_seed(seed)))
        return _CACHE[key]


@dataclass(frozen=True)
class FitModel:
    """The pyabc model: a picklable callable from a parameter dict to the statistics."""

    scenario: str
    scale: float
    seed: int
    ids: Sequence[str] = CALIBRATION_IDS
    stop_runaways: bool = True

    def bands(self) -> tuple[Archival, ...]:
        """The archival band of each of the model's targets (statistics.py)."""
        key = tuple(self.ids)
        if key not in _BANDS:
            _, evidence, _ = warm(self.scenario, self.scale, self.seed)
            _BANDS[key] = archival_targets(evidence, key)
        return _BANDS[key]

    def summary(self, values: dict[str, float]) -> dict[str, Any]:
        """The run's summary at these parameter values (the rest at the scenario's).

        With ``stop_runaways``, a run whose held population passes
        ``RUNAWAY_FACTOR`` times the record's arrests of 1937-38 raises
        RunawayRun instead of finishing: prior draws with a runaway naming
        cascade cost many times an ordinary run, and their distance to the
        record is already far beyond any acceptance threshold. The check only
        reads the state; it never changes the run.
        """
        from greatterror.model.params import BY_NAME
        from greatterror.model.sim import Simulation
        from greatterror.model.summary import build_summary
        from greatterror.vocabulary import AT_LIBERTY

        chosen, evidence, population = warm(self.scenario, self.scale, self.seed)
        overrides = {
            k: float(round(v)) if BY_NAME[k].integer else float(v) for k, v in values.items()
        }
        sim = Simulation(
            chosen, population, simulation_seed(self.seed, overrides), evidence, overrides
        )
        watch = None
        if self.stop_runaways:
            weights = population.weights()
            start = float(weights[~AT_LIBERTY[sim.cases.status]].sum())
            limit = RUNAWAY_FACTOR * evidence.value("G2-detained")

            def watch(day: int) -> None:
                if day % CHECK_DAYS == 0:
                    held = float(weights[~AT_LIBERTY[sim.cases.status]].sum()) - start
                    if held > limit:
                        raise RunawayRun(f"day {day}: {held:,.0f} held")

        sim.run(progress=watch)
        return build_summary(sim, chosen.name)

    def __call__(self, parameters: Any) -> dict[str, float]:
        """The statistics; for a runaway run, ``RUNAWAY_STATISTIC`` for every target.

        pyabc needs finite statistics (a NaN makes the first generation's
        threshold NaN), so a runaway gets a stand-in that puts it far from the
        record on every target, and it is rejected once the threshold falls.
        """
        values = {str(k): float(v) for k, v in dict(parameters).items()}
        try:
            return excess_log_ratios(self.summary(values), self.bands())
        except RunawayRun:
            return dict.fromkeys(self.ids, RUNAWAY_STATISTIC)
