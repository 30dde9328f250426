"""Shortcuts taken for speed give exactly what the rules they stand for give (docs/performance-log.md)."""

from __future__ import annotations

import numpy as np
import pytest

import greatterror as gt
from greatterror.model.components import COMPONENTS
from greatterror.model.ledger_sums import ledger_sums, ledger_sums_numpy
from greatterror.model.purge_state import Cadres
from greatterror.vocabulary import AT_LIBERTY, EVENTS, OPERATIONS, Status


@pytest.mark.parametrize("filled", [0.002, 0.3, 1.0])
def test_ledger_sums_equal_the_numpy_sums_bit_for_bit(filled: float) -> None:
    """Sums of floats depend on their order; random weights make any other order show."""
    rng = np.random.default_rng(3)
    cube = np.zeros((40, 9, len(OPERATIONS), len(EVENTS)))
    flat = cube.reshape(-1)
    at = rng.random(flat.size) < filled
    flat[at] = rng.random(int(at.sum())) * rng.choice([1.0, 1234.567, 0.3], int(at.sum()))
    for fast, rule in zip(ledger_sums(cube), ledger_sums_numpy(cube), strict=True):
        assert fast.tobytes() == rule.tobytes()
    # the test can fail: another order of the same additions gives other last bits
    political = cube[:, :, : len(OPERATIONS) - 1]  # a view: region by region, not as the copy
    if filled == 1.0:
        other = political.sum(axis=(1, 2))
        assert other.tobytes() != ledger_sums(cube)[0].tobytes()


def _cadres(n: int) -> Cadres:
    rng = np.random.default_rng(5)
    rows = rng.choice(10 * n, size=n, replace=False).astype(np.int64)  # not sorted
    return Cadres(
        officers=rows,
        region=rng.integers(0, 4, size=n),
        replaced=np.zeros(n, dtype=bool),
        experienced=np.full(4, n / 4),
        recruits=np.zeros(4),
        lost=np.zeros(10),
        initial_capacity=float(n),
    )


def test_cadres_look_only_at_changed_people_and_find_the_same_lost() -> None:
    """``take_lost`` given the people whose status changed equals the pass over all officers."""
    rng = np.random.default_rng(11)
    n, people = 300, 3000
    status = np.full(people, Status.FREE, dtype=np.uint8)
    full, fast = _cadres(n), _cadres(n)
    arrests = 0
    # what ``Engine.status_changes`` keeps: nothing before the first look, then every
    # person whose status changed since the last look
    pending: list[np.ndarray] | None = None

    def changes() -> np.ndarray | None:
        nonlocal pending
        out, pending = pending, []
        return None if out is None else np.concatenate([*out, np.empty(0, dtype=np.int64)])

    not_free = [s for s in range(len(AT_LIBERTY)) if not AT_LIBERTY[s]]
    for _day in range(60):
        moved = rng.choice(people, size=rng.integers(0, 40), replace=True)
        status[moved] = rng.choice([*not_free, int(Status.RELEASED)], size=len(moved))
        if pending is not None:
            pending.append(moved)
        if rng.random() < 0.7:
            arrests += 1  # on other days no case is opened, and neither looks
        expected = full.take_lost(status, arrests)
        got = fast.take_lost(status, arrests, changes)
        assert np.array_equal(expected, got)
        assert np.array_equal(full.unreplaced, fast.unreplaced)
    assert full.replaced.any()
    assert np.array_equal(full.replaced, fast.replaced)


def test_gates_are_declared_mechanisms() -> None:
    for cls in COMPONENTS:
        assert set(cls.gate) <= set(cls.mechanisms), cls.name


def test_the_loop_leaves_out_only_components_whose_gates_are_all_off() -> None:
    sim = gt.Sim("historical", scale=0.0001, seed=1, mechanisms={"M27": True})
    sim.step()
    loop, engine = sim.loop, sim.engine.engine
    acting = {c.name for c in loop.acting(engine)}
    for c in loop:
        off = bool(c.gate) and not any(engine.switch(m) for m in c.gate)
        assert (c.name not in acting) == off, c.name
    assert "vengeance" in acting  # switched on for this run
    assert "killings_abroad" not in acting  # off in the historical scenario
    assert loop.timings["killings_abroad"] == 0.0
    assert "(off in this run)" in repr(loop)


