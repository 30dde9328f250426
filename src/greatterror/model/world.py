"""The world: every piece of mutable model state, declared, and nothing else.

Components (``model/components.py``) talk to each other only through the
fields declared here. A component says which of them it reads and which it
writes (``reads``, ``writes``); those names are the fields of
:class:`World`, :class:`Levers` and :class:`Signals`, and a test holds
every declaration to this list.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.model import slots
from greatterror.model.case_flags import LINKED
from greatterror.model.kernels import mark_where
from greatterror.model.limits import initial_limits
from greatterror.model.party_state import PartyRoll, build_party
from greatterror.model.purge_state import Army, Cadres, build_army, build_cadres
from greatterror.model.registers import Registers, build_registers
from greatterror.model.slots import Slots, float_slot, int_slot
from greatterror.model.state import Cases, Institutions, Policy, Queue
from greatterror.model.trial_cases import TrialCases
from greatterror.model.truth import GroundTruth
from greatterror.population.codes import Mark
from greatterror.population.people import Population
from greatterror.vocabulary import CHANNELS, NKVD_FLAGS, OP, Status


@dataclass
class Levers:
    """Set each day by perception and policy for the steps that follow."""

    intensity: float = 1.0  # the NKVD's own arrest rate factor (M03, after the halt)
    campaign: float = 1.0  # the vigilance campaign factor on denunciations and elite arrests
    confession_p: float = 0.0  # today's probability of confession under investigation
    naming_mean: float = 0.0  # today's mean number of names per confession


@dataclass
class Signals:
    """Produced by one step and read by a later one, the same day or the next."""

    named_today: float = 0.0  # weight of the people named today (investigation)
    named_yesterday: float = 0.0  # the same, yesterday's (read by perception)
    trials_today: list[Any] = field(default_factory=list)  # show-trial events dated today
    held: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    #: today's convictions in the elite operation, batch by batch (read by the families step)
    convicted: list[NDArray[np.int64]] = field(default_factory=list)
    #: army officers named under interrogation, batch by batch (read by the army purge,
    #: which dismisses them before any arrest)
    named_officers: list[NDArray[np.int64]] = field(default_factory=list)


class Camps:
    """Everyone ever sent to camp (stale entries skipped and compacted), and the live count.

    The counts (``n``, ``w``, ``hold_n``, ``hold_w``, ``pretrial_w``) are properties onto the
    run's slots (model/slots.py), which compiled transitions update in place (model/core.py).
    """

    n = int_slot(slots.CAMPS_N, "people in the camps, not awaiting the etap")
    w = float_slot(slots.CAMPS_W, "their weight")
    hold_n = int_slot(slots.HOLD_N, "sentenced to camp, awaiting the etap (model/holding.py)")
    hold_w = float_slot(slots.HOLD_W, "their weight")
    pretrial_w = float_slot(
        slots.PRETRIAL_W,
        "people under investigation or awaiting sentence (held in the same prisons), weighted",
    )

    @property
    def slots(self) -> Slots:
        """The run's scalars (model/slots.py); the engine's ledger shares them (``Engine.bind``).
        Read-only: ``_fs``/``_is`` are its arrays, which a new one would leave stale."""
        return self._slots

    def __init__(
        self,
        roll: Queue,
        n: int,
        w: float,
        debilitated: NDArray[np.int64] | None = None,
        run_slots: Slots | None = None,
    ) -> None:
        self._slots = run_slots or Slots()
        self._fs, self._is = self._slots.fs, self._slots.is_
        self.roll = roll
        self.n, self.w = n, w
        #: today's new prisoners, batch by batch (read and cleared by the transit deaths)
        self.arrivals: list[NDArray[np.int64]] = []
        #: sentenced to camp, awaiting the etap in prisons and transit points, in order of
        #: sentence (stale entries skipped); their live count and weight (model/holding.py)
        self.holding = Queue()
        self.hold_n, self.hold_w = 0, 0.0
        #: the part of the etap's daily places a day could not use (less than one sampled person)
        self.etap_carry = 0.0
        self.pretrial_w = 0.0
        #: the prisoners held on the first day, who carry the famine years' debility
        #: (model/steps_gulag.py, ``famine_debility``; stale entries skipped and compacted)
        self.debilitated = np.empty(0, dtype=np.int64) if debilitated is None else debilitated


@dataclass
class World:
    """The model's state: people, cases, institutions, policy, today's levers and signals."""

    people: Population
    registers: Registers
    cases: Cases
    camps: Camps
    institutions: Institutions
    policy: Policy
    levers: Levers
    signals: Signals
    trials: list[dict[str, Any]]  # the show trials held, as reported in summary.json
    #: the officer corps: dismissals, arrests of the dismissed, reinstatement (army purge)
    army: Army
    #: the NKVD's officers: experienced and recruits (the purge of the purgers' cost)
    cadres: Cadres
    #: the party's rank and file: expulsions, arrests of the expelled, reinstatement
    party: PartyRoll
    #: M07: the cases prepared for the scheduled show trials (model/trial_cases.py)
    trial_cases: TrialCases = field(default_factory=TrialCases)
    #: M19: children of arrested wives counted as placed in children's homes (weighted)
    children_to_homes: float = 0.0
    #: M02, M10, M11, M24, M25, M27, M28, M29: who really acted, and those steps' counts
    truth: GroundTruth = field(default_factory=GroundTruth)


def field_names() -> frozenset[str]:
    """Every name a component may declare in ``reads`` or ``writes``."""
    names = {f.name for f in fields(World)} - {"levers", "signals"}
    return frozenset(names | {f.name for f in fields(Levers)} | {f.name for f in fields(Signals)})


def build_world(
    population: Population,
    evidence: Any,
    params: dict[str, Any],
    weigh: Any,
    days: int,
    is_elite: NDArray[np.bool_] | None = None,
) -> World:
    """The state on the first day: prisoners already in the camps, limits not yet set.

    ``is_elite`` is ``population.is_elite_layer`` if the caller (the engine) has it already:
    the property makes a new array of the population's size at each call."""
    is_elite = population.is_elite_layer if is_elite is None else is_elite
    registers = build_registers(population, is_elite)
    cases = Cases.empty(len(population))
    cat1, cat2 = initial_limits(population, evidence)
    n_reg = len(population.regions)
    heads = registers.elite_heads  # officers are heads of their elite-layer row
    officers = np.bincount(
        population["region"][heads[(population["elite"][heads] & NKVD_FLAGS) != 0]],
        minlength=n_reg,
    ).astype(np.float64)
    camps = [r.index for r in population.regions if r.kind == "camps"]
    # the camps' own operational departments: no staff count is sourced, so the
    # camps unit gets the mean regional capacity
    officers[camps] = officers[officers > 0].mean()
    inst = Institutions(
        limit_cat1=np.zeros(n_reg),
        limit_cat2=np.zeros(n_reg),
        initial_cat1=cat1,
        initial_cat2=cat2,
        used_cat1=np.zeros(n_reg),
        used_cat2=np.zeros(n_reg),
        arrested_00447=np.zeros(n_reg),
        listed_cat1=np.zeros(n_reg),
        goal_00447=np.full(n_reg, np.nan),
        goal_persons_00447=np.zeros(n_reg),
        last_request=np.full(n_reg, -10_000, dtype=np.int32),
        officers=officers,
        camps_region=camps[0] if camps else -1,
        pending_day=np.full(n_reg, -1, dtype=np.int32),
        pending_cat1=np.zeros(n_reg),
        pending_cat2=np.zeros(n_reg),
        pending_ahead=np.zeros(n_reg, dtype=bool),
        dated_until=np.full(n_reg, -1, dtype=np.int32),
        op_closed=np.zeros(n_reg, dtype=bool),
        beyond_limit=np.zeros(n_reg),
        held_limit=np.full(n_reg, np.nan),
        asked_share=np.full(n_reg, np.nan),
    )
    region = population["region"]
    # the camps' people are a run of the mass rows, which are in the order of the regions
    # (population/build.py; the elite layer, after them, lives in no camp): found by bisection,
    # not by comparing every row (a boolean array of the population's size, 0.7 s at 1:1)
    mass = region[: population.n_mass]
    codes = [r.index for r in population.regions]  # (the order of the regions' rows)
    assert codes == sorted(codes), "the regions' rows must ascend by code: found by bisection"
    initial_prisoners = np.concatenate(
        [np.arange(*np.searchsorted(mass, np.array([c, c + 1], mass.dtype))) for c in camps]
        or [np.empty(0, dtype=np.int64)]
    )
    initial_prisoners.sort()  # np.isin over 162 million people took a second
    cases.status[initial_prisoners] = Status.CAMP
    cases.op[initial_prisoners] = OP["ordinary"]  # prisoners from before the period
    roll = Queue()
    roll.push(initial_prisoners)
    inst.queues = [Queue(weigh) for _ in CHANNELS]
    inst.held_for_sanction = Queue(weigh)
    # former oppositionists start linked to the 'centre'
    mark_where(population["marks"], int(Mark.OPPOSITIONIST), cases.flags, LINKED)
    return World(
        people=population,
        registers=registers,
        cases=cases,
        camps=Camps(
            roll,
            len(initial_prisoners),
            float(weigh(initial_prisoners).sum()),
            debilitated=np.asarray(initial_prisoners, dtype=np.int64).copy(),
        ),
        institutions=inst,
        policy=Policy(),
        levers=Levers(
            confession_p=params["confession_probability"],
            naming_mean=params["names_per_confession"],
        ),
        signals=Signals(),
        trials=[],
        army=build_army(population, heads, days),
        cadres=build_cadres(population, heads, officers, days),
        party=build_party(population, days, is_elite),
    )
