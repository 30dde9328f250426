"""The reference table of prior simulations: its format, its draws, its build and resume."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from reference_tables import H6, H7, HYPS, _manifest, _row, _table_with_values
from typer.testing import CliRunner

from greatterror.calibration import reference_build as rb
from greatterror.calibration.reference_table import (
    MANIFEST,
    PAR,
    SIM,
    ReferenceTableError,
    check_extension,
    log_ratio_features,
    read_reference,
    write_manifest,
    write_part,
)
from greatterror.calibration.simulator import RUNAWAY_STATISTIC
from greatterror.calibration.statistics import CALIBRATION_IDS
from greatterror.cli.app import app

runner = CliRunner()


def test_draws_are_reproducible_and_do_not_depend_on_how_many_are_asked() -> None:
    from greatterror.calibration.compare import hypothesis_priors

    a = rb.draw_values(H7, "H7", 141, 3)
    assert a == rb.draw_values(H7, "H7", 141, 3)
    assert a != rb.draw_values(H7, "H7", 141, 4)
    assert a != rb.draw_values(H7, "H7", 142, 3)  # another block
    names, priors = hypothesis_priors(H7)
    assert set(a) == set(names)
    for name, prior in zip(names, priors, strict=True):
        assert prior.low <= a[name] <= prior.high, name
    # a piece's jobs are the same draws whatever the table's size
    few = rb.pending(_manifest(), set(), 3)
    many = rb.pending(_manifest(), set(), 12)
    assert [j for p in few for j in p] == [j for p in many for j in p if j.draw <= 3]


def test_pending_loads_each_scenario_once_and_draws_as_draw_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from greatterror.calibration import compare

    loads: list[str] = []
    load = compare.hypothesis_priors

    def counted(scenario: str, factor: float = 1.0) -> object:
        loads.append(scenario)
        return load(scenario, factor)

    monkeypatch.setattr(compare, "hypothesis_priors", counted)
    jobs = [j for p in rb.pending(_manifest(), set(), 7) for j in p]
    assert sorted(loads) == sorted(HYPS.values())  # once per scenario, not per draw
    assert len(jobs) == 2 * 2 * 7
    for j in jobs:
        draw = rb.draw_values(j.scenario, j.hypothesis, 140 + j.block, j.draw)
        assert dict(j.values) == draw


def test_jobs_do_not_depend_on_the_piece_size(monkeypatch: pytest.MonkeyPatch) -> None:
    def jobs() -> list[rb.Job]:
        pieces = rb.pending(_manifest(), {(2, "H6", 3)}, 7)
        return sorted((j for p in pieces for j in p), key=lambda j: (j.block, j.hypothesis, j.draw))

    default = jobs()
    for chunk in (1, 3, 7):
        monkeypatch.setattr(rb, "CHUNK", chunk)
        assert jobs() == default, chunk


def test_pending_skips_the_rows_there_and_lets_the_blocks_take_turns() -> None:
    pieces = rb.pending(_manifest(), {(1, "H6", 1), (2, "H7", 2)}, 2 * rb.CHUNK)
    order = [(p[0].block, min(j.draw for j in p)) for p in pieces]
    assert order == [(1, 1), (2, 1), (1, 1 + rb.CHUNK), (2, 1 + rb.CHUNK)]
    keys = [(j.block, j.hypothesis, j.draw) for p in pieces for j in p]
    assert (1, "H6", 1) not in keys and (2, "H7", 2) not in keys
    assert len(keys) == len(set(keys)) == 2 * 2 * 2 * rb.CHUNK - 2
    fit_seeds = {j.block: j.fit_seed for p in pieces for j in p}
    assert fit_seeds == {1: 141, 2: 142}


def test_parts_round_trip_and_a_row_written_twice_is_refused(tmp_path: Path) -> None:
    write_manifest(tmp_path, _manifest())
    write_part(tmp_path, [_row(1, "H6", 1), _row(1, "H7", 1, runaway=True)], "a")
    write_part(tmp_path, [_row(2, "H6", 1, value=0.0)], "b")
    (tmp_path / "parts" / ".c.parquet.tmp").write_bytes(b"half written")  # ignored
    ref = read_reference(tmp_path)
    assert list(ref.rows["block"]) == [1, 1, 2]
    assert list(ref.rows["hypothesis"]) == ["H6", "H7", "H6"]
    feats = log_ratio_features(ref)
    assert list(feats.columns) == list(CALIBRATION_IDS)
    assert (feats.iloc[1] == RUNAWAY_STATISTIC).all()
    sid = CALIBRATION_IDS[0]
    archival = ref.manifest["archival"][sid]
    assert feats[sid].iloc[0] == pytest.approx(math.log(1000.0 / archival))
    assert feats[sid].iloc[2] == pytest.approx(math.log(1.0 / archival))  # floored at one
    again = write_part(tmp_path, [_row(2, "H6", 1)], "again")
    with pytest.raises(ReferenceTableError, match="draw 1 twice") as refused:
        read_reference(tmp_path)
    (b,) = (tmp_path / "parts").glob("b-*.parquet")
    assert f"in {again.name} and {b.name}" in str(refused.value)  # both files named


def test_a_second_build_of_one_table_is_refused(tmp_path: Path) -> None:
    import fcntl

    table = tmp_path / "t"
    write_manifest(
        table, _manifest(scale=0.0003, blocks={"1": {"fit_seed": 141, "draw_seed": 141}})
    )
    with open(table / ".lock", "a+b") as held:  # another build holds the table
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = runner.invoke(
            app,
            ["hypotheses", "reference", "build", "--table", str(table), "H6", "H7",
             "--blocks", "1", "--scale", "0.0003", "--draws", "1"],
        )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "--table:" in result.output and "being built by another process" in result.output
    assert not (table / "parts").exists()  # nothing run


def test_the_manifest_is_written_under_the_builds_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review25 F8: the lock is taken before the manifest is read or written, so that two
    builds starting at once cannot both write it."""
    import fcntl

    from greatterror.calibration import reference_build

    table = tmp_path / "t"
    seen = []

    def prepare(path: Path, *args: object) -> dict:
        with open(path / ".lock", "a+b") as other:  # another build trying now
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
                seen.append("free")
            except BlockingIOError:
                seen.append("held")
        raise ReferenceTableError("--table: stop here")

    monkeypatch.setattr(reference_build, "prepare", prepare)
    result = runner.invoke(app, ["hypotheses", "reference", "build", "--table", str(table), "H6", "H7"])  # fmt: skip
    assert result.exit_code == 2 and "stop here" in result.output
    assert seen == ["held"]
    assert not table.exists()  # refused before a manifest: no folder left behind


