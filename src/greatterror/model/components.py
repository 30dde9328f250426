"""The components of a day, in their one documented order, and what they declare.

``COMPONENTS`` is the order of docs/ODD.md, "Process overview and
scheduling" (a test holds the two equal). The mechanisms table
(``greatterror mechanisms``) is derived here from the components'
declarations: a mechanism is implemented when a component declares it, and
it acts in the steps that declare it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from greatterror.model.engine import ENGINE_PARAMS, Engine
from greatterror.model.families import Families
from greatterror.model.fifth_column import FifthColumn, RealOpposition
from greatterror.model.loop import Component
from greatterror.model.mechanisms import (
    BY_ID,
    BY_SWITCH,
    MECHANISMS,
    MechanismError,
    switch_name,
    switch_value,
)
from greatterror.model.penetration import PenetratedNkvd
from greatterror.model.regional_start import RegionalStart
from greatterror.model.scenario import Scenario
from greatterror.model.slots import QUEUE_W
from greatterror.model.steps_army import ArmyPurge
from greatterror.model.steps_cadres import NkvdCadres
from greatterror.model.steps_courts import OrdinaryCourts
from greatterror.model.steps_denunciation import Denunciation
from greatterror.model.steps_elites import PurgeOfElites
from greatterror.model.steps_gulag import TermEnd
from greatterror.model.steps_halt import HaltReview
from greatterror.model.steps_investigation import Investigation
from greatterror.model.steps_justice import HaltAndRelease, Punishment, Sentencing
from greatterror.model.steps_party import PartyPurge
from greatterror.model.steps_policy import ExogenousEvents, Perception, Policy
from greatterror.model.steps_post_halt import PostHaltRegime
from greatterror.model.steps_quota import QuotaDynamics
from greatterror.model.steps_register_selection import RegisterSelection
from greatterror.model.steps_signals import CentralSignals, Reporting
from greatterror.model.steps_social_order import SocialOrderBoards
from greatterror.model.steps_trials import ShowTrials
from greatterror.model.steps_vengeance import KillingsAbroad, Vengeance
from greatterror.model.steps_wrecking import Wrecking
from greatterror.model.world import World


class EndOfDay(Component):
    """Close the day: today's signals become yesterday's, and the backlogs are written."""

    name = "end_of_day"
    reads = ("named_today", "institutions")
    writes = ("named_yesterday", "named_today", "trials_today")

    def step(self, w: World, e: Engine, day: int) -> None:
        s = w.signals
        s.trials_today = []
        s.named_yesterday, s.named_today = s.named_today, 0.0
        queues = w.institutions.queues
        f = w.camps.slots.fs
        if queues and queues[0]._fs is f:  # bound (``Queue.bind``): one slice of the slots,
            # the channels' weights in the order of their numbers, not seven property reads
            e.ledger.backlog[day] = w.camps.slots.f[QUEUE_W : QUEUE_W + len(queues)]
        else:
            for ch, queue in enumerate(queues):
                e.ledger.backlog[day, ch] = queue.weight


#: The daily order of processes (docs/ODD.md, "Process overview and scheduling").
COMPONENTS: tuple[type[Component], ...] = (
    ExogenousEvents,
    KillingsAbroad,
    Reporting,
    Perception,
    PostHaltRegime,
    CentralSignals,
    Policy,
    Denunciation,
    RegisterSelection,
    Wrecking,
    FifthColumn,
    RealOpposition,
    PenetratedNkvd,
    Investigation,
    Sentencing,
    OrdinaryCourts,
    Punishment,
    TermEnd,
    QuotaDynamics,
    PurgeOfElites,
    Vengeance,
    ArmyPurge,
    NkvdCadres,
    PartyPurge,
    HaltAndRelease,
    HaltReview,
    ShowTrials,
    Families,
    SocialOrderBoards,
    RegionalStart,
    EndOfDay,
)


def build_components() -> list[Component]:
    """Fresh components for one run (a component may keep caches of its own)."""
    return [cls() for cls in COMPONENTS]


def declared_params() -> frozenset[str]:
    """Every parameter the model reads: the components' and the engine's."""
    return frozenset(ENGINE_PARAMS).union(*(c.params for c in COMPONENTS))


@dataclass(frozen=True)
class MechanismRow:
    """One row of ``greatterror mechanisms``: the catalogue entry and where it acts."""

    id: str
    switch: str
    title: str
    implemented: bool
    steps: tuple[str, ...]
    note: str


def mechanism_table() -> list[MechanismRow]:
    """M01-M30 with the steps that declare each (none: not implemented)."""
    return [
        MechanismRow(
            m.id,
            m.switch,
            m.title,
            any(m.id in c.mechanisms for c in COMPONENTS),
            tuple(c.name for c in COMPONENTS if m.id in c.mechanisms),
            m.note,
        )
        for m in MECHANISMS
    ]


def default_switches() -> dict[str, bool]:
    """Every implemented mechanism is on unless a scenario turns it off, except those added for
    the hypothesis scenarios (``Mechanism.default``), which are off unless one turns them on."""
    return {row.switch: row.implemented and BY_ID[row.id].default for row in mechanism_table()}


def resolve_switches(
    scenario: Scenario, mechanisms: Mapping[str, Any] | None = None
) -> dict[str, bool]:
    """The switches of a run: the defaults, the scenario's, then ``mechanisms`` (M-id or switch).

    Switching on a mechanism this version does not implement is refused: it
    would silently do nothing.
    """
    merged = default_switches()
    merged.update(scenario.mechanisms)
    implemented = {row.switch: row for row in mechanism_table() if row.implemented}
    for key, value in (mechanisms or {}).items():
        switch = switch_name(key)
        on = switch_value(key, value)
        if on and switch not in implemented:
            allowed = ", ".join(f"{r.id} ({r.switch})" for r in implemented.values())
            raise MechanismError(
                f"{key}: {BY_SWITCH[switch].id} ({switch}) is not implemented in this version; "
                f"allowed: {allowed}"
            )
        merged[switch] = on
    return merged


def _cell(items: tuple[str, ...]) -> str:
    return ", ".join(f"`{x}`" for x in items) or "—"


def components_markdown() -> str:
    """The component table of docs/ODD.md (section 3), generated from the declarations."""
    lines = [
        "| # | component | mechanisms | parameters | reads | writes |",
        "|---|---|---|---|---|---|",
    ]
    for i, c in enumerate(COMPONENTS, 1):
        cells = [str(i), f"`{c.name}`", ", ".join(c.mechanisms) or "—"]
        cells += [_cell(tuple(sorted(c.params))), _cell(c.reads), _cell(c.writes)]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(f"| | engine transitions | — | {_cell(ENGINE_PARAMS)} | | |")
    return "\n".join(lines) + "\n"


def mechanisms_markdown() -> str:
    """The mechanisms table of docs/ODD.md (section 7.16), generated from the declarations."""
    lines = [
        "| id | switch | mechanism | switch read in | note |",
        "|---|---|---|---|---|",
    ]
    for r in mechanism_table():
        steps = ", ".join(r.steps) if r.implemented else "**not implemented**"
        lines.append(f"| {r.id} | `{r.switch}` | {r.title} | {steps} | {r.note} |")
    return "\n".join(lines) + "\n"
