"""The simulation: one daily step in a fixed order, defined here and only here.

``STEP_ORDER`` is the order documented in docs/ODD.md. Each step is a
function of the simulation in one of the ``steps_*`` modules; a step whose
mechanisms are switched off leaves the state untouched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.model import (
    leader,
    steps_arrests,
    steps_justice,
    steps_policy,
    steps_quota,
    steps_trials,
)
from greatterror.model.calendar import Calendar
from greatterror.model.channels import channel_table, channels_of
from greatterror.model.families import wives_of
from greatterror.model.kernels import close_cases, mark_where, open_cases
from greatterror.model.limits import initial_limits
from greatterror.model.loop import FunctionStep, Loop
from greatterror.model.registers import build_registers
from greatterror.model.scenario import Scenario
from greatterror.model.state import (
    AT_LIBERTY,
    CHANNELS,
    EV,
    MASS_OP,
    OP,
    Cases,
    Institutions,
    Ledger,
    Policy,
    Queue,
    S,
    Status,
)
from greatterror.model.streams import Streams
from greatterror.population.codes import Elite, Mark
from greatterror.population.people import Population

ELITE_OP = OP["elite"]
#: What each step reads and writes (moved onto the components in the refactor).
DECLARATIONS: dict[str, dict[str, Any]] = {
    "exogenous_events": dict(
        mechanisms=("M01", "M04", "M08", "M09", "M16", "M18", "M19", "M21", "M22"),
        params=(
            "halt_release_share",
            "request_cat1_share",
            "threat_per_crisis",
            "vigilance_per_trial",
        ),
        reads=("people", "policy", "perception", "queues"),
        writes=("policy", "perception", "limits", "queues", "cases", "trials_today", "calendar"),
    ),
    "perception": dict(
        mechanisms=("M01", "M03", "M22"),
        params=(
            "cost_half_life",
            "post_halt_restraint",
            "threat_half_life",
            "threat_per_conspiracy",
            "vigilance_half_life",
            "war_half_life",
        ),
        reads=("perception", "policy", "named_yesterday", "ledger"),
        writes=("perception", "intensity", "campaign"),
    ),
    "policy": dict(
        mechanisms=("M05", "M06", "M08", "M16", "M18", "M19", "M21", "M22"),
        params=(
            "album_capacity",
            "confession_probability",
            "confession_with_methods",
            "halt_release_share",
            "leader_backlog_days",
            "leader_cost_weight",
            "leader_expand_threshold",
            "leader_mass_threshold",
            "leader_methods_threshold",
            "leader_min_operation_days",
            "leader_national_threshold",
            "leader_release_delay",
            "names_per_confession",
            "yezhov_naming_multiplier",
        ),
        reads=("policy", "perception", "queues", "people"),
        writes=("policy", "limits", "queues", "cases", "calendar", "confession_p", "naming_mean"),
    ),
    "denunciation": dict(
        mechanisms=("M12", "M13"),
        params=(
            "denunciation_acted_on",
            "denunciation_rate",
            "grievance_weight_superiors",
            "vulnerability_weight_marks",
        ),
        reads=("people", "cases", "campaign"),
        writes=("cases", "calendar"),
    ),
    "register_selection": dict(
        mechanisms=("M13", "M23"),
        params=(
            "base_arrest_rate",
            "base_unmarked_arrest_rate",
            "national_op_rate",
            "nkvd_capacity",
            "operation_pace",
            "ordinary_during_operation",
            "overfill_target",
            "unmarked_share_00447",
        ),
        reads=("people", "cases", "policy", "limits", "intensity"),
        writes=("cases", "limits", "calendar"),
    ),
    "investigation": dict(
        mechanisms=("M07", "M17", "M30"),
        params=("loyalty_confession_boost", "names_acted_on", "release_without_confession"),
        reads=("people", "cases", "policy", "calendar", "confession_p", "naming_mean"),
        writes=("cases", "queues", "held", "named_today", "calendar"),
    ),
    "sentencing": dict(
        mechanisms=(),
        params=(
            "album_capacity",
            "album_death_share",
            "cat1_share_troika",
            "courts_capacity",
            "courts_death_share",
            "exile_share",
            "military_collegium_death_share",
            "oso_capacity",
            "troika_capacity",
        ),
        reads=("people", "cases", "queues", "limits"),
        writes=("cases", "queues", "limits", "calendar", "camp", "convicted"),
    ),
    "punishment": dict(
        mechanisms=(),
        params=("camp_capacity", "gulag_mortality", "overcrowding_mortality"),
        reads=("people", "cases", "calendar", "camp"),
        writes=("cases", "camp", "calendar"),
    ),
    "quota_dynamics": dict(
        mechanisms=("M15",),
        params=(
            "approval_probability",
            "late_approval_factor",
            "operation_term_days",
            "request_cat1_share",
            "request_interval",
            "request_size",
            "request_threshold",
        ),
        reads=("policy", "limits"),
        writes=("limits",),
    ),
    "purge_of_elites": dict(
        mechanisms=("M14", "M20", "M26"),
        params=(
            "army_hazard",
            "elite_hazard",
            "oppositionist_weight",
            "patron_cascade",
            "prominence_weight",
            "revolutionary_generation_weight",
        ),
        reads=("people", "cases", "policy", "calendar", "campaign"),
        writes=("cases", "calendar"),
    ),
    "halt_and_release": dict(
        mechanisms=(),
        params=("release_rate_after_halt",),
        reads=("policy", "camp"),
        writes=("cases", "camp"),
    ),
    "show_trials": dict(
        mechanisms=("M07",),
        params=(
            "trial_death_share_early",
            "trial_death_share_late",
            "trial_max_defendants",
            "trial_threat_scale",
        ),
        reads=("people", "cases", "trials_today", "held", "perception"),
        writes=("cases", "held", "queues", "trials", "camp", "convicted", "calendar"),
    ),
    "end_of_day": dict(
        mechanisms=(),
        params=(),
        reads=("named_today", "queues"),
        writes=("named_yesterday", "named_today", "trials_today", "ledger"),
    ),
}


def end_of_day(sim: Simulation, day: int) -> None:
    """Close the day: today's signals become yesterday's, and the backlogs are written."""
    sim.trials_today = []
    sim.named_yesterday, sim.named_today = sim.named_today, 0.0
    for ch, queue in enumerate(sim.inst.queues):
        sim.ledger.backlog[day, ch] = queue.weight


def _c(name: str, fn: Callable[[Simulation, int], None]) -> FunctionStep:
    return FunctionStep(name, fn, **DECLARATIONS[name])


#: The daily order of processes (docs/ODD.md, "Process overview and scheduling").
def components() -> tuple[FunctionStep, ...]:
    return (
        _c("exogenous_events", steps_policy.exogenous_events),
        _c("perception", steps_policy.perception),
        _c("policy", steps_policy.policy),
        _c("denunciation", steps_arrests.denunciation),
        _c("register_selection", steps_arrests.register_selection),
        _c("investigation", steps_justice.investigation),
        _c("sentencing", steps_justice.sentencing),
        _c("punishment", steps_justice.punishment),
        _c("quota_dynamics", steps_quota.quota_dynamics),
        _c("purge_of_elites", steps_arrests.purge_of_elites),
        _c("halt_and_release", steps_justice.halt_and_release),
        _c("show_trials", steps_trials.show_trials),
        _c("end_of_day", end_of_day),
    )


class Simulation:
    def __init__(
        self,
        scenario: Scenario,
        population: Population,
        seed: int,
        evidence: Any,
        overrides: dict[str, Any] | None = None,
    ) -> None:
        self.scenario = scenario
        self.pop = population
        self.seed = seed
        self.evidence = evidence
        self.params = scenario.parameter_values(overrides)
        self.on = scenario.switches()
        self.start = scenario.start
        self.days = (scenario.end - scenario.start).days + 1
        self.rng = Streams(seed)
        self.cases = Cases.empty(len(population))
        self.policy = Policy()
        self.is_elite = population.is_elite_layer
        self.registers = build_registers(population, self.is_elite)
        cat1, cat2 = initial_limits(population, evidence)
        n_reg = len(population.regions)
        self.inst = Institutions(
            limit_cat1=np.zeros(n_reg),
            limit_cat2=np.zeros(n_reg),
            initial_cat1=cat1,
            initial_cat2=cat2,
            used_cat1=np.zeros(n_reg),
            used_cat2=np.zeros(n_reg),
            arrested_00447=np.zeros(n_reg),
            last_request=np.full(n_reg, -10_000, dtype=np.int32),
        )
        self.ledger = Ledger(self.days, n_reg)
        self.weight_of_layer = population.weight_of_layer
        self.w_mass, self.w_elite = (float(w) for w in self.weight_of_layer)
        self.region = population["region"]
        self.events_by_day: dict[int, list] = {}
        for event in scenario.events:
            day = (event.date - self.start).days
            if 0 <= day < self.days:
                self.events_by_day.setdefault(day, []).append(event)
        self.calendar = Calendar(self.days)  # kind -> day -> people due
        trial_days = [
            d for d, evs in self.events_by_day.items() if any(e.action == "show_trial" for e in evs)
        ]
        self.last_trial_day = max(trial_days, default=-1)
        self.held = np.empty(0, dtype=np.int64)
        self.trials: list[dict[str, Any]] = []
        heads = self.registers.elite_heads  # officers are heads of their elite-layer row
        self.officers = np.bincount(
            population["region"][
                heads[
                    (population["elite"][heads] & (Elite.NKVD_OFFICER | Elite.NKVD_LEADERSHIP)) != 0
                ]
            ],
            minlength=n_reg,
        ).astype(np.float64)
        camps = [r.index for r in population.regions if r.kind == "camps"]
        # the camps' own operational departments: no staff count is sourced, so the
        # camps unit gets the mean regional capacity
        self.officers[camps] = self.officers[self.officers > 0].mean()
        initial_prisoners = np.concatenate(
            [np.flatnonzero(self.region == c) for c in camps] or [np.empty(0, dtype=np.int64)]
        )
        initial_prisoners.sort()  # np.isin over 162 million people took a second
        self.cases.status[initial_prisoners] = Status.CAMP
        self.cases.op[initial_prisoners] = OP["ordinary"]  # prisoners from before the period
        # everyone ever sent to camp; stale entries are skipped and compacted
        self.camp_roll = Queue()
        self.camp_roll.push(initial_prisoners)
        self.camp_n = len(initial_prisoners)
        self.camp_w = float(self.weights(initial_prisoners).sum())
        self.children_to_homes = 0.0  # M19: children of arrested wives, full-population equivalents
        self.inst.queues = [Queue(self.weights) for _ in CHANNELS]
        # former oppositionists start linked to the 'centre'
        mark_where(population["marks"], int(Mark.OPPOSITIONIST), self.cases.linked)
        self.trials_today: list[Any] = []
        self.eligible_key: tuple[str, ...] = ()
        self.eligible = np.empty(0, dtype=np.int32)
        self.eligible_w = np.empty(0)
        self.eligible_w_max = 0.0
        self.camps_region = camps[0] if camps else -1
        self.named_yesterday = 0.0
        self.named_today = 0.0
        self.intensity = 1.0
        self.campaign = 1.0
        # the bases of the leader's perceived cost (model/leader.py), fixed at the start
        self.elite_size = max(len(self.registers.elite_heads), 1)
        endogenous = scenario.policy == "endogenous"
        self.adult_weight = leader.adult_weight(self) if endogenous else 0.0
        self.confession_p = self.params["confession_probability"]
        self.naming_mean = self.params["names_per_confession"]
        #: the next day to simulate, 0-based
        self.day = 0
        #: the components of a day in their documented order, with their timings
        self.loop = Loop(components())

    # -- helpers shared by the steps ------------------------------------------------------
    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=day)

    def weights(self, idx: np.ndarray) -> NDArray[np.float64]:
        """Full-population equivalents of ``idx`` (mass weight, elite-layer rows 1)."""
        return np.where(self.is_elite[idx], self.w_elite, self.w_mass)

    def schedule(self, day: int, kind: str, idx: np.ndarray) -> None:
        self.calendar.add_batch(kind, np.asarray(idx, dtype=np.int64), day)

    def schedule_after(self, day: int, kind: str, idx: np.ndarray, delays: np.ndarray) -> None:
        """Schedule each person ``delays[i]`` days after ``day``.

        ``due`` returns a day's people from batches of more than 64 in the
        order scheduled, then those from smaller batches in the order
        scheduled (model/calendar.py).
        """
        if len(idx):
            self.calendar.add(kind, np.asarray(idx, dtype=np.int64), np.asarray(delays) + day)

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
        ops = self.cases.op[idx] if op is None else op
        w = self.weights(idx) if weight is None else weight
        self.ledger.add(day, self.region[idx], ops, EV[event], w)

    def arrest(self, day: int, idx: np.ndarray, op: str, allow_in_camp: bool = False) -> np.ndarray:
        """Open cases against those of ``idx`` who are at liberty; returns who was arrested."""
        if len(idx) == 0:
            return np.empty(0, dtype=np.int64)
        c, code = self.cases, OP[op]
        idx, region, weight, left, left_w = open_cases(
            np.asarray(idx, dtype=np.int64),
            c.status,
            self.region,
            self.is_elite,
            AT_LIBERTY,
            allow_in_camp,
            self.camps_region,
            S.CAMP,
            S.INVESTIGATION,
            code,
            day,
            c.op,
            c.arrest_day,
            c.sentence_day,
            c.confessed,
            c.arrests,
            self.weight_of_layer,
        )
        if len(idx) == 0:
            return idx
        self.camp_n -= left
        self.camp_w -= left_w
        self.ledger.add(day, region, code, EV["arrested"], weight)
        mean = (
            self.params["troika_investigation_days"]
            if MASS_OP[code]
            else self.params["investigation_days"]
        )
        length = self.rng.duration.geometric(1.0 / max(mean, 1.0), size=len(idx))
        self.schedule_after(day, "investigation_end", idx, length)
        if op == "kulak_00447":
            self.inst.arrested_00447 += np.bincount(
                region, weight, minlength=len(self.inst.arrested_00447)
            )
        return idx

    def _close(
        self, day: int, idx: np.ndarray, status: int, event: str, sentence_day: int = -1
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Move ``idx`` to ``status`` and count ``event``; returns their weights and who was
        in a camp before."""
        c = self.cases
        ops, region, weight, was_camp = close_cases(
            idx, status, sentence_day, S.CAMP, c.status, c.sentence_day, c.op, self.region,
            self.is_elite, self.weight_of_layer,
        )  # fmt: skip
        self.ledger.add(day, region, ops, EV[event], weight)
        return weight, was_camp

    def _leave_camp(self, weight: NDArray[np.float64], was_camp: NDArray[np.bool_]) -> None:
        if was_camp.any():
            self.camp_n -= int(np.count_nonzero(was_camp))
            self.camp_w -= float(weight[was_camp].sum())

    def camp_count(self) -> dict[str, float]:
        return {"sampled": self.camp_n, "weight": self.camp_w}

    def release(self, day: int, idx: np.ndarray) -> None:
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx):
            self._leave_camp(*self._close(day, idx, S.RELEASED, "released"))

    def die_in_custody(self, day: int, idx: np.ndarray) -> None:
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx):
            self._leave_camp(*self._close(day, idx, S.DIED_IN_CUSTODY, "died_in_custody"))

    def sentence(self, day: int, idx: np.ndarray, kind: str) -> None:
        """Pass sentence: ``death``, ``camp`` or ``exile``."""
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx) == 0:
            return
        if kind == "death":
            self._close(day, idx, S.SENTENCED_DEATH, "convicted_cat1", day)
            # at least the next day: a verdict passed after step 8 must still be carried out
            delay = self.rng.execution.geometric(
                1.0 / max(self.params["execution_delay"], 1.0), size=len(idx)
            )
            self.schedule_after(day, "execute", idx, delay)
        elif kind == "camp":
            weight, _ = self._close(day, idx, S.CAMP, "convicted_camp", day)
            self.camp_roll.push(idx)
            self.camp_n += len(idx)
            self.camp_w += float(weight.sum())
        elif kind == "exile":
            self._close(day, idx, S.EXILE, "convicted_exile", day)
        else:
            raise ValueError(f"unknown sentence {kind!r}")
        if self.policy.families_order and kind != "exile":
            self._families(day, idx[self.cases.op[idx] == ELITE_OP])

    def _families(self, day: int, convicted: np.ndarray) -> None:
        """M19 (Order 00486): wives of convicted 'traitors' are arrested (model/families.py);
        their children are counted as placed in children's homes, never arrested."""
        if len(convicted) == 0:
            return
        rng = self.rng.family
        pop = self.pop
        wives, children = wives_of(pop.households, pop["household"], pop["age"], pop["male"],
                                   convicted)  # fmt: skip
        taken = rng.random(len(wives)) < self.params["family_arrest"]
        wives, children = wives[taken], children[taken]
        self.children_to_homes += float((children * self.weights(wives)).sum())
        self.schedule_after(day + 1, "family", wives, rng.integers(0, 30, size=len(wives)))

    def channel_for(self, idx: np.ndarray) -> NDArray[np.intp]:
        """The sentencing channel of each case, by operation and person (model/channels.py)."""
        pol = self.policy
        table = channel_table(
            not pol.halted and bool(self.on["legal_acceleration"]),
            pol.special_troikas,
            pol.album_open,
        )
        return channels_of(
            np.asarray(idx, dtype=np.int64), self.cases.op, self.pop["marks"], self.is_elite, table
        )

    # -- the run ------------------------------------------------------------------------
    def step(self) -> None:
        """Simulate one day (``self.day``), including its end-of-day bookkeeping."""
        if self.day >= self.days:
            raise RuntimeError(
                f"the simulation has reached its end ({self.date(self.days - 1)}); "
                "nothing is left to step"
            )
        self.loop.run_day(self, self, self.day)
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
        loop, day = self.loop, self.day
        while day < stop:
            loop.run_day(self, self, day)
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
