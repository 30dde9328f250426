"""The charge a court judges: a grave charge (treason, espionage, terror) or an ordinary one.

Why: the courts' death sentences followed the article of the Criminal Code the case was charged
under, not the court. The Military Collegium heard, from 1934, the cases of "treason against the
Motherland, espionage, terror, explosions, arson and other kinds of diversion" (art. 58-1, 58-6,
58-8, 58-9), and in 80 to 90 per cent of them the defendants were sentenced to death (Birstein,
SMERSH: Stalin's Secret Weapon, 2011, ch. 4). The ordinary political flow of 1935-36 was of
another kind: in 1935 58.1% of the defendants of the special collegia of the RSFSR's courts
(14,376 of 24,737) were tried for counter-revolutionary agitation, art. 58-10, 65.6% in the
second half-year (Kronberg, chairman of the Special Collegium of the RSFSR Supreme Court, report
of 11 March 1936), and Vyshinsky wrote to Stalin and Molotov on 16 April 1936 that the
overwhelming majority of the counter-revolutionary cases of 1935 and early 1936 were cases of
agitation (both read only in a web copy of the documents, not a scholarly edition: their
publication and archival references were NOT VERIFIED, and neither figure is in the evidence
base; docs/validation-log.md, "Death sentences by charge"). Agitation carried a
term: art. 58-10 allowed the supreme measure only "in wartime or under mass disturbances".

The rule (``grave``): a case is charged with a grave crime if

- the accused is of the elite layer (an officer, an official, an NKVD officer): the cases of
  the "military conspiracy", the "Trotskyist centres" and the NKVD's "plots" were charged as
  treason and terror (58-1b, 58-8, 58-11; Suvenirov, Tragediya RKKA 1937-1938, 1998);
- the accused carries a former oppositionist's register mark: terrorism, under the law of 1
  December 1934 (G12-01), was the charge of the Zinovievists' and Trotskyists' cases after
  Kirov's murder;
- the case is one of a national operation: espionage (58-6), the national operations' charge
  (the courts judge such cases only with M17 off). The register of the diaspora does not by
  itself make the charge, nor does the line a case was arrested on: a case pending at the halt
  of 17 November 1938 leaves its operation (model/steps_halt.py; it keeps its line, which the
  summary counts its arrest under), and in the record such cases were not sentenced to death
  again (in Krasnoyarsk krai 25 of the 1,736 sentenced to death by the special troika in the
  national operations were shot; the others were sent to camps or released in 1939-40:
  Potapova 2020, V-halt-krsk-natop).

The patron cascade's clients (the elite operation's cases outside the elite layer: managers and
officials of the mass population) are charged by the phase. On the Politburo's lists, from 4
October 1936 to the halt, they were tried as members of a "counter-revolutionary
Right-Trotskyist organisation", for wrecking, terror and treason (58-7, 58-8, 58-11, 58-1a: the
articles of the Military Collegium's list cases; Jansen & Petrov, 'Mass terror and the court',
Europe-Asia Studies 58(4), 2006; Getty & Naumov, The Road to Terror, 1999, ch. 10; Khlevniuk,
Master of the House, 2009, ch. 5): in the model those put on the lists then go to the Collegium
(model/channels.py), whose death share is its own, so no charge is drawn for them; those the NKVD
took in its ordinary work instead (model/list_selection.py) are charged as any ordinary case:
an assumption, stated as such (review15 F2). The Perm study behind ``circle_list_share`` has
the others sentenced by the Special Board and the regions' courts, where such cases were
commonly wrecking cases (58-7) that could carry death; the model's ordinary charge gives them
the ordinary death share, so it may take several thousand death sentences of 1937-38 out of the
run and put more of them among the courts' other measures (``G1-1938-other``). Before the
lists and after the halt their cases reach the ordinary courts on an ordinary charge, as before.
Charging them with a grave crime there too was tried (branch listtrack, 1:100, validation seeds
1-10): the death sentences of 1935 rose from 0.76 to 1.62 of the record and of 1936 from 1.31 to
2.39, against the record of the Kirov cascade, whose people were exiled or sent to camps (G12-02,
G5-lenin-1934), so the rule is kept to the lists, where the sources put it.

Every other political case is charged with an ordinary counter-revolutionary crime (agitation,
58-10, and the like). Which cases the courts get of each kind is the model's own: the cases of
the national lines and of the elite reach them after the halt of 17 November 1938, when the
troikas were abolished and the pending cases went to the courts (model/steps_halt.py).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.collegium import NEVER, verdict_shares
from greatterror.model.sorting import in_sorted
from greatterror.model.world import World
from greatterror.population.codes import Mark
from greatterror.vocabulary import NATIONAL_OP, OP

#: register marks whose bearer's case is charged with terror (the former oppositionists)
GRAVE_MARKS = int(Mark.OPPOSITIONIST)


def grave(w: World, idx: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Whether each case of ``idx`` is charged with treason, espionage or terror (the module's
    rule); the others are charged with an ordinary counter-revolutionary crime. A case pending
    at the halt keeps the charge it had then (``kept_at_halt``)."""
    pop = w.people
    out = (
        (pop["elite"][idx] != 0)
        | ((pop["marks"][idx].astype(np.int64) & GRAVE_MARKS) != 0)
        | NATIONAL_OP[w.cases.op[idx]]
    )
    if len(w.institutions.grave_at_halt):
        out |= kept_at_halt(w, idx)
    return out


