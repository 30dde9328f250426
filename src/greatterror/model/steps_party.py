"""The party purge (issue 9, item 5): expulsion, the arrest of part of the expelled, appeals.

Getty (Origins of the Great Purges, 1985) and Getty & Naumov (The Road to
Terror, 1999) describe the rank and file's purge as expulsions first: the
verification of party documents in 1935 and the exchange of party cards in
1936, each a dated check of the whole membership; then, from Yezhov's
appointment, expulsions as "enemies" that ran with the campaigns of
vigilance. Part of the expelled were arrested, usually some weeks later.
The CC plenum of January 1938 on errors in expulsions (G12-23) ordered the
appeals to be heard, and many of the expelled were reinstated in 1938-39
(G9-reinstated). Expulsion is recorded in the party roll
(model/party_state.py), not in ``people.party``.
"""

from __future__ import annotations

import numpy as np

from greatterror.model.engine import Engine
from greatterror.model.fast_draws import distinct_sample
from greatterror.model.loop import Component
from greatterror.model.party_state import CAMPAIGNS, EXCHANGE, VERIFICATION, P, PartyRoll
from greatterror.model.subsets import CountedSubset
from greatterror.model.world import World
from greatterror.vocabulary import AT_LIBERTY

#: calendar kinds: the checks of 1935-36 (positions in the roll), and arrests
CHECKS = (("party_verification", VERIFICATION), ("party_exchange", EXCHANGE))


class PartyPurge(Component):
    """Step 24 (M15): expulsions, arrests of the expelled, reinstatement from January 1938.

    Only the mass expulsions of 1937-38 (the regions' over-zeal) are M15 and stop with
    its switch. The checks of 1935 and 1936 (the verification and the exchange of party
    documents), the arrests of those they expelled, and the reviews from the January 1938
    plenum are dated events of the record and run whatever the switch (the peer
    benchmark's reduced scenario sets their parameters to zero instead).
    """

    name = "party_purge"
    mechanisms = ("M15",)
    params = (
        "party_arrest_delay",
        "party_exchange_share",
        "party_expelled_arrest_share",
        "party_expulsion_rate",
        "party_reinstatement_rate",
        "party_verification_share",
    )
    reads = ("people", "cases", "policy", "party", "campaign")
    writes = ("cases", "camps", "party")

    def step(self, w: World, e: Engine, day: int) -> None:
        roll, p, rng = w.party, e.params, e.rng.party
        if not roll.scheduled:
            _schedule_checks(roll, e, rng)
        date = e.date(day)
        if date.month == 1 and date.day == 1:
            status = w.cases.status[roll.rows]
            roll.in_party_1jan[date.year] = float(
                np.count_nonzero(roll.in_party() & AT_LIBERTY[status]) * e.w_mass
            )
        due = e.due(day, "party_arrest")
        if len(due):
            arrested = e.arrest(day, roll.rows[due], "ordinary")
            roll.counts[day, P["arrested_after_expulsion"]] += len(arrested) * e.w_mass
        for code, (kind, _) in enumerate(CHECKS):
            pos = e.due(day, kind)
            if len(pos):
                _expel(w, e, day, pos[roll.expelled_day[pos] == -1], code, rng)
        if self.on(e, "M15") and "party" in w.policy.elite_groups:
            # the pool: ``np.flatnonzero(roll.in_party() & ~roll.reinstated)``, kept as a
            # counted subset; ``rng.choice(pool, ...)`` is ``pool[rng.choice(len(pool), ...)]``,
            # and ``distinct_sample`` draws those positions with the same law (fast_draws.py)
            pool = roll.pool_set
            rate = p["party_expulsion_rate"] / 365.0 * w.levers.campaign
            n = rng.binomial(len(pool), min(rate, 1.0))
            if n:
                pos = pool.nth(distinct_sample(rng, len(pool), n))
                _expel(w, e, day, pos, len(CHECKS), rng)
        if w.policy.reinstatement:
            _reinstate(w, e, day, rng)


def _schedule_checks(roll: PartyRoll, e: Engine, rng: np.random.Generator) -> None:
    """On the first day: who of today's members the checks of 1935 and 1936 will expel.

    The roll's members are those of 1 January 1937 (Rigby, population/marginals.csv),
    after both checks. Those the checks expelled are taken back from the expelled of
    the population, so that the party of 1 December 1934 is larger by exactly the
    verification's share (of all checked) and the exchange's share (of the rest).
    """
    roll.scheduled = True
    p = e.params
    v, x = p["party_verification_share"], p["party_exchange_share"]
    members = float(np.count_nonzero(roll.in_party()))
    before = members / max((1.0 - v) * (1.0 - x), 1e-9)
    wanted = (before * v, before * (1.0 - v) * x)
    pool = np.flatnonzero(roll.expelled_day == -2)
    total = sum(wanted)
    if total <= 0 or len(pool) == 0:
        return
    n = rng.binomial(len(pool), min(total / len(pool), 1.0))
    chosen = rng.choice(pool, size=n, replace=False)
    roll.still_in(chosen)
    n_verified = rng.binomial(n, wanted[0] / total)
    for (kind, (first, last)), part in zip(
        CHECKS, (chosen[:n_verified], chosen[n_verified:]), strict=True
    ):
        lo, hi = (max((d - e.start).days, 1) for d in (first, last))
        e.schedule_after(0, kind, part, rng.integers(lo, max(hi, lo) + 1, size=len(part)))


def _expel(
    w: World, e: Engine, day: int, pos: np.ndarray, code: int, rng: np.random.Generator
) -> None:
    """Expel ``pos`` (roll positions); part of those at liberty is arrested after a delay."""
    roll, p = w.party, e.params
    roll.campaign[pos] = code + 1
    roll.counts[day, P["expelled"]] += len(pos) * e.w_mass
    free = AT_LIBERTY[w.cases.status[roll.rows[pos]]]
    arrest = free & (rng.random(len(pos)) < p["party_expelled_arrest_share"])
    roll.expel(pos, day, arrest)
    chosen = pos[arrest]
    delay = rng.geometric(1.0 / max(p["party_arrest_delay"], 1.0), size=len(chosen))
    e.schedule_after(day, "party_arrest", chosen, delay)


def _reinstate(w: World, e: Engine, day: int, rng: np.random.Generator) -> None:
    """Appeals heard from the January 1938 plenum: the expelled of this run who are free.

    Who may return: ``np.flatnonzero((roll.expelled_day >= 0) & ~roll.to_arrest &
    AT_LIBERTY[w.cases.status[roll.rows]])``, in increasing order (``PartyRoll.look``): for a
    large roll kept as a counted subset from the people whose status changed since the
    day before, whose size and k-th member are those of the array, so the draws are the
    same.
    """
    roll = w.party
    waiting = roll.look(w.cases.status, lambda: e.status_changes("party_appeals"))
    rate = e.params["party_reinstatement_rate"] / 365.0
    n = rng.binomial(len(waiting), min(rate, 1.0))
    if n:
        ks = distinct_sample(rng, len(waiting), n)  # as rng.choice(waiting, n, False)
        # a counted subset's k-th members are those of its array (model/subsets.py)
        back = waiting.nth(ks) if isinstance(waiting, CountedSubset) else waiting[ks]
        roll.reinstate(back)
        roll.campaign[back] = 0
        roll.counts[day, P["reinstated"]] += n * e.w_mass


__all__ = ["CAMPAIGNS", "PartyPurge"]
