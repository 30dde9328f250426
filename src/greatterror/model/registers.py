"""The NKVD's registers: per-region lists of the people each operation targets.

Built once at the start, as CSR arrays (region -> people), so that daily
selection samples a count per region and then draws who from the register,
instead of scanning the population.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
from numba import njit
from numpy.typing import NDArray

from greatterror.evidence.csvrows import read_rows
from greatterror.model.kernels import count_values
from greatterror.model.line_draws import draw_line, lines_rng, profiled
from greatterror.model.lines import (
    LineSpec,
    acceptance,
    category_shares,
    draw_accepting,
    line_00447,
    line_male_shares,
    list_male_shares,
    load_lines,
    mark_lines,
    naming_fit,
)
from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.paths import population_data_dir
from greatterror.population.codes import MIN_ARREST_AGE, Elite, Mark
from greatterror.population.groups import Groups
from greatterror.population.inputs import MarginalRow
from greatterror.population.people import Population
from greatterror.vocabulary import LN

#: a plain int, not the ``Mark`` flag: NumPy takes an IntFlag member for an int64 array, so
#: ``marks & Mark.X`` makes an int64 copy of the marks (8 bytes a person marked)
KULAK_OPERATION_MARKS = int(
    Mark.FORMER_KULAK
    | Mark.PRIOR_CONVICTION
    | Mark.CLERGY_SECTARIAN
    | Mark.WHITE_OFFICER
    | Mark.OTHER_PARTY
)

_NO_MEMBERS = np.empty(0, dtype=np.int32)  # groups whose members are their positions


@njit(cache=True, **NO_CFUNC_WRAPPER)
def drawable(counts, sizes):  # pragma: no cover - compiled
    """``counts.sum()`` over the groups that have anyone to draw."""
    total = 0
    for r in range(counts.shape[0]):
        if sizes[r] > 0:
            total += counts[r]
    return total


@njit(cache=True, **NO_CFUNC_WRAPPER)
def draw_in_groups(counts, sizes, u, starts, members):  # pragma: no cover - compiled
    """``counts[r]`` people of each non-empty group r, the i-th at ``int(u[i] * size)``.

    Groups in order, as ``np.repeat(np.arange(len(counts)), counts)`` gives
    them; a person is ``members[starts[r] + offset]``, or the position itself
    if ``members`` is empty.
    """
    out = np.empty(u.shape[0], dtype=np.int64)
    k = 0
    for r in range(counts.shape[0]):
        if sizes[r] > 0:
            for _ in range(counts[r]):
                pos = starts[r] + np.int64(u[k] * sizes[r])
                out[k] = np.int64(members[pos]) if members.shape[0] > 0 else pos
                k += 1
    return out


#: Positions tried per person put on an arrest list by ``draw_listed`` before giving up.
LIST_TRIES = 16
#: Positions tried per person drawn by ``draw_anyone`` before scanning for an adult.
ADULT_TRIES = 8


@njit(cache=True, **NO_CFUNC_WRAPPER)
def draw_adults_in_groups(counts, sizes, u, starts, age, min_age, tries):  # pragma: no cover
    """``counts[r]`` people aged ``min_age`` or more from each run of positions r.

    Person k tries the positions ``starts[r] + int(u[k * tries + j] * size)``
    for j = 0, 1, ... and takes the first of age; if all ``tries`` fall on
    children it takes the next person of age after the last try, wrapping
    round the run (with 8 tries and 38% children this happens about once in
    2,300 draws). A run with no one of age gives no one (-1).
    """
    out = np.empty(u.shape[0] // tries, dtype=np.int64)
    k = 0
    for r in range(counts.shape[0]):
        size = sizes[r]
        if size <= 0:
            continue
        first = starts[r]
        for _ in range(counts[r]):
            found = -1
            pos = first
            for j in range(tries):
                pos = first + np.int64(u[k * tries + j] * size)
                if age[pos] >= min_age:
                    found = pos
                    break
            if found < 0:
                for step in range(1, size + 1):
                    cand = first + (pos - first + step) % size
                    if age[cand] >= min_age:
                        found = cand
                        break
            out[k] = found
            k += 1
    return out


@dataclass(frozen=True)
class Register:
    groups: Groups  # region -> people on the register
    #: the operational line of each position of ``groups.members`` (model/lines.py)
    line_at: NDArray[np.uint8] | None = None

    @cached_property
    def _sizes(self) -> NDArray[np.int64]:
        return self.groups.sizes()

    def sizes(self) -> NDArray[np.int64]:
        """People on the register per region (computed once; asked for every day)."""
        return self._sizes

    def draw(self, counts: NDArray[np.integer], rng: np.random.Generator) -> NDArray[np.int64]:
        """``counts[r]`` people drawn (with replacement) from region r's register."""
        sizes = self.sizes()
        total = drawable(counts, sizes)
        if total == 0:
            return np.empty(0, dtype=np.int64)
        members = self.groups.members
        return draw_in_groups(
            counts,
            sizes,
            rng.random(total),
            self.groups.indptr,
            _NO_MEMBERS if members is None else members,
        )


