"""The results layer: run files, atomic writing, the run registry, the report, comparisons."""

from __future__ import annotations

import copy
import datetime as dt
import html
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from greatterror.results.compare import compare_runs, write_comparison_plot
from greatterror.results.outputs import (
    CHANNELS_SCHEMA,
    TIMESERIES_SCHEMA,
    RunOutputError,
    read_channels,
    read_summary,
    read_timeseries,
    write_channels,
    write_summary,
    write_timeseries,
)
from greatterror.results.registry import AmbiguousRunId, get_run, list_runs, record_run
from greatterror.results.report import FIGURE_TITLES, captions, write_report
from greatterror.results.rundir import MARKER_FILE, write_marker, write_run_atomically

YEARS = {
    "1935": (270000.0, 267000.0, 1200.0),
    "1936": (130000.0, 274000.0, 1100.0),
    "1937": (1560000.0, 790000.0, 353000.0),
    "1938": (640000.0, 555000.0, 328000.0),
    "1939": (44000.0, 63000.0, 2600.0),
    "1940": (127000.0, 71000.0, 1600.0),
}


def make_summary(scenario: str = "historical", seed: int = 1) -> dict[str, Any]:
    """A small summary that follows docs/outputs.md key for key."""
    return {
        "scenario": scenario,
        "scale": 0.01,
        "seed": seed,
        "version": "0.1.0",
        "parameters": {"arrest_rate_multiplier": 1.0, "limit_increases": True, "troika_days": 3},
        "population": {"mass": 1_620_000, "elite": 4_100, "represented": 162_004_100.0},
        "start": "1934-12-01",
        "end": "1940-12-31",
        "yearly": {
            year: {
                "arrested": a,
                "convicted": c,
                "shot": s,
                "camp": c - s - 1000.0,
                "exile": 1000.0,
            }
            for year, (a, c, s) in YEARS.items()
        },
        "operations": {
            "kulak_00447": {"arrested": 760000.0, "convicted": 767000.0, "shot": 386000.0},
            "national_polish": {"arrested": 140000.0, "convicted": 139800.0, "shot": 111000.0},
        },
        "operations_yearly": {
            "kulak_00447": {
                "1937": {"arrested": 600000.0, "convicted": 575000.0, "death_sentences": 258000.0}
            },
        },
        "elites": {
            "cc_1934": {"size": 139, "arrested": 98, "shot": 93},
            "congress_1934": {"size": 1966, "arrested": 1108},
            "army_command": {"size": 800, "arrested": 400, "shot": 300},
            "nkvd_officers": {"size": 1200, "arrested": 300, "shot": 150},
        },
        "policy_mode": "scripted",
        "policy": [
            {
                "date": "1938-11-17",
                "action": "halt",
                "detail": None,
                "by": "scenario",
                "threat": 0.4,
                "cost": None,
                "war": 1.0,
            }
        ],
        "trials": [
            {
                "id": "trial_of_16_1936",
                "date": "1936-08-19",
                "defendants": 16,
                "death_sentences": 16,
                "other_sentences": 0,
                "archival": {"defendants": 16, "death_sentences": 16},
            },
            {
                "id": "trial_of_21_1938",
                "date": "1938-03-13",
                "defendants": 21,
                "death_sentences": 17,
                "other_sentences": 4,
                "archival": {"defendants": 21, "death_sentences": 18},
            },
        ],
        "targets": [
            {
                "id": "G1-1937-conv",
                "label": "convicted 1937",
                "archival": 790665.0,
                "simulated": 790000.0,
                "ratio": 790000.0 / 790665.0,
            },
            {
                "id": "G1-1937-death",
                "label": "sentenced to death 1937",
                "archival": 353074.0,
                "simulated": 353000.0,
                "ratio": 353000.0 / 353074.0,
            },
            {
                "id": "G1-1938-death",
                "label": "sentenced to death 1938",
                "archival": 328618.0,
                "simulated": 328000.0,
                "ratio": 328000.0 / 328618.0,
            },
            {
                "id": "G2-shot",
                "label": "sentenced to death 1937-38",
                "archival": 681692.0,
                "simulated": 681000.0,
                "ratio": 681000.0 / 681692.0,
            },
        ],
        "limit_fill": [
            {
                "region": "azerbaijan_ssr",
                "cat1_limit": 1500.0,
                "cat1_used": 1500.0,
                "cat2_limit": 3750.0,
                "cat2_used": 3000.0,
            },
            {
                "region": "armenian_ssr",
                "cat1_limit": 500.0,
                "cat1_used": 700.0,
                "cat2_limit": 1000.0,
                "cat2_used": 900.0,
            },
        ],
        "targeted": {
            "occupation": {
                "collective_farmer": {"population": 70e6, "arrested": 500000.0},
                "worker": {"population": 30e6, "arrested": 300000.0},
            },
            "marks": {
                "former_kulak": {"population": 2e6, "arrested": 400000.0},
                "none": {"population": 150e6, "arrested": 600000.0},
            },
            "party": {
                "member": {"population": 1.9e6, "arrested": 100000.0},
                "non_member": {"population": 160e6, "arrested": 1_400_000.0},
            },
        },
        "demography": {
            outcome: {
                group: {
                    "male_share": share,
                    "age": {"0-15": 0.0, "16-29": 0.3, "30-49": 0.45, "50+": 0.25},
                }
                for group in ("all", "kulak_00447", "family")
            }
            for outcome, share in (("arrested", 0.8), ("convicted", 0.85), ("shot", 0.93))
        },
        "families": {"children_to_homes": 1200.0},
        # the ordinary courts' non-political convicts (model/steps_courts.py), outside "yearly"
        "non_political": {
            "1937": {"sentenced": 390000.0, "released": 380000.0, "died_in_custody": 33000.0}
        },
    }


