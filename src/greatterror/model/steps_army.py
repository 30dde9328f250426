"""The army purge (issue 9, item 4): dismissal first, then arrest of part of the dismissed.

The record (the army personnel directorate's notes of 1939-40) describes
the purge of the Red Army's command staff as dismissals, for political and
for other reasons; part of those dismissed for political reasons were
arrested, usually weeks to months later. Most of the political dismissals
of 1937 were expulsions from the party for "ties" with arrested
"conspirators", without arrest (Shiryaev's note of October 1939, V-army-
dism-3738); the CC plenum of January 1938 on errors in expulsions (G12-23)
condemned expelling communists on such grounds, while the NKVD's arrests
went on to the halt. So from the plenum an officer who is not to be arrested
is dismissed only with probability ``army_dismissal_restraint``; those to be
arrested are dismissed as before. From the commission the Directorate for
command personnel set up in August 1938 to hear the dismissed commanders'
complaints (G12-39), the politically dismissed who had not been arrested
were reinstated. Officers named under interrogation enter the same route:
they are dismissed, and then arrested or not. The arrested go to the
Military Collegium (sentencing, step 15).
"""

from __future__ import annotations

import numpy as np

from greatterror.model.engine import Engine
from greatterror.model.fast_draws import distinct_sample
from greatterror.model.loop import Component
from greatterror.model.purge_state import A, at_liberty
from greatterror.model.world import World


class ArmyPurge(Component):
    """Step 22 (M20 for the army): dismissals, arrests of the dismissed, reinstatement."""

    name = "army_purge"
    mechanisms = ("M20",)
    params = (
        "army_arrest_delay",
        "army_dismissal_rate",
        "army_dismissal_restraint",
        "army_dismissed_arrest_share",
        "army_other_dismissal_rate",
        "army_reinstatement_rate",
        "army_ties_delay",
        "army_ties_per_commander",
    )
    reads = ("people", "cases", "policy", "army", "named_officers")
    writes = ("cases", "camps", "army", "named_officers")

    def step(self, w: World, e: Engine, day: int) -> None:
        army, p = w.army, e.params
        due = e.due(day, "army_arrest")
        if len(due):
            arrested = e.arrest(day, due, "elite")
            army.counts[day, A["arrested_after_dismissal"]] += len(arrested)
        rng = e.rng.army
        # The draws below are ``rng.choice(members, size=n, replace=False)`` from the arrays
        # ``members = np.flatnonzero(army.serving())`` and, for political dismissals,
        # ``np.flatnonzero(army.serving() & ~army.reinstated)``: ``distinct_sample`` draws
        # positions in ``members`` with the law of ``rng.choice(len(members), n, replace=
        # False)`` (model/fast_draws.py), and ``CountedSubset.nth`` gives the members at
        # those positions without a pass over the corps (model/subsets.py).
        serving = army.serving_set
        # dismissals for other reasons (illness, drunkenness, age, ...) run all the time
        n = rng.binomial(len(serving), min(p["army_other_dismissal_rate"] / 365.0, 1.0))
        if n:
            other = serving.nth(distinct_sample(rng, len(serving), n))
            army.dismiss_other(other, day)
            army.counts[day, A["dismissed_other"]] += n
        political = _named_serving(w)
        if self.on(e, "M20") and "army" in w.policy.elite_groups:
            # the reinstated are not dismissed again
            pool = army.pool_set
            n = rng.binomial(len(pool), min(p["army_dismissal_rate"] / 365.0, 1.0))
            if n:
                drawn = pool.nth(distinct_sample(rng, len(pool), n))
                political = np.union1d(political, drawn)
        if len(political):
            _dismiss_political(w, e, day, political, rng)
        _owe_ties(w, e)
        if self.on(e, "M20") and "army" in w.policy.elite_groups and army.ties_owed:
            _dismiss_for_ties(w, e, day)
        if w.policy.army_review:
            _reinstate(w, day, p["army_reinstatement_rate"], rng)


def _named_serving(w: World) -> np.ndarray:
    """Positions in the corps of serving officers named under interrogation since yesterday."""
    army, named = w.army, w.signals.named_officers
    w.signals.named_officers = []
    if not named:
        return np.empty(0, dtype=np.int64)
    rows = np.unique(np.concatenate(named))
    # ``officers`` is sorted (elite-layer rows in order), so a search finds each row
    pos = np.minimum(np.searchsorted(army.officers, rows), len(army.officers) - 1)
    pos = pos[army.officers[pos] == rows]
    return pos[army.dismissed_day[pos] < 0].astype(np.int64)


