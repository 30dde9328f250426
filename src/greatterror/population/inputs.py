"""The sourced inputs of the synthetic population, read from the data files.

Regions, scalar marginals and binned distributions are validated here with
the same file/line/field errors as the evidence base. Where a regional
population is missing from the sources it is derived here by a stated rule
that never uses the Order 00447 limits (``_derive_regions``), and the
derivation is recorded on the region so that reports can say which figures
are sourced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from greatterror.evidence.csvrows import read_rows
from greatterror.evidence.errors import DataFileError
from greatterror.evidence.schema import check_not_negative, split_keys
from greatterror.paths import population_data_dir


class RegionRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    region_code: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    republic_code: str
    kind: Literal["union_republic", "assr", "oblast", "krai", "camps"]
    population: int | None = Field(default=None, gt=0)
    population_year: int | None = None
    urban_population: int | None = Field(default=None, ge=0)
    population_source: list[str] = Field(default_factory=list)
    limit_cat1: int | None = Field(default=None, ge=0)
    limit_cat2: int | None = Field(default=None, ge=0)
    limit_source: list[str] = Field(default_factory=list)
    limit_status: Literal["record", "unverified", "missing"]
    note: str | None = None

    _split = field_validator("population_source", "limit_source", mode="before")(
        lambda v: split_keys(v)
    )


class RepublicTotalRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    republic_code: str
    population: int = Field(gt=0)
    source: list[str] = Field(min_length=1)
    note: str | None = None

    _split = field_validator("source", mode="before")(lambda v: split_keys(v))


class MarginalRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    id: str
    quantity: str
    scope: str | None = None
    reference_date: str | None = None
    value: float | None = None
    value_low: float | None = None
    value_high: float | None = None
    unit: str
    source: list[str] = Field(min_length=1)
    confidence: Literal["high", "medium", "low"]
    used_for: str | None = None
    prior: str | None = None
    note: str | None = None

    _split = field_validator("source", mode="before")(lambda v: split_keys(v))

    @model_validator(mode="after")
    def _counts_not_negative(self) -> MarginalRow:
        check_not_negative(
            self.unit,
            {"value": self.value, "value_low": self.value_low, "value_high": self.value_high},
        )
        return self

    @property
    def sourced(self) -> bool:
        return self.source != ["none"]

    def central(self) -> float:
        if self.value is not None:
            return self.value
        if self.value_low is not None and self.value_high is not None:
            return (self.value_low + self.value_high) / 2
        raise ValueError(f"marginal {self.id!r} has neither a value nor a range")


class AgeSexRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    age: int = Field(ge=0, le=100)  # 100 = 100 and over
    residence: Literal["urban", "rural"]
    male: int = Field(ge=0)
    female: int = Field(ge=0)
    source: list[str] = Field(min_length=1)
    note: str | None = None

    _split = field_validator("source", mode="before")(lambda v: split_keys(v))


class DistributionRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    distribution: str
    bin: str
    share: float = Field(ge=0, le=1)
    source: list[str] = Field(min_length=1)
    note: str | None = None

    _split = field_validator("source", mode="before")(lambda v: split_keys(v))


@dataclass(frozen=True)
class Region:
    index: int
    code: str
    name: str
    republic: str
    kind: str
    population: float
    limit_cat1: float
    limit_cat2: float
    limit_status: str
    #: how the population was obtained: "census_1937", "nkvd_count" (the camps unit: the
    #: GULAG's own count of 1 January 1935), "census_1939_scaled", or "equal_split" (figure
    #: NOT FOUND: the republic's remainder)
    population_basis: str = "census_1937"

    @property
    def population_derived(self) -> bool:
        """Not a figure of this unit as counted: a scaled 1939 figure or an equal split."""
        return self.population_basis in ("census_1939_scaled", "equal_split")


@dataclass(frozen=True)
class Distribution:
    name: str
    bins: list[str]
    shares: np.ndarray

    def share(self, bin_name: str) -> float:
        return float(self.shares[self.bins.index(bin_name)])


@dataclass(frozen=True)
class PopulationInputs:
    regions: list[Region]
    marginals: dict[str, MarginalRow]
    distributions: dict[str, Distribution]
    #: people by residence (0 rural, 1 urban), year of age (0-100) and sex (0 women, 1 men)
    age_sex: np.ndarray

    def value(self, marginal_id: str) -> float:
        try:
            return self.marginals[marginal_id].central()
        except KeyError:
            raise KeyError(
                f"population marginal {marginal_id!r} is missing from marginals.csv"
            ) from None

    def region(self, code: str) -> Region:
        return next(r for r in self.regions if r.code == code)


def _distributions(rows: list[DistributionRow], label: str) -> dict[str, Distribution]:
    grouped: dict[str, list[DistributionRow]] = {}
    for row in rows:
        grouped.setdefault(row.distribution, []).append(row)
    out = {}
    for name, members in grouped.items():
        shares = np.array([m.share for m in members])
        if abs(shares.sum() - 1) > 1e-6:
            raise DataFileError(
                label, None, "share", f"shares of {name!r} add up to {shares.sum():.6f}, not 1"
            )
        out[name] = Distribution(name, [m.bin for m in members], shares)
    return out


def _derive_regions(
    rows: list[RegionRow], totals: dict[str, RepublicTotalRow], census_total: float
) -> list[Region]:
    """Each unit's 1937 population; the derivations the sources force are flagged.

    The rule (docs/data-files.md, "Regional populations"), which never uses
    the Order 00447 limits:

    1. A unit with a 1937 census figure keeps it; so does the camps unit (the
       NKVD's own count, a special contingent of the census).
    2. Figures of the 1939 census (union republics, units of the RSFSR and
       the other divided republics, and the totals of the republics whose
       units lack figures) are put on the 1937 level by one factor: the 1937
       census total, less the figures of rule 1 that lie outside the 1939
       figures, over the sum of the 1939 figures. A republic whose units lack
       figures enters with its 1939 total (its units' own figures lie inside
       it); a republic whose units all have figures enters with those.
    3. In a republic with units lacking figures, the republic's scaled total
       less its units' figures (1939 ones scaled) is split equally among
       those units.

    The populations then add up to the 1937 census total exactly.
    """
    by_republic: dict[str, list[RegionRow]] = {}
    for row in rows:
        by_republic.setdefault(row.republic_code, []).append(row)
    with_gaps = {
        rep for rep, units in by_republic.items() if any(u.population is None for u in units)
    }
    no_total = sorted(with_gaps - set(totals))
    if no_total:
        raise DataFileError(
            "population/republic_totals.csv",
            None,
            "republic_code",
            f"units of {no_total[0]!r} lack populations and no republic total is given",
        )
    outside_rows = [
        u for u in rows if u.republic_code not in with_gaps and u.population is not None
    ]
    fixed = sum(float(u.population or 0) for u in outside_rows if u.population_year != 1939)
    sum_1939 = sum(float(u.population or 0) for u in outside_rows if u.population_year == 1939)
    sum_1939 += sum(float(totals[rep].population) for rep in with_gaps)
    factor = (census_total - fixed) / sum_1939
    populations: dict[str, tuple[float, str]] = {}
    for u in rows:
        if u.population is not None:
            scaled = u.population_year == 1939
            basis = "census_1939_scaled" if scaled else "census_1937"
            populations[u.region_code] = (
                u.population * (factor if scaled else 1.0),
                "nkvd_count" if u.kind == "camps" else basis,
            )
    for republic in sorted(with_gaps):
        units = by_republic[republic]
        missing = [u for u in units if u.population is None]
        known = sum(populations[u.region_code][0] for u in units if u.population is not None)
        remainder = totals[republic].population * factor - known
        if remainder <= 0:
            raise DataFileError(
                "population/regions.csv",
                None,
                "population",
                f"the units of {republic!r} with figures exceed its scaled total",
            )
        for unit in missing:
            populations[unit.region_code] = (remainder / len(missing), "equal_split")
    regions = []
    for i, row in enumerate(rows):
        pop, basis = populations[row.region_code]
        regions.append(
            Region(
                index=i,
                code=row.region_code,
                name=row.name,
                republic=row.republic_code,
                kind=row.kind,
                population=pop,
                limit_cat1=float(row.limit_cat1 or 0),
                limit_cat2=float(row.limit_cat2 or 0),
                limit_status=row.limit_status,
                population_basis=basis,
            )
        )
    return regions


def load_inputs(directory: Path | None = None) -> PopulationInputs:
    directory = directory or population_data_dir()
    label = f"{directory.name}/"
    regions = [r for _, r in read_rows(directory / "regions.csv", RegionRow, label + "regions.csv")]
    totals = {
        r.republic_code: r
        for _, r in read_rows(
            directory / "republic_totals.csv", RepublicTotalRow, label + "republic_totals.csv"
        )
    }
    marginals = {
        r.id: r
        for _, r in read_rows(directory / "marginals.csv", MarginalRow, label + "marginals.csv")
    }
    dist_rows = [
        r
        for _, r in read_rows(
            directory / "distributions.csv", DistributionRow, label + "distributions.csv"
        )
    ]
    census_total = marginals["pop_total_1937"].central()
    return PopulationInputs(
        regions=_derive_regions(regions, totals, census_total),
        marginals=marginals,
        distributions=_distributions(dist_rows, label + "distributions.csv"),
        age_sex=_age_sex(directory / "age_sex_1937.csv", label + "age_sex_1937.csv"),
    )


def _age_sex(path: Path, label: str) -> np.ndarray:
    """The 1937 census table of people by residence, single year of age and sex."""
    table = np.full((2, 101, 2), -1, dtype=np.int64)
    for _, row in read_rows(path, AgeSexRow, label):
        r = 1 if row.residence == "urban" else 0
        table[r, row.age] = (row.female, row.male)
    if (table < 0).any():
        raise DataFileError(label, None, "age", "every age 0-100 needs one urban and one rural row")
    return table
