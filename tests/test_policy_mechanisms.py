"""Mechanisms added for the calibration: each changes what it should and nothing before it acts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.vocabulary import EV, OP

SCALE, SEED = 0.001, 3


@pytest.fixture(scope="module")
def evidence():
    return load_evidence()


@pytest.fixture(scope="module")
def historical():
    return load_scenario("historical")


def _day(scenario, iso: str) -> int:
    return (dt.date.fromisoformat(iso) - scenario.start).days


def test_ordinary_work_gives_way_only_while_the_mass_operation_runs(historical, evidence) -> None:
    # ordinary work's hazard at its prior default, not the fitted value: the fit sets how large
    # the hazard is beside the other routes into the ordinary channel (names, denunciations),
    # which the switch does not touch; the test is about the switch
    rate = {"base_unmarked_arrest_rate": 0.001}
    full = simulate(historical, SCALE, SEED, {**rate, "ordinary_during_operation": 1.0}, evidence)
    none = simulate(historical, SCALE, SEED, {**rate, "ordinary_during_operation": 0.0}, evidence)
    # the first mass operation: the German national operation of 25 July 1937, whose officers
    # and album procedure absorbed ordinary work's cases as Order 00447's did
    first = min(e.date for e in historical.events if e.action == "launch_operation")
    launch = _day(historical, first.isoformat())
    a, b = full.simulation.ledger.cube(), none.simulation.ledger.cube()
    np.testing.assert_array_equal(a[:launch], b[:launch])
    during = slice(launch + 1, _day(historical, "1938-11-16"))
    ordinary = (OP["ordinary"], EV["arrested"])
    assert (
        b[during, :, ordinary[0], ordinary[1]].sum()
        < 0.5 * a[during, :, ordinary[0], ordinary[1]].sum()
    )


def test_late_approvals_are_rarer_after_the_planned_term(historical, evidence) -> None:
    same = simulate(historical, SCALE, SEED, {"late_approval_factor": 1.0}, evidence).simulation
    none = simulate(historical, SCALE, SEED, {"late_approval_factor": 0.0}, evidence).simulation
    assert same.inst.requests > 0
    assert none.inst.approvals < same.inst.approvals
    assert none.inst.limit_cat1.sum() < same.inst.limit_cat1.sum()


def test_a_foreign_crisis_raises_war_expectation_and_threat(historical, evidence) -> None:
    calm = simulate(historical, SCALE, SEED, {"threat_per_crisis": 0.0}, evidence).summary
    tense = simulate(historical, SCALE, SEED, {"threat_per_crisis": 0.05}, evidence).summary

    def on(summary, action: str) -> dict:
        return next(d for d in summary["policy"] if d["action"] == action)

    # the first scripted decision after the Spanish crisis is Yezhov's appointment
    a, b = on(calm, "chief_change"), on(tense, "chief_change")
    assert a["war"] == b["war"] > 0.5
    assert b["threat"] > a["threat"] + 0.02
