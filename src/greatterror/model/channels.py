"""Which sentencing channel takes a case, and how far a channel's budget reaches.

Both run every day on small batches, where a dozen NumPy calls cost more
than the work; each is one compiled pass here. The rules themselves are
those of docs/ODD.md (M16, M17) and are written once, in ``channel_table``
and ``tribunal_channel``.

The army's courts were two: the Military Collegium of the Supreme Court tried the high
command (and the party-state and NKVD elite, on the Politburo's lists), the tribunals of
the military districts and fleets tried the officers below it ("Military tribunals tried
only cases of low-ranking servicemen, while high-ranking military officers were tried by
the ... Military Collegium": Birstein, SMERSH: Stalin's Secret Weapon, 2011, ch. 3; the
Collegium also reviewed the tribunals' death sentences, ch. 4). The line between them was
not sharp: Suvenirov (Tragediya RKKA 1937-1938, 1998) describes the Collegium trying the
military "from colonels to marshal", and its assizes also tried captains and political
instructors of a division whose commander it tried (the 22nd cavalry division's case of 5
October 1938). The model draws it at the high command (the ``ARMY_HIGH_COMMAND`` flag, 850
posts), as its flags do not separate the colonels: no count of the officers' cases by court
was found (data/parameters.csv, ``military_tribunal_death_share``).

The list procedure. From the Politburo's first execution list (4 October 1936, G12-08; the
centre's decision ``execution_lists``) every case of the elite operation goes to the Military
Collegium (and its assizes): the elite layer's and the first secretaries' circles' (the patron
cascade's clients, the managers and officials taken with a fallen secretary, the layer ``CIRCLE``
here). The lists named the nomenklatura and their circles, not whoever a client named at his
workplace: such a name (of the mass layer, outside a circle) is taken in the NKVD's ordinary work
(model/steps_investigation.py, ``_arrest_named``), and the table sends no elite-operation case of
that layer (``MASS``) to the Collegium. Nor was a whole circle listed: while the lists are open
the elite operation takes a client only if the NKVD puts him on them (``circle_list_share``,
model/list_selection.py), the others in its ordinary work. Until 5 Dec 2026 (branch listsel) the
names outside the circles went to the Collegium too, and those names
were some 15,000 of the 88,000 death and camp sentences of the Collegium and the tribunals of
1 Oct 1936 - 30 Sep 1938 (1:100, seed 1).
The managers, officials and engineers taken with a fallen secretary or commissar were the bulk
of the names on the lists, which the Collegium then sentenced (about 44,000 names on some
400 lists for 1937-39, G7-stalin-lists, Pospelov commission 1956; the Collegium "tried some
40,000 'enemies of the people' behind closed doors, sentencing most of them to death", Jansen
& Petrov, 'Mass terror and the court: the Military Collegium of the USSR', Europe-Asia
Studies 58(4), 2006, abstract; Khlevniuk, Master of the House, 2009, ch. 5, and Getty &
Naumov, The Road to Terror, 1999, ch. 10, describe the lists as the procedure for the
nomenklatura and the economic cadres). Before the lists only the elite layer's cases went to
the Collegium; the clients went to the ordinary courts (or the Special Board, if marked).
Until 5 Dec 2026 (branch listtrack) the clients went to the courts throughout, so the
Collegium decided about 6,000 cases in 1 Oct 1936 - 30 Sep 1938 against the record's some
40,000 (review 10 of 5 Dec 2026, F1). The list approval itself is not modelled as a step: a case
on the lists is one the Collegium decides, at its own death share (model/collegium.py). After the halt of 17 November
1938 the clients' cases go to the ordinary courts again (the elite layer's stay with the
Collegium): the scale of the lists after 1938 is NOT FOUND here (the Pospelov commission's count
covers 1937-39 together), and sending the clients of 1939-40 to the Collegium at its death share
of 1937-38 put the death sentences of 1939 at 1.69 of the record (1.12 before; 1:100, validation
seeds 1-10): an assumption, stated as such.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numba import njit
from numpy.typing import NDArray

from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.population.codes import Elite
from greatterror.vocabulary import ARMY_FLAGS, CH, NATIONAL_OP, OP, OPERATIONS

#: an officer of the army layer below the high command (tried by a district's tribunal)
_OFFICER_ONLY = int(Elite.ARMY_OFFICER)


#: a person's layer for the channel table: the mass population, the regional first secretary's
#: circle (a patron's client, ``people["patron"] >= 0``), the elite layer
MASS, CIRCLE, ELITE = 0, 1, 2


@cache
def channel_table(
    accelerated: bool, special_troikas: bool, album_open: bool, lists: bool
) -> NDArray[np.intp]:
    """The channel of a case by ``6 * operation + 3 * marked + layer`` (``MASS``, ``CIRCLE``,
    ``ELITE``).

    ``accelerated``: the extrajudicial channels are open (legal acceleration
    is on and the operations are not halted); ``lists``: the Politburo's execution lists
    have begun (an elite-operation case of the first secretary's circle goes to the Collegium
    too, not only the elite layer's; the others named in the elite operation do not). Later
    rules override earlier ones.
    """
    table = np.empty(6 * len(OPERATIONS), dtype=np.intp)
    for op in range(len(OPERATIONS)):
        for marked in (0, 1):
            for layer in (MASS, CIRCLE, ELITE):
                channel = CH["oso"] if marked else CH["courts"]
                if accelerated:
                    if op == OP["kulak_00447"]:
                        channel = CH["troika"]
                    if NATIONAL_OP[op] and special_troikas:
                        channel = CH["special_troika"]
                    elif NATIONAL_OP[op] and album_open:
                        channel = CH["album"]
                if op == OP["family"]:
                    channel = CH["oso"]
                if op == OP["elite"] and (layer == ELITE or (lists and layer == CIRCLE)):
                    channel = CH["military_collegium"]
                table[6 * op + 3 * marked + layer] = channel
    table.flags.writeable = False
    return table


def tribunal_channel(channels: NDArray[np.intp], flags: NDArray) -> NDArray[np.intp]:
    """Send the Military Collegium's cases of officers below the high command to the
    tribunals of the military districts (``military_tribunal``); ``flags`` are the elite
    flags of the same people. The high command, and every elite case outside the army,
    stay with the Collegium."""
    rank_and_file = (np.asarray(flags).astype(np.int64) & ARMY_FLAGS) == _OFFICER_ONLY
    out = np.asarray(channels, dtype=np.intp).copy()
    out[(out == CH["military_collegium"]) & rank_and_file] = CH["military_tribunal"]
    return out


@njit(cache=True, **NO_CFUNC_WRAPPER)
def channels_of(idx, op, marks, is_elite, patron, table):  # pragma: no cover - compiled
    """``table[6 * op + 3 * marked + layer]`` for each person of ``idx``; the layer is
    ``ELITE`` for the elite layer, ``CIRCLE`` for a patron's client (``patron >= 0``),
    ``MASS`` otherwise."""
    out = np.empty(idx.shape[0], dtype=np.intp)
    for i in range(idx.shape[0]):
        p = idx[i]
        layer = ELITE if is_elite[p] else (CIRCLE if patron[p] >= 0 else MASS)
        out[i] = table[6 * op[p] + (3 if marks[p] != 0 else 0) + layer]
    return out


@njit(cache=True, **NO_CFUNC_WRAPPER)
def affordable(queue, is_elite, w_mass, w_elite, budget):  # pragma: no cover - compiled
    """How many cases at the head of ``queue`` the ``budget`` pays for, and their weight.

    The same as ``n = np.searchsorted(np.cumsum(w), budget, side="right")``
    and ``cum[n - 1]`` (weights are positive, so the sums only grow); an
    infinite budget takes the whole queue. Stops at the first case that no
    longer fits, so only the head of a long backlog is read.
    """
    spent = 0.0
    n = 0
    for i in range(queue.shape[0]):
        total = spent + (w_elite if is_elite[queue[i]] else w_mass)
        if total > budget:
            break
        spent = total
        n += 1
    return n, spent


@njit(cache=True, **NO_CFUNC_WRAPPER)
def split_verdicts(batch, u, v, death_p, exile_p, other_p):  # pragma: no cover - compiled
    """(death, exile, other, camp): death if ``u < death_p``, else exile if ``v < exile_p``,
    else "other measures" if ``v`` is below ``exile_p`` (at least 0) plus ``other_p``, else
    camp (model/collegium.py).

    A channel that cannot pass one of the sentences is given a probability
    of -1 for it (``u`` and ``v`` are never below it). Each group keeps the
    order of ``batch``. "Other measures" take no draw of their own: with ``other_p`` -1 the
    split is the three-way one it was before they were added, draw for draw.
    """
    n = batch.shape[0]
    death = np.empty(n, dtype=batch.dtype)
    exile = np.empty(n, dtype=batch.dtype)
    other = np.empty(n, dtype=batch.dtype)
    camp = np.empty(n, dtype=batch.dtype)
    other_cut = max(exile_p, 0.0) + other_p if other_p >= 0.0 else -1.0
    d = 0
    e = 0
    o = 0
    c = 0
    for i in range(n):
        if u[i] < death_p:
            death[d] = batch[i]
            d += 1
        elif v[i] < exile_p:
            exile[e] = batch[i]
            e += 1
        elif v[i] < other_cut:
            other[o] = batch[i]
            o += 1
        else:
            camp[c] = batch[i]
            c += 1
    return death[:d], exile[:e], other[:o], camp[:c]
