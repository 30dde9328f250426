"""Validity tests of the review of the cases pending at the halt (M22, ``steps_halt.HaltReview``,
step 26; audit of issue 9, item 3).

The halt (step 1) clears the troika, album and special-troika queues and puts each case
still awaiting sentence on the calendar for a review within ``halt_review_days``; with them it
puts the mass-operation death sentences not yet carried out, which Order 00762 and Beria's
explanation of 22 December 1938 declared void (``steps_halt.unexecuted``). The review
releases each (``halt_release_share``) or sends it to the Special Board (``halt_oso_share`` of
the rest) or to the ordinary courts. In the record's November 1938 no case waits in a queue at
the shipped values: the special troikas decide the album's backlog over their term, to
15 November 1938, and the halt finds only their last death sentences, void (first test). In the counterfactual January 1938 of ``earlier_halt`` the album's backlog (the dvoika's
ceiling, model/album.py) and the troikas' last death sentences are pending (second test). The
other tests run ``earlier_halt`` with the troikas' throughput at the bottom of its prior range,
so that Order 00447's cases are pending at the halt too.

Each run is watched from outside the model: who the halt put up for review, who each review
released or sent on (a diff of the statuses and of the two queues across the review's step),
and every batch that a channel decided (``steps_justice._decide`` and the troikas'
``sentence_troika_cases``, wrapped). About 3 s a run at 1:1,000.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from test_operations import MAX_DAILY_RELEASE_SHARE, largest_daily_release

import greatterror as gt
from greatterror.model import steps_halt, steps_justice
from greatterror.model.steps_halt import HALT_REVIEW
from greatterror.vocabulary import CH, MASS_OP, OP, Status

SCALE, SEED = 0.001, 1
EARLIER_HALT = "counterfactuals/earlier_halt"
#: the bottom of ``troika_capacity``'s prior range (data/parameters.csv): about 0.1 sampled
#: case a day at 1:1,000, so that Order 00447's cases wait for the troikas when the halt comes
#: and the review's mean time at the bottom of its prior (rule R6: geometric, mean 60 days)
BACKLOG = {"troika_capacity": 100.0, "halt_review_days": 60.0}
#: far enough past the halt (11 Jan 1938) for all but about 1% of the reviews (a geometric
#: law with mean 60 days passes 265 days with probability 1.2%) and their decisions
UNTIL = dt.date(1938, 10, 3)
#: cases that must be pending at the halt for the shares to be tested
MIN_PENDING = 200
EXTRAJUDICIAL = ("troika", "album", "special_troika")


@dataclass
class Watch:
    """What happened to the cases pending at the halt, seen from outside the model."""

    halt_day: int = -1
    pending: list[np.ndarray] = field(default_factory=list)
    #: the day each of ``pending`` is due for review (the halt's day plus its drawn delay)
    review_day: list[np.ndarray] = field(default_factory=list)
    #: the last day the review's step ran
    last_day: int = -1
    #: of those pending, who had been sentenced (to death, now void) rather than queued
    sentenced: list[np.ndarray] = field(default_factory=list)
    #: (day, people due for review, whether each was still awaiting sentence then)
    due: list[tuple[int, np.ndarray, np.ndarray]] = field(default_factory=list)
    released: list[np.ndarray] = field(default_factory=list)
    #: (day, people released by their review that day)
    released_on: list[tuple[int, np.ndarray]] = field(default_factory=list)
    to_oso: list[np.ndarray] = field(default_factory=list)
    to_courts: list[np.ndarray] = field(default_factory=list)
    #: (day, channel, the batch it decided or, for the troikas, the queue before them, halted)
    decided: list[tuple[int, str, np.ndarray, bool]] = field(default_factory=list)
    #: the cases that left a mass operation at the halt (``steps_halt.leave_operation``)
    left: list[np.ndarray] = field(default_factory=list)

    def all(self, name: str) -> np.ndarray:
        parts = getattr(self, name)
        return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, np.int64)

    def decided_by(self, channel: str, after_halt: bool = True) -> np.ndarray:
        parts = [b for _, ch, b, halted in self.decided if ch == channel and halted >= after_halt]
        return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, np.int64)


def watched_run(
    scenario: str, pars: dict[str, float], until: dt.date | str, scale: float = SCALE
) -> tuple[gt.Sim, Watch]:
    sim = gt.Sim(scenario, scale=scale, seed=SEED, pars=pars)
    model = sim.engine
    e, w = model.engine, model.world
    watch = Watch()
    queues = w.institutions.queues

    schedule_after = e.schedule_after

    def schedule(day: int, kind: str, idx: np.ndarray, delays: np.ndarray) -> None:
        if kind == HALT_REVIEW:
            watch.halt_day = day
            watch.pending.append(np.array(idx, dtype=np.int64))
            watch.review_day.append(day + np.asarray(delays, dtype=np.int64))
            watch.sentenced.append(w.cases.sentence_day[idx] >= 0)
        schedule_after(day, kind, idx, delays)

    review = next(c for c in model.loop.components if c.name == "halt_review")
    review_step = review.step

    def step(world: Any, engine: Any, day: int) -> None:
        watch.last_day = day
        before = world.cases.status.copy()
        n_oso, n_courts = len(queues[CH["oso"]]), len(queues[CH["courts"]])
        take = engine.due

        def due(d: int, kind: str) -> np.ndarray:
            out = take(d, kind)
            if kind == HALT_REVIEW and len(out):
                out_idx = np.asarray(out, dtype=np.int64)
                watch.due.append((d, out_idx, before[out_idx] == Status.AWAITING_SENTENCE))
            return out

        engine.due = due
        try:
            review_step(world, engine, day)
        finally:
            del engine.due
        after = world.cases.status
        freed = (before == Status.AWAITING_SENTENCE) & (after == Status.RELEASED)
        watch.released.append(np.flatnonzero(freed))
        watch.released_on.append((day, np.flatnonzero(freed)))
        watch.to_oso.append(queues[CH["oso"]].peek()[n_oso:].astype(np.int64))
        watch.to_courts.append(queues[CH["courts"]].peek()[n_courts:].astype(np.int64))

    decide = steps_justice._decide
    troikas = steps_justice.sentence_troika_cases

    def watched_decide(e_: Any, day: int, batch: np.ndarray, channel: str, *rest: Any) -> None:
        halted = bool(e_.world.policy.halted)
        watch.decided.append((day, channel, np.array(batch, dtype=np.int64), halted))
        decide(e_, day, batch, channel, *rest)

    def watched_troikas(w_: Any, e_: Any, day: int, queue: Any, *rest: Any) -> Any:
        waiting = np.array(queue.peek(), dtype=np.int64)
        watch.decided.append((day, "troika", waiting, bool(w_.policy.halted)))
        return troikas(w_, e_, day, queue, *rest)

    leave = steps_halt.leave_operation

    def watched_leave(w_: Any, e_: Any, day: int, idx: np.ndarray) -> None:
        watch.left.append(np.array(idx, dtype=np.int64))
        leave(w_, e_, day, idx)

    e.schedule_after = schedule
    review.step = step
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(steps_justice, "_decide", watched_decide)
        mp.setattr(steps_justice, "sentence_troika_cases", watched_troikas)
        mp.setattr(steps_halt, "leave_operation", watched_leave)
        sim.run(until=until)
    return sim, watch


@pytest.fixture(scope="module")
def backlog() -> Iterator[tuple[gt.Sim, Watch]]:
    yield watched_run(EARLIER_HALT, BACKLOG, UNTIL)


def test_in_november_1938_the_review_finds_void_sentences_and_cases_under_investigation() -> None:
    """Audit of issue 9, item 3: by the halt of 17 November 1938 the special troikas have
    decided the album's backlog over their term (to 15 November) and the operations have
    ended, so no case waits in a channel's queue (the Order 00447 cases held for a sanction,
    rule R1, are tested in tests/test_sanction_wait.py); the halt finds the special troikas'
    last death sentences not yet carried out, void (Order 00762; Beria's explanation of 22 December 1938),
    whose cases leave the operation for the resolution's procedure, and which the review
    releases or sends on. With them the review takes the political cases under investigation
    at the halt but the elite operation's (rule R4, docs/design/halt-backlog.md; mostly the
    NKVD's ordinary cases in November 1938, and Order 00486's wives: tests/test_halt_backlog.py
    tests them)."""
    # at 1:100: the last days' void sentences are a handful of sampled cases at 1:1,000
    sim, watch = watched_run("historical", {}, "1939-03-31", scale=0.01)
    assert sim.engine.world.policy.halted
    cases = sim.engine.world.cases
    pending = watch.all("pending")
    sentenced = np.concatenate(watch.sentenced) if watch.sentenced else np.empty(0, bool)
    assert sentenced.any() and (~sentenced).any(), "void sentences and cases under investigation"
    # their case leaves the operation (a new sentence is not its), whose arrests hold them
    assert (cases.op[pending[sentenced]] == OP["ordinary"]).all()
    assert not MASS_OP[cases.op[pending]].any()
    # a void sentence is never carried out: one of them shot was sentenced to death again,
    # after the halt, by the court the review sent him to
    reviewed = [watch.all(k) for k in ("released", "to_oso", "to_courts")]
    shot = pending[cases.status[pending] == Status.SHOT]
    halt = (dt.date(1938, 11, 17) - sim.engine.engine.start).days
    assert (cases.sentence_day[shot] > halt).all()
    assert np.isin(shot, reviewed[2]).all()
    # reviewed by the run's end: a geometric time with mean ``halt_review_days`` (rule R6)
    # passes the 134 days to 31 March 1939 with probability (1 - 1/mean) ** 134
    days = float(sim.engine.engine.params["halt_review_days"])
    due = 1.0 - (1.0 - 1.0 / days) ** (dt.date(1939, 3, 31) - dt.date(1938, 11, 17)).days
    assert sum(len(r) for r in reviewed) >= 0.85 * due * len(pending)
    # the void sentences put them back among those held before sentence, and the running
    # weight of these (the prisons' crowding, model/holding.py) still counts them once
    st = cases.status
    before_sentence = np.flatnonzero(
        (st == Status.INVESTIGATION) | (st == Status.AWAITING_SENTENCE)
    )
    engine = sim.engine.engine
    assert engine.world.camps.pretrial_w == pytest.approx(engine.weights(before_sentence).sum())


def test_an_earlier_halt_finds_the_albums_backlog_and_voids_the_last_death_sentences() -> None:
    """A halt on 11 January 1938 (``earlier_halt``) at the shipped values finds the album's
    backlog (the dvoika had fallen behind by the autumn of 1937) and the troikas' death
    sentences of the last days not yet carried out: both are reviewed, and no one whose
    death sentence was void is shot after the halt."""
    sim, watch = watched_run(EARLIER_HALT, {}, "1938-03-31")
    cases = sim.engine.world.cases
    pending = watch.all("pending")
    sentenced = np.concatenate(watch.sentenced)
    # a channel's queue or under investigation (R4: a wife's case of Order 00486 keeps its
    # operation, which is not a mass one), or sentenced
    queued, void = pending[~sentenced], pending[sentenced]
    assert len(queued) > 0 and len(void) > 0, (len(queued), len(void))
    # both kinds leave the operation: a sentence after the review is not the operation's
    assert (cases.op[void] == OP["ordinary"]).all()
    assert not MASS_OP[cases.op[queued]].any()
    assert not (cases.status[void] == Status.SHOT).any()
    assert len(watch.due) > 0


def test_the_review_acts_on_every_case_pending_at_the_halt(backlog) -> None:
    """(a) Each case pending at the halt comes up for review once, after a time drawn with mean
    ``halt_review_days`` (rule R6: geometric, at least a day), and every one still awaiting
    sentence then is decided: released, or sent to the Special Board or the courts."""
    sim, watch = backlog
    pending = watch.all("pending")
    assert len(pending) >= MIN_PENDING, f"only {len(pending)} pending at the halt"
    assert len(np.unique(pending)) == len(pending)
    days = int(sim.engine.params["halt_review_days"])
    due_days = np.concatenate([np.full(len(idx), d) for d, idx, _ in watch.due])
    due = np.concatenate([idx for _, idx, _ in watch.due])
    assert len(np.unique(due)) == len(due), "a case reviewed twice"
    assert np.isin(due, pending).all(), "a case reviewed that was not pending"
    assert due_days.min() > watch.halt_day
    # the reviews due within the run: a geometric law with mean ``days``, cut at the run's end
    # (``horizon`` days after the halt), has this mean below the cut
    horizon = (UNTIL - sim.engine.engine.start).days - watch.halt_day
    k = np.arange(1, horizon + 1)
    law = (1.0 / days) * (1.0 - 1.0 / days) ** (k - 1)
    waited = due_days - watch.halt_day
    assert waited.mean() == pytest.approx((k * law).sum() / law.sum(), rel=0.15)
    assert len(due) == pytest.approx(len(pending) * law.sum(), rel=0.05)
    # exactly those whose drawn day came within the run (review19 F9), each on that day
    review_day = watch.all("review_day")
    within = review_day <= watch.last_day
    assert np.array_equal(np.sort(due), np.sort(pending[within]))
    on = dict(zip(pending.tolist(), review_day.tolist(), strict=True))
    assert all(on[i] == d for d, idx, _ in watch.due for i in idx.tolist())
    # spread over the period, not bunched on a few days
    assert len(np.unique(due_days)) >= min(days, len(pending)) // 2
    awaiting = np.concatenate([idx[a] for _, idx, a in watch.due])
    reviewed = np.concatenate([watch.all("released"), watch.all("to_oso"), watch.all("to_courts")])
    assert np.array_equal(np.sort(reviewed), np.sort(awaiting))
    assert len(awaiting) >= 0.9 * len(pending)


def test_no_case_pending_at_the_halt_goes_before_a_troika_after_it(backlog) -> None:
    """(b) The resolution of 17 November 1938 (G12-30) abolished the troikas, and the album
    procedure ended with them: after the halt none of these decides a pending case (and, with
    the channels closed, none decides any case)."""
    _, watch = backlog
    pending = watch.all("pending")
    before = watch.decided_by("troika", after_halt=False)
    assert np.isin(pending, before).any(), "the troikas never held these cases: nothing tested"
    for channel in EXTRAJUDICIAL:
        after = watch.decided_by(channel)
        assert not np.isin(pending, after).any(), f"{channel} decided a pending case after the halt"
        assert len(after) == 0, f"{channel} decided {len(after)} cases after the halt"


def test_a_case_pending_at_the_halt_keeps_the_line_it_was_arrested_on(backlog) -> None:
    """The halt sends pending cases to the courts and the Special Board (they are no longer the
    operation's), but their arrests were made on an operation's line, and the summary's
    ``lines`` count them there (review of 5 Dec 2026, F6: they lost their line and dropped out
    of ``lines``)."""
    sim, watch = backlog
    # the cases of a mass operation (the review takes ordinary cases under investigation too)
    pending = watch.all("left")
    assert np.isin(pending, watch.all("pending")).all()
    cases = sim.engine.world.cases
    # the same case at the run's end: not taken again in a new case since the halt
    same = pending[cases.arrest_day[pending] < watch.halt_day]
    assert len(same) >= 0.9 * len(pending)
    assert (cases.op[same] == OP["ordinary"]).all(), "nothing tested: pending cases not moved"
    assert (cases.line[same] > 0).all(), "a pending case lost its line at the halt"


def _binomial_ok(k: int, n: int, p: float) -> bool:
    """``k`` of ``n`` within four standard deviations of ``n * p``."""
    return abs(k - n * p) <= 4.0 * np.sqrt(n * p * (1.0 - p)) + 1e-9


def test_the_review_releases_and_sends_on_in_the_parameters_shares(backlog) -> None:
    """(c) At the shipped shares (0.7 released; of the rest, half to the Special Board)."""
    sim, watch = backlog
    p = sim.engine.params
    released, oso, courts = (len(watch.all(k)) for k in ("released", "to_oso", "to_courts"))
    n = released + oso + courts
    assert n >= MIN_PENDING
    assert _binomial_ok(released, n, p["halt_release_share"]), (released, n)
    assert _binomial_ok(oso, oso + courts, p["halt_oso_share"]), (oso, oso + courts)


@pytest.mark.parametrize(
    ("release", "oso", "where"),
    [(1.0, 0.5, "released"), (0.0, 1.0, "to_oso"), (0.0, 0.0, "to_courts")],
)
def test_the_shares_at_their_bounds_send_every_reviewed_case_one_way(release, oso, where) -> None:
    """(c) ``halt_release_share`` 1 releases everyone reviewed and 0 no one; of the rest,
    ``halt_oso_share`` 1 sends everyone to the Special Board and 0 everyone to the courts."""
    pars = BACKLOG | {"halt_release_share": release, "halt_oso_share": oso}
    _, watch = watched_run(EARLIER_HALT, pars, "1938-05-31")
    counts = {k: len(watch.all(k)) for k in ("released", "to_oso", "to_courts")}
    assert counts[where] >= MIN_PENDING, counts
    assert sum(counts.values()) == counts[where], counts


def test_the_reviews_release_no_more_than_one_percent_a_day(backlog) -> None:
    """(d) Issue 9: no one-day mass release. The earlier halt's releases order (13 January
    1938) is dated, but the model releases on it no more than on other days, so no day is
    exempted."""
    sim, watch = backlog
    assert len(watch.all("released")) >= MIN_PENDING // 2
    day, released, held = largest_daily_release(sim.engine)
    assert released <= MAX_DAILY_RELEASE_SHARE * max(held, 1.0), (
        f"day {day} released {released:.0f} of {held:.0f} held"
    )


def test_the_review_spreads_its_releases_over_the_drawn_days(backlog) -> None:
    """(d) Against the pool, not against everyone held (review19 F10): the reviews due each day
    follow the geometric law with mean ``halt_review_days`` (four standard deviations of a
    binomial count on every day), and no day releases more than it reviews. A review that
    bunched its releases (a fifth of the pool in a day) fails here, where the 1% of everyone
    held above cannot see it."""
    sim, watch = backlog
    pending = watch.all("pending")
    n = len(pending)
    assert n >= MIN_PENDING
    mean = float(sim.engine.params["halt_review_days"])
    waited = watch.all("review_day") - watch.halt_day
    counts = np.bincount(waited)
    k = np.arange(len(counts))
    law = np.where(k >= 1, (1.0 / mean) * (1.0 - 1.0 / mean) ** (k - 1), 0.0)
    assert (counts <= n * law + 4.0 * np.sqrt(n * law * (1.0 - law)) + 1.0).all(), counts[:10]
    # a case is released on the day of its review, none on another day
    due_on = {d: idx for d, idx, _ in watch.due}
    freed_any = 0
    for day, freed in watch.released_on:
        if len(freed):
            assert np.isin(freed, due_on.get(day, np.empty(0, np.int64))).all(), day
            freed_any += len(freed)
    assert freed_any >= MIN_PENDING // 2


def test_every_case_pending_at_the_halt_ends_in_exactly_one_place(backlog) -> None:
    """(e) Conservation: each pending case is released by its review, or decided by the channel
    it was sent to (never by the other), or still waits there, or had left custody before its
    review (died), or is not yet reviewed at the run's end (rule R6: those whose drawn day is
    past it, about 1% at a mean of 60 days); none is lost and none counted twice."""
    sim, watch = backlog
    cases = sim.engine.world.cases
    queues = sim.engine.world.institutions.queues
    pending = watch.all("pending")
    released, to_oso, to_courts = (watch.all(k) for k in ("released", "to_oso", "to_courts"))
    oso, courts = watch.decided_by("oso"), watch.decided_by("courts")
    gone = np.concatenate([idx[~a] for _, idx, a in watch.due])
    not_due = pending[~np.isin(pending, np.concatenate([idx for _, idx, _ in watch.due]))]
    # exactly those whose drawn review day is past the run's end (review19 F9)
    later = pending[watch.all("review_day") > watch.last_day]
    assert np.array_equal(np.sort(not_due), np.sort(later))
    places = {
        "released by the review": released,
        "sentenced by the Special Board": to_oso[np.isin(to_oso, oso)],
        "waiting for the Special Board": to_oso[np.isin(to_oso, queues[CH["oso"]].peek())],
        "sentenced by the courts": to_courts[np.isin(to_courts, courts)],
        "waiting for the courts": to_courts[np.isin(to_courts, queues[CH["courts"]].peek())],
        "gone before the review": gone,
        "not yet reviewed": not_due,
    }
    placed = np.concatenate(list(places.values()))
    assert len(placed) == len(np.unique(placed)), "a case in two places"
    assert np.array_equal(np.sort(placed), np.sort(pending)), "a case lost"
    assert not np.isin(to_oso, courts).any() and not np.isin(to_courts, oso).any()
    # the sentenced were sentenced after the halt, and those gone had died in custody
    sentenced = np.concatenate(
        [places["sentenced by the Special Board"], places["sentenced by the courts"]]
    )
    assert (cases.sentence_day[sentenced] > watch.halt_day).all()
    assert (cases.status[gone] == Status.DIED_IN_CUSTODY).all()
    assert len(places["released by the review"]) > 0 and len(sentenced) > 0
