"""State of the party purge (issue 9, item 5): who was expelled, when, and who returned.

The population's party status (``people.party``) describes 1 January 1937
and is never changed by a run (a calibration reuses one population for many
runs). The party purge keeps its own roll of the rank and file instead: the
members and candidates of the mass layer, plus those of the population's
expelled who were still in the party when a run starts (1 December 1934)
and were expelled in the verification of 1935 or the exchange of 1936. The
elite layer's party members are left to the purge of the elites.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numba import njit
from numpy.typing import NDArray

from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.model.purge_state import at_liberty
from greatterror.model.sorting import drop_sorted, merge_sorted, search_sorted
from greatterror.model.subsets import CountedSubset, set_member
from greatterror.population.codes import Party
from greatterror.population.people import Population
from greatterror.vocabulary import AT_LIBERTY

#: columns of ``PartyRoll.counts``: what happened to the rank and file each day
PARTY_EVENTS = ("expelled", "arrested_after_expulsion", "reinstated")
P = {name: i for i, name in enumerate(PARTY_EVENTS)}

#: a roll of fewer rows (1:100 has 36,000, 1:10 360,000) finds the appeals' pool by a
#: daily pass over the appealing, a larger one keeps it from the day's status changes
#: (``PartyRoll.look``): the same members either way
PASS_BELOW = 100_000

#: how a member left the party (``PartyRoll.campaign``); 0: still in it
CAMPAIGNS = ("verification_1935", "exchange_1936", "expulsions_1937_38")

#: The dated checks of the membership (first and last day). The verification of party
#: documents ran from the CC letter of 13 May 1935 to the December 1935 plenum
#: (G9-verif35-moscow, Getty 1985 ch. 3); the exchange of party cards from 1 February
#: to 1 May 1936 (G12-04).
VERIFICATION = (dt.date(1935, 5, 13), dt.date(1935, 12, 25))
EXCHANGE = (dt.date(1936, 2, 1), dt.date(1936, 5, 1))


@dataclass
class PartyRoll:
    """The rank and file of the party: the mass layer's members and candidates."""

    rows: NDArray[np.int64]  # people rows (mass layer)
    expelled_day: NDArray[np.int32]  # -1: in the party
    campaign: NDArray[np.int8]  # 1 + index in CAMPAIGNS of the expulsion; 0 in the party
    to_arrest: NDArray[np.bool_]  # selected for arrest at expulsion
    reinstated: NDArray[np.bool_]
    counts: NDArray[np.float64]  # day x PARTY_EVENTS, full-population equivalents
    #: the roll's members at liberty on each 1 January, full-population equivalents
    in_party_1jan: dict[int, float]
    #: the population's party column (``people.party``, not copied): the changed people
    #: outside the party are passed over without a search of ``rows``
    party: NDArray[np.uint8]
    #: still members on the first day, expelled at a check of 1935-36 (set on day 0)
    scheduled: bool = False
    #: kept equal to ``in_party() & ~reinstated`` (the pool of the 1937-38 expulsions): its
    #: size and k-th member without a pass over the roll (model/subsets.py)
    pool_set: CountedSubset = field(init=False)
    #: kept equal to ``np.flatnonzero((expelled_day >= 0) & ~to_arrest)``: the expelled of
    #: this run not selected for arrest, who may appeal once reinstatement starts
    appealing: NDArray[np.int64] = field(init=False)
    #: kept equal to ``appealing`` at liberty once ``look`` has started it (``None`` before):
    #: the appeals' pool, its size and k-th member without a pass over ``appealing``
    waiting: CountedSubset | None = field(init=False, default=None)
    #: positions added to ``appealing`` since the last ``look`` (their liberty not yet seen)
    joined: list[NDArray[np.int64]] = field(init=False, default_factory=list)
    #: rolls of fewer rows look by a pass over ``appealing`` (``look``; a test sets 0)
    pass_below: int = field(init=False, default=PASS_BELOW)

    def __post_init__(self) -> None:
        self.pool_set = CountedSubset(self.in_party() & ~self.reinstated)
        self.appealing = np.flatnonzero((self.expelled_day >= 0) & ~self.to_arrest)

    def in_party(self) -> NDArray[np.bool_]:
        """-1: in the party; -2: expelled before the run; a day: expelled that day."""
        return self.expelled_day == -1

    # -- the only writes of expelled_day, to_arrest and reinstated in a run ---------------
    # (each keeps pool_set and appealing equal to their definitions above;
    # tests/test_party_purge.py checks them against those definitions after a run)
    def still_in(self, pos: NDArray[np.int64]) -> None:
        """``pos`` (expelled before the run) are members on the first day (a check of
        1935-36 will expel them)."""
        self.expelled_day[pos] = -1
        self.pool_set.add(pos[~self.reinstated[pos]])

    def expel(self, pos: NDArray[np.int64], day: int, arrest: NDArray[np.bool_]) -> None:
        """Expel members ``pos`` (distinct) on ``day``; ``arrest``: selected for arrest."""
        self.expelled_day[pos] = day
        self.to_arrest[pos[arrest]] = True
        self.pool_set.remove(pos)
        free = np.sort(pos[~self.to_arrest[pos]])
        if len(free):  # np.insert(appealing, np.searchsorted(appealing, free), free)
            self.appealing = merge_sorted(self.appealing, free.astype(np.int64))
            if self.waiting is not None:
                self.joined.append(free.astype(np.int64))

    def reinstate(self, pos: NDArray[np.int64]) -> None:
        """``pos`` (of ``appealing``) return to the party, and stay out of the expulsions'
        pool."""
        self.expelled_day[pos] = -1
        self.reinstated[pos] = True
        # np.delete(appealing, np.searchsorted(appealing, pos))
        self.appealing = drop_sorted(self.appealing, np.asarray(pos, dtype=np.int64))
        if self.waiting is not None:
            self.waiting.remove(pos)

    def look(
        self, status: NDArray[np.integer], changes: Callable[[], NDArray[np.int64] | None]
    ) -> CountedSubset | NDArray[np.int64]:
        """The appeals' pool today, ``appealing[AT_LIBERTY[status[rows[appealing]]]]``: that
        array itself for a roll of fewer than ``pass_below`` rows, else ``waiting`` (the
        same members as a subset of the roll's positions: its size and k-th member).

        ``changes`` (``Engine.status_changes``, asked only for a large roll): every person
        whose status changed since the last look, or ``None``: not known, and the pool is
        then built by a pass over ``appealing``. Otherwise a position's membership can have
        changed only if its person's status changed or it joined ``appealing`` (an
        expulsion; a reinstatement removes it from ``waiting`` at once), so only those
        positions are looked at: the day's changes, not the 200,000 appealing of a 1:1 run
        (docs/performance-log.md, branch partypool). A small roll's pass (about 3 µs a day at
        1:1,000) costs less than the record's upkeep (about 10 µs a day).
        """
        if len(self.rows) < self.pass_below:
            return self.appealing[at_liberty(status, self.rows, self.appealing)]
        changed = changes()
        if changed is None or self.waiting is None:
            mask = np.zeros(len(self.rows), dtype=np.bool_)
            mask[self.appealing] = AT_LIBERTY[status[self.rows[self.appealing]]]
            self.waiting = CountedSubset(mask)
        else:
            self._update(status, changed)
        self.joined = []
        return self.waiting

    def _update(self, status: NDArray[np.integer], changed: NDArray[np.int64]) -> None:
        """Set ``waiting``'s membership anew for the changed people of the roll and for the
        positions that joined ``appealing``: one compiled call (``_relook``), for the
        NumPy rule::

            changed = changed[(changed <= rows[-1]) & (party[changed] != Party.NONE)]
            at = np.searchsorted(rows, changed); pos = [*at[rows[at] == changed], *joined]
            keep = (expelled_day[pos] >= 0) & ~to_arrest[pos] & AT_LIBERTY[status[rows[pos]]]
            waiting.remove(pos[~keep]); waiting.add(pos[keep])

        Most changed people are not of the roll (the elite layer, whose rows follow every
        mass row, and those outside the party): their row and party (one byte a person)
        spare them the binary search of ``rows`` (about ten cache misses each at 1:1).
        """
        waiting = self.waiting
        assert waiting is not None
        if len(self.rows) == 0:
            return
        joined = np.concatenate(self.joined) if self.joined else np.empty(0, dtype=np.int64)
        waiting.size += int(
            _relook(
                np.asarray(changed, dtype=np.int64), self.rows, self.party,
                np.uint8(Party.NONE), joined, self.expelled_day, self.to_arrest, status,
                AT_LIBERTY, waiting.tree, waiting.mask,
            )
        )  # fmt: skip


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _relook(
    changed, rows, party, none, joined, expelled_day, to_arrest, status, free, tree, mask
):  # pragma: no cover - compiled; tested against the pass in tests/test_party_purge.py
    """``PartyRoll._update``'s rule in one pass; ``tree`` and ``mask`` are a
    ``CountedSubset``'s (model/subsets.py, ``set_member``), the change of its size is returned."""
    n = mask.shape[0]
    last = rows[n - 1]
    change = 0
    for j in range(changed.shape[0] + joined.shape[0]):
        if j < changed.shape[0]:
            c = changed[j]
            if c > last or party[c] == none:
                continue
            p = search_sorted(rows, c)  # below n: c <= last
            if rows[p] != c:
                continue
        else:
            p = joined[j - changed.shape[0]]
        value = expelled_day[p] >= 0 and not to_arrest[p] and free[status[rows[p]]]
        change += set_member(tree, mask, p, value)
    return change


