"""Where the diaspora nationalities live (population/placement.py).

The factors for the Ukrainian SSR used to be looked up by unit code, which no unit has (the
republic is built as its oblasts), so they were inactive: Poles were fewer per head in the
Ukrainian oblasts than in the USSR as a whole, whereas most Soviet Poles lived in Right-Bank
Ukraine. These tests fail on that behaviour.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

from greatterror.paths import population_data_dir
from greatterror.population.build import build_population
from greatterror.population.codes import Nationality
from greatterror.population.inputs import load_inputs
from greatterror.population.placement import Placement, load_placement, regional_rates
from greatterror.population.spec import build_spec


@pytest.fixture(scope="module")
def inputs():
    return load_inputs()


@pytest.fixture(scope="module")
def pops(inputs):
    return np.array([r.population for r in inputs.regions], dtype=float)


def _units(inputs, republic: str) -> list[int]:
    return [r.index for r in inputs.regions if r.republic == republic]


def test_poles_per_head_in_the_ukrainian_units_exceed_the_union_average(inputs, pops) -> None:
    spec = build_spec(inputs)
    target = spec.nationalities[Nationality.POLISH]
    rates = regional_rates("polish", target, pops, inputs.regions, load_placement(inputs.regions))
    ukraine = _units(inputs, "ukrainian_ssr")
    in_ukraine = float((rates[ukraine] * pops[ukraine]).sum())
    assert in_ukraine / pops[ukraine].sum() > 2 * target / pops.sum()
    # and most of the Poles live there (1926 census: 476,435 of 782,334)
    assert in_ukraine / target > 0.5


def test_a_built_population_has_its_poles_in_ukraine_and_belorussia(inputs) -> None:
    pop = build_population(0.001, 1, inputs)
    polish = pop.attrs["nationality"] == Nationality.POLISH
    region = pop.attrs["region"][: pop.n_mass]
    polish = polish[: pop.n_mass]
    union = polish.mean()
    for republic in ("ukrainian_ssr", "belorussian_ssr"):
        inside = np.isin(region, _units(inputs, republic))
        assert polish[inside].mean() > 2 * union, republic
    russia = np.isin(region, _units(inputs, "rsfsr"))
    assert polish[russia].mean() < union


def test_a_republic_factor_applies_to_each_of_its_units(inputs, pops) -> None:
    regions = inputs.regions
    placement = Placement(shares={}, factors={"x": {"ukrainian_ssr": 5.0, "kiev_obl": 2.0}})
    rates = regional_rates("x", 1000.0, pops, regions, placement)
    by_code = {r.code: rates[r.index] for r in regions}
    assert by_code["vinnitsa_obl"] == pytest.approx(5 * by_code["moscow_obl"])
    assert by_code["kiev_obl"] == pytest.approx(2 * by_code["moscow_obl"])  # the unit's own wins
    assert float((rates * pops).sum()) == pytest.approx(1000.0)


def test_a_count_is_a_share_of_the_marginal_spread_by_population(inputs, pops) -> None:
    regions = inputs.regions
    placement = Placement(
        shares={"x": {"ukrainian_ssr": 0.6, "belorussian_ssr": 0.1}},
        factors={"x": {"moscow_obl": 3.0}},
    )
    rates = regional_rates("x", 1000.0, pops, regions, placement)
    ukraine = _units(inputs, "ukrainian_ssr")
    assert float((rates[ukraine] * pops[ukraine]).sum()) == pytest.approx(600.0)
    assert np.allclose(rates[ukraine], rates[ukraine][0])  # no source says which oblast
    by_code = {r.code: rates[r.index] for r in regions}
    assert by_code["belorussian_ssr"] * pops[_units(inputs, "belorussian_ssr")][0] == (
        pytest.approx(100.0)
    )
    assert by_code["moscow_obl"] == pytest.approx(3 * by_code["voronezh_obl"])
    assert float((rates * pops).sum()) == pytest.approx(1000.0)


def test_every_count_names_a_known_source_and_says_what_was_seen() -> None:
    evidence = population_data_dir().parent / "evidence"
    known: set[str] = set()
    for path in evidence.glob("sources*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            known |= {row["key"] for row in csv.DictReader(handle)}
    path = population_data_dir() / "regional_counts.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        keys = set(row["source"].split(";"))
        assert keys <= known and "none" not in keys, row
        assert row["seen"] and row["note"], row
    with (population_data_dir() / "concentrations.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            assert row["source"] == "none", row  # a sourced figure belongs in the counts file
