"""The leader's decision rule: the endogenous mode of the policy step (MISSION process 3).

In a scripted scenario the centre's decisions are dated events taken from
the evidence base. In an endogenous one (``policy = "endogenous"``) this
rule takes them instead, from what the leader perceives each day:

- perceived threat (M01, M03), raised by "uncovered conspiracies" and by
  foreign crises;
- perceived cost of repression to the economy and the army (M22), raised by
  arrests in the elite and in the population at large;
- the expectation of war, raised by foreign crises (M22).

Each threshold is a parameter with a stated prior (``greatterror params``).
The rule moves one way only: what has been launched stays launched until
the halt, and a halted campaign is not relaunched, because the record holds
no relaunch to fit such a decision to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from greatterror.model.state import CH, EV, OP, OPERATIONS

if TYPE_CHECKING:
    from greatterror.model.sim import Simulation

#: The NKVD chiefs in the order they served.
CHIEFS = ("yagoda", "yezhov", "beria")
NATIONAL_OPERATIONS = tuple(name for name in OPERATIONS if name.startswith("national_"))


def perceive_cost(sim: Simulation, day: int) -> None:
    """Add yesterday's arrests to the leader's perceived cost of repression.

    Two shares add up: of the elite layer (managers, commanders, officials:
    the cost to the army and to running the economy) and of the adult
    population (the cost in labour). Both are scale-free, so the thresholds
    mean the same at every scale.
    """
    if day == 0:
        return
    arrested = sim.ledger.day_totals(day - 1, EV["arrested"])
    elite = float(arrested[OP["elite"]])
    sim.inst.cost += elite / sim.elite_size + float(arrested.sum()) / sim.adult_weight


def decide(sim: Simulation, day: int) -> list[tuple[str, str | None]]:
    """Today's decisions, in the order they are taken: (action, operation or chief)."""
    p, pol, inst = sim.params, sim.policy, sim.inst
    threat, war = inst.threat, inst.war
    out: list[tuple[str, str | None]] = []
    if pol.halted:
        if not pol.releases and day - pol.halt_day >= p["leader_release_delay"]:
            out.append(("releases", None))
        return out
    if (
        pol.doctrine == "contain"
        and pol.chief == "yagoda"
        and threat >= p["leader_expand_threshold"]
    ):
        out.append(("chief_change", "yezhov"))
    if not pol.physical_methods and threat >= p["leader_methods_threshold"]:
        out.append(("physical_methods", None))
    if pol.mass_launched_day < 0 and threat >= p["leader_mass_threshold"]:
        out += [("set_limits", None), ("launch_operation", "kulak_00447"), ("families_order", None)]
    pending = [op for op in NATIONAL_OPERATIONS if op not in pol.operations]
    if pending and threat * (1.0 + war) >= p["leader_national_threshold"]:
        if not pol.album_open:
            out.append(("album_procedure", None))
        out += [("launch_operation", op) for op in pending]
    if pol.album_open and not pol.special_troikas:
        backlog = inst.queues[CH["album"]].weight
        if backlog >= p["leader_backlog_days"] * p["album_capacity"]:
            out.append(("special_troikas", None))
    running = (
        pol.mass_launched_day >= 0 and day - pol.mass_launched_day >= p["leader_min_operation_days"]
    )
    if running and p["leader_cost_weight"] * inst.cost * (1.0 + war) >= threat:
        out.append(("halt", None))
        # the halt blames the NKVD: its chief goes, and the last of the three comes in
        if pol.chief != CHIEFS[-1]:
            out.append(("chief_change", CHIEFS[-1]))
    return out


def adult_weight(sim: Simulation) -> float:
    """Adults (16 and over) in full-population equivalents: the base of the labour cost."""
    adults = sim.pop["age"] >= 1
    return float(
        np.bincount(sim.is_elite[adults].view(np.uint8), minlength=2) @ sim.weight_of_layer
    )
