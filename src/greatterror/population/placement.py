"""Where the diaspora nationalities, the foreign communists and the former kulaks live.

Part of population synthesis (docs/ODD.md 5.1, item 2): the national count of each of these
attributes is a sourced marginal, and this module spreads it over the 65 units. Two data files
say how:

- ``regional_counts.csv``: counts from a census or an archival report (e.g. Germans in the
  Volga German ASSR by the 1939 census). A count is used as a *share* of the national count of
  the same source (``count / total``), applied to the model's marginal, because the sources
  are of different years (1926, 1937, 1939) while the marginal is one figure. A count keyed
  to a republic that the population builds as several units (the Ukrainian SSR is built as
  its oblasts) is spread over the republic's units in proportion to their populations: the
  sources found do not say in which oblast.
- ``concentrations.csv``: prior factors (source ``none``) that weight the rest of the count,
  after the counted shares, over the units no count covers: a unit gets the rest in
  proportion to factor x population. A factor keyed to a republic applies to each of its
  units (before, it was looked up by the unit's code only, so the factors given for the
  Ukrainian SSR matched no unit and were inactive).

Every count here is a count of people of the nationality, never a count of arrests or a limit:
a distribution drawn from the repression would make the model's regional arrests circular.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, field_validator

from greatterror.evidence.csvrows import read_rows
from greatterror.evidence.errors import DataFileError
from greatterror.evidence.schema import split_keys
from greatterror.paths import population_data_dir
from greatterror.population.inputs import Region


class CountRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    attribute: str = Field(pattern=r"^[a-z_]+$")
    unit_code: str = Field(pattern=r"^[a-z0-9_]+$")
    count: float = Field(gt=0)
    total: float = Field(gt=0)
    year: int
    source: list[str] = Field(min_length=1)
    seen: str
    note: str | None = None

    _split = field_validator("source", mode="before")(lambda v: split_keys(v))


class FactorRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    attribute: str = Field(pattern=r"^[a-z_]+$")
    region_code: str = Field(pattern=r"^[a-z0-9_]+$")
    factor: float = Field(gt=0)
    source: list[str] = Field(min_length=1)
    note: str | None = None

    _split = field_validator("source", mode="before")(lambda v: split_keys(v))


@dataclass(frozen=True)
class Placement:
    """Per attribute: counted shares by unit code, and prior factors by unit code."""

    shares: dict[str, dict[str, float]]
    factors: dict[str, dict[str, float]]


def _units_of(code: str, regions: list[Region], label: str, line: int) -> list[int]:
    """The indices of the units a code names: the unit itself, or a republic's units."""
    own = [r.index for r in regions if r.code == code]
    if own:
        return own
    members = [r.index for r in regions if r.republic == code]
    if not members:
        raise DataFileError(label, line, None, f"{code!r} is neither a unit nor a republic")
    return members


def load_placement(regions: list[Region], directory: Path | None = None) -> Placement:
    """Read both files, with the units they name checked against the regions."""
    directory = directory or population_data_dir()
    shares: dict[str, dict[str, float]] = {}
    label = "population/regional_counts.csv"
    for line, row in read_rows(directory / "regional_counts.csv", CountRow, label):
        if row.count > row.total:
            raise DataFileError(label, line, "count", "the count exceeds the national total")
        _units_of(row.unit_code, regions, label, line)
        by_unit = shares.setdefault(row.attribute, {})
        if row.unit_code in by_unit:
            raise DataFileError(label, line, "unit_code", f"{row.unit_code!r} is counted twice")
        by_unit[row.unit_code] = row.count / row.total
        if sum(by_unit.values()) > 1 + 1e-9:
            raise DataFileError(label, line, "count", "the shares of this attribute exceed 1")
    factors: dict[str, dict[str, float]] = {}
    label = "population/concentrations.csv"
    for line, frow in read_rows(directory / "concentrations.csv", FactorRow, label):
        _units_of(frow.region_code, regions, label, line)
        factors.setdefault(frow.attribute, {})[frow.region_code] = frow.factor
    return Placement(shares=shares, factors=factors)


def regional_rates(
    attribute: str,
    target: float,
    base: NDArray[np.float64],
    regions: list[Region],
    placement: Placement,
) -> NDArray[np.float64]:
    """Per-unit rates (per unit of ``base``) whose expected national total is ``target``.

    ``base`` is what the rate applies to in each unit (people, rural households, urban
    adults), in the order of ``regions``. Counted units get ``target x share``, spread over a
    republic's units by ``base`` when the count is the republic's; the rest of the target
    goes to the other units in proportion to prior factor x base (factor 1 where none).
    """
    expected = np.zeros(len(regions))
    counted = np.zeros(len(regions), dtype=bool)
    for code, share in placement.shares.get(attribute, {}).items():
        idx = np.array(_units_of(code, regions, "population/regional_counts.csv", 0))
        if counted[idx].any():
            raise ValueError(f"{attribute}: {code!r} overlaps a unit counted already")
        counted[idx] = True
        expected[idx] = target * share * base[idx] / base[idx].sum()
    factor = np.ones(len(regions))
    by_code = placement.factors.get(attribute, {})
    for r in regions:  # a republic's factor first, then the unit's own, which wins
        factor[r.index] = by_code.get(r.republic, factor[r.index])
    for r in regions:
        factor[r.index] = by_code.get(r.code, factor[r.index])
    weight = np.where(counted, 0.0, factor * base)
    rest = target - expected.sum()
    if weight.sum() > 0:
        expected += rest * weight / weight.sum()
    rates = np.divide(expected, base, out=np.zeros(len(regions)), where=base > 0)
    if (rates > 1).any():
        worst = regions[int(np.argmax(rates))].code
        raise ValueError(f"{attribute}: the placement asks for more than everyone in {worst}")
    return rates
