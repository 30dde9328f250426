"""ABC-SMC calibration: statistics, seeds, the CLI's checks, a small fit killed and resumed, Dask.

The fits here are deliberately tiny (4 particles at 1:10,000): they check the
machinery (storage, resume after SIGKILL, the posterior report, the Dask
sampler), not the quality of a posterior.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from greatterror.calibration.simulator import FIT_SEED_BASE, FitModel, simulation_seed
from greatterror.calibration.statistics import (
    CALIBRATION_IDS,
    MIN_RELATIVE_TOLERANCE,
    VALIDATION_IDS,
    ArchivalFloorScale,
    archival_targets,
    log_ratios,
    observed,
)
from greatterror.cli.app import app
from greatterror.evidence.loader import load_evidence
from greatterror.model.params import FREE_PARAMETERS

runner = CliRunner()
SCALE = "0.0001"
pyabc = pytest.importorskip("pyabc")


def test_statistics_are_log_ratios_of_the_calibration_targets_only() -> None:
    assert not set(CALIBRATION_IDS) & VALIDATION_IDS
    summary = {
        "targets": [
            {"id": i, "simulated": 2.0 * (k + 1), "archival": float(k + 1)}
            for k, i in enumerate(CALIBRATION_IDS)
        ]
        + [{"id": "not-a-target", "simulated": 0.0, "archival": 1.0}]
    }
    ratios = log_ratios(summary)
    assert set(ratios) == set(CALIBRATION_IDS)
    assert all(r == pytest.approx(math.log(2.0)) for r in ratios.values())
    assert set(observed().values()) == {0.0}


def test_archival_tolerance_is_half_the_log_range_with_a_floor() -> None:
    evidence = load_evidence()
    by_id = {a.fact_id: a for a in archival_targets(evidence)}
    g3 = evidence.fact("G3-final-conv")  # 750,000-820,000 in the record
    assert by_id["G3-final-conv"].tolerance == pytest.approx(
        max(0.5 * math.log(g3.value_high / g3.value_low), math.log1p(MIN_RELATIVE_TOLERANCE))
    )
    assert by_id["G1-1935-conv"].tolerance == pytest.approx(math.log1p(MIN_RELATIVE_TOLERANCE))


def test_scale_function_adapts_but_never_falls_below_the_archival_tolerance() -> None:
    scale = ArchivalFloorScale({"a": 0.1, "b": 0.1})
    samples = np.array([[0.0, -2.0], [0.0, 2.0], [0.0, 0.0], [0.0, 4.0]])
    out = scale(samples=samples, s0=np.zeros(2), s_ids=["a", "b"])
    assert out[0] == pytest.approx(0.1)  # identical simulations: the archival floor
    assert out[1] > 1.0  # widely spread: the population's own spread


def test_simulation_seeds_are_apart_from_validation_seeds_and_reproducible() -> None:
    a = simulation_seed(1, {"x": 0.5, "y": 2.0})
    assert a == simulation_seed(1, {"y": 2.0, "x": 0.5})
    assert a != simulation_seed(2, {"x": 0.5, "y": 2.0})
    assert FIT_SEED_BASE <= a < 2**31


def test_a_particle_is_reproducible_on_a_reused_population() -> None:
    model = FitModel("historical", float(SCALE), 1)
    values = {"names_per_confession": 0.5, "denunciation_rate": 1e-4}
    first, second = model(values), model(values)
    assert first == second
    assert set(first) == set(CALIBRATION_IDS)


def test_the_population_is_built_once_and_kept_out_of_the_collector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Particles reuse the process's population (never rebuilt), and what ``warm`` loaded is
    frozen out of the cyclic collector, so the collection after each particle is cheap."""
    import gc

    from greatterror.calibration.simulator import warm
    from greatterror.population import build

    first = warm("historical", float(SCALE), 1)
    assert gc.get_freeze_count() > 0

    def rebuilt(*_: object) -> None:
        raise AssertionError("the population was built again")

    monkeypatch.setattr(build, "build_population", rebuilt)
    FitModel("historical", float(SCALE), 1)({"names_per_confession": 0.5})
    assert warm("historical", float(SCALE), 1)[2] is first[2]
    # the population depends on the scale and seed only: another scenario runs on the same
    # one (a reference table's worker held one per scenario, 27 instead of 3)
    other = warm("hypotheses/h2_bureaucratic", float(SCALE), 1)
    assert other[2] is first[2] and other[1] is first[1] and other[0].name != first[0].name


