"""Numba kernels for the few loops that must run in order, case by case.

The kernels that touch many arrays take them as named tuples (``CaseArrays``,
``Layers``, ``Limits`` ..., in ``model/arrays.py``), read by field name, so that two arrays given in
the wrong order cannot compile silently. Each kernel is the fast path of a
rule stated readably beside its component (a NumPy reference function) and
tested against it in tests/test_kernels.py.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from greatterror.model.arrays import (
    ArrestOrder,
    CaseArrays,
    Closing,
    ConfessionRule,
    Layers,
    Limits,
    TroikaQueue,
)
from greatterror.model.case_flags import CONFESSED, LINKED
from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.model.sorting import sorted_copy, stable_argsort
from greatterror.vocabulary import AT_LIBERTY, Status

__all__ = [
    "ArrestOrder",
    "CaseArrays",
    "Closing",
    "ConfessionRule",
    "Layers",
    "Limits",
    "TroikaQueue",
]

# status codes and the liberty table are compile-time constants of the kernels
_CAMP = Status.CAMP
_INVESTIGATION = Status.INVESTIGATION
_AWAITING = Status.AWAITING_SENTENCE
_AT_LIBERTY = AT_LIBERTY


@njit(cache=True, **NO_CFUNC_WRAPPER)
def troika_verdicts(cases, limits, budget, ceiling, fallback, ahead):  # pragma: no cover - compiled
    """Decide troika cases in queue order, within the day's budget.

    Returns (verdict, spent): verdict is 1 (category 1) or 2 (category 2) within the
    region's limits, 3 (category 1) or 4 (category 2) beyond them, -1 (not reached
    today) or -2 (held for the sanction of an increase). With ``ceiling`` a case of the first category's July list (``first``) wishes
    category 1; any other wishes category 1 with the share of category 1 in what is left of
    the region's two limits, and, once both are used up, with ``fallback[region]`` (the
    composition of the region's last request); a case takes its wished category if the
    limit allows, else the other; a case that only partly fits the remaining limit is
    accepted with probability remaining/weight (each case that tries a remainder smaller
    than itself may take it, so a limit is exceeded within the limits by less than one
    case's weight); a case that fits neither is sentenced in its wished category beyond the
    limit if ``ahead[i]`` (the troika does not wait for the centre: the region asks for the
    limit afterwards), and is held for the sanction of an increase if not (verdict -2: not
    counted in the used limits nor in the day's budget; rule R1, model/troika.py). Without
    ``ceiling`` (M16 off) the wish is category 1 with ``fallback[region]`` and is always
    given. Every sentence is counted in the used limit of its category. The rule is
    ``model/troika.py``'s ``troika_reference``.
    """
    region, weight, u_wish, u, listed = (
        cases.region,
        cases.weight,
        cases.u_wish,
        cases.u,
        cases.first,
    )
    used1, used2 = limits.used1, limits.used2
    n = region.shape[0]
    verdict = np.empty(n, dtype=np.int8)
    for i in range(n):  # a loop, not np.full: cheaper to compile (sorting.py)
        verdict[i] = -1
    spent = 0.0
    for i in range(n):
        if spent >= budget:
            break
        r = region[i]
        w = weight[i]
        share = fallback[r]
        if ceiling:
            left1 = max(limits.limit1[r] - used1[r], 0.0)
            left2 = max(limits.limit2[r] - used2[r], 0.0)
            if listed[i]:
                share = 1.0
            elif left1 + left2 > 0.0:
                share = left1 / (left1 + left2)
        first = 1 if u_wish[i] < share else 2
        if ceiling:
            for attempt in range(2):
                cat = first if attempt == 0 else 3 - first
                avail = (limits.limit1[r] - used1[r]) if cat == 1 else (limits.limit2[r] - used2[r])
                if avail >= w or (avail > 0 and u[i] < avail / w):
                    verdict[i] = cat
                    break
            if verdict[i] == -1:
                if not ahead[i]:
                    verdict[i] = -2
                    continue
                verdict[i] = first + 2
        else:
            verdict[i] = first
        if verdict[i] == 1 or verdict[i] == 3:
            used1[r] += w
        else:
            used2[r] += w
        spent += w
    return verdict, spent


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def open_cases(idx, cases, people, order):  # pragma: no cover - compiled
    """The arrest of ``idx``: distinct people (ascending) who can be arrested, cases opened.

    One compiled pass instead of a dozen NumPy calls, because arrests come in
    many small batches every day. Returns (arrested, region, weight, left_camp,
    left_camp_weight): the people whose case was opened, their regions and
    full-population weights (the ledger needs both), and how many of them (and
    what weight) were taken from the camps.
    """
    status, region, is_elite = cases.status, people.region, people.is_elite
    weight_of_layer = people.weight_of_layer
    allow_in_camp, camps_region = order.allow_in_camp, order.camps_region
    s = sorted_copy(idx)
    out = np.empty(s.shape[0], dtype=np.int64)
    k = 0
    left = 0
    left_w = 0.0
    for i in range(s.shape[0]):
        p = s[i]
        if i > 0 and p == s[i - 1]:
            continue
        st = status[p]
        if _AT_LIBERTY[st] or (allow_in_camp and st == _CAMP and region[p] == camps_region):
            if st == _CAMP:
                left += 1
                left_w += weight_of_layer[1 if is_elite[p] else 0]
            out[k] = p
            k += 1
    out = out[:k]
    out_region = np.empty(k, dtype=region.dtype)
    out_weight = np.empty(k, dtype=np.float64)
    for i in range(k):
        p = out[i]
        out_region[i] = region[p]
        out_weight[i] = weight_of_layer[1 if is_elite[p] else 0]
        status[p] = _INVESTIGATION
        cases.op[p] = order.op_code
        cases.arrest_day[p] = order.day
        cases.sentence_day[p] = -1  # the arrays describe the current case
        cases.flags[p] = cases.flags[p] & ~CONFESSED
        if cases.arrests[p] < 255:
            cases.arrests[p] += 1
    return out, out_region, out_weight, left, left_w


@njit(cache=True, **NO_CFUNC_WRAPPER)
def count_values(codes, size):  # pragma: no cover - compiled
    """``np.bincount(codes, minlength=size)`` for a uint8 array without an intp copy of it."""
    out = np.empty(size, dtype=np.int64)
    for v in range(size):  # a loop, not np.zeros: cheaper to compile (sorting.py)
        out[v] = 0
    for i in range(codes.shape[0]):
        out[codes[i]] += 1
    return out


@njit(cache=True, **NO_CFUNC_WRAPPER)
def mark_where(values, bits, out, flag):  # pragma: no cover - compiled
    """``out[i] |= flag`` where ``values[i] & bits``; other entries are left as they are.

    Writing only the (few) matches leaves the other pages of a freshly
    zeroed ``out`` untouched, which at 1:1 spares touching 162 MB.
    """
    for i in range(values.shape[0]):
        if values[i] & bits:
            out[i] = out[i] | flag


@njit(cache=True, **NO_CFUNC_WRAPPER)
def distinct_sorted(a):  # pragma: no cover - compiled
    """``np.unique(a)`` for Python callers; compiled code calls ``distinct_sorted_body``.

    A kernel that cached kernels call is not called from Python too: Numba can give its
    environment, linked into a cached caller, the name of another compilation's, and a
    process that loads the caller first then fails to box the kernel's result ("'descr' is
    NULL", a full test suite of 6 December; docs/design/compiled-core.md, "Known problem";
    tests/test_kernel_callers.py holds the rule)."""
    return distinct_sorted_body(a)


@njit(cache=True, **NO_CFUNC_WRAPPER)
def distinct_sorted_body(a):  # pragma: no cover - compiled
    """``np.unique(a)``: sorted distinct values, by a sort and one pass."""
    s = sorted_copy(a)
    out = np.empty_like(s)
    k = 0
    for i in range(s.shape[0]):
        if i == 0 or s[i] != s[i - 1]:
            out[k] = s[i]
            k += 1
    return out[:k]


@njit(cache=True, **NO_CFUNC_WRAPPER)
def first_distinct(values, n):  # pragma: no cover - compiled
    """``first_distinct_body`` for Python callers (as ``distinct_sorted``)."""
    return first_distinct_body(values, n)


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def first_distinct_body(values, n):  # pragma: no cover - compiled
    """The first ``n`` distinct values in order of first appearance.

    Equals ``values[np.sort(np.unique(values, return_index=True)[1])][:n]``
    in one call: the camp sample is drawn every day, usually a handful.
    """
    order = stable_argsort(values)  # np.argsort(values, kind="mergesort")
    first = np.empty(values.shape[0], dtype=np.int64)
    k = 0
    for j in range(order.shape[0]):
        if j == 0 or values[order[j]] != values[order[j - 1]]:
            first[k] = order[j]
            k += 1
    first = sorted_copy(first[:k])[:n]
    return values[first]


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def close_cases(idx, closing, cases, people):  # pragma: no cover - compiled
    """Move ``idx`` to ``closing.status`` (and, if its day is >= 0, note the sentence day).

    Returns what the ledger needs of each person (operation, region, weight)
    and whether they were in a camp before, in one pass: sentences, releases
    and deaths come in many small batches every day.
    """
    status, sentence_day, op = cases.status, cases.sentence_day, cases.op
    region, is_elite, weight_of_layer = people.region, people.is_elite, people.weight_of_layer
    new_status, day = closing.status, closing.sentence_day
    n = idx.shape[0]
    out_op = np.empty(n, dtype=op.dtype)
    out_region = np.empty(n, dtype=region.dtype)
    out_weight = np.empty(n, dtype=np.float64)
    was_camp = np.empty(n, dtype=np.bool_)
    for i in range(n):
        p = idx[i]
        was_camp[i] = status[p] == _CAMP
        status[p] = new_status
        if day >= 0:
            sentence_day[p] = day
        out_op[i] = op[p]
        out_region[i] = region[p]
        out_weight[i] = weight_of_layer[1 if is_elite[p] else 0]
    return out_op, out_region, out_weight, was_camp


@njit(cache=True, **NO_CFUNC_WRAPPER)
def thin(pick, u, w, w_max, people):  # pragma: no cover - compiled
    """``people[pick[u < w[pick] / w_max]]``: the candidates a rejection step keeps.

    The elite purge draws thousands of candidates a day and keeps a few per
    cent; one pass instead of five array passes over the candidates.
    """
    out = np.empty(pick.shape[0], dtype=people.dtype)
    k = 0
    for i in range(pick.shape[0]):
        j = pick[i]
        if u[i] < w[j] / w_max:
            out[k] = people[j]
            k += 1
    return out[:k]


@njit(cache=True, **NO_CFUNC_WRAPPER)
def confessions(idx, u, party, rule, flags):  # pragma: no cover - compiled
    """Who of ``idx`` confesses (``u[0] < p``), marked ``CONFESSED`` in ``flags``
    (``ConfessionRule``).

    ``p`` is ``min(base + boost * party member, 1)`` with the loyalty boost
    (capitulation), else ``base``: the arithmetic of the NumPy expression.
    Returns (confessors, silent, the silent's ``u[1]``), each in the order of ``idx``.
    """
    n = idx.shape[0]
    confessors = np.empty(n, dtype=np.int64)
    silent = np.empty(n, dtype=np.int64)
    u_silent = np.empty(n, dtype=np.float64)
    base, boost, member = rule.base, rule.boost, rule.member
    a = 0
    b = 0
    for i in range(n):
        p = idx[i]
        prob = base
        if rule.capitulation:
            prob = min(base + boost * (1.0 if party[p] == member else 0.0), 1.0)
        if u[0, i] < prob:
            flags[p] = flags[p] | CONFESSED
            confessors[a] = p
            a += 1
        else:
            silent[b] = p
            u_silent[b] = u[1, i]
            b += 1
    return confessors[:a], silent[:b], u_silent[:b]


@njit(cache=True, **NO_CFUNC_WRAPPER)
def dispositions(
    confessors, silent, u_silent, cases, is_elite, mass_op, release_p, hold
):  # pragma: no cover - compiled
    """After the investigation: who is released, who goes to sentencing, who is held.

    Silent prisoners of ordinary (not mass) operations are released with
    probability ``release_p``; confessors, then the other silent prisoners, are
    sent on to sentencing (awaiting sentence). If ``hold``, confessed elite
    prisoners linked to the 'centre' are held for a show trial instead of
    going to a channel. Returns (released, to_court, held).
    """
    op, status, flags = cases.op, cases.status, cases.flags
    released = np.empty(silent.shape[0], dtype=np.int64)
    court = np.empty(confessors.shape[0] + silent.shape[0], dtype=np.int64)
    r = 0
    k = 0
    for i in range(confessors.shape[0]):
        court[k] = confessors[i]
        k += 1
    for i in range(silent.shape[0]):
        p = silent[i]
        if not mass_op[op[p]] and u_silent[i] < release_p:
            released[r] = p
            r += 1
        else:
            court[k] = p
            k += 1
    to_court = np.empty(k, dtype=np.int64)
    held = np.empty(k, dtype=np.int64)
    c = 0
    h = 0
    for i in range(k):
        p = court[i]
        status[p] = _AWAITING
        if hold and is_elite[p] and flags[p] & CONFESSED and flags[p] & LINKED:
            held[h] = p
            h += 1
        else:
            to_court[c] = p
            c += 1
    return released[:r], to_court[:c], held[:h]


@njit(cache=True, **NO_CFUNC_WRAPPER)
def namers(confessors, k, workplace):  # pragma: no cover - compiled
    """``np.repeat(confessors, k)`` and their workplaces, without those who have none."""
    total = 0
    for i in range(k.shape[0]):
        total += k[i]
    who = np.empty(total, dtype=np.int64)
    wp = np.empty(total, dtype=np.int64)
    n = 0
    for i in range(confessors.shape[0]):
        p = confessors[i]
        if workplace[p] >= 0:
            for _ in range(k[i]):
                who[n] = p
                wp[n] = workplace[p]
                n += 1
    return who[:n], wp[:n]


@njit(cache=True, **NO_CFUNC_WRAPPER)
def named_colleagues(who, wp, u, indptr, members, acted_p, flags):  # pragma: no cover
    """Each namer names a random colleague (``u[i]``); the name is acted on if ``u[m + i]``.

    A colleague is ``members[indptr[w] + int(u * size)]`` (``members`` empty:
    the position itself). Names of oneself are dropped. Being named by
    someone linked to the 'centre' (``flags & LINKED``) links you to it; as in the NumPy
    expression, who is linked is read for all namers before any is set.
    Returns (named, who named them).
    """
    m = who.shape[0]
    named = np.empty(m, dtype=np.int64)
    by = np.empty(m, dtype=np.int64)
    k = 0
    for i in range(m):
        start = indptr[wp[i]]
        pos = start + np.int64(u[i] * (indptr[wp[i] + 1] - start))
        person = np.int64(members[pos]) if members.shape[0] > 0 else pos
        if person != who[i] and u[m + i] < acted_p:
            named[k] = person
            by[k] = who[i]
            k += 1
    spread = np.empty(k, dtype=np.bool_)
    for i in range(k):
        spread[i] = (flags[by[i]] & LINKED) != 0
    for i in range(k):
        if spread[i]:
            flags[named[i]] = flags[named[i]] | LINKED
    return named[:k], by[:k]
