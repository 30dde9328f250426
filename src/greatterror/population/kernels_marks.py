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


@njit(cache=True)
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


@njit(cache=True)
def marks_first(
    codes, sizes, kulak_h, age, male, occupation, u_officer, p_officer, marks
):  # pragma: no cover - compiled
    """Former kulaks (one person per household), former White officers (men 45+), clergy."""
    i = np.int64(0)  # not a literal 0: one specialisation of ``kulak_head`` (model/pairwise.py)
    for h in range(sizes.shape[0]):
        head = kulak_head(codes, i, sizes[h], age, male) if kulak_h[h] else -1
        for _ in range(sizes[h]):
            m = codes[KULAK] if i == head else 0
            if male[i] and age[i] >= codes[A45] and u_officer[i] < p_officer:
                m |= codes[OFFICER]
            if occupation[i] == codes[CLERGY]:
                m |= codes[SECTARIAN]
            marks[i] = m
            i += 1


@njit(cache=True)
def marks_other_party(
    codes, age, male, u_other, p_other, sex_weight, marks
):  # pragma: no cover - compiled
    """Former members of other parties, among people aged 45 and over, weighted by sex."""
    for i in range(age.shape[0]):
        if age[i] >= codes[A45] and u_other[i] < p_other * sex_weight[1 if male[i] else 0]:
            marks[i] |= codes[OTHER_PARTY]


@njit(cache=True)
def marks_church(
    codes, age, male, occupation, u_church, p_church, sex_weight, marks
):  # pragma: no cover - compiled
    """Church and sectarian activists: people aged 45 and over who are not clergy, weighted by
    sex, get the clergy mark (the order's category 'churchmen and sectarians', which the
    NKVD's registers kept for the clergy and the communities' lay activists alike)."""
    for i in range(age.shape[0]):
        lay = occupation[i] != codes[CLERGY]
        if (
            lay
            and age[i] >= codes[A45]
            and u_church[i] < p_church * sex_weight[1 if male[i] else 0]
        ):
            marks[i] |= codes[SECTARIAN]


@njit(cache=True)
def marks_opposition(
    codes, age, party, u_opposition, p_opposition, expelled_weight, marks
):  # pragma: no cover - compiled
    """Former oppositionists: party members 30+, expelled members ``expelled_weight`` times
    as often as members (the weight is data: pop_oppositionist_expelled_weight)."""
    for i in range(age.shape[0]):
        weight = (
            expelled_weight
            if party[i] == codes[EXPELLED]
            else (1.0 if party[i] == codes[MEMBER] else 0.0)
        )
        if age[i] >= codes[A30] and u_opposition[i] < p_opposition * weight:
            marks[i] |= codes[OPPOSITIONIST]


@njit(cache=True)
def marks_prior(
    codes, age, male, u_prior, p_prior, sex_weight, is_camp, marks
):  # pragma: no cover - compiled
    """Prior convictions: adults, weighted by sex (``sex_weight[male]``); every camp prisoner."""
    for i in range(age.shape[0]):
        limit = 1.0
        if not is_camp:
            adult = 1.0 if age[i] >= codes[A16] else 0.0
            limit = sex_weight[1 if male[i] else 0] * p_prior * adult
        if u_prior[i] < limit:
            marks[i] |= codes[PRIOR]
