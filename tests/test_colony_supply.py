"""The colonies share the camps' supply from the GULAG's takeover of autumn 1938 (model/steps_gulag.py).

Before ``COLONIES_TAKEN_OVER`` the OMZ supplied the colonies apart from the camps, so the camps'
supply shortfall does not raise the colonies' deaths: they die at ``colony_mortality_ratio``
times the base rate. From then on the GULAG supplied both, and the colonies die at the ratio
times the camps' whole rate, the supply factor included, as Zemskov's rates of 1939 (the
ratio's source) measure it. Until 5 December 2026 the exemption held to the end of the run and
the test below of the days after the takeover failed (the colonies' share of deaths was about
the ratio over the supply factor, 0.23 instead of 0.70).
"""

from __future__ import annotations

import datetime as dt

import pytest

import greatterror as gt
from greatterror.model import steps_gulag
from greatterror.model.case_flags import COLONY, HOLDING
from greatterror.model.steps_gulag import COLONIES_TAKEN_OVER, camp_deaths, colony_keep
from greatterror.vocabulary import Status

SUPPLY = 3.0  # the supply factor the test imposes: 1 + supply_mortality (2) x hunger (1)


def test_the_colonies_keep_the_ratio_over_the_supply_only_before_the_takeover() -> None:
    before = COLONIES_TAKEN_OVER - dt.timedelta(days=1)
    assert colony_keep(0.7, SUPPLY, before) == pytest.approx(0.7 / SUPPLY)
    assert colony_keep(0.7, SUPPLY, COLONIES_TAKEN_OVER) == pytest.approx(0.7)
    assert colony_keep(0.7, 1.0, before) == colony_keep(0.7, 1.0, COLONIES_TAKEN_OVER)


def _colony_over_camp(monkeypatch: pytest.MonkeyPatch, first: dt.date) -> float:
    """The share of the colony prisoners who died over that of the camp prisoners, in 20 days
    of the camps' draw from ``first`` at a high rate and a supply factor of ``SUPPLY``."""
    monkeypatch.setattr(steps_gulag, "undernourishment", lambda e, day: 1.0)
    sim = gt.Sim("historical", scale=0.001, seed=3)
    sim.step()
    e, w = sim.engine.engine, sim.engine.world
    c = w.cases
    held = (c.status == Status.CAMP) & ~c.unpacked(HOLDING)
    colony, camp = held & c.unpacked(COLONY), held & ~c.unpacked(COLONY)
    e.params["gulag_mortality"] = 3.0  # a test rate: about 40% of the camps die in 20 days
    e.params["supply_mortality"] = SUPPLY - 1.0
    start = (first - e.start).days
    for d in range(start, start + 20):
        camp_deaths(w, e, d)
    dead = c.status == Status.DIED_IN_CUSTODY
    assert float(dead[camp].mean()) > 0.25
    return float(dead[colony].mean()) / float(dead[camp].mean())


def test_after_the_takeover_the_colonies_die_at_the_ratio_of_the_camps_whole_rate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the ratio is 0.70: about 0.74 of the camps' share of deaths at these rates
    assert 0.5 < _colony_over_camp(monkeypatch, COLONIES_TAKEN_OVER) < 1.0


def test_before_the_takeover_the_camps_supply_does_not_reach_the_colonies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the ratio over the supply factor, 0.23: about 0.28 of the camps' share of deaths
    first = COLONIES_TAKEN_OVER - dt.timedelta(days=60)
    assert 0.1 < _colony_over_camp(monkeypatch, first) < 0.45
