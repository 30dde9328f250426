"""The route of a sentence to a camp (ITL) or a colony (ITK) (model/gulag.py,
``served_in_colony``; model/term_kernel.py): a court's sentence by its term (three years and more
in a camp), an extrajudicial body's in a camp whatever its term (the Regulation on
corrective-labour camps of 7 April 1930, art. 2). One population at 1:1000 for the run-level
tests (a few seconds a year of days)."""

from __future__ import annotations

import numpy as np
import pytest

import greatterror as gt
from greatterror.model.case_flags import COLONY, HOLDING
from greatterror.model.gulag import (
    COLONY_BELOW_YEARS,
    TERMS,
    TermRange,
    served_in_colony,
    term_range,
)
from greatterror.model.state import Cases
from greatterror.model.term_kernel import term_ends, term_ends_reference
from greatterror.vocabulary import NON_POLITICAL, Status

#: the bodies of the NKVD that judged outside the courts (their sentences: camps at any term)
EXTRAJUDICIAL = ("troika", "album", "special_troika", "oso")
SHORT_COURT = TermRange(0.5, 1.0, "test: a court's short term", judicial=True)
SHORT_BOARD = TermRange(0.5, 1.0, "test: an extrajudicial short term", judicial=False)


def test_a_courts_term_goes_by_its_length() -> None:
    years = np.array([0.5, 2.999, COLONY_BELOW_YEARS, 3.001, 10.0])
    assert served_in_colony(years, True).tolist() == [True, True, False, False, False]


def test_an_extrajudicial_term_goes_to_a_camp_whatever_its_length() -> None:
    years = np.array([0.5, 2.999, COLONY_BELOW_YEARS, 10.0])
    assert not served_in_colony(years, False).any()


def test_the_channels_are_courts_or_extrajudicial_bodies() -> None:
    params = {"court_term_mean_years": 5.0}
    for channel in EXTRAJUDICIAL:
        assert not term_range(channel, params).judicial, channel
    for channel in ("courts", "military_collegium", "military_tribunal"):
        assert term_range(channel, params).judicial, channel
    assert set(TERMS) == set(EXTRAJUDICIAL) | {"military_collegium", "military_tribunal"}


def test_the_body_must_be_named() -> None:
    """A range or a call that does not say whether a court passed the sentence is refused,
    so that none gets the court rule by omission (review18 F9)."""
    idx, years = np.array([0], dtype=np.int64), np.array([1.0])
    with pytest.raises(TypeError):
        TermRange(0.5, 1.0, "test: no body")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        term_ends(Cases.empty(1), 0, idx, years, 0.0, 0, NON_POLITICAL)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        term_ends_reference(Cases.empty(1), 0, idx, years, 0.0, 0)  # type: ignore[call-arg]


def test_at_the_shipped_ranges_the_body_changes_no_place() -> None:
    """No extrajudicial range reaches below three years, so the body's half of the rule moves
    nobody at the shipped values (the outputs are those of the term-only rule)."""
    for channel in EXTRAJUDICIAL:
        assert TERMS[channel].low >= COLONY_BELOW_YEARS, channel


@pytest.mark.parametrize("judicial", [True, False])
def test_the_compiled_rule_is_the_readable_one(judicial: bool) -> None:
    rng = np.random.default_rng(7)
    n = 500
    fast, rule = Cases.empty(n), Cases.empty(n)
    fast.op[:] = rule.op[:] = rng.choice([0, NON_POLITICAL], size=n)
    idx = rng.choice(n, size=200, replace=False).astype(np.int64)
    years = rng.uniform(0.2, 6.0, size=len(idx))
    got = term_ends(fast, 400, idx, years, 0.25, 1626, NON_POLITICAL, judicial=judicial)
    want = term_ends_reference(rule, 400, idx, years, 0.25, 1626, judicial=judicial)
    for a, b in zip(got, want, strict=True):
        assert a.tobytes() == b.tobytes()
    assert fast.flags.tobytes() == rule.flags.tobytes()
    assert fast.has(COLONY, idx).any() == judicial


@pytest.fixture
def sim():
    s = gt.Sim("historical", scale=0.001, seed=1, pars={"exhaustion_risk": 0.0})
    for _ in range(3):
        s.step()
    return s


def _free(w, n: int) -> np.ndarray:
    """``n`` people at liberty who never had a case."""
    return np.flatnonzero(w.cases.status == Status.FREE)[:n].astype(np.int64)


def test_short_terms_go_by_the_body_held_until_they_expire(sim) -> None:
    """The same short term: a court's convicts to a colony by the local transfer, an
    extrajudicial body's to a camp by the etap; everyone is accounted for (held, in a camp or
    colony, released or dead) and the terms expire on their release day."""
    e, w = sim.engine.engine, sim.engine.world
    c = w.cases
    day = int(sim.engine.day)
    court, board = _free(w, 40)[:20], _free(w, 40)[20:]
    for idx, terms in ((court, SHORT_COURT), (board, SHORT_BOARD)):
        for p in idx:  # one case each, opened as the ordinary courts' are
            e.arrest(day, np.array([p]), "ordinary", investigate=False)
        e.sentence(day, idx, "camp", terms=terms)
    assert c.has(COLONY, court).all() and not c.has(COLONY, board).any()
    assert c.has(HOLDING, court).all() and c.has(HOLDING, board).all()
    ends = c.release_day[np.concatenate([court, board])].astype(np.int64)
    assert (ends > day).all() and (ends <= day + 366).all()
    weights = float(e.weights(np.concatenate([court, board])).sum())
    assert weights > 0
    last = int(ends.max())
    while int(sim.engine.day) <= last + 1:
        sim.step()
        now = int(sim.engine.day)
        for idx in (court, board):
            status = c.status[idx]
            # conservation: each is held, serving, released or dead, never lost or free
            assert np.isin(status, (Status.CAMP, Status.RELEASED, Status.DIED_IN_CUSTODY)).all()
            serving = status == Status.CAMP
            assert (c.release_day[idx][serving] >= now - 1).all()  # nobody held past his term
        assert not c.has(COLONY, board).any()
    for idx in (court, board):
        done = np.isin(c.status[idx], (Status.RELEASED, Status.DIED_IN_CUSTODY))
        assert done.all()
        assert (c.status[idx] == Status.RELEASED).sum() >= len(idx) - 3
