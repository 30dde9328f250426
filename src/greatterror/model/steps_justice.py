"""Steps 14, 15, 17 and 25: investigation, sentencing, punishment, and the halt."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from greatterror.model import steps_trials
from greatterror.model.album import (
    SPECIAL_TROIKA_TERM_DAYS,
    hand_over_to_special_troikas,
    national_capacity,
    special_troika_capacity,
)
from greatterror.model.channels import (
    affordable,
    channel_table,
    channels_of,
    split_verdicts,
    tribunal_channel,
)
from greatterror.model.charges import by_charge
from greatterror.model.engine import Engine
from greatterror.model.families import children_placed
from greatterror.model.gulag import GF
from greatterror.model.holding import HOLDING_PARAMS, holding_step
from greatterror.model.kernels import (
    CaseArrays,
    ConfessionRule,
    confessions,
    dispositions,
    named_colleagues,
    namers,
)
from greatterror.model.limits import operation_ended
from greatterror.model.loop import Component
from greatterror.model.reception import RECEPTION_PARAMS
from greatterror.model.sentence_events import current_due
from greatterror.model.steps_gulag import (
    camp_deaths,
    camp_sample,
    famine_debility,
    transit_deaths,
)
from greatterror.model.steps_halt import under_review
from greatterror.model.troika import sentence_troika_cases
from greatterror.model.world import World
from greatterror.population.codes import Party
from greatterror.vocabulary import (
    ARMY_FLAGS,
    CH,
    CHANNELS,
    LINES,
    LINES_OF,
    MASS_OP,
    OPERATIONS,
    Status,
)

PARTY_MEMBER = int(Party.MEMBER)
_NO_MEMBERS = np.empty(0, dtype=np.int32)  # CSR groups whose members are their positions


class Investigation(Component):
    """Step 14 (M07, M17, M30; the levers of M05 and M06): cases whose investigation ends today.

    A prisoner confesses with a probability set by the methods sanctioned and
    by party loyalty; a confessing prisoner names accomplices from his own
    workplace (for the elite layer: his apparatus, command or NKVD office),
    and those named are arrested in turn. Prisoners who do not confess are
    released or sent on to sentencing, through the channel of their case.
    """

    name = "investigation"
    mechanisms = ("M07", "M17", "M30")
    params = ("loyalty_confession_boost", "names_acted_on", "release_without_confession")
    reads = (
        "people", "registers", "cases", "policy", "confession_p", "naming_mean", "trial_cases",
    )  # fmt: skip
    writes = (
        "cases", "camps", "institutions", "held", "named_today", "named_officers", "trial_cases",
    )  # fmt: skip

    def step(self, w: World, e: Engine, day: int) -> None:
        idx = e.due(day, "investigation_end")
        if len(idx) == 0:
            return
        c, p, pop = w.cases, e.params, w.people
        idx = idx[c.status[idx] == Status.INVESTIGATION]
        if len(idx) == 0:
            return  # nothing below draws or changes anything for no one
        u = e.rng.investigation.random((2, len(idx)))
        rule = ConfessionRule(
            w.levers.confession_p, p["loyalty_confession_boost"], PARTY_MEMBER, self.on(e, "M30")
        )
        confessors, silent, u_silent = confessions(idx, u, pop["party"], rule, c.confessed)
        _name_accomplices(w, e, day, confessors)
        # M07: confessed elite prisoners linked to the 'centre' are held for a show trial if
        # a pending trial's case holds them (model/trial_cases.py); the others are sentenced
        hold = self.on(e, "M07") and day < e.last_trial_day
        # a listed defendant who has not confessed is neither released nor sentenced: he
        # is held for his trial (model/trial_cases.py)
        silent, u_silent, listed = steps_trials.keep_listed(w, day, silent, u_silent, hold)
        released, to_court, held = dispositions(
            confessors, silent, u_silent, e.case_arrays, e.is_elite, MASS_OP,
            p["release_without_confession"], hold,
        )  # fmt: skip
        e.release(day, released)
        held, unheld = steps_trials.for_trial(w, day, np.concatenate([held, listed]))
        if len(unheld):
            to_court = np.concatenate([to_court, unheld])
        # the case's members who confessed name its accomplices
        steps_trials.interrogate(w, e, day, held[~np.isin(held, listed)])
        if len(held):
            w.signals.held = np.concatenate([w.signals.held, held])
        channels = self.channel_for(w, e, to_court)
        for ch in np.flatnonzero(np.bincount(channels, minlength=len(CHANNELS))).tolist():
            w.institutions.queues[ch].push(to_court[channels == ch])

    def channel_for(self, w: World, e: Engine, idx: np.ndarray) -> NDArray[np.intp]:
        """The sentencing channel of each case, by operation and person (model/channels.py).

        M17: with legal acceleration off (or after the halt) mass-operation cases go
        to the ordinary courts rather than to troikas and the album procedure. An officer
        below the high command goes to the tribunal of his military district, not to the
        Military Collegium (``channels.tribunal_channel``). From the execution lists to the
        halt every case of the elite operation, the patron cascade's clients included, goes to
        the Collegium (model/channels.py, the list procedure).
        """
        pol = w.policy
        table = channel_table(
            not pol.halted and self.on(e, "M17"),
            pol.special_troikas,
            pol.album_open,
            pol.execution_lists and not pol.halted,
        )
        idx = np.asarray(idx, dtype=np.int64)
        channels = channels_of(idx, w.cases.op, w.people["marks"], e.is_elite, table)
        return tribunal_channel(channels, w.people["elite"][idx])


# -- the rules of the investigation, stated readably; the kernels are their fast path ------
def confessions_reference(
    idx: np.ndarray, u: np.ndarray, party: np.ndarray, rule: ConfessionRule, confessed: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who confesses (M06 sets ``rule.base``; M30 adds the boost for party members).

    Returns (confessors, silent, the silent's second uniform); ``kernels.confessions``.
    """
    prob = np.full(len(idx), rule.base)
    if rule.capitulation:
        prob = np.minimum(prob + rule.boost * (party[idx] == rule.member), 1.0)
    confess = u[0] < prob
    confessed[idx[confess]] = True
    return idx[confess], idx[~confess], u[1][~confess]


