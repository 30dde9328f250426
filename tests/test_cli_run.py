"""`greatterror run`, `runs`, `compare`, `params` and `mechanisms`, as a user calls them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greatterror.cli.app import app
from greatterror.paths import scenarios_dir

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("foo=1", "foo: unknown parameter"),
        (
            "names_per_confession=abc",
            "names_per_confession: expected a number in [0, 5], got 'abc'",
        ),
        (
            "names_per_confession=9",
            "names_per_confession: 9 is out of range; allowed values: 0 to 5 persons",
        ),
        (
            "trial_max_defendants=2.5",
            "trial_max_defendants: expected a whole number in [1, 60], got '2.5'",
        ),
        ("novalue", "--set: expected name=value, got 'novalue'"),
        ("M99=off", "mechanism 'M99': unknown; allowed: an id from M01 to M30 or a switch name"),
        ("M12=maybe", "M12: 'maybe' is not a switch position; allowed values: on, off"),
        ("denunciation=2", "denunciation: '2' is not a switch position; allowed values: on, off"),
        ("M24=yes", "M24: 'yes' is not a switch position; allowed values: on, off"),
    ],
)
def test_bad_set_is_refused_and_nothing_written(tmp_path: Path, setting: str, message: str) -> None:
    out = tmp_path / "run"
    result = invoke("run", "--scale", "0.0001", "--out", str(out), "--set", setting)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not out.exists()


def _scenario_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (scenarios_dir() / "historical.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'action = "kirov_murder"',
            'action = "bogus"',
            "broken.toml: events.0.action: 'bogus' is not allowed; allowed values:",
        ),
        (
            "date = 1936-09-26",
            "date = 1936-10-26",
            "broken.toml: events[5].date: 1936-10-26 disagrees with evidence G12-07 dated 1936-09-26",
        ),
        (
            "[parameters]",
            "[parameters]\nfamily_arrest = 2",
            "broken.toml: parameters.family_arrest: 2 is out of range; allowed values: 0 to 1",
        ),
        (
            'name = "historical"',
            'name = "historical"\ncolour = 1',
            "broken.toml: colour: unknown key; allowed keys: name, description, start",
        ),
        ("end = 1940-12-31", "end = 1940-12-31 x", "broken.toml: not valid TOML"),
    ],
)
def test_broken_scenario_file(tmp_path: Path, old: str, new: str, message: str) -> None:
    out = tmp_path / "run"
    result = invoke(
        "run", str(_scenario_with(tmp_path, old, new)), "--scale", "0.0001", "--out", str(out)
    )
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not out.exists()


def test_unknown_scenario_and_bad_scale(tmp_path: Path) -> None:
    result = invoke("run", "nosuch", "--out", str(tmp_path / "x"))
    assert result.exit_code == 2
    assert (
        "scenario: unknown scenario 'nosuch'; shipped scenarios: endogenous, historical"
        in result.output
    )
    result = invoke("run", "--scale", "2", "--out", str(tmp_path / "x"))
    assert result.exit_code == 2
    assert "--scale: 2 is out of range; allowed values: 1e-05 to 1" in result.output


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "--threads: 0 is out of range; allowed values: 1 to 1024"),
        ("-1", "--threads: -1 is out of range; allowed values: 1 to 1024"),
        ("1025", "--threads: 1025 is out of range; allowed values: 1 to 1024"),
        ("abc", "--threads: 'abc' is not a whole number; allowed: a whole number (1 to 1024"),
    ],
)
@pytest.mark.parametrize("command", [("run",), ("population", "describe")])
def test_bad_threads_are_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple, value: str, message: str
) -> None:
    import greatterror.population.build as build_module

    def no_build(*args, **kwargs):
        raise AssertionError("a population was built before --threads was checked")

    monkeypatch.setattr(build_module, "build_population", no_build)
    out = tmp_path / "run"
    where = ("--out", str(out)) if command == ("run",) else ()
    result = invoke(*command, "--scale", "0.0001", *where, "--threads", value)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not out.exists()


def test_threads_change_only_the_build_time(tmp_path: Path, build_threads: list[int]) -> None:
    """--threads 2 reaches the build and the run's outputs are those of --threads 1: the same
    content hash (data tables and summary), and no trace of the count in the record."""
    summaries = []
    for threads in ("1", "2"):
        out = tmp_path / f"threads{threads}"
        result = invoke(
            "run", "--scale", "0.0001", "--seed", "3", "--out", str(out), "--threads", threads
        )
        assert result.exit_code == 0, result.output
        summaries.append(json.loads((out / "summary.json").read_text()))
    assert build_threads == [1, 2]
    one, two = summaries
    assert one["content_hash"] == two["content_hash"]
    assert one["run_id"] != two["run_id"]
    assert "threads" not in json.dumps(one)


def test_run_writes_everything_and_registers(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = invoke("run", "--scale", "0.0001", "--seed", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    for name in ("timeseries.parquet", "channels.parquet", "summary.json", "report.html"):
        assert (out / name).exists(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 2 and summary["scale"] == 0.0001 and summary["version"]
    from greatterror.model.scenario import load_scenario

    assert summary["parameters"] == load_scenario("historical").parameter_values()
    assert "G1-1937-conv" in result.output

    again = invoke("run", "--scale", "0.0001", "--seed", "2", "--out", str(out))
    assert again.exit_code == 2
    assert "already exists and is not empty" in again.output

    other = tmp_path / "other"
    assert (
        invoke(
            "run",
            "--scale",
            "0.0001",
            "--seed",
            "2",
            "--out",
            str(other),
            "--set",
            "names_acted_on=0",
        ).exit_code
        == 0
    )

    listed = json.loads(invoke("runs", "list", "--json").output)
    ids = [r["run_id"] for r in listed if Path(r["out_dir"]) in (out.resolve(), other.resolve())]
    assert len(ids) == 2
    shown = invoke("runs", "show", ids[0])
    assert shown.exit_code == 0 and "G2-detained" in shown.output
    assert invoke("runs", "show", "nope").exit_code == 2

    plot = tmp_path / "cmp.png"
    compared = invoke("compare", *ids, "--out", str(plot))
    assert compared.exit_code == 0, compared.output
    assert plot.exists()
    rows = json.loads(invoke("compare", *ids, "--json").output)["rows"]
    assert any(r["key"] == "target:G2-detained" for r in rows)
    assert invoke("compare", ids[0]).exit_code == 2
    if Path("/proc/self").is_dir():  # a folder nothing can be created in, even by root
        unwritable = invoke("compare", *ids, "--out", "/proc/x.png")
        assert unwritable.exit_code == 2, unwritable.output
        assert "--out: /proc/x.png cannot be written" in " ".join(unwritable.output.split())


def test_params_and_mechanisms() -> None:
    params = json.loads(invoke("params", "--json").output)
    assert any(p["name"] == "names_per_confession" and p["mechanism"] == "M05" for p in params)
    mechs = json.loads(invoke("mechanisms", "--json").output)
    assert [m["id"] for m in mechs] == [f"M{i:02d}" for i in range(1, 31)]
    assert invoke("params").exit_code == 0 and invoke("mechanisms").exit_code == 0
