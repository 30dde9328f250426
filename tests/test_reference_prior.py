"""Prior sensitivity of a reference table without new simulations (calibration/reference_prior.py):
importance weights of narrowed priors, the weighted rejection reading, and `choose --prior-scale`."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reference_tables import H6, H7, _table_with_values, drawn_table
from typer.testing import CliRunner

from greatterror.calibration.compare import hypothesis_priors, scaled_prior
from greatterror.calibration.compare_evidence import zero_rate_bound
from greatterror.calibration.reference_choice import ReferenceChoiceError
from greatterror.calibration.reference_prior import (
    Narrowed,
    log_density,
    log_weights,
    narrowed_rejection,
    table_weights,
    weighted_rates,
)
from greatterror.calibration.reference_table import PAR, read_reference
from greatterror.cli.app import app
from greatterror.model.priors import Prior

runner = CliRunner()
UNIT = Prior(kind="uniform", args=(0.0, 1.0), low=0.0, high=1.0)


def weights(values: np.ndarray, prior: Prior, factor: float, integer: bool = False) -> np.ndarray:
    column = np.asarray(values, dtype=float)[:, None]
    return np.exp(log_weights(column, [prior], [scaled_prior(prior, factor)], [integer]))


def test_a_hypothesis_accepted_only_in_its_priors_outer_part_loses_when_narrowed() -> None:
    """A's rows near the record all lie in the outer half of its uniform prior, B's anywhere:
    narrowed x0.5 (support [0.25, 0.75], density 2), A keeps no accepted weight and B holds
    all the probability; every row inside weighs 2, so the Kish size of each is half its rows."""
    n = 200
    x = (np.arange(n) + 0.5) / n  # an even grid over the prior
    outer = np.abs(x - 0.5) > 0.25
    rows = pd.DataFrame({"block": np.ones(2 * n, dtype=int), "hypothesis": ["A"] * n + ["B"] * n})
    # A: its outer rows at distance 1, its inner ones far (10); B: every fourth row at 1
    distance = np.concatenate(
        [np.where(outer, 1.0, 10.0), np.where(np.arange(n) % 4 == 0, 1.0, 5.0)]
    )
    w = np.concatenate([weights(x, UNIT, 0.5), weights(x, UNIT, 0.5)])
    assert set(np.round(w, 12)) == {0.0, 2.0} and w[:n][outer].max() == 0.0
    hypothesis = rows["hypothesis"].to_numpy()
    out = narrowed_rejection(rows, hypothesis, distance, ["A", "B"], w, 0.5, [0.3])
    pooled = next(r for r in out if r.scope == "pooled")
    assert pooled.accepted == {"A": 100, "B": 50}
    assert pooled.declared == pytest.approx({"A": 2 / 3, "B": 1 / 3})  # 100/200 against 50/200
    assert pooled.probabilities == pytest.approx({"A": 0.0, "B": 1.0})
    assert pooled.effective_rows == pytest.approx({"A": 100.0, "B": 100.0})
    assert pooled.effective_accepted["A"] == 0.0 and pooled.read
    # at F = 1 every weight is 1 and the reading is the declared one
    ones = np.concatenate([weights(x, UNIT, 1.0), weights(x, UNIT, 1.0)])
    assert (ones == 1.0).all()
    same = narrowed_rejection(rows, hypothesis, distance, ["A", "B"], ones, 1.0, [0.3])[-1]
    assert same.probabilities == pytest.approx(same.declared)
    assert same.effective_rows == pytest.approx({"A": 200.0, "B": 200.0})


def test_the_kish_size_of_unequal_weights() -> None:
    """Weights 1, 1, 4 (and a 0): (sum w)^2 / sum w^2 = 36 / 18 = 2."""
    rows = pd.DataFrame({"block": [1] * 4, "hypothesis": ["A"] * 4})
    w = np.array([1.0, 1.0, 4.0, 0.0])
    r = narrowed_rejection(rows, rows["hypothesis"].to_numpy(), np.arange(4.0), ["A"], w, 0.5, [1])
    assert r[0].effective_rows == {"A": pytest.approx(2.0)}


def test_a_whole_number_parameter_weighs_the_mass_that_rounds_to_it() -> None:
    """uniform(0, 4) rounded gives 0 and 4 an eighth each (half an interval), 1-3 a quarter;
    narrowed x0.5, uniform(1, 3), gives 1 and 3 a quarter and 2 a half: weights 0, 1, 2, 1, 0
    (the ratio of densities would give 1 and 3 a weight of 2)."""
    prior = Prior(kind="uniform", args=(0.0, 4.0), low=0.0, high=4.0)
    assert weights(np.arange(5.0), prior, 0.5, integer=True) == pytest.approx(
        [0.0, 1.0, 2.0, 1.0, 0.0]
    )


@pytest.mark.parametrize(
    "prior",
    [
        Prior(kind="normal", args=(1.0, 3.0), low=0.0, high=6.0),
        Prior(kind="beta", args=(0.5, 2.0), low=1.0, high=9.0),
        Prior(kind="uniform", args=(0.0, 4.0), low=0.0, high=7.0),
    ],
)
def test_the_masses_that_round_to_each_whole_number_sum_to_one(prior: Prior) -> None:
    """The rounded values of a whole-number parameter, its range's ends included, carry all
    of the prior's mass, and of the narrowed one's (no mass lies outside the range)."""
    x = np.arange(prior.low, prior.high + 1)
    for p in (prior, scaled_prior(prior, 0.5)):
        assert np.exp(log_density(p, x, integer=True)).sum() == pytest.approx(1.0)


@pytest.mark.parametrize(
    "prior",
    [
        Prior(kind="normal", args=(0.3, 0.2), low=0.0, high=1.0),
        Prior(kind="loguniform", args=(1e-4, 1e-1), low=0.0, high=1.0),
        Prior(kind="beta", args=(2.0, 5.0), low=0.0, high=1.0),
        # continuous uniform and log-uniform priors reaching the parameter's range's end
        Prior(kind="uniform", args=(0.2, 1.0), low=0.0, high=1.0),
        Prior(kind="loguniform", args=(1e-3, 1.0), low=0.0, high=1.0),
    ],
)
def test_weighted_draws_of_the_declared_prior_have_the_narrowed_priors_moments(
    prior: Prior,
) -> None:
    """Importance weights are right only if both densities are: draws of the declared prior,
    weighted, must give the narrowed prior's mean and standard deviation."""
    x = prior.frozen().rvs(size=200_000, random_state=np.random.default_rng(5))
    w = weights(x, prior, 0.5)
    target = scaled_prior(prior, 0.5).frozen()
    mean = float(np.average(x, weights=w))
    sd = math.sqrt(float(np.average((x - mean) ** 2, weights=w)))
    assert mean == pytest.approx(target.mean(), rel=0.03)
    assert sd == pytest.approx(target.std(), rel=0.05)
    assert sd < 0.8 * prior.frozen().std()  # narrowed, not left alone