def _dismiss_political(
    w: World, e: Engine, day: int, pos: np.ndarray, rng: np.random.Generator
) -> None:
    """Dismiss ``pos`` for political reasons; some of them are arrested after a delay.

    A member of the high command dismissed for political reasons is always
    arrested (prior: the record describes arrest as near-total at corps level
    and above); for the others it is ``army_dismissed_arrest_share``. From the
    January 1938 plenum on errors in expulsions (``policy.reinstatement``), an
    officer not to be arrested is dismissed only with probability
    ``army_dismissal_restraint`` (``restrained_dismissals``); the others stay.
    """
    army, p = w.army, e.params
    arrest = army.high_command[pos] | (rng.random(len(pos)) < p["army_dismissed_arrest_share"])
    if w.policy.reinstatement:
        keep = restrained_dismissals(arrest, rng.random(len(pos)), p["army_dismissal_restraint"])
        pos, arrest = pos[keep], arrest[keep]
    army.counts[day, A["dismissed_political"]] += len(pos)
    army.dismiss_political(pos, day, arrest)
    chosen = pos[arrest]
    delay = rng.geometric(1.0 / max(p["army_arrest_delay"], 1.0), size=len(chosen))
    e.schedule_after(day, "army_arrest", army.officers[chosen], delay)


def _owe_ties(w: World, e: Engine) -> None:
    """Each new arrest of a member of the high command owes Poisson(``army_ties_per_commander``)
    dismissals for ties with him.

    The commanders (about 850) are looked at only on days when some case was opened since
    the last look (``Engine.arrests``), as the NKVD's cadres are (model/purge_state.py).
    """
    army = w.army
    if e.arrests == army.arrests_seen:
        return
    army.arrests_seen = e.arrests
    new = army.new_commander_arrests(w.cases.arrests)
    if new:
        army.ties_owed += int(e.rng.army_ties.poisson(e.params["army_ties_per_commander"] * new))


def _dismiss_for_ties(w: World, e: Engine, day: int) -> None:
    """While the army purge runs, each owed dismissal for ties falls due at the daily rate
    1/``army_ties_delay`` (counts first); the officers are drawn from the pool (then who).

    Those dismissed for ties are not selected for arrest: the record separates the
    commanders "expelled from the party for ties" from the arrested (V-army-dism-3738's
    note). From the January 1938 plenum the restraint applies to them as to any dismissal
    not followed by arrest.
    """
    army, p, rng = w.army, e.params, e.rng.army_ties
    n = int(rng.binomial(army.ties_owed, min(1.0 / max(p["army_ties_delay"], 1.0), 1.0)))
    pool = army.pool_set
    n = min(n, len(pool))
    if n == 0:
        return
    army.ties_owed -= n
    pos = pool.nth(distinct_sample(rng, len(pool), n))
    arrest = np.zeros(len(pos), dtype=bool)
    if w.policy.reinstatement:
        keep = restrained_dismissals(arrest, rng.random(len(pos)), p["army_dismissal_restraint"])
        pos, arrest = pos[keep], arrest[keep]
    army.counts[day, A["dismissed_political"]] += len(pos)
    army.counts[day, A["dismissed_for_ties"]] += len(pos)
    army.dismiss_political(pos, day, arrest)


def restrained_dismissals(arrest: np.ndarray, u: np.ndarray, restraint: float) -> np.ndarray:
    """Which of the officers put up for political dismissal are dismissed after the plenum.

    The rule: an officer to be arrested is always dismissed; another is dismissed when his
    uniform draw ``u`` is below ``restraint`` (so with probability ``restraint``).
    """
    return arrest | (u < restraint)


def _reinstate(w: World, day: int, rate: float, rng: np.random.Generator) -> None:
    """The politically dismissed who were not to be arrested and are at liberty return.

    Who may return: ``np.flatnonzero(army.political & ~army.serving() & ~army.to_arrest &
    AT_LIBERTY[w.cases.status[army.officers]])``; each of them returns today with
    probability ``rate``/365. Counts first, then who (issue 8): Binomial(len(appealing), p)
    members of ``army.appealing`` (the first three conditions, kept up to date by the
    dismissals) are drawn, and those of them not at liberty stay. Each appealing officer is
    then drawn with probability p independently of the others, so each one at liberty
    returns with probability p, as the rule says, and only the drawn are looked at, not
    every appealing officer every day.
    """
    army = w.army
    appealing = army.appealing
    n = rng.binomial(len(appealing), min(rate / 365.0, 1.0))
    if n == 0:
        return
    drawn = np.sort(appealing[distinct_sample(rng, len(appealing), n)])
    back = drawn[at_liberty(w.cases.status, army.officers, drawn)]
    if len(back):
        army.reinstate(back)
        army.counts[day, A["reinstated"]] += len(back)
