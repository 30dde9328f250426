"""How Order 00447 began and how its limits were raised in 1938 (issue 9, branch pace00447).

The rules (docs/ODD.md 7.5 and 7.9; model/order_start.py, model/steps_quota.py):

- the operation starts in each region on its own date (G3-start: 5 August 1937, 10 August in
  four Central Asian republics, 15 August in three eastern regions);
- each region begins with a first blow: its first category's July list, as many people as its
  initial category-1 limit, arrested within ``first_blow_days`` of its start, beyond the
  officers' daily capacity; the troika sentences those cases in category 1 (tests/test_troika.py);
- from the extension of 31 January 1938 a region's limits are raised only by the dated
  decisions still to come for it (``steps_quota.only_dated``);
- a dated decision answers a region's requests of its own period only: one made after the
  extension does not answer a request of 1937 (``dated_answers.answered_by_dated``);
- a dated increase that leaves one category blank does not set the composition the troika
  sentences in beyond the limits.

The run-based tests run the historical scenario at 1:1000 on one seed; each fails on the rules
these replaced (no start dates, no first blow, the approval rule and the after-the-fact
sanction going on through 1938).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest

from greatterror.model.case_flags import FIRST_CATEGORY
from greatterror.model.dated_answers import (
    answered_by_dated,
    goes_on_after,
    next_dated,
    record_dated,
    record_ends,
    record_extension_day,
    region_end_days,
    within_operation,
)
from greatterror.model.order_start import START_DELAY_DAYS, first_blow, start_delays
from greatterror.model.steps_quota import only_dated
from greatterror.vocabulary import EV, OP


def _region(code: str, republic: str, index: int) -> SimpleNamespace:
    return SimpleNamespace(code=code, republic=republic, index=index)


def test_start_delays_follow_the_politburo_dates() -> None:
    regions = [
        _region("moscow_obl", "rsfsr", 0),
        _region("uzbek_ssr", "uzbek_ssr", 1),
        _region("far_eastern_krai", "rsfsr", 2),
        _region("krasnoyarsk_krai", "rsfsr", 3),
        _region("alma_ata_obl", "kazakh_ssr", 4),
    ]
    assert start_delays(regions).tolist() == [0, 5, 10, 10, 0]
    assert set(START_DELAY_DAYS.values()) == {5, 10}  # 10 and 15 August


def test_the_first_blow_spreads_the_list_over_the_days_left() -> None:
    cat1 = np.array([700.0, 700.0, 700.0, 700.0])
    listed = np.array([0.0, 600.0, 0.0, 0.0])
    since = np.array([0, 6, -1, 7])
    got = first_blow(cat1, listed, since, 7.0)
    # day 0: a seventh; day 6: the rest on the last day; before the start and after: nothing
    np.testing.assert_allclose(got, [100.0, 100.0, 0.0, 0.0])
    # the list once arrested is not arrested again
    assert first_blow(cat1, cat1, np.zeros(4, dtype=np.int64), 7.0).sum() == 0.0


def test_only_dated_from_the_extension_where_no_dated_increase_is_to_come() -> None:
    dated_until = np.array([-1, 100, 300], dtype=np.int32)
    assert not only_dated(None, dated_until, 500).any()  # no extension
    assert not only_dated(200, dated_until, 150).any()  # before it
    assert only_dated(200, dated_until, 200).tolist() == [True, True, False]
    assert only_dated(200, dated_until, 300).tolist() == [True, True, True]


def test_a_dated_decision_answers_the_requests_of_its_own_period() -> None:
    dated = np.zeros((4, 400), dtype=bool)
    dated[1, 50] = dated[2, 150] = dated[3, 300] = True
    dated[2, 200] = True  # on the extension's day
    regions = np.arange(4)
    assert next_dated(dated, regions, 10).tolist() == [-1, 50, 150, 300]
    # before the extension (day 200): only a decision made on or before it answers
    assert answered_by_dated(next_dated(dated, regions, 10), 10, 200).tolist() == [
        False,
        True,
        True,
        False,
    ]
    assert answered_by_dated(next_dated(dated, regions, 160), 160, 200).tolist()[2]
    # from the extension on, any later decision
    assert answered_by_dated(next_dated(dated, regions, 200), 200, 200).tolist() == [
        False,
        False,
        False,
        True,
    ]
    # no extension in the record: any later decision (the rule before branch fareast2)
    assert answered_by_dated(next_dated(dated, regions, 10), 10, -1).tolist() == [
        False,
        True,
        True,
        True,
    ]


def test_a_decision_after_the_next_end_keeps_no_region_open() -> None:
    """Ends on day 100 (except where a later decision is to come) and day 200: a decision
    between them keeps its region open to day 200; one on day 200 itself (the Far Eastern
    krai's of 1 August 1938, applied after the end of that day) or after it does not. Only a
    decision marked as made after its region's end answers none of its requests
    (``within_operation``); one after the end but unmarked (Irkutsk's of 25 August 1938)
    still does."""
    dated = np.zeros((4, 300), dtype=bool)
    dated[1, 150] = dated[2, 200] = dated[3, 250] = True
    dated[0, 50] = True
    ends = [(100, True), (200, False)]
    assert goes_on_after(dated, 100, ends).tolist() == [False, True, False, False]
    assert region_end_days(dated, ends).tolist() == [100, 200, 100, 100]
    marked = np.zeros_like(dated)
    marked[2, 200] = True
    inside = within_operation(dated, marked)
    assert inside.any(axis=1).tolist() == [True, True, False, True]
    # no later end in the record: any later decision keeps its region open (the rule before)
    assert goes_on_after(dated, 100, [(100, True)]).tolist() == [False, True, True, True]


def test_on_the_extension_day_every_request_pending_for_the_rule_lapses() -> None:
    """Region 0 has no decision to come, regions 1-2 have one (day 200); the extension is on
    day 50. The requests pending for the rule's answer lapse in every region, and what a
    troika had not used of a provisional increase is withdrawn (region 1); only a request
    already waiting for a decision to come goes on waiting (region 2). Before review21 F3 a
    request of region 1 was switched to wait for the decision of day 200."""
    from greatterror.model.quota_requests import AWAITS_DATED
    from greatterror.model.steps_quota import _politburo_decides

    inst = SimpleNamespace(
        dated_until=np.array([10, 200, 200], dtype=np.int32),
        pending_day=np.array([60, 55, AWAITS_DATED]),
        pending_cat1=np.array([100.0, 100.0, 100.0]),
        pending_cat2=np.array([30.0, 30.0, 30.0]),
        pending_ahead=np.array([False, True, True]),
        limit_cat1=np.array([1000.0, 1100.0, 1100.0]),
        limit_cat2=np.array([300.0, 330.0, 330.0]),
    )
    w = SimpleNamespace(institutions=inst, policy=SimpleNamespace(extended={"kulak_00447": 50}))
    _politburo_decides(w, 49)  # not the extension's day: nothing happens
    assert inst.pending_day.tolist() == [60, 55, AWAITS_DATED]
    _politburo_decides(w, 50)
    assert inst.pending_day.tolist() == [-1, -1, AWAITS_DATED]
    assert inst.limit_cat1.tolist() == [1000.0, 1000.0, 1100.0]
    assert inst.limit_cat2.tolist() == [300.0, 300.0, 330.0]


@pytest.fixture(scope="module")
def run_1938():
    import greatterror as gt

    sim = gt.Sim("historical", scale=0.001, seed=3).run(until="1938-09-30")
    return sim


def test_no_arrests_under_the_order_before_a_region_starts(run_1938) -> None:
    sim = run_1938
    w, e = sim.engine.world, sim.engine.engine
    start = sim.scenario.start
    day = lambda d: (d - start).days  # noqa: E731
    cube = e.ledger.cube()[:, :, OP["kulak_00447"], EV["arrested"]]
    codes = [r.code for r in w.people.regions]
    late = [codes.index(c) for c in ("far_eastern_krai", "east_siberian_obl", "krasnoyarsk_krai")]
    assert cube[: day(dt.date(1937, 8, 15)), late].sum() == 0
    assert cube[day(dt.date(1937, 8, 15)) :, late].sum() > 0


def test_the_first_blow_takes_the_category_1_limits_in_the_first_days(run_1938) -> None:
    """Within ten days of the launch the order has arrested at least its initial category-1
    limits (75,950) outside the three regions that started on 15 August; under the rules
    before (the officers' capacity alone, about 6,300 a day) it had arrested about 52,000 in
    all by 15 August (1:100, seeds 1-10)."""
    sim = run_1938
    w, e = sim.engine.world, sim.engine.engine
    inst = w.institutions
    day = (dt.date(1937, 8, 15) - sim.scenario.start).days
    arrests = e.ledger.cube()[:day, :, OP["kulak_00447"], EV["arrested"]].sum()
    late = start_delays(w.people.regions) >= 10
    assert arrests > inst.initial_cat1[~late].sum()
    # each arrest is put on the first-category list with the day's share of the first blow in
    # the region's arrests; at 1:1000 a sampled person is 1,000 people, more than the
    # category-1 limit of many small regions (250-500), whose first listed person overshoots
    # it, so the list comes out above the limits (99,000 against 75,950 on this seed after
    # the merge of main at 69dac46; 75,700 at 1:100, seed 1)
    assert 0.75 < inst.listed_cat1.sum() / inst.initial_cat1.sum() < 1.5


def test_after_the_extension_only_dated_increases(run_1938) -> None:
    """No increase by the approval rule, the People's Commissar or a troika ahead of the
    sanction is logged from 31 January 1938; the dated ones are (Ukraine's of 17 February,
    Irkutsk's of 29 April, Sverdlovsk's of 5 May). Under the rule before, requests were
    granted into the summer of 1938."""
    inst = run_1938.engine.world.institutions
    late = [r for r in inst.increases if str(r["date"]) >= "1938-01-31"]
    assert late and all(r["kind"] == "dated" for r in late)
    assert {r["region"] for r in late if str(r["date"]) > "1938-02-01"} >= {
        "sverdlovsk_obl",
        "east_siberian_obl",
    }


def test_which_requests_the_records_dated_decisions_answer(run_1938) -> None:
    """The Far Eastern krai's requests of 1937 are not held to its decision of 1 August 1938,
    nor Sverdlovsk's to its of 5 May 1938: they go to the rule and the commissar's sanction.
    Ukraine's requests of 1937 wait for its decisions of September 1937 and 31 January 1938,
    East Siberia's for 31 January 1938, as before; from the extension Sverdlovsk's wait for
    its decision. The krai's decision of 1 August is marked in the record as made after its
    operation had ended (``after_region_end``), so from the extension no decision answers
    its requests; Irkutsk's of 25 August 1938 is not marked, and answers its requests of
    May 1938 (``within_operation``)."""
    w, e = run_1938.engine.world, run_1938.engine.engine
    raw, extension = record_dated(w, e), record_extension_day(e)
    marked = record_dated(w, e, after_region_end=True)
    dated = within_operation(raw, marked)
    start = run_1938.scenario.start
    assert extension == (dt.date(1938, 1, 31) - start).days
    codes = [r.code for r in w.people.regions]
    names = ("far_eastern_krai", "sverdlovsk_obl", "kiev_obl", "east_siberian_obl", "moscow_obl")
    regions = np.array([codes.index(c) for c in names])
    # the one marked decision, on or after its region's end in the record
    ends_all = region_end_days(raw, record_ends(e))
    rows, days = np.nonzero(marked)
    assert [codes[r] for r in rows] == ["far_eastern_krai"]
    assert all(days >= ends_all[rows])

    def answered(date: dt.date) -> list[bool]:
        day = (date - start).days
        return answered_by_dated(next_dated(dated, regions, day), day, extension).tolist()

    assert answered(dt.date(1937, 8, 20)) == [False, False, True, True, True]
    assert answered(dt.date(1937, 10, 15)) == [False, False, True, True, True]
    assert answered(dt.date(1938, 2, 10)) == [False, True, True, True, False]
    assert answered(dt.date(1938, 5, 20)) == [False, False, False, True, False]
    ends = ends_all[regions] + start.toordinal()
    assert [dt.date.fromordinal(int(d)) for d in ends[:2]] == [
        dt.date(1938, 3, 15),
        dt.date(1938, 8, 1),
    ]


def test_a_blank_category_leaves_the_troikas_composition() -> None:
    """The Belorussian row of 31 January 1938 gives 1,500 in category 1 and no category 2
    (not visible in the source): the troika keeps the composition it had for its sentences
    beyond the limits; it had taken 1,500 / 0 and sentenced every such case to death."""
    import greatterror as gt

    sim = gt.Sim("historical", scale=0.001, seed=3)
    while sim.date < dt.date(1938, 1, 30):
        sim.step()
    w = sim.engine.world
    bssr = [r.code for r in w.people.regions].index("belorussian_ssr")
    w.institutions.asked_share[bssr] = 0.3
    while sim.date < dt.date(1938, 2, 2):
        sim.step()
    assert any(
        r["region"] == "belorussian_ssr" and r["date"] == "1938-01-31" and r["kind"] == "dated"
        for r in w.institutions.increases
    )
    assert w.institutions.asked_share[bssr] == pytest.approx(0.3)


def test_requests_granted_as_asked_go_on_after_the_extension() -> None:
    """Where the regions' requests set the operation (``requests_granted_as_asked`` 1, the
    setting of H3 and H4), the dated decisions do not stop them after 31 January 1938."""
    import greatterror as gt

    sim = gt.Sim("historical", scale=0.001, seed=3, pars={"requests_granted_as_asked": 1.0}).run(
        until="1938-06-30"
    )
    inst = sim.engine.world.institutions
    late = [r for r in inst.increases if str(r["date"]) > "1938-01-31"]
    assert any(r["kind"] == "as_asked" for r in late)


def test_people_drawn_from_the_whole_population_are_on_no_july_list(monkeypatch) -> None:
    """The July first-category lists were of registered people (former kulaks, criminals):
    an Order 00447 arrest drawn from the whole population (the unregistered line) is never
    flagged as on them (review12 F10: it was, at the day's share of the first blow)."""
    import greatterror as gt
    from greatterror.model import operation_00447
    from greatterror.vocabulary import LN

    flagged = {"listed": 0, "profiled": 0}
    counted = {"listed": 0, "profiled": 0}
    inner = operation_00447._arrest_00447

    def spy(w, e, day, chosen, unregistered, listed_share):  # type: ignore[no-untyped-def]
        # only those this call arrested: one of ``chosen`` already held keeps his own case
        arrested = inner(w, e, day, chosen, unregistered, listed_share)
        kind = "listed" if unregistered == LN["none"] else "profiled"
        counted[kind] += len(arrested)
        flagged[kind] += int(w.cases.has(FIRST_CATEGORY, arrested).sum())
        return arrested

    monkeypatch.setattr(operation_00447, "_arrest_00447", spy)
    gt.Sim("historical", scale=0.001, seed=3).run(until="1937-08-20")
    assert counted["profiled"] > 0 and flagged["listed"] > 0
    assert flagged["profiled"] == 0
