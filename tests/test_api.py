"""The Python API (gt.Sim, gt.Population, gt.Ensemble): one core with the CLI."""

from __future__ import annotations

import doctest
import json
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import greatterror as gt
from greatterror.api import ensemble as ensemble_module
from greatterror.api import results as results_module
from greatterror.api import sim as sim_module
from greatterror.errors import GreatterrorError
from greatterror.model.components import resolve_switches
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.results.outputs import summary_json

SCALE = 0.0001


def _json(summary: dict) -> str:
    return summary_json(summary)


@pytest.fixture(scope="module")
def finished() -> gt.Sim:
    return gt.Sim("historical", scale=SCALE, seed=4).run()


def test_sim_matches_the_engine_run_directly(finished: gt.Sim) -> None:
    """gt.Sim is a front to the same engine the CLI ran before it: same seed, same output."""
    direct = simulate(load_scenario("historical"), SCALE, 4)
    assert _json(finished.results.summary) == _json(direct.summary)


def test_a_built_population_can_be_reused_without_changing_the_result(finished: gt.Sim) -> None:
    pop = gt.Population.build(scale=SCALE, seed=4)
    first = gt.Sim("historical", population=pop, seed=4).run().results.summary
    again = gt.Sim("historical", population=pop, seed=4).run().results.summary
    assert _json(first) == _json(again) == _json(finished.results.summary)
    other_seed = gt.Sim("historical", population=pop, seed=5).run().results.summary
    assert _json(other_seed) != _json(first)


def test_threads_reach_the_build_and_change_nothing(
    finished: gt.Sim, build_threads: list[int]
) -> None:
    threaded = gt.Sim("historical", scale=SCALE, seed=4, threads=3).run()
    assert build_threads == [3]
    assert _json(threaded.results.summary) == _json(finished.results.summary)
    with pytest.raises(gt.SimError, match="threads: 0 is out of range"):
        gt.Population.build(scale=SCALE, seed=4, threads=0)


def test_stepping_day_by_day_equals_running(finished: gt.Sim) -> None:
    stepped = gt.Sim("historical", scale=SCALE, seed=4)
    for _ in range(40):
        stepped.step()
    assert stepped.date.isoformat() == "1935-01-10"
    stepped.run(until="1936-03-01")
    assert stepped.date.isoformat() == "1936-03-02"
    assert not stepped.finished
    stepped.run()
    assert stepped.finished
    assert _json(stepped.results.summary) == _json(finished.results.summary)
    with pytest.raises(gt.SimError, match="already reached its last day"):
        stepped.step()


def test_results_tables(finished: gt.Sim) -> None:
    res = finished.results
    ts = res.timeseries
    assert list(ts.columns) == ["date", "region", "operation", "event", "count"]
    assert (ts["count"] > 0).all()
    arrested = ts.loc[ts["event"] == "arrested", "count"].sum()
    assert arrested == pytest.approx(sum(y["arrested"] for y in res.summary["yearly"].values()))
    t = res.targets
    assert list(t.columns) == [
        "id",
        "label",
        "archival",
        "low",
        "high",
        "simulated",
        "ratio",
        "inside",
        "met",
    ]
    assert len(t) == len(res.summary["targets"])
    assert (t["low"] <= t["archival"]).all() and (t["archival"] <= t["high"]).all()
    expect = (t["low"] <= t["simulated"]) & (t["simulated"] <= t["high"])
    assert (t["inside"] == expect).all()
    near = (t["ratio"] - 1).abs() <= 0.2
    assert (t["met"] == (expect | near)).all()
    assert set(res.yearly.index) == {str(y) for y in range(1934, 1941)}


def test_plot_has_the_key_panels(finished: gt.Sim) -> None:
    fig = finished.plot()
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes]
    assert "death sentences per year (log scale)" in titles
    assert "arrests per week by operation" in titles


