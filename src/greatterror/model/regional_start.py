"""Order 00447 started from below: each region's NKVD chief asks to begin (H3, H4).

Under H1 and in the historical scenario the centre starts the mass operation on one date
and gives every region its limit of the order's appendix (model/steps_policy.py
``set_limits``; model/order_start.py). Harris's and the revisionists' accounts put the
impulse lower down: "regional escalation after August 1936 is staggered and depends on
local tension" (H3, F003:81-83) and the scale "overshot through local dynamics", regional
variation being "explained by local factors (... the local volume of denunciations)" (H4's
predictions in seed_system.md section 3, l.1042, the seed system's own words; for the
overshoot it cites local leaders and courts that over-reached, F002:732-734, 1185). With ``regions_start_operation`` on,
this component gives each region's chief that decision:

- his perception of the local threat is the enemies uncovered in his region lately: the
  political arrests outside the mass operations (denunciations, M12; namings under
  interrogation, M05; ordinary register work, M23; the elite purge) per 1,000 adults,
  summed with a half-life of ``regional_signal_half_life`` days;
- with ``regions_start_operation`` = 2 he weighs it by the centre's pressure for vigilance,
  today's campaign factor (``operation_term.perceived_local_threat``: Harris's "new pressure
  on NKVD agents to 'unmask' hidden enemies" after the August 1936 trial, F003:81);
- when it reaches ``regional_start_threshold`` he asks to begin;
- with ``regions_start_operation`` = 3 (H3's and H4's value since branch hyp34, 5 December
  2026) he reads instead the denunciations acted on in his region, and asks when their
  recent rate runs ``regional_surge_ratio`` times his own baseline, read with the Union's
  and from enough cases (model/regional_surge.py: the register work is no sign of new
  enemies, and Harris speaks of a fresh wave of calls for vigilance and the denunciations
  it set off, F003:81; the local volume of denunciations, seed_system.md section 3, l.1042);
- his first request is a share ``first_request_share`` of the people on his region's
  registers of former kulaks, criminals and other "anti-Soviet elements" (the appendix's
  figures were the regions' own
  July reports of the people they had registered, G12-14; here a region reports its own
  register, not the appendix's number), split between the categories as the increases
  whose split the evidence gives (``limits.increase_cat1_share``);
- the centre sanctions the request as asked with probability ``requests_granted_as_asked``
  (1 under H3 and H4: a centre that answers what comes from below); a region refused asks
  again the next day, so a lower value only delays the starts.

The first region's start is the operation's launch (logged ``by: regions``), but the order's
four-month term runs from each region's own start (``operation_term.days_into_term``); the leader's
rule no longer launches it or sets the appendix's limits (model/leader.py), and still takes
the all-Union decisions (national operations, the album, the families order, the halt).
After its start a region asks for more by the quota rule (model/steps_quota.py), but only
while its chief's perceived threat stays at his threshold and for no more than is left on
its registers: the operation ends in a region when the enemies uncovered there outside it
fall off, or when its registers run dry, and everywhere with the leader's halt (M22), if
that comes first. The step runs at the end of the day, on the day's arrests. With the switch off (the default, the historical scenario,
H1) the component does nothing.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.operation_term import chiefs_alarmed, from_below
from greatterror.model.quota_requests import log_increase
from greatterror.model.regional_surge import surging, update
from greatterror.model.scenario import Event
from greatterror.model.state import Institutions
from greatterror.model.steps_policy import DECISION_READS, DECISION_WRITES, apply_decision
from greatterror.model.world import World
from greatterror.vocabulary import EV, MASS_OP, NON_POLITICAL

#: Operations whose arrests are the chiefs' signal: political, outside the mass operations.
SIGNAL_OPS = ~MASS_OP & (np.arange(len(MASS_OP)) != NON_POLITICAL)


class RegionalStart(Component):
    """Step 30 (M15): a region's NKVD chief asks to begin Order 00447 when the enemies
    uncovered in his region reach his threshold; his first request sets its first limit,
    and his region's arrests under it begin the next day."""

    name = "regional_start"
    # M15: the regional chiefs' zeal; denunciation (M12) and naming (M05) act through the
    # arrests they bring, which this step reads from the ledger
    mechanisms = ("M15",)
    params = (
        "first_request_share",
        "regional_baseline_half_life",
        "regional_pooling_adults",
        "regional_signal_half_life",
        "regional_start_threshold",
        "regional_surge_min_cases",
        "regional_surge_ratio",
        "regions_start_operation",
        "requests_granted_as_asked",
    )
    # and the engine's ledger (not a field of the world); the campaign factor for the
    # centre's pressure (operation_term.perceived_local_threat)
    reads = (*DECISION_READS, "campaign")
    writes = DECISION_WRITES

    def __init__(self) -> None:
        #: adults per region, full-population equivalents, and the regions with a chief of
        #: their own (not the camps' unit): both computed once a run
        self._adults: NDArray[np.float64] | None = None
        self._has_chief: NDArray[np.bool_] | None = None

    def step(self, w: World, e: Engine, day: int) -> None:
        p, inst, pol = e.params, w.institutions, w.policy
        if not from_below(p) or not self.on(e, "M15"):
            return
        n_reg = len(inst.op_closed)
        if len(inst.region_start_day) != n_reg:
            inst.region_start_day = np.full(n_reg, -1, dtype=np.int32)
            inst.region_signal = np.zeros(n_reg)
            if surging(p):
                # the denunciations' count is kept only when read (model/steps_denunciation.py)
                inst.region_denounced = np.zeros(n_reg)
                inst.region_baseline = np.zeros(n_reg)
        if self._adults is None or self._has_chief is None or len(self._adults) != n_reg:
            self._adults = np.maximum(w.registers.region_adults * e.w_mass, 1.0)
            # the camps' unit has no regional chief of its own
            self._has_chief = np.array([r.kind != "camps" for r in w.people.regions])
        if surging(p):
            # a wave of denunciations against his own baseline (model/regional_surge.py)
            update(inst, p, self._adults)
        else:
            inst.region_signal = perceive(
                inst.region_signal,
                _political_arrests(e, day),
                self._adults,
                float(p["regional_signal_half_life"]),
            )
        if pol.halted:
            return
        waiting = (inst.region_start_day < 0) & ~inst.op_closed & (self._adults > 1.0)
        asking = (
            waiting
            & self._has_chief
            & chiefs_alarmed(p, inst, w.levers.campaign, self._adults, day, e.w_mass)
        )
        if not asking.any():
            return
        regions = np.flatnonzero(asking)
        # the centre's sanction; a region refused today asks again tomorrow
        sanctioned = e.rng.regional_start.random(len(regions)) < p["requests_granted_as_asked"]
        regions = regions[sanctioned]
        if len(regions) == 0:
            return
        register = w.registers.kulak.sizes()[regions] * e.w_mass
        start_regions(
            inst, regions, day, register * p["first_request_share"], e.increase_cat1_share
        )
        for r in regions.tolist():
            log_increase(
                inst, e.date(day), w.people.regions[r].code,
                inst.limit_cat1[r], inst.limit_cat2[r], "first_request", False,
            )  # fmt: skip
        if pol.launch_day("kulak_00447") is None:
            event = Event(
                date=e.date(day), action="launch_operation", evidence="regions",
                operation="kulak_00447",
            )  # fmt: skip
            apply_decision(self, w, e, day, "launch_operation", event, by="regions")


