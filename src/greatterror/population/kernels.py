"""Numba kernels for the population build: the passes NumPy makes slowly at 1:1.

Each kernel computes exactly what the NumPy expressions it replaces computed
(the same values in the same order) from the same random draws, so the
population stays bit-for-bit the same for a seed; only the work is cheaper:
one pass per person instead of a dozen temporary arrays, a counting sort
instead of a comparison sort, a linear scan of a short table instead of a
binary search. Members of a household are a contiguous run of ``sizes[h]``
people, so per-household values are passed to members in the same loop.

Ages are in whole years. The age thresholds, and the codes of occupations,
party status and marks, are passed in as a ``codes`` array (see ``CODES``),
not read as globals: Numba's cache would keep a compiled constant even after
``codes.py`` changed. Every rate or weight a rule uses is an argument that
comes from the data files (``spec``), never a constant written here; each
kernel's NumPy expression is in tests/test_population_kernels.py.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.population.codes import AGE_BAND_YEARS, AgeBand, Cohort, Mark, Occupation, Party

#: Code values the kernels need, by position (``codes[K_...]``); ages are the first
#: year of their census band.
CODES = np.array(
    [
        AGE_BAND_YEARS[AgeBand.A16_29][0],
        AGE_BAND_YEARS[AgeBand.A30_44][0],
        AGE_BAND_YEARS[AgeBand.A45_59][0],
        AGE_BAND_YEARS[AgeBand.A60_PLUS][0],
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
    A60,
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


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def males_by_year(male_share, residence, age, u, male):  # pragma: no cover - compiled
    """``male[:] = u < male_share[residence, age]`` in one pass: NumPy's fancy index copied
    both uint8 index arrays to intp and gathered a float array, 24 bytes a person of fresh
    memory (about 4 GB over the regions at 1:1). The same comparisons, so the same sexes."""
    n_res, n_age = male_share.shape
    for i in range(male.shape[0]):
        a = age[i]
        r = residence[i]
        if a >= n_age or r >= n_res:
            raise IndexError("residence or age outside the table of male shares")
        male[i] = u[i] < male_share[r, a]


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def occupations(
    codes, sizes, group_h, urban_h, age, male, u_manager, p_manager, sex_weight, urban, occupation
):  # pragma: no cover - compiled
    """Household group and residence passed to members; some people aged 30-59 are managers.

    ``sex_weight[male]`` scales the managers' rate so that their male share is the
    one in the data while the expected count stays the same (as for the clergy).
    """
    # the codes and the rates by sex are read once, before the loop: read in it, they were
    # read again for each person (the compiler cannot tell that the outputs do not alias
    # them), and the kernel took twice the time; ``&``, not ``and``, makes every test, so
    # that the compiler selects instead of branching on random ages and sexes
    other, a30, a60, manager = codes[OTHER], codes[A30], codes[A60], codes[MANAGER]
    p_woman, p_man = p_manager * sex_weight[0], p_manager * sex_weight[1]
    i = 0
    for h in range(sizes.shape[0]):
        occ = group_h[h]
        town = urban_h[h]
        may = occ != other
        for _ in range(sizes[h]):
            a = age[i]
            urban[i] = town
            p = p_man if male[i] else p_woman
            chosen = may & (a30 <= a) & (a < a60) & (u_manager[i] < p)
            occupation[i] = manager if chosen else occ
            i += 1


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def clergy(codes, age, male, u_clergy, p_clergy, sex_weight, occupation):  # pragma: no cover
    """Some people aged 30 and over are clergy (overrides the occupation drawn so far).

    ``sex_weight[male]`` scales the rate so that the clergy's male share is the
    one in the data while the expected count stays the same.
    """
    a30, priest = codes[A30], codes[CLERGY]  # read once (occupations)
    p_woman, p_man = p_clergy * sex_weight[0], p_clergy * sex_weight[1]
    for i in range(age.shape[0]):
        if (age[i] >= a30) & (u_clergy[i] < (p_man if male[i] else p_woman)):
            occupation[i] = priest


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def party_status(
    codes, occupation, age, male, u_party, party_scale, sex_weight, thresholds, party
):  # pragma: no cover - compiled
    """Party status weighted by occupation and sex (adults only); returns the number in the party.

    The order of the NumPy version is kept: expelled, then candidate, then
    member override each other as the draw falls under each threshold.
    """
    a16, expelled, candidate, member = codes[A16], codes[EXPELLED], codes[CANDIDATE], codes[MEMBER]
    t0, t1, t2 = thresholds[0], thresholds[1], thresholds[2]  # read once (occupations)
    w_woman, w_man = sex_weight[0], sex_weight[1]
    in_party = 0
    for i in range(age.shape[0]):
        adult = 1.0 if age[i] >= a16 else 0.0
        p_any = party_scale[occupation[i]] * (w_man if male[i] else w_woman) * adult
        u = u_party[i] / max(p_any, 1e-300)
        status = 0
        if u < t2:
            status = expelled
        if u < t1:
            status = candidate
        if u < t0:
            status = member
        if p_any == 0:
            status = 0
        party[i] = status
        if status != 0:
            in_party += 1
    return in_party


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
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
        if age[i] < codes[A30] and c < codes[C1921]:
            c = codes[C1921]  # the young cannot have joined before the 1920s
        cohort[i] = c


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def place_workplaces(workplace, n_groups, start, first_id, members):  # pragma: no cover
    """CSR members of a region's workplaces, and each member's global workplace number.

    ``workplace`` holds local labels (0 to ``n_groups - 1``, -1: none) and is rewritten in
    place to ``first_id + label``; ``members`` receives ``start + i`` for every person i
    with a label, grouped by label and ascending within a group (a counting sort: the labels
    come from a random permutation). Returns the count per workplace. The labels are the
    people's own entries, written by groups.cut_into_groups: at 1:1 a separate label array
    was a further 4 bytes a person of fresh memory; and local labels let regions be built
    in any order (population/build.py, ``threads``), numbered only here, in region order.
    """
    counts = np.empty(n_groups, dtype=np.int64)
    for g in range(n_groups):  # a loop, not np.zeros: cheaper to compile (sorting.py)
        counts[g] = 0
    for i in range(workplace.shape[0]):
        if workplace[i] >= 0:
            counts[workplace[i]] += 1
    pos = np.empty(n_groups, dtype=np.int64)
    total = 0
    for g in range(n_groups):
        pos[g] = total
        total += counts[g]
    for i in range(workplace.shape[0]):
        g = workplace[i]
        if g >= 0:
            members[pos[g]] = start + i
            pos[g] += 1
            workplace[i] = first_id + g
    return counts


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def nationalities(
    codes, sizes, nat_h, nat_codes, urban, age, u_foreign, p_foreign, nationality, marks
):  # pragma: no cover - compiled
    """Household nationality passed to members; the diaspora mark to its adults only;
    foreign communists among urban adults.

    A nationality is a household's, but a register entry is a person's: the
    national operations' lines named adults, so no child carries the mark.
    """
    a16, diaspora, foreign = codes[A16], codes[DIASPORA], codes[FOREIGN]  # see occupations
    i = 0
    m = nat_codes.shape[0]
    for h in range(sizes.shape[0]):
        code = nat_codes[nat_h[h]] if nat_h[h] < m else 0
        for _ in range(sizes[h]):
            nationality[i] = code
            adult = age[i] >= a16
            add = diaspora if (code != 0) & adult else 0
            if urban[i] & adult & (u_foreign[i] < p_foreign):
                add |= foreign
            marks[i] |= add
            i += 1


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def wage_earners(codes, age, occupation):  # pragma: no cover - compiled
    """People of working age (16-59) who are workers, employees or managers, ascending."""
    worker, employee, manager = codes[WORKER], codes[EMPLOYEE], codes[MANAGER]
    a16, a60 = codes[A16], codes[A60]  # read once, tests with ``&``: see occupations
    out = np.empty(age.shape[0], dtype=np.int64)
    k = 0
    for i in range(age.shape[0]):
        o = occupation[i]
        wage = (o == worker) | (o == employee) | (o == manager)
        out[k] = i  # written always, kept only if counted: no branch on random people
        k += wage & (a16 <= age[i]) & (age[i] < a60)
    return out[:k]


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def farm_members(codes, sizes, farm_of_h, age, label):  # pragma: no cover - compiled
    """Members aged 16+ of a kolkhoz household without an enterprise work on its kolkhoz."""
    a16 = codes[A16]  # read once: see occupations
    i = 0
    for h in range(sizes.shape[0]):
        farm = farm_of_h[h]
        if farm < 0:
            i += sizes[h]
            continue
        for _ in range(sizes[h]):
            if (age[i] >= a16) & (label[i] < 0):
                label[i] = farm
            i += 1


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def label_runs(order, sizes, first_id, targets, label):  # pragma: no cover - compiled
    """``label[targets[order[i]]] = first_id + g`` for every position i of run g, the runs
    being ``sizes[0]``, ``sizes[1]``... positions long: a shuffle (``order``) cut into
    groups of those sizes (groups.cut_into_groups)."""
    i = 0
    for g in range(sizes.shape[0]):
        value = first_id + g
        for _ in range(sizes[g]):
            label[targets[order[i]]] = value
            i += 1
