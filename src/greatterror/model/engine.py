"""The engine: how state changes, shared by every component.

It holds what is not model state: the run's configuration (parameters,
mechanism switches, the scenario's dated events), the calendar of delayed
actions, the ledger of counted events and the named random streams. Its
transitions (arrest, sentence, release, die in custody) are the only way a
case changes status, so that every change is counted in the ledger once. The rules
of the prison terms a camp sentence sets are in model/prison_terms.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.model.arrest_kernel import arrest_core, arrestable_mask, set_unarrestable
from greatterror.model.calendar import Calendar
from greatterror.model.central_committee import unarrestable
from greatterror.model.core import CoreHolder
from greatterror.model.kernels import Layers
from greatterror.model.ledger import Ledger
from greatterror.model.limits import increase_cat1_share
from greatterror.model.mechanisms import SWITCH_OF
from greatterror.model.prison_terms import set_initial_terms
from greatterror.model.scenario import Scenario
from greatterror.model.slots import ARRESTS, Slots, int_slot
from greatterror.model.sorting import assert_ascending
from greatterror.model.streams import Streams
from greatterror.model.transitions import Transitions
from greatterror.model.world import World
from greatterror.population.people import Population
from greatterror.vocabulary import EV, MASS_OP, OP

ELITE_OP = OP["elite"]
KULAK = OP["kulak_00447"]


class Engine(Transitions):
    """Calendar, ledger, random streams and the case transitions of one run."""

    #: cases opened so far (a step watching some people's status looks only after a change);
    #: a slot, which the compiled arrest counts (model/slots.py); 0 before ``bind``
    arrests = int_slot(ARRESTS, "Cases opened so far.")

    def __init__(
        self,
        scenario: Scenario,
        population: Population,
        seed: int,
        evidence: Any,
        params: dict[str, Any],
        switches: dict[str, bool],
    ) -> None:
        self.scenario = scenario
        self.evidence = evidence
        #: the share of category 1 in the limit increases whose split the evidence gives;
        #: it splits the regions' requests and the increases given only as a total
        self.increase_cat1_share = increase_cat1_share(evidence.increases)
        #: the run's parameters, fixed for the run: components keep values derived from them
        #: (the famine excess, perception's decay factors, the core's constants) from the
        #: first day on, so a change during a run is not seen by all (review32 F3); a run
        #: with other parameters is a new ``Sim``
        self.params = params
        #: mechanism switches by switch name; components read them through ``Component.on``
        self.switches = switches
        self.start = scenario.start
        self.days = (scenario.end - scenario.start).days + 1
        #: the date of each day of the run, made once: several steps read the day's date every
        #: day (about 9,000 calls a run, each a ``timedelta`` and a new ``date`` before)
        self._dates = tuple(self.start + dt.timedelta(days=d) for d in range(self.days))
        self.rng = Streams(seed)
        self.calendar = Calendar(self.days)  # kind -> day -> people due
        self.ledger = Ledger(self.days, len(population.regions))
        self.is_elite = population.is_elite_layer
        self.weight_of_layer = population.weight_of_layer
        self.w_mass, self.w_elite = (float(w) for w in self.weight_of_layer)
        #: per person: 0 mass, 1 elite layer (the index into ``weight_of_layer``)
        self._layer = self.is_elite.view(np.uint8)
        self.region = population["region"]
        #: per person: region and layer, as the kernels take them
        self.layers = Layers(self.region, self.is_elite, self.weight_of_layer)
        self.events_by_day: dict[int, list] = {}
        for event in scenario.events:
            day = (event.date - self.start).days
            if 0 <= day < self.days:
                self.events_by_day.setdefault(day, []).append(event)
        trial_days = [
            d for d, evs in self.events_by_day.items() if any(e.action == "show_trial" for e in evs)
        ]
        self.last_trial_day = max(trial_days, default=-1)
        self.world: World | None = None  # bound by ``bind`` once the world is built
        #: the int slots ``arrests`` reads: zeroed slots of its own until ``bind`` hands it
        #: the world's (no arrest can happen before: it needs the world), so that ``arrests``
        #: is 0 before ``bind``, as it was when it was an attribute
        self._is = Slots().is_
        #: people whose case status a transition set since ``status_changes`` last asked
        #: (``None``: nobody asked yet, so nothing is kept)
        self._changed: list[NDArray[np.int64]] | None = None
        #: for each reader of ``status_changes``: what it has not yet been given
        self._change_readers: dict[str, list[NDArray[np.int64]]] = {}

    def bind(self, world: World) -> None:
        """The world whose cases the transitions change."""
        self.world = world
        #: the world's case arrays as the kernels take them (the arrays are never replaced)
        self.case_arrays = world.cases.arrays()
        # the run's scalars are the world's slots; the compiled core holds the same buffers
        # (model/core.py, docs/design/compiled-core.md)
        self.ledger.use_slots(world.camps.slots)
        self._is = world.camps.slots.is_  # (``arrests``)
        #: people no arrest may take, each from a day of the run: the leader from the first,
        #: the 1934 CC's members who died before the Terror from their death (model/
        #: central_committee.py); checked in ``arrest``, whichever step arrests
        self.set_unarrestable(
            *unarrestable(world.people["elite"], world.registers.elite_heads, self.start)
        )
        self.core = CoreHolder(self)
        self._initial_terms(world)

    def _initial_terms(self, world: World) -> None:
        """The remaining terms of the prisoners held on the first day (model/prison_terms.py);
        a method of its own so that a test can watch the first day's stock."""
        set_initial_terms(self, world)

    def switch(self, mechanism: str) -> bool:
        """Whether mechanism ``mechanism`` (an M-id) is on; read it through ``Component.on``."""
        return bool(self.switches[SWITCH_OF[mechanism]])

    def status_changes(self, reader: str = "") -> NDArray[np.int64] | None:
        """The people whose case status a transition (``arrest``, or a closing: sentence,
        release, death in custody) set since ``reader``'s last call, in no particular order
        and possibly repeated; ``None`` at a reader's first call, which starts its record.

        Every other write of a status (``world.py`` at the start, and in
        ``steps_investigation.py`` and ``steps_justice.py``) moves a case between two
        statuses that are not at liberty, so a step watching whether some people are at
        liberty needs to look only at these people (model/purge_state.py, ``Cadres.take_lost``;
        model/party_state.py, ``PartyRoll.look``). Each reader (a name) is given every
        change once: the changes noted since any reader last asked are handed to every
        reader that has started.
        """
        new, self._changed = self._changed or [], []
        readers = self._change_readers
        for pending in readers.values():
            pending.extend(new)
        if reader not in readers:
            readers[reader] = []
            return None
        changed, readers[reader] = readers[reader], []
        if len(changed) == 1:
            return changed[0]
        return np.concatenate(changed) if changed else np.empty(0, dtype=np.int64)

    # -- time and counting ----------------------------------------------------------------
    def date(self, day: int) -> dt.date:
        if 0 <= day < self.days:
            return self._dates[day]
        return self.start + dt.timedelta(days=day)

    def schedule(self, day: int, kind: str, idx: np.ndarray) -> None:
        self.calendar.add_batch(kind, np.asarray(idx, dtype=np.int64), day)

    def schedule_after(self, day: int, kind: str, idx: np.ndarray, delays: np.ndarray) -> None:
        """Schedule each person ``delays[i]`` days after ``day``.

        ``due`` returns a day's people from batches of more than 64 in the
        order scheduled, then those from smaller batches in the order
        scheduled (model/calendar.py).
        """
        if len(idx):
            self.calendar.add(kind, np.asarray(idx, dtype=np.int64), np.asarray(delays), day)

    def due(self, day: int, kind: str) -> np.ndarray:
        return self.calendar.take(kind, day)

    def record(
        self,
        day: int,
        idx: np.ndarray,
        event: str,
        op: NDArray | None = None,
        weight: NDArray[np.float64] | None = None,
    ) -> None:
        """Count ``event`` for ``idx`` in the ledger (``weight``: theirs, if already known)."""
        if len(idx) == 0:
            return
        assert self.world is not None
        ops = self.world.cases.op[idx] if op is None else op
        w = self.weights(idx) if weight is None else weight
        self.ledger.add(day, self.region[idx], ops, EV[event], w)

    def set_unarrestable(self, people: NDArray[np.int64], since: NDArray[np.int64]) -> None:
        """Set who no arrest may take (``people``, each from day ``since``), with the sorted
        copy the compiled arrest and ``arrestable`` read: the one way to change them, so that
        the copy cannot go stale (``unarrestable`` and ``unarrestable_from`` are
        read-only properties; review14 F13)."""
        people, since = np.asarray(people, dtype=np.int64), np.asarray(since, dtype=np.int64)
        self._unarrestable = (people, since)
        order = np.argsort(people, kind="stable")
        self._unarrestable_sorted = (people[order], since[order])
        assert_ascending(self._unarrestable_sorted[0], "the unarrestable")  # arrestable_mask's
        if "core" in vars(self):  # (bound: the compiled arrest reads the sorted copy)
            set_unarrestable(self.core.core, *self._unarrestable_sorted)

    @property
    def unarrestable(self) -> NDArray[np.int64]:
        """People no arrest may take (``set_unarrestable``)."""
        return self._unarrestable[0]

    @property
    def unarrestable_from(self) -> NDArray[np.int64]:
        """The day from which each of ``unarrestable`` may not be taken."""
        return self._unarrestable[1]

    # -- transitions ----------------------------------------------------------------------
    def arrestable(self, day: int, idx: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Which of ``idx`` may be arrested on ``day``: not the leader, nor a member of the
        1934 Central Committee after his death (model/central_committee.py)."""
        people, since = self._unarrestable_sorted
        idx = np.ascontiguousarray(idx, dtype=np.int64)
        return arrestable_mask(people, since, np.int64(day), idx)  # (the compiled arrest's)

    def arrest(
        self,
        day: int,
        idx: np.ndarray,
        op: str,
        allow_in_camp: bool = False,
        investigate: bool = True,
        camps_region: int | None = None,
    ) -> np.ndarray:
        """Open cases against those of ``idx`` who are at liberty; returns who was arrested.

        With ``investigate`` (the rule for every NKVD case) the end of an investigation is put
        on the calendar, its length drawn from the ``duration`` stream (``investigation_p``).
        Without it (the social-order bodies, which judged on the militia's file the same day,
        model/steps_social_order.py) nothing is scheduled and nothing drawn, so such arrests
        do not shift the investigation lengths drawn for every other case (common random
        numbers between scenarios with and without them). ``camps_region``: with
        ``allow_in_camp``, the region whose camp prisoners can be taken (default the camps'
        own; a show trial's case brings prisoners back from their home region's prisons,
        model/trial_cases.py).

        The rule is one compiled call, ``arrest_kernel.arrest_core`` (its docstring; the NumPy
        code it replaced is ``engine_reference.arrest_reference``)."""
        if len(idx) == 0:
            return np.empty(0, dtype=np.int64)
        assert self.world is not None
        code = OP[op]
        idx = np.asarray(idx, dtype=np.int64)
        out = np.empty(len(idx), dtype=np.int64)
        p = self.investigation_p(code) if investigate else 0.0
        if camps_region is None:
            camps_region = self.world.institutions.camps_region
        n = self.core.call(
            arrest_core, day, idx, out, code, allow_in_camp, camps_region, investigate, p
        )
        return out[:n]

    def reinvestigate(self, day: int, idx: np.ndarray, stream: str, op: str = "elite") -> None:
        """Schedule a further end of the investigation of prisoners ``idx`` still under
        investigation, after a length drawn like an ``op`` case's opened today
        (``investigation_mean``) from the named ``stream`` (a show trial's case, whose
        investigation went on until the defendant confessed: model/trial_cases.py; a case a
        special troika sent back, investigated as an ordinary case: model/no_sentence.py)."""
        if len(idx) == 0:
            return
        assert self.world is not None
        inst = self.world.institutions
        mean = investigation_mean(
            OP[op], self.params, inst.post_halt_procedure,
            inst.investigation_slowdown, inst.case_building,
        )  # fmt: skip
        delays = getattr(self.rng, stream).geometric(1.0 / max(mean, 1.0), size=len(idx))
        self.schedule_after(day, "investigation_end", idx, delays)

    def investigation_p(self, code: int) -> float:
        """The parameter of the length of an investigation of operation ``code`` opened today
        (drawn per person from stream ``duration``: ``arrest_kernel.arrest_core``).

        Order 00447: Erlang with shape 3 (a sum of three geometric stages: arrest, file
        made up, case put to the troika), mean ``kulak_investigation_days``, so that most
        cases reach the troika within weeks and few within days (evidence IN-00447-lag-perm):
        ``negative_binomial(3, p) + 3`` days. Other cases: geometric with the mean of their
        kind (``investigation_mean``), ``geometric(p)``. ``Institutions.investigation_slowdown``
        (the NKVD cadres step: recruits replacing arrested officers) multiplies every mean.
        While every mean is over 3 days the number of draws does not depend on it (NumPy's
        geometric sampler changes method at p >= 1/3), so the post-halt rule changes the lengths
        drawn, never which draw goes to which case (common random numbers). The post-halt mean
        of elite cases is not multiplied by the slowdown (docs/ODD.md, section 7.2b).
        """
        p = self.params
        assert self.world is not None
        inst = self.world.institutions
        slowdown = inst.investigation_slowdown
        if code == KULAK:
            return 1.0 / max(slowdown * p["kulak_investigation_days"] / 3.0, 1.0)
        post_halt = inst.post_halt_procedure  # steps_post_halt, M22
        mean = investigation_mean(code, p, post_halt, slowdown, inst.case_building)
        return 1.0 / max(mean, 1.0)


def investigation_mean(
    code: int, params: Any, post_halt: bool, slowdown: float = 1.0, case_building: bool = False
) -> float:
    """Mean days of an investigation (other than Order 00447's) opened today.

    Mass-operation cases: ``troika_investigation_days``; others ``investigation_days``; but
    a case of the elite operation (party-state, army and NKVD cadres, tried by the Military
    Collegium) opened under the post-halt regime (``post_halt``: after the resolution of
    17 November 1938, G12-30, with M22 on; ``Institutions.post_halt_procedure``) takes ``post_halt_investigation_days``. That
    resolution and Beria's order of 26 November 1938 (G12-32) required investigations by
    the Code of Criminal Procedure under the procurator's supervision, with no simplified
    procedure; the elite cases opened in 1939 came to the Military Collegium only in
    1940 (Yezhov, arrested 10 April 1939, shot 4 February 1940: G12-34, G12-35; the
    Politburo's list of 16 January 1940 of 346 names, memorial_spiski2002; Koltsov,
    arrested in December 1938, tried 1 February 1940, Rayfield 2004). Without this rule
    the Beria-era arrests of 1939 were all sentenced within weeks, in 1939.

    A case of the elite operation opened while the conspiracy cases were being built
    (``case_building``: from Yezhov's appointment to the February-March 1937 plenum, M08;
    ``Institutions.case_building``, model/collegium.py) takes ``case_building_investigation_days``.

    ``slowdown`` (the NKVD cadres' shortage, M21) multiplies every mean but these two: the
    documented lengths they rest on already include what slowed the investigations then.
    """
    if code == ELITE_OP and post_halt:
        return float(params["post_halt_investigation_days"])
    if code == ELITE_OP and case_building:
        return float(params["case_building_investigation_days"])
    if MASS_OP[code]:
        return slowdown * float(params["troika_investigation_days"])
    return slowdown * float(params["investigation_days"])


#: The parameters the engine's transitions read (investigation length, delay to execution).
ENGINE_PARAMS = (
    "post_halt_investigation_days",
    "case_building_investigation_days",
    "colony_transfer_days",
    "court_term_mean_years",
    "execution_delay",
    "investigation_days",
    "kulak_investigation_days",
    "troika_investigation_days",
    "workday_credit",
)