def test_a_value_the_declared_prior_cannot_give_is_refused() -> None:
    with pytest.raises(ValueError, match="no density under uniform"):
        weights(np.array([0.5, 1.5]), UNIT, 0.5)


def test_table_weights_are_one_at_scale_one_and_need_todays_priors(tmp_path: Path) -> None:
    ref = read_reference(_table_with_values(tmp_path))
    hypothesis = ref.rows["hypothesis"].to_numpy()
    assert (table_weights(ref.rows, hypothesis, ref.manifest, 1.0) == 1.0).all()
    narrowed = table_weights(ref.rows, hypothesis, ref.manifest, 0.9)
    assert ((narrowed >= 0) & (narrowed <= 1)).all()  # normalised within each hypothesis
    changed = ref.rows.copy()
    name = hypothesis_priors(H7)[0][0]
    last = changed.index[(changed["hypothesis"] == "H7") & (changed["block"] == 2)][-1]
    changed.loc[last, PAR + name] *= 1.001
    with pytest.raises(ReferenceChoiceError, match=f"H7's draw 2 of block 2 has {name}"):
        table_weights(changed, hypothesis, ref.manifest, 0.5)
    with pytest.raises(ReferenceChoiceError, match=f"H6's rows lack {PAR}"):
        table_weights(ref.rows.drop(columns=[PAR + hypothesis_priors(H6)[0][0]]),
                      hypothesis, ref.manifest, 0.5)  # fmt: skip