def kept_at_halt(w: World, idx: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Which of ``idx`` are cases pending at the halt that were charged with a grave crime then
    (``steps_halt.keep_charge``), and are still the same case (opened before the halt: a
    person released by the review and arrested again has a new case, charged anew).

    Why: the halt takes a national operation's case out of its operation
    (``steps_halt.leave_operation``), but not out of its charge: Order 00606 (17 September
    1938, paras 3-4) and the resolution of 17 November 1938 sent such cases to the courts "by
    jurisdiction", that is by the article charged (espionage, 58-6)."""
    idx = np.asarray(idx, dtype=np.int64)
    halt = w.policy.first_day.get(("halt", None))
    if halt is None:
        return np.zeros(len(idx), dtype=bool)
    kept = in_sorted(idx, w.institutions.grave_at_halt)
    return kept & (w.cases.arrest_day[idx].astype(np.int64) < halt)


def charge_of(w: World, idx: NDArray[np.int64]) -> list[str]:
    """The charge class of each case of ``idx``, by name (for diagnostics)."""
    return ["grave" if g else "ordinary" for g in grave(w, idx).tolist()]


def by_charge(
    w: World, batch: NDArray[np.int64], channel: str, params: dict[str, float], kirov_law: bool
) -> list[tuple[NDArray[np.int64], tuple[float, float, float]]]:
    """``batch`` in parts, each with its verdict shares (``collegium.verdict_shares``): the
    ordinary courts' cases split by charge (ordinary first, then grave), every other channel's
    in one part (their shares follow the body and the phase of policy), and last, whatever the
    channel, Order 00486's wives, with camp terms only.

    Why the wives apart: the order (order00486, 15 Aug 1937; G4-wives-order) sent them to camps
    for not less than five to eight years, whichever body passed the sentence: the Special
    Board, or the courts, which their cases reach through the halt's review (R4-R5; without
    this the courts' shares sentenced a few of the elite's wives to death in 1938-40)."""
    shares = verdict_shares(channel, w.policy, w.institutions, params, kirov_law)
    wives = w.cases.op[batch] == OP["family"]
    rest = batch[~wives]
    if channel == "courts":
        heavy = grave(w, rest)
        graver = verdict_shares(channel, w.policy, w.institutions, params, kirov_law, grave=True)
        parts = [(rest[~heavy], shares), (rest[heavy], graver)]
    else:
        parts = [(rest, shares)]
    if wives.any():
        parts.append((batch[wives], (NEVER, NEVER, NEVER)))
    return parts
