"""The Hypotheses page's reading of databases: the same numbers as the command line.

The comparison and the fit read here are the project's own, kept in docs/: the prior-
sensitivity database of 7 December 2026 (one repeat and runs with the priors halved and
doubled; docs/hypotheses.md) and the conditional refit c1207b (docs/calibration.md). The
page must show what ``hypotheses compare show`` and ``calibrate show`` show for them, name
the hypotheses by their ids, and never write to the file it reads.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("pyabc", reason="needs the calibrate extra")
pytest.importorskip("solara", reason="needs the dashboard extra")

DOCS = Path(__file__).resolve().parents[1] / "docs"
PRIOR_RUNS = DOCS / "compare-2026-12-07" / "prior-154" / "prior-154.db.gz"
FIT = DOCS / "fits" / "c1207b.db"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def folder(isolated_home: Path) -> Iterator[Path]:
    from greatterror.dashboard.hypotheses_data import calibration_dir

    out = calibration_dir()
    out.mkdir(parents=True, exist_ok=True)
    yield out
    shutil.rmtree(out)


def test_a_comparison_is_shown_as_compare_show_shows_it(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from greatterror.calibration.compare_report import factor_rows, separation_rows, summarise
    from greatterror.dashboard.hypotheses_data import (
        COMPARISON,
        comparison_title,
        databases,
        read_database,
        stability_rows,
    )

    path = folder / "prior-154.db"
    path.write_bytes(gzip.decompress(PRIOR_RUNS.read_bytes()))
    before = _digest(path)
    data = read_database(databases()["prior-154.db"])
    assert _digest(path) == before  # read, never written
    assert data["kind"] == COMPARISON
    summary = data["summary"]
    # the page's numbers are the command line's (summarise is what `compare show` prints)
    same = json.loads(json.dumps(summarise(path), default=float))
    assert json.loads(json.dumps(summary, default=float)) == same

    labels = ["H1", "H2", "H6", "H7"]
    assert comparison_title(summary).startswith("H1, H2, H6, H7 at 1:1,000, 380 particles: 3 of 3")
    rows = stability_rows(summary)
    assert [r[0] for r in rows] == labels  # one repeat at the declared priors
    assert [float(r[1]) for r in rows] == [
        pytest.approx(summary["runs"][0]["final"][k], abs=5e-4) for k in labels
    ]
    factors = factor_rows(summary)
    assert summary["best"] == "H1" and {r[0] for r in factors} == {"H2", "H6", "H7"}
    # H7 rests on 2.2 effective particles: its words are withheld, as `show` withholds them
    assert next(r for r in factors if r[0] == "H7")[3].startswith("withheld")
    assert {r["prior_scale"] for r in summary["prior_sensitivity"]} == {0.5, 2.0}
    shown, separation = separation_rows(summary)
    assert shown == labels
    assert {r[0] for r in separation} == set(summary["settings"]["targets"])
    assert separation_rows(summary, limit=10) == (shown, separation[:10])  # what `show` prints
    spreads = [float(r[1]) for r in separation]
    assert spreads == sorted(spreads, reverse=True)

    # and `compare show` prints those same rows (one pair of functions for both)
    from greatterror.cli.compare_show import print_summary

    capsys.readouterr()
    print_summary(summary)
    printed = capsys.readouterr().out
    h7 = next(r for r in factors if r[0] == "H7")
    assert any(all(cell in line for cell in h7[:3]) for line in printed.splitlines())
    assert separation[0][0] in printed and separation[10][0] not in printed


def test_reading_is_cached_until_the_file_changes(folder: Path) -> None:
    from greatterror.dashboard.hypotheses_data import read_database

    path = folder / "fit.db"
    shutil.copyfile(FIT, path)
    first = read_database(path)
    assert read_database(path) is first
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert read_database(path) is not first


def test_a_fit_is_shown_with_its_posterior(folder: Path) -> None:
    from greatterror.calibration.posterior import fit_priors, generations, load_fit, posterior
    from greatterror.dashboard.hypotheses_data import FIT as FIT_KIND
    from greatterror.dashboard.hypotheses_data import read_database

    path = folder / "c1207b.db"
    shutil.copyfile(FIT, path)
    before = _digest(path)
    data = read_database(path)
    assert _digest(path) == before
    settings, history = load_fit(path)
    assert data["kind"] == FIT_KIND and data["scenario"] == settings.scenario == "historical"
    assert data["generations"] == generations(history)
    assert data["posterior"] == posterior(history, priors=fit_priors(settings))
    assert [p["name"] for p in data["posterior"]] == ["trial_death_share_late"]
    # c1207b is a conditional fit (--free): the page says what it held, as `calibrate show` does
    assert data["free"] == list(settings.free) == ["trial_death_share_late"]
    assert data["held"] == [(n, v) for n, v in settings.held] and len(data["held"]) > 5


def test_another_pyabc_history_keeps_pyabc_numbering(folder: Path) -> None:
    import numpy as np
    import pyabc

    from greatterror.dashboard.hypotheses_data import OTHER, databases, read_database

    path = folder / "toy.db"
    rng = np.random.default_rng(1)

    def near(p: dict[str, float]) -> dict[str, float]:
        return {"y": p["a"] + rng.normal(0, 0.1)}

    def far(p: dict[str, float]) -> dict[str, float]:
        return {"y": 3 * p["a"] + rng.normal(0, 0.1)}

    prior = pyabc.Distribution(a=pyabc.RV("uniform", 0, 2))
    abc = pyabc.ABCSMC(
        [near, far],
        [prior, prior],
        pyabc.PNormDistance(p=1),
        population_size=20,
        sampler=pyabc.sampler.SingleCoreSampler(),
    )
    abc.new(f"sqlite:///{path}", {"y": 1.0})
    abc.run(max_nr_populations=2)

    data = read_database(databases()["toy.db"])
    assert data["kind"] == OTHER and data["generations"] == 2
    assert set(data["probabilities"]) <= {"model 0", "model 1"}
    assert sum(v[-1] for v in data["probabilities"].values()) == pytest.approx(1.0)
    assert all("a" in fit for fit in data["fits"].values())


@pytest.mark.parametrize("content", [b"", b"not a database at all\n"])
def test_a_file_that_is_not_a_database_gets_one_line_and_is_left_alone(
    folder: Path, content: bytes
) -> None:
    from greatterror.dashboard.hypotheses_page import load

    path = folder / "bad.db"
    path.write_bytes(content)
    data, problem = load(path)
    assert data == {} and problem and "\n" not in problem
    assert "bad.db" in problem and "Traceback" not in problem
    assert path.read_bytes() == content