def test_a_refused_build_leaves_no_parent_folder_it_made(tmp_path: Path) -> None:
    """review26 F3: the table's missing parents are made for the lock; a build refused
    before it wrote a manifest removes them too, and no folder that was there before."""
    table = tmp_path / "new" / "a" / "t"
    cli = ["hypotheses", "reference", "build", "--table", str(table), "--seed", "-5", "H6", "H7"]
    result = runner.invoke(app, cli)
    assert result.exit_code == 2 and "--seed: -5 is out of range" in result.output
    assert not (tmp_path / "new").exists() and tmp_path.exists()
    (tmp_path / "new" / "mine").mkdir(parents=True)  # a folder with something else in it
    assert runner.invoke(app, cli).exit_code == 2
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["mine"]


def test_a_lock_file_removed_while_waiting_for_it_is_not_a_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """review26 F3: a build that opened the lock file just before an ending build removed it
    locks a file no longer at the path, while a third build locks a new one: both would hold
    "the lock". The lock is taken only if the file locked is still the one at the path."""
    import fcntl

    from greatterror.calibration.reference_table import build_lock

    table = tmp_path / "t"
    flock = fcntl.flock

    def late(handle: object, operation: int) -> None:
        if operation & fcntl.LOCK_EX:  # the ending build removes the file, a third makes one
            (table / ".lock").unlink()
            (table / ".lock").touch()
        flock(handle, operation)  # type: ignore[arg-type]

    monkeypatch.setattr(fcntl, "flock", late)
    refused = pytest.raises(ReferenceTableError, match=r"was removed by another build.*try again")
    with refused, build_lock(table):
        pytest.fail("the lock of a removed file was taken")
    monkeypatch.setattr(fcntl, "flock", flock)
    # the file at the path locks as before
    with build_lock(table), open(table / ".lock", "a+b") as other, pytest.raises(BlockingIOError):
        flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_not_a_table(tmp_path: Path) -> None:
    with pytest.raises(ReferenceTableError, match="not a directory"):
        read_reference(tmp_path / "none")
    with pytest.raises(ReferenceTableError, match=r"holds no manifest\.json"):
        read_reference(tmp_path)
    (tmp_path / MANIFEST).write_text(json.dumps({"format": "other"}), encoding="utf-8")
    with pytest.raises(ReferenceTableError, match="is not a greatterror-reference-table"):
        read_reference(tmp_path)


