"""The troikas of Order 00447 (M16): which category each case gets, within the limits.

Order 00447 gave each region two limits, the first category (death) and the second
(eight to ten years of camp), and the regional troika sentenced to them. The order had
the first category, "the most hostile", arrested at once and in the first place and shot
after the troika's review, and the second sent to the camps (the order, section II). The
operational groups put each person in a category on their lists before the arrest, and
the troikas worked to the limits they were given:

- the first category's July lists were arrested first, in each region's first days
  (model/order_start.py); their cases carry their category (``Cases.flags`` ``FIRST_CATEGORY``);
- the other lists were compiled as the operation went on, to the limits in force: a case
  falls in category 1 in the proportion of what is left of the region's category-1 limit
  in what is left of both;
- regions asked for more, mostly of the first category: 77% of the increases whose split
  the evidence gives (``limits.increase_cat1_share``); in the end the category-1 limits had
  grown about fivefold and the category-2 limits about twofold (Werth 2010, fact
  G3-inc-factor). So the share of death sentences followed the limits and the increases.

The rule (``troika_reference``; ``kernels.troika_verdicts`` is its fast path): a case of the
first category's July list wishes category 1; any other wishes category 1 with the share of
category 1 in what is left of the region's two limits, and, once both are used up, with the
share of category 1 in the region's last request or increase (the troika sentences ahead of
the sanction, in the proportions it has asked for, model/steps_quota.py; before its first
request, the composition of its limits). The wished category is given if its limit allows,
else the other; a case that fits neither is sentenced in its wished category beyond the
limit, or held for the sanction of an increase (below). With M16 off there are no central
limits: each case wishes category 1 with the constant ``cat1_share_troika`` and gets its wish.

The sanction wait (rule R1 of docs/design/halt-backlog.md, issue 9). The order did not allow
a region to raise its limits on its own; one that needed more was to ask the People's Commissar
(order00447, section II; the wording recalled, not read in a stored copy: review19 F16), and
waited for the answer. How often a troika sentenced ahead of the sanction instead is not
in the evidence base (the ``beyond_limit`` ledger counts the model's; the record's regional
exceedances are known for a few regions only): a case that fits neither of its region's
limits is sentenced beyond them with the fixed prior ``ahead_of_sanction_share``, drawn once
on the ``sanction_wait`` stream, and otherwise held for the sanction (``hold``): it stays in
custody awaiting sentence, outside the troika's queue, until the region's limits are next
raised, and then goes back to the head of the queue and is decided by the same rule, held
again (without a new draw) if the increase does not cover it. "The next increase" is any
sanction of the region's limits: a dated decision of limit_increases.csv, where the region
has them, and elsewhere the increases of the request rule (model/steps_quota.py: the
centre's approval, Yezhov's own sanction in the first term, a grant as asked). The troika's
provisional rise on its own request before the answer (``after_fact_share``) is not a
sanction and releases no held case; its approval does (``sanctioned_limits``). A fall of
the sanctioned limits lowers the mark an increase must pass (``Institutions.held_limit``).
A region whose operation has ended gets no further increase; what then becomes of its held
cases is an assumption of its own, NOT FOUND in the sources read
(``held_after_region_end``, model/held_region_end.py): by default they wait for the halt,
whose review takes them (``steps_halt.review_pending``, rule R4). With
``ahead_of_sanction_share`` 1 no case is held, no number is drawn, and the run is the one
without the rule.

Until issue 9 (branch pace00447) the first category came first for every case: a case
wished category 1 while the region's category-1 limit lasted, so the troikas passed
almost no category-2 sentences in the operation's first month, and the first category's
share of all sentences ran above the limits' (docs/validation.md).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.case_flags import FIRST_CATEGORY
from greatterror.model.engine import Engine
from greatterror.model.held_region_end import send_on
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
    """Troika verdicts within limits where they allow; where they do not, beyond them or held
    for the sanction (``hold``). The held cases of a region whose limits have risen since come
    back first (``released_from_hold``; the step runs on a day with only held cases too,
    ``steps_justice.Sentencing``); the cases not reached today go back to the queue in order.
    The held cases of a region whose operation has ended are then sent on or kept
    (``held_region_end.send_on``, ``held_after_region_end``). Returns the weight decided."""
    inst = w.institutions
    released = released_from_hold(inst, w.people["region"]) if ceiling else _NONE
    fresh = queue.clear()
    waiting = np.concatenate([released, fresh]) if len(released) else fresh
    alive = w.cases.status[waiting] == Status.AWAITING_SENTENCE
    waiting = waiting[alive]
    u_wish = rng.random(len(waiting))
    u = rng.random(len(waiting))
    region = w.people["region"][waiting].astype(np.int64)
    weight = e.weights(waiting)
    cases = TroikaQueue(region, weight, u_wish, u, w.cases.has(FIRST_CATEGORY, waiting))
    limits = Limits(inst.limit_cat1, inst.used_cat1, inst.limit_cat2, inst.used_cat2)
    fallback = wish_fallback(inst, float(e.params["cat1_share_troika"]), ceiling)
    ahead = ahead_of_sanction(
        e, int(alive[len(released) :].sum()), len(waiting), _share(e, ceiling)
    )
    verdict, spent = troika_verdicts(cases, limits, float(budget), ceiling, fallback, ahead)
    beyond = verdict >= 3
    if beyond.any():
        inst.beyond_limit += np.bincount(
            region[beyond], weight[beyond], minlength=len(inst.beyond_limit)
        )
    w.cases.clear(FIRST_CATEGORY, waiting[verdict > 0])
    e.sentence(day, waiting[(verdict == 1) | (verdict == 3)], "death")
    e.sentence(day, waiting[(verdict == 2) | (verdict == 4)], "camp", "troika")
    n_back = len(waiting) - int(alive[len(released) :].sum())
    queue.push(waiting[n_back:][verdict[n_back:] == -1])
    held = verdict == -2
    if held.any():
        hold(inst, waiting[held], region[held])
    unreached = np.flatnonzero(verdict[:n_back] == -1)
    if len(unreached):
        keep_back(inst, waiting[unreached], region[unreached])
    if ceiling:
        send_on(w, e, day)
    return float(spent)


_NONE = np.empty(0, dtype=np.int32)


def _share(e: Engine, ceiling: bool) -> float:
    """``ahead_of_sanction_share``; 1 without central limits (M16 off), where none is held."""
    return float(e.params["ahead_of_sanction_share"]) if ceiling else 1.0


def ahead_of_sanction(e: Engine, n_fresh: int, n: int, share: float) -> NDArray[np.bool_]:
    """Per case of the day's ``n`` (the cases back from the hold first, then ``n_fresh`` from
    the queue), whether it is sentenced beyond its region's limits if it fits neither
    (``ahead_of_sanction_share``, on the ``sanction_wait`` stream). A case back from the hold
    was drawn to wait already and is not drawn again. With the share 1 nothing is drawn."""
    if share >= 1.0:
        return np.ones(n, dtype=np.bool_)
    ahead = np.zeros(n, dtype=np.bool_)
    ahead[n - n_fresh :] = e.rng.sanction_wait.random(n_fresh) < share
    return ahead


def hold(inst: Institutions, idx: NDArray[np.integer], region: NDArray[np.int64]) -> None:
    """Hold ``idx`` (in ``region``) for the sanction of their region's next increase: the mark
    an increase must pass is the region's sanctioned limits now (``sanctioned_limits``)."""
    inst.held_for_sanction.push(idx)
    inst.held_limit[region] = sanctioned_limits(inst)[region]


