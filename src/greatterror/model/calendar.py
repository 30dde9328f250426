"""The simulation's calendar: who falls due on which day, for each kind of event.

Every kind (end of investigation, execution, a family's arrest, ...) keeps
two lists per day, linked through two growable arrays of entries: one for
people scheduled in batches of more than 64, one for smaller batches. A day
returns its batch list, then its small list, each in the order scheduled;
within a batch, people due on the same day keep the batch's order. This is
the order of the dictionaries of arrays and of Python ints that the
calendar was before, so the runs are the same; appending is now one
compiled pass per batch instead of a Python step per person or per distinct
delay (tens of thousands a run).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit
from numpy.typing import NDArray

from greatterror.model.njit_options import NO_CFUNC_WRAPPER

SMALL_BATCH = 64  # batches up to this size go to a day's second list
#: what ``Calendar.take`` returns on a day with no one due (most days of most kinds): one
#: shared empty array, which no write can change
_NO_ONE = np.empty(0, dtype=np.int64)


@njit(cache=True, **NO_CFUNC_WRAPPER)
def append_due(lists, entries, state, mark, idx, due, offset):  # pragma: no cover - compiled
    """``append_due_body`` for Python callers (``Calendar``); compiled callers call the body
    (a kernel that cached kernels call is not called from Python too: docs/design/
    compiled-core.md, "Known problem")."""
    return append_due_body(lists, entries, state, mark, idx, due, offset)


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def append_due_body(lists, entries, state, mark, idx, due, offset):  # pragma: no cover - compiled
    """Append ``idx[i]`` to the list of day ``due[i] + offset`` (if before the end of the
    run), in order.

    ``lists`` holds one list per day (rows: first entry, last entry, count), ``entries`` the
    entries (rows: next entry, person), ``mark`` per day whether a list of the kind holds
    anyone (read by ``Calendar.take`` without a compiled call). ``state`` is (entries
    ever used, head of the list of free entries, number of free entries): entries of days
    already taken are used again. If there is no room for ``len(idx)`` more entries nothing
    is changed and False is returned: the caller makes room (``Calendar._room``) and calls
    again.
    """
    nxt, person = entries[0], entries[1]
    first, last, count = lists[0], lists[1], lists[2]
    horizon = first.shape[0]
    if state[0] + max(idx.shape[0] - state[2], 0) > person.shape[0]:
        return False
    for i in range(idx.shape[0]):
        d = due[i] + offset
        if d >= horizon:
            continue
        if state[1] >= 0:  # a free entry
            e = state[1]
            state[1] = nxt[e]
            state[2] -= 1
        else:
            e = state[0]
            state[0] += 1
        person[e] = idx[i]
        nxt[e] = -1
        if first[d] < 0:
            first[d] = e
        else:
            nxt[last[d]] = e
        last[d] = e
        count[d] += 1
        mark[d] = 1
    return True


@njit(cache=True, **NO_CFUNC_WRAPPER)
def take_due(lists, entries, state, mark, day):  # pragma: no cover - compiled
    """``take_due_body`` for Python callers (``Calendar.take``), as ``append_due``."""
    return take_due_body(lists, entries, state, mark, day)


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def take_due_body(lists, entries, state, mark, day):  # pragma: no cover - compiled
    """The people of both lists of ``day`` (``lists[0]``: batches, ``lists[1]``: small
    batches), in order. The lists are emptied and their entries joined to the free list."""
    nxt, person = entries[0], entries[1]
    out = np.empty(lists[0, 2, day] + lists[1, 2, day], dtype=np.int64)
    k = 0
    for row in range(2):
        e = lists[row, 0, day]
        if e < 0:
            continue
        while e >= 0:
            out[k] = person[e]
            k += 1
            e = nxt[e]
        nxt[lists[row, 1, day]] = state[1]
        state[1] = lists[row, 0, day]
        state[2] += lists[row, 2, day]
        lists[row, 0, day] = -1
        lists[row, 2, day] = 0
    mark[day] = 0
    return out


#: the kinds of the model's calendar, with fixed integer codes (``KIND``), so that compiled
#: code (model/core.py) can name the kind it takes or schedules; a kind not listed (a test's)
#: gets the next free code on its first use
KINDS = (
    "investigation_end",
    "execute",
    "term_end",
    "to_colony",
    "exhausted_death",
    "family",
    "arrest_client",
    "arrest_elite",
    "army_arrest",
    "party_arrest",
)
KIND = {kind: code for code, kind in enumerate(KINDS)}


class _Kind:
    """The lists of one kind: ``lists`` of shape (2, 3, days) (batch list and small list;
    first entry, last entry, count), ``rows`` its two halves (made once: a view per call
    costs as much as the rest of the call), ``marked`` per day whether anyone is due (a
    view of the calendar's ``bytearray``, so that the look-up of an empty day is a Python
    index) and ``mark`` the same bytes as the array the kernels write. All are views of the
    calendar's arrays of every kind (``Calendar.lists``, ``Calendar.marks``), at ``code``."""

    __slots__ = ("code", "lists", "mark", "marked", "rows")

    def __init__(self, calendar: Calendar, code: int) -> None:
        days = calendar.days
        self.code = code
        self.lists = calendar.lists[code]
        self.rows = (self.lists[0], self.lists[1])
        self.marked = memoryview(calendar.marked)[code * days : (code + 1) * days]
        self.mark = calendar.marks[code]


