"""The ledger of a run: counts of events by day, region, operation and kind.

The steps add what they did to it (arrests, sentences, executions and the other events of
``EVENTS``), with the channels' daily backlog and decisions and the Gulag's daily flows; the
summary and the time series read it. Apart from model/state.py (the people's cases and the
institutions' state) because the ledger is an accumulator with storage of its own (cells
until the dense counts are read, model/ledger_cells.py; a pool of dense arrays), not state a
step decides on.
"""

from __future__ import annotations

import sys
import threading

import numpy as np
from numpy.typing import NDArray

from greatterror.model import slots
from greatterror.model.gulag import GULAG_FLOWS
from greatterror.model.ledger_cells import add_events, cell_ids, cell_sums, scatter_cells
from greatterror.model.ledger_sums import Sums, ledger_sums
from greatterror.model.slots import Slots, float_slot
from greatterror.vocabulary import CHANNELS, EVENTS, OPERATIONS


class _CountsPool:
    """Dense count arrays of finished runs, zeroed and used again by the next ledger that
    needs dense counts (a ledger keeps its events as cells until they are read densely).

    A ledger's dense counts are 73 MB whatever the scale (days x regions x operations x
    events). A fresh array costs nothing until written, but writing it then faults in
    every page: 0.2-0.3 s of CPU on the development machine, a fifth of a whole 1:1,000
    run. Zeroing an array already mapped costs about 0.01 s. An array is handed out
    again only when nothing else refers to it (no ledger, no view of it, no copy of
    its buffer): its reference count, which every view raises through its ``base``,
    says so. At most ``KEEP`` arrays are kept, so memory stays bounded.
    """

    KEEP = 2
    #: references to a free array while it is checked: the pool's list, the loop's
    #: variable and ``sys.getrefcount``'s own argument
    _FREE_REFS = 3

    def __init__(self) -> None:
        self._arrays: list[NDArray[np.float64]] = []
        self._lock = threading.Lock()

    def take(self, size: int) -> NDArray[np.float64]:
        with self._lock:
            for array in self._arrays:
                if array.size == size and sys.getrefcount(array) <= self._FREE_REFS:
                    array.fill(0.0)
                    return array
            array = np.zeros(size, dtype=np.float64)
            if len(self._arrays) < self.KEEP:
                self._arrays.append(array)
            return array


_COUNTS_POOL = _CountsPool()


