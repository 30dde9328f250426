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

import numpy as np
from numba import njit
from numpy.typing import NDArray

SMALL_BATCH = 64  # batches up to this size go to a day's second list
#: what ``Calendar.take`` returns on a day with no one due (most days of most kinds): one
#: shared empty array, which no write can change
_NO_ONE = np.empty(0, dtype=np.int64)


@njit(cache=True)
def append_due(first, last, count, nxt, person, state, idx, due, horizon):  # pragma: no cover
    """Append ``idx[i]`` to the list of day ``due[i]`` (if before ``horizon``), in order.

    ``first``, ``last`` and ``count`` describe the lists (one entry per day);
    ``nxt`` and ``person`` hold entries. ``state`` is (entries ever used,
    head of the list of free entries, number of free entries): entries of
    days already taken are used again. If there is no room for ``len(idx)``
    more entries nothing is changed and False is returned: the caller makes
    room (``Calendar._room``) and calls again.
    """
    if state[0] + max(idx.shape[0] - state[2], 0) > person.shape[0]:
        return False
    for i in range(idx.shape[0]):
        d = due[i]
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
    return True


@njit(cache=True)
def take_due(first, last, count, nxt, person, state, day):  # pragma: no cover - compiled
    """The people of both lists of ``day`` (rows 0 and 1), in order.

    The lists are emptied and their entries joined to the free list.
    """
    out = np.empty(count[0, day] + count[1, day], dtype=np.int64)
    k = 0
    for row in range(2):
        e = first[row, day]
        if e < 0:
            continue
        while e >= 0:
            out[k] = person[e]
            k += 1
            e = nxt[e]
        nxt[last[row, day]] = state[1]
        state[1] = first[row, day]
        state[2] += count[row, day]
        first[row, day] = -1
        count[row, day] = 0
    return out


class Calendar:
    """People due per kind and day; see the module's docstring for the order kept."""

    def __init__(self, days: int) -> None:
        self.days = days
        # kind -> (first, last, count), each of shape (2, days): batch list, small list
        self._lists: dict[str, tuple[NDArray[np.int64], ...]] = {}
        self._next = np.empty(1024, dtype=np.int64)
        self._person = np.empty(1024, dtype=np.int64)
        # entries ever used, head of the free list (-1: none), free entries
        self._state = np.array([0, -1, 0], dtype=np.int64)

    def _of(self, kind: str) -> tuple[NDArray[np.int64], ...]:
        lists = self._lists.get(kind)
        if lists is None:
            first = np.full((2, self.days), -1, dtype=np.int64)
            lists = (first, first.copy(), np.zeros((2, self.days), dtype=np.int64))
            self._lists[kind] = lists
        return lists

    def _room(self, extra: int) -> None:
        used, _, free = self._state.tolist()
        need = used + max(extra - free, 0)
        if need > len(self._person):
            size = max(2 * len(self._person), need)
            for name in ("_next", "_person"):
                grown = np.empty(size, dtype=np.int64)
                grown[:used] = getattr(self, name)[:used]
                setattr(self, name, grown)

    def add(self, kind: str, idx: NDArray[np.int64], due: NDArray[np.int64]) -> None:
        """Schedule ``idx[i]`` on day ``due[i]``; days from the end of the run on are dropped."""
        if len(idx) == 0:
            return
        first, last, count = self._of(kind)
        row = 1 if len(idx) <= SMALL_BATCH else 0
        lists = (first[row], last[row], count[row])
        if not append_due(*lists, self._next, self._person, self._state, idx, due, self.days):
            self._room(len(idx))
            append_due(*lists, self._next, self._person, self._state, idx, due, self.days)

    def add_batch(self, kind: str, idx: NDArray[np.int64], day: int) -> None:
        """Schedule all of ``idx`` on ``day``, as one batch (whatever its size)."""
        if len(idx) == 0 or day >= self.days:
            return
        first, last, count = self._of(kind)
        self._room(len(idx))
        append_due(
            first[0],
            last[0],
            count[0],
            self._next,
            self._person,
            self._state,
            idx,
            np.full(len(idx), day, dtype=np.int64),
            self.days,
        )  # room made just before: always True

    def take(self, kind: str, day: int) -> NDArray[np.int64]:
        """The people due on ``day`` (batches first, then small batches); they are removed."""
        lists = self._lists.get(kind)
        if lists is None:
            return _NO_ONE
        first, last, count = lists
        if first[0, day] < 0 and first[1, day] < 0:
            return _NO_ONE
        return take_due(first, last, count, self._next, self._person, self._state, day)
