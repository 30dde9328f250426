"""What the Hypotheses page reads from a database: a comparison, a fit, or another pyabc history.

The page shows what the command line shows, from the same functions, so that a
reader of the dashboard and a reader of ``greatterror hypotheses compare show``
or ``greatterror calibrate show`` see the same probabilities, Bayes factors and
posteriors for the same file:

- a hypothesis comparison (``hypotheses compare --db``): ``compare_report.summarise``,
  the hypotheses named by their ids, every repeat and prior-sensitivity run;
- a fit of one scenario (``calibrate --db``): ``posterior.generations`` and
  ``posterior.posterior`` with the scenario's priors;
- any other pyabc history: its model probabilities by generation and each model's
  weighted means, the models numbered as pyabc stores them (nothing names them).

Reading is cached by the file's path, size and modification time, since a
comparison's summary reads every run and the page re-renders often; a file that
changes (a run still writing) is read again.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from greatterror.paths import home_dir

#: the kinds of database the page can show
COMPARISON, FIT, OTHER = "comparison", "fit", "pyabc history"


def calibration_dir() -> Path:
    """The one server-side folder the page lists; no path is ever taken from the browser."""
    return home_dir() / "calibration"


def databases() -> dict[str, Path]:
    """Databases by file name; the browser only ever sees and sends the name."""
    folder = calibration_dir()
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.glob("*.db")) if p.is_file()}


def read_database(path: Path) -> dict[str, Any]:
    """The database's kind and what the page shows of it (see the module's docstring).

    Raises ``GreatterrorError`` (a foreign, empty or half-written file) with a message for
    the reader; anything else from pyabc or SQLite is the caller's to turn into one line.
    """
    stat = path.stat()
    return _read(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read(path: Path, size: int, mtime_ns: int) -> dict[str, Any]:
    from greatterror.calibration.abc import FitError
    from greatterror.calibration.compare_settings import stored_compare

    try:
        stored_compare(path)
    except FitError:
        pass
    else:
        return _comparison(path)
    try:
        return _fit(path)
    except FitError:
        return _other(path)


def _comparison(path: Path) -> dict[str, Any]:
    from greatterror.calibration.compare_report import summarise
    from greatterror.errors import GreatterrorError

    summary = summarise(path)
    if not summary["runs"]:
        raise GreatterrorError(f"{path.name} holds no completed generation yet")
    return {"kind": COMPARISON, "summary": summary}


def _fit(path: Path) -> dict[str, Any]:
    from greatterror.calibration.posterior import fit_priors, generations, load_fit, posterior
    from greatterror.errors import GreatterrorError

    settings, history = load_fit(path)
    if history.max_t < 0:
        raise GreatterrorError(f"{path.name} holds no completed generation yet")
    return {
        "kind": FIT,
        "scenario": settings.scenario,
        "scale": settings.scale,
        "seed": settings.seed,
        "free": list(settings.free),
        "held": [(n, float(x)) for n, x in settings.held],
        "generations": generations(history),
        "posterior": posterior(history, priors=fit_priors(settings)),
    }


def _other(path: Path) -> dict[str, Any]:
    """A pyabc history greatterror did not write: probabilities and weighted means by model."""
    import pyabc

    from greatterror.calibration.abc import db_url
    from greatterror.calibration.dbfile import stored_db_problem
    from greatterror.errors import GreatterrorError

    problem = stored_db_problem(path)  # before pyabc, which would write its schema into the file
    if problem:
        raise GreatterrorError(f"{path.name} is not a pyabc database: {problem}")
    history = pyabc.History(db_url(path), create=False)
    if history.max_t < 0:
        raise GreatterrorError(f"{path.name} holds no completed generation yet")
    probabilities = history.get_model_probabilities()  # rows: t, columns: model index
    last = int(history.max_t)
    fits = {}
    for m in probabilities.columns:
        frame, weights = history.get_distribution(m=int(m), t=last)
        if len(frame):
            means = frame.mul(weights, axis=0).sum()
            fits[f"model {int(m)}"] = {name: float(v) for name, v in means.items()}
    return {
        "kind": OTHER,
        "generations": int(history.n_populations),
        "probabilities": {
            f"model {int(m)}": [float(v) for v in probabilities[m]] for m in probabilities.columns
        },
        "generation_index": [int(t) for t in probabilities.index],
        "last": last,
        "fits": fits,
    }


def comparison_title(summary: dict[str, Any]) -> str:
    """One line naming what was compared, at which scale, and how much of it is stored."""
    s = summary["settings"]
    read = summary.get("read_up_to_generation")
    return (
        f"{', '.join(s['labels'])} at 1:{1 / s['scale']:,.0f}, {s['particles']} particles: "
        f"{len(summary['runs'])} of {summary['runs_planned']} runs stored"
        + ("" if read is None else f", every run read at generation {read}")
    )


def stability_rows(summary: dict[str, Any]) -> list[list[Any]]:
    """Per hypothesis: the pooled last-generation probability, its range over the repeats and
    the effective particles it rests on (summed over the repeats)."""
    effective = summary.get("effective_particles_by_hypothesis") or {}
    return [
        [
            label,
            f"{v['mean']:.3f}",
            f"{v['min']:.3f}",
            f"{v['max']:.3f}",
            f"{effective.get(label, 0.0):.1f}",
        ]
        for label, v in summary["stability"].items()
    ]
