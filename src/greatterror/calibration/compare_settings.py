"""A hypothesis comparison's settings, as stored in its database and checked on resume.

``CompareSettings`` is what defines a comparison (hypotheses, scale, seeds,
particles, prior scales, a screen's fixed values, the code): it is stored
with every run of the comparison (``META_KEY`` in pyabc's meta information)
so that ``--resume``, ``show`` and ``check`` read the comparison as it was
started, and a resume with other settings or other code is refused rather
than mixing two comparisons in one database. Kept apart from the runs
themselves (``compare.py``), which only write these settings.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from greatterror import __version__
from greatterror.calibration.abc import FitError, db_url
from greatterror.calibration.dbfile import file_problem, stored_db_problem
from greatterror.calibration.problem import require, scenario_digest, scenario_problem
from greatterror.calibration.statistics import CALIBRATION_IDS
from greatterror.provenance import code_change, code_identity

META_KEY = "greatterror_compare"
#: Prior scales of the sensitivity check when none are given: halved and doubled widths.
DEFAULT_PRIOR_SCALES = (0.5, 2.0)


@dataclass(frozen=True)
class CompareSettings:
    """What defines a comparison; stored with every run and checked again on resume."""

    scenarios: tuple[str, ...]  # shipped scenario paths, e.g. hypotheses/h1_intentional
    labels: tuple[str, ...]  # the hypotheses' ids, e.g. H1
    scale: float
    seed: int
    particles: int
    repeats: int
    prior_scales: tuple[float, ...] = DEFAULT_PRIOR_SCALES
    targets: tuple[str, ...] = CALIBRATION_IDS
    #: below the share of prior draws stopped as runaways, which all lie at one distance
    #: (``simulator.RUNAWAY_STATISTIC``): a threshold at that distance would accept them all
    quantile: float = 0.3
    #: each run stops once it has made this many simulations (``calibration/budget.py``)
    max_simulations: int | None = None
    version: str = field(default=__version__)
    #: the code and data that made the fit (``provenance.code_identity``): the version stays
    #: "0.1.0" across commits, so a resume with other code would mix two models' simulations
    code: dict[str, Any] | None = field(default_factory=lambda: dict(code_identity()))
    #: per hypothesis id, the free parameters a screen fixed and their values
    #: (``compare_screen.py``); the others stay free
    fixed: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()
    #: the screen file those came from: its path and SHA-256 (a resume needs the same SHA-256)
    screen: dict[str, str] | None = None
    #: per hypothesis, the digest of its scenario's resolved content less its free parameters'
    #: values (``scenario_hashes``): a resume refuses a hypothesis whose file (or a file it
    #: extends) changed since; None for a database made before 7 Dec 2026
    scenario_hashes: tuple[str, ...] | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> CompareSettings:
        raw = json.loads(text)
        for key in ("scenarios", "labels", "prior_scales", "targets"):
            raw[key] = tuple(raw[key])
        fixed = raw.get("fixed") or ()
        raw["fixed"] = tuple((h, tuple((n, float(v)) for n, v in pairs)) for h, pairs in fixed)
        if raw.get("scenario_hashes") is not None:
            raw["scenario_hashes"] = tuple(raw["scenario_hashes"])
        return cls(**raw)

    def fixed_of(self, label: str) -> tuple[tuple[str, float], ...]:
        """The parameters a screen fixed in hypothesis ``label``, with their values."""
        return dict(self.fixed).get(label, ())

    def differences(self, other: CompareSettings) -> list[str]:
        keys: tuple[str, ...] = ("scenarios", "scale", "seed", "particles", "repeats")
        keys += ("prior_scales", "targets", "quantile", "max_simulations", "fixed")
        differ = [
            f"{k}: stored {getattr(other, k)!r}"
            for k in keys
            if getattr(self, k) != getattr(other, k)
        ]
        # the screen file's SHA-256 (not its path): one database, one screen file
        if (self.screen or {}).get("sha256") != (other.screen or {}).get("sha256"):
            differ.append(f"screen: stored sha256 {(other.screen or {}).get('sha256')!r}")
        return differ


def scenario_hashes(scenarios: Sequence[str]) -> tuple[str, ...]:
    """Each hypothesis scenario's digest (``problem.scenario_digest``) less the values of its
    free parameters, which every particle draws or a screen sets (``fixed``, checked apart)."""
    from greatterror.model.scenario import load_scenario

    return tuple(_digest(load_scenario(s)) for s in scenarios)


def _digest(chosen: Any) -> str:
    return scenario_digest(chosen, scenario_problem(chosen)[0])


def scenario_changes(settings: CompareSettings) -> list[str]:
    """The hypotheses whose scenario changed since the comparison started, each as "H1
    (its file)"; [] when none did, or when the database stores no digests (before 7 Dec 2026)."""
    from greatterror.model.scenario import ScenarioError, load_scenario

    if settings.scenario_hashes is None:
        return []
    try:
        now = [load_scenario(s) for s in settings.scenarios]
    except ScenarioError as exc:
        raise FitError(f"a hypothesis scenario no longer loads: {exc}") from None
    pairs = zip(settings.labels, settings.scenarios, settings.scenario_hashes, now, strict=True)
    return [
        f"{label} ({chosen.path or scenario})"
        for label, scenario, then, chosen in pairs
        if then != _digest(chosen)
    ]


def stored_meta(path: Path, run: int) -> dict[str, Any]:
    """The comparison's meta information stored with run ``run`` of the database."""
    pyabc = require("pyabc")
    history = pyabc.History(db_url(path), _id=run)
    meta: dict[str, Any] = ast.literal_eval(history.get_abc().json_parameters)[META_KEY]
    return meta


def stored_priors(path: Path, run: int) -> dict[str, Any] | None:
    """The priors a run of the comparison was started with; None for a database made before
    they were stored (4 Dec 2026)."""
    text = stored_meta(path, run).get("priors")
    return None if text is None else dict(json.loads(text))


def stored_compare(path: Path) -> CompareSettings:
    """The settings a comparison database was started with; FitError if it is not one."""
    missing = file_problem(path)
    if missing:
        raise FitError(f"--db: {path} {missing}")
    expected = "expected the SQLite database written by `greatterror hypotheses compare --db PATH`"
    problem = stored_db_problem(path)  # before pyabc, which would write its schema into the file
    if problem:
        raise FitError(
            f"--db: {path} is not a greatterror hypothesis comparison database: {problem}; "
            + expected
        )
    try:
        return CompareSettings.from_json(stored_meta(path, 1)["settings"])
    except Exception:  # sqlalchemy, parse and key errors all mean "not our database"
        raise FitError(
            f"--db: {path} is not a greatterror hypothesis comparison database: a pyabc "
            f"database without greatterror's comparison settings; {expected}"
        ) from None


def check_resume(settings: CompareSettings, db: Path) -> None:
    stored = stored_compare(db)
    differ = settings.differences(stored)
    if differ:
        raise FitError(
            "--resume: the database was started with other settings (" + "; ".join(differ) + ")"
        )
    if changed := code_change(stored.code):
        raise FitError(f"--resume: the database was {changed}; start a new --db")
    if moved := scenario_changes(stored):
        raise FitError(
            f"--resume: the scenario of {', '.join(moved)} changed since the comparison started "
            "(a date, event, switch, prior or a value the comparison does not draw); its "
            "stored runs simulated the other content: resume with the scenario files as the "
            "comparison started, or start a new --db"
        )