class Calendar:
    """People due per kind and day; see the module's docstring for the order kept.

    The lists of every kind are one array, ``lists`` (kinds, 2, 3, days), and the marks one
    ``bytearray`` (kinds x days, ``marks`` its array), so that compiled code holding them
    (model/core.py) can take a kind by its code (``KIND``). When they or the entries are
    replaced by larger arrays, ``on_grow`` (if set) is called to hand the new ones on."""

    lists: NDArray[np.int64]
    marked: bytearray
    marks: NDArray[np.uint8]

    def __init__(self, days: int) -> None:
        self.days = days
        self._kinds: dict[str, _Kind] = {}
        #: the code of each kind named so far (the model's kinds have theirs from the start)
        self.codes = dict(KIND)
        self._alloc(len(KINDS))
        # every model kind's lists from the start: compiled code may schedule a kind
        # (``core_kernels.add_kind``) before Python names it, and ``take`` must find those
        self._kinds.update((kind, _Kind(self, code)) for kind, code in KIND.items())
        #: entries: row 0 the next entry of the same list (-1: none), row 1 the person
        self._entries = np.empty((2, 1024), dtype=np.int64)
        # entries ever used, head of the free list (-1: none), free entries
        self._state = np.array([0, -1, 0], dtype=np.int64)
        #: called after ``lists`` or ``_entries`` were replaced (``Engine.bind``: the core)
        self.on_grow: Callable[[], None] | None = None

    def _alloc(self, kinds: int) -> None:
        """The lists and marks of ``kinds`` kinds, those of the kinds so far copied in."""
        lists = np.full((kinds, 2, 3, self.days), -1, dtype=np.int64)
        lists[:, :, 2] = 0
        marked = bytearray(kinds * self.days)
        old = getattr(self, "lists", None)
        if old is not None:
            lists[: len(old)] = old
            marked[: len(self.marked)] = self.marked
        self.lists, self.marked = lists, marked
        self.marks = np.frombuffer(marked, dtype=np.uint8).reshape(kinds, self.days)
        for kind, lists_of in list(self._kinds.items()):
            self._kinds[kind] = _Kind(self, lists_of.code)

    def _of(self, kind: str) -> _Kind:
        lists = self._kinds.get(kind)
        if lists is None:
            code = self.codes.setdefault(kind, len(self.codes))
            if code >= len(self.lists):
                self._alloc(2 * len(self.lists))
                if self.on_grow is not None:
                    self.on_grow()
            lists = self._kinds[kind] = _Kind(self, code)
        return lists

    def _room(self, extra: int) -> None:
        used, _, free = self._state.tolist()
        need = used + max(extra - free, 0)
        size = self._entries.shape[1]
        if need > size:
            grown = np.empty((2, max(2 * size, need)), dtype=np.int64)
            grown[:, :used] = self._entries[:, :used]
            self._entries = grown
            if self.on_grow is not None:
                self.on_grow()

    def add(
        self, kind: str, idx: NDArray[np.int64], due: NDArray[np.integer], offset: int = 0
    ) -> None:
        """Schedule ``idx[i]`` on day ``due[i] + offset`` (the kernel adds ``offset``: a
        delay's array plus the day would be one more NumPy call); days from the end of the
        run on are dropped."""
        if len(idx) == 0:
            return
        lists = self._kinds.get(kind) or self._of(kind)
        row = lists.rows[1 if len(idx) <= SMALL_BATCH else 0]
        if not append_due(row, self._entries, self._state, lists.mark, idx, due, offset):
            self._room(len(idx))
            append_due(row, self._entries, self._state, lists.mark, idx, due, offset)

    def add_batch(self, kind: str, idx: NDArray[np.int64], day: int) -> None:
        """Schedule all of ``idx`` on ``day``, as one batch (whatever its size)."""
        if len(idx) == 0 or day >= self.days:
            return
        lists = self._of(kind)
        self._room(len(idx))
        due = np.full(len(idx), day, dtype=np.int64)
        append_due(lists.rows[0], self._entries, self._state, lists.mark, idx, due, 0)
        # room made just before: always True

    def __getstate__(self) -> dict:
        """For a copy or a pickle: the kinds' views (``_Kind``, with a ``memoryview``) and
        ``marks`` are made again from the copied arrays (``__setstate__``), so that the
        copy's marks stay the bytes of its ``marked``."""
        state = self.__dict__.copy()
        state["_kinds"] = {kind: lists.code for kind, lists in self._kinds.items()}
        del state["marks"]
        return state

    def __setstate__(self, state: dict) -> None:
        codes = state.pop("_kinds")
        self.__dict__.update(state)
        self.marks = np.frombuffer(self.marked, dtype=np.uint8).reshape(-1, self.days)
        self._kinds = {kind: _Kind(self, code) for kind, code in codes.items()}

    def take(self, kind: str, day: int) -> NDArray[np.int64]:
        """The people due on ``day`` (batches first, then small batches); they are removed."""
        lists = self._kinds.get(kind)
        if lists is None or not lists.marked[day]:
            return _NO_ONE
        return take_due(lists.lists, self._entries, self._state, lists.mark, day)
