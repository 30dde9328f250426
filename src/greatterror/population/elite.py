"""The elite layer: leaders, delegates, commanders and NKVD officers, at full size.

Built before the mass population (whose counts it is subtracted from) from
its own random stream, and the same at every scale.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.population.codes import Cohort, Elite, Mark, Occupation, Party
from greatterror.population.inputs import Region
from greatterror.population.region import choice, years_of
from greatterror.population.spec import PopulationSpec

FAMILY_ELITE = (
    Elite.CC_1934
    | Elite.CONGRESS_1934
    | Elite.ARMY_HIGH_COMMAND
    | Elite.NKVD_LEADERSHIP
    | Elite.REGIONAL_SECRETARY
    | Elite.PROMINENT_OPPOSITIONIST
)


#: the share of men among an elite household's members other than its head (a wife and
#: children of both sexes, so under one half); a stated prior, no source: one value for the
#: leaders' households (``elite_layer``) and the officers' (``officer_households``)
FAMILY_MALE_SHARE = 0.4


def elite_layer(
    regions: list[Region], spec: PopulationSpec, rng: np.random.Generator
) -> dict[str, NDArray]:
    """The elite layer, at full size: leaders, delegates, commanders, NKVD officers.

    Top leaders bring their households (needed for the repression of
    families); rank-and-file officers are single rows here, and get their
    households from ``officer_households`` on a stream of their own.
    """
    land = [r for r in regions if r.kind != "camps"]
    pops = np.array([r.population for r in land])
    share = pops / pops.sum()
    capital = next(i for i, r in enumerate(land) if r.code == "moscow_obl")

    def place(k: int, capital_share: float = 0.0) -> NDArray:
        idx = choice(rng, share, k)
        idx[rng.random(k) < capital_share] = capital
        return np.array([land[i].index for i in idx], dtype=np.uint8)

    blocks: list[tuple[int, NDArray, int, int]] = []  # (flags, regions, occupation, workplace kind)
    congress, military = congress_posts(spec, rng)
    blocks.append((-1, place(len(congress), 0.3), Occupation.PARTY_STATE_ELITE, 0))
    secretaries = np.array([r.index for r in land], dtype=np.uint8)
    blocks.append((Elite.REGIONAL_SECRETARY, secretaries, Occupation.PARTY_STATE_ELITE, 0))
    # the congress's military delegates are part of the high command, not added to it
    blocks.append(
        (
            Elite.ARMY_HIGH_COMMAND | Elite.CONGRESS_1934,
            place(military, 0.3),
            Occupation.ARMY_COMMAND,
            2,
        )
    )
    blocks.append(
        (
            Elite.ARMY_HIGH_COMMAND,
            place(spec.army_high_command - military, 0.3),
            Occupation.ARMY_COMMAND,
            2,
        )
    )
    blocks.append((Elite.ARMY_OFFICER, place(spec.army_officers), Occupation.ARMY_COMMAND, 2))
    blocks.append(
        (Elite.NKVD_LEADERSHIP, place(spec.nkvd_leadership, 0.6), Occupation.NKVD_STAFF, 1)
    )
    blocks.append((Elite.NKVD_OFFICER, place(spec.nkvd_officers), Occupation.NKVD_STAFF, 1))
    blocks.append(
        (
            Elite.PROMINENT_OPPOSITIONIST,
            place(spec.prominent_oppositionists, 0.5),
            Occupation.EMPLOYEE_SPECIALIST,
            0,
        )
    )

    flags_list, region_list, occ_list, kind_list = [], [], [], []
    for block_flags, where, occ, block_kind in blocks:
        k = len(where)
        flags_list.append(
            congress if block_flags == -1 else np.full(k, int(block_flags), dtype=np.uint16)
        )
        region_list.append(where)
        occ_list.append(np.full(k, int(occ), dtype=np.uint8))
        kind_list.append(np.full(k, block_kind, dtype=np.int8))
    flags = np.concatenate(flags_list)
    region = np.concatenate(region_list)
    occupation = np.concatenate(occ_list)
    kind = np.concatenate(kind_list)

    # households: leaders head a family; officers are single rows here (officer_households)
    with_family = (flags & FAMILY_ELITE) != 0
    sizes = np.where(with_family, spec.household_sizes.sample(rng, len(flags)), 1)
    members = int(sizes.sum())
    owner = np.repeat(np.arange(len(flags)), sizes)
    head = np.zeros(members, dtype=bool)
    head[np.cumsum(sizes) - sizes] = True
    out_flags = np.where(head, flags[owner], int(Elite.ELITE_FAMILY)).astype(np.uint16)
    band = np.where(head, 2 + (rng.random(members) < 0.45), choice(rng, spec.age_shares, members))
    age = years_of(spec, band, np.ones(members, dtype=np.uint8), rng.random(members))
    delegate = (out_flags & Elite.CONGRESS_1934) != 0  # a party congress's delegates are members
    party = np.where(
        head & ((occupation[owner] != Occupation.ARMY_COMMAND) | delegate)
        | (head & (rng.random(members) < 0.7)),
        Party.MEMBER,
        Party.NONE,
    )
    cohort = np.zeros(members, dtype=np.uint8)
    cohort[party == Party.MEMBER] = 1 + choice(
        rng, spec.cohort_shares, int((party == Party.MEMBER).sum())
    )
    leaders = head & (
        (out_flags & (Elite.CC_1934 | Elite.CONGRESS_1934 | Elite.REGIONAL_SECRETARY)) != 0
    )
    # the 1934 leadership was overwhelmingly of the revolutionary generation
    cohort[leaders] = np.where(
        rng.random(int(leaders.sum())) < 0.8, Cohort.BEFORE_1917, Cohort.Y1917_1920
    )
    # former oppositionists: all of the prominent group, a few of the 1934 leadership
    opposition = head & ((out_flags & Elite.PROMINENT_OPPOSITIONIST) != 0)
    commanders = head & ((out_flags & Elite.ARMY_HIGH_COMMAND) != 0)
    opposition |= (leaders | commanders) & (
        rng.random(members) < spec.leadership_oppositionist_share
    )
    marks = np.where(opposition, int(Mark.OPPOSITIONIST), 0).astype(np.uint8)
    party[opposition & (party == Party.NONE)] = Party.MEMBER  # a past opposition means a party past
    prominent = head & ((out_flags & Elite.PROMINENT_OPPOSITIONIST) != 0)
    party[prominent] = Party.EXPELLED
    cohort[prominent] = Cohort.BEFORE_1917
    return {
        "region": region[owner],
        "urban": np.ones(members, dtype=bool),
        "male": np.where(head, True, rng.random(members) < FAMILY_MALE_SHARE),
        "age": age,
        "occupation": np.where(head, occupation[owner], Occupation.OTHER).astype(np.uint8),
        "party": party.astype(np.uint8),
        "cohort": cohort,
        "marks": marks,
        "nationality": np.zeros(members, dtype=np.uint8),
        "elite": out_flags,
        "_sizes": sizes.astype(np.int64),
        "_kind": np.where(head, kind[owner], -1).astype(np.int8),
    }


#: the officers below the elite (the army's command staff below the high command, the NKVD's
#: state-security officers) whose households Order 00486 reaches (``officer_households``)
OFFICER_ELITE = Elite.ARMY_OFFICER | Elite.NKVD_OFFICER


def officer_households(
    layer: dict[str, NDArray], spec: PopulationSpec, rng: np.random.Generator
) -> dict[str, NDArray]:
    """The elite layer with a household for each officer below the elite, inserted after him.

    Order 00486 reached the wives of the officers the Military Collegium and the military
    tribunals convicted (model/families.py); a single row has no wife. Each officer's
    household is drawn as a leader's is (``elite_layer``): its size from the census
    distribution of households (``spec.household_sizes``, the same prior), its members'
    sexes and ages as a leader's family members', so that an officer has a wife when an
    adult woman is drawn into his household; no marital share of officers was found (NOT
    FOUND), and this is the leaders' rule carried over, a prior. The draws are on their own
    stream ``rng`` and the rows are inserted after their officer, so every other row keeps
    its attributes and its order (its index moves by the rows inserted before it).
    """
    sizes = layer["_sizes"]
    starts = np.cumsum(sizes) - sizes  # each household's first row, its head
    officer = ((layer["elite"][starts] & OFFICER_ELITE) != 0) & (sizes == 1)
    at = starts[officer]
    extra = spec.household_sizes.sample(rng, len(at)) - 1
    n = int(extra.sum())
    owner = np.repeat(at, extra)
    band = choice(rng, spec.age_shares, n)
    family: dict[str, NDArray] = {
        "region": layer["region"][owner],
        "urban": np.ones(n, dtype=bool),
        "male": rng.random(n) < FAMILY_MALE_SHARE,
        "age": years_of(spec, band, np.ones(n, dtype=np.uint8), rng.random(n)),
        "occupation": np.full(n, int(Occupation.OTHER), dtype=np.uint8),
        "party": np.full(n, int(Party.NONE), dtype=np.uint8),
        "cohort": np.zeros(n, dtype=np.uint8),
        "marks": np.zeros(n, dtype=np.uint8),
        "nationality": np.zeros(n, dtype=np.uint8),
        "elite": np.full(n, int(Elite.ELITE_FAMILY), dtype=np.uint16),
        "_kind": np.full(n, -1, dtype=np.int8),
    }
    # each officer's members follow him: the insertion point is the row after him
    new_rows, old = _insertion(len(layer["elite"]), at, extra)
    out = {
        name: _insert_after(values, new_rows, old, family[name])
        for name, values in layer.items()
        if name != "_sizes"
    }
    new_sizes = sizes.copy()
    new_sizes[officer] += extra
    out["_sizes"] = new_sizes
    return out


def _insert_after(
    values: NDArray, new_rows: NDArray[np.int64], old: NDArray[np.bool_], rows: NDArray
) -> NDArray:
    """``np.insert(values, np.repeat(at + 1, extra), rows)`` (``_insertion`` gives ``new_rows``
    and ``old`` from ``at`` and ``extra``): the same array, element for element."""
    out = np.empty(len(old), dtype=values.dtype)
    out[new_rows] = np.asarray(rows, dtype=values.dtype)
    out[old] = values
    return out


def _insertion(
    n: int, at: NDArray[np.integer], extra: NDArray[np.integer]
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Where ``np.insert`` puts ``extra[i]`` rows after row ``at[i]`` (``at`` ascending) of ``n``
    rows, and which rows of the result are the old ones. ``np.insert`` sorts its positions and
    builds this mask at every call: for the half million rows of the officers' households,
    once per attribute, about a tenth of a second of each population build."""
    new_rows = np.repeat(np.asarray(at, dtype=np.int64) + 1, np.asarray(extra, dtype=np.int64))
    new_rows += np.arange(len(new_rows), dtype=np.int64)  # each lands after those before it
    old = np.ones(n + len(new_rows), dtype=bool)
    old[new_rows] = False
    return new_rows, old