def dispositions_reference(
    confessors: np.ndarray,
    silent: np.ndarray,
    u_silent: np.ndarray,
    cases: CaseArrays,
    is_elite: np.ndarray,
    mass_op: np.ndarray,
    release_p: float,
    hold: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Silent prisoners outside the mass operations go free with probability ``release_p``;
    the others await sentence; confessed elite prisoners linked to the 'centre' are held for a
    show trial if ``hold`` (M07). Returns (released, to a channel, held); ``kernels.dispositions``.
    """
    released = ~mass_op[cases.op[silent]] & (u_silent < release_p)
    to_court = np.concatenate([confessors, silent[~released]])
    cases.status[to_court] = Status.AWAITING_SENTENCE
    held = hold & is_elite[to_court] & cases.confessed[to_court] & cases.linked[to_court]
    return silent[released], to_court[~held], to_court[held]


def naming_reference(
    confessors: np.ndarray,
    k: np.ndarray,
    workplace: np.ndarray,
    u: np.ndarray,
    indptr: np.ndarray,
    members: np.ndarray,
    acted_p: float,
    linked: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each confessor gives ``k`` names, each a random colleague of his workplace (M05),
    acted on with probability ``acted_p``; names of oneself are dropped. Being named by someone
    linked to the 'centre' links you to it (who is linked is read before any is set).
    Returns (named, who named them); ``kernels.namers`` then ``kernels.named_colleagues``.
    """
    who = np.repeat(confessors, k)
    wp = workplace[who]
    who, wp = who[wp >= 0], wp[wp >= 0]
    m = len(wp)
    pos = indptr[wp] + (u[:m] * (indptr[wp + 1] - indptr[wp])).astype(np.int64)
    named = (members[pos] if len(members) else pos).astype(np.int64)
    keep = (named != who) & (u[m : 2 * m] < acted_p)
    named, by = named[keep], who[keep]
    linked[named[linked[by]]] = True
    return named, by


def _name_accomplices(w: World, e: Engine, day: int, confessors: np.ndarray) -> None:
    naming_mean = w.levers.naming_mean
    if len(confessors) == 0 or naming_mean <= 0:
        return
    rng = e.rng.naming
    pop, c = w.people, w.cases
    k = rng.poisson(naming_mean, size=len(confessors))
    who, wp = namers(confessors, k, pop["workplace"])
    if len(wp) == 0:
        return
    workplaces = pop.workplaces
    members = workplaces.members if workplaces.members is not None else _NO_MEMBERS
    # one draw of 2m uniforms is the same stream as the two draws of m it replaces
    u = rng.random(2 * len(wp))
    named, who = named_colleagues(
        who, wp, u, workplaces.indptr, members, e.params["names_acted_on"], c.linked
    )
    w.signals.named_today += float(e.weights(who).sum())
    # a name is taken up as far as it fits the line of the case that gave it (model/lines.py)
    fit = w.registers.naming_fit[c.line[who], pop["male"][named].astype(np.intp)]
    keep = rng.random(len(named)) < fit
    _arrest_named(w, e, day, named[keep], who[keep])


def _arrest_named(w: World, e: Engine, day: int, named: np.ndarray, who: np.ndarray) -> None:
    """Those named are arrested under the operation and on the line of the case that named them
    (model/lines.py); a member of the elite layer is taken by the elite operation."""
    c = w.cases
    key = c.op[who].astype(np.int64) * len(LINES) + c.line[who]
    for k in np.flatnonzero(np.bincount(key, minlength=len(OPERATIONS) * len(LINES))).tolist():
        group = named[key == k]
        elite = e.is_elite[group]
        # a named officer is dismissed first; the army purge decides on his arrest
        officer = elite & ((w.people["elite"][group] & ARMY_FLAGS) != 0)
        if officer.any():
            w.signals.named_officers.append(group[officer])
        c.named[e.arrest(day, group[elite & ~officer], "elite")] = True
        group = group[~elite]
        op = _op_name(k // len(LINES))
        ended = operation_ended(w.policy, w.institutions, op, w.people["region"][group])
        if ended.any():
            # the operation has ended (by a dated decision, or the halt): those named are
            # arrested in ordinary work, on no operation's line
            c.named[e.arrest(day, group[ended], "ordinary")] = True
        arrested = e.arrest(day, group[~ended], op)
        c.line[arrested] = k % len(LINES) if op in LINES_OF else 0
        c.named[arrested] = True


def _op_name(code: int) -> str:
    return OPERATIONS[code]


class Sentencing(Component):
    """Step 15: each channel decides up to its daily capacity.

    Capacity is in full-population cases per day; what a day cannot use of
    it (less than one sampled case) carries over, so throughput does not
    depend on the scale. Troikas decide within their region's category
    limits (M16) where these allow, and sentence beyond them where they do
    not: a case waits only for the troika's capacity, never for the centre
    to raise a limit (the region asks afterwards, model/steps_quota.py).
    The first category comes first, so the share of death sentences
    follows the limits and rises as first-category increases arrive
    (model/troika.py). With M16 off there are no central limits and each
    case takes its wished category, category 1 with ``cat1_share_troika``.
    The other channels split their verdicts by phase of policy (model/collegium.py):
    the Military Collegium's death share rises with the Politburo's execution lists
    (from Yezhov's appointment), and the courts' follows the case's charge (model/charges.py).
    """

    name = "sentencing"
    mechanisms = ("M16", "M17")
    params = (
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
        "military_collegium_capacity",
        "military_collegium_death_share",
        "military_tribunal_death_share",
        "oso_capacity",
        "oso_exile_share",
        "oso_other_share",
        "troika_capacity",
    )
    reads = ("people", "cases", "institutions", "policy")
    writes = ("cases", "camps", "institutions", "convicted")

    def step(self, w: World, e: Engine, day: int) -> None:
        p, c, inst = e.params, w.cases, w.institutions
        rng = e.rng.sentencing
        hand_over_to_special_troikas(inst, w.policy.special_troikas)
        capacity = {
            "troika": p["troika_capacity"],
            "album": 0.0,  # national_capacity below, on a day with album cases waiting
            "special_troika": 0.0,  # special_troika_capacity below, over their term
            "oso": p["oso_capacity"],
            "military_collegium": p["military_collegium_capacity"],
            "courts": p["courts_capacity"],
            # the tribunals of the military districts and fleets: no throughput is sourced,
            # and nothing says they were a bottleneck (model/channels.py)
            "military_tribunal": math.inf,
        }
        for name in CHANNELS:
            ch = CH[name]
            queue = inst.queues[ch]
            if len(queue) == 0:
                inst.carry[ch] = 0.0
                continue
            if name == "album":
                capacity[name] = national_capacity(p, e.ledger, day)  # model/album.py
            elif name == "special_troika":  # regional bodies, over their term (Order 00606)
                sat = w.policy.first_day.get(("special_troikas", None), day)
                left = sat + SPECIAL_TROIKA_TERM_DAYS - day
                capacity[name] = special_troika_capacity(p, queue.weight, left)
            budget = capacity[name] + inst.carry[ch]
            if name == "troika":
                spent = sentence_troika_cases(w, e, day, queue, budget, rng, self.on(e, "M16"))
            else:
                n, spent = affordable(queue.peek(), e.is_elite, e.w_mass, e.w_elite, budget)
                batch = queue.pop(n)
                batch = batch[c.status[batch] == Status.AWAITING_SENTENCE]
                # verdicts by body, phase of policy and charge (model/collegium.py, charges.py)
                for part, shares in by_charge(w, batch, name, p, self.on(e, "M17")):
                    _decide(e, day, part, name, rng, shares)
            # what a day cannot use carries over only while cases wait (less than one case):
            # an emptied queue does not save capacity for later days
            emptied = name != "troika" and len(queue) == 0
            inst.carry[ch] = 0.0 if (math.isinf(budget) or emptied) else budget - spent
            e.ledger.decided[day, ch] += spent


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
    e.sentence(day, death, "death", channel)
    e.sentence(day, exile, "exile")
    e.sentence(day, other, "other")
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

    def step(self, w: World, e: Engine, day: int) -> None:
        due = current_due(e, day, "execute")  # a superseded sentence is never carried out
        if len(due):
            due = due[w.cases.status[due] == Status.SENTENCED_DEATH]
            w.cases.status[due] = Status.SHOT
            e.record(day, due, "executed")
        holding_step(w, e, day)
        transit_deaths(w, e, day)
        camp_deaths(w, e, day)
        famine_debility(w, e, day)
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
