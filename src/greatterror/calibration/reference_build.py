"""Build or extend a reference table (calibration/reference_table.py) of prior simulations.

Each row is one simulation of one hypothesis, at parameter values drawn from the
hypothesis's priors as the comparison draws them (every free parameter, none fixed by a
screen: rejection from the prior needs no screen, and a fixed parameter would make the
hypothesis's probability conditional on its value), run as a comparison particle is
(``simulator.FitModel``: the block's population, a simulation seed hashed from the fit
seed and the values, a runaway stopped once it holds five times the record's arrests of
1937-38).

Draws are reproducible and do not depend on how many are asked for, on the order of the
runs or on the workers: draw ``i`` of hypothesis ``h`` in a block is
``default_rng([draw_seed, crc32(h), i]).logistic(size=k)`` mapped to the priors
(``compare.logistic_values``). With ``--prior-scale F`` the priors are first scaled about
their centres by compare's rule (``compare.hypothesis_priors(scenario, F)``,
``scaled_prior``): the same logistic draws, mapped to the widened or narrowed priors, so that
a table can answer for widened priors, which reweighting a declared table cannot
(calibration/reference_prior.py). The manifest records F (``prior_scale``). So a table
extended from 100 to 200 draws holds the rows a table built at 200 would hold, and a killed
build resumes where its last whole piece ends.

The runs go in pieces of ``CHUNK`` draws of every hypothesis in one block; the blocks take
turns, so that an interrupted build leaves its repeats of about equal size. A piece is the
unit written (one part, whole or absent), not a unit of scheduling: workers take the runs
one after another across pieces (``build``).
"""

from __future__ import annotations

import datetime as dt
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from greatterror.calibration.reference_table import (
    FORMAT,
    LOCK,
    MANIFEST,
    PAR,
    SIM,
    VERSION,
    ReferenceTableError,
    check_extension,
    read_manifest,
    read_reference,
    table_prior_scale,
    write_manifest,
    write_part,
)

#: draws of each hypothesis per piece, the rows of one part (9 hypotheses: 45 runs, about a
#: minute on two workers); an interrupt loses the finished runs of the pieces not yet whole:
#: at most workers + 1 pieces. Workers start the runs in order, so a piece with a finished run
#: that is not whole either holds a running run (one per worker at most) or is the piece at
#: the boundary between the runs started and those still queued (one); review26 F4
CHUNK = 5


@dataclass(frozen=True)
class Job:
    """One simulation of the table: picklable, for a worker process."""

    block: int
    hypothesis: str
    scenario: str
    draw: int
    scale: float
    fit_seed: int
    values: tuple[tuple[str, float], ...]


def draw_values(
    scenario: str, hypothesis: str, draw_seed: int, draw: int, prior_scale: float = 1.0
) -> dict[str, float]:
    """Draw ``draw`` of ``hypothesis``'s free parameters from its priors scaled by
    ``prior_scale`` (module docstring)."""
    from greatterror.calibration.compare import hypothesis_priors

    return values_from(hypothesis_priors(scenario, prior_scale), hypothesis, draw_seed, draw)


def values_from(
    problem: tuple[tuple[str, ...], tuple[Any, ...]], hypothesis: str, draw_seed: int, draw: int
) -> dict[str, float]:
    """``draw_values`` from the scenario's (names, priors), loaded once by the caller:
    loading a scenario takes about 80 ms, 3.6 minutes for the 2,700 draws of a default
    table (review 25, F3)."""
    from greatterror.calibration.compare import logistic_values

    names, priors = problem
    key = zlib.crc32(hypothesis.encode("utf-8"))
    z = np.random.default_rng([draw_seed, key, draw]).logistic(size=len(names))
    return logistic_values(names, priors, dict(zip(names, z, strict=True)))


