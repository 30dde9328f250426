"""The leader's rule in its plan mode (``centre_plan``, model/leader_plan.py; issue 10): H1e's
centre launches, limits and halts on the days and at the sizes its plan's parameters give,
through the same decisions as the record and the rule.

Runs at 1:10,000 with the plan moved early (1935), so that each stops soon after what it
checks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from test_switches import first_difference

from greatterror.evidence.loader import load_evidence
from greatterror.model import leader_plan
from greatterror.model.hypothesis_catalog import find_hypothesis
from greatterror.model.limits import initial_limits
from greatterror.model.sim import Simulation
from greatterror.population.build import build_population

SCALE, SEED = 0.0001, 2
#: an early plan: the executor in spring 1935, Order 00447 in July, the national operations
#: a month later, the halt after four months
EARLY = {
    "plan_launch_year": 1935.5,
    "plan_national_offset_days": 30.0,
    "plan_chief_lead_days": 60.0,
    "plan_duration_days": 120.0,
    "plan_cat1_share": 0.02,
    "plan_cat2_share": 0.1,
}


@pytest.fixture(scope="module")
def parts():
    return find_hypothesis("H1e"), build_population(SCALE, SEED), load_evidence()


def _run(parts, until: int, **pars: float) -> Simulation:
    scenario, population, evidence = parts
    sim = Simulation(scenario, population, SEED, evidence, {**EARLY, **pars})
    for _ in range(until + 1):
        sim.step()
    return sim


def _decided(sim: Simulation, action: str, detail: str | None = None) -> list[str]:
    log = sim.world.policy.log
    return [d["date"] for d in log if d["action"] == action and detail in (None, d["detail"])]


def test_h1e_runs_the_plan_mode() -> None:
    assert leader_plan.planned(find_hypothesis("H1e").parameter_values())
    assert not leader_plan.planned(find_hypothesis("H3").parameter_values())


#: the days EARLY gives, computed by hand (review17 F11): 1935 has 365 days, so 1935.5 is
#: 1 January + round(182.5) = 182 days (Python rounds half to even) = 2 July, and 1935.75 is
#: + round(273.75) = 274 days = 2 October; the national operations come 30 days later, so the
#: first operation is Order 00447's and Yezhov comes 60 days before it (3 May, 3 August)
HAND = {1935.5: ("1935-07-02", "1935-05-03"), 1935.75: ("1935-10-02", "1935-08-03")}


def test_the_launch_is_on_the_day_the_plan_gives(parts) -> None:
    scenario = parts[0]
    for year, (launched, appointed) in HAND.items():
        pars = {**scenario.parameter_values(), **EARLY, "plan_launch_year": year}
        plan = leader_plan.schedule(pars, scenario.start)
        assert sim_date(scenario.start, plan.mass) == launched
        assert sim_date(scenario.start, plan.chief) == appointed
        sim = _run(parts, plan.mass, plan_launch_year=year)
        assert _decided(sim, "launch_operation", "kulak_00447") == [launched]
        assert sim.world.policy.launch_day("kulak_00447") == plan.mass
        assert _decided(sim, "chief_change", "yezhov") == [appointed]
    assert all(d["by"] == "leader_plan" for d in sim.world.policy.log)


def sim_date(start: dt.date, day: int) -> str:
    """The date of a run's day, counted from its first day (day 0)."""
    return (start + dt.timedelta(days=day)).isoformat()


def test_the_limits_are_the_plans_shares_of_the_registers(parts) -> None:
    scenario, population, evidence = parts
    plan = leader_plan.schedule({**scenario.parameter_values(), **EARLY}, scenario.start)
    sim = _run(parts, plan.mass)
    inst, w_mass = sim.inst, sim.engine.w_mass
    register = sim.world.registers.kulak.sizes() * w_mass
    # on the launch day nothing has been asked for yet: the limits are the plan's own
    assert np.allclose(inst.limit_cat1, 0.02 * register)
    assert np.allclose(inst.limit_cat2, 0.1 * register)
    assert np.allclose(inst.initial_cat1, 0.02 * register)  # the first blow's list
    appendix1, appendix2 = initial_limits(population, evidence)
    assert not np.allclose(inst.limit_cat1, appendix1)
    assert not np.allclose(inst.limit_cat2, appendix2)
    # one region by hand: the Moscow oblast's register holds 28 people at 1:10,000 (seed 2) on
    # the launch day, 280,000 full-population equivalents, so its limits are 2% and 10% of them
    moscow = [r.code for r in population.regions].index("moscow_obl")
    assert sim.world.registers.kulak.sizes()[moscow] == 28
    assert inst.limit_cat1[moscow] == pytest.approx(5_600)
    assert inst.limit_cat2[moscow] == pytest.approx(28_000)


def test_the_halt_follows_the_plan(parts) -> None:
    scenario = parts[0]
    # the national operations planned after the halt are never launched
    late = {"plan_national_offset_days": 200.0}
    plan = leader_plan.schedule({**scenario.parameter_values(), **EARLY, **late}, scenario.start)
    assert plan.national > plan.halt
    sim = _run(parts, plan.national + 1, **late)
    date = sim.engine.date(plan.halt).isoformat()
    assert date == "1935-10-30"  # 2 July 1935 + 120 days, by hand
    assert _decided(sim, "halt") == [date]
    assert _decided(sim, "chief_change", "beria") == [date]
    assert sim.world.policy.halted
    assert _decided(sim, "album_procedure") == []
    assert sim.world.policy.launch_day("national_polish") is None


def test_the_switch_changes_nothing_before_it_first_acts_and_something_after(parts) -> None:
    scenario, population, evidence = parts
    plan = leader_plan.schedule({**scenario.parameter_values(), **EARLY}, scenario.start)
    on = Simulation(scenario, population, SEED, evidence, EARLY)
    off = Simulation(scenario, population, SEED, evidence, {**EARLY, "centre_plan": 0})
    differs = first_difference(on, off, plan.halt)
    assert differs is not None, "the plan changed nothing"
    # the first decision of either run: the plan's appointment, or the reacting rule's first
    first = min(
        (dt.date.fromisoformat(d["date"]) - scenario.start).days
        for sim in (on, off)
        for d in sim.world.policy.log
    )
    assert differs >= first
    assert first <= plan.chief


def test_the_same_seed_gives_the_same_run(parts) -> None:
    plan = leader_plan.schedule({**parts[0].parameter_values(), **EARLY}, parts[0].start)
    a, b = _run(parts, plan.halt + 5), _run(parts, plan.halt + 5)
    assert a.world.policy.log == b.world.policy.log
    assert np.array_equal(a.ledger.counts, b.ledger.counts)
