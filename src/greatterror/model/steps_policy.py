"""Steps 1, 4 and 7: exogenous events, the leadership's perception, and policy.

The centre's decisions (``apply_decision``) are carried out the same way
whether a scripted event or the leader's rule takes them, so both
components that take decisions declare the mechanisms a decision reads
(``DECISION_MECHANISMS``).
"""

from __future__ import annotations

import numpy as np

from greatterror.model import centre_reading, leader, leader_plan
from greatterror.model.collegium import close_case_building, open_case_building
from greatterror.model.dated_answers import goes_on_after, record_dated, record_ends
from greatterror.model.engine import Engine
from greatterror.model.limits import regions_of, rows_of
from greatterror.model.loop import Component
from greatterror.model.quota_requests import (
    answer_with_dated_increase,
    close_requests,
    log_increase,
)
from greatterror.model.scenario import POLICY_ACTIONS, Event
from greatterror.model.steps_cadres import purge_nkvd
from greatterror.model.steps_halt import review_pending
from greatterror.model.world import World

#: The mechanisms a decision of the centre reads (chief's doctrine, operations, the
#: purge of the purgers, the halt).
DECISION_MECHANISMS = ("M08", "M16", "M17", "M18", "M21", "M22")
DECISION_PARAMS = (
    "halt_review_days",
    # the halt's suspended elite investigations (steps_halt.suspend_investigations)
    "post_halt_investigation_days",
    "purge_of_purgers",
    "purge_of_purgers_after_halt",
    "purge_of_purgers_days",
    "purge_of_purgers_delay",
    "purge_of_purgers_leadership",
)
#: Who takes a decision in an endogenous scenario: the leader's rule, from his perceptions, or
#: in its plan mode from the centre's own plan (model/leader_plan.py)
RULE = ("leader_rule", "leader_plan")
DECISION_READS = ("people", "registers", "policy", "institutions", "cases")
DECISION_WRITES = ("policy", "institutions", "cases", "camps")


def _decay(half_life: float) -> float:
    return float(0.5 ** (1.0 / max(half_life, 1e-9)))


class ExogenousEvents(Component):
    """Step 1 (M01, M04, M09): apply the scenario's events dated today."""

    name = "exogenous_events"
    mechanisms = ("M01", "M04", "M09", *DECISION_MECHANISMS)
    params = ("threat_per_crisis", "vigilance_per_trial", *DECISION_PARAMS)
    reads = DECISION_READS
    writes = (*DECISION_WRITES, "trials_today")

    def step(self, w: World, e: Engine, day: int) -> None:
        inst = w.institutions
        for event in e.events_by_day.get(day, []):
            if self.on(e, "M09"):
                inst.vigilance += e.params["vigilance_per_trial"] * event.vigilance
            # after the halt only the purge of the NKVD itself can still be opened
            opens = set(event.opens) & {"nkvd"} if w.policy.halted else set(event.opens)
            w.policy.elite_groups.update(opens)
            if event.action == "kirov_murder":
                if self.on(e, "M04"):
                    w.policy.elite_groups.add("opposition")
            elif event.action == "foreign_crisis":
                inst.war += event.tension
                if self.on(e, "M01"):
                    inst.threat += e.params["threat_per_crisis"] * event.tension
            elif event.action == "show_trial":
                w.signals.trials_today.append(event)
            elif event.action == "plenum":
                # the February-March 1937 plenum ended the building of the conspiracy cases
                close_case_building(inst)
            elif event.action == "expulsions_review":
                # the January 1938 plenum on errors in expulsions: reviews and reinstatement
                w.policy.reinstatement = True
            elif event.action == "army_review_commission":
                # Shchadenko's commission on dismissed commanders' complaints (August 1938)
                w.policy.army_review = True
            elif event.action in POLICY_ACTIONS:
                apply_decision(self, w, e, day, event.action, event, by="scenario")


