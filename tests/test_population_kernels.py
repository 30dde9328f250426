"""Every population kernel against the NumPy expression of its rule (population/kernels.py,
population/kernels_marks.py).

The rules are stated here readably, once each; the kernels are the fast path.
Ages are in whole years; household members are contiguous runs of ``sizes``.
"""

from __future__ import annotations

import numpy as np
import pytest

from greatterror.model.registers import draw_adults_in_groups
from greatterror.population import kernels as pk
from greatterror.population import kernels_marks as pkm
from greatterror.population import kernels_search as pks
from greatterror.population.codes import Cohort, Mark, Occupation, Party

C = pk.CODES
N_HOUSEHOLDS = 120


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261203)


@pytest.fixture
def people(rng):
    sizes = rng.integers(1, 7, size=N_HOUSEHOLDS).astype(np.int64)
    n = int(sizes.sum())
    return {
        "sizes": sizes,
        "n": n,
        "hh": np.repeat(np.arange(N_HOUSEHOLDS), sizes),
        "starts": np.cumsum(sizes) - sizes,
        "age": rng.integers(0, 80, size=n).astype(np.uint8),
        "male": rng.random(n) < 0.47,
        "occupation": rng.integers(0, 10, size=n).astype(np.uint8),
        "party": rng.integers(0, 4, size=n).astype(np.uint8),
    }


def test_age_draws_by_residence(rng) -> None:
    """categories_by_group and years_in_bands against np.searchsorted, per group."""
    n = 400
    group = rng.integers(0, 2, size=n).astype(np.uint8)
    cums = np.cumsum(rng.random((2, 5)), axis=1)
    cums /= cums[:, -1:]
    cums[:, -1] = 1.0
    u = rng.random(n)
    out = np.zeros(n, dtype=np.uint8)
    guide = pks.guide_table(cums, np.int64(4), 1.0)
    pks.categories_by_group(cums, guide, group, u, np.empty(0, dtype=np.int64), out)
    want = np.array(
        [np.searchsorted(cums[g], v, side="right") for g, v in zip(group, u, strict=True)]
    )
    np.testing.assert_array_equal(out, np.minimum(want, 4))
    at = np.array([3, 10, 50], dtype=np.int64)
    ua = rng.random(3)
    pks.categories_by_group(cums, guide, group, ua, at, out)
    for i, p in enumerate(at):
        assert out[p] == min(np.searchsorted(cums[group[p]], ua[i], side="right"), 4)

    first = np.array([0, 16, 30, 45, 60], dtype=np.uint8)
    widths = [16, 14, 15, 15, 41]
    year_cum = np.ones((2, 5, 41))
    for g in range(2):
        for b, w in enumerate(widths):
            cum = np.cumsum(rng.random(w))
            year_cum[g, b, :w] = cum / cum[-1]
            year_cum[g, b, w - 1] = 1.0
    band = rng.integers(0, 5, size=n).astype(np.uint8)
    age = band.copy()
    u = rng.random(n)
    rows = year_cum.reshape(10, 41)
    pks.years_in_bands(rows, pks.guide_table(rows, np.int64(40), 1.0), first, group, u, age)
    want = [
        first[b] + np.searchsorted(year_cum[g, b], v, side="right")
        for g, b, v in zip(group, band, u, strict=True)
    ]
    np.testing.assert_array_equal(age, want)
    for b, w in enumerate(widths):  # every year stays in its band
        assert (age[band == b] >= first[b]).all() and (age[band == b] < first[b] + w).all()


def test_guided_search_at_bucket_edges(rng) -> None:
    """The guide table starts a search where the search from 0 passes: the same categories
    for boundaries on a bucket's edge, draws on a boundary, repeated boundaries, and a row
    that is not a distribution (decreasing, so that the table must not assume an order)."""
    edge = 1.0 / pks.GUIDE
    cums = np.array(
        [
            [edge, 2 * edge, 2 * edge, 0.5, 0.5 + edge / 3, 1.0],
            [0.0, 0.0, 0.25, 0.25, 0.75, 1.0],
            [0.9, 0.1, 0.95, 0.2, 0.99, 1.0],
        ]
    )
    u = np.concatenate(
        [cums.ravel(), np.nextafter(cums.ravel(), 0.0), rng.random(5000), [0.0, 1 - 1e-16]]
    )
    u = u[(u >= 0) & (u < 1)]
    for last in (5, 3):  # a table built for fewer categories is a valid start too
        guide = pks.guide_table(cums, np.int64(last), 1.0)
        for g in range(3):
            out = np.zeros(len(u), dtype=np.uint8)
            group = np.full(len(u), g, dtype=np.uint8)
            pks.categories_by_group(cums, guide, group, u, np.empty(0, dtype=np.int64), out)
            want = [_scan(cums[g], 5, v) for v in u]
            np.testing.assert_array_equal(out, want)