#: a prior corner whose naming cascade the runaway guard stops
RUNAWAY_DRAW = {
    "names_per_confession": 5.0,
    "names_acted_on": 1.0,
    "approval_probability": 1.0,
    "base_unmarked_arrest_rate": 0.01,
}


@pytest.mark.parametrize("values", [{}, RUNAWAY_DRAW], ids=["finished", "runaway"])
def test_a_particle_leaves_no_run_behind(values: dict[str, float]) -> None:
    """A run's state lives in reference cycles; a pyabc worker whose collector seldom made a
    full pass grew by about 50 MB a particle to 12 GB (docs/performance-log.md, memory). With
    automatic collection off, nothing of a finished or a stopped run may stay alive."""
    import gc

    from greatterror.calibration.simulator import RUNAWAY_STATISTIC
    from greatterror.model.engine import Engine
    from greatterror.model.world import World

    model = FitModel("historical", float(SCALE), 1)
    model({})  # the population is built and cached once per process
    gc.collect()
    gc.disable()
    try:
        stats = model(values)
        alive = [o for o in gc.get_objects() if isinstance(o, World | Engine)]
    finally:
        gc.enable()
    assert (set(stats.values()) == {RUNAWAY_STATISTIC}) == bool(values)
    assert alive == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["historical", "--particles", "1"], "--particles: 1 is too small"),
        (["historical", "--generations", "0"], "--generations: 0 is too small"),
        (["historical", "--scale", "2"], "--scale: 2 is out of range"),
        (["historical", "--workers", "0"], "--workers: 0 is too small"),
        (["historical", "--quantile", "1"], "--quantile: 1 is out of range"),
        (["no_such"], "unknown scenario 'no_such'"),
        (["historical", "--resume"], "nothing to resume"),
        (["show"], "give the fit's database"),
    ],
)
def test_bad_calibrate_input_exits_2_and_writes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    db = tmp_path / "fit.db"
    result = runner.invoke(app, ["calibrate", *args, "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not db.exists()


def test_a_database_in_a_missing_directory_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "nowhere" / "fit.db"
    result = runner.invoke(app, ["calibrate", "historical", "--db", str(db)])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not db.parent.exists()


def test_an_existing_database_is_not_overwritten_without_resume(tmp_path: Path) -> None:
    db = tmp_path / "fit.db"
    db.write_bytes(b"kept")
    result = runner.invoke(app, ["calibrate", "historical", "--db", str(db)])
    assert result.exit_code == 2 and "exists; pass --resume" in result.output
    assert db.read_bytes() == b"kept"


@pytest.mark.parametrize(
    "command",
    [["calibrate", "historical"], ["hypotheses", "compare", "h1_intentional", "h2_bureaucratic"]],
    ids=["calibrate", "compare"],
)
def test_a_foreign_database_to_resume_is_refused_before_the_scale_warning(
    tmp_path: Path, command: list[str]
) -> None:
    """The stored database is judged with the other options: a junk file given to --resume
    gets its one error, not the small-scale warning first (the warning follows every check)."""
    db = tmp_path / "junk.db"
    db.write_bytes(b"junk")
    result = runner.invoke(app, [*command, "--db", str(db), "--resume", "--scale", SCALE])
    assert result.exit_code == 2, result.output
    assert "is not a SQLite database" in result.output
    assert "warning" not in result.output
    assert db.read_bytes() == b"junk" and sorted(p.name for p in tmp_path.iterdir()) == ["junk.db"]


def test_show_refuses_a_missing_or_foreign_database(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["calibrate", "show", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    for command in ("show", "apply"):  # an empty path is not the current directory "."
        empty = runner.invoke(app, ["calibrate", command, ""])
        assert empty.exit_code == 2 and "empty; give the fit's database" in empty.output
        assert "path" in empty.output.lower() and " . " not in empty.output
    empty = runner.invoke(app, ["hypotheses", "compare", "show", ""])
    assert empty.exit_code == 2 and "DB: empty" in empty.output
    foreign = tmp_path / "other.db"
    sqlite3.connect(foreign).execute("create table t (x int)").connection.commit()
    result = runner.invoke(app, ["calibrate", "show", str(foreign), "--out", str(tmp_path / "p")])
    assert result.exit_code == 2 and "not a greatterror calibration database" in result.output
    assert not (tmp_path / "p").exists()


def _generations(db: Path) -> int:
    """Completed generations stored (pyabc's populations with t >= 0)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db) as con:
            row = con.execute("select count(*) from populations where t >= 0").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0])


@pytest.fixture(scope="module")
def local_fit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fit started in a subprocess, killed with SIGKILL after its first generation, resumed."""
    db = tmp_path_factory.mktemp("fit") / "fit.db"
    cli = "from greatterror.cli.app import main; main()"
    cmd = [
        sys.executable,
        "-c",
        cli,
        "calibrate",
        "historical",
        "--particles",
        "4",
        "--generations",
        "3",
        "--scale",
        SCALE,
        "--workers",
        "2",
        "--db",
        str(db),
        "--quantile",
        "0.9",  # a gentle threshold schedule keeps this tiny fit's acceptance high
    ]
    proc = subprocess.Popen(
        cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 600
    while _generations(db) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    # the whole process group: the fit and its worker processes, as a crash would
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = _generations(db)
    assert 1 <= stored < 3, proc.stderr.read().decode() if proc.stderr else ""
    resumed = subprocess.run(
        [*cmd[:8], str(stored + 1), *cmd[9:], "--resume"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert _generations(db) == stored + 1
    return db


def test_a_fit_killed_with_sigkill_resumes_and_adds_a_generation(local_fit: Path) -> None:
    history = pyabc.History(f"sqlite:///{local_fit}", _id=1)
    assert history.max_t >= 1
    df, w = history.get_distribution(m=0, t=history.max_t)
    assert list(df.columns) == sorted(FREE_PARAMETERS) or set(df.columns) == set(FREE_PARAMETERS)
    assert len(df) == 4 and np.isclose(np.sum(w), 1.0)


def test_a_fit_made_by_other_code_does_not_resume(
    local_fit: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version stays "0.1.0" across commits; a resume with other code would mix two
    models' simulations in one posterior, so the database's code identity is checked."""
    from greatterror import provenance

    stored = _generations(local_fit)
    other = {**provenance.code_identity(), "source": "0" * 64}
    monkeypatch.setattr(provenance, "code_identity", lambda: other)
    args = ["calibrate", "historical", "--particles", "4", "--generations", str(stored + 1)]
    args += ["--scale", SCALE, "--workers", "1", "--db", str(local_fit), "--resume"]
    result = runner.invoke(app, [*args, "--quantile", "0.9"])
    assert result.exit_code == 2, result.output
    assert "--resume: the database was made by code" in result.output
    assert _generations(local_fit) == stored


def test_show_prints_the_posterior_and_writes_the_plots(local_fit: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["calibrate", "show", str(local_fit), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert [g["generation"] for g in payload["generations"]] == list(
        range(len(payload["generations"]))
    )
    for row in payload["posterior"]:
        assert row["p05"] <= row["median"] <= row["p95"]
    assert all(0 < g["acceptance"] <= 1 and g["ess"] >= 1 for g in payload["generations"])
    table = runner.invoke(app, ["calibrate", "show", str(local_fit), "--out", str(tmp_path)])
    assert table.exit_code == 0, table.output
    assert (tmp_path / "posterior_marginals.png").stat().st_size > 0
    assert (tmp_path / "posterior_pairwise.png").stat().st_size > 0


def test_dask_sampler_completes_and_agrees_with_the_local_one(
    local_fit: Path, tmp_path: Path
) -> None:
    """A fit on a 2-worker Dask LocalCluster of worker processes (``processes=True``: the model
    is pickled and run in other interpreters, as on a real cluster), checked two ways.

    Exactly: each particle the local fit accepted in its first generation (its parameter
    vector and the statistics the local sampler's worker processes computed, as pyabc stored
    them) is re-simulated on the cluster's workers through the same picklable model
    (``FitModel``, which the Dask sampler ships to its workers inside pyabc's simulate
    function), and the statistics must be equal to the last bit: a simulation's seed comes from
    the fit seed and the parameter vector (``simulation_seed``), not from the process. This
    catches a worker that simulates something else: another scenario, scale or population,
    state left from an earlier run, a parameter lost or rounded on the way.

    In distribution: a whole one-generation fit through the Dask sampler
    (``run_fit(..., scheduler=...)``) must complete, and its accepted particles, mapped through
    each prior's CDF, must not differ from the local fit's first generation by a two-sample
    Kolmogorov-Smirnov test at the 0.1% level (44 values a side). Exact equality cannot hold
    here: pyabc's samplers reseed from the operating system and accept particles in completion
    order. With 4 particles at a loose threshold both samples are close to prior draws, so this
    part catches only a gross error (the priors ignored or mis-scaled, parameters swapped), not
    a subtle bias in what the Dask sampler accepts; nor does the test check later generations
    (the transition kernels), which both samplers share in the main process.
    """
    distributed = pytest.importorskip("distributed")
    from scipy.stats import ks_2samp

    from greatterror.calibration.abc import FitSettings, run_fit, stored_settings
    from greatterror.model.params import BY_NAME

    local = pyabc.History(f"sqlite:///{local_fit}", _id=1)
    stored = stored_settings(local_fit)
    model = FitModel(stored.scenario, stored.scale, stored.seed, stored.targets)
    particles = local.get_population(t=0).particles
    vectors = [{k: float(v) for k, v in p.parameter.items()} for p in particles]
    local_stats = [{k: float(v) for k, v in p.sum_stat.items()} for p in particles]
    assert len(vectors) == 4

    settings = FitSettings("historical", float(SCALE), 1, 4, FREE_PARAMETERS, quantile=0.9)
    db = tmp_path / "dask.db"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            remote = client.gather(client.map(model, vectors, pure=False))
        history = run_fit(settings, db, 1, scheduler=cluster.scheduler_address)
    assert [{k: float(v) for k, v in r.items()} for r in remote] == local_stats
    assert history.max_t == 0

    def unit(h: object) -> np.ndarray:
        df, _ = h.get_distribution(m=0, t=0)  # type: ignore[attr-defined]
        return np.concatenate(
            [BY_NAME[n].prior.frozen().cdf(df[n].to_numpy()) for n in FREE_PARAMETERS]
        )

    assert ks_2samp(unit(history), unit(local)).pvalue > 1e-3


def test_apply_writes_the_rechecked_point_with_its_provenance(
    local_fit: Path, tmp_path: Path
) -> None:
    """`calibrate apply` on the tiny fit: the chosen particle, re-run on a fitting seed,
    written into a copy of the scenario, which still loads; both scales are reported."""
    import shutil
    import tomllib

    from greatterror.calibration.choose import RULE
    from greatterror.model.scenario import load_scenario
    from greatterror.model.scenario_files import shipped_path

    target = tmp_path / "historical.toml"
    shutil.copy(shipped_path("historical"), target)
    args = ["calibrate", "apply", str(local_fit), "--scenario", str(target)]
    result = runner.invoke(app, [*args, "--candidates", "2", "--recheck", "1", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["recheck_seeds"] == [2]  # the next fit seed, never a validation seed
    assert payload["rule"] == RULE and payload["weights_source"] == "recorded"
    best, other = payload["candidates"]
    assert best["choosing_distance"] <= other["choosing_distance"]
    assert payload["noise"]["recheck_runs"] == 1
    for row in payload["candidates"]:  # one re-check run: no spread, the archival distance
        assert row["choosing_distance"] == pytest.approx(row["archival"]["recheck_median"])
    for row in payload["candidates"]:
        adaptive = row["last_generation_weights"]
        # the acceptance run under the last generation's weights is the distance pyabc stored
        assert adaptive["acceptance_run"] == pytest.approx(row["accepted_distance"], rel=1e-9)
        # the archival scale is the adaptive one at its floor: never the smaller of the two
        assert row["archival"]["acceptance_run"] >= adaptive["acceptance_run"] * (1 - 1e-9)
        assert len(row["archival"]["recheck"]) == len(adaptive["recheck"]) == 1
        for miss in row["outside_band_on_recheck"]:
            assert miss["id"] in CALIBRATION_IDS and miss["runs"] == miss["of"] == 1
    from greatterror.model.params import BY_NAME

    written = tomllib.loads(target.read_text(encoding="utf-8"))["parameters"]
    chosen = {k: round(v) if BY_NAME[k].integer else v for k, v in best["values"].items()}
    assert {k: written[k] for k in chosen} == pytest.approx(chosen)
    kept = tomllib.loads(shipped_path("historical").read_text(encoding="utf-8"))["parameters"]
    assert {k: v for k, v in written.items() if k not in chosen} == {
        k: v for k, v in kept.items() if k not in chosen
    }  # values the fit did not vary are kept
    assert "# Fitted by ABC-SMC" in target.read_text(encoding="utf-8")
    load_scenario(target)
    # the values the fit would replace, re-run on the same seed and judged by the same rule
    shipped = payload["incumbent"]
    assert shipped["values"] == {k: kept[k] for k in best["values"] if k in kept}
    assert len(shipped["recheck"]) == 1 and shipped["recheck_median"] == shipped["recheck"][0]
    assert shipped["choosing_distance"] == pytest.approx(shipped["recheck_median"])
    # per-seed choosing distances (the gate's pairs): with no spread, the archival distances
    for row in [*payload["candidates"], shipped]:
        assert row["recheck_choosing"] == pytest.approx(
            row["archival"]["recheck"] if "archival" in row else row["recheck"]
        )
    # one re-check seed gives no estimate of the noise: the gate's margin cannot hold
    assert payload["margin"]["holds"] is False and payload["margin"]["standard_error"] is None


def test_the_candidates_table_labels_both_scales(capsys: pytest.CaptureFixture[str]) -> None:
    from greatterror.cli.calibrate_apply import _print_candidates

    row = {
        "accepted_distance": 2.5,
        "choosing_distance": 4.25,
        "archival": {"acceptance_run": 25.2, "recheck": [26.0, 27.5], "recheck_median": 26.75},
        "last_generation_weights": {"acceptance_run": 2.5, "recheck": [2.7, 2.9]},
        "outside_band_on_recheck": [{"id": "G1-1935-conv", "runs": 2, "of": 2, "factor": 0.35}],
    }
    _print_candidates([row, {**row, "last_generation_weights": None}], (2, 3), 5, "recovered")
    out = " ".join(capsys.readouterr().out.split())  # the caption may wrap
    assert "generation-5 weights" in out and "recovered from the stored distances" in out
    assert "26.75" in out and "4.25" in out and "n/a" in out and "choosing distance" in out
    assert "1. outside the band on the re-check: G1-1935-conv 2/2 x0.35" in out


def test_the_check_prints_the_checks_of_in_sample_quantities_apart(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Review 5, item 6: the posterior check's figures that repeat in-sample targets'
    quantities (``Measure.repeats``) get their own table and count, as in
    scripts/validate_historical.py, not the table of figures never fitted; shares keep
    their decimal (27.1%, not 27)."""
    from greatterror.calibration.check import compare_runs
    from greatterror.calibration.holdout import IN_SAMPLE_CHECKS, OUT_OF_SAMPLE
    from greatterror.cli.calibrate_apply import _print_check

    evidence = load_evidence()
    run = {
        "targets": {t: float(evidence.value(t)) for t in CALIBRATION_IDS},
        "holdout": {m.fact_id: float(evidence.value(m.fact_id)) for m in IN_SAMPLE_CHECKS},
    }
    # the figures never fitted miss by half, the checks match the record
    run["holdout"] |= {m.fact_id: 0.5 * float(evidence.value(m.fact_id)) for m in OUT_OF_SAMPLE}
    in_sample, validation = compare_runs([run, run], CALIBRATION_IDS)
    assert {r["unit"] for r in validation} >= {"percent", "persons"}
    _print_check({"seeds": [1, 2], "in_sample": in_sample, "validation": validation}, 2, 0.001)
    out = capsys.readouterr().out
    never_fitted = out[out.index("Validation figures, never fitted") :]
    never_fitted, checks = never_fitted.split("Checks of in-sample quantities on other sources")
    assert IN_SAMPLE_CHECKS and OUT_OF_SAMPLE
    for m in IN_SAMPLE_CHECKS:
        assert m.fact_id in checks and m.fact_id not in never_fitted
        assert ", ".join(m.repeats) in " ".join(checks.split())
    for m in OUT_OF_SAMPLE:
        assert m.fact_id in never_fitted and m.fact_id not in checks
    text = " ".join(out.split())
    n_checks, n_out = len(IN_SAMPLE_CHECKS), len(OUT_OF_SAMPLE)
    assert f"{n_checks} of {n_checks} checks of in-sample quantities" in text
    held = sum(r["median_ok"] for r in validation if not r["repeats"])
    assert held < n_out and f"{held} of {n_out} validation figures" in text
    shares = [
        m for m in OUT_OF_SAMPLE + IN_SAMPLE_CHECKS if evidence.fact(m.fact_id).unit == "percent"
    ]
    assert shares
    for m in shares:
        assert f"{float(evidence.value(m.fact_id)):.1f}%" in out


def test_the_fit_records_the_weights_each_generation_was_accepted_with(local_fit: Path) -> None:
    """Every stored distance of every generation (the fit was killed and resumed) is the
    norm of the stored statistics under the weights recorded for that generation."""
    from greatterror.calibration.weights import recorded_weights, weighted_distance

    history = pyabc.History(f"sqlite:///{local_fit}", _id=1)
    for t in range(history.max_t + 1):
        weights = recorded_weights(local_fit, t)
        assert weights is not None and set(weights) == set(CALIBRATION_IDS)
        for p in history.get_population(t=t).particles:
            assert weighted_distance(p.sum_stat, weights) == pytest.approx(p.distance, rel=1e-9)


def test_a_rerun_on_the_fit_seed_gives_the_acceptance_numbers(local_fit: Path) -> None:
    """The acceptance numbers and the re-check numbers agree when computed on the same run:
    a candidate re-run on the fit's own seed has its stored statistics, bit for bit."""
    from greatterror.calibration.choose import best_particles, rerun
    from greatterror.calibration.posterior import load_fit

    settings, history = load_fit(local_fit)
    bands = FitModel(settings.scenario, settings.scale, settings.seed).bands()
    candidates = rerun(settings, best_particles(history, 2, bands), [settings.seed])
    for c in candidates:
        assert c.recheck_statistics == (c.fit_statistics,)
        assert c.recheck_archival(bands) == (c.archival(bands),)
    archival = [c.archival(bands) for c in candidates]
    assert archival == sorted(archival)  # candidates are the closest on the archival scale


def test_apply_without_a_scenario_or_with_a_foreign_database_exits_2(
    local_fit: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["calibrate", "apply", str(local_fit)])
    assert result.exit_code == 2 and "--scenario: give the scenario file" in result.output
    other = tmp_path / "x.db"
    sqlite3.connect(other).execute("create table t (x int)").connection.commit()
    result = runner.invoke(app, ["calibrate", "apply", str(other), "--scenario", "historical"])
    assert result.exit_code == 2 and "not a greatterror calibration database" in result.output


def test_apply_to_a_missing_scenario_file_says_to_copy_one(tmp_path: Path) -> None:
    """The README's ``calibrate apply fit.db --scenario fit_candidate.toml`` writes into a
    copy made beforehand; without one the refusal named "scenario" and not what to do."""
    db = tmp_path / "fit.db"
    db.write_bytes(b"not read: the scenario file is checked first")
    target = tmp_path / "fit_candidate.toml"
    result = runner.invoke(app, ["calibrate", "apply", str(db), "--scenario", str(target)])
    said = " ".join(result.output.split())
    assert result.exit_code == 2
    assert f"--scenario: {target} does not exist" in said and "historical.toml" in said
    assert said.count("error:") == 1 and not target.exists()


def test_the_predictive_check_runs_posterior_draws_on_validation_seeds(local_fit: Path) -> None:
    from greatterror.calibration.holdout import MEASURES

    args = ["calibrate", "show", str(local_fit), "--check", "--draws", "2", "--scale", SCALE]
    result = runner.invoke(app, [*args, "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)  # the runs' warnings, if any, go to stderr
    assert payload["seeds"] == [1, 2]
    assert payload["runs"] == 2 and all(0 < n <= 2 for n in payload["warnings"].values())
    for warning, n in payload["warnings"].items():
        assert f"warning ({n} of 2 runs): {warning}" in " ".join(result.stderr.split())
    assert [r["id"] for r in payload["in_sample"]] == list(CALIBRATION_IDS)
    assert [r["id"] for r in payload["validation"]] == [m.fact_id for m in MEASURES]
    for row in payload["in_sample"] + payload["validation"]:
        assert row["p05"] <= row["median"] <= row["p95"]
        assert 0.0 <= row["share_ok"] <= 1.0
