"""The sourced inputs of the synthetic population, read from the data files.

Regions, scalar marginals and binned distributions are validated here with
the same file/line/field errors as the evidence base. Where a regional
figure is missing from the sources (most 1939 oblast populations, some
Order 00447 limits) it is derived here, transparently, and the derivation is
recorded on the region so that reports can say which figures are sourced.
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
    population_derived: bool
    limit_cat1: float
    limit_cat2: float
    limit_status: str


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


def _derive_regions(rows: list[RegionRow], totals: dict[str, RepublicTotalRow]) -> list[Region]:
    """Fill missing unit populations and limits from their republic's totals.

    Without the 1939 oblast tables, a republic's remaining population is
    split among its units in proportion to their initial Order 00447 limits
    (the centre set limits from regional submissions that grew with
    population). Missing limits are the republic's unallocated limit split
    by population. Both derivations are flagged on the region.
    """
    by_republic: dict[str, list[RegionRow]] = {}
    for row in rows:
        by_republic.setdefault(row.republic_code, []).append(row)
    populations: dict[str, tuple[float, bool]] = {}
    for republic, units in by_republic.items():
        known = sum(u.population or 0 for u in units)
        missing = [u for u in units if u.population is None]
        if not missing:
            populations.update({u.region_code: (float(u.population or 0), False) for u in units})
            continue
        if republic not in totals:
            raise DataFileError(
                "population/republic_totals.csv",
                None,
                "republic_code",
                f"units of {republic!r} lack populations and no republic total is given",
            )
        remainder = totals[republic].population - known
        weights = np.array(
            [(u.limit_cat1 or 0) + (u.limit_cat2 or 0) for u in missing], dtype=float
        )
        weights = np.where(
            weights > 0, weights, weights[weights > 0].mean() if (weights > 0).any() else 1.0
        )
        for unit, w in zip(missing, weights / weights.sum(), strict=True):
            populations[unit.region_code] = (remainder * float(w), True)
        populations.update(
            {u.region_code: (float(u.population), False) for u in units if u.population}
        )
    regions = []
    for i, row in enumerate(rows):
        pop, derived = populations[row.region_code]
        regions.append(
            Region(
                index=i,
                code=row.region_code,
                name=row.name,
                republic=row.republic_code,
                kind=row.kind,
                population=pop,
                population_derived=derived,
                limit_cat1=float(row.limit_cat1 or 0),
                limit_cat2=float(row.limit_cat2 or 0),
                limit_status=row.limit_status,
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
    return PopulationInputs(
        regions=_derive_regions(regions, totals),
        marginals=marginals,
        distributions=_distributions(dist_rows, label + "distributions.csv"),
    )
