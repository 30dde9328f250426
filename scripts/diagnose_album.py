"""The album's backlog, the special troikas, and what the halt finds pending (issue 9).

One historical run at the given scale and seed, watched day by day. Prints (full-population
equivalents): by month, the album's and the special troikas' decisions and the national
cases pending before them at the month's end, with the album's daily capacity on the last
day; then the special troikas' decisions in all and the Harbin operation's cases decided
from 15 September 1938 (all by the special troikas: the operations ended on 1 August and the
album's queue passed to them, to compare with V-natop-har-sptroika, 13,909); then what is
pending on the day of the halt (each channel's queue, and those under investigation by
operation), what the halt's review released or sent on, of it the void death sentences of the
mass operations (``steps_halt.unexecuted``) and how many of them the review released by the
last day watched, and the largest single-day release as a share of those held
(tests/test_operations.py's measure).

    python scripts/diagnose_album.py --scale 0.01 --seed 1 [--set name=value ...]
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from _diagnose import historical_sim, options, until_date

from greatterror.calibration.series import CONVICTED
from greatterror.model import steps_halt
from greatterror.model.album import national_capacity
from greatterror.model.steps_halt import HALT_REVIEW
from greatterror.vocabulary import CH, EV, OP, OPERATIONS, Status


def _largest_daily_release(e) -> tuple[int, float, float]:  # type: ignore[no-untyped-def]
    """tests/test_operations.py's ``largest_daily_release`` on a running engine."""
    by_op = e.ledger.cube().sum(axis=1)
    cube = by_op.sum(axis=1)
    leaving = ("released", "executed", "died_in_custody", "convicted_exile", "convicted_other")
    flow = cube[:, EV["arrested"]] - sum(cube[:, EV[k]] for k in leaving)
    flow = flow + by_op[:, OP["non_political"], EV["convicted_camp"]]
    w = e.world
    initial = e.weights(np.flatnonzero(w.people["region"] == w.institutions.camps_region)).sum()
    held = initial + np.cumsum(flow)
    released = cube[1:, EV["released"]]
    share = released / np.maximum(held[:-1], 1.0)
    worst = int(np.argmax(share))
    return worst + 1, float(released[worst]), float(held[worst])


def main() -> None:
    a = options(__doc__, until="1939-06-30").parse_args()
    until = until_date(a)
    sim = historical_sim(a)
    model = sim.engine
    e, w = model.engine, model.world
    sp_day = (dt.date(1938, 9, 15) - model.start).days
    review = {"scheduled": 0.0, "released": 0.0, "sent_on": 0.0, "void": 0.0, "void_freed": 0.0}
    void: list[np.ndarray] = []
    unexecuted = steps_halt.unexecuted

    def voided(world, engine, day, extrajudicial):  # type: ignore[no-untyped-def]
        idx = unexecuted(world, engine, day, extrajudicial)
        void.append(idx)
        review["void"] += float(engine.weights(idx).sum())
        return idx

    steps_halt.unexecuted = voided  # read by review_pending at the halt
    schedule_after = e.schedule_after

    def schedule(day: int, kind: str, idx: np.ndarray, delays: np.ndarray) -> None:
        if kind == HALT_REVIEW:
            review["scheduled"] += float(e.weights(idx).sum())
        schedule_after(day, kind, idx, delays)

    e.schedule_after = schedule
    component = next(c for c in model.loop.components if c.name == "halt_review")
    review_step = component.step

    def watched(world, engine, day):  # type: ignore[no-untyped-def]
        before = world.cases.status.copy()
        review_step(world, engine, day)
        freed = np.flatnonzero(
            (before != Status.RELEASED) & (world.cases.status == Status.RELEASED)
        )
        review["released"] += float(engine.weights(freed).sum())
        if void:
            review["void_freed"] += float(engine.weights(freed[np.isin(freed, void[0])]).sum())

    component.step = watched
    print("month     album  sp_troika  pending   capacity")
    month_start, halt_seen = 0, False
    while sim.date <= until and not sim.finished:
        today, day = sim.date, model.day
        if not halt_seen and w.policy.halted:
            halt_seen = True
            print(f"-- halt on the day before {today}: pending under investigation by operation")
            st, op = w.cases.status, w.cases.op
            inv = np.flatnonzero(st == Status.INVESTIGATION)
            for code, name in enumerate(OPERATIONS):
                n = e.weights(inv[op[inv] == code]).sum()
                if n:
                    print(f"   {name:22s}{n:10.0f}")
        sim.step()
        if sim.date.day == 1 and today >= dt.date(1937, 8, 1):
            alb = e.ledger.decided[month_start : day + 1, CH["album"]].sum()
            spt = e.ledger.decided[month_start : day + 1, CH["special_troika"]].sum()
            pend = e.ledger.backlog[day, CH["album"]] + e.ledger.backlog[day, CH["special_troika"]]
            cap = national_capacity(e.params, e.ledger, day)
            print(f"{today:%Y-%m} {alb:9.0f}{spt:10.0f}{pend:9.0f}{cap:10.0f}")
        if sim.date.day == 1:
            month_start = model.day
    cube = e.ledger.cube()
    last = model.day
    spt_all = e.ledger.decided[: last + 1, CH["special_troika"]].sum()
    har = cube[sp_day:, :, OP["national_harbin"], :].sum(axis=(0, 1))
    har_all = cube[:, :, OP["national_harbin"], :].sum(axis=(0, 1))
    conv = CONVICTED
    har_sp = sum(har[EV[k]] for k in conv)
    har_conv = sum(har_all[EV[k]] for k in conv)
    print(f"special troikas decided {spt_all:.0f}")
    print(f"Harbin convicted from 15 Sep 1938: {har_sp:.0f} of {har_conv:.0f} (record 13,909)")
    print(f"halt review: {review['scheduled']:.0f} scheduled, {review['released']:.0f} released")
    print(
        f"void death sentences at the halt: {review['void']:.0f}, released by the review by "
        f"{until}: {review['void_freed']:.0f}"
    )
    day, rel, held = _largest_daily_release(e)
    print(f"largest single-day release: {rel:.0f} of {held:.0f} held ({rel / held:.3%}), day {day}")


if __name__ == "__main__":
    main()