def apply_decision(
    comp: Component,
    w: World,
    e: Engine,
    day: int,
    action: str,
    event: Event | None = None,
    by: str = "scenario",
) -> None:
    """Carry out one decision of the centre, scripted or taken by the leader's rule.

    ``comp`` is the component taking it, which declares ``DECISION_MECHANISMS``.
    The families order is recorded here; its mechanism (M19) acts in the families step.
    """
    pol, inst = w.policy, w.institutions
    operation = event.operation if event is not None else None
    chief = event.chief if event is not None else None
    pol.first_day.setdefault((action, operation or chief), day)
    _log(w, e, day, action, event, by)
    if action == "chief_change":
        previous, pol.chief = pol.chief, chief or pol.chief
        pol.doctrine = "expand" if (pol.chief == "yezhov" and comp.on(e, "M08")) else "contain"
        if comp.on(e, "M21") and previous != pol.chief:
            purge_nkvd(w, e, day)
        if pol.doctrine == "expand" and previous != pol.chief:
            # the new chief's doctrine (M08): the conspiracies of 1937 are built from the
            # elite cases opened now, to the next plenum (model/collegium.py)
            open_case_building(inst)
        elif pol.doctrine == "contain":
            # a chief without the doctrine builds no conspiracy: in a run where no plenum
            # follows the appointment (the leader's rule may appoint late), this ends it
            close_case_building(inst)
        if by in RULE and pol.chief == "yezhov":
            # the scripted scenario opens the party purge at the February-March plenum of
            # 1937 (``open_purge``, G12-11) and dates the execution lists eight days after the
            # appointment (G12-08), and opens the register of former oppositionists with the
            # closed letter of 29 July 1936 (``closed_letter``); under the rule the
            # appointment brings all three
            pol.elite_groups.add("party")
            pol.execution_lists = True
            pol.opposition_register = True
    elif action == "physical_methods":
        pol.physical_methods = True
    elif action == "set_limits":
        if by == "leader_plan":
            # the plan's own limits, shares of each region's register (model/leader_plan.py)
            inst.initial_cat1[:], inst.initial_cat2[:] = leader_plan.register_limits(w, e)
        inst.limit_cat1[:] = inst.initial_cat1
        inst.limit_cat2[:] = inst.initial_cat2
    elif action == "launch_operation" and operation:
        # Order 00447 runs with or without central limits (M16 off: no ceiling, the
        # regions' own targets, model/steps_quota.py); the national operations need M18
        if operation != "kulak_00447" and not comp.on(e, "M18"):
            return
        pol.operations.add(operation)
    elif action == "extend_operation" and operation:
        # a new planned term from today: the centre's stance on requests (steps_quota.py)
        pol.extended[operation] = day
    elif action == "end_operation" and operation:
        _end_operation(w, e, day, operation, event)
    elif action == "limit_increase" and event is not None:
        # without central limits (M16 off) there is no central decision to raise them
        if comp.on(e, "M16"):
            _increase_limits(w, e, day, event)
    elif action == "album_procedure":
        pol.album_open = True
    elif action == "special_troikas":
        pol.special_troikas = True
    elif action == "families_order":
        pol.families_order = True
    elif action == "families_order_narrowed":
        pol.families_narrowed = True  # model/families.py
    elif action == "open_purge":
        # the groups it opens (``Event.opens``) were opened with the day's events (step 1)
        pass
    elif action == "execution_lists":
        pol.execution_lists = True  # model/collegium.py
    elif action == "closed_letter":
        # the CC's closed letter of 29 July 1936 on the 'Trotskyist-Zinovievist bloc': the
        # former oppositionists on the NKVD's register are arrested, not only the prominent
        # (model/opposition_register.py); its campaign is the event's vigilance (step 1). It
        # opens the opposition group too, where no Kirov murder has (counterfactuals/no_kirov)
        pol.opposition_register = True
        if not pol.halted:
            pol.elite_groups.add("opposition")
    elif action == "halt":
        if not comp.on(e, "M22"):
            return
        _halt(w, e, day, extrajudicial=comp.on(e, "M17"))
    elif action == "releases":
        if not comp.on(e, "M22"):
            return
        pol.releases = True


