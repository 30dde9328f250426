"""What the dashboard asks of the model: checked inputs, one run through ``gt.Sim``, limits.

The page never simulates on its own: every run goes through the Python API
(``gt.Sim``), so the page, the command line and a notebook give the same
numbers for the same seed and parameters. This module also holds the page's
safety limits, because a web page is reached by people who did not read the
command line's help:

- scale from 1:10,000 to 1:100 only (a 1:10 run takes minutes and gigabytes);
- a time limit per run, enforced between simulated days;
- scenarios by shipped name only: no file path is ever taken from the browser.

One run at a time per connected user is enforced by the pages (``state.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from greatterror.model.components import mechanism_table
from greatterror.model.mechanisms import MECHANISMS, Mechanism
from greatterror.model.params import PARAMETERS, Param, ParameterError, coerce
from greatterror.model.scenario_files import shipped_names

#: the scales the page offers, smallest first (label -> fraction of the population)
SCALES = {"1:10,000": 1e-4, "1:1,000": 1e-3, "1:100": 1e-2}
PAGE_MIN_SCALE, PAGE_MAX_SCALE = min(SCALES.values()), max(SCALES.values())
#: a run that takes longer than this is stopped (seconds of wall time)
RUN_TIME_LIMIT = 300.0
MAX_PAGE_SEED = 2**31 - 1


class InputProblem(ValueError):
    """A value from the page is not allowed; the message names the field and what is allowed."""


class TimeLimitExceeded(RuntimeError):
    """A run went past RUN_TIME_LIMIT and was stopped."""


@dataclass(frozen=True)
class RunRequest:
    """Everything a run from the page depends on; two equal requests give equal results."""

    scenario: str = "historical"
    scale: float = 1e-4
    seed: int = 1
    pars: Mapping[str, float] = field(default_factory=dict)
    mechanisms: Mapping[str, bool] = field(default_factory=dict)

    def describe(self) -> str:
        label = next((k for k, v in SCALES.items() if v == self.scale), f"{self.scale:g}")
        changes = [f"{k}={v:g}" for k, v in sorted(self.pars.items())]
        changes += [f"{k} {'on' if v else 'off'}" for k, v in sorted(self.mechanisms.items())]
        extra = f"; {', '.join(changes)}" if changes else ""
        return f"{self.scenario} at {label}, seed {self.seed}{extra}"


@dataclass
class RunOutcome:
    request: RunRequest
    summary: dict[str, Any]
    timeseries: pa.Table
    channels: pa.Table
    targets: Any  # pandas DataFrame of gt.Sim.results.targets
    seconds: float
    #: the run's warnings (``gt.Sim.results.warnings``), as the command line prints them
    warnings: list[str] = field(default_factory=list)


def shipped_scenarios() -> list[str]:
    """The scenarios shipped with the package: the top-level ones, then those in folders
    (hypotheses, counterfactuals) as ``folder/name``."""
    return shipped_names()


def implemented_mechanisms() -> list[Mechanism]:
    """The catalogue entries of the mechanisms some component declares."""
    implemented = {row.id for row in mechanism_table() if row.implemented}
    return [m for m in MECHANISMS if m.id in implemented]


def parameter_groups() -> dict[str, list[Param]]:
    """Parameters by the mechanism they belong to, in the order of the schema."""
    groups: dict[str, list[Param]] = {}
    for p in PARAMETERS:
        groups.setdefault(p.mechanism, []).append(p)
    return groups


def check_value(name: str, raw: Any) -> float:
    try:
        return coerce(name, raw)
    except ParameterError as exc:
        raise InputProblem(str(exc)) from None


def check_request(request: RunRequest) -> RunRequest:
    """The request with its values checked; a clear InputProblem otherwise, before any work."""
    if request.scenario not in shipped_scenarios():
        raise InputProblem(
            f"scenario: {request.scenario!r} is not a shipped scenario; allowed: "
            f"{', '.join(shipped_scenarios())}"
        )
    if not (PAGE_MIN_SCALE <= request.scale <= PAGE_MAX_SCALE):
        raise InputProblem(
            f"scale: {request.scale:g} is not allowed on this page; allowed: "
            f"{', '.join(SCALES)} (larger runs: the command line)"
        )
    seed = request.seed
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_PAGE_SEED:
        raise InputProblem(
            f"seed: {seed!r} is not allowed; allowed: a whole number from 0 to {MAX_PAGE_SEED}"
        )
    pars = {name: check_value(name, value) for name, value in request.pars.items()}
    known = {m.id for m in implemented_mechanisms()}
    for key, value in request.mechanisms.items():
        if key not in known or not isinstance(value, bool):
            raise InputProblem(
                f"mechanisms: {key!r} cannot be switched here; allowed: {', '.join(sorted(known))}"
            )
    return RunRequest(request.scenario, request.scale, seed, pars, dict(request.mechanisms))


def run_model(
    request: RunRequest,
    progress: Callable[[float], None] | None = None,
    time_limit: float = RUN_TIME_LIMIT,
) -> RunOutcome:
    """Run the request through ``gt.Sim``; ``progress(share_done)`` after each simulated day."""
    import greatterror as gt
    from greatterror.results.figures_interactive import as_table

    request = check_request(request)
    started = time.monotonic()
    try:
        sim = gt.Sim(
            request.scenario,
            scale=request.scale,
            seed=request.seed,
            pars=dict(request.pars),
            mechanisms=dict(request.mechanisms),
        )
    except gt.SimError as exc:
        raise InputProblem(str(exc)) from None

    def each_day(done: int, total: int) -> None:
        if time.monotonic() - started > time_limit:
            raise TimeLimitExceeded(
                f"the run was stopped after {time_limit:.0f} s (the page's time limit); "
                "use a smaller scale, or the command line for long runs"
            )
        if progress is not None and (done % 20 == 0 or done == total):
            progress(done / total)

    sim.run(progress=each_day)
    results = sim.results
    return RunOutcome(
        request=request,
        summary=results.summary,
        timeseries=as_table(results.timeseries),
        channels=as_table(results.channels),
        targets=results.targets,
        seconds=time.monotonic() - started,
        warnings=results.warnings,
    )


def paired_differences(a: RunOutcome, b: RunOutcome) -> list[dict[str, Any]]:
    """Targets and yearly figures of two runs with the same seed: B minus A, row by row."""
    from greatterror.results.compare import compare_runs

    if a.request.seed != b.request.seed or a.request.scale != b.request.scale:
        raise InputProblem("compare: both runs need the same seed and scale to be paired")
    return compare_runs([a.summary, b.summary])
