"""Validity of who the model's victims are (issue 9, items 1, 8 and 10).

Tests of the model's content, not only of the software: ages and sexes,
register marks held by individuals, regional populations that add up to
the census, no children arrested, Order 00486 reaching wives only after the
husband's conviction and never children. Run at 1:1000; the 1:100
multi-seed check of the share of men among those sentenced to death is
scripts/validate_people.py (results in docs/validation.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.registers import build_registers
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.population.build import build_population
from greatterror.population.codes import MIN_ARREST_AGE, Mark
from greatterror.population.inputs import load_inputs
from greatterror.population.spec import build_spec
from greatterror.vocabulary import OP, Status


@pytest.fixture(scope="module")
def run():
    """A 1:1000 historical run, with every wife Order 00486 reached recorded on the side."""
    from greatterror.model import families as families_module

    reached: list[np.ndarray] = []
    real = families_module.wives_of

    def spy(*args):  # type: ignore[no-untyped-def]
        wives, children = real(*args)
        reached.append(wives)
        return wives, children

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(families_module, "wives_of", spy)
        sim = simulate(load_scenario("historical"), 0.001, 5, evidence=load_evidence()).simulation
    sim.wives_reached = np.concatenate(reached) if reached else np.empty(0, np.int64)
    return sim


@pytest.fixture(scope="module")
def pop():
    return build_population(0.001, 11)


def test_regional_populations_sum_to_the_census_total() -> None:
    inputs = load_inputs()
    total = sum(r.population for r in inputs.regions)
    assert total == pytest.approx(inputs.value("pop_total_1937"), rel=1e-12)
    assert all(r.population > 0 for r in inputs.regions)


def _region_rows() -> dict[str, dict[str, str]]:
    import csv

    from greatterror.paths import population_data_dir

    with (population_data_dir() / "regions.csv").open(newline="", encoding="utf-8") as handle:
        return {row["region_code"]: row for row in csv.DictReader(handle)}


def test_each_unit_keeps_its_census_figure() -> None:
    """No unit's population departs from its census figure (docs/ODD.md 5.3).

    A 1937 figure (and the camps' own count) is carried as read; every 1939
    figure is multiplied by one and the same factor, which must lie between
    0.90 and 1.00: the 1937 count (162.0 million) is below the 1939 one
    (170.6 million) because of two years' growth and the 1939 count's
    padding, and no plausible growth reaches 10% in two years. A unit
    without a figure must say so in its note and is the only kind split
    equally.
    """
    rows = _region_rows()
    factors = []
    for region in load_inputs().regions:
        row = rows[region.code]
        if not row["population"]:
            assert region.population_basis == "equal_split", region.code
            assert row["note"].startswith("Population NOT FOUND"), region.code
            continue
        figure = float(row["population"])
        assert row["population_source"], region.code
        assert not row["note"].startswith("Population NOT FOUND"), region.code
        if row["population_year"] == "1939":
            assert region.population_basis == "census_1939_scaled", region.code
            factors.append(region.population / figure)
        else:
            expected = "nkvd_count" if region.kind == "camps" else "census_1937"
            assert region.population_basis == expected, region.code
            assert region.population == figure, region.code
    assert factors, "the union republics carry 1939 figures"
    assert max(factors) - min(factors) < 1e-12
    assert 0.90 < factors[0] < 1.00


def test_equal_split_units_stay_within_a_plausible_size() -> None:
    """Units split equally get between 0.1 million people and the largest sourced unit.

    Every unit of the appendix had more than 0.1 million people (the
    smallest sourced, the Komi ASSR, 309,314). Figures entered too large
    (a digit too many, or a 1939 unit that also holds territory of a unit
    still without a figure) eat the republic's remainder and fail here, or
    at loading once it is gone; a remainder larger than any sourced unit
    (Moscow oblast with the city, 11.97 million) would mean a republic total
    on the wrong basis. Units of one republic get the same number.
    """
    regions = load_inputs().regions
    sourced = [r.population for r in regions if r.population_basis != "equal_split"]
    split: dict[str, set[float]] = {}
    for r in regions:
        if r.population_basis == "equal_split":
            assert 100_000 < r.population < max(sourced), r.code
            split.setdefault(r.republic, set()).add(round(r.population, 3))
    assert all(len(values) == 1 for values in split.values())


def test_regional_populations_do_not_depend_on_the_limits(tmp_path) -> None:
    """The derivation never reads a limit: doubling one region's limit moves no population."""
    import shutil

    from greatterror.paths import population_data_dir

    src = population_data_dir()
    for f in src.iterdir():
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "regions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = header.index("limit_cat1")
    for i, line in enumerate(lines[1:], start=1):
        if ",bashkir_assr," in f",{line}" or line.startswith("bashkir_assr,"):
            cells = line.split(",")
            cells[col] = str(int(cells[col]) * 2 + 1000)
            lines[i] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = {r.code: r.population for r in load_inputs().regions}
    after = {r.code: r.population for r in load_inputs(tmp_path).regions}
    assert before == after


def test_sex_and_age_follow_the_census_structure(pop) -> None:
    spec = build_spec(load_inputs())
    n = pop.n_mass
    age, male = pop["age"][:n], pop["male"][:n]
    assert age.max() <= 100
    bands = np.searchsorted([16, 30, 45, 60], age, side="right")
    shares = np.bincount(bands, minlength=5) / n
    np.testing.assert_allclose(shares, spec.age_shares, atol=0.01)
    # the camps unit is 0.7% of people and 92% men; the rest follow the census by age
    assert male.mean() == pytest.approx(spec.male_share, abs=0.01)
    for band in range(5):
        assert male[bands == band].mean() == pytest.approx(spec.male_by_age[band], abs=0.02)
    # and by residence: the census table's share of people aged 0-15 in towns and villages
    urban = pop["urban"][:n]
    for r, where in ((0, ~urban), (1, urban)):
        young = float((age[where] < 16).mean())
        assert young == pytest.approx(spec.band_shares_by_residence[r, 0], abs=0.015)


def test_register_marks_belong_to_individuals(pop) -> None:
    marks, age, male, hh = pop["marks"], pop["age"], pop["male"], pop.household_labels()
    assert (age[marks != 0] >= MIN_ARREST_AGE).all()  # no child carries any mark
    kulak = np.flatnonzero((marks & Mark.FORMER_KULAK) != 0)
    assert len(kulak) > 100
    assert np.unique(hh[kulak]).size == kulak.size  # one former kulak per household
    assert (age[kulak] >= 30).all()
    officer = (marks & Mark.WHITE_OFFICER) != 0
    assert male[officer].all() and (age[officer] >= 45).all()
    spec = build_spec(load_inputs())
    mass = np.arange(len(marks)) < pop.n_mass
    prior = mass & ((marks & Mark.PRIOR_CONVICTION) != 0) & (pop["region"] != pop["region"].max())
    assert male[prior].mean() == pytest.approx(spec.prior_conviction_male_share, abs=0.03)


def test_registers_hold_no_children(pop) -> None:
    reg = build_registers(pop)
    age = pop["age"]
    assert (age[reg.kulak.groups.members] >= MIN_ARREST_AGE).all()
    for register in reg.lines.values():
        assert (age[register.groups.members] >= MIN_ARREST_AGE).all()
    rng = np.random.default_rng(3)
    drawn = reg.draw_anyone(np.full(len(pop.regions), 200), rng)
    assert len(drawn) > 1000 and (age[drawn] >= MIN_ARREST_AGE).all()


def test_no_one_under_12_is_arrested_and_under_16s_are_under_1_percent(run) -> None:
    arrested = np.flatnonzero(run.cases.arrests)
    age = run.pop["age"][arrested]
    weight = run.weights(arrested) * run.cases.arrests[arrested]
    assert len(arrested) > 1000
    assert (age >= 12).all()
    assert weight[age < 16].sum() / weight.sum() < 0.01


def test_order_00486_reaches_wives_after_the_conviction_and_never_children(run) -> None:
    cases, pop = run.cases, run.pop
    wives = run.wives_reached
    assert len(wives) > 0, "the historical run applies Order 00486"
    assert (pop["age"][wives] >= 16).all()  # no child reached through M19
    assert not pop["male"][wives].any()  # wives only
    arrested = wives[(cases.op[wives] == OP["family"]) & (cases.arrests[wives] > 0)]
    assert len(arrested) > 0
    hh = pop.household_labels()
    indptr = pop.households.indptr
    checked = 0
    for wife in arrested:
        members = np.arange(indptr[hh[wife]], indptr[hh[wife] + 1])
        husbands = members[pop["male"][members] & (cases.sentence_day[members] >= 0)]
        assert len(husbands), "a wife is arrested only if a man of her household was convicted"
        # a man convicted, taken from the camps for a new case and sentenced again keeps only
        # his last sentence's day: the order of the first is checked by tests/test_list_track.py
        once = husbands[cases.arrests[husbands] == 1]
        if len(once) == len(husbands):
            assert cases.sentence_day[husbands].min() < cases.arrest_day[wife]
            checked += 1
    assert checked > 0, "no wife's arrest was checked against her husband's sentence"
    # people arrested under the family operation who are not wives were named by a wife
    # under interrogation and take her case's line; none of them is a child either
    family = np.flatnonzero((cases.op == OP["family"]) & (cases.arrests > 0))
    assert (pop["age"][family] >= 16).all()
    assert run.children_to_homes > 0  # the children are counted as placed, not arrested


def test_demography_block_has_the_documented_shape(run) -> None:
    from greatterror.model.demography import AGE_GROUPS, demography
    from greatterror.vocabulary import POLITICAL_OPERATIONS

    block = demography(run)
    assert set(block) == {"arrested", "convicted", "shot"}
    for outcome in block.values():
        assert set(outcome) == {"all", *POLITICAL_OPERATIONS}
        for prof in outcome.values():
            assert set(prof) == {"male_share", "age"}
            assert set(prof["age"]) == set(AGE_GROUPS)
            total = sum(prof["age"].values())
            assert total == pytest.approx(1.0) or total == 0.0
    shot = np.isin(run.cases.status, [Status.SHOT, Status.SENTENCED_DEATH])
    w = run.weights(np.flatnonzero(shot))
    male = run.pop["male"][shot]
    assert block["shot"]["all"]["male_share"] == pytest.approx(w[male].sum() / w.sum())
    assert block["arrested"]["all"]["age"]["0-15"] == 0.0
