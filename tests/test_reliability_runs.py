"""Runs that cannot be mislabelled or lost, and refusals before any work (issue 12, docs/reliability.md)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greatterror.cli.app import app
from greatterror.paths import HOME_ENV
from greatterror.preflight import PreflightError, check_memory, estimated_bytes
from greatterror.results.rundir import MARKER_FILE, clean_leftovers, folder_problem

runner = CliRunner()
SCALE = "0.0001"


def invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env)


def text(result) -> str:
    return " ".join(result.output.split())


def run(out: Path, seed: int, *extra: str) -> str:
    """A tiny run; its id as registered."""
    result = invoke("run", "--scale", SCALE, "--seed", str(seed), "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))["run_id"]


@pytest.fixture(scope="module")
def overwritten(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """Seed 21 written to a folder, then seed 22 (with a --set) written over it."""
    out = tmp_path_factory.mktemp("runs") / "historical"
    first = run(out, 21)
    second = run(out, 22, "--overwrite", "--set", "names_acted_on=0")
    return out, first, second


def test_summary_and_report_carry_the_run_id_and_content_hash(
    overwritten: tuple[Path, str, str],
) -> None:
    out, _, second = overwritten
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary)[:2] == ["run_id", "content_hash"]
    assert summary["run_id"] == second and len(summary["content_hash"]) == 64
    assert summary["overrides"] == {"names_acted_on": 0.0}
    report = (out / "report.html").read_text(encoding="utf-8")
    assert second in report and summary["content_hash"] in report
    marker = json.loads((out / MARKER_FILE).read_text(encoding="utf-8"))
    assert marker["run_id"] == second
    assert set(marker["files"]) == {
        "summary.json",
        "report.html",
        "timeseries.parquet",
        "channels.parquet",
    }
    assert folder_problem(out, second, summary["content_hash"]) is None
    shown = json.loads(invoke("runs", "show", second, "--json").output)
    assert shown["summary"]["content_hash"] == summary["content_hash"]


def test_compare_after_overwrite_shows_each_runs_own_figures(
    overwritten: tuple[Path, str, str],
) -> None:
    out, first, second = overwritten
    data = json.loads(invoke("compare", first, second, "--json").output)
    assert data["runs"] == [first, second]
    first_row = json.loads(invoke("runs", "show", first, "--json").output)
    second_row = json.loads(invoke("runs", "show", second, "--json").output)
    assert first_row["summary"]["seed"] == 21 and second_row["summary"]["seed"] == 22
    by_key = {r["key"]: r for r in data["rows"]}
    for target in first_row["summary"]["targets"]:
        assert by_key[f"target:{target['id']}"]["values"][0] == target["simulated"]
    for target in second_row["summary"]["targets"]:
        assert by_key[f"target:{target['id']}"]["values"][1] == target["simulated"]
    assert any(d != 0 for r in data["rows"] for d in r["differences"][1:] if d is not None)
    # the folder now holds the second run: said, for the first run only
    assert len(data["folder_notes"]) == 1
    assert f"now holds another run ({second})" in data["folder_notes"][0]
    assert first_row["folder_note"] and second_row["folder_note"] is None
    # not paired, and the differing setting is shown
    assert data["unpaired"][0] == "seed (21, 22)"
    assert data["parameter_differences"][0]["name"] == "names_acted_on"

    table = invoke("compare", first, second, "--out", str(out.parent / "cmp.png"))
    assert table.exit_code == 0
    assert "not paired" in text(table) and "now holds another run" in text(table)
    assert "Settings that differ" in table.output


def test_compare_refuses_the_same_run_twice(overwritten: tuple[Path, str, str]) -> None:
    _, first, _ = overwritten
    result = invoke("compare", first, first[:18])
    assert result.exit_code == 2
    assert f"run {first} is given more than once" in text(result)


def test_compare_writes_its_plot_only_to_a_png_path(
    overwritten: tuple[Path, str, str], tmp_path: Path
) -> None:
    """``compare --out notes.md`` replaced the file with PNG bytes: a path that is not a
    .png is refused, and the file is left as it was."""
    _, first, second = overwritten
    for name in ("notes.md", "scenario.toml", "plot.pdf", "plot"):
        kept = tmp_path / name
        kept.write_text("kept", encoding="utf-8")
        result = invoke("compare", first, second, "--out", str(kept))
        assert result.exit_code == 2
        assert "--out:" in text(result) and "give a path ending in .png" in text(result)
        assert kept.read_text(encoding="utf-8") == "kept"
    fresh = tmp_path / "new.PNG"
    assert invoke("compare", first, second, "--out", str(fresh)).exit_code == 0
    assert fresh.read_bytes().startswith(b"\x89PNG")


def test_runs_list_shows_overrides_and_runs_show_the_parameters(
    overwritten: tuple[Path, str, str],
) -> None:
    _, first, second = overwritten
    listed = {r["run_id"]: r for r in json.loads(invoke("runs", "list", "--json").output)}
    assert listed[first]["overrides"] == {} and listed[second]["overrides"] == {
        "names_acted_on": 0.0
    }
    assert invoke("runs", "list").exit_code == 0
    shown = invoke("runs", "show", second)
    assert shown.exit_code == 0
    assert "Parameters" in shown.output and "names_per_confession" in shown.output
    assert "overrides: names_acted_on=0" in text(shown)


# --- preflight: refused within a second, exit code 2, nothing written -----------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "-1"], "--seed: -1 is out of range; allowed values: 0 to 9223372036854775807"),
        (["--seed", str(2**70)], f"--seed: {2**70} is out of range"),
        (["--scale", "nan"], "--scale: nan is out of range"),
        (["--set", "names_acted_on=0", "--set", "names_acted_on=1"], "given more than once"),
    ],
)
def test_bad_settings_are_refused_before_any_work(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "run"
    started = time.perf_counter()
    result = invoke("run", "--scale", SCALE, "--out", str(out), *args)
    assert time.perf_counter() - started < 5  # a simulation would take longer
    assert result.exit_code == 2, result.output
    assert message in text(result)
    assert list(tmp_path.iterdir()) == []


def test_out_that_is_a_file_the_current_folder_or_a_parent_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    cases = [
        (str(afile), "exists and is not a folder"),
        (str(afile / "sub"), "is a file, not a folder"),
        (".", "is the current folder or one of its parents"),
        ("..", "is the current folder or one of its parents"),
    ]
    for out, message in cases:
        result = invoke("run", "--scale", SCALE, "--out", out, "--overwrite")
        assert result.exit_code == 2, (out, result.output)
        assert message in text(result), out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "work"]
    assert list(work.iterdir()) == []


def test_overwrite_refuses_a_folder_without_a_run(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    (out / "sub").mkdir(parents=True)
    (out / "sub" / "important.txt").write_text("keep me", encoding="utf-8")
    result = invoke("run", "--scale", SCALE, "--out", str(out), "--overwrite")
    assert result.exit_code == 2
    assert "holds no previous greatterror run" in text(result) and "sub/" in text(result)
    assert (out / "sub" / "important.txt").read_text(encoding="utf-8") == "keep me"


def test_a_home_that_is_a_file_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder", encoding="utf-8")
    result = invoke(
        "run", "--scale", SCALE, "--out", str(tmp_path / "run"), env={HOME_ENV: str(home)}
    )
    assert result.exit_code == 2
    assert f"{HOME_ENV}={home} is not a folder" in text(result)
    assert not (tmp_path / "run").exists()


def test_a_damaged_registry_is_refused_before_simulating_and_named(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "registry.duckdb").write_bytes(os.urandom(3000))
    started = time.perf_counter()
    result = invoke(
        "run", "--scale", SCALE, "--out", str(tmp_path / "run"), env={HOME_ENV: str(home)}
    )
    assert time.perf_counter() - started < 5
    assert result.exit_code == 2
    assert f"the run registry {home / 'registry.duckdb'} is damaged" in text(result)
    assert "greatterror runs rebuild" in text(result)
    assert not (tmp_path / "run").exists()
    listed = invoke("runs", "list", env={HOME_ENV: str(home)})
    assert listed.exit_code == 2 and "is damaged" in text(listed)


def test_memory_estimate_refuses_with_both_figures_unless_forced() -> None:
    need = estimated_bytes(1.0)
    assert 5e9 < need < 9e9  # docs/performance-log.md: 6.1 GB peak at 1:1
    with pytest.raises(PreflightError, match=r"needs about 6\.8 GB of memory and 2\.0 GB is"):
        check_memory(1.0, available=2_000_000_000)
    check_memory(1.0, force=True, available=2_000_000_000)
    check_memory(0.001, available=2_000_000_000)


def test_memory_refusal_reaches_the_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("greatterror.preflight.available_bytes", lambda: 100_000_000)
    result = invoke("run", "--scale", SCALE, "--out", str(tmp_path / "run"))
    assert result.exit_code == 2
    assert "GB is available; choose a smaller scale or pass --force" in text(result)


def test_leftovers_of_dead_writers_are_removed_live_ones_kept(tmp_path: Path) -> None:
    out = tmp_path / "run"
    dead = tmp_path / ".run.partial-999999999-abcd0123"
    live = tmp_path / f".run.partial-{os.getpid()}-abcd0123"
    other = tmp_path / ".other.partial-999999999-abcd0123"
    for folder in (dead, live, other):
        folder.mkdir()
    assert clean_leftovers(out) == [dead]
    assert live.exists() and other.exists() and not dead.exists()
    # an interrupted --overwrite: the previous run is put back when nothing replaced it
    old = tmp_path / ".run.old-999999999-abcd0123"
    old.mkdir()
    (old / MARKER_FILE).write_text("{}", encoding="utf-8")
    clean_leftovers(out)
    assert (out / MARKER_FILE).is_file() and not old.exists()


def test_a_folder_edited_after_the_run_is_reported(overwritten: tuple[Path, str, str]) -> None:
    # last in this file: it edits the shared run folder
    out, _, run_id = overwritten
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert folder_problem(out, run_id, summary["content_hash"]) is None
    with (out / "report.html").open("a", encoding="utf-8") as handle:
        handle.write("<!-- edited -->")
    assert "report.html was changed" in str(folder_problem(out, run_id, summary["content_hash"]))
    shown = json.loads(invoke("runs", "show", run_id, "--json").output)
    assert "report.html was changed" in shown["folder_note"]
    (out / "report.html").unlink()
    assert "report.html is missing" in str(folder_problem(out, run_id, None))
