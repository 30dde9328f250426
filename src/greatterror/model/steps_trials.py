"""Step 27 (M07): the show trials' cases are prepared, and each trial sentences its dock.

A trial's case opens a preparation window before its scripted date with the leadership's
list: the prominent people of the trial's own group (data/trial_charges.csv) already in
custody, at most ``trial_dock_size`` (a cap), or, if none is, the group's one leading figure
arrested for it (model/trial_cases.py). The names its members give under interrogation take
more people into the case's investigation. On the date the dock is the case's members of
the group in custody for it (the list, and the named): at an open trial those who have
confessed, at a closed one also those still silent (data/trial_charges.csv ``session``); a
silent member of the group at an open trial goes to the Military Collegium in closed
session, unless the next pending case of his kind takes him over (``carry_over``: two of
the Seventeen's centre were in custody when the Sixteen's case closed). At most the cap and
``trial_max_defendants`` (a bound from the court's practice). The verdicts follow the
charge (data/trial_charges.csv): a charge of terrorism or treason carried the supreme
measure, ten years under mitigating circumstances (the law of 1 December 1934 on terrorism
cases; art. 58-1a of 8 June 1934), so a defendant is sentenced to death with
``trial_death_share_late``; under a lesser charge (the Moscow centre's 'counter-revolutionary
group') with the share of the court that sat, the Military Collegium, on an elite case that
day (model/collegium.py). The trials' list, names and verdicts draw from three named streams
(model/streams.py). The archival trials are the check, not an input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from greatterror.model.case_flags import CONFESSED, LINKED
from greatterror.model.collegium import verdict_shares
from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.sorting import isin_array, isin_set
from greatterror.model.trial_cases import (
    CC_GROUPS,
    TrialCase,
    TrialCases,
    build_cases,
    can_be_taken,
    circle_of,
    group_name,
    in_group,
    of_kind,
    open_session,
    prominence,
    trial_charges,
)
from greatterror.model.world import World
from greatterror.population.codes import Elite
from greatterror.vocabulary import AT_LIBERTY, CH, Status

#: charges that carried the supreme measure (data/trial_charges.csv)
CAPITAL_CHARGES = ("terrorism", "treason")


def charges() -> dict[str, str]:
    """The charge of each show trial, from the published verdicts (data/trial_charges.csv)."""
    return {trial: row["charge"] for trial, row in trial_charges().items()}


class ShowTrials(Component):
    """Step 27 (M07): trials' cases open and grow; on a scripted date the dock is sentenced."""

    name = "show_trials"
    mechanisms = ("M07",)
    params = (
        "collegium_death_share_before_lists",
        "military_collegium_death_share",
        "trial_bring_back_share",
        "trial_death_share_late",
        "trial_dock_size",
        "trial_max_defendants",
        "trial_preparation_days",
    )
    reads = (
        "people",
        "registers",
        "cases",
        "policy",
        "institutions",
        "trials_today",
        "held",
        "trial_cases",
    )
    writes = ("cases", "camps", "institutions", "held", "trials", "convicted", "trial_cases")

    def step(self, w: World, e: Engine, day: int) -> None:
        tc = w.trial_cases
        if not tc.built:
            tc.cases = build_cases(e.events_by_day, e.params["trial_preparation_days"])
            tc.built = True
        if self.on(e, "M07"):
            for case in tc.cases:
                if not case.opened and case.opens <= day < case.day:
                    open_case(w, e, day, case)
        for event in w.signals.trials_today:
            self._trial(w, e, day, event)
        if day >= e.last_trial_day and len(w.signals.held):
            # no trial is left to stage: the remaining prisoners go to the Military Collegium
            held = w.signals.held
            waiting = held[w.cases.status[held] == Status.AWAITING_SENTENCE]
            w.institutions.queues[CH["military_collegium"]].push(waiting)
            w.signals.held = np.empty(0, dtype=np.int64)

    def _trial(self, w: World, e: Engine, day: int, event: Any) -> None:
        c, p = w.cases, e.params
        case = next((k for k in w.trial_cases.cases if k.trial == event.trial), None)
        held = w.signals.held[c.status[w.signals.held] == Status.AWAITING_SENTENCE]
        members = np.fromiter(case.members, dtype=np.int64) if case else held[:0]
        pool = held[np.isin(held, members)]
        chosen = silent = carried = np.empty(0, dtype=np.int64)
        if self.on(e, "M07") and case is not None and case.opened:
            chosen, silent = dock(w, e, case, pool)
            w.trial_cases.tried.update(chosen.tolist())
            # the case's members not in the dock whom the next pending case takes over
            rest = pool[~np.isin(pool, chosen)]
            carried = carry_over(w, day, case, np.concatenate([rest, silent]))
            silent = silent[~np.isin(silent, carried)]
            # the group's members still silent and not in the dock: the Military Collegium
            # in closed session (Rudzutak), not marked as having confessed
            c.status[silent] = Status.AWAITING_SENTENCE
            w.institutions.queues[CH["military_collegium"]].push(silent)
        share = verdict_share(w, p, charges().get(event.trial, ""))
        death = e.rng.trial_verdict.random(len(chosen)) < share
        e.sentence(day, chosen[death], "death", "military_collegium")
        e.sentence(day, chosen[~death], "camp", "military_collegium")
        # the case's other prisoners are tried by the Military Collegium in closed session
        rest = pool[~np.isin(pool, chosen) & ~np.isin(pool, carried)]
        w.institutions.queues[CH["military_collegium"]].push(rest)
        w.signals.held = held[~np.isin(held, pool) | np.isin(held, carried)]
        if case is not None:
            case.closed = True
        archival = e.evidence.trials.get(event.trial)
        w.trials.append(
            {
                "id": event.trial,
                "date": event.date.isoformat(),
                "defendants": len(chosen),
                "death_sentences": int(death.sum()),
                "other_sentences": int((~death).sum()),
                "listed": len(case.listed) if case else 0,
                "case_members": len(case.members) if case else 0,
                "brought_back": len(case.brought_back) if case else 0,
                "archival": {
                    "defendants": archival.defendants if archival else None,
                    "death_sentences": archival.death_sentences if archival else None,
                },
            }
        )


