"""The run's scalars that transitions update, as named slots of one float64 and one int64 array.

Compiled code (model/core.py) cannot update a Python attribute; it can update an element of
an array it holds. So the camps' counts, ``Ledger.released_pretrial`` and the fill counts of
the buffers compiled code appends to live here, and the Python classes that own them
(``world.Camps``, ``ledger.Ledger``) read and write them through properties onto these
slots: every Python step works unchanged and sees what compiled code wrote.

The storage is an ``array.array`` ('d' and 'q'): indexing one returns a Python ``float`` or
``int`` (as the attributes were), in about 0.14 us for a property's read-modify-write against
0.18 us for a NumPy array's element converted by ``float()`` (6 December 2026). The NumPy
views of the same memory (``f``, ``i``) are what the compiled core holds.
"""

from __future__ import annotations

import array

import numpy as np
from numpy.typing import NDArray

from greatterror.vocabulary import CHANNELS

# float64 slots
#: ``Camps.w``: the weight in the camps (not awaiting the etap)
CAMPS_W = 0
#: ``Camps.hold_w``: the weight sentenced to camp and awaiting the etap in a prison
HOLD_W = 1
#: ``Camps.pretrial_w``: the weight under investigation or awaiting sentence
PRETRIAL_W = 2
#: ``Ledger.released_pretrial``
RELEASED_PRETRIAL = 3
#: the slots above are the run's state; those below are a compiled call's arguments, written
#: by Python just before it (scratch, not state)
FLOAT_STATE = 4
#: the camps' daily death probability (``steps_gulag.camp_deaths``; computed in Python)
DEATH_P = 4
#: the probability that a colony prisoner drawn dies (``steps_gulag.colony_keep``)
COLONY_KEPT = 5
#: the probability that a new camp prisoner dies on the etap (``steps_transit.transit_deaths``;
#: computed in Python)
TRANSIT_P = 6
#: the probability that a prisoner received by a camp is fatally weakened, and the geometric
#: delay's parameter (model/reception.py; computed in Python)
RECEPTION_P = 7
RECEPTION_DELAY_P = 8
#: the queues' weights (``state.Queue.weight``): queue ``k`` (``Q_*`` below) at ``QUEUE_W + k``
#: (state again, not scratch, as the queues' int slots after ``CALENDAR_NEED``)
QUEUE_W = 9

# int64 slots
#: ``Camps.n``: the people in the camps (not awaiting the etap)
CAMPS_N = 0
#: ``Camps.hold_n``: the people awaiting the etap
HOLD_N = 1
#: rows of the ledger's compiled buffer filled (model/ledger.py, ``Ledger.note_compiled``)
LEDGER_ROWS = 2
#: entries (events) of the ledger's compiled buffer filled
LEDGER_ENTRIES = 3
#: entries of the buffer of people whose status compiled code changed (``Engine._changed``)
CHANGED = 4
#: what a kernel that returned "full" needs: entries (ledger and changed buffers alike)
NEED = 5
#: the camps' death count drawn by a compiled camp deaths that then found a buffer full
#: (0: none): its second call uses it instead of drawing again
PENDING = 6
#: what a kernel that returned "full" needs in the calendar's entries (``core_kernels.add_kind``)
CALENDAR_NEED = 7
#: ``Engine.arrests``: the cases opened so far (model/arrest_kernel.py); state, though after the
#: scratch slots (added after them)
ARRESTS = 8
#: the queues (``state.Queue``) compiled code reads, pushes to and pops from, each a numbered
#: entry: the channels' backlogs (``Institutions.queues``, in the order of ``CHANNELS``), then
#: ``held_for_sanction``, the holding queue (``Camps.holding``) and the camp roll
#: (``Camps.roll``, which the compiled camp deaths sample and compact). Queue ``k``'s head,
#: tail, need and whether it keeps a weight are the int slots from ``QUEUES + QUEUE_SLOTS * k``
#: (``HEAD``, ``TAIL``, ``QNEED``, ``WEIGHED``)
Q_HELD = len(CHANNELS)
Q_HOLDING = Q_HELD + 1
Q_ROLL = Q_HELD + 2
N_QUEUES = Q_HELD + 3
QUEUES = ARRESTS + 1
QUEUE_SLOTS = 4
HEAD, TAIL, QNEED, WEIGHED = 0, 1, 2, 3
INT_SLOTS = QUEUES + QUEUE_SLOTS * N_QUEUES
FLOAT_SLOTS = QUEUE_W + N_QUEUES


class Slots:
    """One run's float64 and int64 slots: ``fs``/``is_`` the Python arrays (fast scalar
    access), ``f``/``i`` NumPy views of the same memory (what compiled code holds). A copy
    or a pickle copies ``fs``/``is_`` and makes ``f``/``i`` views of the copies
    (``__reduce__``): copied as arrays, they would be apart from the slots, and a core built
    on them would write counts Python never reads."""

    __slots__ = ("f", "fs", "i", "is_")

    def __init__(
        self, fs: array.array[float] | None = None, is_: array.array[int] | None = None
    ) -> None:
        """Zeroed slots, or those of ``fs`` and ``is_`` (a copy's, ``__reduce__``)."""
        self.fs = array.array("d", bytes(8 * FLOAT_SLOTS)) if fs is None else fs
        self.is_ = array.array("q", bytes(8 * INT_SLOTS)) if is_ is None else is_
        self.f: NDArray[np.float64] = np.frombuffer(self.fs, dtype=np.float64)
        self.i: NDArray[np.int64] = np.frombuffer(self.is_, dtype=np.int64)

    def __reduce__(self) -> tuple[type[Slots], tuple[array.array[float], array.array[int]]]:
        return (Slots, (self.fs, self.is_))


def float_slot(index: int, doc: str) -> property:
    """A property reading and writing float slot ``index`` of the owner's ``_fs``."""

    def get(self: object) -> float:
        return self._fs[index]  # type: ignore[attr-defined]

    def put(self: object, value: float) -> None:
        self._fs[index] = value  # type: ignore[attr-defined]

    return property(get, put, doc=doc)


def int_slot(index: int, doc: str) -> property:
    """A property reading and writing int slot ``index`` of the owner's ``_is``."""

    def get(self: object) -> int:
        return self._is[index]  # type: ignore[attr-defined]

    def put(self: object, value: int) -> None:
        self._is[index] = value  # type: ignore[attr-defined]

    return property(get, put, doc=doc)