def _register(pop: Population, people: NDArray[np.integer]) -> Register:
    """Region -> people on the register, from the (ascending) people on it."""
    return Register(_by_label(people, pop["region"][people], len(pop.regions)))


def _by_label(people: NDArray[np.integer], labels: NDArray[np.integer], n_groups: int) -> Groups:
    """CSR groups of ``people`` (ascending) by label, people in ascending order within a group.

    The same groups as ``groups_from_labels`` over the whole population, but
    built from the few people on a register: a label array for 162 million
    people and a pass over it cost more than the register itself.
    """
    order = np.argsort(labels, kind="stable")
    counts = np.bincount(labels, minlength=n_groups)
    indptr = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Groups(indptr=indptr, members=people[order].astype(np.int32))


@dataclass(frozen=True)
class Registers:
    kulak: Register
    #: the national operations' lines (model/lines.py), line name -> register
    lines: dict[str, Register]
    specs: dict[str, LineSpec]
    #: ``naming_fit[line, male]``: how far a name fits a case's line (model/lines.py)
    naming_fit: NDArray[np.float64]
    #: ``accept[line, male]``: who of a line's register goes on its arrest lists
    accept: NDArray[np.float64]
    region_start: NDArray[np.int64]
    region_size: NDArray[np.int64]
    elite_heads: NDArray[np.int32]
    clients: Groups  # patron circle (region) -> clients
    age: NDArray[np.uint8]  # the population's ages, for draws among those old enough to arrest
    male: NDArray[np.bool_]
    #: the sex and age profile of arrests outside the operations (``ordinary_profile``)
    ordinary: LineSpec

    @cached_property
    def mark_lines(self) -> list[tuple[int, int]]:
        """Order 00447's lines read from register marks (model/lines.py ``mark_lines``), once
        a run: the operation assigns them on each of its days."""
        return mark_lines(self.specs)

    @cached_property
    def region_adults(self) -> NDArray[np.int64]:
        """People aged ``MIN_ARREST_AGE`` or more in each region's mass population, from the
        census age structure the population was built with: the base of per-adult rates
        (denunciations, dissidents), which ``draw_anyone`` then draws from."""
        adult = np.zeros(len(self.region_size), dtype=np.int64)
        for r, (start, size) in enumerate(zip(self.region_start, self.region_size, strict=True)):
            adult[r] = np.count_nonzero(self.age[start : start + size] >= MIN_ARREST_AGE)
        return adult

    def draw_listed(
        self,
        register: Register,
        counts: NDArray[np.integer],
        rng: np.random.Generator,
        accept: NDArray[np.float64] | None = None,
    ) -> NDArray[np.int64]:
        """``counts[r]`` people from region r's part of a line register, each put on the
        arrest list as the order's category takes them (``accept``, model/lines.py; the
        registers' own unless the caller gives the day's, ``opened_acceptance``)."""
        sizes = register.sizes()
        total = drawable(counts, sizes)
        if total == 0:
            return np.empty(0, dtype=np.int64)
        assert register.groups.members is not None and register.line_at is not None
        drawn = draw_accepting(
            np.asarray(counts), sizes, register.groups.indptr, register.groups.members,
            register.line_at, self.male, self.accept if accept is None else accept,
            rng.random(2 * total * LIST_TRIES),
            LIST_TRIES,
        )  # fmt: skip
        return drawn[drawn >= 0]

    def draw_anyone(
        self, counts: NDArray[np.integer], rng: np.random.Generator
    ) -> NDArray[np.int64]:
        """People aged ``MIN_ARREST_AGE`` or more drawn uniformly from each region's mass
        population: arrests are of adults (docs/ODD.md, "Population")."""
        total = drawable(counts, self.region_size)
        if total == 0:
            return np.empty(0, dtype=np.int64)  # a draw of size 0 takes nothing from the stream
        drawn = draw_adults_in_groups(
            counts,
            self.region_size,
            rng.random(total * ADULT_TRIES),
            self.region_start,
            self.age,
            MIN_ARREST_AGE,
            ADULT_TRIES,
        )
        return drawn[drawn >= 0]

    def draw_ordinary(
        self, counts: NDArray[np.integer], pop: Population, rng: np.random.Generator
    ) -> NDArray[np.int64]:
        """Adults of the profile of those convicted outside the operations (``ordinary_profile``),
        not every adult alike: ordinary work's arrests of people on no register, and the
        ordinary courts' non-political convicts (model/steps_courts.py ``draw_convicts``)."""
        return self.draw_profiled(counts, self.ordinary, pop, rng)

    def draw_profiled(
        self, counts: NDArray[np.integer], spec: LineSpec, pop: Population, rng: np.random.Generator
    ) -> NDArray[np.int64]:
        """Adults of a line's sex and age profile drawn from each region's mass population
        (Order 00447's "other anti-Soviet elements", who had no register of their own)."""
        return profiled(
            np.asarray(counts), self.region_start, self.region_size, _NO_MEMBERS, spec, pop, rng
        )


