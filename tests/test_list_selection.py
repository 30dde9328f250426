"""Validity checks of the lists' choice among a first secretary's circle (model/list_selection.py):
each can fail if the rule it names is broken.

- Who can reach the list track: only a circle member (mass layer, ``patron >= 0``) goes through
  the choice; before the execution lists and after the halt it draws nothing and the elite
  operation takes him; while the lists are open he is arrested under the elite operation (the
  lists) or in ordinary work, nothing else.
- Conservation: everyone the choice arrests is counted once, on the lists or off them, and no
  one is arrested by it who was not at liberty.
- The share: about ``circle_list_share`` of those arrested while the lists are open are listed;
  at 0 no circle member arrested while they are open reaches the Military Collegium.
"""

from __future__ import annotations

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model import list_selection
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.vocabulary import OP


def _run(overrides: dict[str, float] | None = None):  # type: ignore[no-untyped-def]
    from greatterror.model import steps_justice

    calls: list[tuple[int, bool, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    collegium: list[tuple[np.ndarray, np.ndarray]] = []
    arrest_circle, decide = list_selection.arrest_circle, steps_justice._decide

    def spy(w, e, day, idx):  # type: ignore[no-untyped-def]
        idx = np.asarray(idx, dtype=np.int64)
        arrests = w.cases.arrests[idx].copy()
        open_ = list_selection.lists_open(w)
        out = arrest_circle(w, e, day, idx)
        # the operation and day of each case as opened (a man can be arrested again later)
        ops, days = w.cases.op[out].copy(), w.cases.arrest_day[out].copy()
        calls.append((day, open_, idx, out, ops, days, arrests))
        return out

    def spy_decide(e, day, batch, channel, rng, shares):  # type: ignore[no-untyped-def]
        if channel == "military_collegium":
            batch = np.asarray(batch, dtype=np.int64)
            collegium.append((batch.copy(), e.world.cases.arrest_day[batch].copy()))
        return decide(e, day, batch, channel, rng, shares)

    with pytest.MonkeyPatch.context() as mp:
        # both callers import the name, so patch it where each looks it up
        from greatterror.model import steps_elites, steps_investigation

        mp.setattr(steps_elites, "arrest_circle", spy)
        mp.setattr(steps_investigation, "arrest_circle", spy)
        mp.setattr(steps_justice, "_decide", spy_decide)
        sim = simulate(
            load_scenario("historical"), 0.001, 3, overrides or {}, evidence=load_evidence()
        ).simulation
    sim.circle_calls, sim.collegium_batches = calls, collegium
    return sim


@pytest.fixture(scope="module")
def run():  # type: ignore[no-untyped-def]
    return _run()


def test_only_a_circle_goes_through_the_choice_and_only_to_the_lists_or_ordinary_work(run) -> None:
    assert run.circle_calls, "the historical run takes circle members"
    pop = run.pop
    opened = [x for x in run.circle_calls if x[1]]
    assert opened and len(opened) < len(run.circle_calls), "calls with the lists open and not"
    for day, open_, idx, _, ops, days, _ in run.circle_calls:
        assert (pop["patron"][idx] >= 0).all() and not run.engine.is_elite[idx].any()
        assert (days == day).all()
        if open_:
            assert np.isin(ops, (OP["elite"], OP["ordinary"])).all()
        else:
            assert (ops == OP["elite"]).all()  # nothing drawn, the elite operation takes him


def test_the_choice_conserves_the_arrested(run) -> None:
    c = run.cases
    for _, _, idx, out, _, _, arrests in run.circle_calls:
        assert len(np.unique(out)) == len(out)  # no one counted twice
        assert np.isin(out, idx).all()
        taken = np.isin(idx, out)
        assert taken.sum() == len(out)
        # whoever it arrested was arrested (once more by the run's end; he can be taken again)
        assert (c.arrests[idx[taken]] >= arrests[taken] + 1).all()


def test_about_the_share_is_listed_while_the_lists_are_open(run) -> None:
    listed = off = 0
    for _, open_, _, _, ops, _, _ in run.circle_calls:
        if open_:
            listed += int((ops == OP["elite"]).sum())
            off += int((ops == OP["ordinary"]).sum())
    n = listed + off
    assert n >= 20, "enough circle arrests while the lists are open"
    share = run.engine.params["circle_list_share"]
    sd = np.sqrt(share * (1 - share) / n)
    assert abs(listed / n - share) < 4 * sd + 1e-9


def test_at_share_0_no_circle_member_taken_while_the_lists_are_open_reaches_the_collegium() -> None:
    sim = _run({"circle_list_share": 0.0})
    opened = [x for x in sim.circle_calls if x[1]]
    assert opened, "circle members are taken while the lists are open"
    assert sum(len(x[3]) for x in opened) > 0
    assert all((ops == OP["ordinary"]).all() for _, _, _, _, ops, _, _ in opened)
    # no case the choice opened (a person and his arrest day) is decided by the Collegium
    taken = {(p, d) for x in opened for p, d in zip(x[3].tolist(), x[5].tolist(), strict=True)}
    decided = {
        (p, d)
        for batch, days in sim.collegium_batches
        for p, d in zip(batch.tolist(), days.tolist(), strict=True)
    }
    assert decided and not taken & decided