def congress_posts(spec: PopulationSpec, rng: np.random.Generator) -> tuple[NDArray, int]:
    """The flags of the 17th Congress's civilian delegates, and the number of its military ones.

    The mandate commission's report gives the delegates' posts (data/population/marginals.csv,
    ``pop_congress17_*_share``): party bodies, the soviet apparatus, military bodies, and the
    rest (the economy, transport, production). Those of the party and soviet apparatus carry
    ``Elite.APPARATUS_1934``: the purge of the party-state elite opened on them (M20, group
    ``party``), while the delegates from the economy and production were reached by the
    names given under interrogation. The military delegates are returned as a count: they
    belong to the army high command. The first civilian delegates are the 1934 Central
    Committee; the apparatus posts fall on civilian delegates at random, the CC included.
    """
    party, soviet, army = spec.congress_posts
    military = round(army * spec.congress_1934)
    civil = spec.congress_1934 - military
    flags = np.full(civil, int(Elite.CONGRESS_1934), dtype=np.uint16)
    flags[: spec.cc_1934] |= np.uint16(Elite.CC_1934)
    apparatus = rng.permutation(civil)[: min(round((party + soviet) * spec.congress_1934), civil)]
    flags[apparatus] |= np.uint16(Elite.APPARATUS_1934)
    return flags, military


