"""Small reference tables for the tests (test_reference_table.py, test_reference_check.py)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from greatterror.calibration import reference_build as rb
from greatterror.calibration.reference_table import PAR, SIM, write_manifest, write_part
from greatterror.calibration.statistics import CALIBRATION_IDS

H6, H7 = "hypotheses/h6_kirov_pretext", "hypotheses/h7_besieged_city"
HYPS = {"H6": H6, "H7": H7}


def _manifest(**change: object) -> dict[str, object]:
    manifest = rb.table_manifest(HYPS, 0.001, 141, 2)
    manifest.update(change)
    return manifest


def _row(block: int, hyp: str, draw: int, value: float = 1000.0, runaway: bool = False) -> dict:
    row: dict[str, object] = {
        "block": block,
        "hypothesis": hyp,
        "draw": draw,
        "runaway": runaway,
        "seconds": 1.0,
    }
    row.update({SIM + s: (math.nan if runaway else value) for s in CALIBRATION_IDS})
    row[PAR + "x"] = 0.5
    return row


def _table_with_values(tmp_path: Path, scale: float = 0.0003) -> Path:
    """A table of two hypotheses, two blocks, two draws each, with real drawn values and
    simulated values that put H6's rows nearer the record than H7's."""
    table = tmp_path / "t"
    write_manifest(table, _manifest(scale=scale))
    for block in (1, 2):
        rows = []
        for hyp, scenario, value_factor in (("H6", H6, 1.0), ("H7", H7, 5.0)):
            for draw in (1, 2):
                values = rb.draw_values(scenario, hyp, 140 + block, draw)
                row = _row(block, hyp, draw)
                row.update(
                    {SIM + s: v * value_factor * (1 + 0.01 * draw) for s, v in _record().items()}
                )
                row.update({PAR + k: v for k, v in values.items()})
                del row[PAR + "x"]
                rows.append(row)
        write_part(table, rows, f"block{block}")
    return table


def _record() -> dict[str, float]:
    from greatterror.evidence.loader import load_evidence

    evidence = load_evidence()
    return {s: float(evidence.value(s)) for s in CALIBRATION_IDS}


def drawn_table(path: Path, factor: float = 1.0, draws: int = 6) -> Path:
    """Two blocks of H6 (near the record) and H7 (far), each row at its real draw from the
    priors scaled by ``factor`` (``reference build --prior-scale``), the manifest recording it."""
    from greatterror.calibration.compare import hypothesis_priors

    write_manifest(path, _manifest(prior_scale=factor))
    rng = np.random.default_rng(3)
    problems = {h: hypothesis_priors(s, factor) for h, s in HYPS.items()}
    record = _record()
    for block in (1, 2):
        rows = []
        for hyp, shift in (("H6", 0.0), ("H7", 1.0)):
            for draw in range(1, draws + 1):
                row = {"block": block, "hypothesis": hyp, "draw": draw, "runaway": False}
                row["seconds"] = 1.0
                row.update(
                    {SIM + s: v * math.exp(shift + 0.2 * rng.standard_normal())
                     for s, v in record.items()}
                )  # fmt: skip
                values = rb.values_from(problems[hyp], hyp, 140 + block, draw)
                row.update({PAR + k: v for k, v in values.items()})
                rows.append(row)
        write_part(path, rows, f"block{block}")
    return path