def test_a_table_is_only_extended_with_its_own_settings_and_code() -> None:
    stored = _manifest()
    check_extension(stored, _manifest(blocks={**stored["blocks"], "3": {"fit_seed": 143, "draw_seed": 143}}))  # type: ignore[dict-item]  # fmt: skip
    with pytest.raises(ReferenceTableError, match="another scale"):
        check_extension(stored, _manifest(scale=0.01))
    with pytest.raises(ReferenceTableError, match="another hypotheses"):
        check_extension(stored, _manifest(hypotheses={"H6": H6}))
    with pytest.raises(ReferenceTableError, match="block 1 was made with the seeds"):
        check_extension(stored, _manifest(blocks={"1": {"fit_seed": 7, "draw_seed": 7}}))
    other = dict(stored["code"])  # type: ignore[call-overload]
    other["source"] = "0" * 64
    other["commit"], other["dirty"] = "abcdef0123456789", False
    with pytest.raises(ReferenceTableError, match="made by code") as refused:
        check_extension({**stored, "code": other}, _manifest())
    # the way to extend it: from a checkout of the table's own commit
    assert "extend it from a checkout of abcdef012345" in str(refused.value)
    assert "git worktree add --detach DIR abcdef012345" in str(refused.value)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--draws", "0"], "--draws: 0 is out of range"),
        (["--blocks", "0"], "--blocks: 0 is out of range"),
        (["--scale", "2"], "--scale: 2 is out of range"),
        (["H6", "H9"], "unknown hypothesis 'H9'; allowed: H1"),
        (["H6"], "at least 2 hypotheses"),
        (["H6", "H6"], "named twice"),
        (["--seed", "-1"], "--seed: -1 is out of range"),
        # the seed given, not the last block's (999,999 + 1)
        (["--seed", "999999", "--blocks", "2"], "--seed: 999999 is out of range with --blocks 2"),
    ],
)
def test_bad_input_exits_2_before_any_work(tmp_path: Path, args: list[str], message: str) -> None:
    table = tmp_path / "t"
    base = ["hypotheses", "reference", "build", "--table", str(table)]
    extra = [] if any(a.startswith("H") for a in args) else ["H6", "H7"]
    result = runner.invoke(app, [*base, *args, *extra])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not table.exists()


def test_a_folder_that_is_not_a_table_is_refused(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "notes.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(
        app, ["hypotheses", "reference", "build", "--table", str(tmp_path / "t"), "H6", "H7"]
    )
    assert result.exit_code == 2 and "is not a reference table" in result.output
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == ["notes.txt"]


def test_build_then_resume_adds_only_the_missing_rows(tmp_path: Path) -> None:
    """A real build of one draw, then an extension to two: the first row is kept as it was,
    and the second call runs only the new draws (same seeds: same rows as a build at 2)."""
    table = tmp_path / "t"
    base = ["hypotheses", "reference", "build", "--table", str(table), "H6", "H7", "--blocks", "1"]
    base += ["--scale", "0.0003"]
    first = runner.invoke(app, [*base, "--draws", "1"])
    assert first.exit_code == 0, first.output
    one = read_reference(table).rows
    assert len(one) == 2 and set(one["hypothesis"]) == {"H6", "H7"}
    again = runner.invoke(app, [*base, "--draws", "1"])
    assert again.exit_code == 0 and "already holds 1 draws" in again.output
    second = runner.invoke(app, [*base, "--draws", "2"])
    assert second.exit_code == 0, second.output
    two = read_reference(table).rows
    assert len(two) == 4 and sorted(two["draw"]) == [1, 1, 2, 2]
    sims = [SIM + s for s in CALIBRATION_IDS]
    kept = two[two["draw"] == 1].reset_index(drop=True)
    assert np.array_equal(kept[sims].to_numpy(), one[sims].to_numpy(), equal_nan=True)
    # a finished run has every statistic, a runaway none
    finished = two[sims].notna().all(axis=1).to_numpy()
    assert list(finished) == list(~two["runaway"].to_numpy(dtype=bool))
    assert list(two[sims].isna().all(axis=1)) == list(two["runaway"])
    other = runner.invoke(app, [*base[:-2], "--scale", "0.001", "--draws", "3"])
    assert other.exit_code == 2 and "another scale" in other.output


