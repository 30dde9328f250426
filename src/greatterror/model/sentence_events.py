"""Events that belong to one sentence: dropped when the prisoner has been sentenced again.

An execution (``execute``, model/transitions.py) belongs to its death sentence: a death
sentence void at the halt (model/steps_halt.py) and passed again later must be carried out on
the new sentence's date, never on the void one's.

A prisoner's transfer to a colony (``to_colony``, model/holding.py) and the death of one who
reached a camp fatally weakened (``exhausted_death``, model/holding.py and model/reception.py)
are scheduled for the sentence he is serving. A camp prisoner could be taken for a new case
(Order 00447 reached the camps' prisoners) and sentenced again; the events of the old
sentence must then not act on the new one (a transfer to a colony would bypass the etap of a
new camp term, a death would fall on a prisoner admitted again after a new sentence).

Each entry on the calendar carries, above the person's row, the day of the sentence it was
scheduled for (``Cases.sentence_day``, -1 for a prisoner of the first day's stock);
``current_due`` returns only those whose sentence is still that one. A new case resets the
sentence day and a new sentence sets it, so an entry of an old sentence never matches (a
new case and a new sentence on the day of the old sentence cannot happen: the paths that
sentence on the day of arrest, the social-order boards and the non-political courts, take only
people at liberty, and every other case is investigated for at least a day).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from greatterror.model.world import World


class Scheduler(Protocol):
    """What these helpers need of the engine (model/engine.py, which uses them itself)."""

    @property
    def world(self) -> World | None: ...

    def schedule_after(self, day: int, kind: str, idx: np.ndarray, delays: np.ndarray) -> None: ...

    def due(self, day: int, kind: str) -> np.ndarray: ...


#: the person's row takes the low 32 bits of a calendar entry
_SHIFT = 32
_ROW = (1 << _SHIFT) - 1


def stamp(sentence_day: NDArray[np.integer], idx: NDArray[np.int64]) -> NDArray[np.int64]:
    """Calendar entries for ``idx``: the row and, above it, the sentence day plus one."""
    return idx.astype(np.int64) | ((sentence_day.astype(np.int64) + 1) << _SHIFT)


def unstamp(entries: NDArray[np.int64], sentence_day: NDArray[np.integer]) -> NDArray[np.int64]:
    """The rows of ``entries`` whose sentence is still the one they were scheduled for."""
    idx = entries & _ROW
    same = (entries >> _SHIFT) - 1 == sentence_day[idx].astype(np.int64)
    return idx[same]


def schedule_for_sentence(
    e: Scheduler, day: int, kind: str, idx: NDArray[np.int64], delays: NDArray[np.int64]
) -> None:
    """Schedule ``kind`` for each of ``idx`` ``delays`` days after ``day``, for his current
    sentence only."""
    if len(idx):
        assert e.world is not None
        idx = np.asarray(idx, dtype=np.int64)
        e.schedule_after(day, kind, stamp(e.world.cases.sentence_day[idx], idx), delays)


def current_due(e: Scheduler, day: int, kind: str) -> NDArray[np.int64]:
    """Those due today for ``kind`` whose sentence has not changed since it was scheduled."""
    assert e.world is not None
    entries = e.due(day, kind)
    return unstamp(entries, e.world.cases.sentence_day) if len(entries) else entries