def test_mechanism_switch_by_id_or_name() -> None:
    by_id = gt.Sim("historical", scale=SCALE, seed=4, mechanisms={"M12": False})
    by_name = gt.Sim("historical", scale=SCALE, seed=4, mechanisms={"denunciation": False})
    assert resolve_switches(by_id.scenario)["denunciation"] is False
    assert resolve_switches(by_id.scenario) == resolve_switches(by_name.scenario)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": 2.0}, "scale: 2 is out of range; allowed values: 1e-05 to 1"),
        ({"scale": "big"}, "scale: expected a number"),
        ({"seed": -1}, "seed: -1 is out of range; allowed values: 0 to 9223372036854775807"),
        ({"seed": 2**70}, "seed: 1180591620717411303424 is out of range"),
        ({"seed": 1.5}, "seed: expected a whole number"),
        ({"pars": {"names_per_confession": 9}}, "pars.names_per_confession: 9 is out of range"),
        ({"pars": {"nonsense": 1}}, "pars.nonsense: unknown parameter"),
        ({"mechanisms": {"M99": False}}, "mechanisms: unknown mechanism 'M99'; allowed: M01"),
        ({"mechanisms": {"M12": "no"}}, "mechanisms.M12: expected True or False"),
        # not a dict: was a TypeError or AttributeError from inside dict() and .items()
        ({"pars": [1, 2]}, "pars: expected a dict of parameter name to value"),
        ({"pars": "names_per_confession=1"}, "pars: expected a dict of parameter name"),
        ({"mechanisms": ["M12"]}, "mechanisms: expected a dict of switch to True or False"),
        # an unknown switch is named as unknown whatever its value
        ({"mechanisms": {"M99": 1}}, "mechanisms: unknown mechanism 'M99'"),
        ({"threads": 0}, "threads: 0 is out of range; allowed values: 1 to 1024"),
        ({"threads": -1}, "threads: -1 is out of range; allowed values: 1 to 1024"),
        ({"threads": 1025}, "threads: 1025 is out of range; allowed values: 1 to 1024"),
        ({"threads": 2.0}, "threads: expected a whole number from 1 to 1024"),
        ({"threads": True}, "threads: expected a whole number from 1 to 1024"),
        ({"threads": "2"}, "threads: expected a whole number from 1 to 1024"),
    ],
)
def test_bad_arguments_are_refused_before_any_work(kwargs: dict, message: str) -> None:
    with pytest.raises(gt.SimError) as err:
        gt.Sim("historical", **kwargs)
    assert message in str(err.value)


def test_bad_scenario_and_dates_are_refused() -> None:
    with pytest.raises(gt.SimError, match="unknown scenario 'nope'; shipped scenarios"):
        gt.Sim("nope")
    sim = gt.Sim("historical", scale=SCALE)
    with pytest.raises(gt.SimError, match="until: 1950-01-01 is outside the scenario's period"):
        sim.run(until="1950-01-01")
    with pytest.raises(gt.SimError, match="until: 'soon' is not a date"):
        sim.run(until="soon")
    with pytest.raises(gt.SimError, match="has not finished"):
        _ = sim.results
    pop = gt.Population.build(scale=SCALE, seed=1)
    with pytest.raises(gt.SimError, match="differs from the given population's scale"):
        gt.Sim("historical", population=pop, scale=0.001)


def test_save_writes_the_cli_outputs_and_registers(finished: gt.Sim, tmp_path: Path) -> None:
    run_id = finished.save(tmp_path / "run")
    assert run_id
    saved = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert saved["seed"] == 4
    assert (tmp_path / "run" / "report.html").exists()
    from greatterror.results.registry import get_run

    assert get_run(run_id) is not None
    # a path that is not one is named as the argument (None was a TypeError of pathlib's;
    # "" was called "the current folder")
    for out in (None, "", " ", 3):
        with pytest.raises(gt.SimError, match="out: expected a folder path"):
            finished.save(out)  # type: ignore[arg-type]
    # any path-like is a path (a PurePath was refused after useraudit, review34 F3)
    pure = PurePosixPath(tmp_path / "pure")
    assert finished.save(pure, register=False)
    assert (tmp_path / "pure" / "summary.json").exists()


