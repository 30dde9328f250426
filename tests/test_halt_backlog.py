"""Tests of the halt's review of the cases under investigation (rules R4-R5 of
docs/design/halt-backlog.md; ``steps_halt.suspend_investigations``, ``keep_charge``,
``HaltReview.resume``).

At the halt every political case under investigation but the elite operation's is put up for
the review (released, or sent to the Special Board or the courts, by the existing shares); an
elite case's investigation goes on under the Code of Criminal Procedure, with the post-halt
mean from the halt; a case pending at the halt keeps the charge it had then. The runs watch the
model from outside: who was under investigation just before the halt, what the halt scheduled,
and every sentence passed (``Engine.sentence``, wrapped). The counterfactual halt of 11 January
1938 (``earlier_halt``) finds many cases of Order 00447 and the national operations under
investigation; the historical halt of 17 November 1938 finds mostly the NKVD's ordinary cases.
About 3 s a run at 1:1,000 to mid-1938, 10 s to 1940.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import greatterror as gt
from greatterror.model import steps_halt, steps_policy
from greatterror.model.case_flags import SOCIAL_ORDER
from greatterror.model.charges import grave
from greatterror.vocabulary import EV, MASS_OP, NATIONAL_OP, NON_POLITICAL, OP, Status

SCALE, SEED = 0.001, 1
EARLIER_HALT = "counterfactuals/earlier_halt"
UNTIL = dt.date(1938, 12, 31)


@dataclass
class Watch:
    halt_day: int = -1
    #: under investigation just before the halt, and their operation then
    under: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    op_before: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint8))
    #: whom the halt put on the calendar, by kind
    scheduled: dict[str, list[np.ndarray]] = field(default_factory=dict)
    #: the days from the halt to each one's review or resumption, in the order of ``scheduled``
    delays: dict[str, list[np.ndarray]] = field(default_factory=dict)
    #: (day, people, kind of sentence, whether each awaited a replacement of a void sentence)
    sentences: list[tuple[int, np.ndarray, str, np.ndarray]] = field(default_factory=list)
    #: (day, people) whose investigation ended (their interrogation)
    interrogated: list[tuple[int, np.ndarray]] = field(default_factory=list)
    pretrial_after_halt: tuple[float, float] = (0.0, 0.0)

    def of(self, kind: str) -> np.ndarray:
        parts = self.scheduled.get(kind, [])
        return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, np.int64)


def watched(
    scenario: str, until: dt.date, pars: dict[str, float] | None = None
) -> tuple[Any, Watch]:
    sim = gt.Sim(scenario, scale=SCALE, seed=SEED, pars=pars or {})
    e, w = sim.engine.engine, sim.engine.world
    c = w.cases
    watch = Watch()
    schedule_after, sentence, halt = e.schedule_after, e.sentence, steps_policy.review_pending

    def schedule(day: int, kind: str, idx: np.ndarray, delays: np.ndarray) -> None:
        if kind in (steps_halt.HALT_REVIEW, steps_halt.HALT_REINVESTIGATION):
            watch.scheduled.setdefault(kind, []).append(np.array(idx, dtype=np.int64))
            watch.delays.setdefault(kind, []).append(np.array(delays, dtype=np.int64))
        schedule_after(day, kind, idx, delays)

    def sentenced(day: int, idx: np.ndarray, kind: str, *args: Any, **kw: Any) -> None:
        idx = np.array(idx, dtype=np.int64)
        again = (c.status[idx] == Status.AWAITING_SENTENCE) & (c.sentence_day[idx] >= 0)
        assert (c.arrest_day[idx] <= day).all(), "a sentence before the arrest"
        watch.sentences.append((day, idx, kind, again))
        sentence(day, idx, kind, *args, **kw)

    def review(w_: Any, e_: Any, day: int, extrajudicial: bool) -> None:
        watch.halt_day = day
        watch.under = np.flatnonzero(c.status == Status.INVESTIGATION)
        watch.op_before = c.op[watch.under].copy()
        halt(w_, e_, day, extrajudicial)
        held = (c.status == Status.INVESTIGATION) | (c.status == Status.AWAITING_SENTENCE)
        watch.pretrial_after_halt = (
            w_.camps.pretrial_w,
            float(e_.weights(np.flatnonzero(held)).sum()),
        )

    take = e.due

    def due(day: int, kind: str) -> np.ndarray:
        out = take(day, kind)
        if kind == "investigation_end" and len(out):
            idx = np.asarray(out, dtype=np.int64)
            watch.interrogated.append((day, idx[c.status[idx] == Status.INVESTIGATION]))
        return out

    e.schedule_after, e.sentence, e.due = schedule, sentenced, due
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(steps_policy, "review_pending", review)
        sim.run(until=until)
    return sim, watch


@pytest.fixture(scope="module")
def early() -> Iterator[tuple[Any, Watch]]:
    yield watched(EARLIER_HALT, UNTIL)


def test_the_review_takes_the_cases_under_investigation(early) -> None:
    """Every political case under investigation at the halt is put up for review, but the elite
    operation's, whose investigation is suspended and resumed; the non-political ones are not
    taken. The mass operations' cases leave their operation."""
    sim, watch = early
    c = sim.engine.world.cases
    under, ops = watch.under, watch.op_before
    political = (ops != NON_POLITICAL) & ~c.has(SOCIAL_ORDER, under)
    reviewed, suspended = (
        watch.of(steps_halt.HALT_REVIEW),
        watch.of(steps_halt.HALT_REINVESTIGATION),
    )
    want_review = under[political & (ops != OP["elite"])]
    want_suspend = under[political & (ops == OP["elite"])]
    mass = under[MASS_OP[ops]]
    assert len(mass) > 50, "nothing tested: no mass-operation case under investigation"
    assert len(want_suspend) > 0
    assert np.isin(want_review, reviewed).all()
    assert np.array_equal(np.sort(suspended), np.sort(want_suspend))
    assert not np.isin(under[~political], reviewed).any()
    assert not np.isin(under[~political], suspended).any()
    # the same case at the end (not taken again since): the mass ones left their operation
    same = mass[c.arrest_day[mass] < watch.halt_day]
    assert not MASS_OP[c.op[same]].any()
    # the people held before sentence are the same on the day: the statuses moved within them
    kept, counted = watch.pretrial_after_halt
    assert kept == pytest.approx(counted)