def make_timeseries() -> dict[str, Any]:
    dates = np.array(["1937-08-05", "1937-08-05", "1937-08-12", "1937-09-01", "1938-02-10"])
    return {
        "date": dates.astype("datetime64[D]"),
        "region": [
            "azerbaijan_ssr",
            "armenian_ssr",
            "azerbaijan_ssr",
            "armenian_ssr",
            "armenian_ssr",
        ],
        "operation": [
            "kulak_00447",
            "kulak_00447",
            "kulak_00447",
            "national_polish",
            "kulak_00447",
        ],
        "event": ["arrested", "arrested", "convicted_cat1", "executed", "arrested"],
        "count": np.array([300.0, 200.0, 100.0, 100.0, 0.0]),
    }


def make_channels() -> dict[str, Any]:
    return {
        "date": [dt.date(1937, 8, 5), dt.date(1937, 8, 5), dt.date(1937, 8, 6)],
        "channel": ["troika", "courts", "troika"],
        "backlog": [500.0, 20.0, 400.0],
        "decided": [0.0, 5.0, 100.0],
    }


def write_out_dir(directory: Path, summary: dict[str, Any]) -> None:
    write_timeseries(directory / "timeseries.parquet", make_timeseries())
    write_channels(directory / "channels.parquet", make_channels())
    write_summary(directory / "summary.json", summary)


def test_files_round_trip(tmp_path: Path) -> None:
    write_out_dir(tmp_path, make_summary())

    ts = read_timeseries(tmp_path / "timeseries.parquet")
    assert ts.schema == TIMESERIES_SCHEMA
    assert ts.num_rows == 4  # the zero-count row is dropped
    assert ts["date"].to_pylist()[0] == dt.date(1937, 8, 5)
    assert sum(ts["count"].to_pylist()) == 700.0

    ch = read_channels(tmp_path / "channels.parquet")
    assert ch.schema == CHANNELS_SCHEMA
    assert ch.to_pydict()["backlog"] == [20.0, 500.0, 400.0]  # sorted by date, channel

    assert read_summary(tmp_path / "summary.json") == make_summary()


