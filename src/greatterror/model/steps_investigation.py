"""Step 14: investigation: confessions, dispositions and the names given under interrogation.

Split from model/steps_justice.py (which keeps sentencing, punishment and the halt) so that
each module holds one stage of a case. The rules are stated in the NumPy references below;
the kernels (model/kernels.py) compute them and tests/test_kernels.py holds them equal.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model import steps_trials
from greatterror.model.case_flags import CONFESSED, LINKED, NAMED
from greatterror.model.channels import channel_table, channels_of, tribunal_channel
from greatterror.model.engine import Engine
from greatterror.model.kernels import (
    CaseArrays,
    ConfessionRule,
    confessions,
    dispositions,
    named_colleagues,
    namers,
)
from greatterror.model.limits import operation_ended
from greatterror.model.list_selection import arrest_circle
from greatterror.model.loop import Component
from greatterror.model.nkvd_capacity import bound_named
from greatterror.model.state import Cases
from greatterror.model.world import World
from greatterror.population.codes import Party
from greatterror.vocabulary import (
    ARMY_FLAGS,
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
    params = (
        "circle_list_share",
        "loyalty_confession_boost",
        "names_acted_on",
        "nkvd_capacity",
        "release_without_confession",
    )
    reads = (
        "people", "registers", "cases", "policy", "institutions", "confession_p", "naming_mean",
        "trial_cases",
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
        if w.policy.halted and len(idx) > 1:
            # an elite case the halt suspended is due once by its resumed investigation
            # (``steps_halt.HaltReview.resume``) and may be due the same day by the end of its
            # first one, still on the calendar: it is interrogated once (before the halt no
            # case is due twice, and the order of the others is kept)
            _, first = np.unique(idx, return_index=True)
            if len(first) < len(idx):
                idx = idx[np.sort(first)]
        if len(idx) == 0:
            return  # nothing below draws or changes anything for no one
        u = self.interrogation_draws(w, e, idx)
        rule = ConfessionRule(
            w.levers.confession_p, p["loyalty_confession_boost"], PARTY_MEMBER, self.on(e, "M30")
        )
        confessors, silent, u_silent = confessions(idx, u, pop["party"], rule, c.flags)
        _name_accomplices(w, e, day, first_interrogated(c, confessors))
        # M07: confessed elite prisoners linked to the 'centre' are held for a show trial if
        # a pending trial's case holds them (model/trial_cases.py); the others are sentenced
        hold = self.on(e, "M07") and day <= e.last_trial_day
        # a defendant kept for a pending trial who has not confessed is neither released nor
        # sentenced: his investigation goes on (model/steps_trials.keep_listed)
        silent, u_silent = steps_trials.keep_listed(w, e, day, silent, u_silent, hold)
        released, to_court, held = dispositions(
            confessors, silent, u_silent, e.case_arrays, e.is_elite, MASS_OP,
            p["release_without_confession"], hold,
        )  # fmt: skip
        e.release(day, released)
        held, unheld = steps_trials.for_trial(w, day, held)
        if len(unheld):
            to_court = np.concatenate([to_court, unheld])
        # the case's members who confessed name its accomplices
        steps_trials.interrogate(w, e, day, held)
        if len(held):
            w.signals.held = np.concatenate([w.signals.held, held])
        channels = self.channel_for(w, e, to_court)
        for ch in np.flatnonzero(np.bincount(channels, minlength=len(CHANNELS))).tolist():
            w.institutions.queues[ch].push(to_court[channels == ch])

    @staticmethod
    def interrogation_draws(w: World, e: Engine, idx: np.ndarray) -> NDArray[np.float64]:
        """The two uniforms of each interrogation (confession, release): on the
        ``investigation`` stream, except for the people whose investigation a show trial's
        case opened or extended (``TrialCases.by_trial``), on ``trial_interrogation``, so
        that the trials' rules do not shift the confession draws of the whole population
        (review12 F9)."""
        tc = w.trial_cases
        if not tc.by_trial:
            return e.rng.investigation.random((2, len(idx)))
        # ``isin_set(idx, tc.by_trial)`` by Python's set look-up, one per prisoner: the day's
        # few against a set of hundreds, whose array ``isin_set`` would make and sort each day
        # (the set holds Python ints, from ``tolist``; a look-up finds exactly np.isin's answer)
        by_trial, people = tc.by_trial, idx.tolist()
        # none of them (most days): one C call, not a generator step per prisoner
        if by_trial.isdisjoint(people):  # the same numbers as the split below, none to split
            return e.rng.investigation.random((2, len(idx)))
        mine = np.fromiter((i in by_trial for i in people), dtype=bool, count=len(idx))
        u = np.empty((2, len(idx)))
        u[:, ~mine] = e.rng.investigation.random((2, int((~mine).sum())))
        u[:, mine] = e.rng.trial_interrogation.random((2, int(mine.sum())))
        return u

    def channel_for(self, w: World, e: Engine, idx: np.ndarray) -> NDArray[np.intp]:
        """The sentencing channel of each case, by operation and person (model/channels.py).

        M17: with legal acceleration off (or after the halt) mass-operation cases go
        to the ordinary courts rather than to troikas and the album procedure. An officer
        below the high command goes to the tribunal of his military district, not to the
        Military Collegium (``channels.tribunal_channel``). From the execution lists to the
        halt every case of the elite operation of the elite layer or a first secretary's circle
        (the patron cascade's clients) goes to the Collegium (model/channels.py, the list
        procedure); one of the mass layer outside a circle does not.
        """
        pol = w.policy
        table = channel_table(
            not pol.halted and self.on(e, "M17"),
            pol.special_troikas,
            pol.album_open,
            pol.execution_lists and not pol.halted,
        )
        idx = np.asarray(idx, dtype=np.int64)
        pop = w.people
        channels = channels_of(idx, w.cases.op, pop["marks"], e.is_elite, pop["patron"], table)
        return tribunal_channel(channels, w.people["elite"][idx])


# -- the rules of the investigation, stated readably; the kernels are their fast path ------
def confessions_reference(
    idx: np.ndarray, u: np.ndarray, party: np.ndarray, rule: ConfessionRule, flags: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who confesses (M06 sets ``rule.base``; M30 adds the boost for party members).

    Returns (confessors, silent, the silent's second uniform); ``kernels.confessions``.
    """
    prob = np.full(len(idx), rule.base)
    if rule.capitulation:
        prob = np.minimum(prob + rule.boost * (party[idx] == rule.member), 1.0)
    confess = u[0] < prob
    flags[idx[confess]] |= CONFESSED
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
    flags = cases.flags[to_court]
    held = hold & is_elite[to_court] & ((flags & CONFESSED) != 0) & ((flags & LINKED) != 0)
    return silent[released], to_court[~held], to_court[held]


