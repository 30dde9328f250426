"""The compiled core's holder (model/core.py, ``CoreHolder``) and the calendar it shares: a kind
that compiled code schedules first, buffers a compiled call finds full, rows a call adds
without saying so, the fields' memory, and copies and pickles of the slots, the calendar and
a bound engine (review28, 6 December 2026)."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from compiled_calls import take_kind
from numba import njit

import greatterror as gt
from greatterror.model import slots
from greatterror.model.calendar import KIND, Calendar, append_due
from greatterror.model.core import FIELDS, _make, queues_of
from greatterror.model.core_kernels import add_kind, calendar_room, ledger_add, room
from greatterror.model.engine import Engine
from greatterror.model.slots import Slots
from greatterror.vocabulary import EV

FAMILY = KIND["family"]
RELEASED = EV["released"]
SCALE, SEED = 0.001, 2


@njit(cache=False)
def _schedule(core, day, idx, due):  # pragma: no cover - compiled
    """A component's day that schedules ``idx`` for ``family`` as ``add_kind`` says: "full"
    (-1) when it cannot."""
    if not add_kind(core, FAMILY, idx, due, day):
        return -1
    return 1


@njit(cache=False)
def _add_and_schedule(core, day, idx, due, region, op, weight):  # pragma: no cover - compiled
    """A ledger add and a schedule, every room checked (both) before either write."""
    in_ledger = room(core, idx.shape[0])
    in_calendar = calendar_room(core, idx.shape[0])
    if not (in_ledger and in_calendar):
        return -1
    ledger_add(core, day, region, op, RELEASED, weight)
    add_kind(core, FAMILY, idx, due, day)
    return 1


@njit(cache=False)
def _add_quietly(core, day, region, op, weight):  # pragma: no cover - compiled
    """A ledger add by a call that returns 0 (nothing the caller must do)."""
    if not room(core, region.shape[0]):
        return -1
    ledger_add(core, day, region, op, RELEASED, weight)
    return 0


@pytest.fixture()
def engine():
    """A bound engine, a few days into a run."""
    sim = gt.Sim("historical", scale=SCALE, seed=SEED).engine  # (a model.sim.Simulation)
    for _ in range(3):
        sim.step()
    return sim.engine


def test_take_returns_whom_compiled_code_scheduled_for_a_kind_python_never_named() -> None:
    calendar = Calendar(10)
    idx, due = np.array([7, 3], dtype=np.int64), np.array([2, 2], dtype=np.int64)
    lists = calendar.lists[FAMILY, 1]
    assert append_due(
        lists, calendar._entries, calendar._state, calendar.marks[FAMILY], idx, due, 0
    )
    assert calendar.take("family", 2).tolist() == [7, 3]
    assert calendar.lists[FAMILY, :, 2, 2].sum() == 0 and calendar.marked[FAMILY * 10 + 2] == 0


def test_a_full_calendar_in_a_compiled_call_is_grown_and_the_call_made_again(engine) -> None:
    holder, calendar = engine.core, engine.calendar
    day = engine.days - 5
    size = calendar._entries.shape[1] + 1  # more than the calendar could ever hold now
    idx = np.arange(size, dtype=np.int64)
    due = np.zeros(size, dtype=np.int64)
    assert holder.call(lambda core, d: _schedule(core, d, idx, due), day) == 1
    assert calendar._entries.shape[1] >= size
    assert holder.slots.is_[slots.CALENDAR_NEED] == 0
    assert calendar.take("family", day).tolist() == idx.tolist()


def test_a_call_needing_both_buffers_grows_both_and_changes_nothing_before(engine) -> None:
    holder, calendar, ledger = engine.core, engine.calendar, engine.ledger
    day = engine.days - 5
    size = max(calendar._entries.shape[1], ledger.row_weight.shape[0]) + 1
    idx = np.arange(size, dtype=np.int64)
    region, op = np.zeros(size, dtype=np.int64), np.ones(size, dtype=np.int64)
    weight = np.full(size, 0.5)
    due = np.zeros(size, dtype=np.int64)
    rows = int(holder.slots.is_[slots.LEDGER_ROWS])
    assert _add_and_schedule(holder.core, day, idx, due, region, op, weight) == -1
    assert holder.slots.is_[slots.LEDGER_ROWS] == rows  # nothing written
    assert not calendar.marks[FAMILY, day]

    def kernel(core, d):
        return _add_and_schedule(core, d, idx, due, region, op, weight)

    assert holder.call(kernel, day) == 1
    assert ledger._meta[-1] == (day, -1, EV["released"], size)
    assert calendar.take("family", day).tolist() == idx.tolist()


def test_a_call_still_full_after_growing_is_an_error(engine) -> None:
    with pytest.raises(RuntimeError, match="still full"):
        engine.core.call(lambda core, day: -1, 0)


def test_rows_a_call_adds_are_noted_whatever_it_returns(engine) -> None:
    """Noted later, they would follow Python's next adds: another order of each cell's sum."""
    holder, ledger = engine.core, engine.ledger
    region, op, weight = np.array([1, 2]), np.array([0, 1]), np.array([0.25, 333.3])
    assert holder.call(lambda core, d: _add_quietly(core, d, region, op, weight), 4) == 0
    assert ledger._meta[-1] == (4, -1, EV["released"], 2)
    assert ledger._weights[-1].tolist() == weight.tolist()


def _sources(engine) -> dict[str, np.ndarray]:
    """The engine's array each core field stands for (written apart from core.py's lists)."""
    cases, ledger, calendar = engine.world.cases, engine.ledger, engine.calendar
    arrays = engine.case_arrays
    run_slots = engine.world.camps.slots
    return {
        "status": arrays.status, "op": arrays.op, "arrest_day": arrays.arrest_day,
        "sentence_day": arrays.sentence_day, "flags": arrays.flags, "arrests": arrays.arrests,
        "release_day": cases.release_day, "region": engine.layers.region,
        "is_elite": engine.layers.is_elite, "weight_of_layer": engine.layers.weight_of_layer,
        "gulag": ledger.gulag, "rows": ledger.rows, "row_region": ledger.row_region,
        "row_op": ledger.row_op, "row_weight": ledger.row_weight, "cal_lists": calendar.lists,
        "cal_marks": calendar.marks, "cal_entries": calendar._entries,
        "cal_state": calendar._state, "changed": engine.core.changed, "fs": run_slots.f,
        "is_": run_slots.i, "streams": engine.rng.pointers, "line": cases.line, "unarrestable": engine._unarrestable_sorted[0],
        "unarrestable_from": engine._unarrestable_sorted[1],
        "arrested_00447": engine.world.institutions.arrested_00447,
    }  # fmt: skip


_namespace: dict = {}
exec(  # each field read by its name (the proxy has no getters)
    "def _read_fields(core):\n    return (" + ", ".join(f"core.{n}" for n in FIELDS) + ",)\n",
    _namespace,
)
_read_fields = njit(cache=False)(_namespace["_read_fields"])


def _assert_fields_share(engine) -> None:
    sources = _sources(engine)
    for k, queue in enumerate(queues_of(engine.world)):  # (field ``queue{k}``: slots.Q_*)
        sources[f"queue{k}"] = queue._buf
    assert set(sources) == set(FIELDS)
    fields = dict(zip(FIELDS, _read_fields(engine.core.core), strict=True))
    # no two fields share memory (the camp roll's buffer is its queue's field alone)
    for name in FIELDS:
        assert np.shares_memory(fields[name], sources[name]), name
        for other, source in sources.items():
            if other != name and source.dtype == sources[name].dtype:
                assert not np.shares_memory(fields[name], source), (name, other)
    assert np.shares_memory(engine.world.cases.status, sources["status"])


def test_every_core_field_is_the_memory_of_the_engine_array_it_stands_for(engine) -> None:
    _assert_fields_share(engine)
    engine.calendar._room(engine.calendar._entries.shape[1] + 1)  # replaced: handed on
    engine.ledger.grow_rows(engine.ledger.row_weight.shape[0] + 1)
    engine.core.refresh()
    _assert_fields_share(engine)
    people, since = engine._unarrestable  # a new table: handed on (``Engine.set_unarrestable``)
    engine.set_unarrestable(people[:-1], since[:-1])
    # a queue Python pushes past its buffer hands the new one to the core (``on_grow``)
    holding = engine.world.camps.holding
    holding.push(np.zeros(len(holding._buf) + 1, dtype=np.int64))
    holding.clear()
    _assert_fields_share(engine)


def test_a_core_made_with_two_fields_swapped_is_found_out(engine) -> None:
    """The check above can fail: status and op (both uint8, one per case) exchanged."""
    c = engine.case_arrays
    values = list(_read_fields(engine.core.core))
    values[0], values[1] = c.op, c.status
    queues = len(queues_of(engine.world))  # (``_make`` takes the queues' buffers as a tuple)
    engine.core.core = _make(*values[:-queues], tuple(values[-queues:]))
    with pytest.raises(AssertionError, match="status"):
        _assert_fields_share(engine)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_copied_slots_keep_their_views(how: str) -> None:
    run_slots = Slots()
    run_slots.fs[0], run_slots.is_[1] = 2.5, 7
    copied = (
        copy.deepcopy(run_slots) if how == "deepcopy" else pickle.loads(pickle.dumps(run_slots))
    )
    assert copied.f.tolist()[0] == 2.5 and copied.i.tolist()[1] == 7
    copied.fs[0], copied.is_[1] = 3.5, 9
    assert copied.f[0] == 3.5 and copied.i[1] == 9
    assert run_slots.fs[0] == 2.5


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copied_calendar_keeps_its_marks_and_kinds(how: str) -> None:
    calendar = Calendar(10)
    calendar.add("execute", np.array([4, 5], dtype=np.int64), np.array([3, 6]))
    calendar.add("a test kind", np.array([8], dtype=np.int64), np.array([6]))
    copied = copy.deepcopy(calendar) if how == "deepcopy" else pickle.loads(pickle.dumps(calendar))
    assert np.shares_memory(copied.marks, np.frombuffer(copied.marked, dtype=np.uint8))
    assert copied.take("execute", 3).tolist() == [4]
    assert copied.take("a test kind", 6).tolist() == [8]
    assert copied.marks[KIND["execute"], 3] == 0 and calendar.marks[KIND["execute"], 3] == 1
    assert calendar.take("execute", 3).tolist() == [4]
    copied.add("family", np.array([1], dtype=np.int64), np.array([2]))
    assert copied.marked[FAMILY * 10 + 2] == 1 and copied.marks[FAMILY, 2] == 1


def _state(sim) -> list[bytes]:
    """A run's state as bytes: the case arrays, the slots, the Gulag flows, the ledger's cells
    (flushed) and the calendar."""
    e, cases = sim.engine, sim.world.cases
    e.ledger._flush()
    arrays = [getattr(cases, n) for n in ("status", "op", "arrest_day", "flags", "release_day")]
    arrays += [sim.world.camps.slots.f, sim.world.camps.slots.i[: slots.NEED]]
    arrays += [sim.world.camps.slots.i[slots.QUEUES :]]
    arrays += [queue.peek() for queue in queues_of(sim.world)]
    arrays += [e.ledger.gulag, e.ledger._cells, e.ledger._values, e.calendar.lists]
    arrays += [e.calendar.marks, np.frombuffer(e.calendar.marked, dtype=np.uint8)]
    return [np.ascontiguousarray(a).tobytes() for a in arrays]


def test_a_copied_and_a_pickled_run_go_on_as_the_run() -> None:
    """A bound run copied a few days in: each copy builds its own core on its own arrays
    (``CoreHolder.__getstate__``) and the three go on alike, day by day."""
    sim = gt.Sim("historical", scale=SCALE, seed=SEED).engine
    for _ in range(3):
        sim.step()
    runs = [sim, copy.deepcopy(sim), pickle.loads(pickle.dumps(sim))]
    for run in runs[1:]:
        _assert_fields_share(run.engine)
        assert run.world.camps.slots is run.engine.ledger.slots
        for queue in queues_of(run.world):  # (their counts in the copy's own slots)
            assert queue._is is run.world.camps.slots.is_
            assert queue._fs is run.world.camps.slots.fs
    for day in range(3, 60):
        for run in runs:
            run.step()
        if day % 20 == 19:
            first = _state(runs[0])
            assert all(_state(run) == first for run in runs[1:]), day
    assert not np.shares_memory(runs[0].world.cases.status, runs[1].world.cases.status)


def test_the_camps_slots_cannot_be_replaced(engine) -> None:
    """``Camps`` keeps the slots' arrays (``_fs``/``_is``): a new ``slots`` would leave them
    stale, so it cannot be set."""
    with pytest.raises(AttributeError):
        engine.world.camps.slots = Slots()  # type: ignore[misc]


def test_a_kind_named_after_bind_reaches_the_core(engine) -> None:
    """A kind beyond the calendar's arrays makes them larger (``Calendar._alloc``), and the
    core gets the new ones (``on_grow``): compiled code takes what Python scheduled."""
    calendar, day = engine.calendar, engine.days - 3
    kinds, k = len(calendar.lists), 0
    while len(calendar.lists) == kinds:
        k += 1
        calendar.add(f"test kind {k}", np.array([k], dtype=np.int64), np.array([day]))
    code = calendar.codes[f"test kind {k}"]
    assert code >= kinds
    assert take_kind(engine.core.core, code, day).tolist() == [k]
    assert take_kind(engine.core.core, FAMILY, day).tolist() == []
    assert not calendar.marked[code * engine.days + day]


def test_arrests_is_0_before_bind_and_the_worlds_slot_from_bind(engine) -> None:
    """``Engine.arrests`` of an engine not bound yet is 0 (zeroed slots of its own); from
    ``bind`` on it is the world's int slot ``ARRESTS``, which the compiled arrest counts."""
    fresh = Engine(
        engine.scenario, engine.world.people, 1, engine.evidence, engine.params, engine.switches
    )
    assert fresh.arrests == 0
    engine.arrests += 5
    assert engine.arrests == engine.world.camps.slots.i[slots.ARRESTS] >= 5