def test_a_reading_is_not_read_where_a_hypothesis_keeps_too_few_effective_rows() -> None:
    base = {"drawn": {"A": 50, "B": 50}, "accepted": {"A": 20, "B": 20}}
    base |= {"rates": {"A": 0.4, "B": 0.4}, "rate_bounds": {"A": math.nan, "B": math.nan}}
    thin = Narrowed(0.5, "pooled", 0.1, 1.0, **base, effective_rows={"A": 40.0, "B": 3.0},
                    effective_accepted={"A": 15.0, "B": 1.0}, probabilities={}, declared={})  # fmt: skip
    assert not thin.read
    enough = Narrowed(0.5, "pooled", 0.1, 1.0, **base, effective_rows={"A": 40.0, "B": 12.0},
                      effective_accepted={"A": 8.0, "B": 2.5}, probabilities={}, declared={})  # fmt: skip
    assert enough.read


def test_a_zero_from_few_effective_rows_is_a_bound_not_a_resolved_split() -> None:
    """review26 F1: B has no accepted weight, but only 12 effective rows (12 rows of weight 1,
    88 of weight 0); its rate is bounded at zero_rate_bound(12) = 0.22, above A's rate of
    0.15, so the table does not tell B from A. With 100 effective rows (bound 0.03) it does."""
    hypothesis = np.array(["A"] * 100 + ["B"] * 100)
    kept = np.concatenate([np.arange(100) < 15, np.zeros(100, dtype=bool)])
    few = np.concatenate([np.ones(100), (np.arange(100) < 12).astype(float)])
    rates = weighted_rates(hypothesis, kept, few, ["A", "B"])
    assert rates["B"]["rate"] == 0.0 and rates["B"]["effective_rows"] == pytest.approx(12.0)
    assert rates["B"]["rate_bound"] == pytest.approx(zero_rate_bound(12.0))
    assert rates["B"]["rate_bound"] == pytest.approx(0.221, abs=1e-3)
    assert math.isnan(rates["A"]["rate_bound"])  # measured, not bounded
    assert rates["A"]["rate"] == pytest.approx(0.15)
    rows = pd.DataFrame({"block": np.ones(200, dtype=int), "hypothesis": hypothesis})
    distance = np.where(kept, 1.0, 10.0)
    pooled = narrowed_rejection(rows, hypothesis, distance, ["A", "B"], few, 0.9, [0.075])[-1]
    assert pooled.read and pooled.best == "A" and pooled.unresolved == ["B"]
    assert pooled.as_dict()["unresolved"] == ["B"]
    ones = np.ones(200)
    resolved = narrowed_rejection(rows, hypothesis, distance, ["A", "B"], ones, 0.9, [0.075])[-1]
    assert resolved.rate_bounds["B"] == pytest.approx(zero_rate_bound(100.0))
    assert resolved.unresolved == [] and resolved.thin == []


def test_a_probability_on_few_effective_accepted_rows_is_thin() -> None:
    """A holds 4 effective accepted rows (of 15 accepted, 11 of them weightless): its
    probability is not compared with B's, which holds 20."""
    hypothesis = np.array(["A"] * 100 + ["B"] * 100)
    kept = np.concatenate([np.arange(100) < 15, np.arange(100) < 20])
    w = np.concatenate([(np.arange(100) >= 11).astype(float), np.ones(100)])
    rows = pd.DataFrame({"block": np.ones(200, dtype=int), "hypothesis": hypothesis})
    distance = np.where(kept, 1.0, 10.0)
    pooled = narrowed_rejection(rows, hypothesis, distance, ["A", "B"], w, 0.9, [0.175])[-1]
    assert pooled.effective_accepted == pytest.approx({"A": 4.0, "B": 20.0})
    assert pooled.thin == ["A"] and pooled.as_dict()["thin"] == ["A"]


