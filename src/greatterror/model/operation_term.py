"""The term of Order 00447, and who starts it: the centre, or each region's chief (H3, H4).

Apart from the quota rule (model/steps_quota.py) because the operation's arrests
(model/operation_00447.py), the leader's rule (model/leader.py) and the regional starts
(model/regional_start.py) read the same two answers: whether the regions start the
operation themselves, and how far into its first, planned term a region is.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.world import World


def from_below(p: dict[str, float]) -> bool:
    """Whether the regions' chiefs start Order 00447 (``regions_start_operation``, the
    hypotheses' switch; model/regional_start.py): then a chief asks for more only while his
    perceived local threat is at his threshold, and for no more than is left on his
    region's registers."""
    return float(p["regions_start_operation"]) > 0.5


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
