"""Numba kernels for the population build: the passes NumPy makes slowly at 1:1.

Each kernel computes exactly what the NumPy expressions it replaces computed
(the same values in the same order) from the same random draws, so the
population stays bit-for-bit the same for a seed; only the work is cheaper:
one pass per person instead of a dozen temporary arrays, a counting sort
instead of a comparison sort, a linear scan of a short table instead of a
binary search. Members of a household are a contiguous run of ``sizes[h]``
people, so per-household values are passed to members in the same loop.

The codes of ages, occupations, party status and marks are passed in as a
``codes`` array (see ``CODES``), not read as globals: Numba's cache would keep
a compiled constant even after ``codes.py`` changed.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from greatterror.population.codes import AgeBand, Cohort, Mark, Occupation, Party

#: Code values the kernels need, by position (``codes[K_...]``).
CODES = np.array(
    [
        AgeBand.A16_29,
        AgeBand.A30_44,
        AgeBand.A45_59,
        Occupation.WORKER,
        Occupation.EMPLOYEE_SPECIALIST,
        Occupation.MANAGER_OFFICIAL,
        Occupation.CLERGY,
        Occupation.OTHER,
        Party.MEMBER,
        Party.CANDIDATE,
        Party.EXPELLED,
        Cohort.Y1921_1929,
        Cohort.Y1930S,
        Mark.FORMER_KULAK,
        Mark.WHITE_OFFICER,
        Mark.OTHER_PARTY,
        Mark.OPPOSITIONIST,
        Mark.CLERGY_SECTARIAN,
        Mark.PRIOR_CONVICTION,
        Mark.DIASPORA,
        Mark.FOREIGN_COMMUNIST,
    ],
    dtype=np.int64,
)
(
    A16,
    A30,
    A45,
    WORKER,
    EMPLOYEE,
    MANAGER,
    CLERGY,
    OTHER,
    MEMBER,
    CANDIDATE,
    EXPELLED,
    C1921,
    C1930,
    KULAK,
    OFFICER,
    OTHER_PARTY,
    OPPOSITIONIST,
    SECTARIAN,
    PRIOR,
    DIASPORA,
    FOREIGN,
) = range(len(CODES))


@njit(cache=True)
def searchsorted_right(cum, x):  # pragma: no cover - compiled
    """``np.searchsorted(cum, x, side="right")`` for a short non-decreasing ``cum``."""
    m = cum.shape[0]
    out = np.empty(x.shape[0], dtype=np.intp)
    for i in range(x.shape[0]):
        v = x[i]
        j = 0
        while j < m and cum[j] <= v:
            j += 1
        out[i] = j
    return out


@njit(cache=True)
def members_by_label(labels, n_groups):  # pragma: no cover - compiled
    """Positions with a label >= 0, grouped by label (ascending within a group), and counts.

    The result equals ``inside[np.argsort(labels[inside], kind="stable")]``
    with ``inside = np.flatnonzero(labels >= 0)``, by a counting sort: the
    labels come from a random permutation, so a comparison sort of them took
    n log n time.
    """
    counts = np.zeros(n_groups, dtype=np.int64)
    for i in range(labels.shape[0]):
        if labels[i] >= 0:
            counts[labels[i]] += 1
    pos = np.empty(n_groups, dtype=np.int64)
    total = 0
    for g in range(n_groups):
        pos[g] = total
        total += counts[g]
    out = np.empty(total, dtype=np.int64)
    for i in range(labels.shape[0]):
        g = labels[i]
        if g >= 0:
            out[pos[g]] = i
            pos[g] += 1
    return out, counts


@njit(cache=True)
def occupation_and_party(
    codes,
    sizes,
    group_h,
    urban_h,
    age,
    adult,
    u_manager,
    u_clergy,
    u_party,
    p_manager,
    p_clergy,
    party_scale,
    thresholds,
    urban,
    occupation,
    party,
):  # pragma: no cover - compiled
    """Household group and residence passed to members; managers, clergy, party status.

    Writes ``urban``, ``occupation`` and ``party`` and returns the number in
    the party. The rules are applied in the order of the NumPy version (a
    later rule overrides an earlier one).
    """
    i = 0
    in_party = 0
    for h in range(sizes.shape[0]):
        for _ in range(sizes[h]):
            a = age[i]
            occ = group_h[h]
            urban[i] = urban_h[h]
            mid_age = a == codes[A30] or a == codes[A45]
            if adult[a] and occ != codes[OTHER] and mid_age and u_manager[i] < p_manager:
                occ = codes[MANAGER]
            if a >= codes[A30] and u_clergy[i] < p_clergy:
                occ = codes[CLERGY]
            occupation[i] = occ
            p_any = party_scale[occ] * (1.0 if adult[a] else 0.0)
            u = u_party[i] / max(p_any, 1e-300)
            status = 0
            if u < thresholds[2]:
                status = codes[EXPELLED]
            if u < thresholds[1]:
                status = codes[CANDIDATE]
            if u < thresholds[0]:
                status = codes[MEMBER]
            if p_any == 0:
                status = 0
            party[i] = status
            if status != 0:
                in_party += 1
            i += 1
    return in_party


@njit(cache=True)
def cohorts(codes, party, age, drawn, cohort):  # pragma: no cover - compiled
    """Party cohort: drawn for party people in order; candidates joined in the 1930s."""
    k = 0
    for i in range(party.shape[0]):
        if party[i] == 0:
            continue
        c = drawn[k]
        k += 1
        if party[i] == codes[CANDIDATE]:
            c = codes[C1930]
        if age[i] == codes[A16] and c < codes[C1921]:
            c = codes[C1921]  # the young cannot have joined before the 1920s
        cohort[i] = c


@njit(cache=True)
def register_marks(
    codes,
    sizes,
    kulak_h,
    age,
    male,
    adult,
    party,
    occupation,
    u_officer,
    u_other,
    u_opposition,
    u_prior,
    p_officer,
    p_other,
    p_opposition,
    p_prior,
    is_camp,
    marks,
):  # pragma: no cover - compiled
    """Register marks from the draws (kulak households, officers, parties, priors)."""
    i = 0
    for h in range(sizes.shape[0]):
        for _ in range(sizes[h]):
            a = age[i]
            m = codes[KULAK] if kulak_h[h] else 0
            if male[i] and a >= codes[A45] and u_officer[i] < p_officer:
                m |= codes[OFFICER]
            if a >= codes[A45] and u_other[i] < p_other:
                m |= codes[OTHER_PARTY]
            weight = (
                4.0 if party[i] == codes[EXPELLED] else (1.0 if party[i] == codes[MEMBER] else 0.0)
            )
            if a >= codes[A30] and u_opposition[i] < p_opposition * weight:
                m |= codes[OPPOSITIONIST]
            if occupation[i] == codes[CLERGY]:
                m |= codes[SECTARIAN]
            limit = 1.0
            if not is_camp:
                limit = (1.6 if male[i] else 0.4) * p_prior * (1.0 if adult[a] else 0.0)
            if u_prior[i] < limit:
                m |= codes[PRIOR]
            marks[i] = m
            i += 1


@njit(cache=True)
def nationalities(
    codes, sizes, nat_h, nat_codes, urban, age, adult, u_foreign, p_foreign, nationality, marks
):  # pragma: no cover - compiled
    """Household nationality passed to members (diaspora mark); foreign communists."""
    i = 0
    m = nat_codes.shape[0]
    for h in range(sizes.shape[0]):
        code = nat_codes[nat_h[h]] if nat_h[h] < m else 0
        for _ in range(sizes[h]):
            nationality[i] = code
            if code != 0:
                marks[i] |= codes[DIASPORA]
            if urban[i] and adult[age[i]] and u_foreign[i] < p_foreign:
                marks[i] |= codes[FOREIGN]
            i += 1


@njit(cache=True)
def wage_earners(codes, age, occupation):  # pragma: no cover - compiled
    """People of working age (16-59) who are workers, employees or managers, ascending."""
    out = np.empty(age.shape[0], dtype=np.int64)
    k = 0
    for i in range(age.shape[0]):
        o = occupation[i]
        wage = o == codes[WORKER] or o == codes[EMPLOYEE] or o == codes[MANAGER]
        if codes[A16] <= age[i] <= codes[A45] and wage:
            out[k] = i
            k += 1
    return out[:k]


@njit(cache=True)
def farm_members(codes, sizes, farm_of_h, age, label):  # pragma: no cover - compiled
    """Members aged 16+ of a kolkhoz household without an enterprise work on its kolkhoz."""
    i = 0
    for h in range(sizes.shape[0]):
        farm = farm_of_h[h]
        for _ in range(sizes[h]):
            if farm >= 0 and age[i] >= codes[A16] and label[i] < 0:
                label[i] = farm
            i += 1


@njit(cache=True)
def household_labels(sizes, first, out):  # pragma: no cover - compiled
    """Each person's household number: ``first`` + the index of its run in ``sizes``."""
    i = 0
    for h in range(sizes.shape[0]):
        for _ in range(sizes[h]):
            out[i] = first + h
            i += 1