def build_registers(pop: Population, is_elite: NDArray[np.bool_] | None = None) -> Registers:
    """Every register in a few passes over the population; the rest works on the people found.

    ``is_elite`` is ``pop.is_elite_layer`` if the caller has it already.
    """
    n_mass = pop.n_mass  # mass people come first, region by region; the elite layer follows
    elite = pop["elite"]
    marks = pop["marks"]
    is_elite = pop.is_elite_layer if is_elite is None else is_elite
    marked = np.flatnonzero(marks)
    layer = is_elite[marked]
    of_age = pop["age"][marked] >= MIN_ARREST_AGE  # marks are adults' already; kept as a guard
    kulak_people = marked[~layer & of_age & ((marks[marked] & KULAK_OPERATION_MARKS) != 0)]
    camps = [r.index for r in pop.regions if r.kind == "camps"]
    camps_region = camps[0] if camps else -1
    kulak = _register(pop, kulak_people)
    region = pop["region"][:n_mass]
    sizes = count_values(region, len(pop.regions))  # np.bincount would copy to intp
    starts = np.cumsum(sizes) - sizes
    foreign = marked[~layer & ((marks[marked] & int(Mark.FOREIGN_COMMUNIST)) != 0)]
    specs = load_lines()
    lines = _national_lines(pop, specs, is_elite, starts, sizes, foreign)
    in_layer = n_mass + np.flatnonzero(is_elite[n_mass:])  # the layer follows the mass rows
    heads = in_layer[(elite[in_layer] & Elite.ELITE_FAMILY) == 0].astype(np.int32)
    patron = pop["patron"]
    with_patron = np.flatnonzero(patron >= 0)
    with_patron = with_patron[~is_elite[with_patron]]
    clients = _by_label(with_patron, patron[with_patron].astype(np.int64), len(pop.regions))
    members = {name: _people(reg) for name, reg in lines.items()}
    on_register = line_male_shares(pop, specs, kulak_people, members, camps_region)
    listed = list_male_shares(specs, on_register)
    ordinary = ordinary_profile()
    # a name given in a case outside the operations fits the profile of ordinary convicts
    naming_shares = listed.copy()
    naming_shares[LN["none"]] = ordinary.male_share
    on_kulak = kulak.groups.members
    assert on_kulak is not None
    kulak = Register(
        kulak.groups,
        line_00447(marks[on_kulak], pop["region"][on_kulak], camps_region, mark_lines(specs), 0),
    )
    return Registers(
        kulak,
        lines,
        specs,
        naming_fit(naming_shares),
        acceptance(listed, on_register, category_shares(specs)),
        starts,
        sizes,
        heads,
        clients,
        pop["age"],
        pop["male"],
        ordinary,
    )


