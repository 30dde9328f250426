"""The leader's decision rule: the endogenous mode of the policy step (MISSION process 3).

In a scripted scenario the centre's decisions are dated events taken from
the evidence base. In an endogenous one (``policy = "endogenous"``) this
rule takes them instead, from what the leader perceives each day:

- perceived threat (M01, M03), raised by "uncovered conspiracies" and by
  foreign crises;
- perceived cost of repression to the economy and the army (M22): the cadres and the
  workforce the arrests have taken and not given back, perceived with a lag;
- the expectation of war, raised by foreign crises (M22).

Each threshold is a parameter with a stated prior (``greatterror params``).
With ``centre_plan`` on (H1e) the same decisions are taken on the days of the centre's own
plan instead of at these thresholds (model/leader_plan.py, ``Due``): the rule then stands
for a centre that plans rather than one that reacts.
With ``regions_start_operation`` on (H3, H4) the rule neither launches Order 00447 nor
sets the appendix's limits: the regions' chiefs start it (model/regional_start.py).
The rule moves one way only: what has been launched stays launched until
the halt, and a halted campaign is not relaunched, because the record holds
no relaunch to fit such a decision to.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from greatterror.model import leader_plan
from greatterror.model.engine import Engine
from greatterror.model.operation_term import from_below
from greatterror.model.world import World
from greatterror.population.people import Population
from greatterror.vocabulary import CH, EV, NATIONAL_OPERATIONS, OP, OPERATIONS

#: The NKVD chiefs in the order they served.
CHIEFS = ("yagoda", "yezhov", "beria")


#: The parameters of the rule (read by the policy component).
PARAMS = (
    "album_capacity",
    "album_dvoika_ceiling",
    "leader_backlog_days",
    "leader_cost_weight",
    "leader_expand_threshold",
    "leader_mass_threshold",
    "leader_methods_threshold",
    "leader_min_operation_days",
    "leader_national_threshold",
    "leader_release_delay",
    "regions_start_operation",
)


def perceive_cost(w: World, e: Engine, day: int) -> None:
    """Move the leader's perceived cost of repression towards the damage done so far (M22).

    The damage is what the arrests have taken from the economy and the army and not given
    back: the people arrested and not released, counted from the start of the run
    (``lost_cadres``, ``lost_workforce``). Two shares add up (``damage``): those lost from
    the elite operation (elite-layer members, their patronage clients and NKVD officers: the
    army's and the economy's cadres) per head of the elite layer, and those lost of every
    kind per adult (the labour lost). Both are scale-free, so the thresholds mean the same at
    every scale. The perception lags the damage: the perception step has already decayed
    yesterday's perceived cost by ``cost_half_life`` (steps_policy.Perception), and this adds
    the same fraction of today's damage, so the perceived cost approaches the damage with that
    half-life. Only endogenous runs read it.

    Why a stock: Harris puts the curtailment in what mass arrests were doing to the economy
    and the military (F003:87), and a cadre arrested stays lost while he is held or dead.
    Until 5 December 2026 (branch hyp36) the perceived cost added each day's arrests and
    forgot them with the half-life, as if the arrested came back: it was bounded by the
    arrest rate times the half-life (at the NKVD's capacity, model/nkvd_capacity.py, about
    0.02 for the labour share), so a loop running at capacity could never be halted by it.
    """
    if day == 0:
        return
    inst = w.institutions
    lost = _lost(e, day - 1)
    inst.lost_cadres += float(lost[OP["elite"]])
    inst.lost_workforce += float(lost.sum())
    keep = 0.5 ** (1.0 / max(float(e.params["cost_half_life"]), 1e-9))
    inst.cost += (1.0 - keep) * damage(inst)


def _lost(e: Engine, day: int) -> Any:
    """By operation, the people taken from work on ``day``: arrested, less those who left
    custody (released, or convicted to a measure without custody)."""
    gone = e.ledger.day_totals(day, EV["arrested"])
    back = e.ledger.day_totals(day, EV["released"]) + e.ledger.day_totals(
        day, EV["convicted_other"]
    )
    return gone - back


def damage(inst: Any) -> float:
    """The damage the leader weighs (M22): the cadres lost per head of the elite layer plus
    the people lost per adult (``perceive_cost``), never below nought."""
    cadres = max(inst.lost_cadres, 0.0) / inst.elite_size
    return cadres + max(inst.lost_workforce, 0.0) / inst.adult_weight


def decide(w: World, e: Engine, day: int, curtailment: bool) -> list[tuple[str, str | None]]:
    """Today's decisions, in the order they are taken: (action, operation or chief).

    What has been decided is read from ``policy.first_day``, not from the
    policy's effects, so that a decision whose mechanism is switched off is
    still taken once (and logged once) rather than retried every day. ``curtailment``:
    whether the halt (M22) is switched on. Which decisions are due comes from perceived
    threat, cost and war (``_perceived``), or, with ``centre_plan`` on, from the centre's
    own plan (model/leader_plan.py); either way they are taken here, the same way.
    """
    p, pol, inst = e.params, w.policy, w.institutions
    done = pol.first_day
    out: list[tuple[str, str | None]] = []
    if ("halt", None) in done:
        halted = day - done[("halt", None)]
        _near(inst, ["releases"], halted, p["leader_release_delay"])
        if ("releases", None) not in done and halted >= p["leader_release_delay"]:
            out.append(("releases", None))
        return out
    # any operation counts: national operations launched alone must be halted too
    launches = [d for op in OPERATIONS if (d := pol.launch_day(op)) is not None]
    first = min(launches) if launches else None
    if leader_plan.planned(p):
        due = leader_plan.due(p, e.start, day, launched=first is not None)
    else:
        due = _perceived(inst, p, day, first, curtailment)
    if ("chief_change", "yezhov") not in done and due.expand:
        out.append(("chief_change", "yezhov"))
    if ("physical_methods", None) not in done and due.methods:
        out.append(("physical_methods", None))
    below = from_below(p)
    if below and ("families_order", None) not in done and due.mass:
        # the regions start Order 00447 themselves (model/regional_start.py); the centre
        # still orders the arrest of the families of traitors (Order 00486)
        out.append(("families_order", None))
    launch = not below and pol.launch_day("kulak_00447") is None
    if launch and due.mass:
        out += [("set_limits", None), ("launch_operation", "kulak_00447"), ("families_order", None)]
    pending = [op for op in NATIONAL_OPERATIONS if pol.launch_day(op) is None]
    if pending and due.national:
        if ("album_procedure", None) not in done:
            out.append(("album_procedure", None))
        out += [("launch_operation", op) for op in pending]
    album = ("album_procedure", None) in done and ("special_troikas", None) not in done
    if album:
        _near(inst, ["special_troikas"], inst.queues[CH["album"]].weight, backlog_threshold(p))
    if album and inst.queues[CH["album"]].weight >= backlog_threshold(p):
        out.append(("special_troikas", None))
    if curtailment and due.halt:
        out.append(("halt", None))
        # the halt blames the NKVD: its chief goes, and the last of the three comes in
        if pol.chief != CHIEFS[-1]:
            out.append(("chief_change", CHIEFS[-1]))
    return out


def _perceived(
    inst: Any, p: dict[str, Any], day: int, first: int | None, curtailment: bool
) -> leader_plan.Due:
    """The decisions due by the leader's perceptions: each when its signal (perceived threat
    T; T x (1 + W) for the national operations) reaches its threshold; the halt once the
    first operation (``first``, its launch day) has run ``leader_min_operation_days`` and
    perceived cost, heavier as war nears, outweighs perceived threat (M22)."""
    threat, war = inst.threat, inst.war
    _near(inst, ["chief_change:yezhov"], threat, p["leader_expand_threshold"])
    _near(inst, ["physical_methods"], threat, p["leader_methods_threshold"])
    mass = ["launch_operation:kulak_00447", "families_order"]
    _near(inst, mass, threat, p["leader_mass_threshold"])
    national = ["album_procedure", "launch_operation:national"]
    _near(inst, national, threat * (1.0 + war), p["leader_national_threshold"])
    running = first is not None and day - first >= p["leader_min_operation_days"]
    cost = p["leader_cost_weight"] * inst.cost * (1.0 + war)
    if running and curtailment:
        _near(inst, ["halt", f"chief_change:{CHIEFS[-1]}"], cost, threat)
    return leader_plan.Due(
        expand=threat >= p["leader_expand_threshold"],
        methods=threat >= p["leader_methods_threshold"],
        mass=threat >= p["leader_mass_threshold"],
        national=threat * (1.0 + war) >= p["leader_national_threshold"],
        halt=running and cost >= threat,
    )


def _near(inst: Any, keys: list[str], signal: float, threshold: float) -> None:
    """Record how near ``signal`` came to ``threshold`` for the decisions ``keys``
    (``Institutions.nearest``): a diagnostic for the fit of the thresholds, read by nothing
    in the model."""
    ratio = 1.0 if signal >= threshold else max(signal, 0.0) / threshold
    for key in keys:
        inst.nearest[key] = max(inst.nearest.get(key, 0.0), ratio)


def backlog_threshold(p: dict[str, Any]) -> float:
    """The album backlog (full-population cases) at which the special troikas take over:
    ``leader_backlog_days`` days of the album's throughput. The throughput is
    ``album_capacity`` under the two signatories' ceiling ``album_dvoika_ceiling``
    (model/album.py), which binds at the shipped values (551 a day against 1,500): until
    5 Dec 2026 the days were of ``album_capacity`` alone, so that 60 of them were about 163
    days of what the album could decide."""
    throughput = min(float(p["album_capacity"]), float(p["album_dvoika_ceiling"]))
    return float(p["leader_backlog_days"]) * throughput


def adult_weight(pop: Population) -> float:
    """Adults (16 and over) in full-population equivalents: the base of the labour cost."""
    adults = pop["age"] >= 1
    return float(
        np.bincount(pop.is_elite_layer[adults].view(np.uint8), minlength=2) @ pop.weight_of_layer
    )
