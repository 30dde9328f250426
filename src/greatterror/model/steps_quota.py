"""Step 9 (M15, M16): regions that fill their limits ask for more; the centre approves some."""

from __future__ import annotations

import numpy as np

from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.world import World


class QuotaDynamics(Component):
    """Step 9 (M15): regions near their limits ask for more; the centre grants some."""

    name = "quota_dynamics"
    mechanisms = ("M15",)
    params = (
        "approval_probability",
        "late_approval_factor",
        "operation_term_days",
        "request_cat1_share",
        "request_interval",
        "request_size",
        "request_threshold",
    )
    reads = ("policy", "institutions")
    writes = ("institutions",)

    def step(self, w: World, e: Engine, day: int) -> None:
        if "kulak_00447" not in w.policy.operations or not self.on(e, "M15"):
            return
        _requests(w, e, day)


def _requests(w: World, e: Engine, day: int) -> None:
    inst, p = w.institutions, e.params
    limit = inst.limit_cat1 + inst.limit_cat2
    used = inst.used_cat1 + inst.used_cat2
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(limit > 0, used / limit, 0.0)
    asking = (
        (fill >= p["request_threshold"])
        & (day - inst.last_request >= p["request_interval"])
        & (limit > 0)
    )
    regions = np.flatnonzero(asking)
    if len(regions) == 0:
        return
    inst.last_request[regions] = day
    inst.requests += len(regions)
    # once the planned term is over the centre grants extensions more sparingly
    launched = w.policy.first_day[("launch_operation", "kulak_00447")]
    late = day - launched >= p["operation_term_days"]
    approval = p["approval_probability"] * (p["late_approval_factor"] if late else 1.0)
    granted = regions[e.rng.quota.random(len(regions)) < approval]
    inst.approvals += len(granted)
    extra = p["request_size"] * (inst.initial_cat1[granted] + inst.initial_cat2[granted])
    inst.limit_cat1[granted] += extra * p["request_cat1_share"]
    inst.limit_cat2[granted] += extra * (1 - p["request_cat1_share"])
