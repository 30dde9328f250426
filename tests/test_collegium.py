"""The channels' verdicts by phase of policy (model/collegium.py; docs/ODD.md, section 7.15b).

The Military Collegium's death share rises with the Politburo's execution lists (from Yezhov's
appointment), the elite cases opened in Yezhov's first months are investigated for months, and
the courts' death share on a grave charge follows the vigilance campaign while the law of 1
December 1934 applies (the charge: tests/test_charges.py).
Each rule must change the run only from the day it first acts.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import greatterror as gt
from greatterror.model.collegium import NEVER, sanctioned, verdict_shares
from greatterror.model.engine import investigation_mean
from greatterror.model.state import Policy
from greatterror.vocabulary import OP

PARAMS = {
    "album_death_share": 0.8,
    "military_collegium_death_share": 0.8,
    "military_tribunal_death_share": 0.5,
    "collegium_death_share_before_lists": 0.05,
    "courts_death_share": 0.01,
    "grave_charge_death_ratio": 10.0,
    "exile_share": 0.12,
    "courts_other_share": 0.15,
    "oso_exile_share": 0.156,
    "oso_other_share": 0.0092,
    "post_halt_investigation_days": 300.0,
    "case_building_investigation_days": 120.0,
    "investigation_days": 40.0,
    "troika_investigation_days": 12.0,
}
APPOINTMENT = "1936-09-26"  # G12-07
LISTS = "1936-10-04"  # G12-08
PLENUM = "1937-02-23"  # G12-11


def _institutions() -> Any:
    """The one field of the institutions the verdicts read."""
    return SimpleNamespace(vigilance=0.0)


def test_the_collegium_sentences_to_death_on_the_lists_only_after_the_decision() -> None:
    pol, inst = Policy(), _institutions()
    assert not sanctioned(pol)
    assert verdict_shares("military_collegium", pol, inst, PARAMS, True) == (0.05, NEVER, NEVER)
    pol.execution_lists = True
    assert verdict_shares("military_collegium", pol, inst, PARAMS, True) == (0.8, NEVER, NEVER)
    # the other channels do not read the sanction
    assert verdict_shares("album", pol, inst, PARAMS, True) == (0.8, NEVER, NEVER)
    assert verdict_shares("oso", pol, inst, PARAMS, True) == (NEVER, 0.156, 0.0092)


def test_the_district_tribunals_pass_terms_before_the_lists_as_the_collegium_did() -> None:
    """The basis of collegium_death_share_before_lists covers the military tribunals too."""
    pol, inst = Policy(), _institutions()
    assert verdict_shares("military_tribunal", pol, inst, PARAMS, True) == (0.05, NEVER, NEVER)
    pol.execution_lists = True
    assert verdict_shares("military_tribunal", pol, inst, PARAMS, True) == (0.5, NEVER, NEVER)


def test_the_courts_death_share_follows_vigilance_only_under_the_kirov_law() -> None:
    """The law of 1 December 1934 was about terrorism cases: the vigilance campaign raises the
    share of a grave charge only; an ordinary charge (agitation) keeps its share."""
    pol, inst = Policy(), _institutions()
    assert verdict_shares("courts", pol, inst, PARAMS, True) == (0.01, 0.12, 0.15)
    assert verdict_shares("courts", pol, inst, PARAMS, True, grave=True)[0] == pytest.approx(0.1)
    inst.vigilance = 1.5
    assert verdict_shares("courts", pol, inst, PARAMS, True) == (0.01, 0.12, 0.15)
    assert verdict_shares("courts", pol, inst, PARAMS, True, grave=True)[0] == pytest.approx(0.25)
    assert verdict_shares("courts", pol, inst, PARAMS, False, grave=True)[0] == pytest.approx(0.1)
    inst.vigilance = 1e6  # a share, never above 1
    assert verdict_shares("courts", pol, inst, PARAMS, True, grave=True)[0] == 1.0
    assert verdict_shares("courts", pol, inst, PARAMS, True)[0] == 0.01


def test_only_elite_cases_opened_while_cases_are_built_take_the_long_investigation() -> None:
    assert investigation_mean(OP["elite"], PARAMS, False, case_building=True) == 120.0
    assert investigation_mean(OP["elite"], PARAMS, False, case_building=False) == 40.0
    assert investigation_mean(OP["ordinary"], PARAMS, False, case_building=True) == 40.0
    assert investigation_mean(OP["kulak_00447"], PARAMS, False, case_building=True) == 12.0
    # documented lengths: the cadres' slowdown does not lengthen them again
    assert investigation_mean(OP["elite"], PARAMS, False, 2.0, case_building=True) == 120.0
    # after the halt the post-halt procedure rules
    assert investigation_mean(OP["elite"], PARAMS, True, case_building=True) == 300.0


class _Deaths:
    """Records every sentence passed in a run: day, kind, case and its arrest day."""

    def __init__(self, sim: gt.Sim) -> None:
        e = sim.engine.engine
        self.rows: list[tuple[int, str, np.ndarray, np.ndarray]] = []
        inner = e.sentence

        def sentence(day: int, idx: np.ndarray, kind: str, *args: Any, **kw: Any) -> None:
            idx = np.asarray(idx, dtype=np.int64)
            if len(idx):
                arrested = e.world.cases.arrest_day[idx].astype(np.int64)
                self.rows.append((day, kind, idx, arrested))
            inner(day, idx, kind, *args, **kw)

        e.sentence = sentence
        #: the investigation lengths drawn for elite-operation cases opened while the
        #: conspiracy cases were being built (Institutions.case_building)
        self.case_building_delays: list[int] = []
        drawn = e._investigation

        def investigation(code: int, n: int, slowdown: float = 1.0) -> np.ndarray:
            delays = drawn(code, n, slowdown)
            if code == OP["elite"] and e.world.institutions.case_building:
                self.case_building_delays.extend(int(x) for x in delays)
            return delays

        e._investigation = investigation  # type: ignore[method-assign]


def _run(until: str, **pars: float) -> tuple[gt.Sim, _Deaths]:
    sim = gt.Sim("historical", scale=0.001, seed=1, pars=pars or None)
    deaths = _Deaths(sim)
    sim.run(until=until)
    return sim, deaths


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[gt.Sim, _Deaths]]:
    """The historical scenario to the end of March 1937 at the shipped values, and with a
    shorter case-building investigation."""
    return {
        "shipped": _run("1937-03-31"),
        "short": _run("1937-03-31", case_building_investigation_days=40.0),
    }


def _days(date: str) -> int:
    import datetime as dt

    return (dt.date.fromisoformat(date) - dt.date(1934, 12, 1)).days


def test_case_building_opens_at_the_appointment_and_closes_at_the_plenum() -> None:
    sim = gt.Sim("historical", scale=0.001, seed=1)
    inst = sim.engine.world.institutions
    sim.run(until="1936-09-25")
    assert not inst.case_building
    sim.run(until=APPOINTMENT)
    assert inst.case_building
    sim.run(until="1937-02-22")
    assert inst.case_building
    sim.run(until=PLENUM)
    assert not inst.case_building


def test_case_building_changes_the_run_only_from_the_appointment(runs) -> None:
    """The ledgers agree day by day up to the day before Yezhov's appointment and part after
    it: the parameter acts on no case opened before."""
    a, b = runs["shipped"][0].engine.engine.ledger, runs["short"][0].engine.engine.ledger
    first = _days(APPOINTMENT)
    cube_a, cube_b = a.cube(), b.cube()
    np.testing.assert_array_equal(cube_a[:first], cube_b[:first])
    assert not np.array_equal(
        cube_a[first : _days("1937-03-31")], cube_b[first : _days("1937-03-31")]
    )
    # the elite cases opened while cases are built are investigated for longer: the
    # investigations drawn in the window (not the sentences of late 1936, which since
    # branch trialdocks are mostly show-trial cases' members kept for their trials)
    drawn = [runs[k][1].case_building_delays for k in ("shipped", "short")]
    assert min(len(drawn[0]), len(drawn[1])) >= 50
    assert np.mean(drawn[0]) > 2.0 * np.mean(drawn[1])


def test_the_lists_come_with_the_dated_decision_and_stay_without_yezhov() -> None:
    """Scripted: the flag is set on 4 October 1936, not before; a counterfactual without
    Yezhov keeps it (the leader's rule's path is the next test)."""
    sim = gt.Sim("historical", scale=0.001, seed=1)
    pol = sim.engine.world.policy
    sim.run(until="1936-10-03")
    assert not pol.execution_lists
    sim.run(until=LISTS)
    assert pol.execution_lists
    kept = gt.Sim("counterfactuals/yagoda_kept", scale=0.001, seed=1)
    kept.run(until=LISTS)
    assert kept.engine.world.policy.execution_lists
    assert not kept.engine.world.institutions.case_building  # no Yezhov, no case building


def test_under_the_leaders_rule_the_appointment_brings_the_lists_and_case_building_ends() -> None:
    """Endogenous scenario: the rule's appointment of Yezhov sets the lists and opens case
    building; by the end of the run (a plenum, or a chief without the doctrine) it is closed."""
    sim = gt.Sim("endogenous", scale=0.001, seed=1)
    world = sim.engine.world
    opened = False
    for until in ("1936-06-30", "1937-01-31", "1937-06-30", "1937-12-31"):
        sim.run(until=until)
        opened |= world.institutions.case_building
    appointed = [
        d
        for d in world.policy.log
        if d["action"] == "chief_change" and d["detail"] == "yezhov" and d["by"] == "leader_rule"
    ]
    assert appointed, "the rule did not appoint Yezhov in this run"
    assert world.policy.execution_lists
    assert opened
    sim.run()
    assert not world.institutions.case_building


def test_sentences_follow_arrest_and_the_collegium_kills_few_before_the_lists(runs) -> None:
    sim, deaths = runs["shipped"]
    e = sim.engine.engine
    appointed = _days(LISTS)
    before = {"death": 0, "all": 0}
    after = {"death": 0, "all": 0}
    for day, kind, idx, arrested in deaths.rows:
        assert (arrested <= day).all(), "a sentence before the arrest"
        elite = e.is_elite[idx] & (e.world.cases.op[idx] == OP["elite"])
        n = int(elite.sum())
        side = before if day < appointed else after
        side["all"] += n
        if kind == "death":
            side["death"] += n
    assert before["all"] > 50 and after["all"] > 200  # elite cases decided on both sides
    # show trials are in these counts too (the Leningrad centre, the Sixteen), so the share
    # before the lists is above the Collegium's 0.05, but far below its 0.8 after them
    assert before["death"] / before["all"] < 0.3
    assert after["death"] / after["all"] > 0.6


def test_other_measures_are_passed_only_by_the_bodies_that_could_pass_them() -> None:
    """The troikas, the album and the military courts passed death or camp only; the Special
    Board and the courts passed exile and other measures too, each at its own share."""
    pol, inst = Policy(), _institutions()
    for channel in ("album", "special_troika", "military_collegium", "military_tribunal"):
        for lists in (False, True):
            pol.execution_lists = lists
            _, exile, other = verdict_shares(channel, pol, inst, PARAMS, True)
            assert exile == NEVER and other == NEVER, channel
    _, exile, other = verdict_shares("oso", pol, inst, PARAMS, True)
    assert (exile, other) == (PARAMS["oso_exile_share"], PARAMS["oso_other_share"])
    _, exile, other = verdict_shares("courts", pol, inst, PARAMS, True, grave=True)
    assert (exile, other) == (PARAMS["exile_share"], PARAMS["courts_other_share"])
