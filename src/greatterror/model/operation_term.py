"""The term of Order 00447, and who starts it: the centre, or each region's chief (H3, H4).

Apart from the quota rule (model/steps_quota.py) because the operation's arrests
(model/operation_00447.py), the leader's rule (model/leader.py) and the regional starts
(model/regional_start.py) read the same answers: whether the regions start the
operation themselves, how far into its first, planned term a region is, and what a
chief weighs against his threshold (``perceived_local_threat``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.regional_surge import resolved, surge, surging
from greatterror.model.state import Institutions
from greatterror.model.world import World


def from_below(p: dict[str, float]) -> bool:
    """Whether the regions' chiefs start Order 00447 (``regions_start_operation``, the
    hypotheses' switch; model/regional_start.py): then a chief asks for more only while his
    perceived local threat is at his threshold, and for no more than is left on his
    region's registers."""
    return float(p["regions_start_operation"]) > 0.5


def under_pressure(p: dict[str, float]) -> bool:
    """Whether a chief weighs the enemies uncovered in his region by the centre's pressure
    for vigilance (``regions_start_operation`` = 2: H3 and H4, ``perceived_local_threat``)."""
    return float(p["regions_start_operation"]) > 1.5


def perceived_local_threat(
    p: dict[str, float], signal: NDArray[np.float64], campaign: float
) -> NDArray[np.float64]:
    """What each chief weighs against ``regional_start_threshold``: the enemies uncovered in
    his region lately (``Institutions.region_signal``), times, with the centre's pressure on
    (``under_pressure``), today's campaign factor (model/steps_policy.py ``Perception``: the
    centre's calls for vigilance after the trials, M09, at the threat it perceives, M03).

    Why: in Harris's account the August 1936 trial "brought with it a fresh wave of calls
    for vigilance, and new pressure on NKVD agents to 'unmask' hidden enemies" (F003:81),
    and the seed system's hook for regional zeal is a chief for whom "the penalty for 'lack
    of vigilance' exceeds the penalty for excess" (seed_system.md, M15; Rittersporn,
    F002:732-734, 1185). Without it a chief reads only the level of local arrests, which
    the centre's calls reach only through the arrests they bring.
    """
    if under_pressure(p):
        return np.asarray(signal * campaign, dtype=np.float64)
    return signal


def chiefs_alarmed(
    p: dict[str, float],
    inst: Institutions,
    campaign: float,
    adults: NDArray[np.float64],
    day: int,
    case_weight: float,
    folded_today: bool = True,
) -> NDArray[np.bool_]:
    """Per region, whether its chief's perceived threat is at his threshold: with the switch at
    3 the surge of denunciations at ``regional_surge_ratio``, read from enough cases
    (model/regional_surge.py; the signal folded in daily from day 0; ``case_weight``, the
    people one sampled case stands for), otherwise the level of the political arrests outside
    the mass operations (weighed by the centre's pressure at 2) at ``regional_start_threshold``.
    ``folded_today``: whether step 30 has folded ``day`` into the signal already (days 0 to
    ``day``, ``day`` + 1 days); step 19 reads it before, on ``day`` days."""
    if surging(p):
        ratio = surge(inst, p, adults, day + 1 if folded_today else day)
        return (ratio >= p["regional_surge_ratio"]) & resolved(inst, p, adults, case_weight)
    perceived = perceived_local_threat(p, inst.region_signal, campaign)
    return np.asarray(perceived >= p["regional_start_threshold"])


def days_into_term(w: World, p: dict[str, float], day: int) -> int | NDArray[np.int64]:
    """Days from the start of Order 00447's first, planned term (``operation_term_days``, the
    order's four months, G3-start) to ``day``: from the national launch, one number for every
    region; or, when the regions' chiefs start the operation themselves (``from_below``, H3
    and H4), per region from its own chief's start (-1 for a region not started yet).

    Started from below, the order's four months are a term the centre grants a region with
    its first limit, so they run from that region's start: a region whose chief asks to begin
    a year after the first is not at the end of its term on its first day. Until 5 December
    2026 they ran from the first region's start, the operation's launch (model/regional_start.py).
    With a launch from above the model keeps one term from the launch (a reading of the order,
    review12 F11)."""
    if from_below(p):
        start = w.institutions.region_start_day
        return np.where(start >= 0, day - start, -1).astype(np.int64)
    return w.policy.days_since_launch("kulak_00447", day)
