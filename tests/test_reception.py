"""Tests of the camps' reception of new prisoners (model/reception.py, issue 9).

The rule: the intake of the last 90 days (yearly rate) over the intake of the year
before it is the surge; each new prisoner is fatally weakened with probability
``1 - exp(-reception_risk * surge)`` and dies in the camp after a delay. Two runs at
1:1000 (about 15 s together): the historical scenario with ``reception_risk`` 0 and 0.3;
and the work-day credits of the non-political convicts (model/credits.py), ended in the
camps by the decree of 15 June 1939: rules on arrays, and one more run without credits.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.credits import CREDITS_ABOLISHED, served_years
from greatterror.model.gulag import GF, YEAR
from greatterror.model.reception import INTAKE_WINDOW, PLAN_DAYS, intake_surge
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.vocabulary import Status

SCALE, SEED = 0.001, 1


def test_no_surge_before_a_year_of_intake_is_recorded() -> None:
    admitted = np.ones(2000)
    admitted[400:] = 10.0  # a tenfold intake from day 400
    # a day short of a year's intake before the window: no plan to compare with yet
    assert intake_surge(admitted, INTAKE_WINDOW + PLAN_DAYS - 1) == 0.0
    assert intake_surge(admitted, INTAKE_WINDOW + PLAN_DAYS) > 0.0


def test_surge_is_the_recent_intake_beyond_the_planned_one() -> None:
    admitted = np.full(2000, 2.0)
    assert intake_surge(admitted, 1000) == 0.0  # steady intake: no surge
    admitted[1000 - INTAKE_WINDOW : 1000] = 6.0  # three times the plan for 90 days
    assert intake_surge(admitted, 1000) == pytest.approx(2.0)
    admitted[1000 - INTAKE_WINDOW : 1000] = 1.0  # less than planned: no surge, no negative
    assert intake_surge(admitted, 1000) == 0.0
    assert intake_surge(np.zeros(2000), 1000) == 0.0  # nothing planned: no surge


@pytest.fixture(scope="module")
def runs():
    scenario, evidence = load_scenario("historical"), load_evidence()
    off = simulate(scenario, SCALE, SEED, {"reception_risk": 0.0}, evidence=evidence)
    on = simulate(scenario, SCALE, SEED, {"reception_risk": 0.3}, evidence=evidence)
    return off, on


def test_reception_deaths_start_only_after_a_surge_and_raise_1938(runs) -> None:
    """Until the first death of a prisoner weakened at his reception the runs are the same
    (the draws come from their own stream); then the camp deaths of 1938 rise."""
    off, on = (r.simulation for r in runs)
    died = GF["died_camp"]
    differs = np.flatnonzero(on.ledger.gulag[:, died] != off.ledger.gulag[:, died])
    assert len(differs)
    first = int(differs[0])
    assert first > INTAKE_WINDOW + PLAN_DAYS
    assert np.array_equal(on.ledger.gulag[:first], off.ledger.gulag[:first])
    admitted = on.ledger.gulag[:, GF["admitted"]]
    surged = [intake_surge(admitted, d) > 0 for d in range(INTAKE_WINDOW + PLAN_DAYS, first)]
    assert any(surged)
    died_off, died_on = (r.summary["gulag"]["yearly"]["1938"]["died_camp"] for r in runs)
    assert died_on > 1.2 * died_off


def test_camps_conserve_people_and_terms_expire(runs) -> None:
    """The camp stock at the end is the first day's plus the admissions less the releases and
    deaths, less the few camp prisoners taken out for a new case (Order 00447's camp
    limits), who leave the camps without a Gulag flow; no one is held past his term."""
    for result in runs:
        sim = result.simulation
        flows, camps, c = sim.ledger.gulag, sim.world.camps, sim.cases
        admitted = flows[:, GF["admitted"]].sum()
        out = flows[:, [GF[k] for k in ("released_term", "released_review")]].sum()
        out += flows[:, [GF["died_camp"], GF["died_transit"]]].sum()
        taken = sim.ledger.held[0] + admitted - out - camps.w
        assert 0.0 <= taken <= 0.01 * admitted
        held = np.flatnonzero(c.status == Status.CAMP)
        ends = c.release_day[held].astype(np.int64)
        assert (ends >= sim.days - 1).all() or (ends[ends < sim.days - 1] < 0).all()
        ended = result.summary["gulag"]["yearly"]
        assert all(ended[y]["released_term"] > 0 for y in ("1935", "1936", "1937", "1938"))


def test_reception_deaths_fall_on_camp_prisoners(runs) -> None:
    """The weakened die in the camps: every death of the added ones is a camp death, and the
    deaths in transit and in prisons are not those of the reception."""
    off, on = runs
    start = (dt.date(1937, 1, 1) - on.simulation.engine.start).days
    # in sampled people: at 1:1000 these are a few to a dozen a run, and any change in the
    # camp deaths reshuffles the draws of the shared stream, so the bound is the two runs'
    # sampling noise (3 sd of a Poisson difference); the reception's 20-30 sampled deaths
    # counted in either flow would exceed it
    weight = on.simulation.engine.w_mass
    for flow in ("died_transit", "died_holding"):
        a = on.simulation.ledger.gulag[start:, GF[flow]].sum() / weight
        b = off.simulation.ledger.gulag[start:, GF[flow]].sum() / weight
        assert a <= b + 3.0 * np.sqrt(a + b) + 1.0


# --- work-day credits (model/credits.py) --------------------------------------------------


def test_credits_shorten_only_non_political_terms() -> None:
    years = np.array([2.0, 2.0, 2.0])
    credited = np.array([True, True, False])
    colony = np.array([False, True, False])
    far = 10_000  # the decree long after the release
    out = served_years(0, years, 0.25, credited, colony, far)
    assert out == pytest.approx([1.6, 1.6, 2.0])
    assert served_years(0, years, 0.0, credited, colony, far) is years  # no credits: in full


def test_the_decree_ends_credits_in_the_camps_not_in_the_colonies() -> None:
    """A four-year term sentenced a year before the decree: a year held counts 1.25 years of
    term; in a camp the remaining 2.75 years are then served in full, in a colony at the
    credited rate; sentenced after the decree, a camp term is served in full."""
    years = np.array([4.0, 4.0])
    credited = np.array([True, True])
    colony = np.array([False, True])
    decree = round(YEAR)
    out = served_years(0, years, 0.25, credited, colony, decree)
    assert out == pytest.approx([1.0 + 2.75, 4.0 / 1.25], abs=1e-3)  # decree on a whole day
    later = served_years(decree + 10, years, 0.25, credited, colony, decree)
    assert later == pytest.approx([4.0, 3.2])


def test_credits_end_on_15_june_1939() -> None:
    assert dt.date(1939, 6, 15) == CREDITS_ABOLISHED


def test_credits_release_non_political_convicts_earlier(runs) -> None:
    """Same seed, credits at the default and none (``workday_credit`` 0): with credits more
    terms end in 1935-36, and no more non-political prisoners are held in the camps."""
    scenario, evidence = load_scenario("historical"), load_evidence()
    none = simulate(
        scenario, SCALE, SEED, {"reception_risk": 0.0, "workday_credit": 0.0}, evidence=evidence
    )
    with_credits = runs[0]  # reception_risk 0, credits at their default
    assert with_credits.simulation.params["workday_credit"] > 0

    def released(r) -> float:
        return sum(r.summary["gulag"]["yearly"][y]["released_term"] for y in ("1935", "1936"))

    def held(r) -> float:
        return r.summary["gulag"]["stock_1jan"]["1937"]["non_political_camps"]

    assert released(with_credits) > 1.1 * released(none)
    # the camps (ITL) hold terms of 3 years and more, of which few end by 1 January 1937 even
    # with credits: at 1:1,000 the difference is 0 to 9 sampled people (seeds 1-3: 686,000
    # against 686,000, 687,000 against 691,000, 666,000 against 666,000; on main at seed 1
    # 675,000 against 684,000), so credits may not hold more, and need not hold fewer. Once the
    # releases differ, the same death stream falls on other people, so the two stocks also drift
    # apart by chance (at the values fitted on 5 December, seed 3: 723,000 against 719,000, four
    # sampled people): "not more" is checked to 1% of the stock, a margin far below what a
    # credit that held people longer would give
    assert held(with_credits) <= 1.01 * held(none)