def _end_operation(w: World, e: Engine, day: int, operation: str, event: Event | None) -> None:
    """The operation's dated end (the Politburo's decisions of 1938, G12-24a, G12-24b, G12-36).

    A national operation stops arresting; the cases it has opened stay with the
    album procedure, and later with the special troikas. Order 00447 ends region by
    region: with ``except_later_increases`` it goes on only where the centre raised
    the region's limit by a dated decision after the end date and before the order's next
    end in the record (the evidence base's only trace of where the troikas still worked;
    ``dated_answers.goes_on_after``), otherwise it ends everywhere. A region where it has
    ended makes no further request and gets no increase after the fact
    (model/steps_quota.py); sentences already passed stand.
    """
    pol, inst = w.policy, w.institutions
    if operation != "kulak_00447":
        pol.operations.discard(operation)
        return
    ending = np.ones(len(inst.op_closed), dtype=bool)
    if event is not None and event.except_later_increases:
        ending &= ~goes_on_after(record_dated(w, e), day, record_ends(e))
    inst.op_closed |= ending
    close_requests(inst, np.flatnonzero(ending))
    if inst.op_closed.all():
        pol.operations.discard(operation)


def _log(w: World, e: Engine, day: int, action: str, event: Event | None, by: str) -> None:
    """One row of the policy log: the decision, who took it, the leader's perceptions."""
    inst = w.institutions
    detail = None
    if event is not None:
        detail = event.operation or event.chief
        if action == "limit_increase":
            detail = event.evidence
    w.policy.log.append(
        {
            "date": e.date(day).isoformat(),
            "action": action,
            "detail": detail,
            "by": by,
            "threat": round(inst.threat, 6),
            "cost": round(inst.cost, 6) if e.scenario.policy == "endogenous" else None,
            "war": round(inst.war, 6),
        }
    )


def _increase_limits(w: World, e: Engine, day: int, event: Event) -> None:
    """The dated increases of limits in the evidence base (Politburo decisions of 1938, and
    earlier increases known from secondary sources).

    The figures come from ``limit_increases.csv`` rows citing the event's
    fact; an increase given only as a total is split like regional requests, by the share
    of category 1 in the increases whose split the evidence gives
    (``limits.increase_cat1_share``).
    A dated decision answers the region's pending request: what its troika had
    already sentenced on ahead of the sanction is sanctioned by it, so the
    provisional increase gives way to the dated one (model/steps_quota.py).
    """
    for row in rows_of(event, e.evidence.increases):
        cat1, cat2 = row.cat1, row.cat2
        if cat1 is None and cat2 is None and row.total is not None:
            cat1 = row.total * e.increase_cat1_share
            cat2 = row.total - cat1
        # a category the source does not give (blank, not 0) leaves the increase's
        # composition unknown: the troika keeps the composition it had (model/troika.py)
        known = cat1 is not None and cat2 is not None
        _add_limits(w, e, day, row.region_code, float(cat1 or 0), float(cat2 or 0), known)


def _add_limits(
    w: World, e: Engine, day: int, code: str | None, cat1: float, cat2: float, known: bool = True
) -> None:
    """Add to a region's limits, or spread a republic's over its regions by population.

    With ``known`` the increase's composition becomes the one its troika sentences in once
    its limits are used up (``Institutions.asked_share``); without it (one category not
    given by the source) that composition stays the region's earlier one."""
    inst, regions = w.institutions, w.people.regions
    targets = regions_of(regions, code)
    if not targets:
        return
    pops = np.array([regions[i].population for i in targets])
    for i, share in zip(targets, pops / pops.sum(), strict=True):
        after_fact = answer_with_dated_increase(inst, i)
        inst.limit_cat1[i] += cat1 * share
        inst.limit_cat2[i] += cat2 * share
        if known and cat1 + cat2 > 0:
            # its troika sentences in these proportions once its limits are used up
            inst.asked_share[i] = cat1 / (cat1 + cat2)
        log_increase(
            inst, e.date(day), regions[i].code, cat1 * share, cat2 * share, "dated", after_fact
        )


def _halt(w: World, e: Engine, day: int, extrajudicial: bool) -> None:
    """M22: mass operations stop; the cases pending at the halt (queued before the troikas and the
    album, under investigation in a mass operation, or sentenced to death by the extrajudicial
    bodies and not yet shot) are reviewed over the next ``halt_review_days`` days
    (``steps_halt.review_pending``, ``steps_halt.HaltReview``), not on one day."""
    pol = w.policy
    pol.halted = True
    pol.operations.clear()
    pol.elite_groups.intersection_update({"nkvd"})
    review_pending(w, e, day, extrajudicial)