def run_job(job: Job) -> dict[str, Any]:
    """One row: the calibration targets' simulated values, or a runaway with NaNs.

    ``seconds`` is the run's CPU time: the process's population, scenario and evidence
    are loaded before the clock starts (``warm``: a worker's first rows took 16 s against a
    median of 2-3 s, review 25). A kernel compiled on its first call (after an install or
    a kernel's change only: later processes load it from Numba's cache) still counts.
    """
    from greatterror.calibration.simulator import FitModel, RunawayRun, warm
    from greatterror.calibration.statistics import CALIBRATION_IDS

    model = FitModel(job.scenario, job.scale, job.fit_seed)
    warm(job.scenario, job.scale, job.fit_seed)
    t0 = time.process_time()
    row: dict[str, Any] = {
        "block": job.block,
        "hypothesis": job.hypothesis,
        "draw": job.draw,
        "runaway": False,
    }
    try:
        simulated = {t["id"]: float(t["simulated"]) for t in model.targets(dict(job.values))}
    except RunawayRun:
        row["runaway"] = True
        simulated = {}
    row["seconds"] = time.process_time() - t0
    row.update({SIM + sid: simulated.get(sid, float("nan")) for sid in CALIBRATION_IDS})
    row.update({PAR + name: value for name, value in simulated_values(job.values).items()})
    return row


def simulated_values(values: Sequence[tuple[str, float]]) -> dict[str, float]:
    """The values a run simulates (``simulator.simulated_value``, as ``FitModel.summary``
    rounds an integer parameter's draw), so that the table's ``par:`` columns hold what was
    run."""
    from greatterror.calibration.simulator import simulated_value

    return {k: simulated_value(k, v) for k, v in values}


