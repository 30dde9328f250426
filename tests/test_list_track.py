"""Validity checks of the Military Collegium's list track and of Order 00486 (model/channels.py,
model/charges.py, model/families.py): each can fail if the rule it names is broken.

- From the Politburo's execution lists (4 October 1936) to the halt every case of the elite
  operation of the nomenklatura's layers (the elite layer and the first secretary's circle, the
  patron cascade's clients) is decided by the Military Collegium or the districts' tribunals,
  never by the ordinary courts or the Special Board; and the clients are among the Collegium's
  cases (the rule reaches them). The others the elite operation took (named under
  interrogation by a client, outside the circle) are never on the lists: the courts or the
  Special Board decide them (until 5 Dec 2026, branch listsel, they went to the Collegium).
- Order 00486's children are those aged 1 to 15 of the households of the wives arrested (an
  infant went with its mother; until 5 Dec 2026 the infants were counted).
- A wife is reached only after her husband's conviction by the Collegium or a tribunal, only
  for convictions from 1 August 1936, and no later than the order's narrowing (17 October
  1938); no one under 16 is arrested under the order.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.channels import CIRCLE, ELITE, MASS, channel_table
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.vocabulary import CH, OP, OPERATIONS


def _date_of(action: str) -> dt.date:
    (event,) = [e for e in load_scenario("historical").events if e.action == action]
    return event.date


@pytest.fixture(scope="module")
def run():
    from greatterror.model import families as families_module
    from greatterror.model import steps_investigation, steps_justice

    decided: list[tuple[int, str, np.ndarray, np.ndarray]] = []
    reached: list[tuple[int, np.ndarray, np.ndarray]] = []
    placed: list[np.ndarray] = []
    named_ops: list[np.ndarray] = []
    decide, families = steps_justice._decide, families_module._families
    children_placed = steps_justice.children_placed
    arrest_named = steps_investigation._arrest_named

    def spy_decide(e, day, batch, channel, rng, shares):  # type: ignore[no-untyped-def]
        w = e.world
        layer = np.where(w.people["patron"][batch] >= 0, CIRCLE, MASS)
        layer[e.is_elite[batch]] = ELITE
        decided.append((day, channel, w.cases.op[batch].copy(), layer))
        return decide(e, day, batch, channel, rng, shares)

    def spy_named(w, e, day, named, who):  # type: ignore[no-untyped-def]
        arrest_named(w, e, day, named, who)
        # those of the mass layer outside a circle named in an elite case, arrested today
        outside = (w.cases.op[who] == ELITE_OP) & ~e.is_elite[named]
        outside &= (w.people["patron"][named] < 0) & (w.cases.arrest_day[named] == day)
        named_ops.append(w.cases.op[named[outside]].copy())

    def spy_placed(w, e, wives):  # type: ignore[no-untyped-def]
        placed.append(np.asarray(wives, dtype=np.int64).copy())
        return children_placed(w, e, wives)

    def spy_families(w, e, day, convicted):  # type: ignore[no-untyped-def]
        reached.append((day, convicted.copy(), w.cases.sentence_day[convicted].copy()))
        return families(w, e, day, convicted)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(steps_justice, "_decide", spy_decide)
        mp.setattr(families_module, "_families", spy_families)
        mp.setattr(steps_justice, "children_placed", spy_placed)
        mp.setattr(steps_investigation, "_arrest_named", spy_named)
        sim = simulate(load_scenario("historical"), 0.001, 3, evidence=load_evidence()).simulation
    sim.decided_batches, sim.families_batches, sim.wives_placed = decided, reached, placed
    sim.named_ops = np.concatenate(named_ops)
    return sim


ELITE_OP = OP["elite"]


def test_the_table_sends_the_nomenklatura_s_layers_to_the_collegium_only_with_the_lists() -> None:
    def at(op: int, marked: int, layer: int) -> int:
        return 6 * op + 3 * marked + layer

    for accelerated in (False, True):
        before = channel_table(accelerated, False, False, False)
        after = channel_table(accelerated, False, False, True)
        for marked in (0, 1):
            # the first secretary's circle: to the Collegium with the lists only
            assert before[at(ELITE_OP, marked, CIRCLE)] in (CH["courts"], CH["oso"])
            assert after[at(ELITE_OP, marked, CIRCLE)] == CH["military_collegium"]
            # the elite layer: to the Collegium throughout
            for table in (before, after):
                assert table[at(ELITE_OP, marked, ELITE)] == CH["military_collegium"]
            # the others the elite operation took: never on the lists
            mass = at(ELITE_OP, marked, MASS)
            assert before[mass] == after[mass] in (CH["courts"], CH["oso"])
        # no other operation's cases move with the lists
        for op in range(len(OPERATIONS)):
            if op != ELITE_OP:
                assert (before[6 * op : 6 * op + 6] == after[6 * op : 6 * op + 6]).all()


def test_after_the_lists_only_the_nomenklatura_s_layers_go_to_the_military_courts(run) -> None:
    lists_day = (_date_of("execution_lists") - run.start).days
    halt_day = (_date_of("halt") - run.start).days
    after = [b for b in run.decided_batches if lists_day <= b[0] < halt_day]
    civil = [b for b in after if b[1] in ("courts", "oso")]
    assert civil, "the courts and the Special Board decide cases after the lists"
    for _, channel, ops, layer in civil:
        listed = (ops == ELITE_OP) & (layer != MASS)
        assert not listed.any(), f"{channel} decided a case of the lists"
    collegium = [b for b in after if b[1] == "military_collegium"]
    for _, _, ops, layer in collegium:
        assert not ((ops == ELITE_OP) & (layer == MASS)).any(), "a name outside the circle listed"
    clients = sum(
        int(((ops == ELITE_OP) & (layer == CIRCLE)).sum()) for _, _, ops, layer in collegium
    )
    assert clients > 0, "the patron cascade's clients reach the Collegium on the lists"
    # a name outside the circles given in an elite case is taken in ordinary work, off the lists
    assert len(run.named_ops) > 0, "the rule is exercised: elite cases name people outside"
    assert (run.named_ops == OP["ordinary"]).all()


def test_the_children_are_those_aged_1_to_15_of_the_wives_arrested(run) -> None:
    pop, weight = run.pop, run.engine.weights
    hh, indptr = pop.household_labels(), pop.households.indptr
    counted, infants = 0.0, 0.0
    for wives in run.wives_placed:
        for wife in wives[hh[wives] >= 0].tolist():
            ages = pop["age"][indptr[hh[wife]] : indptr[hh[wife] + 1]]
            w = float(weight(np.array([wife]))[0])
            counted += w * int(((ages >= 1) & (ages < 16)).sum())  # the order's "aged 1-15"
            infants += w * int((ages < 1).sum())
    assert run.children_to_homes == pytest.approx(counted)
    assert infants > 0, "the rule is exercised: some arrested wives' households hold an infant"


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
