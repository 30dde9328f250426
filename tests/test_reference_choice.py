"""Model choice from a reference table: rejection ABC and the ABC random forest, on toys whose
answer is known, and the `hypotheses reference choose` command's checks and files.

The toys draw every statistic as archival x exp(shift + 0.3 z), z standard normal: two
hypotheses with shifts 0 and 1.5 are told apart by every statistic, two with the same shift
by none. No simulation of the model is run.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from greatterror.calibration.reference_choice import (
    MIN_ACCEPTED,
    ReferenceChoiceError,
    check_rows,
    count_factors,
    distances,
    excess_statistics,
    model_probabilities,
    rejection,
    scopes,
    within,
)
from greatterror.calibration.reference_rf import (
    MIN_ROWS_PER_HYPOTHESIS,
    ForestChoice,
    Refusal,
    forest_choice,
    forest_choices,
)
from greatterror.calibration.simulator import RUNAWAY_STATISTIC
from greatterror.calibration.statistics import Archival
from greatterror.cli.app import app

pytest.importorskip("sklearn")
runner = CliRunner()
BANDS = tuple(
    Archival(f"T{i}", 1000.0 * (i + 1), 900.0 * (i + 1), 1100.0 * (i + 1)) for i in range(5)
)
IDS = [b.fact_id for b in BANDS]
ARCHIVAL = {b.fact_id: b.value for b in BANDS}


def toy_rows(
    spec: dict[str, tuple[float, int]],
    archival: dict[str, float] = ARCHIVAL,
    blocks: tuple[int, ...] = (1,),
    seed: int = 0,
    runaway_share: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Rows of a table: for each block and hypothesis (shift, draws), each statistic at
    archival x exp(shift + 0.3 z); a share of a hypothesis's rows marked as runaways."""
    rng = np.random.default_rng(seed)
    rows = []
    for block in blocks:
        for label, (shift, n) in spec.items():
            share = (runaway_share or {}).get(label, 0.0)
            for draw in range(1, n + 1):
                runaway = draw <= round(share * n)
                row = {"block": block, "hypothesis": label, "draw": draw, "runaway": runaway}
                row["seconds"] = 1.0
                for sid, value in archival.items():
                    noise = shift + 0.3 * rng.standard_normal()
                    row["sim:" + sid] = math.nan if runaway else value * math.exp(noise)
                rows.append(row)
    return pd.DataFrame(rows).sort_values(["block", "hypothesis", "draw"]).reset_index(drop=True)


def features(rows: pd.DataFrame) -> np.ndarray:
    sims = rows[["sim:" + s for s in IDS]].to_numpy(dtype=float)
    out = np.log(np.maximum(sims, 1.0) / np.array([ARCHIVAL[s] for s in IDS]))
    out[rows["runaway"].to_numpy(dtype=bool)] = RUNAWAY_STATISTIC
    return out


def test_probabilities_are_acceptance_rates_not_counts() -> None:
    # 10 of 100 draws of A and 10 of 200 of B: A is accepted twice as often
    p = model_probabilities({"A": 10, "B": 10}, {"A": 100, "B": 200})
    assert p == pytest.approx({"A": 2 / 3, "B": 1 / 3})
    assert model_probabilities({"A": 3, "B": 0, "C": 1}, {"A": 30, "B": 5, "C": 20}) == (
        pytest.approx({"A": 0.1 / 0.15, "B": 0.0, "C": 0.05 / 0.15})
    )
    assert all(math.isnan(v) for v in model_probabilities({"A": 0}, {"A": 4}).values())


def test_within_keeps_the_fraction_of_draws_nearest_the_record() -> None:
    d = np.arange(1.0, 201.0)[::-1]  # 200 distinct distances
    for q, kept in ((0.005, 1), (0.01, 2), (0.05, 10), (0.2, 40), (0.0125, 3)):
        threshold, mask = within(d, q)
        assert mask.sum() == kept and threshold == float(kept)
    assert within(np.array([1.0, 2.0, 2.0, 2.0, 5.0]), 0.4)[1].sum() == 4  # ties at 2 kept


def test_bayes_factors_bound_where_none_is_accepted_and_withhold_words() -> None:
    rows = {
        r["hypothesis"]: r
        for r in count_factors({"A": 20, "B": 0, "C": 5}, {"A": 100, "B": 400, "C": 50}, "A")
    }
    # none of 400 accepted: the rate's upper 95% bound, 1 - 0.05^(1/400), about 3/400
    assert rows["B"]["bayes_factor_of_best"] == pytest.approx(0.2 / (1 - 0.05 ** (1 / 400)))
    assert 26 < rows["B"]["bayes_factor_of_best"] < 27  # not 80, as 1/400 would give
    assert rows["B"]["lower_bound"] and rows["B"]["evidence_for_best"] == "strong"
    assert rows["C"]["bayes_factor_of_best"] == pytest.approx(2.0) and not rows["C"]["lower_bound"]
    assert rows["C"]["withheld"] and "C (5)" in rows["C"]["evidence_for_best"]
    thin = count_factors({"A": 4, "B": 0}, {"A": 10, "B": 10}, "A")[0]
    assert thin["withheld"] and f"A (4) below {MIN_ACCEPTED:g}" in thin["evidence_for_best"]