def table_manifest(
    hypotheses: dict[str, str], scale: float, base_seed: int, blocks: int, prior_scale: float = 1.0
) -> dict[str, Any]:
    """The manifest a table of these settings has (the code is this process's)."""
    from greatterror.calibration.seeds import check_fit_seeds
    from greatterror.calibration.statistics import CALIBRATION_IDS
    from greatterror.evidence.loader import load_evidence
    from greatterror.provenance import code_identity

    check_fit_seeds(base_seed, blocks, "--seed", "--blocks")  # names the seed given, not block b's
    evidence = load_evidence()
    seeds = {}
    for b in range(1, blocks + 1):
        fit_seed = base_seed + b - 1
        seeds[str(b)] = {"fit_seed": fit_seed, "draw_seed": fit_seed}
    return {
        "format": FORMAT,
        "version": VERSION,
        "scale": float(scale),
        "prior_scale": float(prior_scale),
        "base_seed": int(base_seed),
        "hypotheses": dict(hypotheses),
        "statistics": list(CALIBRATION_IDS),
        "archival": {sid: float(evidence.value(sid)) for sid in CALIBRATION_IDS},
        "code": code_identity(),
        "blocks": seeds,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def prepare(
    table: Path,
    hypotheses: dict[str, str],
    scale: float,
    base_seed: int,
    blocks: int,
    prior_scale: float = 1.0,
) -> dict[str, Any]:
    """Check the settings against an existing table (or create its manifest) before any run;
    returns the manifest the build writes to. ``table`` is a directory: ``build_lock``,
    taken first, refuses a file (review26 F7: the check here was unreachable). A table made
    before ``prior_scale`` was recorded reads as 1 and is extended without gaining the key."""
    wanted = table_manifest(hypotheses, scale, base_seed, blocks, prior_scale)
    if (table / MANIFEST).exists():
        stored = read_manifest(table)
        check_extension(stored, wanted)
        merged = dict(stored)
        merged["blocks"] = {**wanted["blocks"], **stored["blocks"]}
        if merged != stored:
            write_manifest(table, merged)
        return merged
    if table.exists() and any(p.name != LOCK for p in table.iterdir()):  # build_lock's file
        raise ReferenceTableError(f"--table: {table} exists and is not a reference table")
    write_manifest(table, wanted)
    return wanted


def pending(
    manifest: dict[str, Any], done: set[tuple[int, str, int]], draws: int
) -> list[list[Job]]:
    """The pieces still to run up to ``draws`` per hypothesis and block, in the order run,
    drawn from the priors scaled by the table's ``prior_scale``."""
    from greatterror.calibration.compare import hypothesis_priors

    scale = float(manifest["scale"])
    factor = table_prior_scale(manifest)
    problems = {s: hypothesis_priors(s, factor) for s in set(manifest["hypotheses"].values())}
    pieces: list[list[Job]] = []
    for first in range(1, draws + 1, CHUNK):
        for block, seeds in sorted(manifest["blocks"].items(), key=lambda kv: int(kv[0])):
            piece = []
            for hyp, scenario in manifest["hypotheses"].items():
                for draw in range(first, min(first + CHUNK, draws + 1)):
                    if (int(block), hyp, draw) in done:
                        continue
                    values = values_from(problems[scenario], hyp, int(seeds["draw_seed"]), draw)
                    piece.append(
                        Job(int(block), hyp, scenario, draw, scale, int(seeds["fit_seed"]),
                            tuple(sorted(values.items())))
                    )  # fmt: skip
            if piece:
                pieces.append(piece)
    return pieces


def done_rows(table: Path) -> set[tuple[int, str, int]]:
    rows = read_reference(table).rows
    return {
        (int(b), str(h), int(d))
        for b, h, d in zip(rows["block"], rows["hypothesis"], rows["draw"], strict=True)
    }


def build(
    table: Path,
    pieces: Sequence[Sequence[Job]],
    workers: int,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Run the pieces, writing each as a part once all its runs are done; returns the rows
    written. Worker processes ignore Ctrl-C and are ended by it (greatterror/pools.py).

    With workers, every run is queued at once (in the pieces' order) and a worker takes the
    next as soon as it finishes one: a piece's last runs overlap the next piece's first, and
    no worker waits for the slowest run of a piece, as it did when each piece was a ``map``
    of its own (review 25, F15; 1.2% of worker time in the table of 6 December replayed,
    docs/performance-log.md). A part is still written whole, from its piece's rows in the
    piece's order, once all of them are in, so the rows and the parts do not depend on the
    order the runs end in. The populations and scenarios are loaded here before the workers
    are forked (``warm_blocks``): once, shared by the workers, instead of once in each."""
    total = sum(len(p) for p in pieces)
    written = 0
    if workers <= 1:
        for piece in pieces:
            written += _write(table, piece, map(run_job, piece))
            if progress:
                progress(written, total)
        return written
    from concurrent.futures import as_completed

    from greatterror.pools import worker_pool

    warm_blocks(pieces)
    rows: list[list[dict[str, Any] | None]] = [[None] * len(p) for p in pieces]
    left = [len(p) for p in pieces]
    with worker_pool(workers) as pool:
        runs = {
            pool.submit(run_job, job): (i, k)
            for i, piece in enumerate(pieces)
            for k, job in enumerate(piece)
        }
        for run in as_completed(runs):
            i, k = runs.pop(run)
            rows[i][k] = run.result()
            left[i] -= 1
            if left[i] == 0:
                done, rows[i] = rows[i], []
                written += _write(table, pieces[i], (r for r in done if r is not None))
                if progress:
                    progress(written, total)
    return written


def warm_blocks(pieces: Sequence[Sequence[Job]]) -> None:
    """Load each block's population and each hypothesis's scenario in this process
    (``simulator.warm``), so that forked workers share them instead of each building its
    own (about 0.6 s of CPU per population and worker at 1:1,000, and its memory)."""
    from greatterror.calibration.simulator import warm

    for scenario, scale, fit_seed in dict.fromkeys(
        (j.scenario, j.scale, j.fit_seed) for p in pieces for j in p
    ):
        warm(scenario, scale, fit_seed)


def _write(table: Path, piece: Sequence[Job], rows: Iterable[dict[str, Any]]) -> int:
    rows = list(rows)
    block = piece[0].block
    draws = [j.draw for j in piece]
    write_part(table, rows, f"block{block}-draws{min(draws):05d}-{max(draws):05d}")
    return len(rows)
