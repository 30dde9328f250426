"""Step 26 (M22): the review of the cases pending when the mass operations were halted.

The directive of 15 November 1938 suspended the troikas' and the album
procedure's work; the resolution of 17 November abolished them, and Beria's
order of 26 November 1938 had the pending cases re-investigated under
procuratorial supervision and sent to the courts or the Special Board, or
dropped (evidence base G3-end, G12-30, G12-32; Jansen and Petrov, *Stalin's
Loyal Executioner*, 2002). The cases therefore left the system over the
following months, not on one day: each pending case is reviewed after a time drawn
from a geometric law (the exponential's analogue in whole days, at least one) with mean
``halt_review_days`` from the halt (``review_days``; rule R6 of
docs/design/halt-backlog.md: a few cases reviewed within weeks, a tail into 1940, as the NKVD's
prisons emptied over 1939, V-prisons-*, a validation series never read by the model), and the
review releases it or sends it on. Until 5 December 2026 the day was uniform within 120 days
of the halt, so the review was over by mid-March 1939.

The halt also found sentences passed and not yet carried out. Order 00762 of
26 November 1938 forbade the NKVD to carry out the special troikas' sentences
passed after 15 November and had their unfinished cases sent to the courts, and
Beria's explanation of 22 December 1938 declared null and void every death
sentence of the extrajudicial bodies not carried out by then (Potapova and
Babiy, "Osobaya troika NKVD Krasnoyarskogo kraya", SibScript 23(4), 2021, doi
10.21603/2078-8975-2021-23-4-911-919, read in its stored abstract only: in
Krasnoyarsk krai the special troika sentenced 1,690 to death in the autumn of
1938 and fewer than 1% were shot, "typical not only for Krasnoyarsk";
V-halt-krsk-natop). So a mass-operation case sentenced to death by a troika, the
album or a special troika and not yet shot at the halt (``unexecuted``) is
reviewed like a case still waiting for its sentence: its sentence is void.

The review takes every political case not yet sentenced at the halt, not only those
queued before a troika (issue 9; docs/design/halt-backlog.md, rules R4-R5). Beria's order of
26 November 1938 had the pending cases re-investigated under the procurator, whatever stage
they had reached, and the directive of 15 November suspended the simplified procedure before
the Military Collegium and the tribunals too (evidence G3-end, G12-32; Memorial, Stalinskie
rasstrel'nye spiski, 2002, introduction, found the names of the autumn 1938 lists sentenced
much later, often not to death: read only as a polemical book quotes it). So a case still under
investigation (in a mass operation, in the NKVD's ordinary work, or a wife's case of Order
00486) is reviewed like a queued one (``suspend_investigations``), and an elite-operation case still under investigation goes on
under the Code of Criminal Procedure: its investigation ends after a length drawn with the
post-halt mean ``post_halt_investigation_days`` from the halt (the rule
``engine.investigation_mean`` applies to the elite cases opened after the halt). A case the
review sends to the courts keeps the charge it had at the halt (``keep_charge``): a national
operation's case was an espionage case (58-6), and the courts judge it on that charge
(model/charges.py), as Order 00606 (17 September 1938, paras 3-4) and the resolution of 17
November sent such cases "by jurisdiction". The void death sentences do not keep it: in the
record those cases were not sentenced to death again (Krasnoyarsk, V-halt-krsk-natop). No
share is new: the review's outcome is drawn by ``halt_release_share`` and ``halt_oso_share``,
the verdicts by the courts' existing shares.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.blocks import nonzero_by_blocks
from greatterror.model.case_flags import SOCIAL_ORDER
from greatterror.model.charges import grave
from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.sorting import assert_ascending
from greatterror.model.state import Cases
from greatterror.model.world import World
from greatterror.vocabulary import CH, EV, MASS_OP, NON_POLITICAL, OP, Status

#: The calendar kind of a pending case's review after the halt.
HALT_REVIEW = "halt_review"
#: The calendar kind of the end of an elite case's investigation suspended at the halt.
HALT_REINVESTIGATION = "halt_reinvestigation"
#: The channels whose queues the halt clears (the extrajudicial bodies it abolished).
EXTRAJUDICIAL = ("troika", "album", "special_troika")

#: No halt yet: every sentence so far is before it; no Yezhov: every sentence is after him.
_NEVER, _ALWAYS = np.iinfo(np.int64).max, np.iinfo(np.int64).min


def under_review(w: World, idx: NDArray[np.integer]) -> NDArray[np.bool_]:
    """Whose sentence the reviews after the halt could reach (``HaltAndRelease``, step 25):
    sentences passed from Yezhov's appointment (G12-07, 26 September 1936) to the halt.

    Why: the resolution of 17 November 1938 (G12-30) condemned the NKVD's conduct of the
    mass operations and Beria's order of 26 November (G12-32) had its cases re-examined;
    the complaints heard in 1939-40 were against the sentences of Yezhov's NKVD, not those of
    the courts and the Special Board of 1935-36, nor those passed under procuratorial
    supervision after the halt. This is a prior on who was reviewed, not a sourced count:
    the evidence base has no figure of the releases by review (Zemskov 1991, V-gulag-rel-1939,
    says the yearly releases do not tell them apart). A scenario without Yezhov reviews every
    sentence passed before the halt.
    """
    first = w.policy.first_day
    start = first.get(("chief_change", "yezhov"), _ALWAYS)
    end = first.get(("halt", None), _NEVER)
    day = w.cases.sentence_day[np.asarray(idx, dtype=np.int64)].astype(np.int64)
    return (day >= start) & (day < end)


def sentenced_to_death_in_mass_operations(c: Cases) -> NDArray[np.int64]:
    """``np.flatnonzero((c.status == Status.SENTENCED_DEATH) & MASS_OP[c.op])``, ascending.

    The sentenced to death are found first and their operations looked up then:
    ``MASS_OP[c.op]`` over everyone copies every person's operation code to an intp index
    (8 bytes a person, 1.3 GB at 1:1); they are found by blocks of people (model/blocks.py),
    as a mask of the population's size would be 0.16 GB at 1:1, made when the run's arrays
    are all resident."""
    status = c.status
    idx = nonzero_by_blocks(lambda s: status[s] == Status.SENTENCED_DEATH, len(status))
    return idx[MASS_OP[c.op[idx]]]


def unexecuted(w: World, e: Engine, day: int, extrajudicial: bool) -> NDArray[np.int64]:
    """The mass-operation cases sentenced to death and not yet shot (module docstring), their
    sentence now void: put back to awaiting sentence for the review, and so among those held
    before sentence again (``pretrial_w``, which their sentence had left). With legal
    acceleration off (M17) the courts, not the extrajudicial bodies, sentenced them, and none
    is void."""
    if not extrajudicial:
        return np.empty(0, dtype=np.int64)
    c = w.cases
    idx = sentenced_to_death_in_mass_operations(c)
    # the execution due later finds no one to shoot; the sentence day stays set, so that a new
    # sentence is known as its replacement and not counted as a second conviction
    # (``Transitions._void_again``)
    c.status[idx] = Status.AWAITING_SENTENCE
    e.voided = e.voided or len(idx) > 0
    w.camps.pretrial_w += float(e.weights(idx).sum())
    leave_operation(w, e, day, idx)
    return idx


def leave_operation(w: World, e: Engine, day: int, idx: NDArray[np.int64]) -> None:
    """The cases pending at the halt, queued or void, now follow the resolution's procedure
    (the courts, the Special Board): a sentence passed on them is not the operation's. Its
    totals keep their arrests and a void sentence, as the NKVD's own counts did (Krasnoyarsk's
    1,690 are among its special troika's sentences, V-halt-krsk-natop); a queued case's first
    sentence counts as an ordinary case's, a void case's new one not at all (its conviction
    was counted when the void sentence was passed: ``Transitions._void_again``). One rule for
    both kinds of reviewed case (review of 4 Dec 2026). The case keeps the line it was arrested
    on: the summary's ``lines`` count an arrest under the line it was made on, and a name given
    in the case no longer takes a line (``steps_investigation._arrest_named``).

    The same holds for a case a special troika passed no sentence on (model/no_sentence.py).
    Those of ``idx`` not sentenced under the operation (no sentence day: a void sentence was
    counted) are counted as the event ``left_operation`` under the operation they leave, on
    ``day``, so that the outputs say where an arrest that ended in no conviction under its
    operation went (arrested = convicted + left_operation for a mass operation)."""
    c = w.cases
    fresh = idx[c.sentence_day[idx] < 0]
    if len(fresh):
        region = w.people["region"][fresh]
        e.ledger.add(day, region, c.op[fresh], EV["left_operation"], e.weights(fresh))
    c.op[idx] = OP["ordinary"]


def review_pending(w: World, e: Engine, day: int, extrajudicial: bool) -> None:
    """The halt (called by ``steps_policy._halt``): every case pending before the troikas, the
    album or the special troikas, every void death sentence (``unexecuted``), every political
    case still under investigation but the elite's (``suspend_investigations``) and every case
    held for the sanction of a limit increase (``review_held``) is put up for review after a time
    drawn with mean ``halt_review_days`` (``review_days``); the elite cases under
    investigation go on under the Code of Criminal Procedure (module docstring).

    The queued and the void cases' review days are drawn from the ``release`` stream; the cases
    under investigation draw from ``halt_review``, and then the cases held for the sanction of a
    limit increase (``review_held``, rule R1)."""
    rng = e.rng.release
    days = float(e.params["halt_review_days"])
    for name in EXTRAJUDICIAL:
        pending = w.institutions.queues[CH[name]].clear()
        pending = pending[w.cases.status[pending] == Status.AWAITING_SENTENCE]
        if len(pending):
            keep_charge(w, pending)
            leave_operation(w, e, day, pending)
            e.schedule_after(day, HALT_REVIEW, pending, review_days(rng, days, len(pending)))
    void = unexecuted(w, e, day, extrajudicial)
    if len(void):
        e.schedule_after(day, HALT_REVIEW, void, review_days(rng, days, len(void)))
    suspend_investigations(w, e, day, days)
    review_held(w, e, day, days)


def review_days(rng: np.random.Generator, mean: float, n: int) -> NDArray[np.int64]:
    """Days from the halt to each of ``n`` reviews: geometric with mean ``mean``
    (``halt_review_days``), at least one day (rule R6)."""
    return rng.geometric(1.0 / max(mean, 1.0), n).astype(np.int64)


def review_held(w: World, e: Engine, day: int, days: float) -> None:
    """The Order 00447 cases held for the sanction of an increase at the halt (rule R1,
    model/troika.py) are reviewed like the troikas' queued cases (rule R4): the troikas that
    would have sentenced them are abolished. Their review days are drawn on the
    ``halt_review`` stream, after those of the cases under investigation."""
    inst = w.institutions
    held = inst.held_for_sanction.clear()
    inst.held_limit[:] = np.nan
    held = held[w.cases.status[held] == Status.AWAITING_SENTENCE].astype(np.int64)
    if len(held) == 0:
        return
    inst.held_at_halt += float(e.weights(held).sum())
    keep_charge(w, held)
    leave_operation(w, e, day, held)
    e.schedule_after(day, HALT_REVIEW, held, review_days(e.rng.halt_review, days, len(held)))


def suspend_investigations(w: World, e: Engine, day: int, days: float) -> None:
    """The political cases under investigation at the halt (rule R4 of
    docs/design/halt-backlog.md).

    A case of the elite operation awaits the end of an investigation under the Code of Criminal
    Procedure, drawn with the mean ``post_halt_investigation_days`` from the halt
    (``HALT_REINVESTIGATION``; ``HaltReview.resume`` puts it back under investigation then).
    Every other political case (a mass operation's, the NKVD's ordinary work's, Order 00486's
    wives') is put up for review like a queued case: it now awaits the review's decision, not
    the end of its investigation, whose day on the calendar then finds it no longer under
    investigation (``Investigation`` reads only those still under investigation); a mass
    operation's case leaves its operation, keeping its charge. The non-political cases (the
    courts' and the militia's) are not the NKVD's political cases and go on as they were.
    Both kinds are held as before, among those held before sentence (``pretrial_w`` counts
    both statuses), so the prisons' counts do not change on the day."""
    c = w.cases
    # by blocks of people (model/blocks.py): a mask over everyone was the peak of a 1:1 run
    # (0.16 GB over the run's state on the halt's day)
    status = c.status
    under = nonzero_by_blocks(lambda s: status[s] == Status.INVESTIGATION, len(status))
    if len(under) == 0:
        return
    ops = c.op[under]
    political = (ops != NON_POLITICAL) & ~c.has(SOCIAL_ORDER, under)
    elite = under[political & (ops == OP["elite"])]
    reviewed = under[political & (ops != OP["elite"])]
    rng = e.rng.halt_review
    if len(reviewed):
        c.status[reviewed] = Status.AWAITING_SENTENCE
        keep_charge(w, reviewed)
        leave_operation(w, e, day, reviewed[MASS_OP[c.op[reviewed]]])
        e.schedule_after(day, HALT_REVIEW, reviewed, review_days(rng, days, len(reviewed)))
    if len(elite):
        c.status[elite] = Status.AWAITING_SENTENCE
        mean = max(float(e.params["post_halt_investigation_days"]), 1.0)
        e.schedule_after(day, HALT_REINVESTIGATION, elite, rng.geometric(1.0 / mean, len(elite)))