def test_no_case_is_sentenced_twice_and_none_before_its_review(early) -> None:
    """Each case taken at the halt is sentenced at most once after it (a void sentence's
    replacement aside, which is not counted again), and a reviewed case only after its
    review; an arrest precedes every sentence (checked on each sentence passed, in ``watched``)."""
    sim, watch = early
    c = sim.engine.world.cases
    taken = np.concatenate(
        [watch.of(steps_halt.HALT_REVIEW), watch.of(steps_halt.HALT_REINVESTIGATION)]
    )
    assert len(np.unique(taken)) == len(taken), "a case taken twice at the halt"
    same = taken[c.arrest_day[taken] < watch.halt_day]
    after = [
        (d, idx[np.isin(idx, same)]) for d, idx, _, _ in watch.sentences if d >= watch.halt_day
    ]
    people = np.concatenate([idx for _, idx in after])
    assert len(people) > 50, "nothing tested"
    assert len(np.unique(people)) == len(people), "a case taken at the halt sentenced twice"
    assert (c.sentence_day[people] > watch.halt_day).all()
    # each on or after the day of its review, or the day after its investigation resumed
    # (review19 F8)
    due: dict[int, int] = {}
    for kind, lag in ((steps_halt.HALT_REVIEW, 0), (steps_halt.HALT_REINVESTIGATION, 1)):
        if kind in watch.delays:
            days = np.concatenate(watch.delays[kind])
            for i, d in zip(watch.of(kind).tolist(), days.tolist(), strict=True):
                due[i] = watch.halt_day + d + lag
    checked = 0
    for day, idx in after:
        for i in idx.tolist():
            assert day >= due[i], (i, day, due[i])
            checked += 1
    assert checked == len(people)


