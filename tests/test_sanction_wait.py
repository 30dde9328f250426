"""Tests of the sanction wait (rule R1 of docs/design/halt-backlog.md; model/troika.py ``hold``,
``released_from_hold``; steps_halt ``review_held``).

An Order 00447 case that fits neither of its region's limits is sentenced beyond them with
``ahead_of_sanction_share`` and otherwise held until the region's limits are next raised, or
until the halt, whose review takes it. The runs watch the model from outside: the day of each
sentencing step, whom the troika held and released and the region's limits then, whom the halt
put up for review, and every sentence passed (``Engine.sentence``, wrapped). The rule without
its wait is the troika step as it was before R1 (``_no_wait``, copied here), against which the
runs are compared. About 12 s a run at 1:1,000 to mid-1939.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import greatterror as gt
from greatterror.model import steps_halt, steps_justice, troika
from greatterror.model.case_flags import FIRST_CATEGORY
from greatterror.model.kernels import Limits, TroikaQueue
from greatterror.vocabulary import EV, Status

SCALE, SEED = 0.001, 1
UNTIL = dt.date(1939, 6, 30)
HALT = dt.date(1938, 11, 17)


def _no_wait(w: Any, e: Any, day: int, queue: Any, budget: float, rng: Any, ceiling: bool) -> float:
    """The troika step before rule R1 (commit 891ada6): a case that fits neither limit is
    sentenced beyond them, none is held, the ``sanction_wait`` stream is not drawn."""
    inst = w.institutions
    waiting = queue.clear()
    waiting = waiting[w.cases.status[waiting] == Status.AWAITING_SENTENCE]
    u_wish = rng.random(len(waiting))
    u = rng.random(len(waiting))
    region = w.people["region"][waiting].astype(np.int64)
    weight = e.weights(waiting)
    cases = TroikaQueue(region, weight, u_wish, u, w.cases.has(FIRST_CATEGORY, waiting))
    limits = Limits(inst.limit_cat1, inst.used_cat1, inst.limit_cat2, inst.used_cat2)
    fallback = troika.wish_fallback(inst, float(e.params["cat1_share_troika"]), ceiling)
    ahead = np.ones(len(waiting), dtype=np.bool_)
    verdict, spent = troika.troika_verdicts(cases, limits, float(budget), ceiling, fallback, ahead)
    beyond = verdict >= 3
    if beyond.any():
        inst.beyond_limit += np.bincount(
            region[beyond], weight[beyond], minlength=len(inst.beyond_limit)
        )
    w.cases.clear(FIRST_CATEGORY, waiting[verdict > 0])
    e.sentence(day, waiting[(verdict == 1) | (verdict == 3)], "death")
    e.sentence(day, waiting[(verdict == 2) | (verdict == 4)], "camp", "troika")
    queue.push(waiting[verdict < 0])
    return float(spent)


def _sanctioned(inst: Any) -> np.ndarray:
    """Every region's limits without the provisional rise its troika acts on before the centre's
    answer (a request pending with ``pending_ahead``); computed here, not by the model's
    ``troika.sanctioned_limits``, so that a wrong rule there fails the tests."""
    provisional = (inst.pending_day != -1) & inst.pending_ahead
    pending = np.where(provisional, inst.pending_cat1 + inst.pending_cat2, 0.0)
    return np.asarray(inst.limit_cat1 + inst.limit_cat2 - pending)


@dataclass
class Watch:
    day: int = -1
    #: per sentencing step: the day and every region's sanctioned limits (both categories, without
    #: a provisional rise the troika acts on before the answer: ``_sanctioned``) at
    #: its start
    limits: dict[int, np.ndarray] = field(default_factory=dict)
    #: case -> the day it was last held; (day, cases, the days they were held) released
    held_on: dict[int, int] = field(default_factory=dict)
    released: list[tuple[int, np.ndarray, np.ndarray]] = field(default_factory=list)
    #: held now (case indices)
    holding: set[int] = field(default_factory=set)
    held_at_halt: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    reviewed: list[np.ndarray] = field(default_factory=list)
    #: (day, people) sentenced
    sentences: list[tuple[int, np.ndarray]] = field(default_factory=list)
    first_hold: int = -1


def watched(pars: dict[str, float] | None = None, no_wait: bool = False) -> tuple[Any, Watch]:
    sim = gt.Sim("historical", scale=SCALE, seed=SEED, pars=pars or {})
    e, w = sim.engine.engine, sim.engine.world
    c, inst = w.cases, w.institutions
    watch = Watch()
    step, hold, release = (
        steps_justice.sentence_troika_cases,
        troika.hold,
        troika.released_from_hold,
    )
    schedule_after, sentence, review = e.schedule_after, e.sentence, steps_halt.review_held

    def stepped(w_: Any, e_: Any, day: int, *args: Any) -> float:
        watch.day = day
        watch.limits[day] = _sanctioned(inst)
        return (_no_wait if no_wait else step)(w_, e_, day, *args)

    def held(inst_: Any, idx: np.ndarray, region: np.ndarray) -> None:
        if watch.first_hold < 0:
            watch.first_hold = watch.day
        for i in np.asarray(idx).tolist():
            watch.held_on[i] = watch.day
            watch.holding.add(i)
        hold(inst_, idx, region)

    def released(inst_: Any, regions: np.ndarray) -> np.ndarray:
        out = release(inst_, regions)
        if len(out):
            since = np.array([watch.held_on[i] for i in np.asarray(out).tolist()])
            watch.released.append((watch.day, np.array(out, dtype=np.int64), since))
            watch.holding.difference_update(np.asarray(out).tolist())
        return out

    send_on = troika.send_on

    def sent_on(w_: Any, e_: Any, day: int) -> None:
        before = set(np.asarray(inst.held_for_sanction.peek()).tolist())
        send_on(w_, e_, day)
        watch.holding.difference_update(before - set(inst.held_for_sanction.peek().tolist()))

    def sentenced(day: int, idx: np.ndarray, kind: str, *args: Any, **kw: Any) -> None:
        idx = np.array(idx, dtype=np.int64)
        assert (c.arrest_day[idx] <= day).all(), "a sentence before the arrest"
        assert not watch.holding.intersection(idx.tolist()), "a held case sentenced"
        watch.sentences.append((day, idx))
        sentence(day, idx, kind, *args, **kw)

    def scheduled(day: int, kind: str, idx: np.ndarray, delays: np.ndarray) -> None:
        if kind == steps_halt.HALT_REVIEW:
            watch.reviewed.append(np.array(idx, dtype=np.int64))
        schedule_after(day, kind, idx, delays)

    def reviewed_held(w_: Any, e_: Any, day: int, days: int) -> None:
        q = w_.institutions.held_for_sanction
        idx = np.array(q.peek(), dtype=np.int64)
        watch.held_at_halt = idx[c.status[idx] == Status.AWAITING_SENTENCE]
        review(w_, e_, day, days)
        watch.holding.clear()

    e.sentence, e.schedule_after = sentenced, scheduled
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(steps_justice, "sentence_troika_cases", stepped)
        mp.setattr(troika, "hold", held)
        mp.setattr(troika, "released_from_hold", released)
        mp.setattr(troika, "send_on", sent_on)
        mp.setattr(steps_halt, "review_held", reviewed_held)
        sim.run(until=UNTIL)
    return sim, watch


@pytest.fixture(scope="module")
def wait() -> Iterator[tuple[Any, Watch]]:
    yield watched()


@pytest.fixture(scope="module")
def no_wait() -> Iterator[tuple[Any, Watch]]:
    yield watched(no_wait=True)


def _same(a: Any, b: Any, until: int | None = None) -> bool:
    """Whether two runs' ledgers are the same on every day before ``until`` (all days: None)."""
    la, lb = a.engine.engine.ledger, b.engine.engine.ledger
    cut = slice(None, until)
    pairs = [(la.cube()[cut], lb.cube()[cut]), (la.gulag[cut], lb.gulag[cut])]
    pairs += [(getattr(la, k)[cut], getattr(lb, k)[cut]) for k in ("backlog", "decided", "held")]
    same = all(np.array_equal(x, y) for x, y in pairs)
    return same and np.array_equal(la.stock[cut], lb.stock[cut], equal_nan=True)