def test_accepted_rows_are_the_closest_in_each_block(tmp_path: Path) -> None:
    from greatterror.calibration.reference_check import accepted_rows
    from greatterror.calibration.reference_choice import distances
    from greatterror.calibration.reference_summary import table_bands
    from greatterror.evidence.loader import load_evidence

    ref = read_reference(_table_with_values(tmp_path))
    bands = table_bands(ref.manifest, load_evidence())
    distance = distances(ref.rows, bands)
    h6 = (ref.rows["hypothesis"] == "H6").to_numpy()
    assert distance[h6].max() < distance[~h6].min()
    assert distance[h6].max() < 0.5  # at most 2% above the record: inside every band
    keep = accepted_rows(ref, 0.5, bands)
    assert list(keep) == list(h6)  # half of each block: its two H6 rows
    assert accepted_rows(ref, 1.0, bands).all()
    with pytest.raises(ValueError, match="--fraction"):
        accepted_rows(ref, 0.0, bands)


def test_check_runs_accepted_draws_on_validation_seeds(tmp_path: Path) -> None:
    table = _table_with_values(tmp_path)
    out = tmp_path / "t_check"  # the default: beside the table, as choose's t_choice
    result = runner.invoke(
        app,
        ["hypotheses", "reference", "check", str(table), "--fraction", "0.5", "--draws", "1",
         "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{") :])
    by = {h["hypothesis"]: h for h in data["hypotheses"]}
    assert by["H6"]["source"] == "accepted" and by["H6"]["particles"] == 4
    assert by["H7"]["source"] == "prior" and data["no_posterior"] == ["H7"]
    assert data["seeds"] == [1]  # a validation seed, never a fitting seed
    assert len(by["H6"]["in_sample"]) == len(CALIBRATION_IDS)
    assert (out / "reference_check.json").is_file() and (out / "reference_check.csv").is_file()
    assert "warning: H6 is checked from 4 accepted rows only" in result.output  # < MIN_ACCEPTED


