"""The NKVD's capacity to arrest (model/nkvd_capacity.py): a ceiling on the denunciations acted
on and on ordinary work, which the perceived-threat loop of H3's and H4's runaways multiplied
without one.

The ceiling is respected where it binds, changes nothing where it does not (the same arrays,
no draw), never binds in the historical or endogenous scenario (1:1,000, seed 1), is reported
in summary.json when it does, and a run it binds in is the run without it up to the first day
it binds.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import greatterror as gt
from greatterror.model.nkvd_capacity import (
    bound_denunciations,
    bound_named,
    capacity_block,
    capacity_left,
    take_ordinary,
    within_capacity,
)
from greatterror.model.state import Institutions
from greatterror.vocabulary import EV

H3 = "hypotheses/h3_misperception_cascade"
#: H3's first prior draw of the check of 5 December 2026 (docs/ppc-2026-12-05), in the
#: parameters that drive its runaway: a misperception loop with a gain above one
RUNAWAY = {
    "threat_per_conspiracy": 4.8e-05,
    "report_false_positive_share": 0.133,
    "base_unmarked_arrest_rate": 0.00484,
    "names_per_confession": 3.17,
    "names_acted_on": 0.3,
    "denunciation_rate": 2.9e-4,
    "vigilance_per_trial": 1.48,
}


def _world(officers: list[float], capacity: float = 0.25, w_mass: float = 1000.0) -> Any:
    n = len(officers)
    names = (
        "limit_cat1", "limit_cat2", "initial_cat1", "initial_cat2", "used_cat1", "used_cat2",
        "arrested_00447", "listed_cat1", "goal_00447", "goal_persons_00447",
    )  # fmt: skip
    inst = Institutions(
        **{k: np.zeros(n) for k in names},
        last_request=np.zeros(n, dtype=np.int32),
        officers=np.array(officers, dtype=np.float64),
    )
    w = SimpleNamespace(institutions=inst)
    e = SimpleNamespace(params={"nkvd_capacity": capacity}, w_mass=w_mass)
    return w, e


def test_under_the_ceiling_the_means_are_the_same_arrays() -> None:
    w, e = _world([4000.0, 8000.0])  # 1 and 2 sampled rows a day at 1:1,000
    means = {"kulak": np.array([0.2, 0.5]), "unmarked": np.array([0.3, 0.4])}
    out = within_capacity(means, capacity_left(w, e, 0), w.institutions, 0)
    assert out is means
    assert w.institutions.capacity_bound_days == 0
    assert w.institutions.capacity_first_bound == -1


def test_over_the_ceiling_a_regions_means_are_scaled_to_it() -> None:
    w, e = _world([4000.0, 8000.0])
    means = {"kulak": np.array([1.0, 0.5]), "unmarked": np.array([3.0, 0.4])}
    out = within_capacity(means, capacity_left(w, e, 7), w.institutions, 7)
    total = out["kulak"] + out["unmarked"]
    assert total[0] == pytest.approx(1.0)  # bound: 4,000 officers x 0.25 / 1,000
    assert out["kulak"][0] / out["unmarked"][0] == pytest.approx(1.0 / 3.0)  # one factor
    assert out["kulak"][1] == 0.5 and out["unmarked"][1] == 0.4  # the other region untouched
    assert w.institutions.capacity_bound_days == 1
    assert w.institutions.capacity_first_bound == 7


def test_denunciations_take_the_capacity_first_and_ordinary_work_the_rest() -> None:
    w, e = _world([4000.0, 8000.0])
    lam = bound_denunciations(w, e, 3, np.array([10.0, 1.0]), acted_on=0.3)
    assert lam[0] * 0.3 == pytest.approx(1.0)  # acted on: bounded at the capacity
    assert lam[1] == 1.0
    left = capacity_left(w, e, 3)
    assert left[0] == pytest.approx(0.0) and left[1] == pytest.approx(2.0 - 0.3)
    take_ordinary(w, 3, {"kulak": np.array([0.0, 1.0])})
    assert capacity_left(w, e, 3)[1] == pytest.approx(0.7)
    assert capacity_left(w, e, 4).tolist() == [1.0, 2.0]  # a new day: all of it again


def test_the_named_beyond_the_unions_capacity_left_are_thinned() -> None:
    """Names come whole: they are bounded by the Union's capacity left, each kept with the
    share that fits, and nothing is drawn while they fit."""
    w, e = _world([4000.0, 8000.0])  # 3 sampled rows a day in all
    e.is_elite = np.zeros(10_000, dtype=bool)
    e.is_elite[-1] = True
    w.people = {"region": np.zeros(10_000, dtype=np.int64)}
    rng = np.random.default_rng(1)
    state = rng.bit_generator.state
    named = np.array([1, 2, 9_999])
    assert bound_named(w, e, 5, named, rng).all()
    assert rng.bit_generator.state == state  # no draw below the ceiling
    many = np.arange(3_000)
    kept = bound_named(w, e, 6, many, rng)
    assert kept.sum() == pytest.approx(3.0, abs=6.0)  # binomial(3000, 1/1000)
    assert w.institutions.capacity_first_bound == 6
    with_elite = np.append(many, 9_999)
    assert bound_named(w, e, 7, with_elite, rng)[-1]  # the elite's named are all kept


def test_what_it_turned_away_is_counted_and_reported() -> None:
    """summary.json's ``nkvd_capacity``: region-days bound, the first date, and what was
    turned away (full-population equivalents); a warning only when it bound."""
    w, e = _world([4000.0, 8000.0])  # 1 and 2 sampled rows a day at 1:1,000
    start = dt.date(1934, 12, 1)
    quiet = capacity_block(w.institutions, 1000.0, start)
    assert quiet["bound_region_days"] == 0 and quiet["first_bound"] is None
    assert quiet["warning"] is None and set(quiet["turned_away"].values()) == {0.0}
    bound_denunciations(w, e, 3, np.array([10.0, 1.0]), acted_on=0.3)  # 3 asked, 1 fits
    within_capacity({"unmarked": np.array([0.0, 4.0])}, capacity_left(w, e, 3), w.institutions, 3)
    e.is_elite = np.zeros(10_000, dtype=bool)
    kept = bound_named(w, e, 4, np.arange(3_000), np.random.default_rng(1))
    block = capacity_block(w.institutions, 1000.0, start)
    assert block["bound_region_days"] == 3 and block["first_bound"] == "1934-12-04"
    assert block["turned_away"]["denunciations"] == pytest.approx(2.0 * 1000)
    assert block["turned_away"]["ordinary"] == pytest.approx((4.0 - (2.0 - 0.3)) * 1000)
    assert block["turned_away"]["named"] == (3_000 - kept.sum()) * 1000
    assert "nkvd_capacity" in block["warning"]


@pytest.fixture(scope="module")
def pop1000() -> gt.Population:
    return gt.Population.build(scale=0.001, seed=1)


@pytest.mark.parametrize("scenario", ["historical", "endogenous"])
def test_the_historical_and_endogenous_scenarios_never_reach_it(
    pop1000: gt.Population, scenario: str
) -> None:
    """docs/ODD.md 7.5's claim, at 1:1,000, seed 1; summary.json reports it (no warning)."""
    sim = gt.Sim(scenario, population=pop1000, seed=1).run()
    assert sim.engine.world.institutions.capacity_bound_days == 0
    block = sim.results.summary["nkvd_capacity"]
    assert block["bound_region_days"] == 0 and block["warning"] is None


