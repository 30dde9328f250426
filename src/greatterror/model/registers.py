"""The NKVD's registers: per-region lists of the people each operation targets.

Built once at the start, as CSR arrays (region -> people), so that daily
selection samples a count per region and then draws who from the register,
instead of scanning the population.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from greatterror.population.codes import Elite, Mark, Nationality
from greatterror.population.groups import Groups, groups_from_labels
from greatterror.population.people import Population

KULAK_OPERATION_MARKS = (
    Mark.FORMER_KULAK
    | Mark.PRIOR_CONVICTION
    | Mark.CLERGY_SECTARIAN
    | Mark.WHITE_OFFICER
    | Mark.OTHER_PARTY
)

NATIONAL_OPERATIONS: dict[str, tuple[Nationality, ...]] = {
    "national_polish": (Nationality.POLISH,),
    "national_german": (Nationality.GERMAN,),
    "national_harbin": (Nationality.HARBIN,),
    "national_latvian": (Nationality.LATVIAN,),
    "national_other": (
        Nationality.FINNISH,
        Nationality.ESTONIAN,
        Nationality.GREEK,
        Nationality.KOREAN,
        Nationality.OTHER,
    ),
}


@dataclass(frozen=True)
class Register:
    groups: Groups  # region -> people on the register

    def sizes(self) -> NDArray[np.int64]:
        return self.groups.sizes()

    def draw(self, counts: NDArray[np.integer], rng: np.random.Generator) -> NDArray[np.int32]:
        """``counts[r]`` people drawn (with replacement) from region r's register."""
        sizes = self.sizes()
        counts = np.where(sizes > 0, counts, 0)
        total = int(counts.sum())
        if total == 0:
            return np.empty(0, dtype=np.int32)
        regions = np.repeat(np.arange(len(counts)), counts)
        offsets = (rng.random(total) * sizes[regions]).astype(np.int64)
        return self.groups.at(self.groups.indptr[regions] + offsets)


def _register(pop: Population, mask: NDArray[np.bool_]) -> Register:
    labels = np.where(mask, pop["region"].astype(np.int32), -1)
    return Register(groups_from_labels(labels, len(pop.regions)))


@dataclass(frozen=True)
class Registers:
    kulak: Register
    national: dict[str, Register]
    region_start: NDArray[np.int64]
    region_size: NDArray[np.int64]
    elite_heads: NDArray[np.int32]
    clients: Groups  # patron circle (region) -> clients

    def draw_anyone(
        self, counts: NDArray[np.integer], rng: np.random.Generator
    ) -> NDArray[np.int64]:
        """People drawn uniformly from each region's mass population."""
        counts = np.where(self.region_size > 0, counts, 0)
        regions = np.repeat(np.arange(len(counts)), counts)
        return self.region_start[regions] + (
            rng.random(len(regions)) * self.region_size[regions]
        ).astype(np.int64)


def build_registers(pop: Population) -> Registers:
    mass = ~pop.is_elite_layer
    marks = pop["marks"]
    kulak = _register(pop, mass & ((marks & KULAK_OPERATION_MARKS) != 0))
    national = {}
    for op, nats in NATIONAL_OPERATIONS.items():
        mask = np.isin(pop["nationality"], [int(n) for n in nats])
        if op == "national_other":
            mask |= (marks & Mark.FOREIGN_COMMUNIST) != 0
        national[op] = _register(pop, mask)
    # mass people are stored region by region, so a region is a contiguous slice
    region = pop["region"][: pop.n_mass]
    sizes = np.bincount(region, minlength=len(pop.regions)).astype(np.int64)
    starts = np.cumsum(sizes) - sizes
    heads = np.flatnonzero((pop["elite"] != 0) & ((pop["elite"] & Elite.ELITE_FAMILY) == 0)).astype(
        np.int32
    )
    patron = pop["patron"].astype(np.int32)
    clients = groups_from_labels(np.where(mass, patron, -1), len(pop.regions))
    return Registers(kulak, national, starts, sizes, heads, clients)
