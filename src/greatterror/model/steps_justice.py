"""Steps 15, 17 and 25: sentencing, punishment, and the halt.

Step 14, the investigation, is model/steps_investigation.py.
"""

from __future__ import annotations

import math

import numpy as np

from greatterror.model import steps_gulag
from greatterror.model.album import (
    SPECIAL_TROIKA_TERM_DAYS,
    hand_over_to_special_troikas,
    national_capacity,
    special_troika_capacity,
)
from greatterror.model.channels import (
    affordable,
    split_verdicts,
)
from greatterror.model.charges import by_charge
from greatterror.model.engine import Engine
from greatterror.model.families import children_placed
from greatterror.model.gulag import GF
from greatterror.model.holding import HOLDING_PARAMS, holding_step
from greatterror.model.loop import Component
from greatterror.model.no_sentence import send_back
from greatterror.model.reception import RECEPTION_PARAMS
from greatterror.model.sentence_events import current_due
from greatterror.model.steps_gulag import (
    camp_deaths,
    camp_sample,
    famine_debility,
)
from greatterror.model.steps_halt import under_review
from greatterror.model.steps_transit import transit_deaths
from greatterror.model.troika import sentence_troika_cases
from greatterror.model.world import World
from greatterror.vocabulary import (
    CH,
    CHANNELS,
    Status,
)


class Sentencing(Component):
    """Step 15: each channel decides up to its daily capacity.

    Capacity is in full-population cases per day; what a day cannot use of
    it (less than one sampled case) carries over, so throughput does not
    depend on the scale. Troikas decide within their region's category
    limits (M16) where these allow; where they do not, a case is sentenced
    beyond them with ``ahead_of_sanction_share`` (the region asks afterwards,
    model/steps_quota.py), and otherwise held until the region's limits are
    next raised (rule R1, model/troika.py).
    The first category's July list is sentenced in category 1 and the other
    cases in proportion to what is left of the limits, so the share of death
    sentences follows the lists and the limits and rises as first-category
    increases arrive (model/troika.py). With M16 off there are no central limits and each
    case takes its wished category, category 1 with ``cat1_share_troika``.
    The other channels split their verdicts by phase of policy (model/collegium.py):
    the Military Collegium's death share rises with the Politburo's execution lists
    (from Yezhov's appointment), and the courts' follows the case's charge (model/charges.py).
    """

    name = "sentencing"
    mechanisms = ("M16", "M17")
    params = (
        "ahead_of_sanction_share",
        "album_capacity",
        "album_capacity_elasticity",
        "album_capacity_lag_days",
        "album_death_share",
        "album_dvoika_ceiling",
        "cat1_share_troika",
        "collegium_death_share_before_lists",
        "courts_capacity",
        "courts_death_share",
        "courts_other_share",
        "exile_share",
        "grave_charge_death_ratio",
        "held_after_region_end",
        "military_collegium_capacity",
        "military_collegium_death_share",
        "military_tribunal_death_share",
        "oso_capacity",
        "oso_exile_share",
        "oso_other_share",
        "special_troika_no_sentence_share",
        "troika_capacity",
    )
    reads = ("people", "cases", "institutions", "policy")
    writes = ("cases", "camps", "institutions", "convicted")

    def step(self, w: World, e: Engine, day: int) -> None:
        inst, rng = w.institutions, e.rng.sentencing
        hand_over_to_special_troikas(inst, w.policy.special_troikas)
        for name in CHANNELS:
            ch = CH[name]
            queue = inst.queues[ch]
            # the troikas also look at the cases held for a sanction (model/troika.py, R1),
            # which an increase of their region's limits returns to them
            only_held = name == "troika" and len(queue) == 0 and len(inst.held_for_sanction) > 0
            if len(queue) == 0 and not only_held:
                inst.carry[ch] = 0.0
                continue
            budget = _capacity(w, e, day, name, queue.weight) + inst.carry[ch]
            if name == "troika":
                spent = sentence_troika_cases(w, e, day, queue, budget, rng, self.on(e, "M16"))
            else:
                spent = self._decide_head(w, e, day, name, budget)
            # what a day cannot use carries over only while cases wait (less than one case):
            # an emptied queue does not save capacity for later days, nor does a day on which
            # the troikas had only held cases and none came back
            emptied = (name != "troika" and len(queue) == 0) or (only_held and spent == 0.0)
            inst.carry[ch] = 0.0 if (math.isinf(budget) or emptied) else budget - spent
            e.ledger.decided[day, ch] += spent

    def _decide_head(self, w: World, e: Engine, day: int, name: str, budget: float) -> float:
        """A channel other than the troikas decides the head of its queue that ``budget``
        pays for, in order; returns the weight decided. A budget that pays for no case
        decides nothing: the queue stays as it is and no number is drawn (the draws for no
        one would take nothing from their streams), so those days skip the calls."""
        queue = w.institutions.queues[CH[name]]
        n, spent = affordable(queue.peek(), e.is_elite, e.w_mass, e.w_elite, budget)
        if n == 0:
            return spent
        batch = queue.pop(n)
        batch = batch[w.cases.status[batch] == Status.AWAITING_SENTENCE]
        if name == "special_troika":  # no sentence on some: model/no_sentence.py
            batch = batch[send_back(w, e, day, batch)]
        # verdicts by body, phase of policy and charge (model/collegium.py, charges.py)
        for part, shares in by_charge(w, batch, name, e.params, self.on(e, "M17")):
            _decide(e, day, part, name, e.rng.sentencing, shares)
        return spent