def _arrests(sim: gt.Sim) -> np.ndarray:
    _, _, _, per_day_op = sim.engine.ledger.sums()
    return np.asarray(per_day_op[:, :, EV["arrested"]])


def test_a_run_is_the_run_without_it_until_it_first_binds(pop1000: gt.Population) -> None:
    """H3 in its runaway corner: the ceiling binds within months. With a capacity twenty
    times higher (the parameter's top) the run is the same up to that day, and then arrests
    more. Since the centre reads the reports through a desk of finite size (branch hyp37,
    model/centre_reading.py) the threat is bounded, and the wider capacity is not reached at
    all in these months (``capacity_first_bound`` -1)."""
    until = "1935-06-30"
    bound = gt.Sim(H3, population=pop1000, seed=1, pars=RUNAWAY).run(until=until)
    wide = gt.Sim(H3, population=pop1000, seed=1, pars={**RUNAWAY, "nkvd_capacity": 5.0})
    wide.run(until=until)
    first = bound.engine.world.institutions.capacity_first_bound
    assert first > 0
    wide_first = wide.engine.world.institutions.capacity_first_bound
    assert wide_first == -1 or wide_first > first
    a, b = _arrests(bound), _arrests(wide)
    assert np.array_equal(a[:first], b[:first])
    assert a[first:].sum() < b[first:].sum()


def test_greatterror_run_prints_the_warning(capsys: pytest.CaptureFixture[str]) -> None:
    """`greatterror run` shows the bound's warning (and the held cases') on stderr."""
    from greatterror.api.results import summary_warnings
    from greatterror.cli.output import warn_of_run

    warn_of_run(summary_warnings({"nkvd_capacity": {"warning": None}}))
    assert capsys.readouterr().err == ""
    w, _ = _world([4000.0])
    w.institutions.capacity_bound_days, w.institutions.capacity_first_bound = 2, 40
    block = capacity_block(w.institutions, 1000.0, dt.date(1934, 12, 1))
    summary = {"nkvd_capacity": block, "limit_requests": {"held_for_sanction": {"warning": None}}}
    warn_of_run(summary_warnings(summary))
    err = " ".join(capsys.readouterr().err.split())
    assert "warning:" in err and "2 region-days from 1935-01-10" in err
