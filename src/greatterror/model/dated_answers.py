"""Which dated decision of the record answers a region's request for a higher Order 00447 limit.

The quota step (model/steps_quota.py) sends a region's request either to the centre's rule
and the People's Commissar's sanction or to a dated decision of the record
(``limit_increases.csv``, the ``limit_increase`` events of the historical timeline); the
policy step keeps a region's operation open after the order's first end while a dated
decision of the period the order went on in is still to come for it (``goes_on_after``).
Both read the record's timeline (``Scenario.record_events``), not the run's own. A decision
the record marks as made after the region's operation had ended (``Event.after_region_end``)
answers none of its requests (``within_operation``). Kept out of model/steps_quota.py so
that module holds only the rule.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.engine import Engine
from greatterror.model.limits import regions_of, rows_of
from greatterror.model.world import World


def record_dated(w: World, e: Engine, after_region_end: bool = False) -> NDArray[np.bool_]:
    """Per region and day, whether the record has a dated limit increase for the region on
    that day (with ``after_region_end``: only the decisions the record marks as made after
    the region's operation had ended, ``Event.after_region_end``).

    The record is the timeline of the scenario at the root of the ``extends`` chain
    (``Scenario.record_events``), not the run's own: a counterfactual that drops a dated
    increase, or adds one, changes what its run meets on that day, not what the run knew
    before it. Read from the run's own timeline, a counterfactual that dropped the increases
    of 1938 had its regions' requests of 1937 answered by the approval rule instead of
    waiting for them: the run read its own future and parted from the historical one months
    before its change (earlier_halt, docs/counterfactuals.md). For the historical scenario
    the record is its own timeline, and nothing changes. A request still waiting when the
    record's last increase for its region is not taken goes to the approval rule then
    (``steps_quota._not_taken``)."""
    regions = w.people.regions
    dated = np.zeros((len(regions), e.days), dtype=bool)
    for event in e.scenario.record_events:
        day = (event.date - e.start).days
        if event.action != "limit_increase" or not 0 <= day < e.days:
            continue
        if after_region_end and not event.after_region_end:
            continue
        for row in rows_of(event, e.evidence.increases):
            dated[regions_of(regions, row.region_code), day] = True
    return dated


def last_dated(dated: NDArray[np.bool_]) -> NDArray[np.int32]:
    """Per region, the last day of ``record_dated`` (-1: none)."""
    last = dated.shape[1] - 1 - dated[:, ::-1].argmax(axis=1)
    return np.where(dated.any(axis=1), last, -1).astype(np.int32)


def record_ends(e: Engine) -> list[tuple[int, bool]]:
    """The record's dated ends of Order 00447 within the run, in date order: the day, and
    whether the order goes on after it where a later dated decision is to come
    (``Event.except_later_increases``: the decision of 31 January 1938 to complete it by 15
    March, G12-24a; the end where it had gone on, 1 August 1938, G12-37, has none)."""
    ends = [
        ((event.date - e.start).days, bool(event.except_later_increases))
        for event in e.scenario.record_events
        if event.action == "end_operation" and event.operation == "kulak_00447"
    ]
    return sorted((d, x) for d, x in ends if 0 <= d < e.days)


def goes_on_after(
    dated: NDArray[np.bool_], day: int, ends: list[tuple[int, bool]]
) -> NDArray[np.bool_]:
    """Per region, whether Order 00447 goes on after its end on ``day`` (one with
    ``except_later_increases``): whether the record has a dated decision for the region after
    ``day`` and before the record's next end of the order (to the end of the run if none).

    The decision of 31 January 1938 had the operation completed by 15 March in most regions
    (G12-24a); which regions went on to its end of 1 August (G12-37) is not in the evidence
    base, and a dated decision between the two is its one trace of a troika still at work
    (Irkutsk, 29 April 1938; Sverdlovsk, 5 May 1938). A decision on the next end's day or
    later belongs to the period after it and keeps nothing open (the Far Eastern krai's of
    1 August 1938, G3-inc-dvk-010838, applied after the end of that day)."""
    later = [d for d, _ in ends if d > day]
    stop = min(later) if later else dated.shape[1]
    if dated.shape[0] == 0 or day + 1 >= stop:
        return np.zeros(dated.shape[0], dtype=bool)
    return np.asarray(dated[:, day + 1 : stop].any(axis=1), dtype=bool)


def region_end_days(dated: NDArray[np.bool_], ends: list[tuple[int, bool]]) -> NDArray[np.int64]:
    """Per region, the day Order 00447 ends there in the record (the run's length: no end):
    its first dated end after which it does not go on (``goes_on_after``)."""
    n_regions, n_days = dated.shape
    end = np.full(n_regions, n_days, dtype=np.int64)
    going = np.ones(n_regions, dtype=bool)
    for day, except_later in ends:
        ending = going & ~goes_on_after(dated, day, ends) if except_later else going.copy()
        end[ending] = day
        going &= ~ending
    return end


def within_operation(dated: NDArray[np.bool_], after_end: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """The record's dated decisions that answer a region's requests: all but those the
    record marks as made after the region's operation had ended (``after_end``,
    ``record_dated(..., after_region_end=True)``).

    Such a decision raises the limits of a region whose operation has ended, which releases
    the cases held there for a sanction (docs/ODD.md 7.7), but no request made while the
    operation went on waits for it. The one marked is the Far Eastern krai's of 1 August
    1938 (G3-inc-dvk-010838): it answered Frinovsky's request of July 1938 for an operation
    Yezhov said had already been finished in the krai (Naumov, naumov_krovavyi_karlik). The
    mark is data on the event, not a rule by date: Irkutsk's decision of 25 August 1938,
    also after its region's end in the model (1 August), is counted in its total under the
    order (Naumov puts the Irkutsk total under the order at 17,500, the sum of its limits including this one, G3-inc-irk-250838) and is not marked."""
    return np.asarray(dated & ~after_end, dtype=bool)


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
    (the rule before branch fareast2)."""
    ahead = np.asarray(next_day) > day
    if extension < 0 or day >= extension:
        return ahead
    return ahead & (np.asarray(next_day) <= extension)