def test_check_warns_of_too_few_accepted_rows_before_the_reruns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review25 F12: the warning comes before the reruns (here stopped at their start)."""
    from greatterror.calibration import reference_check

    def stopped(*args: object) -> None:
        raise RuntimeError("reruns stopped")

    monkeypatch.setattr(reference_check, "check_plans", stopped)
    table = _table_with_values(tmp_path)
    cli = ["hypotheses", "reference", "check", str(table), "--fraction", "0.5", "--draws", "3"]
    result = runner.invoke(app, cli)
    assert result.exit_code != 0  # stopped in the reruns
    assert "warning: H6 is checked from 4 accepted rows only" in result.output
    assert "its 3 reruns" in result.output
    assert "H7 is checked" not in result.output  # none accepted: checked from its prior


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fraction", "0"], "--fraction: 0 is out of range"),
        (["--draws", "0"], "--draws: 0 is out of range"),
        (["--workers", "0"], "--workers: 0 is out of range"),
    ],
)
def test_check_bad_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    table = _table_with_values(tmp_path)
    result = runner.invoke(app, ["hypotheses", "reference", "check", str(table), *args])
    assert result.exit_code == 2 and message in result.output
    assert not (table / "check").exists() and not (tmp_path / "t_check").exists()
    missing = runner.invoke(app, ["hypotheses", "reference", "check", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "is not a directory" in missing.output


def test_a_table_under_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("a file", encoding="utf-8")
    table = tmp_path / "f" / "t"
    result = runner.invoke(app, ["hypotheses", "reference", "build", "--table", str(table), "H6", "H7"])  # fmt: skip
    assert (
        result.exit_code == 2
        and "--table:" in result.output
        and "cannot be written" in result.output
    )
    assert "Traceback" not in result.output


def test_a_row_stores_the_values_simulated(monkeypatch: pytest.MonkeyPatch) -> None:
    # FitModel rounds an integer parameter's draw: the par: columns hold the rounded value
    from greatterror.calibration import simulator

    ran: list[dict[str, float]] = []

    def targets(_: object, values: dict[str, float]) -> list[dict[str, object]]:
        ran.append({k: simulator.simulated_value(k, v) for k, v in values.items()})
        return [{"id": s, "simulated": 1.0} for s in CALIBRATION_IDS]

    monkeypatch.setattr(simulator, "warm", lambda *_: None)
    monkeypatch.setattr(simulator.FitModel, "targets", targets)
    job = rb.Job(
        1, "H6", H6, 1, 0.001, 141, (("names_per_confession", 0.37), ("trial_dock_size", 2.6))
    )
    row = rb.run_job(job)
    assert row[PAR + "trial_dock_size"] == 3.0 == ran[0]["trial_dock_size"]
    assert row[PAR + "names_per_confession"] == 0.37


def _fake_run(job: rb.Job) -> dict[str, object]:
    """A row made from the job alone (no simulation): the same job, the same row."""
    row = _row(job.block, job.hypothesis, job.draw, value=1000.0 + sum(v for _, v in job.values))
    row.update({PAR + k: v for k, v in job.values})
    return row


def test_an_interrupted_build_leaves_whole_parts_and_resumes_to_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = _manifest(blocks={"1": {"fit_seed": 141, "draw_seed": 141}})
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    for table in (whole, broken):
        write_manifest(table, manifest)
    monkeypatch.setattr(rb, "run_job", _fake_run)
    rb.build(whole, rb.pending(manifest, set(), 2 * rb.CHUNK), workers=1)
    calls = []

    def interrupted(job: rb.Job) -> dict[str, object]:
        calls.append(job)
        if len(calls) == 2 * rb.CHUNK + 3:  # the third job of the second piece
            raise KeyboardInterrupt
        return _fake_run(job)

    monkeypatch.setattr(rb, "run_job", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rb.build(broken, rb.pending(manifest, set(), 2 * rb.CHUNK), workers=1)
    assert len(read_reference(broken).rows) == 2 * rb.CHUNK  # the first piece only, whole
    monkeypatch.setattr(rb, "run_job", _fake_run)
    left = rb.pending(manifest, rb.done_rows(broken), 2 * rb.CHUNK)
    assert {j.draw for p in left for j in p} == set(range(rb.CHUNK + 1, 2 * rb.CHUNK + 1))
    rb.build(broken, left, workers=1)
    a, b = read_reference(whole).rows, read_reference(broken).rows
    assert a.equals(b)


def test_a_table_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    table = tmp_path / "f"
    table.write_text("a file", encoding="utf-8")
    result = runner.invoke(app, ["hypotheses", "reference", "build", "--table", str(table), "H6", "H7"])  # fmt: skip
    assert result.exit_code == 2 and "is a file" in result.output, result.output
    assert table.read_text(encoding="utf-8") == "a file"


def _waiting_run(job: rb.Job) -> dict[str, object]:
    """``_fake_run``, except that the first piece's first run waits (60 s at most) until a run
    of the second piece has started: only a build whose idle worker takes the next piece's
    runs while a piece's slowest run goes on finishes it. ``job.scale`` is unused by the fake
    run, so the test passes the folder of the signal file through ``GT_TEST_SIGNAL``."""
    import os
    import time

    signal = Path(os.environ["GT_TEST_SIGNAL"])
    if job.draw > rb.CHUNK:
        signal.touch()
    elif (job.hypothesis, job.draw) == ("H6", 1):
        waited = time.monotonic()
        while not signal.exists():
            if time.monotonic() - waited > 60:
                raise RuntimeError("no run of the second piece started while the first ran")
            time.sleep(0.01)
    return _fake_run(job)


def test_workers_take_the_next_piece_while_a_piece_ends_and_parts_stay_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two workers, the next piece's runs start while the first piece's slowest run goes
    on (review25 F15), and each part still holds exactly one piece's rows in its order: the
    table is the one a build with one worker writes, part for part."""
    from greatterror.calibration import simulator

    manifest = _manifest(blocks={"1": {"fit_seed": 141, "draw_seed": 141}})
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    for table in (serial, parallel):
        write_manifest(table, manifest)
    monkeypatch.setenv("GT_TEST_SIGNAL", str(tmp_path / "second-piece-started"))
    monkeypatch.setattr(simulator, "warm", lambda *_: None)  # no population for fake runs
    monkeypatch.setattr(rb, "run_job", _fake_run)
    pieces = rb.pending(manifest, set(), 3 * rb.CHUNK)
    assert rb.build(serial, pieces, workers=1) == 2 * 3 * rb.CHUNK
    monkeypatch.setattr(rb, "run_job", _waiting_run)
    assert rb.build(parallel, pieces, workers=2) == 2 * 3 * rb.CHUNK
    assert read_reference(serial).rows.equals(read_reference(parallel).rows)

    def parts(table: Path) -> dict[str, list[tuple[int, str, int]]]:
        import pandas as pd

        out = {}
        for f in (table / "parts").glob("*.parquet"):
            rows = pd.read_parquet(f)
            out[f.name.rsplit("-", 1)[0]] = list(
                zip(rows["block"], rows["hypothesis"], rows["draw"], strict=True)
            )
        return out

    expected = {
        f"block1-draws{min(j.draw for j in p):05d}-{max(j.draw for j in p):05d}": [
            (j.block, j.hypothesis, j.draw) for j in p
        ]
        for p in pieces
    }
    assert parts(parallel) == parts(serial) == expected


