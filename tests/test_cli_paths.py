"""Output paths, databases and run files that cannot be used are refused before any work.

The checks are tried for real: ``os.access`` says yes to root even in /proc
and /sys, where nothing can be created, so a check that asks it lets a run
simulate for minutes and then fail with a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from greatterror.cli.app import app

runner = CliRunner()
needs_proc = pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")


def invoke(*args: str):
    return runner.invoke(app, list(args))


def said(result) -> str:
    return " ".join(result.output.split())


@needs_proc
@pytest.mark.parametrize("out", ["/proc/x", "/proc/x/y"])
def test_run_into_proc_is_refused_before_any_work(out: str) -> None:
    result = invoke("run", "--scale", "0.0001", "--out", out)
    assert result.exit_code == 2, result.output
    assert f"--out: {out}: cannot write in /proc" in said(result)


@needs_proc
def test_new_database_in_proc_is_refused(tmp_path: Path) -> None:
    fit = invoke(
        "calibrate",
        "historical",
        "--db",
        "/proc/x.db",
        "--particles",
        "2",
        "--generations",
        "1",
        "--scale",
        "0.001",
        "--workers",
        "1",
    )
    assert fit.exit_code == 2, fit.output
    assert "--db: /proc/x.db cannot be written" in said(fit)
    out = tmp_path / "res"
    cmp = invoke("hypotheses", "compare", "H1", "H2", "--db", "/proc/x.db", "--out", str(out))
    assert cmp.exit_code == 2, cmp.output
    assert "--db: /proc/x.db cannot be written" in said(cmp)
    assert not out.exists()


def _not_a_database(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"fit_{kind}"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("run,seed\n1,2\n", encoding="utf-8")
    else:  # a SQLite database of someone else's
        import sqlite3

        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE notes (x TEXT)")
        connection.commit()
        connection.close()
    return path


@pytest.mark.parametrize("kind", ["empty", "text", "sqlite"])
@pytest.mark.parametrize(
    ("command", "field", "what"),
    [
        (["calibrate", "show", "{db}"], "path", "calibration"),
        (["calibrate", "apply", "{db}", "--scenario", "historical"], "path", "calibration"),
        (
            [
                "calibrate",
                "historical",
                "--db",
                "{db}",
                "--resume",
                "--particles",
                "2",
                "--generations",
                "1",
                "--scale",
                "0.003",
                "--workers",
                "1",
            ],
            "--db",
            "calibration",
        ),
        (["hypotheses", "compare", "show", "{db}"], "DB", "hypothesis comparison"),
        (["hypotheses", "compare", "check", "{db}"], "DB", "hypothesis comparison"),
    ],
)
def test_read_commands_leave_a_file_that_is_not_a_fit_unchanged(
    tmp_path: Path, kind: str, command: list[str], field: str, what: str
) -> None:
    db = _not_a_database(tmp_path, kind)
    before = db.read_bytes()
    result = invoke(*(a.replace("{db}", str(db)) for a in command))
    assert result.exit_code == 2, result.output
    text = said(result)
    assert f"{field}: {db} is not a greatterror {what} database" in text
    assert "expected the SQLite database written by" in text
    assert "sqlalchemy" not in text.lower() and "(sqlite3." not in text
    assert db.read_bytes() == before, "a read-only command changed the file it was given"
    assert sorted(p.name for p in tmp_path.iterdir()) == [db.name]


def test_sensitivity_checks_its_plot_folder_and_seed_before_simulating(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x\n", encoding="utf-8")
    for out, message in (
        (afile, f"--out: {afile} is a file"),
        (afile / "sub", f"--out: {afile / 'sub'}: {afile} is a file, not a folder"),
    ):
        result = invoke("sensitivity", "historical", "--samples", "2", "--out", str(out))
        assert result.exit_code == 2, result.output
        assert message in said(result)
    seed = invoke("sensitivity", "historical", "--seed", "-1", "--out", str(tmp_path / "s"))
    assert seed.exit_code == 2, seed.output
    assert "--seed: -1 is out of range; allowed values: 0 to 999,999" in said(seed)
    assert afile.read_text(encoding="utf-8") == "x\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": 0.001, "seed": -1}, "seed: -1 is out of range; allowed values: 0 to"),
        ({"scale": 0.001, "seed": 2**70}, "is out of range; allowed values: 0 to"),
        ({"scale": 0, "seed": 1}, "scale: 0 is out of range; allowed values:"),
        ({"scale": 0.001, "seed": 1.5}, "seed: expected a whole number from 0 to"),
    ],
)
def test_population_build_checks_like_sim(kwargs: dict[str, float], message: str) -> None:
    import greatterror as gt

    with pytest.raises(gt.SimError, match=message.replace("(", r"\(")):
        gt.Population.build(**kwargs)


@pytest.mark.parametrize("address", ["notaurl", "tcp://host", "tcp://host:99999", " "])
def test_malformed_scheduler_address_is_refused_before_work(tmp_path: Path, address: str) -> None:
    db = tmp_path / "fit.db"
    fit = invoke(
        "calibrate",
        "historical",
        "--db",
        str(db),
        "--particles",
        "2",
        "--generations",
        "1",
        "--scale",
        "0.003",
        "--dask-scheduler",
        address,
    )
    cmp = invoke("hypotheses", "compare", "H1", "H2", "--db", str(db), "--dask-scheduler", address)
    for result in (fit, cmp):
        assert result.exit_code == 2, result.output
        assert "--dask-scheduler:" in said(result)
        assert "allowed: tcp://host:port" in said(result)
    assert list(tmp_path.iterdir()) == []


def test_a_scheduler_that_fails_to_connect_is_a_fit_error(monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    from greatterror.calibration.abc import FitError, connect_scheduler

    def refuse(address: str, timeout: int) -> None:
        raise ValueError("missing port number")

    monkeypatch.setattr(distributed, "Client", refuse)
    with pytest.raises(FitError, match="--dask-scheduler: cannot reach tcp://h:1 "):
        connect_scheduler("tcp://h:1")


@pytest.mark.parametrize(
    ("name", "size", "flags"),
    [
        ("timeseries.parquet", 1000, []),
        ("timeseries.parquet", 0, []),
        ("channels.parquet", 500, ["--interactive"]),
    ],
)
def test_report_of_a_damaged_table_names_the_file(
    tmp_path: Path, name: str, size: int, flags: list[str]
) -> None:
    from test_results import make_summary, write_out_dir

    run = tmp_path / "run"
    run.mkdir()
    write_out_dir(run, make_summary())
    with (run / name).open("r+b") as handle:
        handle.truncate(size)
    result = invoke("report", str(run), *flags)
    assert result.exit_code == 2, result.output
    assert f"{run / name}: not a readable Parquet table" in said(result)
    assert "internal error" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("calibrate", "historical", "--db", ""),
        ("hypotheses", "compare", "H1", "H3", "--db", ""),
        ("hypotheses", "compare", "H1", "H3", "--db", "", "--resume"),
    ],
)
def test_an_empty_database_option_is_named_not_read_as_the_current_directory(args) -> None:
    """Path("") is "."; before, the comparison said ". exists" (or ". does not exist")."""
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "--db: empty; give a database file" in said(result)
    assert ". exists" not in said(result)


def _sole_entry(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("calibrate", "historical", "--db", "{d}"), "--db"),
        (("calibrate", "historical", "--db", "{d}", "--resume"), "--db"),
        (("hypotheses", "compare", "H1", "H3", "--db", "{d}"), "--db"),
        (("hypotheses", "compare", "H1", "H3", "--db", "{d}", "--resume"), "--db"),
        (("calibrate", "show", "{d}"), "path"),
        (("calibrate", "show", "{d}", "--check"), "path"),
        (("calibrate", "apply", "{d}", "--scenario", "historical"), "path"),
        (("hypotheses", "compare", "show", "{d}"), "DB"),
        (("hypotheses", "compare", "check", "{d}"), "DB"),
        (("counterfactual", "earlier_halt", "--posterior", "{d}", "--seeds", "1"), "--posterior"),
    ],
)
def test_a_directory_given_as_a_database_is_named_as_one(
    tmp_path: Path, args: tuple[str, ...], name: str
) -> None:
    """Before, --db DIR said "exists; pass --resume" and --db DIR --resume "does not exist"
    (round in a circle), and a directory to read said "does not exist" (review8 F6)."""
    folder = tmp_path / "fits"
    folder.mkdir()
    result = invoke(*(a.replace("{d}", str(folder)) for a in args))
    assert result.exit_code == 2, result.output
    assert f"{name}: {folder} is a directory; give the database file" in said(result)
    assert "does not exist" not in said(result) and "pass --resume" not in said(result)
    assert _sole_entry(tmp_path) == ["fits"] and _sole_entry(folder) == []


def test_an_empty_posterior_is_named_not_read_as_the_current_directory() -> None:
    """Path("") is "."; before, the counterfactual said "--posterior: . does not exist"."""
    result = invoke("counterfactual", "earlier_halt", "--posterior", "", "--seeds", "1")
    assert result.exit_code == 2, result.output
    assert "--posterior: empty; give a database file" in said(result)
    assert " . " not in said(result)


@pytest.mark.parametrize(
    "args",
    [
        ("run", "--scale", "0.0001", "--out", ""),
        ("calibrate", "show", "fit.db", "--out", " "),
        ("hypotheses", "compare", "show", "cmp.db", "--out", ""),
    ],
)
def test_an_empty_output_folder_is_named_empty(args: tuple[str, ...]) -> None:
    """Before, `run --out ""` spoke of "." as the current folder, and `compare show --out ""`
    wrote its result files into the current folder."""
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "--out: empty; give a folder's path" in said(result)
