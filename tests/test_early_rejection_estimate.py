"""scripts/early_rejection_estimate.py reads a stored fit as pyabc judged it.

The estimate rests on recomputing each particle's distance from its stored statistics and the
generation's recorded weights; if that reading were wrong (weights misaligned with the
statistics, a wrong observed value), the generation's own accepted particles would not all lie
within its threshold, and the days it says could be saved would mean nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from script_module import load_script

pytest.importorskip("pyabc")

FIT = Path(__file__).resolve().parents[1] / "docs" / "fits" / "r1205b.db"


@pytest.fixture(scope="module")
def script():
    return load_script("early_rejection_estimate.py")


def test_accepted_particles_lie_within_their_generation_s_threshold(script) -> None:
    from greatterror.calibration.weights import recorded_weights

    for t in (1, 5):
        eps, _, particles, stats = script.generation(FIT, t)
        weights = recorded_weights(FIT, t)
        ids = sorted(weights)
        distances = [script.distance(s, weights, ids) for s in stats]
        assert len(distances) == particles
        assert max(distances) <= eps * (1 + 1e-9)
        # and the threshold binds: some particle lies near it (the 0.5 quantile of the
        # previous generation's distances, under these weights)
        assert max(distances) > 0.5 * eps


def test_the_estimate_s_shares_are_shares(script) -> None:
    result = script.estimate(FIT)
    rows = result["generations"]
    assert [r["t"] for r in rows] == list(range(1, len(rows) + 1))
    for r in rows:
        assert 0 <= r["proxies_rejected"] <= r["proxies"]
        assert 0.0 <= r["days_saved_per_rejected_run"] <= 1.0
        assert r["days_saved_share"] == pytest.approx(
            r["rejection_rate"] * r["days_saved_per_rejected_run"]
        )
        assert r["rejection_rate"] == pytest.approx(1 - r["proxies"] / r["simulations"])


def test_a_threshold_nothing_exceeds_saves_nothing(script, monkeypatch) -> None:
    real = script.generation

    def loose(db, t):
        _, sims, particles, stats = real(db, t)
        return float("inf"), sims, particles, stats

    monkeypatch.setattr(script, "generation", loose)
    for r in script.estimate(FIT)["generations"]:
        assert r["proxies_rejected"] == 0
        assert r["days_saved_share"] == 0.0


def test_bad_databases_are_refused_with_exit_code_2(script, tmp_path, monkeypatch, capsys) -> None:
    import shutil
    import sqlite3
    import sys

    missing = tmp_path / "missing.db"
    monkeypatch.setattr(sys, "argv", ["early_rejection_estimate.py", str(missing)])
    with pytest.raises(SystemExit) as exit_:
        script.main()
    assert exit_.value.code == 2
    assert "db: " in capsys.readouterr().err
    assert not missing.exists()  # pyabc would have created it

    unweighted = tmp_path / "unweighted.db"
    shutil.copy(FIT, unweighted)
    con = sqlite3.connect(unweighted)
    con.execute("DROP TABLE greatterror_distance_weights")
    con.commit()
    con.close()
    monkeypatch.setattr(sys, "argv", ["early_rejection_estimate.py", str(unweighted)])
    with pytest.raises(SystemExit) as exit_:
        script.main()
    assert exit_.value.code == 2
    assert "no recorded weights for generation 1" in capsys.readouterr().err
