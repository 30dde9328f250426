"""The 17th Congress delegates by post, and the show trials' defendants (issue 9; M07, M20).

The delegates' posts come from the mandate commission's report (data/population/marginals.csv):
the purge of the party-state elite (M20, group ``party``) opens on those of the party and
soviet apparatus; the others fall only by other routes. One historical run at 1:1,000 (the
elite layer is kept at full size at every scale), recording who arrested each delegate and
who was sentenced at each show trial.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.case_flags import LINKED
from greatterror.model.scenario import load_scenario
from greatterror.model.sim import Simulation
from greatterror.model.steps_elites import _eligible
from greatterror.population.build import build_population
from greatterror.population.codes import Elite, Mark
from greatterror.population.elite import congress_posts
from greatterror.population.inputs import load_inputs
from greatterror.population.spec import build_spec
from greatterror.vocabulary import ARMY_FLAGS, PARTY_FLAGS

SCALE, SEED = 0.001, 3
APPARATUS, CONGRESS, CC = int(Elite.APPARATUS_1934), int(Elite.CONGRESS_1934), int(Elite.CC_1934)
HIGH = int(Elite.ARMY_HIGH_COMMAND)
#: the party group's delegates: the apparatus and the CC (the army high command, with the
#: congress's military delegates, is the army group's since branch army37)
PARTY_POSTS = APPARATUS | CC
assert PARTY_POSTS | int(Elite.REGIONAL_SECRETARY) == PARTY_FLAGS


def test_the_posts_follow_the_mandate_commissions_shares() -> None:
    spec = build_spec(load_inputs())
    flags, military = congress_posts(spec, np.random.default_rng(0))
    party, soviet, army = spec.congress_posts
    assert len(flags) + military == spec.congress_1934 == 1966
    assert military == round(army * 1966)
    assert ((flags & APPARATUS) != 0).sum() == round((party + soviet) * 1966)
    assert ((flags & CC) != 0).sum() == spec.cc_1934 and (flags & CONGRESS != 0).all()


@pytest.fixture(scope="module")
def run():
    """A finished run: each delegate's and commander's first arrest (day, route) and each
    trial's verdicts."""
    pop = build_population(SCALE, SEED)
    sim = Simulation(load_scenario("historical"), pop, SEED, load_evidence())
    e = sim.engine
    heads = sim.registers.elite_heads
    delegates = heads[(pop["elite"][heads] & CONGRESS) != 0]
    watched = heads[(pop["elite"][heads] & (CONGRESS | HIGH)) != 0]
    first: dict[int, tuple[int, str]] = {}
    sentenced: list[tuple[int, np.ndarray]] = []
    arrest, sentence = e.arrest, e.sentence

    def arresting(day: int, idx: np.ndarray, op: str, *args: Any, **kw: Any) -> np.ndarray:
        out = arrest(day, idx, op, *args, **kw)
        frame = sys._getframe(1)
        route = type(frame.f_locals.get("self")).__name__ + "." + frame.f_code.co_name
        for i in out[np.isin(out, watched)].tolist():
            first.setdefault(i, (day, route))
        return out

    def sentencing(day: int, idx: np.ndarray, *args: Any, **kw: Any) -> None:
        if sys._getframe(1).f_code.co_name == "_trial":
            idx = np.asarray(idx, dtype=np.int64).copy()
            # the arrest of the case judged, as it stands on the day (a re-tried prisoner
            # is arrested again later)
            sentenced.append((day, idx, sim.cases.arrest_day[idx].copy()))
        sentence(day, idx, *args, **kw)

    e.arrest, e.sentence = arresting, sentencing  # type: ignore[method-assign]
    sim.run()
    return sim, delegates, first, sentenced


