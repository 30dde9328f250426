"""The elite cases' investigations after the halt (M22; model/engine.py, ``investigation_mean``).

After the resolution of 17 November 1938 the elite operation's cases were investigated by the Code
of Criminal Procedure and reached the Military Collegium months later (docs/ODD.md, section 7.2b).
"""

from __future__ import annotations

import numpy as np
import pytest

import greatterror as gt
from greatterror.model.engine import investigation_mean
from greatterror.model.engine_reference import investigation_reference
from greatterror.vocabulary import OP

PARAMS = {
    "post_halt_investigation_days": 300.0,
    "investigation_days": 40.0,
    "troika_investigation_days": 12.0,
}


def test_only_elite_cases_after_the_halt_take_the_long_investigation() -> None:
    assert investigation_mean(OP["elite"], PARAMS, post_halt=True) == 300.0
    assert investigation_mean(OP["elite"], PARAMS, post_halt=False) == 40.0
    assert investigation_mean(OP["ordinary"], PARAMS, post_halt=True) == 40.0
    assert investigation_mean(OP["national_polish"], PARAMS, post_halt=True) == 12.0
    # the cadres' slowdown lengthens every mean but the post-halt one, whose documented
    # lengths (Yezhov, Koltsov) already include the shortage of investigators of 1939
    assert investigation_mean(OP["elite"], PARAMS, post_halt=True, slowdown=2.0) == 300.0
    assert investigation_mean(OP["elite"], PARAMS, post_halt=False, slowdown=2.0) == 80.0
    assert investigation_mean(OP["national_polish"], PARAMS, post_halt=True, slowdown=2.0) == 24.0


@pytest.fixture(scope="module")
def sim() -> gt.Sim:
    """A run of the historical scenario at 1:1000 to the day after the halt."""
    s = gt.Sim("historical", scale=0.001, seed=1)
    s.run(until="1938-11-20")
    return s


def test_the_engine_draws_elite_investigations_after_the_halt_with_the_long_mean(sim) -> None:
    """Fails if the engine's elite investigations after the halt keep the ordinary mean, or if
    the rule does not follow M22's switch. The lengths are drawn by ``investigation_reference``
    (NumPy, from ``Engine.investigation_p``), which tests/test_core_arrest.py holds equal to the
    compiled arrest's draws."""
    e, world = sim.engine.engine, sim.engine.world
    assert world.policy.halted
    state = e.rng.duration.bit_generator.state
    elite = investigation_reference(e, OP["elite"], 20000).mean()
    ordinary = investigation_reference(e, OP["ordinary"], 20000).mean()
    assert elite == pytest.approx(300.0, rel=0.05)
    assert ordinary == pytest.approx(40.0, rel=0.05)
    world.institutions.post_halt_procedure = False  # as with M22 off
    try:
        assert investigation_reference(e, OP["elite"], 20000).mean() == pytest.approx(
            40.0, rel=0.05
        )
    finally:
        world.institutions.post_halt_procedure = True
        e.rng.duration.bit_generator.state = state


def test_the_post_halt_regime_marks_the_procedure_only_with_m22_on() -> None:
    """``PostHaltRegime`` sets ``post_halt_procedure`` on a halted day with M22 on, never
    before the halt nor with M22 off."""
    from types import SimpleNamespace

    from greatterror.model.steps_post_halt import PostHaltRegime

    def world(halted: bool) -> SimpleNamespace:
        inst = SimpleNamespace(post_halt_procedure=False)
        levers = SimpleNamespace(campaign=1.0, intensity=1.0)
        return SimpleNamespace(
            policy=SimpleNamespace(halted=halted), institutions=inst, levers=levers
        )

    def engine(m22: bool) -> SimpleNamespace:
        return SimpleNamespace(params={"post_halt_restraint": 0.3}, switch=lambda m: m22)

    comp = PostHaltRegime()
    for halted, m22, expected in ((True, True, True), (False, True, False), (True, False, False)):
        w = world(halted)
        comp.step(w, engine(m22), 0)  # type: ignore[arg-type]
        assert w.institutions.post_halt_procedure is expected


def test_the_elite_cases_of_1939_reach_the_military_collegium_in_1940(sim) -> None:
    """Elite cases opened after the halt end their investigation over more than a year:
    a share of them in 1940 (exp(-410/300) is about a quarter of those opened on the halt's
    day; without the rule, exp(-410/40), none)."""
    e = sim.engine.engine
    days = investigation_reference(e, OP["elite"], 5000)
    end_1939 = (np.datetime64("1940-01-01") - np.datetime64("1938-11-20")).astype(int)
    assert 0.15 < (days >= end_1939).mean() < 0.4
