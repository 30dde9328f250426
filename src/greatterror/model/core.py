"""The compiled core: one structref holding the run's arrays, for components compiled one by one.

A compiled call's glue, not its work, was what one compiled component gained little against
(docs/performance-log.md, branch speed25): 18 array arguments cost about 1 us a call, returned
arrays more. A ``numba.experimental.structref`` passed as ONE argument costs about 0.7 us
whatever it holds, so a compiled component takes the core and the day, writes its results
into the arrays the core refers to, and returns a small int (docs/design/compiled-core.md).

The core holds references to the SAME NumPy buffers the Python engine uses, never copies:
the case arrays (``state.Cases``), the layers, the ledger's Gulag flows and its buffer of
compiled adds, the calendar's lists, entries and marks, and the run's scalar slots
(model/slots.py). Python code and compiled code therefore see each other's writes. When
Python replaces a buffer by a larger one (the calendar's entries, the ledger's buffer, the
buffer of changed statuses), it hands the new array to the core through ``refresh``.

The named random streams' pointer table (``Streams.pointers``, model/stream_pointers.py) is the
field ``streams``: kernels on the core draw through it, with NumPy's numbers. Every queue
(``state.Queue``: the channels' backlogs, ``held_for_sanction``, the holding queue, the camp
roll) is a numbered entry: its buffer the field ``queue{k}``, its head, tail and weight slots
of the run (``Queue.bind``; model/queue_kernels.py reads, pushes and pops), and only that: a
kernel reaches a queue by its number (``slots.Q_*``), the camp deaths the roll as ``Q_ROLL``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit
from numba.core import types
from numba.experimental import structref

from greatterror.model import slots
from greatterror.model.njit_options import NO_CFUNC_WRAPPER

#: the core's fields, in the constructor's order
FIELDS = (
    # the case arrays (state.Cases; model/arrays.py's CaseArrays and release_day)
    "status", "op", "arrest_day", "sentence_day", "flags", "arrests", "release_day",
    # the layers (model/arrays.py, Layers)
    "region", "is_elite", "weight_of_layer",
    # the ledger: the Gulag's daily flows, and the buffer of compiled adds (Ledger.rows...)
    "gulag", "rows", "row_region", "row_op", "row_weight",
    # the calendar: every kind's lists and marks, the entries and their state
    "cal_lists", "cal_marks", "cal_entries", "cal_state",
    # the people whose status compiled code changed (Engine._changed), and the slots
    "changed", "fs", "is_",
    # the named streams' pointer table (model/stream_pointers.py)
    "streams",
    # the arrest's (model/arrest_kernel.py): the case lines, the unarrestable table (ascending,
    # with the day each is barred from: Engine.set_unarrestable), Order 00447's arrests
    "line", "unarrestable", "unarrestable_from", "arrested_00447",
    # the queues' buffers (``state.Queue``), one field each, queue k's ``queue{k}`` (its number
    # ``slots.Q_*``; ``queue_kernels.queue_buf``)
    "queue0", "queue1", "queue2", "queue3", "queue4", "queue5", "queue6",
    "queue7", "queue8", "queue9",
)  # fmt: skip
# (a field each, not a typed list: a typed list's constructor and getitem cost about 1 s of
# compilation in a first run, docs/performance-log.md, branch sentq)
assert slots.N_QUEUES == 10, "one field per queue: FIELDS, _make, _set_queue, queue_buf"


@structref.register
class CoreType(types.StructRef):
    """The Numba type of a core (its fields' types are those of the arrays given)."""

    def preprocess_fields(self, fields: Any) -> tuple:
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class Core(structref.StructRefProxy):
    """One run's core, as Python holds it (made by ``build_core``; opaque to Python)."""


structref.define_proxy(Core, CoreType, list(FIELDS))


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _make(
    status, op, arrest_day, sentence_day, flags, arrests, release_day,
    region, is_elite, weight_of_layer,
    gulag, rows, row_region, row_op, row_weight,
    cal_lists, cal_marks, cal_entries, cal_state,
    changed, fs, is_, streams,
    line, unarrestable, unarrestable_from, arrested_00447, queue_bufs,
):  # pragma: no cover - compiled  # fmt: skip
    """A core (cached: the proxy's own constructor is compiled in every process);
    ``queue_bufs`` a tuple of the queues' buffers, in the order of their numbers."""
    q = queue_bufs
    return Core(
        status, op, arrest_day, sentence_day, flags, arrests, release_day,
        region, is_elite, weight_of_layer,
        gulag, rows, row_region, row_op, row_weight,
        cal_lists, cal_marks, cal_entries, cal_state,
        changed, fs, is_, streams,
        line, unarrestable, unarrestable_from, arrested_00447,
        q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9],
    )  # fmt: skip


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _set_queue(core, k, buf):  # pragma: no cover - compiled
    """Hand queue ``k``'s buffer (replaced by a larger one) to the core."""
    if k == 0:
        core.queue0 = buf
    elif k == 1:
        core.queue1 = buf
    elif k == 2:
        core.queue2 = buf
    elif k == 3:
        core.queue3 = buf
    elif k == 4:
        core.queue4 = buf
    elif k == 5:
        core.queue5 = buf
    elif k == 6:
        core.queue6 = buf
    elif k == 7:
        core.queue7 = buf
    elif k == 8:
        core.queue8 = buf
    else:
        core.queue9 = buf


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _set_buffers(
    core, rows, row_region, row_op, row_weight, cal_lists, cal_marks, cal_entries, changed
):  # pragma: no cover - compiled
    """Hand the growable buffers (as they are now) to the core."""
    core.rows = rows
    core.row_region = row_region
    core.row_op = row_op
    core.row_weight = row_weight
    core.cal_lists = cal_lists
    core.cal_marks = cal_marks
    core.cal_entries = cal_entries
    core.changed = changed


