"""A reference table drawn from widened (or narrowed) priors: `reference build --prior-scale`,
its manifest's ``prior_scale``, and the narrowed reading of such a table (issue 10)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reference_tables import HYPS, _manifest, _row, drawn_table
from typer.testing import CliRunner

from greatterror.calibration import reference_build as rb
from greatterror.calibration.compare import hypothesis_priors
from greatterror.calibration.reference_choice import ReferenceChoiceError
from greatterror.calibration.reference_prior import table_weights
from greatterror.calibration.reference_table import (
    MANIFEST,
    PAR,
    ReferenceTableError,
    check_extension,
    read_manifest,
    table_prior_scale,
    write_manifest,
)
from greatterror.cli.app import app

runner = CliRunner()
DRAWS = 12


def _draws(manifest: dict[str, object], hypothesis: str, name: str) -> np.ndarray:
    jobs = [j for p in rb.pending(manifest, set(), DRAWS) for j in p if j.hypothesis == hypothesis]
    return np.array([dict(j.values)[name] for j in jobs])


def test_a_build_at_two_draws_beyond_the_declared_range_and_records_the_scale() -> None:
    manifest = _manifest(prior_scale=2.0)
    assert manifest["prior_scale"] == 2.0 and table_prior_scale(manifest) == 2.0
    # H6's names_per_confession: declared uniform (0, 1.5), widened x2 to (0, 2.25)
    declared = _draws(_manifest(), "H6", "names_per_confession")
    widened = _draws(manifest, "H6", "names_per_confession")
    assert declared.max() <= 1.5 and widened.max() > 1.5 and widened.max() <= 2.25
    # H7's threat_half_life: declared uniform (30, 365), widened to (30, 532.5)
    assert _draws(manifest, "H7", "threat_half_life").max() > 365
    # the same logistic draws, mapped to compare's scaled priors (hypothesis_priors(s, 2))
    job = rb.pending(manifest, set(), 1)[0][0]
    names, priors = hypothesis_priors(job.scenario, 2.0)
    assert dict(job.values) == pytest.approx(
        rb.values_from((names, priors), job.hypothesis, 141, 1)
    )
    assert dict(job.values) == rb.draw_values(job.scenario, job.hypothesis, 141, 1, 2.0)
    assert dict(job.values) != rb.draw_values(job.scenario, job.hypothesis, 141, 1)


def test_a_table_without_the_key_reads_as_one_and_keeps_its_manifest(tmp_path: Path) -> None:
    old = _manifest()
    del old["prior_scale"]
    assert table_prior_scale(old) == 1.0
    check_extension(old, _manifest())  # a build without --prior-scale extends it
    with pytest.raises(ReferenceTableError, match="prior_scale 1, not 2"):
        check_extension(old, _manifest(prior_scale=2.0))
    first = [j for p in rb.pending(old, set(), 3) for j in p]
    assert first == [j for p in rb.pending(_manifest(), set(), 3) for j in p]
    table = tmp_path / "t"
    write_manifest(table, old)
    merged = rb.prepare(table, HYPS, 0.001, 141, 3)  # a third block: the manifest is rewritten
    assert "3" in merged["blocks"] and "prior_scale" not in read_manifest(table)


def test_extending_a_table_with_another_scale_is_refused_before_any_run(tmp_path: Path) -> None:
    table = tmp_path / "t"
    rb.prepare(table, HYPS, 0.001, 141, 2, prior_scale=2.0)
    before = (table / MANIFEST).read_bytes()
    base = ["hypotheses", "reference", "build", "--table", str(table), "H6", "H7", "--blocks", "2"]
    for extra, given in ((["--prior-scale", "3"], "3"), ([], "1")):
        result = runner.invoke(app, [*base, *extra])
        assert result.exit_code == 2, result.output
        assert (
            f"--prior-scale: the table was drawn with prior_scale 2, not {given}" in result.output
        )
        assert "Traceback" not in result.output
    assert (table / MANIFEST).read_bytes() == before
    assert sorted(p.name for p in table.iterdir() if p.name != ".lock") == [MANIFEST]


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_the_build_refuses_a_bad_prior_scale_before_any_work(tmp_path: Path, value: str) -> None:
    table = tmp_path / "t"
    args = ["hypotheses", "reference", "build", "--table", str(table), "H6", "H7"]
    result = runner.invoke(app, [*args, f"--prior-scale={value}"])
    assert result.exit_code == 2, result.output
    assert f"--prior-scale: {value} is not allowed; allowed: a positive finite" in result.output
    assert "Traceback" not in result.output and not table.exists()


@pytest.mark.parametrize("value", [0, -2, "2", True])
def test_a_manifest_with_a_bad_prior_scale_is_not_a_table(tmp_path: Path, value: object) -> None:
    table = tmp_path / "t"
    write_manifest(table, _manifest(prior_scale=value))
    with pytest.raises(ReferenceTableError, match="has prior_scale"):
        read_manifest(table)


def test_narrowing_a_widened_table_reads_the_priors_at_the_product(tmp_path: Path) -> None:
    """A table drawn at F0 = 2 narrowed by 0.5 reads the declared priors (2 x 0.5 = 1): a row
    has weight exactly where every drawn value lies in the declared priors' support, and the
    rows there weigh alike (the widened uniform densities are flat)."""
    manifest = _manifest(prior_scale=2.0)
    rows = []
    for block in (1, 2):
        for hyp, scenario in HYPS.items():
            for draw in range(1, DRAWS + 1):
                row = _row(block, hyp, draw)
                del row[PAR + "x"]
                values = rb.draw_values(scenario, hyp, 140 + block, draw, 2.0)
                row.update({PAR + k: v for k, v in values.items()})
                rows.append(row)
    frame = pd.DataFrame(rows)
    hypothesis = frame["hypothesis"].to_numpy()
    weights = table_weights(frame, hypothesis, manifest, 0.5)
    inside = np.ones(len(frame), dtype=bool)
    for hyp, scenario in HYPS.items():
        mine = hypothesis == hyp
        for name, prior in zip(*hypothesis_priors(scenario), strict=True):
            if prior.kind in ("uniform", "loguniform"):
                x = frame.loc[mine, PAR + name].to_numpy()
                inside[mine] &= (x >= prior.args[0]) & (x <= prior.args[1])
    assert inside.any() and not inside.all()
    assert ((weights > 0) == inside).all()
    # at the table's own scale (factor 1) every weight is 1; a declared-scale reading of these
    # rows is refused: the priors of 1 do not give the table's draws
    assert (table_weights(frame, hypothesis, manifest, 1.0) == 1.0).all()
    with pytest.raises(ReferenceChoiceError, match="its priors give"):
        table_weights(frame, hypothesis, _manifest(), 0.5)


def test_choose_reads_a_widened_tables_own_scale(tmp_path: Path) -> None:
    table = drawn_table(tmp_path / "t", 2.0)
    cli = ["hypotheses", "reference", "choose", str(table), "--trees", "5", "--prior-scale", "0.5"]
    result = runner.invoke(app, [*cli, "--out", str(tmp_path / "r"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["prior_scale"] == 2.0
    # x0.5 of the table's x2: the declared priors, and the reading says so
    assert summary["prior_sensitivity"]["prior_scales"] == [1.0]
    assert set(pd.read_csv(tmp_path / "r" / "prior_sensitivity.csv")["prior_scale"]) == {1.0}
    printed = runner.invoke(app, [*cli, "--out", str(tmp_path / "p")])
    assert printed.exit_code == 0, printed.output
    text = " ".join(printed.output.split())
    assert "drawn from every prior scaled x2" in text
    assert "every prior scaled x1 (the table's priors x2, narrowed x0.5)" in text
    # a widened table still refuses to be widened further by reweighting
    wider = runner.invoke(app, [*cli[:-1], "2", "--out", str(tmp_path / "w")])
    assert wider.exit_code == 2 and "reference build --prior-scale" in wider.output