def test_writers_reject_what_the_format_does_not_allow(tmp_path: Path) -> None:
    rows = make_timeseries()
    rows["event"] = ["arrested", "arrested", "convicted_cat1", "shot", "arrested"]
    with pytest.raises(RunOutputError, match=r"unknown event value\(s\) \['shot'\]"):
        write_timeseries(tmp_path / "ts.parquet", rows)
    rows = make_timeseries()
    rows["count"] = np.array([1.0, np.nan, 1.0, 1.0, 1.0])
    with pytest.raises(RunOutputError, match="column 'count' has NaN values"):
        write_timeseries(tmp_path / "ts.parquet", rows)
    with pytest.raises(RunOutputError, match="missing columns"):
        write_channels(tmp_path / "ch.parquet", {"date": [], "channel": []})
    with pytest.raises(RunOutputError, match="missing keys"):
        write_summary(tmp_path / "s.json", {"scenario": "x"})


def test_summary_non_finite_numbers_become_null(tmp_path: Path) -> None:
    summary = make_summary()
    summary["targets"][0]["ratio"] = float("nan")
    summary["seed"] = np.int64(7)
    write_summary(tmp_path / "summary.json", summary)
    back = read_summary(tmp_path / "summary.json")
    assert back["targets"][0]["ratio"] is None
    assert back["seed"] == 7


def test_atomic_write_moves_complete_directory_into_place(tmp_path: Path) -> None:
    out = tmp_path / "runs" / "run1"
    result = write_run_atomically(out, lambda d: write_out_dir(d, make_summary()))
    assert result == out
    assert sorted(p.name for p in out.iterdir()) == [
        "channels.parquet",
        "summary.json",
        "timeseries.parquet",
    ]
    assert [p.name for p in out.parent.iterdir()] == ["run1"]  # no temporary left behind


def test_atomic_write_leaves_nothing_when_the_writer_fails(tmp_path: Path) -> None:
    out = tmp_path / "run1"

    def failing(directory: Path) -> None:
        write_summary(directory / "summary.json", make_summary())
        raise RuntimeError("simulation crashed")

    with pytest.raises(RuntimeError, match="simulation crashed"):
        write_run_atomically(out, failing)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    out = tmp_path / "run1"
    out.mkdir()
    (out / "notes.txt").write_text("an earlier run", encoding="utf-8")

    with pytest.raises(RunOutputError) as excinfo:
        write_run_atomically(out, lambda d: write_out_dir(d, make_summary()))
    assert str(excinfo.value) == (
        f"--out: {out} already exists and is not empty; choose another folder or pass --overwrite"
    )
    # --overwrite replaces only a folder that holds a previous run, and says what it found
    (out / "sub").mkdir()
    (out / "sub" / "important.txt").write_text("not a run", encoding="utf-8")
    with pytest.raises(RunOutputError, match=r"no previous greatterror run .*notes\.txt, sub/"):
        write_run_atomically(out, lambda d: write_out_dir(d, make_summary()), overwrite=True)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "an earlier run"
    assert (out / "sub" / "important.txt").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["run1"]


def test_overwrite_replaces_a_previous_run_but_not_foreign_files(tmp_path: Path) -> None:
    out = tmp_path / "run1"

    def run_folder(directory: Path) -> None:
        write_out_dir(directory, make_summary())
        write_marker(directory, "20240501-120000-abcdef", "0" * 64, "2024-05-01T12:00:00")

    write_run_atomically(out, run_folder)
    write_run_atomically(out, run_folder, overwrite=True)
    assert (out / MARKER_FILE).is_file()
    # a run folder written before markers existed: its own files and nothing else
    (out / MARKER_FILE).unlink()
    write_run_atomically(out, run_folder, overwrite=True)
    (out / "mine.txt").write_text("added by hand", encoding="utf-8")
    with pytest.raises(RunOutputError, match=r"not part of run 20240501-120000-abcdef: mine\.txt"):
        write_run_atomically(out, run_folder, overwrite=True)
    assert (out / "mine.txt").is_file()


