"""Who Order 00486 reaches in the family of a convicted 'traitor' (mechanism M19).

NKVD Order 00486 of 15 August 1937 directed the arrest of the *wives* of the 'traitors to the
motherland' convicted by the Military Collegium and the military tribunals in the first and
second categories (death and camp) since 1 August 1936, and the placing of their children
aged up to 15 in children's homes of the People's Commissariat of Education unless relatives
took them in; children were not arrested (G4-wives-order, G12-19: order00486; Jansen &
Petrov, Stalin's Loyal Executioner, 2002). The order named all such wives; it exempted from
arrest (putting them under a written undertaking instead) the pregnant, those nursing an
infant, the gravely or contagiously ill, those with a sick child needing care, and the old.
In October 1938 it was narrowed to the wives who had known of or abetted their husbands'
'crimes' (the event ``families_order_narrowed``, G4-wives-narrowed). The rule here is that:

- the convicts are those the Collegium and the tribunals sentenced to death or camp
  (``transitions.ORDER_00486_COURTS``), the show trials' defendants among them; until 5
  Dec 2026 (branch listtrack) they were every death or camp sentence of the elite operation,
  whatever the court;
- the order reached back: the convictions from 1 August 1936 (``SCOPE_START``, the order's
  text) to the order wait for it, and are taken on the day it is given;
- the wife of a convicted man is the first woman aged ``ADULT_AGE`` or more in his household
  who is not herself among the convicted (the household is the census family, so she stands
  for his wife);
- of a day's batch of wives, a Binomial(n, ``family_arrest``) count is arrested, and who
  at random (counts first, then who): ``family_arrest`` is the share not exempted, a prior
  (no count of the wives exempted was found; data/parameters.csv). Until 5 Dec 2026 it was
  0.05, an unsourced prior that read as a 95% non-application the order does not describe;
- the children are the members of her household aged 1 to 15 (the order's "children aged
  1-15": an infant went with its mother); they are counted as placed in children's homes, or
  taken in by relatives (not modelled: an upper bound), when their mother is arrested
  (``children_placed``, at the arrest, so a woman reached twice is counted once), and never
  arrested. Until 5 Dec 2026 (branch listsel) the infants were counted too;
- a convicted woman's husband is not reached (the order named wives), nor is anyone else in
  the household;
- after the narrowing, and after the halt of 17 November 1938 (in a scenario without a
  dated narrowing, such as the leader's rule), no wife is arrested under the order: the
  narrowed order's share is NOT FOUND, and is put at none.

The step itself (``Families``, step 28 of the day) runs after the sentencing and the show
trials, takes the day's batches in the order sentenced and schedules the arrests drawn 1-30
days later (carried out by the punishment step).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from numba import njit
from numpy.typing import NDArray

from greatterror.model.engine import Engine
from greatterror.model.fast_draws import integers_below
from greatterror.model.loop import Component
from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.model.sorting import search_sorted, sorted_copy
from greatterror.model.world import World
from greatterror.population.codes import ADULT_AGE
from greatterror.population.groups import Groups

#: the order reached the wives of men convicted from this day (Order 00486's text: "since 1
#: August 1936"; G4-wives-order)
SCOPE_START = dt.date(1936, 8, 1)
#: the youngest age placed in a children's home: the order's "children aged 1-15"; an infant
#: went with its arrested mother (G4-wives-order)
CHILD_MIN_AGE = 1


class Families(Component):
    """Step 28 (M19, Order 00486): the wives of convicted 'traitors' are arrested."""

    name = "families"
    mechanisms = ("M19",)
    params = ("family_arrest",)
    reads = ("people", "policy", "convicted")
    writes = ("convicted",)

    def step(self, w: World, e: Engine, day: int) -> None:
        pol = w.policy
        if not self.on(e, "M19") or pol.families_narrowed or pol.halted:
            w.signals.convicted = []
            return
        if not pol.families_order:
            # the convictions in the order's scope wait for it; earlier ones are dropped
            if e.date(day) < SCOPE_START:
                w.signals.convicted = []
            return
        batches, w.signals.convicted = w.signals.convicted, []
        for convicted in batches:
            _families(w, e, day, convicted)


def _families(w: World, e: Engine, day: int, convicted: np.ndarray) -> None:
    """Wives of ``convicted`` drawn for arrest (counts first, then who), and when."""
    if len(convicted) == 0:
        return
    rng = e.rng.family
    pop = w.people
    households = pop.household_of(convicted)
    wives, _ = wives_of(pop.households, households, pop["age"], pop["male"], convicted)
    if len(wives) == 0:
        return  # nothing below draws anything for no one
    n = int(rng.binomial(len(wives), min(max(e.params["family_arrest"], 0.0), 1.0)))
    if n == 0:
        return
    wives = wives[np.sort(rng.choice(len(wives), size=n, replace=False))]
    # the arrest 1 to 30 days on: as ``rng.integers(0, 30, size=len(wives))``, in distribution
    e.schedule_after(day + 1, "family", wives, integers_below(rng, 30, len(wives)))


def children_placed(w: World, e: Engine, wives: NDArray[np.int64]) -> float:
    """The children of the arrested ``wives``, in full-population persons: the members of her
    household aged ``CHILD_MIN_AGE`` to ``ADULT_AGE - 1`` (the order's "children aged 1-15"; an
    infant went with its mother), placed in children's homes or taken in by relatives, never
    arrested. Which relatives took them is not modelled (the census household holds about 2.5
    adults besides each wife, too many to read as those who kept the children), so this is an
    upper bound on the children placed."""
    if len(wives) == 0:
        return 0.0
    pop = w.people
    g = pop.household_of(wives)
    has = g >= 0
    wives, g = wives[has], g[has]
    if len(wives) == 0:
        return 0.0
    members = pop.households.members_of(g)
    sizes = pop.households.indptr[g + 1] - pop.households.indptr[g]
    age = pop["age"][members]
    young = ((age >= CHILD_MIN_AGE) & (age < ADULT_AGE)).astype(np.int64)
    owner = np.repeat(np.arange(len(wives)), sizes)
    children = np.bincount(owner, weights=young, minlength=len(wives))
    return float((children * e.weights(wives)).sum())


@njit(cache=True, **NO_CFUNC_WRAPPER)
def run_wives(indptr, household, convicted, age, male, adult_age):  # pragma: no cover
    """Each convicted man's wife (or -1) and her household's children under ``adult_age``.

    Households are runs of people ``indptr[g]..indptr[g+1]``; ``household[i]`` is
    ``convicted[i]``'s (-1: none). Returns two
    arrays aligned with ``convicted``: the wife's index (-1 for a woman
    convicted, a man without a household or without a woman of age in it) and
    the number of children in the household.
    """
    pool = sorted_copy(convicted)  # np.sort, cheaper to compile (model/sorting.py)
    wife = np.empty(convicted.shape[0], dtype=np.int64)
    children = np.empty(convicted.shape[0], dtype=np.int64)
    for i in range(convicted.shape[0]):  # loops, not np.full, np.zeros: cheaper to compile
        wife[i] = -1
        children[i] = 0
    for i in range(convicted.shape[0]):
        person = convicted[i]
        g = household[i]
        if g < 0 or not male[person]:
            continue
        n_children = 0
        for member in range(indptr[g], indptr[g + 1]):
            if age[member] < adult_age:
                n_children += 1
                continue
            if wife[i] >= 0 or male[member] or member == person:
                continue
            j = search_sorted(pool, np.int64(member))  # int64: one signature (indptr is int32)
            if j < pool.shape[0] and pool[j] == member:
                continue  # convicted herself
            wife[i] = member
        children[i] = n_children
    return wife, children


def wives_of(
    households: Groups,
    household_of_convicted: NDArray[np.integer],
    age: NDArray[np.uint8],
    male: NDArray[np.bool_],
    convicted: NDArray[np.integer],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The wives of the convicted who have one, and the number of children of each wife.

    ``household_of_convicted`` is the household of each of ``convicted`` (-1: none;
    ``Population.household_of``), not of every person: a list of everyone's households (as
    callers once gave) is refused, since read by position it would name wrong wives. Wives
    are unique (one man per household is enough to reach her) and in the order of their
    husbands.
    """
    convicted_ = np.asarray(convicted, dtype=np.int64)
    if len(household_of_convicted) != len(convicted_):
        raise ValueError(
            f"wives_of: {len(household_of_convicted)} households for {len(convicted_)} "
            "convicted; give the household of each convicted (Population.household_of)"
        )
    if len(convicted_) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if households.members is None:  # households are runs of people
        wife, children = run_wives(
            households.indptr, household_of_convicted, convicted_, age, male, ADULT_AGE
        )
    else:
        wife, children = _listed_wives(households, household_of_convicted, age, male, convicted_)
    has = wife >= 0
    wife, children = wife[has], children[has]
    _, first = np.unique(wife, return_index=True)
    keep = np.sort(first)
    return wife[keep], children[keep]


def _listed_wives(
    households: Groups,
    household: NDArray[np.integer],
    age: NDArray[np.uint8],
    male: NDArray[np.bool_],
    convicted: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``run_wives`` for households given as member lists (the same rule, in NumPy)."""
    pool = set(convicted.tolist())
    wife = np.full(len(convicted), -1, dtype=np.int64)
    children = np.zeros(len(convicted), dtype=np.int64)
    for i, person in enumerate(convicted):
        g = int(household[i])
        if g < 0 or not male[person]:
            continue
        members = households.members_of(np.array([g])).astype(np.int64)
        young = age[members] < ADULT_AGE
        children[i] = int(young.sum())
        women = members[~young & ~male[members]]
        women = women[np.array([w not in pool for w in women.tolist()], dtype=bool)]
        if len(women):
            wife[i] = women[0]
    return wife, children
