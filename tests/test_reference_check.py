"""`hypotheses reference check` refuses what `choose` refuses, before any run (review 25, F4)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from reference_tables import _table_with_values
from typer.testing import CliRunner

from greatterror.calibration.reference_table import MANIFEST, PARTS, SIM, read_manifest
from greatterror.cli.app import app

runner = CliRunner()


def _check(table: Path, tmp_path: Path) -> object:
    out = tmp_path / "out"
    result = runner.invoke(app, ["hypotheses", "reference", "check", str(table), "--out", str(out)])
    assert not out.exists()  # refused before anything is written or run
    return result


def _edit_manifest(table: Path, **change: object) -> None:
    manifest = read_manifest(table)
    manifest.update(change)
    (table / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def test_check_refuses_a_row_written_twice(tmp_path: Path) -> None:
    table = _table_with_values(tmp_path)
    part = sorted((table / PARTS).glob("*.parquet"))[0]
    (table / PARTS / "copy.parquet").write_bytes(part.read_bytes())
    result = _check(table, tmp_path)
    assert result.exit_code == 2 and "PATH:" in result.output and "twice" in result.output


def test_check_refuses_changed_archival_values(tmp_path: Path) -> None:
    table = _table_with_values(tmp_path)
    manifest = read_manifest(table)
    first = manifest["statistics"][0]
    _edit_manifest(
        table, archival={**manifest["archival"], first: 1.5 * manifest["archival"][first]}
    )
    result = _check(table, tmp_path)
    assert result.exit_code == 2 and f"other archival values of {first}" in result.output


def test_check_refuses_a_statistic_no_longer_a_target(tmp_path: Path) -> None:
    table = _table_with_values(tmp_path)
    manifest = read_manifest(table)
    _edit_manifest(table, statistics=[*manifest["statistics"], "no-such-target"])
    for part in (table / PARTS).glob("*.parquet"):  # the rows hold it, as an old table would
        frame = pd.read_parquet(part)
        frame[SIM + "no-such-target"] = 1.0
        frame.to_parquet(part, index=False)
    result = _check(table, tmp_path)
    assert result.exit_code == 2 and "PATH: the table's statistics" in result.output


def test_check_refuses_a_finished_row_without_a_value(tmp_path: Path) -> None:
    table = _table_with_values(tmp_path)
    part = sorted((table / PARTS).glob("*.parquet"))[0]
    frame = pd.read_parquet(part)
    frame.loc[0, SIM + read_manifest(table)["statistics"][0]] = float("nan")
    frame.to_parquet(part, index=False)
    result = _check(table, tmp_path)
    assert result.exit_code == 2 and "lack a simulated value" in result.output


def test_check_refuses_a_table_without_rows(tmp_path: Path) -> None:
    table = _table_with_values(tmp_path)
    for part in (table / PARTS).glob("*.parquet"):
        part.unlink()
    result = _check(table, tmp_path)
    assert result.exit_code == 2 and "holds no draws yet" in result.output


def test_check_refuses_a_block_with_unequal_hypotheses(tmp_path: Path) -> None:
    from reference_tables import _row

    from greatterror.calibration.reference_table import write_part

    table = _table_with_values(tmp_path)
    write_part(table, [_row(2, "H6", 3)], "by-hand")
    result = _check(table, tmp_path)
    assert result.exit_code == 2 and "block 2 holds different numbers of draws" in result.output