ELITE_UNIT_SIZE = 50


def elite_units(
    kind: NDArray[np.int32], region: NDArray[np.int64], n_regions: int
) -> tuple[NDArray[np.int32], NDArray[np.uint8]]:
    """Workplace labels of the elite layer and the region of each workplace."""
    label = np.full(len(kind), -1, dtype=np.int32)
    unit_regions: list[NDArray] = []
    base = 0
    for k in (0, 1, 2):
        members = np.flatnonzero(kind == k)
        if len(members) == 0:
            continue
        order = members[np.argsort(region[members], kind="stable")]
        reg = region[order]
        counts = np.bincount(reg, minlength=n_regions)
        size = len(order) if k == 0 else ELITE_UNIT_SIZE
        per_region = (
            np.where(counts > 0, -(-counts // size), 0) if k else (counts > 0).astype(np.int64)
        )
        first_unit = np.cumsum(per_region) - per_region
        rank = np.arange(len(order)) - (np.cumsum(counts) - counts)[reg]
        unit = first_unit[reg] + (rank // ELITE_UNIT_SIZE if k else 0)
        label[order] = base + unit
        unit_regions.append(np.repeat(np.arange(n_regions, dtype=np.uint8), per_region))
        base += int(per_region.sum())
    return label, np.concatenate(unit_regions) if unit_regions else np.empty(0, np.uint8)