def verdict_share(w: World, p: dict[str, float], charge: str) -> float:
    """A defendant's chance of the death sentence: ``trial_death_share_late`` under a charge
    that carried the supreme measure (terrorism, treason), else the court's share on an elite
    case that day, the Military Collegium's (its visiting session tried the Moscow centre):
    ``collegium_death_share_before_lists`` before the Politburo's execution lists,
    ``military_collegium_death_share`` from them (model/collegium.py). Until 5 Dec 2026
    (branch docks4) a lesser charge had its own share, ``trial_death_share_early`` (0.53, a
    value of a search, no source), which served one trial of the historical scenario."""
    if charge in CAPITAL_CHARGES:
        return float(p["trial_death_share_late"])
    return verdict_shares("military_collegium", w.policy, w.institutions, p, False)[0]


def dock(w: World, e: Engine, case: TrialCase, pool: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The dock, fixed on the trial's date, and the case's silent members left out of it.

    The dock is the case's listed and its members of the trial's group in custody for it, in
    the order they joined the case (the list first), at most ``trial_dock_size`` and
    ``trial_max_defendants``: at an open trial (``open_session``) those held for the trial,
    who have confessed; at a closed trial also those still under investigation (a silent
    member is kept for it, ``keep_listed``, and the trial ends his investigation). The second
    array is the listed and group members still under investigation who are not in the dock
    (at an open trial, all of them): the Military Collegium tries them in closed session."""
    p = e.params
    order = np.fromiter(case.joined, dtype=np.int64)
    if len(order) == 0:
        return order, order
    c = w.cases
    held = np.isin(order, pool) & c.has(CONFESSED, order)
    listed = np.isin(order, np.asarray(case.listed, dtype=np.int64))
    under = c.status[order] == Status.INVESTIGATION
    ours = listed | in_group(w.people, order, group_name(case))
    here = ours & (held | (under & (not open_session(case))))
    cap = int(min(p["trial_dock_size"], p["trial_max_defendants"]))
    chosen = order[here][:cap]
    silent = order[ours & under & ~np.isin(order, chosen)]
    return chosen, silent


def carry_over(w: World, day: int, case: TrialCase, idx: np.ndarray) -> np.ndarray:
    """The members of ``case`` not in its dock (``idx``: held for it, or still silent) whom
    the next pending case of its kind takes over on the trial's date: those of that case's
    group (``in_group``), held for its trial if they have confessed, kept under investigation
    if not. The others go to the Military Collegium in closed session. Returns the carried.

    The names given in one trial's case opened the next: after the Trial of the Sixteen the
    prosecutor announced an investigation of everyone its defendants had named (report1936),
    and four of them were the Seventeen's 'parallel centre' (report1937). Of these,
    Sokolnikov (arrested 26 July 1936) and Serebryakov (17 August) were in custody when the
    Sixteen's case closed (the trial of 19-24 August), which is what this rule models;
    Pyatakov (12 September) and Radek (22 September) were arrested after the verdict, named
    and then arrested, which ``NAMES_REACH`` covers (Conquest 1990, ch. 4 and 6; not checked
    page by page). Until branch trials4 (5 Dec 2026)
    every such member went to the Military Collegium when his case closed, and the next
    case could take him only by a new name. In the historical scenario the rule acts where
    a case is pending on an earlier trial's date: the Sixteen's members pass to the
    Seventeen's case, the Leningrad centre's to the Moscow centre's (both built in the
    investigation of Kirov's murder, Lenoe 2010; not checked page by page)."""
    nxt = next(
        (k for k in w.trial_cases.pending(day) if k is not case and k.military == case.military),
        None,
    )
    if nxt is None or len(idx) == 0:
        return idx[:0]
    out = np.unique(idx[in_group(w.people, idx, group_name(nxt))])
    nxt.members.update(out.tolist())
    for i in out.tolist():
        nxt.joined.setdefault(i, "carried")
    return out


def open_case(w: World, e: Engine, day: int, case: TrialCase) -> None:
    """The case opens with the leadership's list: the prominent people of the trial's group
    (``trial_cases.in_group``) in custody and in no other pending case: under investigation,
    or serving a term after an earlier trial of the run and drawn to be brought back
    (``trial_bring_back_share``, as Zinoviev and Kamenev were; the same draw decides whether
    a name brings him back, ``held_back``); by prominence plus a uniform
    random term, at most ``trial_dock_size``. If
    none of the group is in custody, the leadership has the case's leading figure arrested:
    the most prominent of the group at liberty, one man. The list is taken into the case,
    the first is its leading figure (model/trial_cases.py)."""
    c, pop, tc = w.cases, w.people, w.trial_cases
    heads = w.registers.elite_heads.astype(np.int64)
    st = c.status[heads]
    tried = np.isin(heads, np.fromiter(tc.tried, dtype=np.int64, count=len(tc.tried)))
    # an earlier trial's defendant serving a term is brought back with the share the
    # published trials give (trial_bring_back_share; one draw per person and case, on the
    # list's stream)
    back = e.rng.trial_list.random(len(heads)) < e.params["trial_bring_back_share"]
    case.back = heads[back]
    custody = (st == Status.INVESTIGATION) | ((st == Status.CAMP) & tried & back)
    ok = in_group(pop, heads, group_name(case)) & (tc.case_of(heads, day) < 0)
    cand, cap = heads[ok & custody], int(e.params["trial_dock_size"])
    case.opened = True
    if len(cand) == 0:
        cand, cap = heads[ok & AT_LIBERTY[st]], 1
        # never the leader, nor a dead member of the Central Committee (review11 F9)
        cand = cand[e.arrestable(day, cand)]
    if len(cand) == 0:
        return
    score = prominence(pop["elite"][cand], pop["marks"][cand], case.military)
    score = score + e.rng.trial_list.random(len(cand))
    chosen = cand[np.argsort(-score, kind="stable")[:cap]]
    taken = take(w, e, day, case, chosen, "listed")
    case.listed = chosen[np.isin(chosen, taken)].tolist()
    if case.listed:
        case.head = case.listed[0]


def take(
    w: World, e: Engine, day: int, case: TrialCase, idx: np.ndarray, how: str = "named"
) -> np.ndarray:
    """Take ``idx`` into ``case``: arrested if at liberty, brought back (a new investigation)
    if serving a term, kept if under investigation. Those held for another pending case, in
    a channel's queue, sentenced to death or dead are not taken. Returns who was taken."""
    c = w.cases
    idx = np.unique(np.asarray(idx, dtype=np.int64))
    idx = idx[e.is_elite[idx] & of_kind(w.people["elite"][idx], case.military)]
    idx = idx[can_be_taken(c.status[idx]) & (w.trial_cases.case_of(idx, day) < 0)]
    idx = idx[~held_back(w.trial_cases, case, idx, c.status[idx])]
    if len(idx) == 0:
        return idx
    st = c.status[idx]
    free = idx[
        (st != Status.INVESTIGATION) & (st != Status.CAMP) & (st != Status.AWAITING_SENTENCE)
    ]
    arrested = [e.arrest(day, free, "elite", investigate=False)]
    serving = idx[st == Status.CAMP]
    region = w.people["region"][serving]
    for r in np.unique(region).tolist():
        # brought back from the camps or the prisons into a new investigation
        arrested.append(
            e.arrest(day, serving[region == r], "elite", True, False, camps_region=int(r))
        )
    new = np.concatenate(arrested)
    # the investigation the case opened: its length (as an elite case's) and its
    # interrogation's draws on the trial_interrogation stream, so that the trials' rules
    # leave the other cases' draws in place (review12 F9)
    e.reinvestigate(day, new, "trial_interrogation")
    w.trial_cases.by_trial.update(new.tolist())
    out = np.concatenate([idx[st == Status.INVESTIGATION], new])
    c.set(LINKED, out)
    case.members.update(out.tolist())
    for i in out.tolist():
        case.joined.setdefault(i, how)
    case.brought_back.update(np.intersect1d(out, serving).tolist())
    return out


def held_back(tc: TrialCases, case: TrialCase, idx: np.ndarray, status: np.ndarray) -> np.ndarray:
    """Per person of ``idx``: an earlier trial's defendant serving a term whom this case did
    not draw to bring back (``trial_bring_back_share``, drawn once per person when the case
    opened, ``TrialCase.back``): neither the list nor a name brings him back. Until branch
    trials2 (5 Dec 2026) the share held for the list only, and a name brought back every
    such defendant it reached (review finding F10): at 1:1000 seeds 1-3 the Twenty-One's
    case brought back 3, 16 and 11 earlier defendants (3, 3 and 2 with the rule), against
    the record's none. Other prisoners serving a term are brought back by names as before."""
    serving = (status == Status.CAMP) & isin_set(idx, tc.tried)
    if not serving.any():
        return serving
    return serving & ~isin_array(idx, case.back)


def interrogate(w: World, e: Engine, day: int, confessors: np.ndarray) -> None:
    """Step 14's hook (M07): a confessing member of a pending case names accomplices among
    the people of his circle linked to the centre, or for the army's case among the high
    command (``trial_cases.circle_of``; ``naming_mean`` a person, Poisson), and the named
    are taken into his case."""
    tc = w.trial_cases
    if not tc.cases or len(confessors) == 0:
        return
    k = tc.case_of(np.asarray(confessors, dtype=np.int64), day)
    if (k < 0).all():
        return
    rng = e.rng.trial_names
    for person, ki in zip(confessors[k >= 0].tolist(), k[k >= 0].tolist(), strict=True):
        case = tc.cases[ki]
        circle = circle_of(w.people, w.cases, person, case, tc)
        n = int(rng.poisson(w.levers.naming_mean))
        if n and len(circle):
            named = circle[rng.integers(0, len(circle), size=n)]
            take(w, e, day, case, named)
            # the names that reach members (taken now, or before) are the case's chain
            case.names.extend((person, i) for i in named.tolist() if i in case.members)


def keep_listed(
    w: World, e: Engine, day: int, silent: np.ndarray, u_silent: np.ndarray, hold: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Step 14's rule (M07): a silent prisoner whom a pending case keeps for its trial (on
    its list, or a member of the case of the trial's group: ``TrialCases.kept``) is neither
    released nor sent to a channel: his investigation goes on (a further length drawn on the
    ``trial_interrogation`` stream, ``Engine.reinvestigate``), and he is interrogated again
    at its end, as Primakov was from August 1936 until he confessed in May 1937 and named the
    commanders tried with him (G7-tukh-trial). The trial's date ends it (``dock``). Returns
    (the other silent prisoners, their draws)."""
    if not hold or len(silent) == 0 or not w.trial_cases.cases:
        return silent, u_silent
    mine = w.trial_cases.kept(w.people, silent, day)
    if not mine.any():
        return silent, u_silent
    e.reinvestigate(day, silent[mine], "trial_interrogation")
    w.trial_cases.by_trial.update(silent[mine].tolist())
    return silent[~mine], u_silent[~mine]


def for_trial(w: World, day: int, held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step 14's rule (M07): a confessed prisoner linked to the centre whose investigation
    ends while a trial's case of his kind is being prepared joins it (the earliest pending
    case, if two are); only the members of a pending case are held for its trial. Returns
    (held, to their channel). A member of the 1934 CC joins only a case whose group holds
    the CC (the trials of 1934-36 took none, data/trial_groups.csv); until branch army37
    (5 Dec 2026) he could join the Moscow centre's case this way (seed 1 at 1:1,000 once the
    high command left the opposition group's hazard)."""
    if len(held) == 0:
        return held, held
    tc = w.trial_cases
    k = tc.case_of(held, day)
    flags = w.people["elite"][held]
    cc = (flags & int(Elite.CC_1934)) != 0
    for case in tc.pending(day):
        join = (k < 0) & of_kind(flags, case.military)
        if group_name(case) not in CC_GROUPS:
            # a case whose group is outside the 1934 CC takes no CC member linked to the
            # centre by another case, as its chain of names does not (``circle_linked``)
            join &= ~cc
        case.members.update(held[join].tolist())
        for i in held[join].tolist():
            case.joined.setdefault(i, "window")
        k[join] = tc.cases.index(case)
    mine = k >= 0
    return held[mine], held[~mine]