def _capacity(w: World, e: Engine, day: int, name: str, waiting: float) -> float:
    """A channel's capacity today, in full-population cases (``waiting``: the weight of its
    queue). Computed only for a channel with cases waiting."""
    p = e.params
    if name == "album":  # model/album.py
        return national_capacity(p, e.ledger, day)
    if name == "special_troika":  # regional bodies, over their term (Order 00606)
        sat = w.policy.first_day.get(("special_troikas", None), day)
        return special_troika_capacity(p, waiting, sat + SPECIAL_TROIKA_TERM_DAYS - day)
    if name == "military_tribunal":
        # the tribunals of the military districts and fleets: no throughput is sourced,
        # and nothing says they were a bottleneck (model/channels.py)
        return math.inf
    return p[_CAPACITY[name]]


#: the parameter that gives each channel's daily capacity (the album's and the special
#: troikas' are computed: ``_capacity``)
_CAPACITY = {
    "troika": "troika_capacity",
    "oso": "oso_capacity",
    "military_collegium": "military_collegium_capacity",
    "courts": "courts_capacity",
}


def _decide(
    e: Engine,
    day: int,
    batch: np.ndarray,
    channel: str,
    rng: np.random.Generator,
    shares: tuple[float, float, float],
) -> None:
    """``channel``'s verdicts on ``batch``: death with ``shares[0]``, else exile with
    ``shares[1]``, else "other measures" with ``shares[2]``, else camp
    (``collegium.verdict_shares``)."""
    u = rng.random(len(batch))
    v = rng.random(len(batch))
    death, exile, other, camp = split_verdicts(batch, u, v, *shares)
    # (a sentence of no one changes and draws nothing: most days most parts are empty)
    if len(death):
        e.sentence(day, death, "death", channel)
    if len(exile):
        e.sentence(day, exile, "exile")
    if len(other):
        e.sentence(day, other, "other")
    if len(camp):
        e.sentence(day, camp, "camp", channel)


class Punishment(Component):
    """Step 17: executions fall due; the holding stage (prisons, the etap: model/holding.py);
    deaths in transit and in the camps; relatives' arrests."""

    name = "punishment"
    params = (
        "camp_capacity",
        "colony_mortality_ratio",
        "debility_recovery_days",
        "gulag_mortality",
        "supply_lag_days",
        "supply_mortality",
        "transit_mortality",
        "undernourishment_days",
        *HOLDING_PARAMS,
        *RECEPTION_PARAMS,
    )
    reads = ("people", "cases", "camps")
    writes = ("cases", "camps", "children_to_homes")

    #: the run whose famine excess ``_excess`` holds, and that excess (``famine_excess``:
    #: the evidence, two parameters and the first day, none of which changes during a run)
    _excess_of: Engine | None = None
    _excess = 0.0

    def step(self, w: World, e: Engine, day: int) -> None:
        due = current_due(e, day, "execute")  # a superseded sentence is never carried out
        if len(due):
            due = due[w.cases.status[due] == Status.SENTENCED_DEATH]
            w.cases.status[due] = Status.SHOT
            e.record(day, due, "executed")
        holding_step(w, e, day)
        transit_deaths(w, e, day)
        camp_deaths(w, e, day)
        if len(w.camps.debilitated):  # (else the debility's step returns at once)
            if self._excess_of is not e:
                # (read from its module: a test replaces it there, tests/test_famine_debility.py)
                excess = steps_gulag.famine_excess(e.evidence, e.params, e.start)
                self._excess_of, self._excess = e, excess
            famine_debility(w, e, day, self._excess)
        fam = e.due(day, "family")
        if len(fam):
            # Order 00486: the wives' children go to children's homes as their mothers are
            # taken (model/families.py); a wife no longer at liberty is not taken again
            w.children_to_homes += children_placed(w, e, e.arrest(day, fam, "family"))


class HaltAndRelease(Component):
    """Step 25 (after the releases order of M22): reviews release camp prisoners.

    The review was of the NKVD's cases of Yezhov's tenure (``steps_halt.under_review``): a
    non-political convict of the ordinary courts (model/steps_courts.py), or a prisoner
    sentenced before Yezhov or after the halt, drawn for it is not released by it."""

    name = "halt_and_release"
    params = ("release_rate_after_halt",)
    reads = ("policy", "cases", "camps")
    writes = ("cases", "camps")

    def step(self, w: World, e: Engine, day: int) -> None:
        if not w.policy.releases:
            return
        rng = e.rng.review
        n = rng.binomial(int(w.camps.n), min(e.params["release_rate_after_halt"] / 365.0, 1.0))
        freed = camp_sample(w, n, rng)
        freed = freed[~w.cases.ordinary_offence(freed) & under_review(w, freed)]
        e.release(day, freed)
        e.ledger.gulag[day, GF["released_review"]] += float(e.weights(freed).sum())
