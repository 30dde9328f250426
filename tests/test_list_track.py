"""Validity checks of the Military Collegium's list track and of Order 00486 (model/channels.py,
model/charges.py, model/families.py): each can fail if the rule it names is broken.

- From the Politburo's execution lists (4 October 1936) to the halt every case of the elite
  operation, the patron cascade's clients included, is decided by the Military Collegium or the
  districts' tribunals, never by the ordinary courts or the Special Board; and the clients are
  among the Collegium's cases (the rule reaches them).
- A wife is reached only after her husband's conviction by the Collegium or a tribunal, only
  for convictions from 1 August 1936, and no later than the order's narrowing (17 October
  1938); no one under 16 is arrested under the order.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.channels import channel_table
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.vocabulary import CH, OP, OPERATIONS


def _date_of(action: str) -> dt.date:
    (event,) = [e for e in load_scenario("historical").events if e.action == action]
    return event.date


@pytest.fixture(scope="module")
def run():
    from greatterror.model import families as families_module
    from greatterror.model import steps_justice

    decided: list[tuple[int, str, np.ndarray, np.ndarray]] = []
    reached: list[tuple[int, np.ndarray, np.ndarray]] = []
    decide, families = steps_justice._decide, families_module._families

    def spy_decide(e, day, batch, channel, rng, shares):  # type: ignore[no-untyped-def]
        w = e.world
        decided.append((day, channel, w.cases.op[batch].copy(), w.people["elite"][batch] != 0))
        return decide(e, day, batch, channel, rng, shares)

    def spy_families(w, e, day, convicted):  # type: ignore[no-untyped-def]
        reached.append((day, convicted.copy(), w.cases.sentence_day[convicted].copy()))
        return families(w, e, day, convicted)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(steps_justice, "_decide", spy_decide)
        mp.setattr(families_module, "_families", spy_families)
        sim = simulate(load_scenario("historical"), 0.001, 3, evidence=load_evidence()).simulation
    sim.decided_batches, sim.families_batches = decided, reached
    return sim


ELITE_OP = OP["elite"]


def test_the_table_sends_the_elite_operation_to_the_collegium_only_with_the_lists() -> None:
    for accelerated in (False, True):
        before = channel_table(accelerated, False, False, False)
        after = channel_table(accelerated, False, False, True)
        for marked in (0, 1):
            client = 4 * ELITE_OP + 2 * marked  # not of the elite layer
            assert before[client] in (CH["courts"], CH["oso"])
            assert after[client] == CH["military_collegium"]
            assert before[client + 1] == after[client + 1] == CH["military_collegium"]
        # no other operation's cases move with the lists
        for op in range(len(OPERATIONS)):
            if op != ELITE_OP:
                assert (before[4 * op : 4 * op + 4] == after[4 * op : 4 * op + 4]).all()


def test_after_the_lists_the_elite_operation_is_tried_by_the_military_courts(run) -> None:
    lists_day = (_date_of("execution_lists") - run.start).days
    halt_day = (_date_of("halt") - run.start).days
    after = [b for b in run.decided_batches if lists_day <= b[0] < halt_day]
    civil = [b for b in after if b[1] in ("courts", "oso")]
    assert civil, "the courts and the Special Board decide cases after the lists"
    for _, channel, ops, _ in civil:
        assert not (ops == ELITE_OP).any(), f"{channel} decided an elite-operation case"
    collegium = [b for b in after if b[1] == "military_collegium"]
    clients = sum(int(((ops == ELITE_OP) & ~layer).sum()) for _, _, ops, layer in collegium)
    assert clients > 0, "the patron cascade's clients reach the Collegium on the lists"


def test_wives_are_reached_only_after_a_conviction_in_the_order_s_scope(run) -> None:
    from greatterror.model.families import SCOPE_START

    batches = run.families_batches
    assert batches, "the historical run applies Order 00486"
    start = run.start
    order_day = (_date_of("families_order") - start).days
    narrowed_day = (_date_of("families_order_narrowed") - start).days
    scope_day = (SCOPE_START - start).days
    kept = 0
    for day, convicted, sentence_day in batches:
        assert order_day <= day < narrowed_day
        # a man taken from the camps for a new case since his conviction has no sentence now
        # (his case is open again): his wife is still in the order's scope
        sentenced = sentence_day >= 0
        assert (sentence_day[sentenced] >= scope_day).all()  # convicted in the order's scope
        assert (sentence_day[sentenced] <= day).all()  # and before their wives are reached
        assert (run.cases.arrests[convicted[~sentenced]] > 1).all()
        kept += int(sentenced.sum())
    assert kept > 0.9 * sum(len(b[1]) for b in batches)
    c, pop = run.cases, run.pop
    family = np.flatnonzero((c.op == OP["family"]) & (c.arrests > 0))
    assert len(family) > 0
    assert (pop["age"][family] >= 16).all()  # no child arrested under the order
    wives = family[~pop["male"][family]]
    assert c.arrest_day[wives].min() > order_day
    assert c.arrest_day[wives].max() <= narrowed_day + 31  # drawn before it, taken within 30 days
    assert run.children_to_homes > 0
