"""Who Order 00486 reaches in the family of a convicted 'traitor' (mechanism M19).

NKVD Order 00486 of 15 August 1937 directed the arrest of the *wives* of men
convicted as traitors, and the placing of their children aged up to 15 in
children's homes of the People's Commissariat of Education unless relatives
took them in; children were not arrested. The rule here is that, and only
that:

- the wife of a convicted man is the first woman aged ``ADULT_AGE`` or more
  in his household who is not herself among the convicted (the household is
  the census family, so she stands for his wife);
- the children are the members of the household under ``ADULT_AGE``; they
  are counted as placed in children's homes when their mother is arrested,
  and never arrested;
- a convicted woman's husband is not reached (the order named wives), nor
  is anyone else in the household.

The step itself (``Families``, step 14 of the day) runs after the sentencing
and the show trials: the engine signals every death or camp sentence in the
elite operation (``convicted``), and once the families order has been given
the step takes the day's batches in the order sentenced, draws which wives
are arrested (with probability ``family_arrest``), and schedules their
arrests 1-30 days later (carried out by the punishment step).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from greatterror.model.engine import Engine
from greatterror.model.fast_draws import integers_below
from greatterror.model.loop import Component
from greatterror.model.sorting import search_sorted, sorted_copy
from greatterror.model.world import World
from greatterror.population.codes import ADULT_AGE
from greatterror.population.groups import Groups


class Families(Component):
    """Step 28 (M19, Order 00486): the wives of convicted 'traitors' are arrested."""

    name = "families"
    mechanisms = ("M19",)
    params = ("family_arrest",)
    reads = ("people", "policy", "convicted")
    writes = ("convicted", "children_to_homes")

    def step(self, w: World, e: Engine, day: int) -> None:
        batches, w.signals.convicted = w.signals.convicted, []
        if not (w.policy.families_order and self.on(e, "M19")):
            return
        for convicted in batches:
            _families(w, e, day, convicted)


def _families(w: World, e: Engine, day: int, convicted: np.ndarray) -> None:
    """Wives of ``convicted`` drawn for arrest, and when; their children counted as placed."""
    if len(convicted) == 0:
        return
    rng = e.rng.family
    pop = w.people
    wives, children = wives_of(pop.households, pop["household"], pop["age"], pop["male"],
                               convicted)  # fmt: skip
    taken = rng.random(len(wives)) < e.params["family_arrest"]
    wives, children = wives[taken], children[taken]
    if len(wives) == 0:
        return  # nothing below draws or counts anything for no one
    w.children_to_homes += float((children * e.weights(wives)).sum())
    # the arrest 1 to 30 days on: as ``rng.integers(0, 30, size=len(wives))``, in distribution
    e.schedule_after(day + 1, "family", wives, integers_below(rng, 30, len(wives)))


@njit(cache=True)
def run_wives(indptr, household, convicted, age, male, adult_age):  # pragma: no cover
    """Each convicted man's wife (or -1) and her household's children under ``adult_age``.

    Households are runs of people ``indptr[g]..indptr[g+1]``. Returns two
    arrays aligned with ``convicted``: the wife's index (-1 for a woman
    convicted, a man without a household or without a woman of age in it) and
    the number of children in the household.
    """
    pool = sorted_copy(convicted)  # np.sort, cheaper to compile (model/sorting.py)
    wife = np.full(convicted.shape[0], -1, dtype=np.int64)
    children = np.zeros(convicted.shape[0], dtype=np.int64)
    for i in range(convicted.shape[0]):
        person = convicted[i]
        g = household[person]
        if g < 0 or not male[person]:
            continue
        n_children = 0
        for member in range(indptr[g], indptr[g + 1]):
            if age[member] < adult_age:
                n_children += 1
                continue
            if wife[i] >= 0 or male[member] or member == person:
                continue
            j = search_sorted(pool, member)
            if j < pool.shape[0] and pool[j] == member:
                continue  # convicted herself
            wife[i] = member
        children[i] = n_children
    return wife, children


def wives_of(
    households: Groups,
    household: NDArray[np.integer],
    age: NDArray[np.uint8],
    male: NDArray[np.bool_],
    convicted: NDArray[np.integer],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The wives of the convicted who have one, and the number of children of each wife.

    Wives are unique (one man per household is enough to reach her) and in
    the order of their husbands.
    """
    convicted_ = np.asarray(convicted, dtype=np.int64)
    if len(convicted_) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if households.members is None:  # households are runs of people
        wife, children = run_wives(households.indptr, household, convicted_, age, male, ADULT_AGE)
    else:
        wife, children = _listed_wives(households, household, age, male, convicted_)
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
        g = int(household[person])
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