def test_atomic_write_accepts_an_empty_existing_directory(tmp_path: Path) -> None:
    out = tmp_path / "run1"
    out.mkdir()
    write_run_atomically(out, lambda d: write_out_dir(d, make_summary()))
    assert (out / "timeseries.parquet").is_file()


def test_registry_record_list_get(tmp_path: Path, isolated_home: Path) -> None:
    registry = tmp_path / "registry.duckdb"
    assert list_runs(path=registry) == []
    assert get_run("2024", path=registry) is None

    when = dt.datetime(2024, 5, 1, 12, 30, 15, tzinfo=dt.UTC)
    first = record_run(make_summary(seed=1), tmp_path / "a", path=registry, created=when)
    second = record_run(make_summary(seed=2), tmp_path / "b", path=registry, created=when)
    third = record_run(
        make_summary("no_limits", seed=1),
        tmp_path / "c",
        path=registry,
        created=when + dt.timedelta(days=1),
    )
    assert first.startswith("20240501-123015-") and len(first) == len("20240501-123015-") + 6
    assert len({first, second, third}) == 3

    runs = list_runs(path=registry)
    assert [r["run_id"] for r in runs][-1] == third
    assert {r["run_id"] for r in runs} == {first, second, third}
    got = get_run(first, path=registry)
    assert got is not None
    assert got["seed"] == 1 and got["scenario"] == "historical" and got["scale"] == 0.01
    assert got["parameters"] == make_summary()["parameters"]
    assert got["summary"] == make_summary(seed=1)
    assert got["out_dir"] == str((tmp_path / "a").resolve())
    assert got["created"] == dt.datetime(2024, 5, 1, 12, 30, 15)

    by_prefix = get_run("20240502", path=registry)
    assert by_prefix is not None and by_prefix["run_id"] == third
    with pytest.raises(AmbiguousRunId, match="matches several runs"):
        get_run("20240501", path=registry)
    assert get_run("19990101", path=registry) is None
    assert get_run("", path=registry) is None


def test_registry_same_inputs_same_second_get_distinct_ids(tmp_path: Path) -> None:
    registry = tmp_path / "registry.duckdb"
    when = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.UTC)
    ids = {record_run(make_summary(), tmp_path, path=registry, created=when) for _ in range(3)}
    assert len(ids) == 3


def test_registry_defaults_to_the_home_directory(isolated_home: Path, tmp_path: Path) -> None:
    run_id = record_run(make_summary(), tmp_path)
    assert (isolated_home / "registry.duckdb").is_file()
    assert get_run(run_id) is not None
    assert any(r["run_id"] == run_id for r in list_runs())


def test_report_has_every_section_and_escapes_text(tmp_path: Path) -> None:
    summary = make_summary(scenario='<script>alert("x")</script>')
    summary["parameters"]["note"] = "<b>bold</b>"
    write_out_dir(tmp_path, summary)

    path = write_report(tmp_path)
    assert path == tmp_path / "report.html"
    page = path.read_text(encoding="utf-8")

    for title in FIGURE_TITLES.values():
        assert f"<h2>{html.escape(title)}</h2>" in page
    for caption in captions(summary).values():
        assert html.escape(caption) in page
        assert "Simulated" in caption and "full-population equivalents" in caption
    assert page.count("<img ") == len(FIGURE_TITLES)
    assert page.count("data:image/png;base64,") == len(FIGURE_TITLES)
    assert "<script" not in page and "<b>bold" not in page
    assert html.escape('<script>alert("x")</script>') in page
    assert "G1-1937-death" in page and "353,074" in page
    assert "1934 from 1934-12-01 only" in page
    assert "<h2>Policy decisions</h2>" in page and "Policy mode: scripted." in page
    assert "<td>1938-11-17</td><td>halt</td><td></td><td>scenario</td>" in page
    assert not list(tmp_path.glob(".*"))