def test_a_suspended_elite_case_is_interrogated_only_after_its_new_length(early) -> None:
    """The elite cases under investigation at the halt are not interrogated (nor sentenced) on
    the day their investigation of the old length would have ended: only after the new one,
    and most much later than the old mean allows."""
    sim, watch = early
    suspended = watch.of(steps_halt.HALT_REINVESTIGATION)
    first = {}
    for day, idx in watch.interrogated:
        if day > watch.halt_day:
            for i in idx[np.isin(idx, suspended)].tolist():
                first.setdefault(i, day)
    assert len(first) > 0, "nothing tested: no suspended case interrogated yet"
    days = np.array(list(first.values())) - watch.halt_day
    assert (days >= 2).all()  # resumed on day d, interrogated on day d + 1
    mean = float(sim.engine.engine.params["post_halt_investigation_days"])
    # of those resumed so far (the run ends 1938-12-31, 354 days after the halt), a mean near
    # half the window, not the 40 days of the old procedure
    assert days.mean() > min(mean, 354) / 4


def test_a_national_case_pending_at_the_halt_keeps_its_grave_charge(early) -> None:
    """A national operation's case taken at the halt leaves its operation but is judged on the
    espionage charge it had (``charges.kept_at_halt``); an Order 00447 case of the mass layer
    without a register mark stays an ordinary charge."""
    sim, watch = early
    w = sim.engine.world
    c = w.cases
    under, ops = watch.under, watch.op_before
    national = under[NATIONAL_OP[ops]]
    national = national[c.arrest_day[national] < watch.halt_day]
    assert len(national) > 10, "nothing tested"
    assert (c.op[national] == OP["ordinary"]).all()
    assert grave(w, national).all()
    kulak = under[ops == OP["kulak_00447"]]
    kulak = kulak[(c.arrest_day[kulak] < watch.halt_day) & (w.people["marks"][kulak] == 0)]
    kulak = kulak[w.people["elite"][kulak] == 0]
    assert len(kulak) > 10 and not grave(w, kulak).any()


def test_people_are_conserved(early) -> None:
    """After the review every person is in one state: the weight held before sentence is that
    of those under investigation or awaiting sentence, and the ledger's arrests and executions
    agree with the final states."""
    sim, _ = early
    e = sim.engine.engine
    c, cube = e.world.cases, e.ledger.cube()
    held = np.flatnonzero(
        (c.status == Status.INVESTIGATION) | (c.status == Status.AWAITING_SENTENCE)
    )
    assert e.world.camps.pretrial_w == pytest.approx(float(e.weights(held).sum()))
    everyone = np.arange(len(c.status))
    w = e.weights(everyone)
    assert (w * c.arrests).sum() == pytest.approx(cube[..., EV["arrested"]].sum())
    assert w[c.status == Status.SHOT].sum() == pytest.approx(cube[..., EV["executed"]].sum())


def test_the_rule_changes_nothing_before_the_halt() -> None:
    """The historical run with the review of the cases under investigation and without it (the
    halt as it was: queues and void sentences only, no charge kept) is the same, day for day,
    until 17 November 1938, and differs after it."""
    until = dt.date(1939, 6, 30)

    def run(new: bool) -> Any:
        sim = gt.Sim("historical", scale=SCALE, seed=SEED)
        with pytest.MonkeyPatch.context() as mp:
            if not new:
                mp.setattr(steps_halt, "suspend_investigations", lambda *a: None)
                mp.setattr(steps_halt, "keep_charge", lambda *a: None)
            sim.run(until=until)
        return sim.engine.engine

    a, b = run(True), run(False)
    halt = (dt.date(1938, 11, 17) - a.start).days
    assert a.world.policy.first_day[("halt", None)] == halt
    ca, cb = a.ledger.cube(), b.ledger.cube()
    assert np.array_equal(ca[:halt], cb[:halt])
    assert np.array_equal(a.ledger.gulag[:halt], b.ledger.gulag[:halt])
    for name in ("backlog", "decided", "held"):
        assert np.array_equal(getattr(a.ledger, name)[:halt], getattr(b.ledger, name)[:halt])
    assert np.array_equal(a.ledger.stock[:halt], b.ledger.stock[:halt], equal_nan=True)
    assert not np.array_equal(ca[halt:], cb[halt:])