def keep_back(inst: Institutions, idx: NDArray[np.integer], region: NDArray[np.int64]) -> None:
    """Cases back from the hold that the day's budget did not reach (``troika_capacity``
    binding; review19 F12) return to the hold, not to the queue, so that they are not drawn
    again as fresh cases: they come back first at the next step, unless a case of their region
    was held again today (``hold`` set its mark: the rise is used up, and they wait for the
    next)."""
    inst.held_for_sanction.push(idx)
    fresh_mark = np.isnan(inst.held_limit[region])
    inst.held_limit[region[fresh_mark]] = -np.inf


def sanctioned_limits(inst: Institutions) -> NDArray[np.float64]:
    """Per region, its two limits together without the provisional increase its troika is
    acting on ahead of the centre's answer (``pending_ahead``, model/steps_quota.py). That rise
    is no sanction: it is the troika sentencing before any answer, which a held case was drawn
    not to do, so it releases no held case; the answer does (an approval makes it part of the
    sanctioned limits, a refusal withdraws it, a dated decision replaces it)."""
    provisional = (inst.pending_day != -1) & inst.pending_ahead
    pending = np.where(provisional, inst.pending_cat1 + inst.pending_cat2, 0.0)
    return np.asarray(inst.limit_cat1 + inst.limit_cat2 - pending, dtype=np.float64)


