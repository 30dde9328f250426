"""State of the army purge and of the NKVD's own cadres (issue 9, items 4 and 7).

Both are small: the officer corps and the NKVD officers are elite-layer
rows, kept at full size at every scale, so arrays over them cost little.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numba import njit
from numpy.typing import NDArray

from greatterror.model.kernels import distinct_sorted_body
from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.model.sorting import drop_sorted, merge_sorted, search_sorted
from greatterror.model.subsets import CountedSubset
from greatterror.population.codes import Elite
from greatterror.population.people import Population
from greatterror.vocabulary import ARMY_FLAGS, AT_LIBERTY, NKVD_FLAGS

#: columns of ``Army.counts``: what happened to officers each day
#: (``dismissed_for_ties`` is the part of ``dismissed_political`` that followed the arrest
#: of a member of the high command, model/steps_army.py)
ARMY_EVENTS = (
    "dismissed_political",
    "dismissed_other",
    "arrested_after_dismissal",
    "reinstated",
    "dismissed_for_ties",
)
A = {name: i for i, name in enumerate(ARMY_EVENTS)}


@dataclass
class Army:
    """The officer corps: who was dismissed (day, reason), who is to be arrested, who returned."""

    officers: NDArray[np.int64]  # elite-layer rows with an army flag
    high_command: NDArray[np.bool_]
    dismissed_day: NDArray[np.int32]  # -1: serving
    political: NDArray[np.bool_]  # dismissed for political reasons
    to_arrest: NDArray[np.bool_]  # selected for arrest at dismissal
    reinstated: NDArray[np.bool_]
    counts: NDArray[np.float64]  # day x ARMY_EVENTS
    #: kept equal to ``serving()``: its size and k-th member without a pass over the corps
    serving_set: CountedSubset = field(init=False)
    #: kept equal to ``serving() & ~reinstated`` (the pool of political dismissals)
    pool_set: CountedSubset = field(init=False)
    #: kept equal to ``np.flatnonzero(political & ~serving() & ~to_arrest)``: the politically
    #: dismissed not selected for arrest, who may be reinstated if still at liberty
    appealing: NDArray[np.int64] = field(init=False)
    #: the high command's rows (elite layer), and their arrest counts when last looked at
    commanders: NDArray[np.int64] = field(init=False)
    commander_arrests: NDArray[np.uint8] = field(init=False)
    #: ``Engine.arrests`` when the commanders were last looked at (-1: never)
    arrests_seen: int = field(init=False, default=-1)
    #: dismissals for ties with arrested commanders still to be carried out
    ties_owed: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.commanders = self.officers[self.high_command]
        self.commander_arrests = np.zeros(len(self.commanders), dtype=np.uint8)
        self.serving_set = CountedSubset(self.serving())
        self.pool_set = CountedSubset(self.serving() & ~self.reinstated)
        self.appealing = np.flatnonzero(self.political & ~self.serving() & ~self.to_arrest)

    def serving(self) -> NDArray[np.bool_]:
        return self.dismissed_day < 0

    def new_commander_arrests(self, arrests: NDArray[np.uint8]) -> int:
        """How many commanders' arrest counts changed since the last look; the look is noted.

        The rule: ``now = arrests[commanders]``, ``new = np.count_nonzero(now !=
        commander_arrests)``, then ``commander_arrests = now``; one compiled pass."""
        return int(_changed_counts(arrests, self.commanders, self.commander_arrests))

    # -- the only writes of dismissed_day, political, to_arrest and reinstated -------------
    # (each keeps serving_set, pool_set and appealing equal to their definitions above;
    # tests/test_army_and_cadres.py checks them against those definitions)
    def dismiss_other(self, pos: NDArray[np.int64], day: int) -> None:
        """Dismiss serving officers ``pos`` for other reasons (illness, age, ...)."""
        self.dismissed_day[pos] = day
        self.serving_set.remove(pos)
        self.pool_set.remove(pos)
        # a reinstated officer (still marked political) dismissed again may appeal again
        self._appeal(pos[self.political[pos] & ~self.to_arrest[pos]])

    def dismiss_political(
        self, pos: NDArray[np.int64], day: int, arrest: NDArray[np.bool_]
    ) -> None:
        """Dismiss serving officers ``pos`` for political reasons; ``arrest``: to be arrested."""
        self.dismissed_day[pos] = day
        self.political[pos] = True
        self.to_arrest[pos[arrest]] = True
        self.serving_set.remove(pos)
        self.pool_set.remove(pos)
        self._appeal(pos[~self.to_arrest[pos]])

    def reinstate(self, pos: NDArray[np.int64]) -> None:
        """Officers ``pos`` (of ``appealing``) return to service, and are not dismissed again
        for political reasons except when named."""
        self.dismissed_day[pos] = -1
        self.reinstated[pos] = True
        self.serving_set.add(pos)
        # ``pos`` is part of the sorted ``appealing``: drop it where a search finds it, as
        # ``np.delete(appealing, np.searchsorted(appealing, pos))`` (tests/test_speed6_kernels.py)
        self.appealing = drop_sorted(self.appealing, np.asarray(pos, dtype=np.int64))

    def _appeal(self, pos: NDArray[np.int64]) -> None:
        """Add ``pos`` (serving until today, so not yet in the sorted ``appealing``), as
        ``np.insert(appealing, np.searchsorted(appealing, np.sort(pos)), np.sort(pos))``."""
        if len(pos):
            self.appealing = merge_sorted(self.appealing, np.sort(pos).astype(np.int64))


@dataclass
class Cadres:
    """The NKVD's state-security officers by region: experienced and newly recruited.

    ``Institutions.officers`` (the operation's capacity) is kept equal to
    ``experienced + recruit_efficiency * recruits`` by the cadres step.
    """

    officers: NDArray[np.int64]  # elite-layer rows with an NKVD flag
    region: NDArray[np.int64]
    replaced: NDArray[np.bool_]  # already counted as lost and replaced
    experienced: NDArray[np.float64]
    recruits: NDArray[np.float64]
    #: per day: officers lost to arrest (and replaced), recruits who became experienced
    lost: NDArray[np.float64]
    initial_capacity: float  # officers (in experienced equivalents) on the first day
    #: kept equal to ``np.flatnonzero(~replaced)``
    unreplaced: NDArray[np.int64] = field(init=False)
    #: ``Engine.arrests`` when ``take_lost`` last looked (-1: never)
    arrests_seen: int = field(init=False, default=-1)

    def __post_init__(self) -> None:
        self.unreplaced = np.flatnonzero(~self.replaced)
        #: ``officers`` sorted, and each one's position in ``officers`` (a row's position
        #: by a binary search)
        self._sorted_order = np.argsort(self.officers, kind="stable")
        self._sorted_rows = self.officers[self._sorted_order]

    def take_lost(
        self,
        status: NDArray[np.integer],
        arrests: int,
        changed: Callable[[], NDArray[np.int64] | None] | None = None,
    ) -> NDArray[np.int64]:
        """Mark as replaced, and return, the officers not yet replaced who are not at liberty.

        The rule: ``open_ = np.flatnonzero(~replaced)``, lost ``open_[~AT_LIBERTY[status[
        officers[open_]]]]``. A person leaves liberty only by arrest (``Engine.arrest``,
        which counts the cases it opens in ``arrests``), and everyone left unreplaced was at
        liberty at the last look; so when no case was opened since then, nobody is lost and
        the officers are not looked at.

        ``changed`` (``Engine.status_changes``), called at each look: every person whose
        status a transition set since the last look (``None``: not known). Only a
        transition takes someone from liberty (an arrest, or a non-political sentence), so
        the lost are among them, and only they are looked at: a handful a day instead of
        the 25,000 officers. The looks are on the same days, so the result is the same.
        """
        if arrests == self.arrests_seen:
            return self.unreplaced[:0]
        self.arrests_seen = arrests
        people = None if changed is None else changed()
        if people is None:
            free = at_liberty(status, self.officers, self.unreplaced)
            lost = self.unreplaced[~free]
        else:
            lost = self._lost_among(status, people)
        if len(lost):
            self.replaced[lost] = True
            self.unreplaced = np.flatnonzero(~self.replaced)
        return lost

    def _lost_among(self, status: NDArray[np.integer], people: NDArray[np.int64]) -> NDArray:
        """The positions of unreplaced officers among ``people`` who are not at liberty,
        ascending and distinct (as ``unreplaced[~free]`` gives them)."""
        if len(people) == 0 or len(self.officers) == 0:
            return self.unreplaced[:0]
        # one compiled pass (``_lost``) for the NumPy rule:
        #   pos = np.searchsorted(sorted_rows, people); pos[pos >= len(sorted_rows)] = 0
        #   pos = np.unique(sorted_order[pos[sorted_rows[pos] == people]])
        #   pos = pos[~replaced[pos]]; lost = pos[~AT_LIBERTY[status[officers[pos]]]]
        return _lost(
            people, self._sorted_rows, self._sorted_order, self.replaced, status,
            self.officers, AT_LIBERTY,
        )  # fmt: skip


def at_liberty(
    status: NDArray[np.integer], rows: NDArray[np.int64], pos: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """``AT_LIBERTY[status[rows[pos]]]``: whether the people at positions ``pos`` of ``rows``
    are at liberty (one compiled pass, without the two gathered temporaries)."""
    return _at_liberty(status, rows, pos, AT_LIBERTY)


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _at_liberty(status, rows, pos, free):  # pragma: no cover - compiled
    out = np.empty(pos.shape[0], dtype=np.bool_)
    for j in range(pos.shape[0]):
        out[j] = free[status[rows[pos[j]]]]
    return out


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _changed_counts(arrests, rows, seen):  # pragma: no cover - compiled
    """The number of ``rows`` whose ``arrests`` differ from ``seen``; ``seen`` is updated."""
    new = 0
    for i in range(rows.shape[0]):
        now = arrests[rows[i]]
        if now != seen[i]:
            new += 1
            seen[i] = now
    return new


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _lost(
    people, sorted_rows, sorted_order, replaced, status, officers, free
):  # pragma: no cover - compiled; tested against the rule in Cadres._lost_among
    hits = np.empty(people.shape[0], dtype=np.int64)
    k = 0
    for j in range(people.shape[0]):
        i = search_sorted(sorted_rows, people[j])
        if i < sorted_rows.shape[0] and sorted_rows[i] == people[j]:
            hits[k] = sorted_order[i]
            k += 1
    pos = distinct_sorted_body(hits[:k])
    out = np.empty(pos.shape[0], dtype=np.int64)
    m = 0
    for p in pos:
        if not replaced[p] and not free[status[officers[p]]]:
            out[m] = p
            m += 1
    return out[:m]


def build_army(population: Population, heads: NDArray[np.integer], days: int) -> Army:
    flags = population["elite"][heads]
    officers = heads[(flags & ARMY_FLAGS) != 0].astype(np.int64)
    n = len(officers)
    high = (population["elite"][officers] & int(Elite.ARMY_HIGH_COMMAND)) != 0
    return Army(
        officers=officers,
        high_command=high,
        dismissed_day=np.full(n, -1, dtype=np.int32),
        political=np.zeros(n, dtype=bool),
        to_arrest=np.zeros(n, dtype=bool),
        reinstated=np.zeros(n, dtype=bool),
        counts=np.zeros((days, len(ARMY_EVENTS))),
    )


def build_cadres(
    population: Population, heads: NDArray[np.integer], officers: NDArray[np.float64], days: int
) -> Cadres:
    """``officers``: the regional capacity as the world starts it (camps unit included)."""
    rows = heads[(population["elite"][heads] & NKVD_FLAGS) != 0].astype(np.int64)
    return Cadres(
        officers=rows,
        region=population["region"][rows].astype(np.int64),
        replaced=np.zeros(len(rows), dtype=bool),
        experienced=officers.copy(),
        recruits=np.zeros_like(officers),
        lost=np.zeros(days),
        initial_capacity=float(officers.sum()),
    )
