"""The daily loop as an inspectable plan of components, timed per step.

A :class:`Loop` is the ordered sequence of components a simulation runs
every day. It can be printed, inspected (each component's name,
mechanisms, parameters, reads and writes) and timed: ``timings`` holds
the seconds spent in each step, accumulated over the days run so far.
Timing costs one ``time.perf_counter`` call per step call, and can be turned off
(``Loop.timed``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any


class UndeclaredMechanism(RuntimeError):
    """A component read the switch of a mechanism it does not declare."""


class Component:
    """One step of the day: what it is called and what it touches, then what it does.

    Subclasses set the declarations as class attributes and implement
    :meth:`step`. A mechanism switch is read only through :meth:`on`, which
    refuses a mechanism the component does not declare, so that the
    mechanisms table (``greatterror mechanisms``), built from these
    declarations, cannot drift from the code.
    """

    name: str = ""
    mechanisms: tuple[str, ...] = ()  # M-ids whose switches it reads
    params: tuple[str, ...] = ()  # parameter names it reads
    reads: tuple[str, ...] = ()  # World fields it reads (model/world.py)
    writes: tuple[str, ...] = ()  # World fields it writes
    #: mechanisms (of ``mechanisms``) without which the step does nothing at all: in a run
    #: where every one of them is off, the loop leaves the component out of every day
    #: (its step would return at once; skipping the call saves its cost, about 2
    #: microseconds a day). Empty: the component always runs.
    gate: tuple[str, ...] = ()

    #: the engine whose switches ``_switches`` holds (a run's switches do not change)
    _engine: Any = None
    _switches: dict[str, bool]

    def on(self, engine: Any, mechanism: str) -> bool:
        """Whether ``mechanism`` is switched on in this run.

        Each switch is looked up once per run and component (steps read them every
        day, about 24,000 times a run).
        """
        if engine is self._engine:
            known = self._switches.get(mechanism)
            if known is not None:
                return known
        else:
            self._engine, self._switches = engine, {}
        if mechanism not in self.mechanisms:
            raise UndeclaredMechanism(
                f"component {self.name!r} reads the switch of {mechanism}, which it does not "
                f"declare (it declares {', '.join(self.mechanisms) or 'none'})"
            )
        value = self._switches[mechanism] = bool(engine.switch(mechanism))
        return value

    def acts(self, engine: Any) -> bool:
        """Whether the step can do anything in this run (see ``gate``)."""
        return not self.gate or any(self.on(engine, m) for m in self.gate)

    def step(self, world: Any, engine: Any, day: int) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<component {self.name}>"


@dataclass(frozen=True)
class PlanEntry:
    """A component's declaration, as shown by ``sim.loop`` (no behaviour)."""

    name: str
    mechanisms: tuple[str, ...]
    params: tuple[str, ...]
    reads: tuple[str, ...]
    writes: tuple[str, ...]


class Loop:
    """The components of one day in their documented order, with their timings."""

    def __init__(self, components: Sequence[Component]) -> None:
        names = [c.name for c in components]
        if len(set(names)) != len(names):
            raise ValueError(f"component names must be unique: {names}")
        self.components: tuple[Component, ...] = tuple(components)
        #: seconds spent in each component, accumulated over the days run
        self.timings: dict[str, float] = dict.fromkeys(names, 0.0)
        #: whether ``run_day`` times the steps; a fit's particle, whose timings nobody
        #: reads, turns it off (calibration/simulator.py): 0.14 us a step call, about
        #: 0.01 s of CPU a run
        self.timed = True
        self._engine: Any = None
        self._acting: tuple[Component, ...] = ()

    def acting(self, engine: Any) -> tuple[Component, ...]:
        """The components that can act in ``engine``'s run, in order (``Component.gate``)."""
        if engine is not self._engine:
            self._engine = engine
            self._acting = tuple(c for c in self.components if c.acts(engine))
        return self._acting

    def __iter__(self) -> Iterator[Component]:
        return iter(self.components)

    def __len__(self) -> int:
        return len(self.components)

    def __getitem__(self, name: str) -> Component:
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(f"no component {name!r}; the loop has {', '.join(self.names)}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.components)

    def plan(self) -> list[PlanEntry]:
        return [
            PlanEntry(c.name, c.mechanisms, c.params, c.reads, c.writes) for c in self.components
        ]

    def run_day(self, world: Any, engine: Any, day: int) -> None:
        if not self.timed:
            for component in self.acting(engine):
                component.step(world, engine, day)
            return
        clock = time.perf_counter
        timings = self.timings
        for component in self.acting(engine):
            t0 = clock()
            component.step(world, engine, day)
            timings[component.name] += clock() - t0

    def __repr__(self) -> str:
        lines = [f"Loop of {len(self)} components:"]
        idle = set(self.components) - set(self._acting) if self._engine is not None else set()
        for i, c in enumerate(self.components, 1):
            mech = f" [{', '.join(c.mechanisms)}]" if c.mechanisms else ""
            off = "  (off in this run)" if c in idle else ""
            lines.append(f"{i:>3}. {c.name}{mech}  {self.timings[c.name]:.3f} s{off}")
        return "\n".join(lines)
