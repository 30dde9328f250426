"""The simulation: a world, an engine and the daily loop of components, run day by day.

``Simulation`` only assembles and drives: the state is the declared
:class:`~greatterror.model.world.World`, the transitions and streams are the
:class:`~greatterror.model.engine.Engine`, and each day runs the components of
``model/components.py`` in their documented order (``sim.loop``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.model import leader
from greatterror.model.compiled import drop_stale_caches
from greatterror.model.components import build_components, resolve_switches
from greatterror.model.engine import Engine
from greatterror.model.ledger import Ledger
from greatterror.model.loop import Loop
from greatterror.model.mechanisms import switch_name, switch_value
from greatterror.model.registers import Registers
from greatterror.model.scenario import Scenario
from greatterror.model.state import Cases, Institutions, Policy
from greatterror.model.world import World, build_world
from greatterror.population.people import Population


class Simulation:
    """One run of a scenario on a population: ``step()`` a day, or ``run(until=...)``.

    ``overrides`` are parameter values; ``mechanisms`` switch mechanisms on or
    off by M-id or switch name (``{"M12": False}``), over the scenario's own.
    """

    def __init__(
        self,
        scenario: Scenario,
        population: Population,
        seed: int,
        evidence: Any,
        overrides: dict[str, Any] | None = None,
        mechanisms: Mapping[str, Any] | None = None,
    ) -> None:
        drop_stale_caches()  # before any kernel runs: a cached caller may hold an old callee
        self.scenario = scenario
        self.seed = seed
        self.evidence = evidence
        self.params = scenario.parameter_values(overrides)
        #: what the run was given over the scenario's own values (recorded in the summary)
        self.overrides = dict(overrides or {})
        self.mechanism_overrides = {
            switch_name(k): switch_value(k, v) for k, v in (mechanisms or {}).items()
        }
        #: the mechanism switches of this run, by switch name
        self.on = resolve_switches(scenario, mechanisms)
        self.engine = Engine(scenario, population, seed, evidence, self.params, self.on)
        self.world: World = build_world(
            population,
            evidence,
            self.params,
            self.engine.weights,
            self.engine.days,
            self.engine.is_elite,
        )
        self.engine.bind(self.world)
        inst = self.world.institutions
        inst.elite_size = max(len(self.world.registers.elite_heads), 1)
        if scenario.policy == "endogenous":
            inst.adult_weight = leader.adult_weight(population)
        self.start = scenario.start
        self.days = self.engine.days
        #: the next day to simulate, 0-based
        self.day = 0
        #: the components of a day in their documented order, with their timings
        self.loop = Loop(build_components())

    # -- running --------------------------------------------------------------------------
    def step(self) -> None:
        """Simulate one day (``self.day``), including its end-of-day bookkeeping."""
        if self.day >= self.days:
            raise RuntimeError(
                f"the simulation has reached its end ({self.date(self.days - 1)}); "
                "nothing is left to step"
            )
        self.loop.run_day(self.world, self.engine, self.day)
        self.day += 1

    def run(
        self,
        until: dt.date | int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Simulation:
        """Simulate up to ``until``, or to the end; calling it again continues.

        ``until`` is a date, simulated inclusively (its events happen), or a
        number of days from the start: ``run(until=n)`` stops with ``day == n``,
        as ``n`` calls of :meth:`step` from the start would. ``progress`` is
        called with each day simulated.
        """
        stop = self._stop_day(until)
        loop, world, engine, day = self.loop, self.world, self.engine, self.day
        while day < stop:
            loop.run_day(world, engine, day)
            day += 1
            self.day = day
            if progress is not None:
                progress(day - 1)
        return self

    def _stop_day(self, until: dt.date | int | None) -> int:
        if until is None:
            return self.days
        if isinstance(until, dt.date):
            stop = (until - self.start).days + 1
            what = f"until: {until}"
            allowed = f"a date from {self.start} to {self.date(self.days - 1)}"
        elif isinstance(until, int | np.integer) and not isinstance(until, bool):
            stop, what, allowed = int(until), f"until: {until}", f"a day from 0 to {self.days}"
        else:
            raise TypeError(f"until: expected a date, a number of days or None, got {until!r}")
        if not (0 <= stop <= self.days):
            raise ValueError(f"{what} is outside the scenario; allowed: {allowed}")
        if stop < self.day:
            raise ValueError(
                f"{what} is already past: the simulation is at day {self.day} "
                f"({self.date(self.day)}); a run cannot go back"
            )
        return stop

    # -- what the results read ------------------------------------------------------------
    def date(self, day: int) -> dt.date:
        return self.engine.date(day)

    def weights(self, idx: np.ndarray) -> NDArray[np.float64]:
        """Full-population equivalents of ``idx`` (mass weight, elite-layer rows 1)."""
        return self.engine.weights(idx)

    @property
    def pop(self) -> Population:
        return self.world.people

    @property
    def cases(self) -> Cases:
        return self.world.cases

    @property
    def inst(self) -> Institutions:
        return self.world.institutions

    @property
    def policy(self) -> Policy:
        return self.world.policy

    @property
    def registers(self) -> Registers:
        return self.world.registers

    @property
    def trials(self) -> list[dict[str, Any]]:
        return self.world.trials

    @property
    def children_to_homes(self) -> float:
        """M19: children of arrested wives counted as placed in children's homes."""
        return self.world.children_to_homes

    @property
    def ledger(self) -> Ledger:
        return self.engine.ledger

    @property
    def is_elite(self) -> NDArray[np.bool_]:
        return self.engine.is_elite

    @property
    def weight_of_layer(self) -> NDArray[np.float64]:
        return self.engine.weight_of_layer
