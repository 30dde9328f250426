"""The people of one region: attributes, households and local workplaces.

The random draws are made here, in a fixed order and size, from the
region's own stream; what follows from them is computed by the Numba kernels
of ``kernels`` in one pass per person, written straight into the
population's arrays. At 1:1 a NumPy expression per rule made a dozen
temporary arrays of the region's size per step.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.population import kernels as k
from greatterror.population import kernels_marks as km
from greatterror.population.codes import AGE_BAND_YEARS, Occupation
from greatterror.population.groups import _sizes_covering, cut_into_groups
from greatterror.population.inputs import Region
from greatterror.population.spec import PopulationSpec

ADULT = np.array([False, True, True, True, True])  # by age band
BAND_FIRST = np.array([lo for lo, _ in AGE_BAND_YEARS], dtype=np.uint8)
_NOWHERE = np.empty(0, dtype=np.int64)


def years_of(
    spec: PopulationSpec, band: NDArray, residence: NDArray, u: NDArray[np.float64]
) -> NDArray[np.uint8]:
    """Whole years of age for people of these age bands and residences (0 rural, 1 urban),
    distributed within each band as in the 1937 census table."""
    age = np.asarray(band).astype(np.uint8)
    k.years_in_bands(spec.year_cum, BAND_FIRST, np.asarray(residence, dtype=np.uint8), u, age)
    return age


def _band_cums(spec: PopulationSpec, frac_heads: float) -> tuple[NDArray, NDArray]:
    """Cumulative band distributions by residence: for household heads (adults) and for
    the other members, chosen so that the overall band shares are the census's."""
    shares = spec.band_shares_by_residence
    heads = np.where(ADULT, shares, 0.0)
    heads = heads / heads.sum(axis=1, keepdims=True)
    others = np.clip(shares - frac_heads * heads, 0, None)
    others = others / others.sum(axis=1, keepdims=True)
    cums = []
    for probs in (heads, others):
        cum = np.cumsum(probs, axis=1)
        cum[:, -1] = 1.0
        cums.append(cum)
    return cums[0], cums[1]


class Uniforms:
    """Reusable buffers for uniform draws, one per slot, grown to the largest region.

    ``rng.random(out=...)`` gives the same numbers as ``rng.random(n)``; reusing
    the memory spares a fresh allocation, and its page faults, for every draw
    (at 1:1 a draw is up to 160 MB).
    """

    def __init__(self) -> None:
        self._buffers: list[NDArray[np.float64]] = []

    def draw(self, rng: np.random.Generator, n: int, slot: int = 0) -> NDArray[np.float64]:
        """``rng.random(n)`` in the slot's buffer (valid until the slot's next draw)."""
        while len(self._buffers) <= slot:
            self._buffers.append(np.empty(0))
        if len(self._buffers[slot]) < n:
            self._buffers[slot] = np.empty(n)
        return rng.random(out=self._buffers[slot][:n])


def choice(
    rng: np.random.Generator, probs: NDArray, n: int, uniforms: Uniforms | None = None
) -> NDArray[np.intp]:
    """``n`` draws of a category with probabilities proportional to ``probs``."""
    u = rng.random(n) if uniforms is None else uniforms.draw(rng, n)
    u *= probs.sum()
    return k.searchsorted_right(np.cumsum(probs), u)


def choice_into(
    rng: np.random.Generator,
    probs: NDArray,
    out: NDArray,
    uniforms: Uniforms,
    at: NDArray[np.int64] | None = None,
) -> None:
    """``out[at] = choice(rng, probs, len(at))`` (``out[:]`` without ``at``), in place."""
    positions = np.empty(0, dtype=np.int64) if at is None else at
    u = uniforms.draw(rng, len(out) if at is None else len(at))
    u *= probs.sum()
    k.categories_into(np.cumsum(probs), u, positions, out)