def test_a_guide_table_for_more_categories_than_a_byte_holds_is_refused() -> None:
    """The guide table is uint8: 255 categories' starts fit, more would wrap silently, so
    ``guide_table`` refuses them."""
    cums = np.linspace(0.0, 1.0, 300).reshape(1, -1)
    assert pks.guide_table(cums, np.int64(255), 1.0).max() == 255
    with pytest.raises(ValueError, match="uint8"):
        pks.guide_table(cums, np.int64(256), 1.0)


def test_scaled_categories_match_numpy(rng) -> None:
    """categories_scaled (region.choice's search) against np.searchsorted of the scaled
    draws, for sums other than 1 and draws on the buckets' edges and on the boundaries."""
    for total in (1.0, 0.37, 3.9e-3, 17.25):
        probs = rng.random(9) * total
        probs[3] = 0.0  # an empty category: a repeated boundary
        probs *= total / probs.sum()
        cum = np.cumsum(probs)
        grid = np.arange(pks.GUIDE) / pks.GUIDE
        u = np.concatenate(
            [grid, np.nextafter(grid[1:], 0.0), cum / probs.sum(), rng.random(3000), [0.0]]
        )
        u = u[(u >= 0) & (u < 1)]
        cums = cum.reshape(1, -1)
        guide = pks.guide_table(cums, np.int64(9), float(probs.sum()))
        out = np.empty(len(u), dtype=np.intp)
        pks.categories_scaled(cums, guide, float(probs.sum()), u, out)
        np.testing.assert_array_equal(
            out, np.searchsorted(cum, u * probs.sum(), side="right"), err_msg=f"{total}"
        )


@pytest.mark.parametrize("name", ["household_sizes", "kolkhoz_sizes", "workplace_sizes"])
def test_size_bins_draw_as_numpy_choice(name) -> None:
    """SizeBins.sample draws the bins ``rng.choice(len(p), size=k, p=p)`` draws, from the
    same numbers: the same sizes, and the stream left where it was."""
    from greatterror.population.inputs import load_inputs
    from greatterror.population.spec import build_spec

    bins = getattr(build_spec(load_inputs()), name)
    for seed, k in [(1, 0), (2, 1), (3, 17), (4, 5000), (5, 100_000)]:
        ours, numpy = np.random.default_rng(seed), np.random.default_rng(seed)
        got = bins.sample(ours, k)
        b = numpy.choice(len(bins.probs), size=k, p=bins.probs)
        np.testing.assert_array_equal(got, numpy.integers(bins.low[b], bins.high[b] + 1))
        assert ours.random() == numpy.random()


def _scan(cum: np.ndarray, last: int, v: float) -> int:
    """The search from 0 that the guide table shortens."""
    j = 0
    while j < last and cum[j] <= v:
        j += 1
    return j


def test_occupations(rng, people) -> None:
    p = people
    group_h = rng.integers(0, 10, size=N_HOUSEHOLDS).astype(np.uint8)
    urban_h = rng.random(N_HOUSEHOLDS) < 0.3
    u = rng.random(p["n"])
    urban = np.zeros(p["n"], dtype=bool)
    occupation = np.zeros(p["n"], dtype=np.uint8)
    w = np.array([0.2, 1.9])
    pk.occupations(
        C, p["sizes"], group_h, urban_h, p["age"], p["male"], u, 0.2, w, urban, occupation
    )
    occ = group_h[p["hh"]]
    rate = 0.2 * w[p["male"].astype(int)]
    manager = (occ != Occupation.OTHER) & (p["age"] >= 30) & (p["age"] < 60) & (u < rate)
    np.testing.assert_array_equal(occupation, np.where(manager, Occupation.MANAGER_OFFICIAL, occ))
    np.testing.assert_array_equal(urban, urban_h[p["hh"]])


def test_clergy(rng, people) -> None:
    p = people
    u = rng.random(p["n"])
    w = np.array([0.3, 1.8])
    occupation = p["occupation"].copy()
    pk.clergy(C, p["age"], p["male"], u, 0.1, w, occupation)
    chosen = (p["age"] >= 30) & (u < 0.1 * w[p["male"].astype(int)])
    np.testing.assert_array_equal(occupation, np.where(chosen, Occupation.CLERGY, p["occupation"]))


