"""Numba kernels for the population build's register marks: who carries which mark.

The former kulaks (one person per household, its head), the former White officers, the
former members of other parties, the former oppositionists, the church and sectarian
activists and the people with a prior conviction. Apart from population/kernels.py (the
other passes of the build: ages, occupations, party, places, nationalities) because the
marks are the NKVD's registers the operations draw on, and are read and tested as one set
(tests/test_population_kernels.py). The same rules as kernels.py's apply: each kernel
computes what its NumPy expression computes from the same draws, and every code value is
passed in ``codes`` (kernels.CODES), by the positions kernels.py names.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.population.kernels import (
    A16,
    A30,
    A45,
    CLERGY,
    EXPELLED,
    KULAK,
    MEMBER,
    OFFICER,
    OPPOSITIONIST,
    OTHER_PARTY,
    PRIOR,
    SECTARIAN,
)


@njit(cache=True, nogil=True, inline="always", **NO_CFUNC_WRAPPER)
def kulak_head(codes, start, size, age, male):  # pragma: no cover - compiled
    """The member of a former kulak household who carries the mark, or -1.

    The dekulakisation lists of 1930-31 named the head of the household
    (khoziain), six years or more before the operation: the first man aged 30
    or more; failing him, the first woman aged 45 or more (a widow who headed
    the household). A household with neither has no former kulak at large.
    """
    woman = -1
    for i in range(start, start + size):
        if male[i] and age[i] >= codes[A30]:
            return i
        if not male[i] and age[i] >= codes[A45] and woman < 0:
            woman = i
    return woman


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def marks_first(
    codes, sizes, kulak_h, age, male, occupation, u_officer, p_officer, marks
):  # pragma: no cover - compiled
    """Former kulaks (one person per household), former White officers (men 45+), clergy."""
    # the codes read once, and ``&`` for ``and``: kernels.occupations says why
    kulak, officer, a45 = codes[KULAK], codes[OFFICER], codes[A45]
    priest, sectarian = codes[CLERGY], codes[SECTARIAN]
    i = np.int64(0)  # not a literal 0: one specialisation of ``kulak_head`` (model/pairwise.py)
    for h in range(sizes.shape[0]):
        head = kulak_head(codes, i, sizes[h], age, male) if kulak_h[h] else -1
        for _ in range(sizes[h]):
            m = kulak if i == head else 0
            if male[i] & (age[i] >= a45) & (u_officer[i] < p_officer):
                m |= officer
            if occupation[i] == priest:
                m |= sectarian
            marks[i] = m
            i += 1


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def marks_other_party(
    codes, age, male, u_other, p_other, sex_weight, marks
):  # pragma: no cover - compiled
    """Former members of other parties, among people aged 45 and over, weighted by sex."""
    a45, mark = codes[A45], codes[OTHER_PARTY]  # read once: kernels.occupations says why
    p_woman, p_man = p_other * sex_weight[0], p_other * sex_weight[1]
    for i in range(age.shape[0]):
        if (age[i] >= a45) & (u_other[i] < (p_man if male[i] else p_woman)):
            marks[i] |= mark


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def marks_church(
    codes, age, male, occupation, u_church, p_church, sex_weight, marks
):  # pragma: no cover - compiled
    """Church and sectarian activists: people aged 45 and over who are not clergy, weighted by
    sex, get the clergy mark (the order's category 'churchmen and sectarians', which the
    NKVD's registers kept for the clergy and the communities' lay activists alike)."""
    priest, a45, mark = codes[CLERGY], codes[A45], codes[SECTARIAN]  # kernels.occupations
    p_woman, p_man = p_church * sex_weight[0], p_church * sex_weight[1]
    for i in range(age.shape[0]):
        lay = occupation[i] != priest
        if lay & (age[i] >= a45) & (u_church[i] < (p_man if male[i] else p_woman)):
            marks[i] |= mark


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def marks_opposition(
    codes, age, party, u_opposition, p_opposition, expelled_weight, marks
):  # pragma: no cover - compiled
    """Former oppositionists: party members 30+, expelled members ``expelled_weight`` times
    as often as members (the weight is data: pop_oppositionist_expelled_weight)."""
    expelled, member, a30, mark = codes[EXPELLED], codes[MEMBER], codes[A30], codes[OPPOSITIONIST]
    # the rate for each status, the same products as per person (kernels.occupations)
    p_expelled, p_member, p_none = (
        p_opposition * expelled_weight, p_opposition * 1.0, p_opposition * 0.0
    )  # fmt: skip
    for i in range(age.shape[0]):
        status = party[i]
        p = p_expelled if status == expelled else (p_member if status == member else p_none)
        if (age[i] >= a30) & (u_opposition[i] < p):
            marks[i] |= mark


@njit(cache=True, nogil=True, **NO_CFUNC_WRAPPER)
def marks_prior(
    codes, age, male, u_prior, p_prior, sex_weight, is_camp, marks
):  # pragma: no cover - compiled
    """Prior convictions: adults, weighted by sex (``sex_weight[male]``); every camp prisoner."""
    a16, mark = codes[A16], codes[PRIOR]  # read once: kernels.occupations says why
    l_woman, l_man = sex_weight[0] * p_prior, sex_weight[1] * p_prior
    for i in range(age.shape[0]):
        limit = 1.0
        if not is_camp:
            adult = 1.0 if age[i] >= a16 else 0.0
            limit = (l_man if male[i] else l_woman) * adult
        if u_prior[i] < limit:
            marks[i] |= mark
