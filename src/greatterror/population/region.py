"""The people of one region: attributes, households and local workplaces.

The random draws are made here, in a fixed order and size, from the
region's own stream; what follows from them is computed by the Numba kernels
of ``kernels`` in one pass per person, written straight into the
population's arrays. At 1:1 a NumPy expression per rule made a dozen
temporary arrays of the region's size per step.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from greatterror.population import kernels as k
from greatterror.population import kernels_marks as km
from greatterror.population import kernels_search as ks
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
    year_cum, guide = _year_tables(spec)
    ks.years_in_bands(year_cum, guide, BAND_FIRST, np.asarray(residence, dtype=np.uint8), u, age)
    return age


def _year_tables(spec: PopulationSpec) -> tuple[NDArray[np.float64], NDArray[np.uint8]]:
    """The years' cumulative distributions as rows ``residence * bands + band``, and their
    guide table (kernels.guide_table)."""
    year_cum = spec.year_cum.reshape(-1, spec.year_cum.shape[-1])
    return year_cum, ks.guide_table(year_cum, np.int64(year_cum.shape[1] - 1), 1.0)


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


#: people (or households) per block of draws. A region's draws are made a block at a time,
#: and each block is read by its kernel at once, while its 512 KB are in the core's cache:
#: drawn for the whole region (up to 160 MB at 1:1), the uniforms were written to memory and
#: read back, about 2 ns a draw of the 2 billion of a 1:1 build. Consecutive blocks of a
#: stream give the numbers one draw of their total gives, so the people are the same.
BLOCK = 1 << 16


class Uniforms:
    """Reusable buffers for uniform draws, one per slot, grown to the largest draw.

    ``rng.random(out=...)`` gives the same numbers as ``rng.random(n)``; reusing
    the memory spares a fresh allocation, and its page faults, for every draw.
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


def spans(n: int) -> Iterator[tuple[int, int]]:
    """``(a, b)``: consecutive ranges of at most ``BLOCK`` that cover ``range(n)``."""
    for a in range(0, n, BLOCK):
        yield a, min(n, a + BLOCK)


def household_blocks(starts: NDArray[np.int64], n: int) -> list[tuple[int, int, int, int]]:
    """``(h0, h1, p0, p1)``: runs of whole households ``h0..h1`` and their people
    ``p0..p1``, of about ``BLOCK`` people each, that cover the region in order."""
    firsts = np.unique(np.searchsorted(starts, np.arange(0, n, BLOCK)))
    bounds = [int(h) for h in firsts if h < len(starts)] + [len(starts)]
    people = [int(starts[h]) for h in bounds[:-1]] + [n]
    return list(zip(bounds[:-1], bounds[1:], people[:-1], people[1:], strict=True))


def choice(
    rng: np.random.Generator, probs: NDArray, n: int, uniforms: Uniforms | None = None
) -> NDArray[np.intp]:
    """``n`` draws of a category with probabilities proportional to ``probs``:
    ``np.searchsorted(np.cumsum(probs), rng.random(n) * probs.sum(), side="right")``."""
    return _categories(rng, np.cumsum(probs), float(probs.sum()), n, uniforms)


def _categories(
    rng: np.random.Generator, cum: NDArray, total: float, n: int, uniforms: Uniforms | None
) -> NDArray[np.intp]:
    """``np.searchsorted(cum, rng.random(n) * total, side="right")``, a block at a time
    (without ``uniforms``, as the elite layer draws: one draw of n), each search started by
    a guide table (kernels_search.categories_scaled)."""
    out = np.empty(n, dtype=np.intp)
    cums = np.asarray(cum, dtype=np.float64).reshape(1, -1)
    guide = ks.guide_table(cums, np.int64(cums.shape[1]), total)
    if uniforms is None:
        ks.categories_scaled(cums, guide, total, rng.random(n), out)
        return out
    for a, b in spans(n):
        ks.categories_scaled(cums, guide, total, uniforms.draw(rng, b - a), out[a:b])
    return out


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
    ks.categories_into(np.cumsum(probs), u, positions, out)