class Ledger:
    """Counts of events by day, region, operation and kind, in full-population equivalents.

    ``add`` only buffers its arrays; they are added into the counts in one
    compiled pass when the counts are read or the buffer is large. A scatter
    per call cost more than the event itself at small scales. Each cell still
    sums its weights in the order they were added.

    Until someone reads the dense counts (``counts``, ``cube``, ``day_totals``), the
    buffered events are kept as the cells that hold them (model/ledger_cells.py):
    the summary's sums (``sums``) need no more, and a run then never fills the 73 MB
    dense array. The first read of the dense counts fills it from the cells, and
    from then on events are added into it.
    """

    #: buffered entries; bounds the buffer's memory to about 25 MB. A flush makes about 75
    #: bytes an entry of temporaries (the concatenations, the cells, their sort, the merge):
    #: at 1 << 22 that was about 0.3 GB at 1:1, where a run flushes in its busy days, on top
    #: of every case array (the run's peak of memory, 6 December 2026). Any bound gives the
    #: same counts: a cell adds its events one by one in the order added, across flushes
    #: (``ledger_cells.merge_cells``)
    FLUSH_AT = 1 << 20

    def __init__(self, days: int, regions: int) -> None:
        self.shape = (days, regions, len(OPERATIONS), len(EVENTS))
        #: the dense counts, once someone reads them (None: the events are kept as cells)
        self._counts: NDArray[np.float64] | None = None
        #: the cells holding events (sorted) and their counts, while there is no dense array
        self._cells = np.empty(0, dtype=np.int64)
        self._values = np.empty(0, dtype=np.float64)
        # per call: (day, op code or -1, event, events) and its arrays, which are not
        # modified after the call
        self._meta: list[tuple[int, int, int, int]] = []
        self._regions: list[NDArray] = []
        self._ops: list[NDArray] = []  # of the calls that gave one code per event
        self._weights: list[NDArray] = []
        self._pending = 0
        self.backlog = np.zeros((days, len(CHANNELS)), dtype=np.float64)
        self.decided = np.zeros((days, len(CHANNELS)), dtype=np.float64)
        #: the Gulag's flows per day (columns: model/gulag.py, ``GULAG_FLOWS``)
        self.gulag = np.zeros((days, len(GULAG_FLOWS)), dtype=np.float64)
        #: camp (ITL) and colony (ITK) prisoners, of them the non-political convicts
        #: (model/steps_courts.py), and the camp prisoners of Order 00447's line of criminals
        #: (model/steps_gulag.py), counted on each 1 January (NaN otherwise)
        self.stock = np.full((days, 5), np.nan)
        #: prisoners held at the start of each day's camp deaths (read for the supply plan)
        self.held = np.zeros(days, dtype=np.float64)
        #: the camps' undernourishment: the supply shortfall averaged over the preceding
        #: months (model/steps_gulag.py, ``undernourishment``)
        self.hunger = np.zeros(days, dtype=np.float64)
        #: people in the NKVD's prisons at the start of each day's holding step: under
        #: investigation, awaiting sentence, and sentenced to camp awaiting the etap
        self.prisons = np.zeros(days, dtype=np.float64)
        #: of them, sentenced to camp and awaiting the etap
        self.holding = np.zeros(days, dtype=np.float64)
        #: overcrowding of the prisons, summed over the days up to and including each day
        #: (model/holding.py, ``crowding``)
        self.crowding_days = np.zeros(days, dtype=np.float64)
        #: people in the prisons on each 1 January, April, July and October (ISO date ->)
        self.prison_dates: dict[str, float] = {}
        #: the run's scalars (model/slots.py): ``released_pretrial`` and the fill counts of the
        #: compiled buffer are slots (``Engine.bind`` makes them the world's, ``use_slots``)
        self.slots = Slots()
        self._fs, self._is = self.slots.fs, self.slots.is_
        #: the buffer compiled code adds to (``add_rows``, model/core_kernels.py), in the same
        #: form as the lists: rows (day, -1, event, entries) and per entry region, op, weight
        self.rows = np.empty((64, 4), dtype=np.int64)
        self.row_region = np.empty(1024, dtype=np.int64)
        self.row_op = np.empty(1024, dtype=np.int64)
        self.row_weight = np.empty(1024, dtype=np.float64)
        #: rows and entries of that buffer already put in the lists (``note_compiled``)
        self._noted = (0, 0)
        #: on the first of each month, at the start of the holding step (model/holding.py):
        #: the people under investigation or awaiting sentence and ``released_pretrial`` then
        self.pretrial_dates: dict[str, tuple[float, float]] = {}

    #: the weight released from investigation or awaiting sentence since the run's start
    #: (model/transitions.py, ``release``; the ``released`` event also counts the camps')
    released_pretrial = float_slot(slots.RELEASED_PRETRIAL, "weight released before sentence")

    def use_slots(self, run_slots: Slots) -> None:
        """Keep the scalars in ``run_slots`` (the world's), from their values now."""
        released, rows = self.released_pretrial, self._is[slots.LEDGER_ROWS]
        entries = self._is[slots.LEDGER_ENTRIES]
        self.slots, self._fs, self._is = run_slots, run_slots.fs, run_slots.is_
        self.released_pretrial = released
        self._is[slots.LEDGER_ROWS], self._is[slots.LEDGER_ENTRIES] = rows, entries

    def note_compiled(self) -> None:
        """Put the rows compiled code added since the last call into the lists, after those
        Python added before: called right after each compiled call that added (model/core.py),
        so that the adds stay in the order they were made, and every cell sums its weights in
        that order. The lists hold views of the buffer, which is not written again before
        the flush that consumes them (it resets the fill counts) and is replaced, not
        resized, when it grows (``grow_rows``)."""
        rows, entries = self._is[slots.LEDGER_ROWS], self._is[slots.LEDGER_ENTRIES]
        done_rows, done = self._noted
        if rows == done_rows:
            return
        self._meta.extend(map(tuple, self.rows[done_rows:rows].tolist()))
        self._regions.append(self.row_region[done:entries])
        self._ops.append(self.row_op[done:entries])
        self._weights.append(self.row_weight[done:entries])
        self._noted = (rows, entries)
        self._pending += entries - done
        if self._pending >= self.FLUSH_AT:
            self._flush()

    def grow_rows(self, entries: int) -> None:
        """Room in the compiled buffer for ``entries`` more entries and one more row (a
        kernel returned "full"); the filled part is copied, the old arrays left to the views
        in the lists."""
        rows, filled = self._is[slots.LEDGER_ROWS], self._is[slots.LEDGER_ENTRIES]
        if rows + 1 > len(self.rows):
            grown = np.empty((2 * len(self.rows), 4), dtype=np.int64)
            grown[:rows] = self.rows[:rows]
            self.rows = grown
        if filled + entries > len(self.row_weight):
            size = max(2 * len(self.row_weight), filled + entries)
            for name in ("row_region", "row_op", "row_weight"):
                old = getattr(self, name)
                new = np.empty(size, dtype=old.dtype)
                new[:filled] = old[:filled]
                setattr(self, name, new)

    def add(
        self, day: int, region: NDArray, op: NDArray | int, event: int, weight: NDArray
    ) -> None:
        """Buffer events; ``region``, ``op`` and ``weight`` must not be changed afterwards."""
        n = len(region)
        if n == 0:
            return
        if isinstance(op, np.ndarray):
            self._ops.append(op)
            self._meta.append((day, -1, event, n))
        else:
            self._meta.append((day, int(op), event, n))
        self._regions.append(region)
        self._weights.append(weight)
        self._pending += n
        if self._pending >= self.FLUSH_AT:
            self._flush()

    def _flush(self) -> None:
        self.note_compiled()
        if not self._meta:
            return
        _, n_reg, n_op, n_ev = self.shape
        ops = self._ops
        meta = np.array(self._meta, dtype=np.int64)
        regions = np.concatenate(self._regions).astype(np.int64)
        op_codes = np.concatenate(ops).astype(np.int64) if ops else np.empty(0, dtype=np.int64)
        weights = np.concatenate(self._weights).astype(np.float64)
        self._meta, self._regions, self._ops, self._weights = [], [], [], []
        self._pending = 0
        self._is[slots.LEDGER_ROWS] = self._is[slots.LEDGER_ENTRIES] = 0
        self._noted = (0, 0)
        cells = cell_ids(meta, regions, op_codes, n_reg, n_op, n_ev)
        if self._counts is None:
            self._cells, self._values = add_events(self._cells, self._values, cells, weights)
        else:
            scatter_cells(self._counts, cells, weights)

    @property
    def counts(self) -> NDArray[np.float64]:
        if self._counts is None:
            counts = _COUNTS_POOL.take(int(np.prod(self.shape)))
            counts[self._cells] = self._values
            self._counts = counts
            self._cells, self._values = self._cells[:0], self._values[:0]
        self._flush()
        return self._counts

    def sums(self) -> Sums:
        """The summary's sums over the counts (model/ledger_sums.py), from the cells while
        there is no dense array."""
        if self._counts is not None:
            return ledger_sums(self.cube())
        self._flush()
        return cell_sums(self._cells, self._values, self.shape)

    def nonzero(self) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """The flat indices of the counts' nonzero cells, in increasing order, and their
        values: ``np.flatnonzero(counts)`` and ``counts`` there, read from the cells while
        there is no dense array, so that a time series does not fill the 73 MB array (0.2-1 s
        of page faults in a fresh process: the command line's run)."""
        if self._counts is not None:
            cells = np.flatnonzero(self.counts)
            return cells, self._counts[cells]
        self._flush()
        keep = self._values != 0.0
        return self._cells[keep], self._values[keep]

    def day_totals(self, day: int, event: int) -> NDArray[np.float64]:
        """One day's count of one event per operation, summed over regions."""
        _, n_reg, n_op, n_ev = self.shape
        block = self.counts[day * n_reg * n_op * n_ev : (day + 1) * n_reg * n_op * n_ev]
        return block.reshape(n_reg, n_op, n_ev)[:, :, event].sum(axis=0)

    def cube(self) -> NDArray[np.float64]:
        return self.counts.reshape(self.shape)
