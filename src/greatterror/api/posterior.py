"""Parameter sets drawn from a stored ABC-SMC posterior (a pyabc history in SQLite).

``greatterror calibrate`` writes its fit as a pyabc history; a counterfactual
run at posterior draws reads the last generation's particles with pyabc's own
API and resamples them by their importance weights, so that each draw is one
parameter set the fit accepted, in proportion to its posterior weight. The
draws depend only on the database and the seed given, never on the machine.
"""

from __future__ import annotations

import ast
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from greatterror.api.options import SimError
from greatterror.calibration.dbfile import file_problem
from greatterror.model.params import BY_NAME

#: the key under which ``greatterror calibrate`` stores its settings in pyabc's meta data
META_KEY = "greatterror"


@dataclass(frozen=True)
class Posterior:
    """Draws from a fit: the parameter sets, and where they come from."""

    draws: list[dict[str, float]]
    path: str
    generation: int
    particles: int
    #: the scenario the fit was of, when the database says so (``greatterror calibrate`` does)
    scenario: str | None


def _stored_settings(history: Any) -> dict[str, Any]:
    """The settings ``greatterror calibrate`` stores in the history's meta data, or {}."""
    try:
        options = ast.literal_eval(history.get_abc().json_parameters)
        meta = options.get(META_KEY) if isinstance(options, dict) else None
        settings = json.loads(meta) if isinstance(meta, str) else None
    except (ValueError, SyntaxError, AttributeError, TypeError):
        return {}
    return settings if isinstance(settings, dict) else {}


def _fitted_scenario(history: Any) -> str | None:
    """The fitted scenario's name from the settings ``greatterror calibrate`` stores, if any."""
    scenario = _stored_settings(history).get("scenario")
    return str(scenario) if scenario else None


def _held(history: Any) -> dict[str, float]:
    """The values a conditional fit (``calibrate --free``) held its other free parameters at:
    part of each of its draws, since its posterior is conditional on them; {} for another fit."""
    try:
        return {str(n): float(v) for n, v in _stored_settings(history).get("held") or ()}
    except (ValueError, TypeError):
        return {}


def posterior_draws(db: str | Path, n: int, seed: int) -> Posterior:
    """``n`` parameter sets resampled by weight from the last generation stored in ``db``;
    a conditional fit's (``calibrate --free``) also hold the values it held the others at.

    Raises ``SimError`` naming ``posterior`` when pyabc is missing, the file
    does not exist, it is not a pyabc history, it holds no generation, or it
    is a comparison of several models (choose the fit of one scenario).
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise SimError(f"draws: {n!r} is not allowed; allowed: a whole number of at least 1")
    path = Path(db)
    if not str(db).strip():  # Path("") would be ".", the current directory
        raise SimError("posterior: empty; give the database of a calibration, e.g. fit.db")
    missing = file_problem(path)
    if missing == "does not exist":
        raise SimError(f"posterior: {path} does not exist; give the database of a calibration")
    if missing:
        raise SimError(f"posterior: {path} {missing}")
    try:
        import pyabc
    except ImportError:
        raise SimError(
            "posterior: reading a calibration needs pyabc, which is not installed; install it "
            "with the calibration libraries: python3 -m pip install 'pyabc>=0.13,<0.14'"
        ) from None
    from greatterror.calibration.dbfile import stored_db_problem

    problem = stored_db_problem(path)  # read-only, before pyabc could write into the file
    if problem:
        raise SimError(f"posterior: {path} is not a pyabc history: {problem}")
    try:
        history = pyabc.History(f"sqlite:///{path.resolve()}", create=False)
        last = int(history.max_t)
        # rows: generations, columns: the models ever compared in this history
        models = [int(m) for m in history.get_model_probabilities().columns]
        frame, weights = history.get_distribution(m=models[0] if models else 0, t=last)
    except Exception as exc:  # sqlalchemy and pandas errors all mean "not a readable history"
        raise SimError(
            f"posterior: {path} is not a readable pyabc history ({type(exc).__name__})"
        ) from None
    if last < 0 or len(frame) == 0:
        raise SimError(f"posterior: {path} holds no finished generation")
    if len(models) > 1:
        raise SimError(
            f"posterior: {path} compares {len(models)} models; give the fit of one scenario"
        )
    w = np.asarray(weights, dtype=np.float64)
    rng = np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(b"posterior")]))
    rows = rng.choice(len(frame), size=n, replace=True, p=w / w.sum())
    names = [str(c) for c in frame.columns]
    values = frame.to_numpy(dtype=np.float64)
    # pyabc samples integer parameters as reals; the simulation rounds them as the fit did
    whole = [name in BY_NAME and BY_NAME[name].integer for name in names]
    held = _held(history)  # a conditional fit's: the values its particles were fitted with
    draws = [
        held
        | {
            name: float(round(v)) if w else float(v)
            for name, v, w in zip(names, values[r], whole, strict=True)
        }
        for r in rows
    ]
    return Posterior(draws, str(path), last, len(frame), _fitted_scenario(history))
