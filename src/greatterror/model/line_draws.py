"""The drawing of the national operations' ``drawn`` lines (model/lines.py holds their rules).

A ``drawn`` line is drawn once, at the start, from a stream of its own: ``national_share`` of
its members from the adults of the operation's nationalities, the rest from the adults of any
nationality in the regions where those nationalities live, each with the line's share of men
and age range (rejection: only those who fit are taken). A person is on one drawn line at
most, and a line holds its stated size: where the nationality runs short, the rest come from
the same regions' adults of the same sex. Kept apart from model/lines.py so that the data
file's rules and the register draws each stay one job.
"""

from __future__ import annotations

import zlib

import numpy as np
from numba import njit
from numpy.typing import NDArray

from greatterror.model.lines import LineSpec
from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.population.people import Population

LINES_STREAM = 0x4C696E  # "Lin": a population's lines are drawn apart from every other draw
#: Positions tried per person drawn by a profile before the draw gives up on the person.
PROFILE_TRIES = 64
#: Rounds of draws a line makes to reach its size before the shortfall goes elsewhere.
FILL_ROUNDS = 8


@njit(cache=True, **NO_CFUNC_WRAPPER)
def draw_profiled(
    region, starts, sizes, members, u, want_male, age, male, age_low, age_high, tries, taken
):  # pragma: no cover - compiled
    """One person per entry k: from group ``region[k]`` (its people ``members[starts[r]:...]``,
    or the positions themselves if ``members`` is empty), the first of ``tries`` random picks
    of sex ``want_male[k]`` and age in [age_low, age_high] who is not ``taken`` (an empty
    ``taken`` excludes no one); -1 if none fits."""
    n = region.shape[0]
    out = np.empty(n, dtype=np.int64)
    for k in range(n):  # a loop, not np.full: cheaper to compile (sorting.py)
        out[k] = -1
    for k in range(n):
        r = region[k]
        size = sizes[r]
        if size <= 0:
            continue
        for j in range(tries):
            pos = starts[r] + np.int64(u[k * tries + j] * size)
            p = np.int64(members[pos]) if members.shape[0] > 0 else pos
            a = age[p]
            if taken.shape[0] > 0 and taken[p]:
                continue
            if male[p] == want_male[k] and a >= age_low and a <= age_high:
                out[k] = p
                break
    return out


def profiled(
    counts: NDArray[np.integer],
    starts: NDArray[np.int64],
    sizes: NDArray[np.int64],
    members: NDArray[np.int32],
    spec: LineSpec,
    pop: Population,
    rng: np.random.Generator,
    taken: NDArray[np.bool_] | None = None,
    male_share: float | None = None,
) -> NDArray[np.int64]:
    """``counts[r]`` draws of adults of the line's profile from group r (fewer if none fits),
    none of them ``taken``; each a man with probability ``male_share`` (default: the line's)."""
    region = np.repeat(np.arange(len(counts)), np.where(sizes > 0, counts, 0))
    if len(region) == 0:
        return np.empty(0, dtype=np.int64)
    share = spec.male_share if male_share is None else male_share
    want_male = rng.random(len(region)) < (0.5 if share is None else share)
    u = rng.random(len(region) * PROFILE_TRIES)
    drawn = draw_profiled(
        region, starts, sizes, members, u, want_male, pop["age"], pop["male"],
        spec.age_low, spec.age_high, PROFILE_TRIES,
        np.zeros(0, dtype=np.bool_) if taken is None else taken,
    )  # fmt: skip
    return drawn[drawn >= 0]


def _stochastic_round(x: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.int64]:
    return (np.floor(x) + (rng.random(len(x)) < x % 1)).astype(np.int64)


def draw_line(
    spec: LineSpec,
    pop: Population,
    national: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int32]],
    region_start: NDArray[np.int64],
    region_size: NDArray[np.int64],
    rng: np.random.Generator,
    taken: NDArray[np.bool_],
) -> NDArray[np.int64]:
    """The members of a ``drawn`` line (ascending, distinct), as many as the line's size.

    ``national`` is the CSR register (starts, sizes, members) by region of the adults of the
    line's nationalities; the line's members from outside the nationality are spread over the
    regions in proportion to it (the orders reached the districts where the diaspora lived).
    ``taken`` marks the people already on a line; they are not drawn again, and the people
    drawn are marked, so that each person is on one line (the first that lists him) and a
    line holds its stated number of people. Where the nationality has fewer adults of the
    line's profile than its national share asks for (the Harbin line's 25,000 registered,
    Order 00593, against the 25,000 returnees of all ages), the rest are taken from the
    adults of the same regions: the orders named categories of people (former employees of
    the Chinese Eastern Railway, political emigrants, defectors), not a nationality.
    """
    starts, sizes, members = national
    expected = spec.size * pop.scale
    total = int(sizes.sum())
    if total == 0 or expected <= 0:
        return np.empty(0, dtype=np.int64)
    share = sizes / total
    own = _stochastic_round(expected * spec.national_share * share, rng)
    other = _stochastic_round(expected * (1 - spec.national_share) * share, rng)
    men_share = 0.5 if spec.male_share is None else spec.male_share
    found = []
    # men and women apart, so that what a small nationality lacks of one sex is made up by
    # the same sex from the regions, and the line keeps its share of men
    for male, own_k, other_k in zip(
        (1.0, 0.0), _split(own, men_share, rng), _split(other, men_share, rng), strict=True
    ):
        ours, short = _fill(own_k, (starts, sizes, members), spec, pop, rng, taken, male)
        regions = (region_start, region_size, np.empty(0, np.int32))
        theirs, _ = _fill(other_k + short, regions, spec, pop, rng, taken, male)
        found += [ours, theirs]
    return np.sort(np.concatenate(found))  # of the mass population, never the elite


def _split(
    counts: NDArray[np.int64], men_share: float, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``counts`` split into men and women, each person a man with probability ``men_share``."""
    men = rng.binomial(counts, men_share).astype(np.int64)
    return men, counts - men


def _fill(
    counts: NDArray[np.int64],
    groups: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int32]],
    spec: LineSpec,
    pop: Population,
    rng: np.random.Generator,
    taken: NDArray[np.bool_],
    male_share: float,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``counts[r]`` distinct people not yet ``taken`` from group r (a region), men with
    probability ``male_share`` (1: all men, 0: all women), drawn in up to ``FILL_ROUNDS``
    rounds; the people and what each group still lacks."""
    starts, sizes, members = groups
    need = counts.copy()
    found: list[NDArray[np.int64]] = []
    region = pop["region"]
    for _ in range(FILL_ROUNDS):
        if need.sum() == 0:
            break
        # the taken are refused within the draw, so a sex that runs short in a small
        # nationality is not made up by the other (the line keeps its share of men)
        drawn = profiled(need, starts, sizes, members, spec, pop, rng, taken, male_share)
        drawn = np.unique(drawn)
        drawn = drawn[~taken[drawn]]
        taken[drawn] = True
        found.append(drawn)
        need = np.maximum(need - np.bincount(region[drawn], minlength=len(need)), 0)
    people = np.concatenate(found) if found else np.empty(0, dtype=np.int64)
    return people, need


def lines_rng(pop: Population) -> np.random.Generator:
    """The lines' own stream: the same population always has the same lines."""
    return np.random.default_rng(
        np.random.SeedSequence([pop.seed, LINES_STREAM, zlib.crc32(b"lines")])
    )