def test_save_refusals_name_the_arguments_of_the_call(finished: gt.Sim, tmp_path: Path) -> None:
    """From Python the folder is ``out`` and the leave to replace it ``overwrite=True``; the
    shared check (rundir.check_output_dir) said "--out" and "pass --overwrite"."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("kept")
    with pytest.raises(GreatterrorError) as refused:
        finished.save(out, register=False)
    said = str(refused.value)
    assert said.startswith(f"out: {out} already exists") and "pass overwrite=True" in said
    assert "--" not in said
    with pytest.raises(GreatterrorError, match="; overwrite=True replaces only a run folder"):
        finished.save(out, overwrite=True, register=False)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_ensemble_is_the_same_at_any_worker_count() -> None:
    one = gt.Ensemble("historical", scale=SCALE, seeds=[3, 1, 2], workers=1).run()
    two = gt.Ensemble("historical", scale=SCALE, seeds=[3, 1, 2], workers=2).run()
    assert [_json(s) for s in one.summaries] == [_json(s) for s in two.summaries]
    assert [s["seed"] for s in one.summaries] == [3, 1, 2]
    bands = one.bands()
    assert (bands["p10"] <= bands["median"]).all() and (bands["median"] <= bands["p90"]).all()
    assert (bands["runs"] == 3).all()
    yearly = one.yearly()
    assert isinstance(yearly, pd.DataFrame) and set(yearly["seed"]) == {1, 2, 3}


def test_ensemble_on_a_dask_cluster_equals_the_local_run() -> None:
    distributed = pytest.importorskip("dask.distributed")
    local = gt.Ensemble("historical", scale=SCALE, seeds=[1, 2], workers=1).run()
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = gt.Ensemble("historical", scale=SCALE, seeds=[1, 2], client=client).run()
    assert [_json(s) for s in remote.summaries] == [_json(s) for s in local.summaries]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seeds": []}, "seeds: expected at least one seed"),
        ({"seeds": [1, 1]}, "seeds: a seed is repeated"),
        ({"seeds": [-2]}, "seeds: -2 is out of range"),
        ({"workers": 0}, "workers: 0 is out of range"),
        # a single number or None is not a list of seeds (it was "'int' object is not iterable")
        ({"seeds": 0}, "seeds: expected a list or range of whole numbers"),
        ({"seeds": 8}, "seeds: expected a list or range of whole numbers"),
        ({"seeds": None}, "seeds: expected a list or range of whole numbers"),
        ({"seeds": "1-8"}, "seeds: expected a list or range of whole numbers"),
        # read only up to the bound: not a list of a trillion seeds first
        ({"seeds": range(10**12)}, "seeds: more than 10000 seeds"),
        ({"client": "tcp://127.0.0.1:8786"}, "client: expected a dask.distributed.Client"),
    ],
)
def test_bad_ensemble_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(gt.SimError, match=message):
        gt.Ensemble("historical", scale=SCALE, **kwargs)


def test_numpy_integers_are_whole_numbers() -> None:
    """``np.arange``'s items are whole numbers: refusing them as "not a whole number" was
    wrong. They are kept as Python ints, so a run is the run of the same int seed."""
    sim = gt.Sim("historical", scale=SCALE, seed=np.int64(4), threads=np.int32(2))
    assert (sim.seed, sim.threads) == (4, 2) and type(sim.seed) is int
    ens = gt.Ensemble("historical", scale=SCALE, seeds=np.arange(1, 4), workers=np.int64(2))
    assert ens.seeds == [1, 2, 3] and all(type(s) is int for s in ens.seeds)
    assert ens.workers == 2 and type(ens.workers) is int
    with pytest.raises(gt.SimError, match="seed: expected a whole number"):
        gt.Sim("historical", scale=SCALE, seed=np.float64(4.0))


@pytest.mark.parametrize(
    ("given", "taken"),
    [
        (np.float64(0.001), 0.001),
        (np.int64(1), 1.0),
        (np.float32(0.001), 0.001),  # the decimal it prints, not 0.0010000000474974513
        (np.float16(0.001), 0.001),
    ],
    ids=lambda x: type(x).__name__,
)
def test_numpy_scales_are_numbers(given: object, taken: float) -> None:
    """A scale from NumPy (an array's item, a computed ratio) was refused as "expected a
    number" unless it was a float64; each is now kept as the Python float it stands for."""
    for made in (gt.Sim("historical", scale=given), gt.Ensemble(scale=given, seeds=[1])):
        assert made.scale == taken and type(made.scale) is float
    with pytest.raises(gt.SimError, match="scale: 0 is out of range"):
        gt.Sim("historical", scale=np.int64(0))
    with pytest.raises(gt.SimError, match="scale: expected a number"):
        gt.Sim("historical", scale=np.bool_(True))


@pytest.mark.parametrize("module", [sim_module, ensemble_module, results_module])
def test_docstring_examples_run(module) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