def test_the_purge_hazard_takes_delegates_only_from_the_groups_it_opened(run) -> None:
    sim, _, first, _ = run
    pop = sim.pop
    # the February-March plenum of 1937 (historical.toml)
    party_opens = (dt.date(1937, 2, 23) - sim.engine.start).days
    # the army's trial (historical.toml) opens the army group
    army_opens = (dt.date(1937, 6, 11) - sim.engine.start).days
    by_hazard = [(d, i) for i, (d, r) in first.items() if r == "PurgeOfElites.step"]
    assert len(by_hazard) > 500
    for day, i in by_hazard:
        if (pop["elite"][i] & HIGH) != 0:
            # a commander, oppositionist or not, only once the army group is open
            assert day >= army_opens
            continue
        opposition = (pop["marks"][i] & int(Mark.OPPOSITIONIST)) != 0
        # before the party group opens only the former oppositionists are open to it
        assert opposition or (day >= party_opens and (pop["elite"][i] & PARTY_POSTS) != 0)


def test_the_high_command_falls_before_may_1937_only_by_the_army_case(run) -> None:
    """Before May 1937 a commander is arrested only by the army's trial case or as a man
    named under interrogation (Primakov and Putna, August 1936); the hazard of the party
    purge opened at the February-March plenum does not reach him (fails on 8cd9919, where
    the high command was of the party group: about 170 of 850 were arrested by then)."""
    sim, _, first, _ = run
    may = (dt.date(1937, 5, 1) - sim.engine.start).days
    heads = sim.registers.elite_heads
    high = heads[(sim.pop["elite"][heads] & HIGH) != 0]
    early = [first[i] for i in high.tolist() if i in first and first[i][0] < may]
    # ``take`` (model/steps_trials.py) arrests for a trial's case, ``ArmyPurge.step`` the
    # named officers after their dismissal
    assert all(r.endswith(".take") or r == "ArmyPurge.step" for _, r in early), early
    assert len(early) < 20
    # once the army is open its high command falls: the record's near-total arrest of the
    # corps and division commanders (V-army-arr-1938's note) is not reached by dismissals alone
    assert (sim.cases.arrests[high] > 0).mean() > 0.5


def test_the_apparatus_falls_far_more_often_than_the_other_delegates(run) -> None:
    sim, delegates, first, _ = run
    flags = sim.pop["elite"][delegates]
    arrested = sim.cases.arrests[delegates] > 0
    others = (flags & (APPARATUS | ARMY_FLAGS | CC)) == 0
    apparatus = (flags & APPARATUS) != 0
    assert arrested[apparatus].mean() > 0.7 > 0.4 > arrested[others].mean() > 0.0
    # the others who fell were named under interrogation (or were former oppositionists)
    opposition = (sim.pop["marks"][delegates] & int(Mark.OPPOSITIONIST)) != 0
    for i in delegates[others & arrested & ~opposition].tolist():
        assert first[i][1] != "PurgeOfElites.step"
    # the eligible set of the party group is the party group's posts, nothing else
    sim.world.policy.elite_groups = {"party"}
    eligible = _eligible(sim.world)
    assert ((sim.pop["elite"][eligible] & PARTY_FLAGS) != 0).all()
    assert np.isin(delegates[(flags & PARTY_POSTS) != 0], eligible).all()


def test_the_defendants_were_arrested_before_their_trial_and_judged_again_only_if_brought_back(
    run,
) -> None:
    sim, _, _, sentenced = run
    by_day: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    for day, idx, arrested in sentenced:  # a trial passes its death and camp sentences apart
        by_day.setdefault(day, []).append((idx, arrested))
    trials = {(dt.date.fromisoformat(t["date"]) - sim.engine.start).days: t for t in sim.trials}
    assert set(by_day) <= set(trials) and len(by_day) >= 4
    judged: dict[int, int] = {}
    for day, parts in sorted(by_day.items()):
        idx = np.concatenate([i for i, _ in parts])
        arrested = np.concatenate([a for _, a in parts])
        assert len(idx) == len(np.unique(idx)) == trials[day]["defendants"]
        assert (arrested < day).all()
        assert sim.cases.has(LINKED, idx).all()
        assert sim.engine.is_elite[idx].all()
        # judged at two trials only if brought back (arrested again) after the first
        for i, a in zip(idx.tolist(), arrested.tolist(), strict=True):
            assert i not in judged or a > judged[i]
            judged[i] = day
