"""The holding stage: prisons and transit points between the camp sentence and the camp.

A prisoner sentenced to camp did not arrive there the next day. He waited in
the prison where he had been investigated, then in transit prisons, for a
place in a prisoners' train (the etap); in 1937-38 the prisons held several
times their places, most of them people still under investigation, and the
camps received prisoners weakened by months in them (Khlevniuk, The History
of the Gulag, 2004, ch. 5; Barnes, Death and Redemption, 2011, ch. 2; Ellman,
"Soviet repression statistics: some comments", 2002, on the deaths outside
the camp statistics). Three rules follow, each on counts first and then on
whom they fall:

- **The etap** takes up to ``etap_capacity`` prisoners a day (full-population
  equivalents) from the holding queue, in order of sentence; they are then
  admitted to the camps (``Ledger.gulag`` ``admitted``). Those sentenced to a
  colony (a court's terms under three years, ``gulag.served_in_colony``) do not
  wait for it: the colonies were the regions' own places of confinement (the SNK
  resolution of 11 July 1929 on the labour of criminal prisoners; Khlevniuk, The
  History of the Gulag, 2004, ch. 1), reached by a local transfer after a geometric delay of mean
  ``colony_transfer_days``, drawn at the sentence (stream ``transfer``).
- **Crowding.** The prisons hold those under investigation, those awaiting
  sentence and those awaiting the etap; their overcrowding is
  ``max(0, held / prison_capacity - 1)``. Prisoners awaiting the etap die at
  the yearly rate ``prison_mortality * (1 + overcrowding)``; these deaths are
  in prisons, outside the GULAG's camp statistics (``died_holding``).
- **Exhaustion.** A prisoner who leaves for the camps after X overcrowding-days
  in prison (the sum of the overcrowding over the days from his arrest to the
  etap: investigation, sentence and the wait for the etap)
  arrives fatally weakened with probability ``1 - exp(-exhaustion_risk * X)``,
  and dies in the camp after a geometric delay of mean
  ``exhaustion_death_days`` unless released first; these are camp deaths.

With ``exhaustion_risk`` 0 and ``prison_mortality`` 0 the stage is only a
delay, and every draw is still made from the stream ``holding``, so that the
other streams are unchanged.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from greatterror.model import slots
from greatterror.model.case_flags import COLONY, HOLDING
from greatterror.model.channels import affordable
from greatterror.model.engine import Engine
from greatterror.model.gulag import GF
from greatterror.model.kernels import first_distinct
from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.model.sentence_events import current_due, schedule_for_sentence
from greatterror.model.steps_gulag import record_camp_deaths
from greatterror.model.world import World
from greatterror.vocabulary import Status

#: the parameters the holding stage reads (``colony_transfer_days`` is read by the engine,
#: at the sentence)
HOLDING_PARAMS = (
    "etap_capacity",
    "exhaustion_death_days",
    "exhaustion_risk",
    "prison_capacity",
    "prison_mortality",
)


def crowding(held: float, capacity: float) -> float:
    """Overcrowding of the prisons: the share of people held beyond their places."""
    return max(0.0, held / capacity - 1.0) if capacity > 0 else 0.0


def holding_step(w: World, e: Engine, day: int) -> None:
    """One day of the holding stage: crowding, deaths in prisons, the etap, and the deaths
    of the exhausted falling due in the camps. Runs in step 8 before the transit deaths,
    which then fall on today's etap."""
    camps, led, p = w.camps, e.ledger, e.params
    hold_w = camps.hold_w  # (read once: a property of the run's slots, model/slots.py)
    held = camps.pretrial_w + hold_w
    led.prisons[day], led.holding[day] = held, hold_w
    excess = crowding(held, float(p["prison_capacity"]))
    led.crowding_days[day] = (led.crowding_days[day - 1] if day else 0.0) + excess
    date = e.date(day)
    if date.day == 1 and date.month in (1, 4, 7, 10):
        led.prison_dates[date.isoformat()] = held
    if date.day == 1:
        led.pretrial_dates[date.isoformat()] = (camps.pretrial_w, led.released_pretrial)
    _holding_deaths(w, e, day, float(p["prison_mortality"]) * (1.0 + excess))
    _etap(w, e, day)
    to_colony(w, e, day)
    due = current_due(e, day, "exhausted_death")
    if len(due):
        c = w.cases
        # the etap's exhaustion and the camp's reception may both have scheduled a death for
        # the same sentence on the same day: one death
        due = np.unique(due)
        due = due[(c.status[due] == Status.CAMP) & ~c.has(HOLDING, due)]
        e.die_in_custody(day, due)
        record_camp_deaths(w, e, day, due)


def _holding_deaths(w: World, e: Engine, day: int, yearly: float) -> None:
    """Binomial(held awaiting the etap, yearly/365) distinct deaths among them."""
    rng, camps = e.rng.holding, w.camps
    n = rng.binomial(max(camps.hold_n, 0), min(yearly / 365.0, 1.0))
    if n == 0 or len(camps.holding) == 0:
        return
    listed = camps.holding.peek()
    pick = listed[rng.integers(0, len(listed), size=3 * n + 8)].astype(np.int64)
    pick = pick[w.cases.has(HOLDING, pick)]
    e.die_in_custody(day, first_distinct(pick, n), "died_holding")