def test_a_row_of_a_block_the_manifest_does_not_list_is_refused(tmp_path: Path) -> None:
    """review26 F5: a KeyError (a traceback) before; now the path and the allowed blocks."""
    ref = read_reference(_table_with_values(tmp_path))
    rows = ref.rows.copy()
    rows.loc[rows.index[-1], "block"] = 7
    hypothesis = rows["hypothesis"].to_numpy()
    with pytest.raises(ReferenceChoiceError, match=r"PATH: .*block 7 .*allowed: its blocks 1, 2"):
        table_weights(rows, hypothesis, ref.manifest, 0.9)


def test_choose_prior_scale_refuses_a_block_the_manifest_does_not_list(tmp_path: Path) -> None:
    table = drawn_table(tmp_path / "t")
    manifest = json.loads((table / "manifest.json").read_text())
    del manifest["blocks"]["2"]
    (table / "manifest.json").write_text(json.dumps(manifest))
    out = tmp_path / "r"
    cli = ["hypotheses", "reference", "choose", str(table), "--trees", "5", "--out", str(out)]
    result = runner.invoke(app, [*cli, "--prior-scale", "0.9"])
    assert result.exit_code == 2, result.output
    assert "block 2" in result.output and "allowed: its blocks 1" in result.output
    assert not out.exists()


# --- the command ------------------------------------------------------------------------


def test_choose_prior_scale_writes_the_weighted_reading_beside_the_others(tmp_path: Path) -> None:
    table = drawn_table(tmp_path / "t")
    out = tmp_path / "r"
    cli = ["hypotheses", "reference", "choose", str(table), "--trees", "5", "--out", str(out)]
    result = runner.invoke(app, [*cli, "--prior-scale", "0.99", "--prior-scale", "0.5", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    sensitivity = summary["prior_sensitivity"]
    assert sensitivity["prior_scales"] == [0.99, 0.5] and "need new draws" in sensitivity["widened"]
    csv = pd.read_csv(out / "prior_sensitivity.csv")
    assert set(csv["prior_scale"]) == {0.99, 0.5}
    assert set(csv["scope"]) == {"block 1", "block 2", "pooled"}
    rejection = pd.read_csv(out / "rejection.csv")
    merged = csv.merge(rejection, on=["scope", "fraction", "hypothesis"])
    assert np.allclose(merged["declared_probability"], merged["probability_y"], equal_nan=True)
    assert (csv["effective_rows"] <= csv["drawn"] + 1e-9).all()
    # x0.5 over the many priors of H6 and H7: no row lies inside every narrowed support
    half = csv[csv["prior_scale"] == 0.5]
    assert (half["effective_rows"] < 1.5).all() and not half["read"].any()
    # the bound of a hypothesis with no accepted weight, from its effective rows
    nothing = csv[(csv["effective_accepted"] == 0) & (csv["effective_rows"] > 0)]
    assert len(nothing) and np.allclose(
        nothing["rate_bound"], [zero_rate_bound(n) for n in nothing["effective_rows"]]
    )
    measured = csv[csv["effective_accepted"] > 0]
    assert measured["rate_bound"].isna().all()
    assert {"rate", "best", "compared", "resolved_from_best"} <= set(csv.columns)
    printed = runner.invoke(app, [*cli, "--prior-scale", "0.5"])
    assert printed.exit_code == 0, printed.output
    assert "every prior narrowed x0.5" in printed.output
    assert "cannot be read from this table" in printed.output
    assert "lowest-highest" in printed.output  # the declared reading's range over the blocks
    assert not re.search(r"\bnan\b", printed.output)
    mild = runner.invoke(app, [*cli, "--prior-scale", "0.99"])
    assert mild.exit_code == 0, mild.output
    assert "split" in mild.output and "rate <" in mild.output
    again = runner.invoke(app, cli)  # without the option, an earlier run's file goes
    assert again.exit_code == 0, again.output
    assert not (out / "prior_sensitivity.csv").exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2", "--prior-scale: 2 widens the table's priors"),
        ("1", "--prior-scale: 1 is not allowed"),
        ("0", "--prior-scale: 0 is not allowed"),
        ("-0.5", "--prior-scale: -0.5 is not allowed"),
        ("nan", "--prior-scale: nan is not allowed"),
    ],
)
def test_choose_refuses_bad_prior_scales_before_any_work(
    tmp_path: Path, value: str, message: str
) -> None:
    out = tmp_path / "r"
    cli = ["hypotheses", "reference", "choose", str(tmp_path / "missing"), "--out", str(out)]
    result = runner.invoke(app, [*cli, "--prior-scale", value])
    assert result.exit_code == 2 and message in result.output, result.output
    twice = runner.invoke(app, [*cli, "--prior-scale", "0.5", "--prior-scale", "0.5"])
    assert twice.exit_code == 2 and "given twice" in twice.output
    assert not out.exists()


