"""The ledger's adds from compiled code (model/core_kernels.py, ``ledger_add``) keep the order of
the adds: interleaved with Python's ``Ledger.add`` they give the cells of the same adds all made
in Python, bit for bit, through the compiled buffer's growth and the ledger's flushes."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from greatterror.model import slots
from greatterror.model.calendar import Calendar
from greatterror.model.core import _make, _set_buffers
from greatterror.model.core_kernels import ledger_add, room
from greatterror.model.ledger import Ledger

DAYS, REGIONS = 4, 3


@njit(cache=False)
def _add_checked(core, day, region, op, event, weight):  # pragma: no cover - compiled
    """A compiled add as a component makes it: room first, else "full" (-1)."""
    if not room(core, region.shape[0]):
        return -1
    ledger_add(core, day, region, op, event, weight)
    return 1


def _core(ledger: Ledger, calendar: Calendar, changed: np.ndarray):
    n = 8
    u8, i16 = np.zeros(n, dtype=np.uint8), np.zeros(n, dtype=np.int16)
    streams = np.zeros((1, 4), dtype=np.uint64)  # (no draw: a read-only table, as the run's)
    streams.flags.writeable = False
    return _make(
        u8, u8.copy(), i16, i16.copy(), u8.copy(), u8.copy(), i16.copy(),
        np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.bool_), np.ones(2),
        ledger.gulag, ledger.rows, ledger.row_region, ledger.row_op, ledger.row_weight,
        calendar.lists, calendar.marks, calendar._entries, calendar._state,
        changed, ledger.slots.f, ledger.slots.i, streams, u8.copy(), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(REGIONS),
        tuple(np.zeros(n, dtype=np.int32) for _ in range(slots.N_QUEUES)),  # (the queues')
    )  # fmt: skip


def _refresh(core, ledger: Ledger, calendar: Calendar, changed: np.ndarray) -> None:
    _set_buffers(
        core, ledger.rows, ledger.row_region, ledger.row_op, ledger.row_weight,
        calendar.lists, calendar.marks, calendar._entries, changed,
    )  # fmt: skip


@pytest.mark.parametrize("flush_at", [1 << 20, 7])
def test_compiled_adds_between_python_adds_give_the_same_cells(flush_at: int) -> None:
    rng = np.random.default_rng(3)
    mixed, python = Ledger(DAYS, REGIONS), Ledger(DAYS, REGIONS)
    mixed.FLUSH_AT = python.FLUSH_AT = flush_at  # type: ignore[misc]
    calendar, changed = Calendar(DAYS), np.empty(4096, dtype=np.int64)
    # small buffers, so that the compiled adds fill them and they grow
    mixed.rows, mixed.row_region = mixed.rows[:2].copy(), mixed.row_region[:3].copy()
    mixed.row_op, mixed.row_weight = mixed.row_op[:3].copy(), mixed.row_weight[:3].copy()
    core = _core(mixed, calendar, changed)
    grew = 0
    for k in range(60):
        n = int(rng.integers(0, 6))
        day, event = int(rng.integers(0, DAYS)), int(rng.integers(0, 2))
        region = rng.integers(0, 2, size=n).astype(np.int64)  # few cells: each summed often
        op = rng.integers(0, 2, size=n).astype(np.int64)
        weight = rng.random(n) * 333.3  # not integers: the order of the sums shows
        python.add(day, region, op, event, weight)
        if k % 3:
            mixed.add(day, region, op, event, weight)
            continue
        if _add_checked(core, day, region, op, event, weight) < 0:
            mixed.grow_rows(int(mixed.slots.i[slots.NEED]))
            _refresh(core, mixed, calendar, changed)
            grew += 1
            assert _add_checked(core, day, region, op, event, weight) == 1
        mixed.note_compiled()
    assert grew > 0
    mixed._flush()
    python._flush()
    assert mixed.slots.i[slots.LEDGER_ROWS] == mixed.slots.i[slots.LEDGER_ENTRIES] == 0
    assert mixed._cells.tobytes() == python._cells.tobytes()
    assert mixed._values.tobytes() == python._values.tobytes()
    assert mixed.counts.tobytes() == python.counts.tobytes()