class Perception(Component):
    """Step 4 (M01, M03): threat and vigilance decay; uncovered 'conspiracies' raise
    perceived threat, through the centre's desk where the scenario says so
    (``centre_reading``); today's arrest intensity and campaign factor follow (after the
    halt the post-halt regime, ``steps_post_halt.PostHaltRegime``, sets the intensity)."""

    name = "perception"
    mechanisms = ("M01", "M03")
    params = tuple(
        sorted({"cost_half_life", "vigilance_half_life", "war_half_life", *centre_reading.PARAMS})
    )
    reads = ("institutions", "policy", "named_yesterday")
    writes = ("institutions", "intensity", "campaign")

    #: the run whose daily factors ``_factors`` holds (``factors``)
    _factors_of: Engine | None = None
    _factors: tuple[float, float, float, float, bool, bool] = (1.0, 1.0, 1.0, 1.0, False, False)

    def factors(self, e: Engine) -> tuple[float, float, float, float, bool, bool]:
        """The day's decay of vigilance, threat, war and cost, whether the centre reads
        through its desk, and whether the scenario's policy is endogenous: the same every day
        of a run (parameters and scenario), so computed once a run, not 8 calls a day."""
        if self._factors_of is not e:
            p = e.params
            self._factors = (
                _decay(p["vigilance_half_life"]),
                _decay(p["threat_half_life"]),
                _decay(p["war_half_life"]),
                _decay(p["cost_half_life"]),
                centre_reading.through_desk(e),
                e.scenario.policy == "endogenous",
            )
            self._factors_of = e
        return self._factors

    def step(self, w: World, e: Engine, day: int) -> None:
        inst, p = w.institutions, e.params
        vigilance, threat, war, cost, desk, endogenous = self.factors(e)
        inst.vigilance *= vigilance
        named = w.signals.named_yesterday if self.on(e, "M01") else 0.0
        if desk:
            # the centre reads the reports of enemies through a desk of finite size
            centre_reading.read_reports(inst, p, threat, named)
        else:
            inst.threat *= threat
            inst.threat += p["threat_per_conspiracy"] * named
        inst.war *= war
        inst.cost *= cost
        if endogenous:
            # only the leader's rule reads it; reading the ledger daily would cost every run
            leader.perceive_cost(w, e, day)
        # M03: the NKVD's own arrest rate follows perceived threat; M09: campaigns of
        # vigilance act on society (denunciations) and on the hunt for the elite
        factor = 1.0 + inst.threat if self.on(e, "M03") else 1.0
        w.levers.intensity = factor
        w.levers.campaign = factor * (1.0 + inst.vigilance)


class Policy(Component):
    """Step 7 (M05, M06, M08): in an endogenous scenario the leader decides; then the
    levers follow the policy: today's confession probability and naming mean."""

    name = "policy"
    # the leader's rule takes no dated limit increase, the only decision that reads M16
    mechanisms = tuple(sorted({"M05", "M06", *DECISION_MECHANISMS} - {"M16"}))
    params = (
        "confession_probability",
        "confession_with_methods",
        "names_per_confession",
        "yezhov_naming_multiplier",
        *leader.PARAMS,
        *leader_plan.PARAMS,
        *DECISION_PARAMS,
    )
    reads = DECISION_READS
    writes = (*DECISION_WRITES, "confession_p", "naming_mean")

    def step(self, w: World, e: Engine, day: int) -> None:
        p, pol = e.params, w.policy
        if e.scenario.policy == "endogenous":
            by = RULE[1] if leader_plan.planned(p) else RULE[0]
            for action, detail in leader.decide(w, e, day, curtailment=self.on(e, "M22")):
                chosen = Event(
                    date=e.date(day),
                    action=action,
                    evidence=by,
                    operation=detail if action == "launch_operation" else None,
                    chief=detail if action == "chief_change" else None,  # type: ignore[arg-type]
                )
                apply_decision(self, w, e, day, action, chosen, by=by)
        confess = (
            p["confession_with_methods"]
            if (pol.physical_methods and self.on(e, "M06"))
            else p["confession_probability"]
        )
        w.levers.confession_p = confess
        naming = p["names_per_confession"] if self.on(e, "M05") else 0.0
        if pol.doctrine == "expand":
            naming *= p["yezhov_naming_multiplier"]
        w.levers.naming_mean = naming