def test_choose_refuses_a_table_whose_draws_todays_priors_do_not_give(tmp_path: Path) -> None:
    table = drawn_table(tmp_path / "t")
    frame = pd.read_parquet(next((table / "parts").glob("block1*.parquet")))
    name = hypothesis_priors(H6)[0][0]
    frame.loc[0, PAR + name] = frame.loc[0, PAR + name] * 1.01
    part = next((table / "parts").glob("block1*.parquet"))
    frame.to_parquet(part, index=False)
    out = tmp_path / "r"
    cli = ["hypotheses", "reference", "choose", str(table), "--trees", "5", "--out", str(out)]
    result = runner.invoke(app, [*cli, "--prior-scale", "0.5"])
    assert result.exit_code == 2 and "the priors changed since the table was made" in result.output
    assert not out.exists()
    assert runner.invoke(app, cli).exit_code == 0  # the declared reading needs no drawn values


def test_block_ranges_span_the_blocks_read_at_each_fraction() -> None:
    from greatterror.cli.reference_ranges import block_ranges

    def reading(scope: str, fraction: float, p: dict[str, float], read: bool = True) -> dict:
        return {"scope": scope, "fraction": fraction, "probabilities": p, "read": read}

    readings = [
        reading("block 1", 0.05, {"A": 0.4, "B": 0.6}),
        reading("block 2", 0.05, {"A": 0.7, "B": 0.3}),
        reading("block 3", 0.05, {"A": 1.0, "B": 0.0}, read=False),  # too few accepted
        reading("pooled", 0.05, {"A": 0.0, "B": 1.0}),
        reading("block 1", 0.1, {"A": math.nan, "B": math.nan}),
    ]
    spans = block_ranges(readings)
    assert spans[0.05] == {"A": (0.4, 0.7), "B": (0.3, 0.6)}
    assert spans[0.1] == {}


def test_the_pooled_ranges_mark_an_unread_reading_and_print_no_nan(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """review26 F7: the pooled-ranges table says "not read" as the table above it does, and
    prints "-" for a probability that is NaN."""
    from greatterror.cli.reference_ranges import print_pooled_ranges

    reading = {"scope": "pooled", "fraction": 0.005, "read": False}
    reading["probabilities"] = {"A": math.nan, "B": 1.0}
    summary = {"hypotheses": ["A", "B"], "rejection": [reading], "min_accepted": 10}
    print_pooled_ranges(summary)
    text = capsys.readouterr().out
    assert "0.005 (not read)" in text and "- (no block read)" in text
    assert not re.search(r"\bnan\b", text)
