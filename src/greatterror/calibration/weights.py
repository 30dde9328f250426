"""The adaptive weights of each generation of a fit: recorded in its database, or recovered.

pyabc's adaptive distance (``abc.make_distance``) divides each statistic by a
scale fitted to the previous generation's simulations and never below the
target's archival tolerance (``statistics.ArchivalFloorScale``); the weight
is one over the scale. A particle's stored distance is its norm under the
weights of its own generation, so distances of different generations, and
any distance computed another way (``statistics.archival_distance``), are
on other scales. pyabc does not store the weights. To put a fit's accepted
distances and any re-run of its particles on one scale, ``calibrate apply``
needs the last generation's weights (choose.py). They come from:

- the fit's database, where ``RecordingFloorScale`` writes every
  generation's weights as they are fitted (table ``TABLE``; one SQLite
  transaction, so a fit killed at any moment leaves either the old rows or
  the new ones), for fits started since 2026-12-03 evening;
- otherwise, recovered from the generation's stored particles: each stored
  distance squared is a sum of the squared statistics times the squared
  weights, a linear system in the squared weights that non-negative least
  squares solves exactly when the particles determine it (at least as many
  particles as statistics, of full rank, every statistic non-zero for some
  particle). The refit of 2026-12-03 (60 particles, 29 statistics) is
  recovered to a residual of 1e-14. A fit too small to determine them has no
  weights to report, and apply says so.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from greatterror.calibration.statistics import ArchivalFloorScale

TABLE = "greatterror_distance_weights"
#: A recovered set of weights must reproduce the stored distances to this relative error.
RECOVERY_TOLERANCE = 1e-8


def record_weights(db: Path, t: int, weights: Mapping[str, float]) -> None:
    """Store generation ``t``'s weights (replacing any stored for ``t``) in one transaction."""
    con = sqlite3.connect(db, timeout=60)
    try:
        with con:
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (t INTEGER NOT NULL, statistic TEXT NOT NULL,"
                " weight REAL NOT NULL, PRIMARY KEY (t, statistic))"
            )
            con.executemany(
                f"INSERT OR REPLACE INTO {TABLE} (t, statistic, weight) VALUES (?, ?, ?)",
                [(int(t), str(k), float(v)) for k, v in weights.items()],
            )
    finally:
        con.close()


def recorded_weights(db: Path, t: int) -> dict[str, float] | None:
    """Generation ``t``'s weights as the fit recorded them, or None if it did not."""
    con = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = con.execute(f"SELECT statistic, weight FROM {TABLE} WHERE t = ?", (int(t),))
        out = {str(s): float(w) for s, w in rows.fetchall()}
    except sqlite3.OperationalError:  # no such table: a fit from before the recording
        return None
    finally:
        con.close()
    return out or None


class RecordingFloorScale(ArchivalFloorScale):
    """``ArchivalFloorScale`` that also stores the weights it yields in the fit's database.

    pyabc calls the scale function in the main process only (when a
    generation is complete, and when a fit starts or resumes), with the
    generation ``t`` the weights are for; pyabc's weights are ``1 / scale``.
    """

    def __init__(self, tolerances: dict[str, float], db: Path) -> None:
        super().__init__(tolerances)
        self.db = Path(db)

    def __call__(
        self, *, samples: np.ndarray, s0: np.ndarray, s_ids: Sequence[str], **rest: Any
    ) -> np.ndarray:
        scales = super().__call__(samples=samples, s0=s0, s_ids=s_ids, **rest)
        if rest.get("t") is not None:
            record_weights(self.db, int(rest["t"]), dict(zip(s_ids, 1.0 / scales, strict=True)))
        return scales


def recovered_weights(
    statistics: Sequence[Mapping[str, float]], distances: Sequence[float], ids: Sequence[str]
) -> dict[str, float] | None:
    """The weights that give these particles these distances, if the particles determine them."""
    from scipy.optimize import nnls

    squared = np.array([[s[i] for i in ids] for s in statistics], dtype=np.float64) ** 2
    target = np.asarray(distances, dtype=np.float64) ** 2
    if squared.shape[0] < squared.shape[1] or not np.all(squared.max(axis=0) > 0):
        return None
    if np.linalg.matrix_rank(squared) < squared.shape[1]:
        return None
    solution, _ = nnls(squared, target)
    if not np.allclose(squared @ solution, target, rtol=RECOVERY_TOLERANCE, atol=0.0):
        return None
    return {i: float(math.sqrt(v)) for i, v in zip(ids, solution, strict=True)}


def generation_weights(db: Path, history: Any, ids: Sequence[str]) -> tuple[dict | None, str]:
    """The last generation's weights and where they come from ('recorded', 'recovered', 'none')."""
    t = int(history.max_t)
    recorded = recorded_weights(db, t)
    if recorded is not None and set(recorded) >= set(ids):
        return {i: recorded[i] for i in ids}, "recorded"
    particles = history.get_population(t=t).particles
    recovered = recovered_weights(
        [p.sum_stat for p in particles], [p.distance for p in particles], ids
    )
    if recovered is not None:
        return recovered, "recovered"
    return None, "none"


def weighted_distance(statistics: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """pyabc's distance of a run under these weights: the Euclidean norm of weight x statistic."""
    return float(math.sqrt(sum((weights[i] * statistics[i]) ** 2 for i in weights)))
