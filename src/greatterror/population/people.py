"""The population as a structure of arrays.

One NumPy array per attribute, in the smallest dtype that holds it, so that
162 million people fit in a few gigabytes. Groups are CSR index arrays
(see ``groups``). Members of the elite layer are kept at full size at every
scale and carry weight 1; everyone else stands for ``1 / scale`` people.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from greatterror.population.groups import Groups
from greatterror.population.inputs import Region

#: Person attributes and their dtypes, in one place.
PERSON_DTYPES: dict[str, type[np.generic]] = {
    "region": np.uint8,
    "urban": np.bool_,
    "male": np.bool_,
    "age": np.uint8,
    "occupation": np.uint8,
    "party": np.uint8,
    "cohort": np.uint8,
    "marks": np.uint8,
    "nationality": np.uint8,
    "elite": np.uint16,
    "workplace": np.int32,
    #: the region of the first secretary whose client the person is (-1: none); int8 holds
    #: the 65 regions' codes (``build_population`` refuses more than 128), a byte a person
    #: less than int16 (0.16 GB at 1:1)
    "patron": np.int8,
}


@dataclass
class Population:
    scale: float
    seed: int
    regions: list[Region]
    attrs: dict[str, NDArray]
    households: Groups
    workplaces: Groups
    n_mass: int
    workplace_region: NDArray[np.uint8]
    notes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, scale: float, seed: int, threads: int = 1) -> Population:
        """Build the synthetic population at ``scale`` (1 = the whole USSR) from ``seed``,
        ``threads`` regions at once (the same population at any count, only the wall time
        changes; population/build.py).

        A built population can be given to several ``gt.Sim`` runs, which
        read it and never change it. ``scale``, ``seed`` and ``threads`` are checked as
        ``gt.Sim`` checks them (``SimError`` naming the field and its allowed
        values) before any work.
        """
        from greatterror.api.options import check_scale, check_seed, check_threads
        from greatterror.population.build import build_population

        return build_population(
            check_scale(scale), check_seed(seed), threads=check_threads(threads)
        )

    def __len__(self) -> int:
        return int(self.attrs["region"].shape[0])

    def __getitem__(self, name: str) -> NDArray:
        if name == "household" and name not in self.attrs:
            # no silent 4 bytes a person (0.65 GB at 1:1) for a run that asks for all labels
            raise KeyError(
                "household: the population keeps no household label per person; use "
                "household_of(people), or household_labels() for everyone (tests, descriptions)"
            )
        return self.attrs[name]

    def household_of(self, idx: NDArray[np.integer]) -> NDArray[np.int64]:
        """The household of each of ``idx``.

        Households are runs of people (``households.indptr``), so a person's household is
        found in the bounds: the population keeps no household label per person (it was 4
        bytes a person, 0.65 GB at 1:1, read only for the few people a step asks about).
        """
        if self.households.members is not None:
            raise ValueError("household_of: the households are not runs of people")
        bounds = self.households.indptr
        # searched as the bounds' own dtype (int32): NumPy would otherwise search an int64
        # copy of all the bounds (0.3 GB at 1:1) at each call
        people = np.asarray(idx).astype(bounds.dtype)
        return np.searchsorted(bounds, people, side="right").astype(np.int64) - 1

    def household_labels(self) -> NDArray[np.int32]:
        """Every person's household, made on demand at 4 bytes a person: for tests and
        descriptions, not for a run, which uses ``household_of`` (``pop["household"]`` is a
        KeyError saying so)."""
        sizes = self.households.sizes()
        return np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)

    def party_cells(self) -> Groups:
        """Primary party organisations: the members and candidates of each workplace.

        Built on demand from the workplace labels, so they cost no memory
        until a step or a report asks for them.
        """
        from greatterror.population.codes import Party
        from greatterror.population.groups import groups_from_labels

        party = self.attrs["party"]
        in_cell = (party == Party.MEMBER) | (party == Party.CANDIDATE)
        labels = np.where(in_cell, self.attrs["workplace"], -1).astype(np.int32)
        return groups_from_labels(labels, self.workplaces.count)

    @property
    def is_elite_layer(self) -> NDArray[np.bool_]:
        """Whether each row is of the elite layer (``elite != 0``), as a new array.

        Only the layer's rows are written: the array starts as zeros, which the system
        gives without writing them, and the layer is a run at the end of the population
        (``population/build.py``), so the pages of the mass rows are never made resident.
        ``elite != 0`` wrote every row (1 byte a person, 0.16 GB at 1:1, held by the engine
        for the whole run). Only the layer's rows are read: the mass rows' ``elite`` is 0
        (``build_population`` never writes it)."""
        out = np.zeros(len(self), dtype=bool)
        out[self.n_mass + np.flatnonzero(self.attrs["elite"][self.n_mass :])] = True
        return out

    @property
    def weight_of_layer(self) -> NDArray[np.float64]:
        """Weight of a mass person and of an elite-layer person."""
        return np.array([1.0 / self.scale, 1.0])

    def weights(self, idx: NDArray[np.integer] | None = None) -> NDArray[np.float64]:
        elite = self.attrs["elite"] if idx is None else self.attrs["elite"][idx]
        return self.weight_of_layer[(elite != 0).astype(np.intp)]

    def represented(self) -> float:
        n_elite = len(self) - self.n_mass
        return self.n_mass / self.scale + n_elite

    @property
    def nbytes(self) -> int:
        return int(
            sum(a.nbytes for a in self.attrs.values())
            + self.households.nbytes
            + self.workplaces.nbytes
            + self.workplace_region.nbytes
        )
