"""The reviews after the halt release only sentences of Yezhov's tenure (issue 9, the Gulag).

``HaltAndRelease`` (step 12) releases camp prisoners by review from Beria's order of
26 November 1938; ``steps_halt.under_review`` says whose sentences the reviews reach: those
passed from Yezhov's appointment (26 September 1936) to the halt (17 November 1938), never a
non-political convict's. One historical run at 1:1000 (a few seconds) records everyone the
step releases.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest

from greatterror.model.engine import Engine
from greatterror.model.gulag import GF
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.model.steps_halt import under_review
from greatterror.model.steps_justice import HaltAndRelease
from greatterror.vocabulary import NON_POLITICAL

SCALE, SEED = 0.001, 1


def _day(scenario, action: str, **match: str) -> int:
    """The scenario's day of its first event ``action`` (with the fields ``match``)."""
    dates = [
        ev.date
        for ev in scenario.events
        if ev.action == action and all(getattr(ev, k) == v for k, v in match.items())
    ]
    return (min(dates) - scenario.start).days


@pytest.fixture(scope="module")
def reviewed():
    """(scenario, the run, [(sentence days, categories, release day, weight) of each review's
    releases])."""
    scenario = load_scenario("historical")
    freed: list[tuple[np.ndarray, np.ndarray, int, float]] = []
    active = [False]
    step, release = HaltAndRelease.step, Engine.release

    def recording_step(self, w, e, day):
        active[0] = True
        try:
            step(self, w, e, day)
        finally:
            active[0] = False

    def recording_release(self, day, idx):
        if active[0] and len(idx):
            c = self.world.cases
            weight = float(self.weights(np.asarray(idx, dtype=np.int64)).sum())
            freed.append((c.sentence_day[idx].astype(np.int64), c.op[idx].copy(), day, weight))
        return release(self, day, idx)

    mp = pytest.MonkeyPatch()
    mp.setattr(HaltAndRelease, "step", recording_step)
    mp.setattr(Engine, "release", recording_release)
    try:
        run = simulate(scenario, SCALE, SEED)
    finally:
        mp.undo()
    return scenario, run, freed


def test_reviews_release_only_the_sentences_of_yezhovs_tenure(reviewed) -> None:
    scenario, run, freed = reviewed
    assert freed, "the reviews released no one"
    yezhov = _day(scenario, "chief_change", chief="yezhov")
    halt = _day(scenario, "halt")
    releases = _day(scenario, "releases")
    sentence = np.concatenate([f[0] for f in freed])
    op = np.concatenate([f[1] for f in freed])
    assert (sentence >= yezhov).all() and (sentence < halt).all()
    assert (op != NON_POLITICAL).all()
    assert min(f[2] for f in freed) >= releases
    # the ledger counts exactly them
    sim = run.simulation
    total = sim.ledger.gulag[:, GF["released_review"]].sum()
    assert total == pytest.approx(sum(f[3] for f in freed))


def test_under_review_is_the_window_from_yezhov_to_the_halt() -> None:
    cases = SimpleNamespace(sentence_day=np.array([-1, 9, 10, 50, 99, 100, 200], dtype=np.int16))
    policy = SimpleNamespace(first_day={("chief_change", "yezhov"): 10, ("halt", None): 100})
    w = SimpleNamespace(cases=cases, policy=policy)
    idx = np.arange(7)
    assert under_review(w, idx).tolist() == [False, False, True, True, True, False, False]
    # no Yezhov and no halt yet: every sentence so far can be reviewed
    policy.first_day = {}
    assert under_review(w, idx).all()


def test_the_scenario_dates_the_window() -> None:
    scenario = load_scenario("historical")
    start = scenario.start
    assert start + dt.timedelta(_day(scenario, "chief_change", chief="yezhov")) == dt.date(
        1936, 9, 26
    )
    assert start + dt.timedelta(_day(scenario, "halt")) == dt.date(1938, 11, 17)
