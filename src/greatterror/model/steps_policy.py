"""Steps 1-3: exogenous events, the leadership's perception, and policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from greatterror.model import leader
from greatterror.model.scenario import POLICY_ACTIONS, Event
from greatterror.model.state import CH, Status
from greatterror.population.codes import Elite

if TYPE_CHECKING:
    from greatterror.model.sim import Simulation

NKVD_FLAGS = int(Elite.NKVD_OFFICER | Elite.NKVD_LEADERSHIP)


def _decay(half_life: float) -> float:
    return float(0.5 ** (1.0 / max(half_life, 1e-9)))


def exogenous_events(sim: Simulation, day: int) -> None:
    """Step 1: apply the scenario's events dated today."""
    inst, on = sim.inst, sim.on
    for event in sim.events_by_day.get(day, []):
        if on["vigilance_campaigns"]:
            inst.vigilance += sim.params["vigilance_per_trial"] * event.vigilance
        # after the halt only the purge of the NKVD itself can still be opened
        opens = set(event.opens) & {"nkvd"} if sim.policy.halted else set(event.opens)
        sim.policy.elite_groups.update(opens)
        if event.action == "kirov_murder":
            if on["kirov_trigger"]:
                sim.policy.elite_groups.add("opposition")
        elif event.action == "foreign_crisis":
            inst.war += event.tension
            if on["threat_perception"]:
                inst.threat += sim.params["threat_per_crisis"] * event.tension
        elif event.action == "show_trial":
            sim.trials_today.append(event)
        elif event.action in POLICY_ACTIONS:
            apply_decision(sim, day, event.action, event, by="scenario")


def apply_decision(
    sim: Simulation, day: int, action: str, event: Event | None = None, by: str = "scenario"
) -> None:
    """Carry out one decision of the centre, scripted or taken by the leader's rule."""
    pol, inst, on = sim.policy, sim.inst, sim.on
    operation = event.operation if event is not None else None
    chief = event.chief if event is not None else None
    pol.first_day.setdefault((action, operation or chief), day)
    _log(sim, day, action, event, by)
    if action == "chief_change":
        previous, pol.chief = pol.chief, chief or pol.chief
        pol.doctrine = "expand" if (pol.chief == "yezhov" and on["chief_doctrine"]) else "contain"
        if on["purge_of_purgers"] and previous != pol.chief:
            _purge_nkvd(sim, day)
        if by == "leader_rule" and pol.chief == "yezhov":
            # the scripted Yezhov appointment carries the opening of the party purge
            # (historical.toml); under the rule the appointment brings it
            pol.elite_groups.add("party")
    elif action == "physical_methods":
        pol.physical_methods = True
    elif action == "set_limits":
        inst.limit_cat1[:] = inst.initial_cat1
        inst.limit_cat2[:] = inst.initial_cat2
    elif action == "launch_operation" and operation:
        enabled = (
            on["limits_and_throughput"] if operation == "kulak_00447" else on["national_operations"]
        )
        if not enabled:
            return
        pol.operations.add(operation)
    elif action == "limit_increase" and event is not None:
        _increase_limits(sim, event)
    elif action == "album_procedure":
        pol.album_open = True
    elif action == "special_troikas":
        pol.special_troikas = True
    elif action == "families_order":
        pol.families_order = on["family_targets"]
    elif action == "halt":
        if not on["curtailment"]:
            return
        _halt(sim, day)
    elif action == "releases":
        if not on["curtailment"]:
            return
        pol.releases = True


def _log(sim: Simulation, day: int, action: str, event: Event | None, by: str) -> None:
    """One row of the policy log: the decision, who took it, the leader's perceptions."""
    inst = sim.inst
    detail = None
    if event is not None:
        detail = event.operation or event.chief
        if action == "limit_increase":
            detail = event.evidence
    sim.policy.log.append(
        {
            "date": sim.date(day).isoformat(),
            "action": action,
            "detail": detail,
            "by": by,
            "threat": round(inst.threat, 6),
            "cost": round(inst.cost, 6) if sim.scenario.policy == "endogenous" else None,
            "war": round(inst.war, 6),
        }
    )