def test_party_status_and_cohorts(rng, people) -> None:
    p = people
    u = rng.random(p["n"])
    scale = rng.random(10)
    w = np.array([0.4, 1.6])
    thresholds = np.cumsum([0.3, 0.1, 0.2])
    party = np.zeros(p["n"], dtype=np.uint8)
    count = pk.party_status(C, p["occupation"], p["age"], p["male"], u, scale, w, thresholds, party)
    p_any = scale[p["occupation"]] * w[p["male"].astype(int)] * (p["age"] >= 16)
    v = u / np.maximum(p_any, 1e-300)
    want = np.select(
        [v < thresholds[0], v < thresholds[1], v < thresholds[2]],
        [Party.MEMBER, Party.CANDIDATE, Party.EXPELLED],
        0,
    )
    want[p_any == 0] = 0
    np.testing.assert_array_equal(party, want)
    assert count == int((want != 0).sum())

    drawn = rng.integers(1, 5, size=count).astype(np.uint8)
    cohort = np.zeros(p["n"], dtype=np.uint8)
    pk.cohorts(C, party, p["age"], drawn, cohort)
    want_c = np.zeros(p["n"], dtype=np.uint8)
    want_c[party != 0] = drawn
    want_c[party == Party.CANDIDATE] = Cohort.Y1930S
    young = (party != 0) & (p["age"] < 30) & (want_c < Cohort.Y1921_1929)
    want_c[young] = Cohort.Y1921_1929
    np.testing.assert_array_equal(cohort, want_c)


def _kulak_heads(p, kulak_h) -> set[int]:
    heads = set()
    for h in np.flatnonzero(kulak_h):
        members = np.arange(p["starts"][h], p["starts"][h] + p["sizes"][h])
        men = members[p["male"][members] & (p["age"][members] >= 30)]
        women = members[~p["male"][members] & (p["age"][members] >= 45)]
        if len(men):
            heads.add(int(men[0]))
        elif len(women):
            heads.add(int(women[0]))
    return heads


def test_marks_first_marks_one_former_kulak_per_household(rng, people) -> None:
    p = people
    kulak_h = rng.random(N_HOUSEHOLDS) < 0.4
    u = rng.random(p["n"])
    marks = np.full(p["n"], 255, dtype=np.uint8)  # overwritten
    pkm.marks_first(C, p["sizes"], kulak_h, p["age"], p["male"], p["occupation"], u, 0.3, marks)
    kulak = np.zeros(p["n"], dtype=bool)
    kulak[list(_kulak_heads(p, kulak_h))] = True
    officer = p["male"] & (p["age"] >= 45) & (u < 0.3)
    clergy = p["occupation"] == Occupation.CLERGY
    want = (
        np.where(kulak, Mark.FORMER_KULAK, 0)
        | np.where(officer, Mark.WHITE_OFFICER, 0)
        | np.where(clergy, Mark.CLERGY_SECTARIAN, 0)
    )
    np.testing.assert_array_equal(marks, want)
    assert np.bincount(p["hh"][kulak], minlength=N_HOUSEHOLDS).max() <= 1
    assert kulak.any() and (p["age"][kulak] >= 30).all()


def test_other_party_opposition_prior(rng, people) -> None:
    p = people
    w = np.array([0.5, 1.5])
    base = rng.integers(0, 2, size=p["n"]).astype(np.uint8)
    marks = base.copy()
    u1, u2, u3 = rng.random(p["n"]), rng.random(p["n"]), rng.random(p["n"])
    pkm.marks_other_party(C, p["age"], p["male"], u1, 0.2, w, marks)
    pkm.marks_opposition(C, p["age"], p["party"], u2, 0.1, 3.5, marks)
    pkm.marks_prior(C, p["age"], p["male"], u3, 0.15, w, False, marks)
    sex_w = w[p["male"].astype(int)]
    other = (p["age"] >= 45) & (u1 < 0.2 * sex_w)
    weight = np.select([p["party"] == Party.EXPELLED, p["party"] == Party.MEMBER], [3.5, 1.0], 0.0)
    opp = (p["age"] >= 30) & (u2 < 0.1 * weight)
    prior = u3 < sex_w * 0.15 * (p["age"] >= 16)
    want = (
        base
        | np.where(other, Mark.OTHER_PARTY, 0)
        | np.where(opp, Mark.OPPOSITIONIST, 0)
        | np.where(prior, Mark.PRIOR_CONVICTION, 0)
    )
    np.testing.assert_array_equal(marks, want)
    camp = np.zeros(p["n"], dtype=np.uint8)
    pkm.marks_prior(C, p["age"], p["male"], u3, 0.15, w, True, camp)
    assert (camp == Mark.PRIOR_CONVICTION).all()  # every camp prisoner


def test_church_activists_are_lay_people_45_and_over(rng, people) -> None:
    """The activists' mark goes to lay people aged 45 and over, at the sex-weighted rate; no
    one younger, and no one already clergy, is marked by it."""
    p = people
    w = np.array([0.8, 1.2])
    occupation = rng.integers(0, 10, size=p["n"]).astype(np.uint8)
    marks = np.zeros(p["n"], dtype=np.uint8)
    u = rng.random(p["n"])
    pkm.marks_church(C, p["age"], p["male"], occupation, u, 0.3, w, marks)
    sex_w = w[p["male"].astype(int)]
    lay = occupation != Occupation.CLERGY
    want = lay & (p["age"] >= 45) & (u < 0.3 * sex_w)
    np.testing.assert_array_equal(marks, np.where(want, Mark.CLERGY_SECTARIAN, 0))
    assert want.any() and not (marks[p["age"] < 45]).any()


