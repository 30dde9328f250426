"""The Gulag's flows close, and every path's camp terms follow the acts that set them (issue 9).

Validity tests of the camps' accounting (docs/validation.md, "Why the camps stopped growing in
1938-39"): over any stretch of days the camp and colony prisoners change by the flows the
ledger counts, nothing more; the terms each path passes are those of its sources; and the
ordinary courts' non-political convicts are split between colonies and camps as the first
day's stock implies.
"""

from __future__ import annotations

import numpy as np
import pytest

import greatterror as gt
from greatterror.evidence.loader import load_evidence
from greatterror.model.gulag import (
    COLONY_BELOW_YEARS,
    GF,
    INITIAL_CAMP_TERMS,
    INITIAL_COLONY_TERMS,
    TERMS,
    draw_terms,
    non_political_terms,
)

#: the ranges of the acts (model/gulag.py's TERMS): Order 00447 category 2, 8-10 years;
#: Order 00485 category 2, 5-10 years; the Special Board of 1934, up to 5 years
SOURCED = {"troika": (8.0, 10.0), "album": (5.0, 10.0), "oso": (3.0, 5.0)}


def test_every_path_gives_the_terms_of_its_act() -> None:
    for channel, (low, high) in SOURCED.items():
        terms = TERMS[channel]
        assert (terms.low, terms.high) == (low, high), channel
        drawn = draw_terms(np.random.default_rng(1), 20_000, terms)
        assert drawn.min() >= low and drawn.max() <= high
        # every such term is served in a camp, none in a colony
        assert (drawn >= COLONY_BELOW_YEARS).all()


def test_non_political_terms_reproduce_the_first_day_stock() -> None:
    """A steady inflow on the courts' terms gives the 1935 stock's colonies-to-camps ratio."""
    ev = load_evidence()
    itl, itk, cr = (ev.value(f"IN-gulag-{k}-1935") for k in ("itl", "itk", "cr"))
    terms = non_political_terms(itl, itk, cr)
    assert 0.5 < terms.below < 0.7  # about three in five to a colony
    drawn = draw_terms(np.random.default_rng(2), 400_000, terms)
    colony = drawn < COLONY_BELOW_YEARS
    assert abs(colony.mean() - terms.below) < 0.005
    assert drawn[colony].min() >= INITIAL_COLONY_TERMS.low
    assert drawn[~colony].min() >= INITIAL_CAMP_TERMS.low
    assert drawn.max() <= INITIAL_CAMP_TERMS.high
    # stock = inflow x term: the held ratio of the steady state is the record's of 1935
    ratio = drawn[colony].sum() / drawn[~colony].sum()
    assert ratio == pytest.approx(itk / (itl - cr), rel=0.02)
    # one uniform per term, as a single range draws: the stream moves the same
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    draw_terms(a, 7, terms)
    draw_terms(b, 7, INITIAL_CAMP_TERMS)
    assert a.random() == b.random()


@pytest.fixture(scope="module")
def sim():
    return gt.Sim("historical", scale=0.001, seed=3).engine


def test_the_camps_change_only_by_the_counted_flows(sim) -> None:
    """From one day to another the camp and colony prisoners (``Camps.w``) change by the
    admissions less the releases, the deaths and those taken for a new case: no prisoner
    leaves a camp uncounted (Order 00447 took some of them, 1937-38)."""
    e = sim.engine
    inflow = [GF["admitted"]]
    outflow = [GF[k] for k in ("released_term", "released_review", "died_camp", "died_transit")]
    taken = GF["taken_for_case"]
    checked = 0.0
    start = 0
    for until in (400, 900, 1200, 1400, 1700, sim.days):
        held_before = e.world.camps.w
        sim.run(until=until)
        g = e.ledger.gulag[start:until]
        change = g[:, inflow].sum() - g[:, outflow].sum() - g[:, taken].sum()
        assert e.world.camps.w - held_before == pytest.approx(change, abs=1e-6 * e.w_mass)
        checked += g[:, taken].sum()
        start = until
    assert checked > 0  # the test saw prisoners taken for a new case


def test_a_convict_reaches_the_camps_within_months(sim) -> None:
    """The etap empties the holding stage: nobody sentenced to camp before 1940 waits in a
    prison for it at the end of 1940 (they are admitted, or died, or were released there)."""
    sim.run()
    c = sim.engine.world.cases
    last = sim.days - 1
    waiting = np.flatnonzero(c.holding)
    assert (c.sentence_day[waiting] > last - 365).all()