def build_party(
    population: Population, days: int, is_elite: NDArray[np.bool_] | None = None
) -> PartyRoll:
    """Members, candidates and the expelled of the mass layer; the expelled start outside.

    ``is_elite`` is ``population.is_elite_layer`` if the caller has it already. The rows are
    ``np.flatnonzero(~is_elite & (party != Party.NONE))``, found as the party's people first
    and the mass layer's among them then: one array of the population's size, not four (at
    1:1 each is 162 MB of fresh memory)."""
    party = population["party"]
    is_elite = population.is_elite_layer if is_elite is None else is_elite
    # a plain int: NumPy compares a uint8 array with an IntEnum member through int64,
    # about ten times slower over the whole population
    # ``party != NONE`` is ``party`` itself when NONE is 0: no boolean copy of the population
    outside = int(Party.NONE)
    rows = np.flatnonzero(party if outside == 0 else party != outside).astype(np.int64)
    rows = rows[~is_elite[rows]]
    expelled = party[rows] == Party.EXPELLED
    n = len(rows)
    return PartyRoll(
        rows=rows,
        expelled_day=np.where(expelled, np.int32(-2), np.int32(-1)).astype(np.int32),
        campaign=np.zeros(n, dtype=np.int8),
        to_arrest=np.zeros(n, dtype=bool),
        reinstated=np.zeros(n, dtype=bool),
        counts=np.zeros((days, len(PARTY_EVENTS))),
        in_party_1jan={},
        party=party,
    )