def perceive(
    signal: NDArray[np.float64],
    arrests: NDArray[np.float64],
    adults: NDArray[np.float64],
    half_life: float,
) -> NDArray[np.float64]:
    """The chiefs' perceived local threat after one more day: the previous one decayed with
    ``half_life`` days, plus the day's political arrests per 1,000 adults of the region."""
    decay = 0.5 ** (1.0 / max(half_life, 1e-9))
    return np.asarray(signal * decay + 1000.0 * arrests / adults, dtype=np.float64)


def start_regions(
    inst: Institutions,
    regions: NDArray[np.int64],
    day: int,
    asked: NDArray[np.float64],
    cat1_share: float,
) -> None:
    """The regions begin tomorrow, with their chiefs' first requests as their first limits; the
    request is also the base of their later ones (``request_size`` times it) and its first
    category the first blow's list (model/order_start.py)."""
    cat1 = asked * cat1_share
    inst.region_start_day[regions] = day + 1
    inst.initial_cat1[regions] = cat1
    inst.initial_cat2[regions] = asked - cat1
    inst.limit_cat1[regions] = cat1
    inst.limit_cat2[regions] = asked - cat1
    inst.asked_share[regions] = cat1_share


def _political_arrests(e: Engine, day: int) -> NDArray[np.float64]:
    """Per region, the day's political arrests outside the mass operations."""
    _, n_reg, n_op, n_ev = e.ledger.shape
    block = e.ledger.counts[day * n_reg * n_op * n_ev : (day + 1) * n_reg * n_op * n_ev]
    per_op = block.reshape(n_reg, n_op, n_ev)[:, :, EV["arrested"]]
    return np.asarray(per_op[:, SIGNAL_OPS].sum(axis=1), dtype=np.float64)