def test_report_with_empty_tables_still_draws_every_plot(tmp_path: Path) -> None:
    summary = make_summary()
    summary.update(trials=[], limit_fill=[], elites={}, targeted={})
    write_timeseries(
        tmp_path / "timeseries.parquet",
        {"date": [], "region": [], "operation": [], "event": [], "count": []},
    )
    write_channels(
        tmp_path / "channels.parquet", {"date": [], "channel": [], "backlog": [], "decided": []}
    )
    write_summary(tmp_path / "summary.json", summary)
    page = write_report(tmp_path).read_text(encoding="utf-8")
    assert page.count("<img ") == len(FIGURE_TITLES)


def test_report_names_missing_files(tmp_path: Path) -> None:
    write_summary(tmp_path / "summary.json", make_summary())
    with pytest.raises(RunOutputError, match=r"lacks timeseries\.parquet, channels\.parquet"):
        write_report(tmp_path)


def test_compare_runs_differences_are_exact(tmp_path: Path) -> None:
    base = make_summary()
    other = copy.deepcopy(base)
    other["seed"] = 2
    other["yearly"]["1937"]["shot"] = 360000.0
    other["targets"][1]["simulated"] = 350000.0
    other["operations"]["kulak_00447"]["arrested"] = 700000.0
    other["elites"]["cc_1934"]["shot"] = 90
    del other["operations"]["national_polish"]
    other["targets"].append(
        {"id": "G4-all-conv", "label": "x", "archival": 335513.0, "simulated": 1.0, "ratio": 0.0}
    )

    rows = {row["key"]: row for row in compare_runs([base, other])}

    assert rows["yearly:1937:shot"]["values"] == [353000.0, 360000.0]
    assert rows["yearly:1937:shot"]["differences"] == [0.0, 7000.0]
    assert rows["target:G1-1937-death"]["differences"] == [0.0, -3000.0]
    assert rows["target:G1-1937-death"]["archival"] == 353074.0
    assert rows["operations:kulak_00447:arrested"]["differences"] == [0.0, -60000.0]
    assert rows["elites:cc_1934:shot"]["differences"] == [0.0, -3.0]
    assert rows["elites:congress_1934:arrested"]["differences"] == [0.0, 0.0]
    assert rows["operations:national_polish:shot"]["values"] == [111000.0, None]
    assert rows["operations:national_polish:shot"]["differences"] == [0.0, None]
    assert rows["target:G4-all-conv"]["values"] == [None, 1.0]
    assert rows["target:G4-all-conv"]["differences"] == [None, None]
    assert "elites:congress_1934:shot" not in rows

    keys = list(rows)
    assert keys[0] == "target:G1-1937-conv"
    assert keys.index("yearly:1935:arrested") < keys.index("yearly:1940:arrested")
    assert compare_runs([]) == []


def test_comparison_plot(tmp_path: Path) -> None:
    other = make_summary(seed=2)
    path = write_comparison_plot(
        [make_summary(), other], ["seed 1", "seed 2"], tmp_path / "cmp.png"
    )
    assert path.read_bytes().startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="labels"):
        write_comparison_plot([make_summary()], ["a", "b"], tmp_path / "x.png")


def test_timeseries_accepts_iso_strings_and_python_dates(tmp_path: Path) -> None:
    rows = make_timeseries()
    rows["date"] = ["1937-08-05", "1937-08-05", "1937-08-12", "1937-09-01", "1938-02-10"]
    write_timeseries(tmp_path / "ts.parquet", rows)
    table = read_timeseries(tmp_path / "ts.parquet")
    assert table["date"].type == pa.date32()
    assert table.num_rows == 4
