"""Order 00447 month by month: arrests, troika sentences, limits, waiting cases, requests.

A diagnostic for the operation's pace (docs/validation-log.md, "Order 00447's pace in autumn 1937"): one run
at the given scale and seed, stepped day by day, with the state read at each month's end.

    python scripts/diagnose_00447.py --scale 0.001 --seed 1 [--set name=value ...]

Columns (full-population equivalents): arrests and troika sentences of Order 00447 in the
month; the limits in force at the month's end (sum over regions of both categories,
increases included) and their use; the arrest goal left (limits times ``overfill_target``,
less the arrests); cases under investigation and awaiting the troika; the troika's
sentences per day; regions at or above the request threshold (``steps_quota.limit_fill``);
requests pending, of them awaiting a dated decision; increases logged and refusals in the
month; and the regions whose arrest goal is used up.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from _diagnose import historical_sim, options, until_date

from greatterror.model.steps_quota import limit_fill
from greatterror.vocabulary import CH, EV, OP, Status


def main() -> None:
    a = options(__doc__, until="1938-12-31").parse_args()
    until = until_date(a)
    sim = historical_sim(a)
    eng = sim.engine
    w, e, p = eng.world, eng.engine, eng.params
    inst = w.institutions
    head = (
        "month    arrests  sentenced  limit     used    goal_left  in_invest  troika_q"
        "  per_day  at_thr pending dated  granted refused  goal_used"
    )
    print(head)
    month_start = 0
    refused_before = 0
    while sim.date <= until and not sim.finished:
        today = sim.date
        sim.step()
        tomorrow = sim.date
        if tomorrow.month == today.month and not sim.finished:
            continue
        d0, d1 = month_start, eng.day
        month_start = d1
        cube = e.ledger.cube()[d0:d1, :, OP["kulak_00447"], :]
        arrests = cube[:, :, EV["arrested"]].sum()
        sentenced = cube[:, :, EV["convicted_cat1"]].sum() + cube[:, :, EV["convicted_camp"]].sum()
        if today < dt.date(1937, 7, 1):
            continue
        limit = inst.limit_cat1 + inst.limit_cat2
        used = inst.used_cat1 + inst.used_cat2
        goal = limit * p["overfill_target"]
        left = np.maximum(goal - inst.arrested_00447, 0.0)
        kulak = w.cases.op == OP["kulak_00447"]
        weights = e.weights(np.arange(len(w.cases.op)))
        invest = float(weights[kulak & (w.cases.status == Status.INVESTIGATION)].sum())
        queue = inst.queues[CH["troika"]].weight
        per_day = e.ledger.decided[d0:d1, CH["troika"]].mean()
        fill = limit_fill(limit, used, inst.arrested_00447)
        at_thr = int(((fill >= p["request_threshold"]) & (limit > 0)).sum())
        pending = int((inst.pending_day != -1).sum())
        dated = int((inst.pending_day == -2).sum())
        granted = sum(
            float(r["cat1"]) + float(r["cat2"])
            for r in inst.increases
            if str(r["date"]).startswith(f"{today:%Y-%m}")
        )
        refused = inst.refusals - refused_before
        refused_before = inst.refusals
        goal_used = int(((left < e.w_mass) & (limit > 0) & ~inst.op_closed).sum())
        print(
            f"{today:%Y-%m} {arrests:9,.0f} {sentenced:9,.0f} {limit.sum():9,.0f} "
            f"{used.sum():9,.0f} {left.sum():9,.0f} {invest:9,.0f} {queue:9,.0f} "
            f"{per_day:7,.0f} {at_thr:5d} {pending:5d} {dated:5d} {granted:8,.0f} {refused:5d} "
            f"{goal_used:5d}"
        )


if __name__ == "__main__":
    main()
