"""The troikas of Order 00447 (M16): which category each case gets, within the limits.

Order 00447 gave each region two limits, the first category (death) and the second
(eight to ten years of camp), and the regional troika sentenced to them. The order had
the first category, "the most hostile", arrested at once and shot after the troika's
review, and the second sent to the camps; the troikas worked to the limits they were
given, and they filled the first-category limit first:

- in the first ten days 9,766 of the 14,305 sentenced were sentenced to death, at a time
  when the first category was 28% of the limits (GUGB summary of 15 August 1937, facts
  V-00447-cat1-150837 and V-00447-cat2-150837, and G3-lim-cat1, G3-lim-cat2);
- regions asked for more of the first category within days (Omsk on 15 August 1937,
  G3-req-omsk-150837; Ukraine, whose category-1 limit was raised on 5 and 29 September,
  G3-inc-ukr-050937, G3-inc-ukr-290937);
- the increases asked for and granted were mostly of the first category: 76% of those
  whose split the evidence gives (``limits.increase_cat1_share``); in the end the
  category-1 limits had grown about fivefold and the category-2 limits about twofold
  (Werth 2010, fact G3-inc-factor).

So the share of death sentences was not a constant of the troika: it followed the limits
and the increases, and it rose as the first-category increases arrived (44.7% of all
convictions in 1937, 59% in 1938; G1-1937-death, G1-1938-death).

The rule (``troika_reference``; ``kernels.troika_verdicts`` is its fast path): the first
category comes first. A case wishes category 1 while the region's category-1 limit lasts,
category 2 once that is used up and while its category-2 limit lasts, and, once both are
used up, category 1 with the share of category 1 in the region's last request or increase
(the troika sentences ahead of the sanction, in the proportions it has asked for,
model/steps_quota.py; before its first request, the composition of its limits). The wished
category is given if its limit allows, else the other; a case that fits neither is
sentenced in its wished category beyond the limit. With M16 off there are no central
limits: each case wishes category 1 with the constant ``cat1_share_troika`` and gets its
wish.

What the rule leaves out: the lists of the operational groups put people in a category
before arrest and mixed both categories from the start (a third of the first ten days'
sentences were of the second); here the category is the troika's alone, so the first
weeks' death share comes out higher than the record's (docs/validation.md).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.engine import Engine
from greatterror.model.kernels import Limits, TroikaQueue, troika_verdicts
from greatterror.model.state import Institutions, Queue
from greatterror.model.world import World
from greatterror.vocabulary import Status


def sentence_troika_cases(
    w: World,
    e: Engine,
    day: int,
    queue: Queue,
    budget: float,
    rng: np.random.Generator,
    ceiling: bool,
) -> float:
    """Troika verdicts within limits where they allow, beyond them where not; the cases
    not reached today go back to the queue in order. Returns the weight decided."""
    inst = w.institutions
    waiting = queue.clear()
    waiting = waiting[w.cases.status[waiting] == Status.AWAITING_SENTENCE]
    u_wish = rng.random(len(waiting))
    u = rng.random(len(waiting))
    region = w.people["region"][waiting].astype(np.int64)
    weight = e.weights(waiting)
    cases = TroikaQueue(region, weight, u_wish, u)
    limits = Limits(inst.limit_cat1, inst.used_cat1, inst.limit_cat2, inst.used_cat2)
    fallback = wish_fallback(inst, float(e.params["cat1_share_troika"]), ceiling)
    verdict, spent = troika_verdicts(cases, limits, float(budget), ceiling, fallback)
    beyond = verdict >= 3
    if beyond.any():
        inst.beyond_limit += np.bincount(
            region[beyond], weight[beyond], minlength=len(inst.beyond_limit)
        )
    e.sentence(day, waiting[(verdict == 1) | (verdict == 3)], "death")
    e.sentence(day, waiting[(verdict == 2) | (verdict == 4)], "camp", "troika")
    queue.push(waiting[verdict < 0])
    return float(spent)


def wish_fallback(inst: Institutions, constant: float, ceiling: bool) -> NDArray[np.float64]:
    """Per region, the troika's chance of wishing category 1 once both its limits are used
    up: the composition of its last request or increase (``Institutions.asked_share``);
    before its first, of its limits; a region without limits, or M16 off, ``constant``."""
    n = len(inst.limit_cat1)
    if not ceiling:
        return np.full(n, constant)
    total = inst.limit_cat1 + inst.limit_cat2
    with np.errstate(divide="ignore", invalid="ignore"):
        of_limits = np.where(total > 0, inst.limit_cat1 / total, constant)
    return np.where(np.isnan(inst.asked_share), of_limits, inst.asked_share)


def troika_reference(
    cases: TroikaQueue,
    limits: Limits,
    budget: float,
    ceiling: bool,
    fallback: NDArray[np.float64],
) -> tuple[NDArray[np.int8], float]:
    """The troika's rule (M16), case by case in queue order until the day's budget is spent.

    With ``ceiling``, the first category comes first: a case wishes category 1 while its
    region's category-1 limit lasts, else category 2 while that lasts, else category 1 with
    ``fallback`` (the composition of the region's last request). It tries the wished category
    first, then the other; a category is granted if the region's remaining limit covers the
    case's weight, or else with probability remaining/weight; a case granted neither is
    sentenced in its wished category beyond the limit. Without it (M16 off) the case wishes
    category 1 with ``fallback`` and is given its wish. Every sentence counts in its
    category's used limit. Verdict 1: death, 2: camp, within the limits; 3: death, 4: camp,
    beyond them; -1: not reached today. Returns (verdict, spent).
    """
    verdict = np.full(len(cases.region), -1, dtype=np.int8)
    spent = 0.0
    for i, (r, w, u_wish, u) in enumerate(zip(*cases, strict=True)):
        if spent >= budget:
            break
        if ceiling and limits.limit1[r] - limits.used1[r] > 0:
            wished = 1
        elif ceiling and limits.limit2[r] - limits.used2[r] > 0:
            wished = 2
        else:
            wished = 1 if u_wish < fallback[r] else 2
        verdict[i] = wished + 2 if ceiling else wished
        for cat in (wished, 3 - wished) if ceiling else ():
            limit, used = (
                (limits.limit1, limits.used1) if cat == 1 else (limits.limit2, limits.used2)
            )
            remaining = limit[r] - used[r]
            if remaining >= w or (remaining > 0 and u < remaining / w):
                verdict[i] = cat
                break
        (limits.used1 if verdict[i] in (1, 3) else limits.used2)[r] += w
        spent += w
    return verdict, spent
