"""Build the synthetic population, region by region.

Each region is generated from its own random stream (seeded by the run seed
and the region's index), so the result is bit-for-bit the same whatever the
order or chunking, and peak memory is bounded by the largest region plus the
final arrays. Rates are set so that the *expected* national counts equal the
sourced marginals; ``describe`` reports the achieved counts against them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np
from numpy.typing import NDArray

from greatterror.population.codes import (
    Elite,
    Mark,
    Occupation,
    Party,
)
from greatterror.population.elite import elite_layer, elite_units, officer_households
from greatterror.population.groups import Groups
from greatterror.population.inputs import PopulationInputs, Region, load_inputs
from greatterror.population.kernels import place_workplaces
from greatterror.population.people import PERSON_DTYPES, Population
from greatterror.population.placement import Placement, load_placement, regional_rates
from greatterror.population.region import Uniforms, below, region_people
from greatterror.population.spec import PopulationSpec, build_spec, sex_weights_for_pool
from greatterror.scales import MAX_SCALE, MIN_SCALE

REGION_ATTRIBUTES = (
    "urban",
    "male",
    "age",
    "occupation",
    "party",
    "cohort",
    "marks",
    "nationality",
    "workplace",
)
POPULATION_STREAM = 0x506F70  # "Pop": keeps population draws apart from model draws

#: the dtype of the household bounds (``Groups.indptr``): int32 holds 162 million people and
#: spares 4 bytes a household against int64 (about 0.16 GB at 1:1)
HOUSEHOLD_BOUND = np.int32


def _refuse_over(count: int, what: str, allowed: int, holder: str) -> None:
    """Refuse more ``what`` (regions, people) than ``holder`` can number, before any work."""
    if count > allowed:
        raise ValueError(f"{count:,} {what}: {holder}; allowed: at most {allowed:,}")


def _largest(dtype: type[np.generic]) -> int:
    """The largest value of ``dtype``: limits are read from the dtypes, so that a later change
    of a dtype moves its limit with it."""
    return int(np.iinfo(np.dtype(dtype).name).max)


class _Rates:
    """National per-person probabilities that make expected counts match the spec."""

    def __init__(
        self,
        spec: PopulationSpec,
        regions: list[Region],
        placement: Placement,
        elite: dict[str, NDArray],
    ):
        # the elite layer is built first; the mass population makes up the rest of each count
        in_elite = {status: float((elite["party"] == status).sum()) for status in Party}
        self.party_targets = (
            max(spec.party_members - in_elite[Party.MEMBER], 0.0),
            max(spec.party_candidates - in_elite[Party.CANDIDATE], 0.0),
            max(spec.party_expelled - in_elite[Party.EXPELLED], 0.0),
        )
        elite_oppositionists = float(((elite["marks"] & Mark.OPPOSITIONIST) != 0).sum())
        total = spec.total
        age = spec.age_shares
        adults = total * age[1:].sum()
        self.urban_probs, self.rural_probs = _group_probs(spec)
        occ_share = {Occupation(c): 0.0 for c in range(len(Occupation))}
        for code, share in zip(spec.group_codes, spec.group_shares, strict=True):
            occ_share[Occupation(int(code))] += float(share)
        self.p_manager = spec.managers / (
            total * (age[2] + age[3]) * (1 - occ_share[Occupation.OTHER])
        )
        # managers are drawn among people aged 30-59 (bands 2 and 3), with these weights
        # for sex: the expected count stays pop_managers_1937, its men's share is the input's
        self.w_manager = spec.sex_weights(spec.managers_male_share, 2, 4)
        self.p_clergy = spec.clergy / (total * age[2:].sum())
        adults_by_occ = {o: occ_share.get(o, 0.0) * adults for o in spec.party_propensity}
        adults_by_occ[Occupation.MANAGER_OFFICIAL] = spec.managers
        adults_by_occ[Occupation.EMPLOYEE_SPECIALIST] -= (
            spec.managers
        )  # managers come out of the wage groups
        weighted = sum(w * adults_by_occ[o] for o, w in spec.party_propensity.items())
        self.party_scale = np.zeros(len(Occupation))
        for o, w in spec.party_propensity.items():
            self.party_scale[o] = w / weighted
        # the party's sex weights are set against the propensity-weighted share of men
        # among adults: managers, the most likely members, are mostly men, so the share
        # of men among all adults would give the party too many men and members
        adult_men = spec.male_share_among(1)
        men_by_occ = {o: adult_men * n for o, n in adults_by_occ.items()}
        men_by_occ[Occupation.MANAGER_OFFICIAL] = spec.managers_male_share * spec.managers
        men_by_occ[Occupation.EMPLOYEE_SPECIALIST] -= (
            spec.managers_male_share - adult_men
        ) * spec.managers
        men_weighted = sum(w * men_by_occ[o] for o, w in spec.party_propensity.items())
        self.w_party = sex_weights_for_pool(spec.party_male_share, men_weighted / weighted)
        self.w_clergy = spec.sex_weights(spec.clergy_male_share, 2)
        self.w_other_party = spec.sex_weights(spec.other_parties_male_share, 3)
        # church and sectarian activists among people aged 45 and over (kernels_marks.marks_church)
        self.p_church = spec.church_activists / (total * age[3:].sum())
        self.w_church = spec.sex_weights(spec.church_activists_male_share, 3)
        self.w_prior = spec.sex_weights(spec.prior_conviction_male_share, 1)
        men_45 = total * (age[3:] * spec.male_by_age[3:]).sum()
        self.p_officer = spec.former_officers / men_45
        self.p_other_party = spec.former_other_parties / (total * age[3:].sum())
        weight = spec.oppositionist_expelled_weight
        party_30 = (
            (spec.party_members + spec.party_expelled * weight) * age[2:].sum() / age[1:].sum()
        )
        self.p_oppositionist = (
            max(spec.former_oppositionists - elite_oppositionists, 0.0) / party_30
        )
        self.p_prior = spec.prior_conviction_share
        pops = np.array([r.population for r in regions])
        rural = pops * (1 - spec.urban_share)

        def per_region(attribute: str, target: float, base: NDArray) -> NDArray:
            return regional_rates(attribute, target, base, regions, placement)

        # the mark is one person's (the former kulak himself, see kernels_marks.kulak_head), so the
        # per-household rate is set against households: the special settlers count whole
        # families, the at-large share counts adults. The settlers live where the settlements
        # were (concentrations.csv, special_settler); the former kulaks at large are those who
        # had returned home after their terms or fled (Order 00447, section I; the Politburo's
        # decision of 2 July 1937), so they are spread like the rural households, with no
        # concentration of their own (no count by region was found)
        mean_household = spec.household_sizes.mean()
        households = rural / mean_household
        self.p_kulak = per_region(
            "special_settler", spec.special_settlers / mean_household, households
        ) + per_region("former_kulak_at_large", spec.former_kulak_share_rural * adults, households)
        self.p_nat = {
            nat: per_region(nat.name.lower(), count, pops)
            for nat, count in spec.nationalities.items()
        }
        self.p_foreign = per_region(
            "foreign_communist", spec.foreign_communists, pops * spec.urban_share * age[1:].sum()
        )


def _group_probs(spec: PopulationSpec) -> tuple[NDArray, NDArray]:
    """Social group of a household given urban or rural residence.

    Kolkhoz and individual peasants are rural; workers, employees and others
    fill the towns first and the remainder live in the countryside.
    """
    rural_only = np.isin(
        spec.group_codes, [Occupation.KOLKHOZ_PEASANT, Occupation.INDIVIDUAL_PEASANT]
    )
    town = np.where(rural_only, 0.0, spec.group_shares)
    urban = town / town.sum()
    rural = spec.group_shares - spec.urban_share * urban
    rural = np.clip(rural, 0, None)
    return urban, rural / rural.sum()


def _mass_sizes(
    regions: list[Region], spec: PopulationSpec, n_elite: int, scale: float, seed: int
) -> NDArray[np.int64]:
    """Sampled people per region: expected pop * scale, rounded stochastically."""
    pops = np.array([r.population for r in regions])
    target = pops / pops.sum() * (spec.total - n_elite) * scale
    rng = np.random.default_rng(np.random.SeedSequence([seed, POPULATION_STREAM, 99_999]))
    return (np.floor(target) + (rng.random(len(target)) < target % 1)).astype(np.int64)


def _add_households(indptr: NDArray[np.int32], first: int, start: int, sizes: NDArray) -> None:
    """Household bounds ``indptr[first + 1 :]`` of a run of households starting at person ``start``."""
    bounds = indptr[first + 1 : first + 1 + len(sizes)]
    np.cumsum(sizes, out=bounds)
    bounds += start


def build_population(
    scale: float, seed: int, inputs: PopulationInputs | None = None, threads: int = 1
) -> Population:
    """The synthetic population at ``scale`` (1 = the whole USSR) from ``seed``.

    ``threads`` regions are built at once (each from its own stream, into its own slices of
    the arrays; the kernels release the GIL, and so do NumPy's draws): the same population
    at any count. One by default: an ensemble's worker processes already use the cores.
    """
    if not (MIN_SCALE <= scale <= MAX_SCALE):
        raise ValueError(
            f"scale: {scale} is out of range; allowed values: {MIN_SCALE:g} to {MAX_SCALE:g}"
        )
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads: {threads!r}; allowed: a whole number of at least 1")
    from greatterror.model.compiled import drop_stale_caches

    drop_stale_caches()  # before any kernel runs: a cached caller may hold an old callee
    inputs = inputs or load_inputs()
    regions = inputs.regions
    patron = PERSON_DTYPES["patron"]  # region codes 0 to count - 1
    _refuse_over(
        len(regions), "regions", _largest(patron) + 1, f"region codes are {patron.__name__}"
    )
    spec = build_spec(inputs)
    elite_rng = np.random.default_rng(np.random.SeedSequence([seed, POPULATION_STREAM, 100_000]))
    elite = elite_layer(regions, spec, elite_rng)
    # the officers' households, on a stream of their own (population/elite.py); the mass
    # population is the census less the whole layer, so its sizes by region (and with them
    # its draws) change by the households' 0.5 million of 162 million
    family_rng = np.random.default_rng(np.random.SeedSequence([seed, POPULATION_STREAM, 100_001]))
    elite = officer_households(elite, spec, family_rng)
    rates = _Rates(spec, regions, load_placement(regions), elite)
    n_elite = len(elite["region"])
    n_by_region = _mass_sizes(regions, spec, n_elite, scale, seed)
    n_mass = int(n_by_region.sum())
    total = n_mass + n_elite

    # zeros, which the system gives without writing them; the -1 of ``patron`` and
    # ``workplace`` is written by each region into its own rows (by the threads, if any)
    attrs = {name: np.zeros(total, dtype=dtype) for name, dtype in PERSON_DTYPES.items()}
    # households and workplace members are written into arrays sized for the worst case
    # (one household or workplace place per person); only the pages used are touched,
    # which spares concatenating per-region parts (a second copy of each at 1:1)
    # the last household bound equals the number of people (``HOUSEHOLD_BOUND``)
    bound = HOUSEHOLD_BOUND.__name__
    _refuse_over(total, "people", _largest(HOUSEHOLD_BOUND), f"household bounds are {bound}")
    hh_indptr = np.empty(total + 1, dtype=HOUSEHOLD_BOUND)
    hh_indptr[0] = 0
    wp_members = np.empty(total, dtype=np.int32)
    wp_used = 0
    wp_indptr_parts: list[NDArray] = []
    wp_region_parts: list[NDArray] = []
    offset, hh_offset, wp_offset = 0, 0, 0
    client_share = inputs.value("pop_patronage_client_share")

    def add_workplaces(n: int, n_groups: int, start: int, region_idx: NDArray) -> None:
        """Number the workplaces the people ``start..start + n`` hold by local labels
        (``attrs["workplace"]``) from ``wp_offset`` on, and place their members."""
        nonlocal wp_offset, wp_used
        placed = wp_members[wp_used:]
        workplace = attrs["workplace"][start : start + n]
        counts = place_workplaces(workplace, n_groups, start, np.int64(wp_offset), placed)
        wp_used += int(counts.sum())
        wp_indptr_parts.append(np.cumsum(counts))
        wp_region_parts.append(region_idx)
        wp_offset += n_groups

    # each region's first row: the regions' rows follow each other in the list's order
    firsts = np.cumsum([0] + [int(n_by_region[r.index]) for r in regions])

    def one_region(k: int) -> tuple[NDArray[np.int64], int]:
        """Region ``k`` of the list, into its own rows: from its own stream, with its own
        buffers, so that regions can be built at once and in any order."""
        region = regions[k]
        start, n = int(firsts[k]), int(firsts[k + 1] - firsts[k])
        rng = np.random.default_rng(np.random.SeedSequence([seed, POPULATION_STREAM, region.index]))
        sl = slice(start, start + n)
        attrs["patron"][sl] = -1
        attrs["workplace"][sl] = -1
        out = {name: attrs[name][sl] for name in REGION_ATTRIBUTES}
        uniforms = Uniforms()
        sizes, n_wp = region_people(region, n, spec, rates, rng, out, uniforms)
        attrs["region"][sl] = region.index
        # the code as a plain int: an IntEnum member makes NumPy compare through int64
        clients = (out["occupation"] == int(Occupation.MANAGER_OFFICIAL)) & below(
            rng, client_share, n, uniforms
        )
        attrs["patron"][start + np.flatnonzero(clients)] = region.index
        return sizes, n_wp

    with ThreadPoolExecutor(threads) if threads > 1 else nullcontext() as pool:
        built = (
            pool.map(one_region, range(len(regions)))
            if pool
            else map(one_region, range(len(regions)))
        )
        # the workplaces are numbered and the households bounded in the regions' order
        for region, (sizes, n_wp) in zip(regions, built, strict=True):
            n = int(n_by_region[region.index])
            add_workplaces(n, n_wp, offset, np.full(n_wp, region.index, dtype=np.uint8))
            _add_households(hh_indptr, hh_offset, offset, sizes)
            offset += n
            hh_offset += len(sizes)

    sl = slice(offset, total)
    attrs["patron"][sl] = -1
    for name in ("region", *REGION_ATTRIBUTES, "elite"):
        if name != "workplace":  # the layer's units are placed below
            attrs[name][sl] = elite[name]
    sizes = elite["_sizes"]
    _add_households(hh_indptr, hh_offset, offset, sizes)
    hh_offset += len(sizes)
    # elite workplaces: a party apparatus per region; NKVD offices and army units of
    # ELITE_UNIT_SIZE officers, so that a confession names colleagues, not a whole corps
    local, unit_region = elite_units(
        elite["_kind"].astype(np.int32), elite["region"].astype(np.int64), len(regions)
    )
    attrs["workplace"][offset:total] = local
    add_workplaces(total - offset, len(unit_region), offset, unit_region)
    top = (elite["elite"] & (Elite.CC_1934 | Elite.CONGRESS_1934 | Elite.REGIONAL_SECRETARY)) != 0
    attrs["patron"][offset + np.flatnonzero(top)] = elite["region"][top]

    indptr = np.zeros(wp_offset + 1, dtype=np.int64)
    pos, base = 1, 0
    for part in wp_indptr_parts:
        indptr[pos : pos + len(part)] = part + base
        base += int(part[-1]) if len(part) else 0
        pos += len(part)
    workplaces = Groups(indptr=indptr, members=wp_members[:wp_used])
    # households are contiguous runs of people
    households = Groups(indptr=hh_indptr[: hh_offset + 1], members=None)
    return Population(
        scale=scale,
        seed=seed,
        regions=regions,
        attrs=attrs,
        households=households,
        workplaces=workplaces,
        n_mass=n_mass,
        workplace_region=np.concatenate(wp_region_parts),
    )