def test_separated_hypotheses_choose_the_one_at_the_record() -> None:
    rows = toy_rows({"A": (0.0, 150), "B": (1.5, 150)}, blocks=(1, 2), seed=1)
    for a in rejection(rows, BANDS, ["A", "B"]):
        assert a.best == "A" and a.probabilities["A"] > 0.95, a
        assert a.drawn == ({"A": 300, "B": 300} if a.scope == "pooled" else {"A": 150, "B": 150})
    pooled = [a for a in rejection(rows, BANDS, ["A", "B"]) if a.scope == "pooled"]
    assert [a.read for a in pooled] == [a.total_accepted >= MIN_ACCEPTED for a in pooled]
    assert not pooled[0].read and pooled[-1].read  # 0.5% of 600 is 3 draws; 20% is 120
    out = forest_choices(
        scopes(rows),
        features(rows),
        rows["hypothesis"].to_numpy(),
        IDS,
        ["A", "B"],
        trees=60,
        seed=3,
    )
    assert [f.scope for f in out] == ["block 1", "block 2", "pooled"]
    for f in out:
        assert isinstance(f, ForestChoice)
        assert f.selected == "A" and f.prior_error < 0.02 and f.posterior > 0.9
        assert f.votes["A"] > 0.9 * f.trees and f.lda_axes == 1
        assert sum(map(sum, f.confusion)) + f.without_oob == 2 * f.rows_per_hypothesis
    assert set(out[-1].importance) == {*IDS, "LD1"} == set(out[-1].record_quantile)
    # half of A's draws and none of B's lie below the record on each statistic
    assert all(0.15 < out[-1].record_quantile[s] < 0.35 for s in IDS)


def test_record_quantile_marks_a_record_beyond_the_draws() -> None:
    rows = toy_rows({"A": (1.5, 30), "B": (2.5, 30)}, seed=8)
    f = forest_choice(
        "pooled", features(rows), rows["hypothesis"].to_numpy(), IDS, ["A", "B"], trees=10
    )
    assert all(f.record_quantile[s] == 0.0 for s in IDS)  # every draw above the record


def test_indistinguishable_hypotheses_stay_near_one_half_with_unequal_draws() -> None:
    # same distribution, B drawn twice as often: a share of the accepted draws would give A 1/3
    rows = toy_rows({"A": (0.2, 400), "B": (0.2, 800)}, seed=2)
    for a in rejection(rows, BANDS, ["A", "B"], fractions=(0.1, 0.2)):
        accepted = a.total_accepted
        assert accepted >= 0.1 * 1200
        assert abs(a.probabilities["A"] - 0.5) < 3 * math.sqrt(0.25 / accepted) + 0.02, a
    f = forest_choice(
        "pooled", features(rows), rows["hypothesis"].to_numpy(), IDS, ["A", "B"], trees=100, seed=4
    )
    assert f.rows_per_hypothesis == 400 and f.rows_left_out == 400  # the forest reads 400 of each
    assert 0.42 < f.prior_error < 0.58  # a coin: 800 draws, one standard error 0.018
    assert 0.2 < f.votes["A"] / f.trees < 0.8
    assert 0.3 < f.posterior < 0.7  # the selected hypothesis's probability is one half


def test_confusion_matrix_shows_which_hypotheses_are_told_apart() -> None:
    # A and B alike, C apart: the forest confuses A with B, never either with C
    rows = toy_rows({"A": (0.0, 150), "B": (0.0, 150), "C": (1.5, 150)}, seed=6)
    f = forest_choice(
        "pooled", features(rows), rows["hypothesis"].to_numpy(), IDS, ["A", "B", "C"], trees=60
    )
    confusion = np.array(f.confusion)
    assert f.lda_axes == 2 and confusion.shape == (3, 3) and {"LD1", "LD2"} <= set(f.importance)
    assert confusion[2, 2] >= 148 and confusion[:2, 2].sum() <= 2 and confusion[2, :2].sum() <= 2
    assert min(confusion[0, 1], confusion[1, 0]) > 40  # about half of A's and B's rows swapped
    assert f.error_by_hypothesis["C"] < 0.02 < 0.3 < f.error_by_hypothesis["A"]
    assert f.selected in ("A", "B") and 0.3 < f.posterior < 0.7  # A and B share the record