def _purge_nkvd(sim: Simulation, day: int) -> None:
    """M21: after a change of chief a share of the officer corps is arrested over months."""
    heads = sim.registers.elite_heads
    officers = heads[(sim.pop["elite"][heads] & NKVD_FLAGS) != 0]
    rng = sim.rng.purge
    chosen = officers[rng.random(len(officers)) < sim.params["purge_of_purgers"]]
    sim.schedule_after(
        day + 1, "arrest_elite", chosen.astype(np.int64), rng.integers(0, 180, size=len(chosen))
    )


def _increase_limits(sim: Simulation, event) -> None:
    """The dated increases of limits in the evidence base (Politburo decisions of 1938).

    The figures come from ``limit_increases.csv`` rows citing the event's
    fact; an increase given only as a total is split like regional requests.
    """
    for row in sim.evidence.increases:
        if row.fact_id != event.evidence or (event.region and row.region_code != event.region):
            continue
        cat1, cat2 = row.cat1, row.cat2
        if cat1 is None and cat2 is None and row.total is not None:
            cat1 = row.total * sim.params["request_cat1_share"]
            cat2 = row.total - cat1
        _add_limits(sim, row.region_code, float(cat1 or 0), float(cat2 or 0))


def _add_limits(sim: Simulation, code: str | None, cat1: float, cat2: float) -> None:
    """Add to a region's limits, or spread a republic's over its regions by population."""
    inst, regions = sim.inst, sim.pop.regions
    targets = [r.index for r in regions if code in (r.code, r.republic)]
    if not targets:
        return
    pops = np.array([regions[i].population for i in targets])
    for i, share in zip(targets, pops / pops.sum(), strict=True):
        inst.limit_cat1[i] += cat1 * share
        inst.limit_cat2[i] += cat2 * share


def _halt(sim: Simulation, day: int) -> None:
    """M22: mass operations stop; pending troika and album cases are released or sent to court."""
    pol = sim.policy
    pol.halted = True
    pol.operations.clear()
    pol.elite_groups.intersection_update({"nkvd"})
    rng = sim.rng.release
    for name in ("troika", "album", "special_troika"):
        pending = sim.inst.queues[CH[name]].clear()
        pending = pending[sim.cases.status[pending] == Status.AWAITING_SENTENCE]
        freed = rng.random(len(pending)) < sim.params["halt_release_share"]
        sim.release(day, pending[freed])
        sim.inst.queues[CH["courts"]].push(pending[~freed])


def perception(sim: Simulation, day: int) -> None:
    """Step 2: threat and vigilance decay; uncovered 'conspiracies' raise perceived threat."""
    inst, p = sim.inst, sim.params
    inst.vigilance *= _decay(p["vigilance_half_life"])
    inst.threat *= _decay(p["threat_half_life"])
    inst.war *= _decay(p["war_half_life"])
    inst.cost *= _decay(p["cost_half_life"])
    if sim.scenario.policy == "endogenous":
        # only the leader's rule reads it; reading the ledger daily would cost every run
        leader.perceive_cost(sim, day)
    if sim.on["threat_perception"]:
        inst.threat += p["threat_per_conspiracy"] * sim.named_yesterday
    # M03: the NKVD's own arrest rate follows perceived threat; M09: campaigns of
    # vigilance act on society (denunciations) and on the hunt for the elite
    factor = 1.0 + inst.threat if sim.on["threat_scaled_arrests"] else 1.0
    if sim.policy.halted and sim.on["curtailment"]:
        factor *= p["post_halt_restraint"]
    sim.intensity = factor
    sim.campaign = factor * (1.0 + inst.vigilance)


def policy(sim: Simulation, day: int) -> None:
    """Step 3: in an endogenous scenario the leader decides; then the levers follow the policy."""
    p, pol = sim.params, sim.policy
    if sim.scenario.policy == "endogenous":
        for action, detail in leader.decide(sim, day):
            chosen = Event(
                date=sim.date(day),
                action=action,
                evidence="leader_rule",
                operation=detail if action == "launch_operation" else None,
                chief=detail if action == "chief_change" else None,  # type: ignore[arg-type]
            )
            apply_decision(sim, day, action, chosen, by="leader_rule")
    confess = (
        p["confession_with_methods"]
        if (pol.physical_methods and sim.on["coerced_confession"])
        else p["confession_probability"]
    )
    sim.confession_p = confess
    naming = p["names_per_confession"] if sim.on["snowball_naming"] else 0.0
    if pol.doctrine == "expand":
        naming *= p["yezhov_naming_multiplier"]
    sim.naming_mean = naming
