"""Which dated decision of the record answers a region's request for a higher Order 00447 limit.

The quota step (model/steps_quota.py) sends a region's request either to the centre's rule
and the People's Commissar's sanction or to a dated decision of the record
(``limit_increases.csv``, the ``limit_increase`` events of the historical timeline); the
policy step keeps a region's operation open while a dated decision is still to come for it
(``dated_increase_days``). Both read the record's timeline (``Scenario.record_events``), not
the run's own. Apart from the quota step to keep that module to its rule.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.engine import Engine
from greatterror.model.limits import regions_of
from greatterror.model.world import World


def dated_increase_days(w: World, e: Engine) -> np.ndarray:
    """Per region, the day of its last dated limit increase in the record (-1: none).

    The record is the timeline of the scenario at the root of the ``extends`` chain
    (``Scenario.record_events``), not the run's own: a counterfactual that drops a dated
    increase, or adds one, changes what its run meets on that day, not what the run knew
    before it. Read from the run's own timeline, a counterfactual that dropped the increases
    of 1938 had its regions' requests of 1937 answered by the approval rule instead of
    waiting for them: the run read its own future and parted from the historical one months
    before its change (earlier_halt, docs/counterfactuals.md). For the historical scenario
    the record is its own timeline, and nothing changes. A request still waiting when the
    record's last increase for its region is not taken goes to the approval rule then
    (``_not_taken``)."""
    return last_dated(record_dated(w, e))


def record_dated(w: World, e: Engine) -> NDArray[np.bool_]:
    """Per region and day, whether the record has a dated limit increase for the region on
    that day (``dated_increase_days``: why the record, not the run's own timeline)."""
    regions = w.people.regions
    dated = np.zeros((len(regions), e.days), dtype=bool)
    for event in e.scenario.record_events:
        day = (event.date - e.start).days
        if event.action != "limit_increase" or not 0 <= day < e.days:
            continue
        for row in e.evidence.increases:
            if row.fact_id == event.evidence and (
                not event.region or row.region_code == event.region
            ):
                dated[regions_of(regions, row.region_code), day] = True
    return dated


def last_dated(dated: NDArray[np.bool_]) -> NDArray[np.int32]:
    """Per region, the last day of ``record_dated`` (-1: none)."""
    last = dated.shape[1] - 1 - dated[:, ::-1].argmax(axis=1)
    return np.where(dated.any(axis=1), last, -1).astype(np.int32)


def record_extension_day(e: Engine) -> int:
    """The day of Order 00447's first extension in the record (the Politburo's decision of 31
    January 1938, G12-24), -1 if the record has none (``answered_by_dated``)."""
    days = [
        (event.date - e.start).days
        for event in e.scenario.record_events
        if event.action == "extend_operation" and event.operation == "kulak_00447"
    ]
    days = [d for d in days if 0 <= d < e.days]
    return min(days) if days else -1


def next_dated(dated: NDArray[np.bool_], regions: NDArray[np.int64], day: int) -> NDArray[np.int64]:
    """Per region, the day of its next dated decision in the record after ``day`` (-1: none)."""
    if dated.shape[0] == 0 or day + 1 >= dated.shape[1]:
        return np.full(len(regions), -1, dtype=np.int64)
    later = dated[regions, day + 1 :]
    return np.where(later.any(axis=1), day + 1 + later.argmax(axis=1), -1).astype(np.int64)


def answered_by_dated(next_day: NDArray[np.int64], day: int, extension: int) -> NDArray[np.bool_]:
    """Whether a request made on ``day`` is answered by the region's next dated decision
    (``next_day``, -1: none), not by the centre's rule and the commissar's sanction.

    Only by a decision of the request's own period: before the operation's extension in the
    record (``extension``, 31 January 1938, G12-24) by one made on or before that day (the
    extension's decisions answered the regions' requests of the winter, G3-inc-310138), from
    the extension on by any later one. In 1937 the regions' requests were answered mostly by
    the NKVD's own allocations, about 260,000 without a written Politburo sanction, and from the
    extension by the Politburo's dated decisions, with 26,600 own allocations in
    January-March 1938 (Naumov, G3-inc-unsanctioned-1937): a decision of 1938 after the
    extension, such as the Far Eastern krai's of 1 August 1938 (G3-inc-dvk-010838), is no
    answer to a request of 1937. With no extension in the record every later decision answers
    (the rule before 5 Dec 2026, branch fareast2, in every case)."""
    ahead = np.asarray(next_day) > day
    if extension < 0 or day >= extension:
        return ahead
    return ahead & (np.asarray(next_day) <= extension)