def test_nationalities_mark_adults_only(rng, people) -> None:
    p = people
    nat_codes = np.array([1, 2, 3], dtype=np.uint8)
    nat_h = rng.integers(0, 5, size=N_HOUSEHOLDS)  # 3 and 4: no diaspora nationality
    urban = rng.random(p["n"]) < 0.4
    u = rng.random(p["n"])
    nationality = np.zeros(p["n"], dtype=np.uint8)
    marks = np.zeros(p["n"], dtype=np.uint8)
    pk.nationalities(C, p["sizes"], nat_h, nat_codes, urban, p["age"], u, 0.1, nationality, marks)
    nat = np.where(nat_h < 3, nat_codes[np.minimum(nat_h, 2)], 0)[p["hh"]]
    adult = p["age"] >= 16
    want = np.where((nat != 0) & adult, Mark.DIASPORA, 0) | np.where(
        urban & adult & (u < 0.1), Mark.FOREIGN_COMMUNIST, 0
    )
    np.testing.assert_array_equal(nationality, nat)
    np.testing.assert_array_equal(marks, want)


def test_wage_earners_and_farm_members(rng, people) -> None:
    p = people
    got = pk.wage_earners(C, p["age"], p["occupation"])
    wage = np.isin(
        p["occupation"],
        [Occupation.WORKER, Occupation.EMPLOYEE_SPECIALIST, Occupation.MANAGER_OFFICIAL],
    )
    np.testing.assert_array_equal(got, np.flatnonzero(wage & (p["age"] >= 16) & (p["age"] < 60)))
    farm_h = np.where(rng.random(N_HOUSEHOLDS) < 0.5, rng.integers(0, 9, N_HOUSEHOLDS), -1)
    label = np.where(rng.random(p["n"]) < 0.3, 99, -1).astype(np.int32)
    want = label.copy()
    farm = farm_h[p["hh"]]
    fill = (farm >= 0) & (p["age"] >= 16) & (label < 0)
    want[fill] = farm[fill]
    pk.farm_members(C, p["sizes"], farm_h.astype(np.int32), p["age"], label)
    np.testing.assert_array_equal(label, want)


def test_adult_draws_take_no_child(rng) -> None:
    """model/registers.draw_adults_in_groups: the first adult among the tries, else the
    next adult after the last try; never a child."""
    sizes = np.array([50, 0, 30, 8], dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    age = rng.integers(0, 70, size=int(sizes.sum())).astype(np.uint8)
    age[starts[3] : starts[3] + 8] = 5  # a run of children only: no one is drawn there
    counts = np.array([40, 3, 25, 4])
    tries = 8
    total = int(counts[sizes > 0].sum())
    u = rng.random(total * tries)
    got = draw_adults_in_groups(counts, sizes, u, starts, age, 16, tries)
    want = []
    k = 0
    for r in np.flatnonzero(sizes > 0):
        for _ in range(counts[r]):
            pos = starts[r] + (u[k * tries : (k + 1) * tries] * sizes[r]).astype(np.int64)
            adult = pos[age[pos] >= 16]
            if len(adult):
                want.append(int(adult[0]))
            else:
                ring = starts[r] + (pos[-1] - starts[r] + np.arange(1, sizes[r] + 1)) % sizes[r]
                ok = ring[age[ring] >= 16]
                want.append(int(ok[0]) if len(ok) else -1)
            k += 1
    np.testing.assert_array_equal(got, want)
    assert (age[got[got >= 0]] >= 16).all()
    assert (got[-4:] == -1).all()


def test_males_by_year(rng, people) -> None:
    """``male = u < male_share[residence, age]`` (the 1937 census's share of men by
    residence and year of age); an age or a residence outside the table raises, as NumPy's index does."""
    n = people["n"]
    share = rng.random((2, 101))
    residence = rng.integers(0, 2, size=n).astype(np.uint8)
    u = rng.random(n)
    male = np.zeros(n, dtype=bool)
    pk.males_by_year(share, residence, people["age"], u, male)
    want = u < share[residence, people["age"]]
    assert np.array_equal(male, want) and want.any() and not want.all()
    with pytest.raises(IndexError):
        pk.males_by_year(share[:, :10], residence, people["age"], u, male)
    with pytest.raises(IndexError):  # a residence outside the table (review15 F10)
        pk.males_by_year(share[:1], residence, people["age"], u, male)