def released_from_hold(inst: Institutions, regions: NDArray[np.integer]) -> NDArray[np.int32]:
    """The held cases of the regions whose sanctioned limits (``sanctioned_limits``) have risen
    since they were held, in the order they were held (``regions``: every person's region); the
    others stay held. A fall of a region's sanctioned limits lowers its mark, so that the next
    rise releases its cases."""
    if len(inst.held_for_sanction) == 0:
        return _NONE
    total = sanctioned_limits(inst)
    waits = ~np.isnan(inst.held_limit)
    inst.held_limit[waits] = np.minimum(inst.held_limit[waits], total[waits])
    raised = waits & (total > inst.held_limit)
    if not raised.any():
        return _NONE
    inst.held_limit[raised] = np.nan
    held = inst.held_for_sanction.clear()
    back = raised[regions[held]]
    inst.held_for_sanction.push(held[~back])
    return held[back]


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
    ahead: NDArray[np.bool_],
) -> tuple[NDArray[np.int8], float]:
    """The troika's rule (M16), case by case in queue order until the day's budget is spent.

    With ``ceiling``, a case of the first category's July list (``cases.first``, arrested in
    the operation's first blow, model/order_start.py) wishes category 1; any other case
    wishes category 1 with the share of category 1 in what is left of its region's two
    limits, or, once both are used up, with ``fallback`` (the composition of the region's
    last request). It tries the wished category first, then the other; a category is
    granted if the region's remaining limit covers the case's weight, or else with
    probability remaining/weight; a case granted neither is sentenced in its wished category
    beyond the limit if ``ahead``, and is held for the sanction if not (neither used nor
    spent). Without it (M16 off) the case wishes category 1 with ``fallback`` and is given
    its wish. Every sentence counts in its category's used limit. Verdict 1: death, 2: camp,
    within the limits; 3: death, 4: camp, beyond them; -1: not reached today; -2: held.
    Returns (verdict, spent).
    """
    verdict = np.full(len(cases.region), -1, dtype=np.int8)
    spent = 0.0
    for i, (r, w, u_wish, u, listed) in enumerate(zip(*cases, strict=True)):
        if spent >= budget:
            break
        left1 = max(limits.limit1[r] - limits.used1[r], 0.0)
        left2 = max(limits.limit2[r] - limits.used2[r], 0.0)
        if ceiling and listed:
            wished = 1
        elif ceiling and left1 + left2 > 0:
            wished = 1 if u_wish < left1 / (left1 + left2) else 2
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
        if verdict[i] >= 3 and not ahead[i]:
            verdict[i] = -2
            continue
        (limits.used1 if verdict[i] in (1, 3) else limits.used2)[r] += w
        spent += w
    return verdict, spent