def test_runaway_rows_are_at_the_stand_in_and_accepted_last() -> None:
    # A and B alike, but half of A's draws ran away: A is accepted half as often
    rows = toy_rows({"A": (0.0, 400), "B": (0.0, 400)}, seed=5, runaway_share={"A": 0.5})
    runaway = rows["runaway"].to_numpy()
    stats = excess_statistics(rows, BANDS)
    assert (stats[runaway] == RUNAWAY_STATISTIC).all()
    assert (np.abs(stats[~runaway]) < RUNAWAY_STATISTIC).all()
    d = distances(rows, BANDS)
    assert d[runaway].min() > d[~runaway].max()
    for a in rejection(rows, BANDS, ["A", "B"], fractions=(0.2,)):
        assert abs(a.probabilities["A"] - 1 / 3) < 0.1, a
    assert (features(rows)[runaway] == RUNAWAY_STATISTIC).all()
    broken = rows.copy()
    broken.loc[np.flatnonzero(~runaway)[0], "sim:T2"] = math.nan
    with pytest.raises(ReferenceChoiceError, match="lack a simulated value"):
        check_rows(broken, IDS)


def test_forest_refuses_a_scope_it_cannot_read_and_is_reproducible() -> None:
    rows = pd.concat(
        [
            toy_rows({"A": (0.0, 20), "B": (1.0, 20)}, blocks=(1,)),
            toy_rows({"A": (0.0, 20), "B": (1.0, 3)}, blocks=(2,)),
        ]
    )
    rows = pd.concat([rows, toy_rows({"A": (0.0, 10)}, blocks=(3,))], ignore_index=True)
    out = forest_choices(
        scopes(rows),
        features(rows),
        rows["hypothesis"].to_numpy(),
        IDS,
        ["A", "B"],
        trees=20,
        seed=1,
    )
    by = {f.scope: f for f in out}
    assert isinstance(by["block 1"], ForestChoice) and isinstance(by["pooled"], ForestChoice)
    assert (
        isinstance(by["block 2"], Refusal)
        and f"fewer than {MIN_ROWS_PER_HYPOTHESIS}" in by["block 2"].reason
    )
    assert isinstance(by["block 3"], Refusal) and "at least 2" in by["block 3"].reason
    again = forest_choices(
        scopes(rows),
        features(rows),
        rows["hypothesis"].to_numpy(),
        IDS,
        ["A", "B"],
        trees=20,
        seed=1,
    )
    assert [f.as_dict() for f in again] == [f.as_dict() for f in out]