def test_nothing_changes_before_the_first_case_is_held(wait, no_wait) -> None:
    """The run with the wait and the run without it are the same, day for day, until the first
    case is held, and differ after it."""
    a, watch = wait
    b, _ = no_wait
    assert watch.first_hold > 0, "nothing tested: no case held"
    assert _same(a, b, watch.first_hold)
    assert not _same(a, b)


def test_the_share_one_is_the_model_without_the_wait(no_wait) -> None:
    """With ``ahead_of_sanction_share`` 1 no case is held and the run is the one without the
    rule, day for day, the halt and 1939 included."""
    a, watch = watched({"ahead_of_sanction_share": 1.0})
    b, _ = no_wait
    assert watch.first_hold == -1 and len(watch.held_at_halt) == 0
    assert _same(a, b)


def test_a_held_case_is_released_only_by_an_increase_of_its_regions_limits(wait) -> None:
    """No held case is sentenced while held (checked on each sentence, in ``watched``); each is
    released on the first day its region's sanctioned limits stand above their lowest level
    since it was held (an increase came), and only then sentenced. The troika's provisional rise
    before the centre's answer is not in the sanctioned limits (review19 F2), so a release on it
    fails here."""
    sim, watch = wait
    region = sim.engine.world.people["region"]
    days = np.array(sorted(watch.limits))
    table = np.array([watch.limits[d] for d in days])
    released = 0
    for day, idx, held_on in watch.released:
        now = table[np.searchsorted(days, day)]
        for i, on in zip(idx.tolist(), held_on.tolist(), strict=True):
            since = (days >= on) & (days < day)
            r = region[i]
            assert since.any() and now[r] > table[since, r].min(), (i, day)
            # and on the first day they rose: the troikas' step runs every day a case is held
            assert (np.diff(days[since]) == 1).all() and days[since][-1] == day - 1
            level = np.minimum.accumulate(table[since, r])
            assert (table[since, r][1:] <= level[:-1]).all(), (i, day)
            released += 1
    assert released > 20, "nothing tested: few held cases released"


