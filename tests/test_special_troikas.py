"""Validity of the special troikas of autumn 1938 (issue 9, the national operations' procedure).

Order 00606 (17 September 1938, after the Politburo decision of 15 September) handed the
national-operation cases still waiting for the album procedure to special troikas in the
regions, which had two months to decide them before the halt of 17 November 1938
(G4-special-troikas, G12-28). At the shipped values the album keeps up with its inflow and
leaves them almost nothing (docs/validation-log.md, "The special troikas of autumn 1938"); so the
run here forces a backlog with a slow, fixed album (``album_capacity`` 300 cases a day,
elasticity 0: an experiment, not a proposal) and checks the handover and that the special
troikas, one per region, work the backlog off before the halt rather than at the centre's pace.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import greatterror as gt
from greatterror.model.album import national_capacity, special_troika_capacity
from greatterror.model.state import Ledger
from greatterror.vocabulary import CH

HANDOVER = dt.date(1938, 9, 15)
HALT = dt.date(1938, 11, 17)


@pytest.fixture(scope="module")
def slow_album() -> tuple[Ledger, dt.date]:
    sim = gt.Sim(
        "historical",
        scale=0.001,
        seed=1,
        pars={"album_capacity": 300.0, "album_capacity_elasticity": 0.0},
    )
    while sim.date <= HALT and not sim.finished:
        sim.step()
    return sim.engine.engine.ledger, sim.engine.start


def test_the_album_backlog_passes_to_the_special_troikas_on_15_september_1938(
    slow_album: tuple[Ledger, dt.date],
) -> None:
    ledger, start = slow_album
    before, on = (HANDOVER - start).days - 1, (HANDOVER - start).days
    pending = ledger.backlog[before, CH["album"]]
    assert pending > 100_000, "the slow album should leave a backlog (the test's premise)"
    assert ledger.backlog[on, CH["album"]] == 0.0
    # what the special troikas hold at the end of the day plus what they decided on it
    taken = ledger.backlog[on, CH["special_troika"]] + ledger.decided[on, CH["special_troika"]]
    assert taken >= pending
    assert ledger.decided[on:, CH["album"]].sum() == 0.0


def test_the_special_troikas_decide_the_backlog_before_the_halt(
    slow_album: tuple[Ledger, dt.date],
) -> None:
    """Regional bodies working in parallel, not the centre's one (model/album.py): at the
    album's pace they decided about 18,000 of 274,000 cases in their two months."""
    ledger, start = slow_album
    before, halt = (HANDOVER - start).days - 1, (HALT - start).days
    pending = ledger.backlog[before, CH["album"]]
    decided = ledger.decided[before + 1 : halt, CH["special_troika"]].sum()
    assert decided >= 0.9 * pending
    assert ledger.backlog[halt - 1, CH["special_troika"]] <= 0.1 * pending


def test_the_special_troikas_throughput_is_the_regional_troikas_not_the_centres() -> None:
    p = {
        "album_capacity": 300.0,
        "album_capacity_elasticity": 0.0,
        "album_capacity_lag_days": 30,
        "album_dvoika_ceiling": 551.0,
        "troika_capacity": 20_000.0,
    }
    ledger = Ledger(days=100, regions=1)
    assert special_troika_capacity(p) == 20_000.0
    assert national_capacity(p, ledger, 50) == 300.0
    assert not np.isclose(special_troika_capacity(p), national_capacity(p, ledger, 50))