def _failing_run(job: rb.Job) -> dict[str, object]:
    """``_fake_run`` in a table of one block, except: the first piece's first run fails once
    the second piece's part is written (so that a later piece is whole while an earlier is
    not), and each run of the third piece notes its start and waits (5 s at most) for a
    signal that never comes, as a long run would. ``GT_TEST_SIGNAL`` names the table."""
    import os
    import time

    table = Path(os.environ["GT_TEST_SIGNAL"])
    piece = (job.draw - 1) // rb.CHUNK
    if piece == 0 and (job.hypothesis, job.draw) == ("H6", 1):
        waited = time.monotonic()
        while not list((table / "parts").glob(f"block1-draws{rb.CHUNK + 1:05d}-*.parquet")):
            if time.monotonic() - waited > 60:
                break
            time.sleep(0.01)
        raise RuntimeError("a run of the first piece failed")
    if piece == 2:
        (table / f"started-{job.hypothesis}-{job.draw}").touch()
        waited = time.monotonic()
        while time.monotonic() - waited < 5 and not (table / "never").exists():
            time.sleep(0.01)
    return _fake_run(job)


def test_a_failed_run_stops_the_build_with_the_whole_pieces_written_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """review26 F4: with every run queued at once, an error in one run stops the build
    without waiting for the queue (only the runs already started by the two workers began of
    the third piece's ten, and none of the fourth's), the later piece finished before it is
    written, and the resume, from parts written out of order, runs exactly the missing
    pieces and gives the table a build without error gives."""
    from greatterror.calibration import simulator

    manifest = _manifest(blocks={"1": {"fit_seed": 141, "draw_seed": 141}})
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    for table in (whole, broken):
        write_manifest(table, manifest)
    monkeypatch.setattr(simulator, "warm", lambda *_: None)  # no population for fake runs
    monkeypatch.setattr(rb, "run_job", _fake_run)
    pieces = rb.pending(manifest, set(), 4 * rb.CHUNK)
    rb.build(whole, pieces, workers=1)
    monkeypatch.setenv("GT_TEST_SIGNAL", str(broken))
    monkeypatch.setattr(rb, "run_job", _failing_run)
    with pytest.raises(RuntimeError, match="a run of the first piece failed"):
        rb.build(broken, pieces, workers=2)
    started = list(broken.glob("started-*"))
    assert len(started) <= 2, started  # not the queue: at most one run per worker
    for f in started:
        f.unlink()
    done = rb.done_rows(broken)
    assert done == {(1, j.hypothesis, j.draw) for j in pieces[1]}  # the second piece, whole
    assert rb.pending(manifest, done, 2 * rb.CHUNK) == [pieces[0]]  # exactly the missing one
    left = rb.pending(manifest, done, 4 * rb.CHUNK)
    assert left == [pieces[0], pieces[2], pieces[3]]
    monkeypatch.setattr(rb, "run_job", _fake_run)
    assert rb.build(broken, left, workers=2) == sum(len(p) for p in left)
    assert read_reference(broken).rows.equals(read_reference(whole).rows)