def test_every_rise_of_a_regions_sanctioned_limits_releases_its_held_cases(wait) -> None:
    """The converse (review19 F7): a case still held at the halt saw no rise of its region's
    sanctioned limits after it was held; each sentencing step's limits stood at or below their
    lowest level since then, so a release that missed a region or a rise would fail here."""
    sim, watch = wait
    region = sim.engine.world.people["region"]
    halt = (HALT - sim.engine.engine.start).days
    days = np.array(sorted(watch.limits))
    table = np.array([watch.limits[d] for d in days])
    held = watch.held_at_halt
    assert len(held) > 20, "nothing tested: no case held at the halt"
    for i in held.tolist():
        since = (days >= watch.held_on[i]) & (days < halt)
        level = table[since, region[i]]
        assert (level <= np.minimum.accumulate(level)).all(), (i, watch.held_on[i])


def test_the_halt_reviews_every_case_held_then(wait) -> None:
    """At the halt the hold is emptied: every case held then is put up for the review, none is
    held after it, and a held case's sentence (after the review) comes after the halt."""
    sim, watch = wait
    inst, c = sim.engine.world.institutions, sim.engine.world.cases
    held = watch.held_at_halt
    assert len(held) > 20, "nothing tested: no case held at the halt"
    reviewed = np.concatenate(watch.reviewed)
    assert np.isin(held, reviewed).all()
    assert len(inst.held_for_sanction) == 0 and np.isnan(inst.held_limit).all()
    halt = (HALT - sim.engine.engine.start).days
    later = [idx[np.isin(idx, held)] for d, idx in watch.sentences if d > halt]
    assert sum(len(x) for x in later) > 0
    # a sentence before the case's last arrest closed an earlier case of the same person
    earlier = [
        idx[np.isin(idx, held) & (c.arrest_day[idx] <= d)]
        for d, idx in watch.sentences
        if d <= halt
    ]
    assert sum(len(x) for x in earlier) == 0


def test_many_cases_are_held_and_fewer_sentenced_beyond_the_limits(wait, no_wait) -> None:
    """With the default share (0.5) fewer sentences are passed beyond the limits than without
    the wait, and a pool of held cases is there at the halt."""
    a, watch = wait
    b, _ = no_wait
    beyond_a = a.engine.world.institutions.beyond_limit.sum()
    beyond_b = b.engine.world.institutions.beyond_limit.sum()
    assert 0 < beyond_a < 0.8 * beyond_b
    weight = float(a.engine.engine.weights(watch.held_at_halt).sum())
    assert weight > 0.1 * beyond_b


def test_people_are_conserved(wait) -> None:
    """Every person is in one state: the weight held before sentence is that of those under
    investigation or awaiting sentence (the held among them), and the ledger's arrests and
    executions agree with the final states."""
    sim, _ = wait
    e = sim.engine.engine
    c, cube = e.world.cases, e.ledger.cube()
    held = np.flatnonzero(
        (c.status == Status.INVESTIGATION) | (c.status == Status.AWAITING_SENTENCE)
    )
    assert e.world.camps.pretrial_w == pytest.approx(float(e.weights(held).sum()))
    w = e.weights(np.arange(len(c.status)))
    assert (w * c.arrests).sum() == pytest.approx(cube[..., EV["arrested"]].sum())
    assert w[c.status == Status.SHOT].sum() == pytest.approx(cube[..., EV["executed"]].sum())