def naming_reference(
    confessors: np.ndarray,
    k: np.ndarray,
    workplace: np.ndarray,
    u: np.ndarray,
    indptr: np.ndarray,
    members: np.ndarray,
    acted_p: float,
    flags: np.ndarray,
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
    flags[named[(flags[by] & LINKED) != 0]] |= LINKED
    return named, by


def first_interrogated(c: Cases, confessors: np.ndarray) -> np.ndarray:
    """``confessors`` less those whose case a special troika sent back (model/no_sentence.py):
    they named whom they named in their first interrogation, and are not asked again."""
    again = c.returned[confessors] == c.arrest_day[confessors] + 1  # stored plus one
    return confessors[~again] if again.any() else confessors


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
        who, wp, u, workplaces.indptr, members, e.params["names_acted_on"], c.flags
    )
    w.signals.named_today += float(e.weights(who).sum())
    # a name is taken up as far as it fits the line of the case that gave it (model/lines.py)
    fit = w.registers.naming_fit[c.line[who], pop["male"][named].astype(np.intp)]
    keep = rng.random(len(named)) < fit
    named, who = named[keep], who[keep]
    # the officers' capacity to arrest bounds the names acted on (model/nkvd_capacity.py)
    keep = bound_named(w, e, day, named, rng)
    if not keep.all():
        named, who = named[keep], who[keep]
    _arrest_named(w, e, day, named, who)


def _arrest_named(w: World, e: Engine, day: int, named: np.ndarray, who: np.ndarray) -> None:
    """Those named are arrested under the operation and on the line of the case that named them
    (model/lines.py); a member of the elite layer is taken by the elite operation.

    The elite operation is the purge of the nomenklatura's layers: the elite layer and the first
    secretaries' circles (the patron cascade's clients, ``people["patron"] >= 0``). Someone of
    the mass population outside a circle named in one of its cases (a colleague a client named)
    is taken in the NKVD's ordinary work, as a name in an ended operation's case is: he was no
    one the Politburo's execution lists named (model/channels.py, the list procedure). Until 5
    Dec 2026 (branch listsel) he was taken by the elite operation, and from the lists to the
    halt went to the Military Collegium with it (about 15,000 of the 88,000 death and camp
    sentences of the Collegium and the tribunals of 1 October 1936 - 30 September 1938 at
    1:100, seed 1)."""
    c = w.cases
    key = c.op[who].astype(np.int64) * len(LINES) + c.line[who]
    for k in np.flatnonzero(np.bincount(key, minlength=len(OPERATIONS) * len(LINES))).tolist():
        group = named[key == k]
        elite = e.is_elite[group]
        if elite.any():  # (no one of the elite layer: nothing below would change or draw)
            # a named officer is dismissed first; the army purge decides on his arrest
            officer = elite & ((w.people["elite"][group] & ARMY_FLAGS) != 0)
            if officer.any():
                w.signals.named_officers.append(group[officer])
            c.set(NAMED, e.arrest(day, group[elite & ~officer], "elite"))
            group = group[~elite]
        op = _op_name(k // len(LINES))
        if op == "elite":
            circle = w.people["patron"][group] >= 0
            c.set(NAMED, e.arrest(day, group[~circle], "ordinary"))
            group = group[circle]
        ended = operation_ended(w.policy, w.institutions, op, w.people["region"][group])
        if ended.any():
            # the operation has ended (by a dated decision, or the halt): those named are
            # arrested in ordinary work, on no operation's line
            c.set(NAMED, e.arrest(day, group[ended], "ordinary"))
        if op == "elite":  # a circle's: on the lists or not (model/list_selection.py)
            arrested = arrest_circle(w, e, day, group[~ended])
        else:
            arrested = e.arrest(day, group[~ended], op)
        c.line[arrested] = k % len(LINES) if op in LINES_OF else 0
        c.set(NAMED, arrested)


def _op_name(code: int) -> str:
    return OPERATIONS[code]