def test_result_files_are_written_all_or_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from greatterror.calibration import reference_files

    out = tmp_path / "result"
    out.mkdir()
    (out / "notes.txt").write_text("kept")

    def broken(summary: dict, path: Path) -> None:
        raise OSError("disk full")

    def whole(summary: dict, path: Path) -> None:
        path.write_text("complete")

    writers = [whole] * len(reference_files.FILES)
    writers[4] = broken  # the first plot, after the four tables
    monkeypatch.setattr(reference_files, "WRITERS", tuple(writers))
    with pytest.raises(OSError, match="disk full"):
        reference_files.write_results({}, out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    with pytest.raises(OSError, match="disk full"):
        reference_files.write_results({}, tmp_path / "new")
    assert not (tmp_path / "new").exists()


# --- the command, on a table written by the reference table's own writer -------------------


def write_table(
    path: Path, spec: dict[str, tuple[float, int]], blocks: tuple[int, ...] = (1, 2)
) -> None:
    from greatterror.calibration.reference_build import table_manifest
    from greatterror.calibration.reference_table import write_manifest, write_part

    scenarios = {label: f"hypotheses/{label.lower()}" for label in spec}
    manifest = table_manifest(scenarios, 0.001, 141, len(blocks))
    write_manifest(path, manifest)
    rows = toy_rows(spec, manifest["archival"], blocks=blocks, seed=7, runaway_share={"H3": 0.1})
    for block in blocks:
        part = rows[rows["block"] == block]
        write_part(path, part.to_dict("records"), f"block{block}")


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ref") / "table"
    write_table(path, {"H1": (0.0, 60), "H3": (1.5, 60)})
    return path


def test_choose_writes_its_files_and_prints_the_choice(table: Path, tmp_path: Path) -> None:
    out = tmp_path / "result"
    cli = ["hypotheses", "reference", "choose", str(table), "--trees", "30", "--forest-seed", "2"]
    result = runner.invoke(app, [*cli, "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    pooled = next(f for f in summary["forest"] if f["scope"] == "pooled")
    assert pooled["selected"] == "H1" and pooled["prior_error"] < 0.05
    assert summary["draws"]["pooled"] == {"H1": 120, "H3": 120} and summary["runaways"]["H3"] == 12
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "rejection.csv",
            "rf_choice.csv",
            "rf_confusion.csv",
            "rf_importance.csv",
            "rf_confusion.png",
            "rejection.png",
        ]
    )
    rejection_csv = pd.read_csv(out / "rejection.csv")
    assert set(rejection_csv["scope"]) == {"block 1", "block 2", "pooled"}
    assert (rejection_csv[rejection_csv["hypothesis"] == "H1"]["probability"] > 0.95).all()
    printed = runner.invoke(app, [*cli, "--out", str(out)])
    assert printed.exit_code == 0, printed.output
    assert "prior error" in printed.output and "not probabilities" in printed.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trees", "0"], "--trees: 0 is out of range"),
        (["--forest-seed", "-1"], "--forest-seed: -1 is out of range"),
    ],
)
def test_choose_refuses_bad_options(
    table: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "result"
    result = runner.invoke(
        app, ["hypotheses", "reference", "choose", str(table), *args, "--out", str(out)]
    )
    assert result.exit_code == 2 and message in result.output
    assert not out.exists()


def test_choose_refuses_what_is_not_a_readable_table(tmp_path: Path) -> None:
    from greatterror.calibration.reference_table import write_part

    def choose(path: Path, *more: str) -> tuple[int, str]:
        result = runner.invoke(
            app,
            ["hypotheses", "reference", "choose", str(path), "--out", str(tmp_path / "r"), *more],
        )
        return result.exit_code, result.output

    code, text = choose(tmp_path / "missing")
    assert code == 2 and "PATH:" in text and "not a directory" in text
    (tmp_path / "empty").mkdir()
    code, text = choose(tmp_path / "empty")
    assert code == 2 and "no manifest.json" in text
    one = tmp_path / "one"
    # too few draws for a forest, in a block of even composition (an uneven one is refused
    # first, below)
    write_table(one, {"H1": (0.0, 3), "H3": (0.0, 3)}, blocks=(1,))
    code, text = choose(one)
    assert code == 2 and f"fewer than {MIN_ROWS_PER_HYPOTHESIS} draws of H1 (3), H3 (3)" in text
    moved = tmp_path / "moved"
    write_table(moved, {"H1": (0.0, 10), "H3": (0.0, 10)}, blocks=(1,))
    manifest = json.loads((moved / "manifest.json").read_text())
    first = manifest["statistics"][0]
    manifest["archival"][first] *= 2
    (moved / "manifest.json").write_text(json.dumps(manifest))
    code, text = choose(moved)
    assert code == 2 and f"other archival values of {first}" in text
    uneven = tmp_path / "uneven"
    write_table(uneven, {"H1": (0.0, 10), "H3": (0.0, 10)})
    extra = toy_rows(
        {"H1": (0.0, 12)},
        json.loads((uneven / "manifest.json").read_text())["archival"],
        blocks=(2,),
    )
    write_part(uneven, extra[extra["draw"] > 10].to_dict("records"), "by-hand")
    code, text = choose(uneven)
    assert (
        code == 2
        and "block 2 holds different numbers of draws of the hypotheses (H1 12, H3 10)" in text
    )
    (tmp_path / "file").write_text("x")
    code, text = choose(one, "--out", str(tmp_path / "file"))
    assert code == 2 and "--out:" in text
    assert not (tmp_path / "r").exists()


def test_choose_names_the_statistics_on_which_the_record_lies_beyond_the_draws(
    tmp_path: Path,
) -> None:
    far = tmp_path / "far"
    write_table(far, {"H1": (1.5, 10), "H3": (2.5, 10)}, blocks=(1,))
    cli = ["hypotheses", "reference", "choose", str(far), "--trees", "5", "--out"]
    result = runner.invoke(app, [*cli, str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert "the record lies beyond all but 1% of the draws on" in result.output
    quantiles = pd.read_csv(tmp_path / "r" / "rf_importance.csv")
    statistics = quantiles[quantiles["kind"] == "statistic"]["record_quantile"]
    assert (statistics == 0.0).all()  # H3's runaways stand above too


def test_words_are_withheld_where_the_threshold_is_far_from_the_record() -> None:
    """A threshold of more than one archival tolerance a target (on the root mean square)
    keeps draws that are only nearer than most, not near: the factor stays, its word goes."""
    near = count_factors({"A": 20, "B": 2 * 10}, {"A": 100, "B": 400}, "A", per_target=0.9)[0]
    assert near["evidence_for_best"] == "substantial" and not near["withheld"]
    far = count_factors({"A": 20, "B": 2 * 10}, {"A": 100, "B": 400}, "A", per_target=7.4)[0]
    assert far["withheld"] and "7.4 tolerances a target" in far["evidence_for_best"]
    assert far["bayes_factor_of_best"] == near["bayes_factor_of_best"] == pytest.approx(4.0)