def _institutions(n_regions: int = 2) -> Any:
    """The fields of ``Institutions`` the hold reads, for the rule's unit tests."""
    from types import SimpleNamespace

    from greatterror.model.state import Queue

    return SimpleNamespace(
        limit_cat1=np.full(n_regions, 10.0),
        limit_cat2=np.full(n_regions, 20.0),
        pending_day=np.full(n_regions, -1, dtype=np.int32),
        pending_cat1=np.zeros(n_regions),
        pending_cat2=np.zeros(n_regions),
        pending_ahead=np.zeros(n_regions, dtype=bool),
        held_limit=np.full(n_regions, np.nan),
        held_for_sanction=Queue(),
    )


def test_the_answer_not_the_provisional_rise_releases_the_held_cases() -> None:
    """Unit test of review19 F2: a rise the troika makes on its request before the answer
    releases nothing; the approval (the request cleared, the rise kept) releases the region's
    held cases; a refusal (the rise withdrawn) releases nothing."""
    inst = _institutions()
    regions = np.array([0, 0, 1])
    troika.hold(inst, np.array([0, 1]), np.array([0, 0]))
    # region 0's troika acts on a request of 5 + 5 before the answer
    inst.pending_day[0], inst.pending_ahead[0] = 40, True
    inst.pending_cat1[0] = inst.pending_cat2[0] = 5.0
    inst.limit_cat1[0] += 5.0
    inst.limit_cat2[0] += 5.0
    assert len(troika.released_from_hold(inst, regions)) == 0
    # refused: the rise withdrawn with the request, nothing released
    refused = _institutions()
    troika.hold(refused, np.array([0, 1]), np.array([0, 0]))
    refused.pending_day[0], refused.pending_ahead[0] = 40, True
    refused.pending_cat1[0] = 5.0
    refused.limit_cat1[0] += 5.0
    assert len(troika.released_from_hold(refused, regions)) == 0
    refused.limit_cat1[0] -= 5.0
    refused.pending_day[0], refused.pending_ahead[0], refused.pending_cat1[0] = -1, False, 0.0
    assert len(troika.released_from_hold(refused, regions)) == 0
    # approved: the request cleared, the limits as they stand
    inst.pending_day[0], inst.pending_ahead[0] = -1, False
    inst.pending_cat1[0] = inst.pending_cat2[0] = 0.0
    assert troika.released_from_hold(inst, regions).tolist() == [0, 1]


def test_a_case_back_from_the_hold_and_not_reached_comes_back_first_without_a_rise() -> None:
    """Unit test of review19 F12: a case released by a rise that the day's budget did not reach
    returns to the hold (``keep_back``) and is released again at the next step with no new
    rise; but not if a case of its region was held again that day (the rise is used up)."""
    inst = _institutions()
    regions = np.array([0, 0, 1, 1])
    troika.hold(inst, np.array([0, 1, 2, 3]), np.array([0, 0, 1, 1]))
    inst.limit_cat1 += 1.0
    assert troika.released_from_hold(inst, regions).tolist() == [0, 1, 2, 3]
    # region 0: case 0 held again, case 1 not reached; region 1: case 3 not reached
    troika.hold(inst, np.array([0]), np.array([0]))
    troika.keep_back(inst, np.array([1, 3]), np.array([0, 1]))
    assert troika.released_from_hold(inst, regions).tolist() == [3]
    inst.limit_cat2[0] += 1.0
    assert sorted(troika.released_from_hold(inst, regions).tolist()) == [0, 1]


def test_at_switch_0_the_held_cases_of_an_ended_region_go_to_the_special_board() -> None:
    """``held_after_region_end`` 0 (review19 F1's alternative): no case is held at the halt, the
    held cases of the ended regions went to the Special Board (``held_sent_on``), and none of
    them is held after its region's end; the default 1 sends none on."""
    sim, watch = watched({"held_after_region_end": 0.0})
    inst = sim.engine.world.institutions
    assert len(watch.held_at_halt) == 0 and inst.held_at_halt == 0.0
    assert inst.held_sent_on > 0.0, "nothing tested: no held case sent on"
    assert len(inst.held_for_sanction) == 0
    default, _ = watched()
    assert default.engine.world.institutions.held_sent_on == 0.0