def _etap(w: World, e: Engine, day: int) -> None:
    """Today's etap: up to the day's places, in order of sentence, to the camps. Those
    sentenced to a colony wait in the same prisons but not for the etap (``_to_colony``):
    popped with the etap's batch, they are listed again at the queue's end."""
    camps, c = w.camps, w.cases
    queue = camps.holding
    if len(queue) == 0:  # no one waits: nothing to take, no places to carry over
        camps.etap_carry = 0.0
        return
    listed = queue.peek()
    budget = float(e.params["etap_capacity"]) + camps.etap_carry
    # the entries still held (the others died, were released or re-arrested while held) and
    # not sentenced to a colony are live; the places go to them in order (``etap_plan``)
    n, spent, upto, n_live = etap_plan(listed, c.flags, e.is_elite, e.w_mass, e.w_elite, budget)
    if n_live == 0:
        waiting = listed[c.has(HOLDING, listed)]  # a copy, before the queue is emptied
        queue.clear()
        queue.push(waiting)
        camps.etap_carry = 0.0
        return
    # pop through the n-th live entry, stale ones with them
    popped = queue.pop(upto).astype(np.int64)
    popped = popped[c.has(HOLDING, popped)]
    queue.push(popped[c.has(COLONY, popped)])
    # the unused places carry over only while a camp convict is still waiting for them (the
    # day's places fell short of the next one's weight); colony convicts listed again do not
    # wait for the etap, so they must not let the places pile up from day to day
    camps.etap_carry = budget - spent if n < n_live else 0.0
    admit(w, e, day, popped[~c.has(COLONY, popped)])


def etap_plan_reference(
    listed: np.ndarray, flags: np.ndarray, is_elite: np.ndarray, w_mass: float,
    w_elite: float, budget: float,
) -> tuple[int, float, int, int]:  # fmt: skip
    """The etap's choice, readably: of the queue ``listed``, the live entries (still held, not
    for a colony) in order, as many as ``budget`` pays for (``channels.affordable``). Returns
    their number, their weight, how many entries to pop to reach the last of them (stale
    ones with them), and the number of live entries; ``etap_plan`` is its compiled form."""
    live = (flags[listed] & (HOLDING | COLONY)) == HOLDING
    n, spent = affordable(listed[live], is_elite, w_mass, w_elite, budget)
    upto = int(np.flatnonzero(live)[n - 1]) + 1 if n else 0
    return n, spent, upto, int(live.sum())


@njit(cache=True, **NO_CFUNC_WRAPPER)
def etap_plan(
    listed, flags, is_elite, w_mass, w_elite, budget
):  # pragma: no cover - compiled; tested against etap_plan_reference
    spent = 0.0
    n = upto = n_live = 0
    full = False  # ``affordable`` stops at the first live entry that does not fit
    for i in range(listed.shape[0]):
        p = listed[i]
        if flags[p] & HOLDING and not flags[p] & COLONY:
            n_live += 1
            if not full:
                total = spent + (w_elite if is_elite[p] else w_mass)
                if total > budget:
                    full = True
                else:
                    spent = total
                    n += 1
                    upto = i + 1
    return n, spent, upto, n_live


def to_colony(w: World, e: Engine, day: int) -> None:
    """Those sentenced to a colony whose transfer falls due today are admitted to it."""
    due = current_due(e, day, "to_colony")
    if len(due):
        c = w.cases
        admit(w, e, day, due[(c.status[due] == Status.CAMP) & c.has(HOLDING, due)])


def admit(w: World, e: Engine, day: int, batch: np.ndarray) -> None:
    """``batch`` (held, awaiting the etap or the transfer) arrive in a camp or colony."""
    if len(batch) == 0:
        return
    camps, c, led = w.camps, w.cases, e.ledger
    weight = float(e.weights(batch).sum())
    c.clear(HOLDING, batch)
    # the counts ``hold_n``, ``hold_w``, ``n`` and ``w`` of ``Camps``, in the run's slots
    # directly (each property a Python-level call to read and one to write)
    run = camps.slots
    n, fs, is_ = len(batch), run.fs, run.is_
    is_[slots.HOLD_N] -= n
    fs[slots.HOLD_W] -= weight
    camps.roll.push(batch)
    is_[slots.CAMPS_N] += n
    fs[slots.CAMPS_W] += weight
    camps.arrivals.append(batch)
    led.gulag[day, GF["admitted"]] += weight
    _exhaustion(e, day, batch, c.arrest_day[batch].astype(np.int64))


def _exhaustion(e: Engine, day: int, batch: np.ndarray, since: np.ndarray) -> None:
    """Who of today's etap arrives fatally weakened, and when each of them dies
    (``since``: the day each was arrested, from which he was held in prisons)."""
    rng, led, p = e.rng.holding, e.ledger, e.params
    before = np.where(since > 0, led.crowding_days[np.maximum(since - 1, 0)], 0.0)
    exposure = np.maximum(led.crowding_days[day] - before, 0.0)
    u = rng.random(len(batch))
    # a delay for everyone: the stream's position does not depend on who is weakened
    delays = rng.geometric(1.0 / max(float(p["exhaustion_death_days"]), 1.0), size=len(batch))
    weak = u < 1.0 - np.exp(-float(p["exhaustion_risk"]) * exposure)
    schedule_for_sentence(e, day, "exhausted_death", batch[weak], delays[weak])