def queues_of(world: Any) -> list[Any]:
    """The run's queues (``state.Queue``) in the order of their numbers (``slots.Q_*``)."""
    inst, camps = world.institutions, world.camps
    return [*inst.queues, inst.held_for_sanction, camps.holding, camps.roll]


class CoreHolder:
    """The core of one engine, with the Python side of its buffers: the buffer of changed
    statuses, and what to do after a compiled component's call (``call``)."""

    def __init__(self, engine: Any) -> None:
        """``engine``: the run's ``Engine`` (model/engine.py, which imports this module), with
        its world bound."""
        assert engine.world is not None
        self.engine = engine
        self.slots = engine.world.camps.slots
        #: people whose status compiled code changed, in order (fill: slot ``CHANGED``)
        self.changed = np.empty(1024, dtype=np.int64)
        self.core = self._build()

    def __getstate__(self) -> dict:
        """A copy or a pickle leaves the core out (a structref can be neither): the copy
        builds its own on first use (``__getattr__``), on the copied buffers."""
        state = self.__dict__.copy()
        state.pop("core", None)
        return state

    def __getattr__(self, name: str) -> Any:
        if name != "core":
            raise AttributeError(name)
        self.slots = self.engine.world.camps.slots
        self.core = self._build()
        return self.core

    def _build(self) -> Core:
        """The core on the engine's buffers as they are now; the calendar hands it its own
        when they grow (``on_grow``)."""
        engine = self.engine
        cases, ledger, cal = engine.world.cases, engine.ledger, engine.calendar
        c, lay = engine.case_arrays, engine.layers
        queues = self.queues = queues_of(engine.world)
        # the camp deaths compact the roll in its buffer and move no weight (review33 F2)
        assert queues[slots.Q_ROLL]._weigh is None, "the camp roll must not carry a weight"
        for number, queue in enumerate(queues):
            queue.bind(self.slots, number)
            queue.on_grow = self.queue_grown
        core = _make(
            c.status, c.op, c.arrest_day, c.sentence_day, c.flags, c.arrests, cases.release_day,
            lay.region, lay.is_elite, lay.weight_of_layer,
            ledger.gulag, ledger.rows, ledger.row_region, ledger.row_op, ledger.row_weight,
            cal.lists, cal.marks, cal._entries, cal._state,
            self.changed, self.slots.f, self.slots.i, engine.rng.pointers,
            cases.line, engine._unarrestable_sorted[0], engine._unarrestable_sorted[1],
            engine.world.institutions.arrested_00447,
            tuple(queue._buf for queue in queues),
        )  # fmt: skip
        cal.on_grow = self.refresh
        return core

    def refresh(self) -> None:
        """Hand the ledger's, the calendar's and the changed buffers, as they are now, to the
        core (after any of them was replaced by a larger one)."""
        led, cal = self.engine.ledger, self.engine.calendar
        _set_buffers(
            self.core, led.rows, led.row_region, led.row_op, led.row_weight,
            cal.lists, cal.marks, cal._entries, self.changed,
        )  # fmt: skip

    def queue_grown(self, number: int) -> None:
        """Queue ``number`` replaced its buffer by a larger one (``Queue.reserve``): the core
        gets the new one."""
        _set_queue(self.core, number, self.queues[number]._buf)

    def grow(self) -> None:
        """Room for what a kernel that returned "full" needs (slot ``NEED``: entries in the
        ledger's buffer and in the changed buffer, one ledger row; slot ``CALENDAR_NEED``:
        entries in the calendar). Both slots are then 0 again."""
        need = self.slots.is_[slots.NEED]
        self.engine.ledger.grow_rows(need)
        filled = self.slots.is_[slots.CHANGED]
        if filled + need > len(self.changed):
            grown = np.empty(max(2 * len(self.changed), filled + need), dtype=np.int64)
            grown[:filled] = self.changed[:filled]
            self.changed = grown
        calendar_need = self.slots.is_[slots.CALENDAR_NEED]
        self.engine.calendar._room(calendar_need)  # (its ``on_grow`` refreshes the core)
        self.slots.is_[slots.NEED] = self.slots.is_[slots.CALENDAR_NEED] = 0
        for number, queue in enumerate(self.queues):  # (``reserve`` hands the core the buffer)
            at = slots.QUEUES + slots.QUEUE_SLOTS * number + slots.QNEED
            if self.slots.is_[at]:
                queue.reserve(self.slots.is_[at])
                self.slots.is_[at] = 0
        self.refresh()

    def call(self, kernel: Any, day: int, *args: Any) -> int:
        """``kernel(core, day, *args)``: a compiled component's day (``args``: arrays it reads
        or fills, if any). It returns -1 if a buffer is full (it then changed nothing: the
        buffers are grown and it is called again; -1 again is an error), else 0 or more
        (the component's). What it added is then noted
        whatever it returned (the ledger's rows in order after Python's adds, the changed
        statuses in ``Engine._changed``): rows noted later would follow Python's adds made
        in between, and the cells' sums would change."""
        done = kernel(self.core, day, *args)
        if done < 0:
            self.grow()
            done = kernel(self.core, day, *args)
            if done < 0:
                raise RuntimeError(
                    f"compiled call {getattr(kernel, '__name__', kernel)} on day {day} was "
                    "still full after its buffers grew: a kernel must check every room it "
                    "needs (core_kernels.room, calendar_room) before it writes anything"
                )
        self.after()
        return int(done)

    def after(self) -> None:
        """Note what compiled code added: the ledger's rows, and the changed statuses."""
        self.engine.ledger.note_compiled()
        filled = self.slots.is_[slots.CHANGED]
        if filled:
            changed = self.engine._changed
            if changed is not None:
                changed.append(self.changed[:filled].copy())
            self.slots.is_[slots.CHANGED] = 0