def _filled_ledger(rng: np.random.Generator, days: int, regions: int, flush_at: int):
    """A ledger given random events (days in any order; some calls with one operation code),
    and the same events added one by one into a dense cube, as the ledger once did."""
    from greatterror.model.ledger import Ledger

    ledger = Ledger(days, regions)
    ledger.FLUSH_AT = flush_at  # an instance attribute: compacts the cells several times
    dense = np.zeros(ledger.shape)
    for _ in range(400):
        day, event, n = (
            int(rng.integers(days)),
            int(rng.integers(len(EVENTS))),
            int(rng.integers(1, 9)),
        )
        region = rng.integers(0, regions, size=n)
        op = rng.integers(0, len(OPERATIONS), size=n).astype(np.uint8)
        w = rng.random(n) * rng.choice([1.0, 1234.567, 0.3])
        scalar = bool(rng.random() < 0.5)
        ledger.add(day, region, int(op[0]) if scalar else op, event, w)
        for k in range(n):  # one by one, in the order added
            dense[day, region[k], op[0] if scalar else op[k], event] += w[k]
    return ledger, dense


@pytest.mark.parametrize("flush_at", [1 << 22, 50])
def test_ledger_cells_give_the_dense_sums_bit_for_bit(flush_at: int) -> None:
    """The summary's sums from the cells that hold events (model/ledger_cells.py) equal those
    of the dense counts; so do the dense counts filled from the cells later."""
    rng = np.random.default_rng(11)
    ledger, dense = _filled_ledger(rng, 6, 2, flush_at)  # many events share a cell
    sums = ledger.sums()
    assert ledger._counts is None  # no dense array was needed
    for got, rule in zip(sums, ledger_sums_numpy(dense), strict=True):
        assert got.tobytes() == rule.tobytes()
    assert ledger.cube().tobytes() == dense.tobytes()
    # once dense, later events are added into it, and the sums follow
    ledger.add(3, np.array([1, 1]), np.array([0, 2], dtype=np.uint8), 0, np.array([0.1, 0.7]))
    dense[3, 1, 0, 0] += 0.1
    dense[3, 1, 2, 0] += 0.7
    for got, rule in zip(ledger.sums(), ledger_sums_numpy(dense), strict=True):
        assert got.tobytes() == rule.tobytes()


def test_ledger_cells_add_a_cells_events_in_the_order_added() -> None:
    """The test above can fail: summing a cell's events in another order changes its bits."""
    from greatterror.model.ledger_cells import add_events

    w = np.array([1e16, 1.0, -1e16, 1.0])
    cells, values = add_events(
        np.empty(0, dtype=np.int64), np.empty(0), np.array([7, 7, 7, 7], dtype=np.int64), w
    )
    assert cells.tolist() == [7] and values.tolist() == [((1e16 + 1.0) - 1e16) + 1.0]
    assert values[0] != ((1e16 - 1e16) + 1.0) + 1.0  # another order, other bits


def test_each_reader_of_the_status_changes_is_given_every_change_once() -> None:
    """``Engine.status_changes`` with two readers (the cadres, the party's appeals): each
    is given every change noted after its first call, once, whenever the other asks."""
    from types import SimpleNamespace

    from greatterror.model.engine import Engine

    e = SimpleNamespace(_changed=None, _change_readers={})

    def ask(reader: str) -> list[int] | None:
        out = Engine.status_changes(e, reader)  # type: ignore[arg-type]
        return None if out is None else sorted(out.tolist())

    def note(*people: int) -> None:
        if e._changed is not None:  # as ``Transitions`` and ``CoreHolder.after`` do
            e._changed.append(np.array(people, dtype=np.int64))

    note(1)  # before any reader: not kept
    assert ask("") is None
    note(2)
    note(3, 4)
    assert ask("party") is None  # starts its record: 2, 3 and 4 were before it
    note(5)
    assert ask("") == [2, 3, 4, 5]
    note(6)
    assert ask("party") == [5, 6]
    assert ask("party") == []
    note(7)
    assert ask("") == [6, 7]
    assert ask("party") == [7]
