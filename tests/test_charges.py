"""The courts' verdicts follow the charge (model/charges.py, model/collegium.py).

A grave charge (treason, espionage, terror) carries a higher death share than an ordinary
counter-revolutionary one (agitation), and only the grave charge's share follows the vigilance
campaigns of the law of 1 December 1934. The run-level test fails on the rule it replaced, under
which every court case's death share was raised by the vigilance after Kirov's murder.
"""

from __future__ import annotations

import datetime as dt
import sys
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import greatterror as gt
from greatterror.model.charges import by_charge, grave
from greatterror.model.state import Policy
from greatterror.population.codes import Elite, Mark
from greatterror.vocabulary import OP, Status

PARAMS = {
    "courts_death_share": 0.01,
    "grave_charge_death_ratio": 10.0,
    "exile_share": 0.1,
    "courts_other_share": 0.15,
}


def _world(elite: list[int], marks: list[int], op: list[str]) -> Any:
    return SimpleNamespace(
        people={"elite": np.array(elite), "marks": np.array(marks, dtype=np.uint8)},
        cases=SimpleNamespace(op=np.array([OP[o] for o in op], dtype=np.uint8)),
        policy=Policy(),
        institutions=SimpleNamespace(vigilance=0.0, grave_at_halt=np.zeros(0, dtype=np.int64)),
    )


def test_the_charge_follows_the_person_and_the_line() -> None:
    w = _world(
        elite=[0, int(Elite.NKVD_OFFICER), 0, 0, 0, 0, 0],
        marks=[0, 0, int(Mark.OPPOSITIONIST), int(Mark.DIASPORA), int(Mark.FORMER_KULAK), 0, 0],
        op=[
            "ordinary",
            "elite",
            "ordinary",
            "ordinary",
            "kulak_00447",
            "national_polish",
            "ordinary",
        ],
    )
    got = grave(w, np.arange(7, dtype=np.int64)).tolist()
    # agitation; an NKVD officer; an oppositionist (terror); the diaspora in ordinary work (no
    # charge of its own); a former kulak of Order 00447; the Polish operation (espionage); a
    # case that left its operation at the halt with no grave charge kept
    assert got == [False, True, True, False, False, True, False]


def test_a_case_pending_at_the_halt_keeps_its_grave_charge_until_a_new_case() -> None:
    """A national case that left its operation at the halt (``steps_halt.keep_charge``) is
    still charged with espionage; a new case of the same person, opened after the halt, is
    charged anew (rule R5, docs/design/halt-backlog.md)."""
    w = _world(elite=[0, 0, 0], marks=[0, 0, 0], op=["ordinary", "ordinary", "ordinary"])
    w.cases.arrest_day = np.array([90, 90, 120], dtype=np.int16)
    assert not grave(w, np.arange(3, dtype=np.int64)).any()
    w.policy.first_day[("halt", None)] = 100
    w.institutions.grave_at_halt = np.array([1, 2], dtype=np.int64)
    assert grave(w, np.arange(3, dtype=np.int64)).tolist() == [False, True, False]


def test_a_grave_charge_is_sentenced_to_death_more_often_and_follows_vigilance() -> None:
    w = _world(elite=[0, 0], marks=[0, int(Mark.OPPOSITIONIST)], op=["ordinary", "ordinary"])
    batch = np.arange(2, dtype=np.int64)
    parts = by_charge(w, batch, "courts", PARAMS, kirov_law=True)
    (ordinary, low), (heavy, high) = parts
    assert ordinary.tolist() == [0] and heavy.tolist() == [1]
    assert low[0] == pytest.approx(0.01) and high[0] == pytest.approx(0.1)
    w.institutions.vigilance = 2.0
    (_, low), (_, high) = by_charge(w, batch, "courts", PARAMS, kirov_law=True)
    assert low[0] == pytest.approx(0.01) and high[0] == pytest.approx(0.3)
    # other channels judge by body and phase, in one part
    params = {**PARAMS, "album_death_share": 0.7}
    assert [p.tolist() for p, _ in by_charge(w, batch, "album", params, True)] == [[0, 1]]


def test_after_kirovs_murder_agitation_cases_keep_the_courts_share() -> None:
    """At 1:100 to the end of 1936 (vigilance high after Kirov's murder and the trial of
    August 1936), the courts' death share among ordinary-charge cases is the parameter's, not
    the parameter times (1 + vigilance), and a grave charge's is higher."""
    share = 0.05
    sim = gt.Sim("historical", scale=0.01, seed=1, pars={"courts_death_share": share})
    e = sim.engine.engine
    w = e.world
    inner = e.sentence
    vigilance: list[float] = []
    rows: list[tuple[bool, bool]] = []  # (grave, death) of the courts' sentences

    def sentence(day: int, idx: np.ndarray, kind: str, *args: Any, **kw: Any) -> None:
        idx = np.asarray(idx, dtype=np.int64)
        frame = sys._getframe(1)
        if len(idx) and frame.f_code.co_name == "_decide" and frame.f_locals["channel"] == "courts":
            fresh = w.cases.status[idx] == Status.AWAITING_SENTENCE
            vigilance.append(w.institutions.vigilance)
            charged = grave(w, idx[fresh]).tolist()
            rows.extend((c, kind == "death") for c in charged)
        inner(day, idx, kind, *args, **kw)

    e.sentence = sentence
    sim.run(until=dt.date(1936, 12, 31))
    g = np.array([r[0] for r in rows])
    d = np.array([r[1] for r in rows])
    n = int((~g).sum())
    assert n > 500
    observed = d[~g].mean()
    sd = np.sqrt(share * (1 - share) / n)
    assert abs(observed - share) < 4 * sd
    raised = share * (1 + float(np.mean(vigilance)))
    assert raised - share > 4 * sd, "vigilance too low for the test to tell the rules apart"
    if g.sum() >= 20:
        assert d[g].mean() > observed


def test_the_special_board_gives_order_00486_s_wives_camp_terms_only() -> None:
    """The order sent the wives to camps for five to eight years: no exile, no other
    measures, while the Board's other cases keep its shares."""
    params = {**PARAMS, "oso_exile_share": 0.156, "oso_other_share": 0.0092}
    w = _world([0, 0, 0], [0, 0, 0], ["family", "ordinary", "family"])
    parts = by_charge(w, np.arange(3), "oso", params, kirov_law=True)
    by_case = {int(i): shares for idx, shares in parts for i in idx}
    assert set(by_case) == {0, 1, 2}
    for wife in (0, 2):
        assert all(share < 0 for share in by_case[wife])
    assert by_case[1][1:] == (0.156, 0.0092)


def test_the_courts_give_order_00486_s_wives_camp_terms_only() -> None:
    """A wife's case reaches the courts through the halt's review; the order's measure holds
    there too: no death sentence, no exile, no other measure, while the other cases keep the
    courts' shares (a few of the elite's wives were sentenced to death in 1938-40 before)."""
    w = _world([0, 0, 0], [0, 0, 0], ["ordinary", "family", "family"])
    parts = by_charge(w, np.arange(3), "courts", PARAMS, kirov_law=True)
    by_case = {int(i): shares for idx, shares in parts for i in idx}
    assert set(by_case) == {0, 1, 2}
    for wife in (1, 2):
        assert all(share < 0 for share in by_case[wife])
    assert by_case[0][0] > 0
