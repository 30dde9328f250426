"""The sentence of "other measures" (model/collegium.py, ``Engine.sentence``): counted as a
conviction, the person leaves custody at liberty and never enters a camp or a prison awaiting
the etap; exile and other measures do not signal the families step. One population at
1:1000, stepped a few days into 1935 (a few seconds).
"""

from __future__ import annotations

import numpy as np
import pytest

import greatterror as gt
from greatterror.model.case_flags import HOLDING
from greatterror.model.gulag import GF
from greatterror.vocabulary import AT_LIBERTY, EV, OP, Status


@pytest.fixture
def sim():
    s = gt.Sim("historical", scale=0.001, seed=1)
    for _ in range(3):
        s.step()
    return s


def _free(e, w, n: int) -> np.ndarray:
    """``n`` people at liberty who never had a case, outside the camps' region."""
    c = w.cases
    ok = (c.status == Status.FREE) & (e.region != w.institutions.camps_region)
    return np.flatnonzero(ok)[:n].astype(np.int64)


@pytest.mark.parametrize("kind", ["other", "camp"])
def test_a_person_given_other_measures_is_never_in_a_camp(sim, kind) -> None:
    """The control (``camp``) shows the check can fail: a camp sentence enters the holding
    stage and the Gulag's flows the same day."""
    e, w, day = sim.engine.engine, sim.engine.world, int(sim.engine.day)
    idx = _free(e, w, 5)
    assert len(e.arrest(day, idx, "ordinary")) == 5
    camps = w.camps
    before = (camps.n, camps.hold_n, float(e.ledger.gulag[day + 1, GF["entered_holding"]]))
    counted = e.ledger.cube()[..., EV["convicted_other"]].sum()
    e.sentence(day + 1, idx, kind, "courts")
    after = (camps.n, camps.hold_n, float(e.ledger.gulag[day + 1, GF["entered_holding"]]))
    if kind == "other":
        assert (w.cases.status[idx] == Status.RELEASED).all()
        assert AT_LIBERTY[w.cases.status[idx]].all()
        assert not w.cases.has(HOLDING, idx).any()
        assert after == before
        weight = float(e.weights(idx).sum())
        assert e.ledger.cube()[..., EV["convicted_other"]].sum() == pytest.approx(counted + weight)
        assert (w.cases.sentence_day[idx] == day + 1).all()
    else:
        assert (w.cases.status[idx] == Status.CAMP).all()
        assert after[1] == before[1] + 5 and after[2] > before[2]


def test_other_measures_and_exile_do_not_signal_the_families_step(sim) -> None:
    """Order 00486 followed the death and camp sentences of the Military Collegium and the
    military tribunals (model/families.py): in a court the order reached, other measures and
    exile do not signal it, and a camp sentence (the control) does."""
    e, w, day = sim.engine.engine, sim.engine.world, int(sim.engine.day)
    idx = _free(e, w, 6)
    assert len(e.arrest(day, idx, "elite")) == 6
    assert (w.cases.op[idx] == OP["elite"]).all()
    before = len(w.signals.convicted)
    e.sentence(day + 1, idx[:2], "other", "military_collegium")
    e.sentence(day + 1, idx[2:4], "exile", "military_tribunal")
    assert len(w.signals.convicted) == before
    e.sentence(day + 1, idx[4:], "camp", "military_collegium")
    assert len(w.signals.convicted) == before + 1
