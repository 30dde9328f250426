"""Tests of the camps' supply plan and undernourishment (model/steps_gulag.py, issue 9).

The rule: supplies were planned on the intake of the span before the plan (the level achieved),
so only the intake beyond it is unprovided for, ``S = max(0, A(t - lag, t) - A(t - 2 lag,
t - lag)) / H(t)``; the camps' mortality follows ``S`` with a lag of months (an exponential
moving average of mean lag ``undernourishment_days``). The arrays' tests fail if the rule goes
back to the headcount (``1 - H(t - lag) / H(t)``, which a growing stock on a steady intake
raises, as in 1935-36) or loses its lag; the run's test fails if the shortfall of the mass
operations' intake does not fall in 1938 or if the steady intake of 1935-36 gives one.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest

from greatterror.model.case_flags import COLONY, HOLDING
from greatterror.model.gulag import GF, GULAG_FLOWS
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.model.steps_gulag import supply_shortfall, undernourishment

LAG, DAYS = 365, 4 * 365


def fake_engine(admitted: np.ndarray, held: np.ndarray, tau: float = 90.0) -> SimpleNamespace:
    """What the two rules read: the parameters and the ledger's admissions and headcount."""
    gulag = np.zeros((len(admitted), len(GULAG_FLOWS)))
    gulag[:, GF["admitted"]] = admitted
    ledger = SimpleNamespace(gulag=gulag, held=held, hunger=np.zeros(len(admitted)))
    return SimpleNamespace(
        params={"supply_lag_days": LAG, "undernourishment_days": tau}, ledger=ledger
    )


def test_a_growing_headcount_on_a_steady_intake_is_provided_for() -> None:
    # the camps grow by a third a year on a steady intake (as in 1935): the plan foresaw it
    held = 1e6 * 1.33 ** (np.arange(DAYS) / 365.0)
    e = fake_engine(np.full(DAYS, 1000.0), held)
    assert max(supply_shortfall(e, day) for day in range(DAYS)) == 0.0
    # the rule until 4 Dec 2026 would have left a quarter unprovided for
    assert 1.0 - held[DAYS - 1 - LAG] / held[DAYS - 2] > 0.2


def test_the_intake_beyond_the_plan_is_unprovided_for() -> None:
    admitted = np.full(DAYS, 1000.0)
    admitted[2 * LAG + 200 :] = 3000.0  # the intake triples from a day of the third year
    held = np.full(DAYS, 2e6)
    e = fake_engine(admitted, held)
    assert supply_shortfall(e, LAG - 1) == 0.0  # no span of intake recorded yet
    assert supply_shortfall(e, 2 * LAG + 200) == 0.0  # not yet above the plan
    day = 2 * LAG + 300
    assert supply_shortfall(e, day) == pytest.approx(100 * 2000.0 / 2e6)
    # a year after the surge began the plan has caught up with part of it only
    day = 3 * LAG + 250
    recent, planned = admitted[day - LAG : day].sum(), admitted[day - 2 * LAG : day - LAG].sum()
    assert supply_shortfall(e, day) == pytest.approx((recent - planned) / 2e6)


def test_before_two_spans_the_plan_is_the_first_span() -> None:
    admitted = np.full(DAYS, 1000.0)
    admitted[:LAG] = 500.0  # a low first year: the plan of the second is that year
    e = fake_engine(admitted, np.full(DAYS, 1e6))
    day = LAG + 100
    recent = admitted[day - LAG : day].sum()
    assert supply_shortfall(e, day) == pytest.approx((recent - 500.0 * LAG) / 1e6)


def test_mortality_follows_the_shortfall_by_months() -> None:
    admitted = np.full(DAYS, 1000.0)
    admitted[2 * LAG :] = 5000.0  # a step in the shortfall at day 2 * LAG
    e = fake_engine(admitted, np.full(DAYS, 5e6), tau=90.0)
    out = np.array([undernourishment(e, day) for day in range(DAYS)])
    s = np.array([supply_shortfall(e, day) for day in range(DAYS)])
    step = 2 * LAG + 1
    assert out[step - 1] == 0.0 and s[step] > 0.0
    # an exponential moving average: after 90 days about 1 - 1/e of the way
    target = s[step : step + 90]
    assert out[step + 89] < 0.7 * target[-1]
    assert out[step + 89] > 0.5 * float(np.mean(target))
    assert np.all(out <= s.max() + 1e-12)
    # with no lag it is the shortfall itself
    e1 = fake_engine(admitted, np.full(DAYS, 5e6), tau=1.0)
    assert [undernourishment(e1, d) for d in range(DAYS)] == pytest.approx(list(s))


@pytest.fixture(scope="module")
def run():
    return simulate(load_scenario("historical"), 0.001, 1)


def test_the_shortfall_falls_on_the_mass_operations_intake(run) -> None:
    sim = run.simulation
    start = load_scenario("historical").start
    years = np.array([(start + dt.timedelta(days=d)).year for d in range(sim.days)])
    hunger = sim.ledger.hunger
    # the steady intake of 1935-36 is the plan: no shortfall, whatever the stock did
    assert hunger[(years == 1935) | (years == 1936)].max() < 0.02
    # the intake of the mass operations from August 1937: a shortfall in 1938, above 1937's
    assert hunger[years == 1938].mean() > 0.08
    assert hunger[years == 1938].mean() > 2.0 * hunger[years == 1937].mean()
    assert hunger[years == 1940].max() < 0.02


def test_the_camps_shortfall_spares_the_colonies(monkeypatch) -> None:
    """The supply factor multiplies the camps' rate, not the colonies' (the OMZ supplied its
    colonies apart until autumn 1938). The camp-death draw for 20 days at a test rate on the
    stock of early 1935 at 1:1000, with the undernourishment forced to 1 and
    ``supply_mortality`` 1 (a factor of 2): the camps die at twice the base rate, the colonies
    at ``colony_mortality_ratio`` (0.7) times it. Expected shares: 0.42 and 0.18, a ratio of
    about 0.42; were the colonies under the factor, 0.42 and 0.32, about 0.76."""
    import greatterror as gt
    from greatterror.model import steps_gulag
    from greatterror.vocabulary import Status

    sim = gt.Sim("historical", scale=0.001, seed=1)
    sim.step()
    e, w, day = sim.engine.engine, sim.engine.world, int(sim.engine.day)
    c = w.cases
    held = (c.status == Status.CAMP) & ~c.unpacked(HOLDING)
    colony, camp = held & c.unpacked(COLONY), held & ~c.unpacked(COLONY)
    e.params["gulag_mortality"] = 5.0
    e.params["supply_mortality"] = 1.0
    monkeypatch.setattr(steps_gulag, "undernourishment", lambda e, day: 1.0)
    for d in range(day, day + 20):
        steps_gulag.camp_deaths(w, e, d)
    dead = c.status == Status.DIED_IN_CUSTODY
    in_colony, in_camp = float(dead[colony].mean()), float(dead[camp].mean())
    assert 0.35 < in_camp < 0.5
    assert 0.25 < in_colony / in_camp < 0.6