def keep_charge(w: World, idx: NDArray[np.int64]) -> None:
    """Record which of ``idx`` (cases pending at the halt, before they leave their operation)
    were charged with a grave crime (model/charges.py, ``grave``), so that the courts judge
    them on that charge after the review (``charges.kept_at_halt``)."""
    heavy = np.asarray(idx, dtype=np.int64)[grave(w, idx)]
    if len(heavy) == 0:
        return
    inst = w.institutions
    inst.grave_at_halt = np.union1d(inst.grave_at_halt, heavy).astype(np.int64)
    assert_ascending(inst.grave_at_halt, "the grave charges kept at the halt")


class HaltReview(Component):
    """Step 26 (after the halt of M22): a case pending at the halt, reviewed today, is released (with
    probability ``halt_release_share``) or sent to the Special Board (``halt_oso_share`` of
    the rest) or to the ordinary courts; an elite case whose investigation the halt suspended
    goes back under investigation when its new length is over (``resume``)."""

    name = "halt_review"
    params = ("halt_oso_share", "halt_release_share")
    reads = ("cases", "policy")
    writes = ("cases", "camps", "institutions")

    def step(self, w: World, e: Engine, day: int) -> None:
        if not w.policy.halted:
            # nothing is due before the halt: its reviews and resumed investigations are
            # scheduled only by ``review_pending``, which the halt calls once it has set
            # ``halted`` (model/steps_policy.py, ``_halt``); about 10 calls a day saved
            return
        self.resume(w, e, day)
        due = e.due(day, HALT_REVIEW)
        if len(due) == 0:
            return
        due = due[w.cases.status[due] == Status.AWAITING_SENTENCE]
        if len(due) == 0:
            return
        rng = e.rng.release
        u = rng.random((2, len(due)))
        freed = u[0] < e.params["halt_release_share"]
        e.release(day, due[freed])
        rest, u_rest = due[~freed], u[1][~freed]
        oso = u_rest < e.params["halt_oso_share"]
        queues = w.institutions.queues
        queues[CH["oso"]].push(rest[oso])
        queues[CH["courts"]].push(rest[~oso])

    @staticmethod
    def resume(w: World, e: Engine, day: int) -> None:
        """The elite cases whose investigation under the Code of Criminal Procedure ends today
        (``suspend_investigations``) go back under investigation, and their interrogation is
        tomorrow's (step 14, ``Investigation``, comes before this step): the confession, the
        names given and the channel follow the rules of any elite case then. Those who died in
        custody meanwhile are no longer awaiting it."""
        due = e.due(day, HALT_REINVESTIGATION)
        if len(due) == 0:
            return
        c = w.cases
        due = due[(c.status[due] == Status.AWAITING_SENTENCE) & (c.sentence_day[due] < 0)]
        c.status[due] = Status.INVESTIGATION
        e.schedule(day + 1, "investigation_end", due)
