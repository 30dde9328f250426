"""State of the army purge and of the NKVD's own cadres (issue 9, items 4 and 7).

Both are small: the officer corps and the NKVD officers are elite-layer
rows, kept at full size at every scale, so arrays over them cost little.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from greatterror.population.codes import Elite
from greatterror.population.people import Population
from greatterror.vocabulary import ARMY_FLAGS, NKVD_FLAGS

#: columns of ``Army.counts``: what happened to officers each day
ARMY_EVENTS = ("dismissed_political", "dismissed_other", "arrested_after_dismissal", "reinstated")
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

    def serving(self) -> NDArray[np.bool_]:
        return self.dismissed_day < 0


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