def below(rng: np.random.Generator, p: float, n: int, uniforms: Uniforms) -> NDArray[np.bool_]:
    """``rng.random(n) < p``, drawn a block at a time."""
    out = np.empty(n, dtype=bool)
    for a, b in spans(n):
        np.less(uniforms.draw(rng, b - a), p, out=out[a:b])
    return out


def region_people(
    region: Region,
    n: int,
    spec: PopulationSpec,
    rates,
    rng: np.random.Generator,
    out: dict[str, NDArray],
    uniforms: Uniforms,
) -> tuple[NDArray[np.int64], int]:
    """Fill ``out`` (views of the population's arrays) with one region's people.

    Returns household sizes and the number of local workplaces, labelled from 0 in
    ``out["workplace"]`` (build.py numbers them). ``out`` must be zero-filled, but for the
    workplaces: -1. Each draw of ``n`` numbers is made a block of whole
    households at a time (``household_blocks``), and its kernel is given the block's
    slices of the arrays: a household kernel walks its block's households from the block's
    first person, so it does what it did over the whole region.
    """
    is_camp = region.kind == "camps"
    if is_camp:
        sizes = np.ones(n, dtype=np.int64)
    else:
        sizes = _sizes_covering(n, spec.household_sizes.sample, rng) if n else np.zeros(0, np.int64)
    n_h = len(sizes)
    starts = np.cumsum(sizes) - sizes
    blocks = household_blocks(starts, n)

    def draw(p0: int, p1: int) -> NDArray[np.float64]:
        return uniforms.draw(rng, p1 - p0)

    urban_h = np.zeros(n_h, dtype=bool) if is_camp else below(rng, spec.urban_share, n_h, uniforms)
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
    last = np.int64(head_cum.shape[1] - 1)
    head_guide = ks.guide_table(head_cum, last, 1.0)
    other_guide = ks.guide_table(other_cum, last, 1.0)
    age = out["age"]
    for _, _, p0, p1 in blocks:
        u = draw(p0, p1)
        ks.categories_by_group(other_cum, other_guide, residence[p0:p1], u, _NOWHERE, age[p0:p1])
    for h0, h1, _, _ in blocks:
        u = draw(h0, h1)
        ks.categories_by_group(head_cum, head_guide, residence, u, starts[h0:h1], age)
    if is_camp:
        age[:] = 1 + choice(rng, spec.age_shares[1:4], n, uniforms)
    year_cum, year_guide = _year_tables(spec)
    for _, _, p0, p1 in blocks:
        ks.years_in_bands(
            year_cum, year_guide, BAND_FIRST, residence[p0:p1], draw(p0, p1), age[p0:p1]
        )
    male = out["male"]
    if is_camp:
        male[:] = below(rng, spec.camp_male_share, n, uniforms)
    else:
        # ``male[:] = u < spec.male_by_year[residence, age]``, compiled (kernels.males_by_year)
        for _, _, p0, p1 in blocks:
            u = draw(p0, p1)
            k.males_by_year(spec.male_by_year, residence[p0:p1], age[p0:p1], u, male[p0:p1])

    # occupation and party status, weighted by occupation; levels from the sourced counts.
    occupation, party, urban = out["occupation"], out["party"], out["urban"]
    for h0, h1, p0, p1 in blocks:
        k.occupations(
            k.CODES,
            sizes[h0:h1],
            group_h[h0:h1],
            urban_h[h0:h1],
            age[p0:p1],
            male[p0:p1],
            draw(p0, p1),
            rates.p_manager,
            rates.w_manager,
            urban[p0:p1],
            occupation[p0:p1],
        )
    for _, _, p0, p1 in blocks:
        u = draw(p0, p1)
        k.clergy(
            k.CODES, age[p0:p1], male[p0:p1], u, rates.p_clergy, rates.w_clergy, occupation[p0:p1]
        )
    thresholds = np.cumsum(rates.party_targets)
    in_party = 0
    for _, _, p0, p1 in blocks:
        in_party += k.party_status(
            k.CODES,
            occupation[p0:p1],
            age[p0:p1],
            male[p0:p1],
            draw(p0, p1),
            rates.party_scale,
            rates.w_party,
            thresholds,
            party[p0:p1],
        )
    drawn = 1 + choice(rng, spec.cohort_shares, in_party, uniforms)
    k.cohorts(k.CODES, party, age, drawn, out["cohort"])

    marks = out["marks"]
    kulak_h = ~urban_h & below(rng, rates.p_kulak[region.index], n_h, uniforms)
    for h0, h1, p0, p1 in blocks:
        km.marks_first(
            k.CODES,
            sizes[h0:h1],
            kulak_h[h0:h1],
            age[p0:p1],
            male[p0:p1],
            occupation[p0:p1],
            draw(p0, p1),
            rates.p_officer,
            marks[p0:p1],
        )
    for _, _, p0, p1 in blocks:
        u = draw(p0, p1)
        km.marks_other_party(
            k.CODES, age[p0:p1], male[p0:p1], u, rates.p_other_party, rates.w_other_party,
            marks[p0:p1],
        )  # fmt: skip
    for _, _, p0, p1 in blocks:
        u = draw(p0, p1)
        km.marks_opposition(
            k.CODES, age[p0:p1], party[p0:p1], u, rates.p_oppositionist,
            spec.oppositionist_expelled_weight, marks[p0:p1],
        )  # fmt: skip
    for _, _, p0, p1 in blocks:
        u = draw(p0, p1)
        km.marks_prior(
            k.CODES, age[p0:p1], male[p0:p1], u, rates.p_prior, rates.w_prior, is_camp,
            marks[p0:p1],
        )  # fmt: skip
    if not is_camp:
        for _, _, p0, p1 in blocks:
            u = draw(p0, p1)
            km.marks_church(
                k.CODES, age[p0:p1], male[p0:p1], occupation[p0:p1], u, rates.p_church,
                rates.w_church, marks[p0:p1],
            )  # fmt: skip

    if not is_camp:
        nat_cum = np.cumsum([rates.p_nat[nat][region.index] for nat in rates.p_nat])
        nat_h = _categories(rng, nat_cum, 1.0, n_h, uniforms)  # u * 1.0 is u
        nat_codes = np.array(list(rates.p_nat), dtype=np.uint8)
        for h0, h1, p0, p1 in blocks:
            k.nationalities(
                k.CODES,
                sizes[h0:h1],
                nat_h[h0:h1],
                nat_codes,
                urban[p0:p1],
                age[p0:p1],
                draw(p0, p1),
                rates.p_foreign[region.index],
                out["nationality"][p0:p1],
                marks[p0:p1],
            )

    n_workplaces = _workplaces(out["occupation"], age, group_h, sizes, spec, rng, out["workplace"])
    return sizes, n_workplaces


def _workplaces(
    occupation: NDArray,
    age: NDArray,
    group_h: NDArray,
    sizes: NDArray,
    spec: PopulationSpec,
    rng: np.random.Generator,
    label: NDArray[np.int32],
) -> int:
    """Workplaces, labelled from 0 in ``label`` (-1 before: none): enterprises for wage
    earners, kolkhozes for kolkhoz households; returns their number.

    Groups keep their real sizes among the sampled people, so that each
    person has a realistic number of workmates at every scale.
    """
    people = k.wage_earners(k.CODES, age, occupation)
    n_enterprises = cut_into_groups(people, spec.workplace_sizes.sample, rng, 0, label)

    kolkhoz_h = np.flatnonzero(group_h == Occupation.KOLKHOZ_PEASANT)
    farm_per_hh = np.full(len(sizes), -1, dtype=np.int32)
    n_farms = cut_into_groups(kolkhoz_h, spec.kolkhoz_sizes.sample, rng, n_enterprises, farm_per_hh)
    if len(kolkhoz_h):
        k.farm_members(k.CODES, sizes, farm_per_hh, age, label)
    return n_enterprises + n_farms