def region_people(
    region: Region,
    n: int,
    spec: PopulationSpec,
    rates,
    rng: np.random.Generator,
    out: dict[str, NDArray],
    uniforms: Uniforms,
) -> tuple[NDArray[np.int64], NDArray[np.int32], int]:
    """Fill ``out`` (views of the population's arrays) with one region's people.

    Returns household sizes and local workplace labels with their count.
    ``out`` must be zero-filled.
    """
    is_camp = region.kind == "camps"
    if is_camp:
        sizes = np.ones(n, dtype=np.int64)
    else:
        sizes = _sizes_covering(n, spec.household_sizes.sample, rng) if n else np.zeros(0, np.int64)
    n_h = len(sizes)
    starts = np.cumsum(sizes) - sizes

    urban_h = np.zeros(n_h, dtype=bool) if is_camp else uniforms.draw(rng, n_h) < spec.urban_share
    group_h = np.where(
        urban_h,
        spec.group_codes[choice(rng, rates.urban_probs, n_h, uniforms)],
        spec.group_codes[choice(rng, rates.rural_probs, n_h, uniforms)],
    ).astype(np.uint8)
    if is_camp:
        group_h[:] = Occupation.OTHER

    # ages and sexes from the 1937 census table of the household's residence: age bands
    # (heads are adults; the others are drawn so that the band shares hold), the year
    # within the band, then the sex at that age
    residence = np.repeat(urban_h.view(np.uint8), sizes)
    head_cum, other_cum = _band_cums(spec, 1.0 / spec.household_sizes.mean())
    age = out["age"]
    k.categories_by_group(other_cum, residence, uniforms.draw(rng, n), _NOWHERE, age)
    k.categories_by_group(head_cum, residence, uniforms.draw(rng, n_h), starts, age)
    if is_camp:
        age[:] = 1 + choice(rng, spec.age_shares[1:4], n, uniforms)
    k.years_in_bands(spec.year_cum, BAND_FIRST, residence, uniforms.draw(rng, n), age)
    male = out["male"]
    if is_camp:
        male[:] = uniforms.draw(rng, n) < spec.camp_male_share
    else:
        # ``male[:] = u < spec.male_by_year[residence, age]``, compiled (kernels.males_by_year)
        k.males_by_year(spec.male_by_year, residence, age, uniforms.draw(rng, n), male)

    # occupation and party status, weighted by occupation; levels from the sourced counts.
    # Each draw is used by its kernel before the next is made, so one buffer serves all.
    occupation, party = out["occupation"], out["party"]
    u = uniforms.draw(rng, n)
    k.occupations(
        k.CODES,
        sizes,
        group_h,
        urban_h,
        age,
        male,
        u,
        rates.p_manager,
        rates.w_manager,
        out["urban"],
        occupation,
    )
    u = uniforms.draw(rng, n)
    k.clergy(k.CODES, age, male, u, rates.p_clergy, rates.w_clergy, occupation)
    thresholds = np.cumsum(rates.party_targets)
    u = uniforms.draw(rng, n)
    in_party = k.party_status(
        k.CODES, occupation, age, male, u, rates.party_scale, rates.w_party, thresholds, party
    )
    drawn = 1 + choice(rng, spec.cohort_shares, in_party, uniforms)
    k.cohorts(k.CODES, party, age, drawn, out["cohort"])

    marks = out["marks"]
    kulak_h = ~urban_h & (uniforms.draw(rng, n_h) < rates.p_kulak[region.index])
    u = uniforms.draw(rng, n)
    km.marks_first(k.CODES, sizes, kulak_h, age, male, occupation, u, rates.p_officer, marks)
    u = uniforms.draw(rng, n)
    km.marks_other_party(k.CODES, age, male, u, rates.p_other_party, rates.w_other_party, marks)
    u = uniforms.draw(rng, n)
    km.marks_opposition(
        k.CODES, age, party, u, rates.p_oppositionist, spec.oppositionist_expelled_weight, marks
    )
    u = uniforms.draw(rng, n)
    km.marks_prior(k.CODES, age, male, u, rates.p_prior, rates.w_prior, is_camp, marks)
    if not is_camp:
        u = uniforms.draw(rng, n)
        km.marks_church(k.CODES, age, male, occupation, u, rates.p_church, rates.w_church, marks)

    if not is_camp:
        nat_probs = np.array([rates.p_nat[nat][region.index] for nat in rates.p_nat])
        nat_h = k.searchsorted_right(np.cumsum(nat_probs), uniforms.draw(rng, n_h))
        k.nationalities(
            k.CODES,
            sizes,
            nat_h,
            np.array(list(rates.p_nat), dtype=np.uint8),
            out["urban"],
            age,
            uniforms.draw(rng, n),
            rates.p_foreign[region.index],
            out["nationality"],
            out["marks"],
        )

    workplace, n_workplaces = _workplaces(out["occupation"], age, group_h, sizes, spec, rng)
    return sizes, workplace, n_workplaces


def _workplaces(
    occupation: NDArray,
    age: NDArray,
    group_h: NDArray,
    sizes: NDArray,
    spec: PopulationSpec,
    rng: np.random.Generator,
) -> tuple[NDArray[np.int32], int]:
    """Local workplace labels: enterprises for wage earners, kolkhozes for kolkhoz households.

    Groups keep their real sizes among the sampled people, so that each
    person has a realistic number of workmates at every scale.
    """
    label = np.full(len(occupation), -1, dtype=np.int32)
    people = k.wage_earners(k.CODES, age, occupation)
    ids, n_enterprises = cut_into_groups(people, spec.workplace_sizes.sample, rng, 0)
    label[people] = ids

    kolkhoz_h = np.flatnonzero(group_h == Occupation.KOLKHOZ_PEASANT)
    farm_of_h, n_farms = cut_into_groups(kolkhoz_h, spec.kolkhoz_sizes.sample, rng, n_enterprises)
    if len(kolkhoz_h):
        farm_per_hh = np.full(len(sizes), -1, dtype=np.int32)
        farm_per_hh[kolkhoz_h] = farm_of_h
        k.farm_members(k.CODES, sizes, farm_per_hh, age, label)
    return label, n_enterprises + n_farms