#: Oldest age an ordinary arrest may reach: no upper bound in the profile (ages are uint8).
_ANY_AGE = 255


@cache
def ordinary_profile() -> LineSpec:
    """The one sex and age profile of those convicted outside the operations: ordinary work's
    arrests of people on no register (and the names given in their cases), and the ordinary
    courts' non-political convicts (model/steps_courts.py). The share of men is that among
    prisoners of camps and colonies (``pop_camp_male_share_1937`` in
    data/population/marginals.csv, Zemskov 1991: women were under a tenth of them); the ages
    are those of the census population's adults (from ``MIN_ARREST_AGE`` up) of each sex, a
    prior (no age profile of either group is sourced here).

    Why one profile: the two groups differ (theft and hooliganism against the NKVD's political
    cases outside the mass operations), but both went to the same camps and colonies, whose
    prisoners the sourced share describes, and no source here gives either group's sex or age
    apart; two numbers for one unknown would only be two priors. Drawing every adult alike
    made them more than half women (the 1937 census has more women than men), and the courts
    sentenced some of the political ones to death.
    """
    path = population_data_dir() / "marginals.csv"
    rows = {r.id: r for _, r in read_rows(path, MarginalRow, "population/marginals.csv")}
    return LineSpec(
        name="none",
        operation="ordinary",
        register="profile",
        size=0.0,
        male_share=rows["pop_camp_male_share_1937"].central(),
        age_low=MIN_ARREST_AGE,
        age_high=_ANY_AGE,
        nationalities=(),
        national_share=0.0,
    )


def _national_lines(
    pop: Population,
    specs: dict[str, LineSpec],
    is_elite: NDArray[np.bool_],
    region_start: NDArray[np.int64],
    region_size: NDArray[np.int64],
    foreign: NDArray[np.integer],
) -> dict[str, Register]:
    """The national operations' lines: the drawn ones (model/lines.py) and the foreign
    communists' mark. A register lists adults only (nationality is a household's, the line a
    person's)."""
    nationality = pop["nationality"]
    diaspora = np.flatnonzero(nationality)
    diaspora = diaspora[(pop["age"][diaspora] >= MIN_ARREST_AGE) & ~is_elite[diaspora]]
    nat = nationality[diaspora]
    rng = lines_rng(pop)
    # each person on one line: the foreign communists on their mark's, the rest on the first
    # drawn line that lists them
    taken = np.zeros(len(nationality), dtype=bool)
    taken[np.asarray(foreign, dtype=np.int64)] = True
    out: dict[str, Register] = {}
    for name, spec in specs.items():
        if spec.operation == "kulak_00447":
            continue
        if spec.register == "drawn":
            own = diaspora[np.isin(nat, spec.nationalities)]
            groups = _by_label(own, pop["region"][own], len(pop.regions))
            assert groups.members is not None
            national = (
                groups.indptr[:-1].astype(np.int64, copy=False),
                groups.sizes(),
                groups.members,
            )
            people = draw_line(spec, pop, national, region_start, region_size, rng, taken)
        else:  # the foreign communists' mark
            people = np.asarray(foreign, dtype=np.int64)
        register = _register(pop, people)
        code = np.full(len(people), LN[name], dtype=np.uint8)
        out[name] = Register(register.groups, code)
    return out


def _people(register: Register) -> NDArray[np.int64]:
    """Everyone on a register built by ``_register`` (ascending)."""
    members = register.groups.members
    assert members is not None
    return np.sort(members.astype(np.int64))
