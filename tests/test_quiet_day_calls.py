"""Shortcuts of branch quietday (docs/performance-log.md): values a step kept for its run are
those of the run it is given, and a loop left out on a day is one that would have done nothing.

Each test gives a step work on a day, or a run, its shortcut could wrongly skip: another run
with other parameters, a national operation running, a dict of line specs not seen before.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import numpy as np
import pytest

import greatterror as gt
from greatterror.model import steps_justice
from greatterror.model.lines import line_of_marks, lines_of_marks
from greatterror.model.steps_gulag import famine_excess
from greatterror.model.steps_policy import _decay
from greatterror.model.steps_register_selection import NATIONAL_OPS
from greatterror.vocabulary import LINES_OF


@pytest.fixture(scope="module")
def sim() -> gt.Sim:
    s = gt.Sim("historical", scale=0.0001, seed=1)
    s.run(until="1937-09-01")
    return s


def _copy(sim: gt.Sim) -> Any:
    """A copy of the run (``model.sim.Simulation``), so that each test steps its own."""
    return copy.deepcopy(sim.engine)


def test_punishment_uses_the_famine_excess_of_the_run_it_is_given(
    sim: gt.Sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A component that kept another run's excess (other parameters) computes this run's."""
    run = _copy(sim)
    e, w, day = run.engine, run.world, int(run.day)
    assert len(w.camps.debilitated), "the first day's prisoners must still be listed"
    given: list[float | None] = []
    monkeypatch.setattr(steps_justice, "famine_debility", lambda w, e, d, x0=None: given.append(x0))
    step = run.loop["punishment"]
    step._excess_of, step._excess = object(), 10.0  # another run's: must not be used
    step.step(w, e, day)
    want = famine_excess(e.evidence, e.params, e.start)
    assert given == [want] and want != 10.0
    e.params = {**e.params, "gulag_mortality": 0.0}  # a run with other parameters
    other = copy.copy(e)
    step.step(w, other, day + 1)
    assert given[-1] == famine_excess(e.evidence, other.params, e.start) != want


def test_punishment_skips_the_debility_only_when_no_one_is_listed(
    sim: gt.Sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _copy(sim)
    calls: list[int] = []
    monkeypatch.setattr(steps_justice, "famine_debility", lambda w, e, d, x0=None: calls.append(d))
    run.loop["punishment"].step(run.world, run.engine, int(run.day))
    assert calls == [int(run.day)]
    run.world.camps.debilitated = run.world.camps.debilitated[:0]
    run.loop["punishment"].step(run.world, run.engine, int(run.day) + 1)
    assert calls == [int(run.day)]


def test_perception_decays_by_the_half_lives_of_the_run_it_is_given(sim: gt.Sim) -> None:
    """Kept factors of another run (a planted stale tuple) are not used: the threat, war,
    cost and vigilance of this run decay by this run's half-lives."""
    run = _copy(sim)
    e, w, day = run.engine, run.world, int(run.day)
    step = run.loop["perception"]
    e.params = {**e.params, "war_half_life": 7.0, "vigilance_half_life": 11.0}
    inst = w.institutions
    inst.war, inst.vigilance = 2.0, 3.0
    step._factors_of, step._factors = object(), (1.0, 1.0, 1.0, 1.0, False, False)
    step.step(w, e, day)
    assert inst.war == 2.0 * _decay(7.0)
    assert inst.vigilance == 3.0 * _decay(11.0)


def test_the_national_operations_loop_runs_while_one_runs(sim: gt.Sim) -> None:
    """With a national operation running the step draws from the ``national`` stream; with
    none it does not (the set test that leaves the loops out, ``NATIONAL_OPS``)."""
    assert frozenset(LINES_OF) - {"kulak_00447"} == NATIONAL_OPS
    run = _copy(sim)
    e, w, day = run.engine, run.world, int(run.day)
    running = w.policy.operations & NATIONAL_OPS
    assert running, "the fixture's day must fall in the national operations"
    before = str(e.rng.national.bit_generator.state)
    run.loop["register_selection"].step(w, e, day)
    assert str(e.rng.national.bit_generator.state) != before
    w.policy.operations -= NATIONAL_OPS
    before = str(e.rng.national.bit_generator.state)
    run.loop["register_selection"].step(w, e, day + 1)
    assert str(e.rng.national.bit_generator.state) == before


def test_the_mark_lines_of_a_new_dict_of_specs_are_read_again(sim: gt.Sim) -> None:
    """The run's registers keep the mark lines of their own specs (``Registers.mark_lines``,
    no module-level cache: review32 F1); another dict, with one line's register changed,
    gives that dict's lines, and the first its own again."""
    registers = sim.engine.world.registers
    specs = registers.specs
    marks = sim.engine.world.people["marks"][:5000]
    first = line_of_marks(marks, specs)
    assert first.any()
    assert np.array_equal(lines_of_marks(marks, registers.mark_lines), first)
    on_marks = [n for n in LINES_OF["kulak_00447"] if specs[n].register.startswith("mark:")]
    other = dict(specs)
    for name in on_marks:
        other[name] = dataclasses.replace(specs[name], register="none")
    assert not line_of_marks(marks, other).any()
    assert np.array_equal(line_of_marks(marks, specs), first)


def test_the_halts_reviews_are_scheduled_only_once_halted_and_then_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``HaltReview`` returns at once before the halt: its condition is that the reviews
    (``review_pending``) are scheduled only after ``halted`` is set. Through the halt of
    November 1938 the reviews are scheduled with the flag set, and then come due and are
    taken by the step (the guard lets them through)."""
    from greatterror.model import steps_halt, steps_policy
    from greatterror.model.engine import Engine

    halted_at_review: list[bool] = []
    real_review = steps_policy.review_pending

    def review(w: Any, e: Any, day: int, extrajudicial: bool) -> None:
        halted_at_review.append(w.policy.halted)
        real_review(w, e, day, extrajudicial)

    monkeypatch.setattr(steps_policy, "review_pending", review)
    taken: list[int] = []
    real_due = Engine.due

    def due(self: Engine, day: int, kind: str) -> np.ndarray:
        out = real_due(self, day, kind)
        if kind == steps_halt.HALT_REVIEW:
            taken.append(len(out))
        return out

    monkeypatch.setattr(Engine, "due", due)
    gt.Sim("historical", scale=0.0001, seed=1).run(until="1939-03-01")
    assert halted_at_review == [True]
    assert sum(taken) > 0


def test_the_elites_purge_arrests_those_due_today(sim: gt.Sim) -> None:
    """The purge of the elites calls the arrests only when someone is due: a member of the
    elite layer and a first secretary's client put on the calendar for today are taken."""
    from greatterror.vocabulary import Status

    run = _copy(sim)
    e, w, day = run.engine, run.world, int(run.day)
    free = w.cases.status == Status.FREE
    elite = np.flatnonzero(free & e.is_elite)
    unarrestable = set(e.unarrestable.tolist()) if len(e.unarrestable) else set()
    person = next(int(i) for i in elite if int(i) not in unarrestable)
    client = int(np.flatnonzero(free & ~e.is_elite & (w.people["patron"] >= 0))[0])
    e.schedule(day, "arrest_elite", np.array([person]))
    e.schedule(day, "arrest_client", np.array([client]))
    run.loop["purge_of_elites"].step(w, e, day)
    assert w.cases.status[person] != Status.FREE
    assert w.cases.status[client] != Status.FREE
