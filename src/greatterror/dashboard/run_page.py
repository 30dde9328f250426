"""The Run page: choose a scenario, parameters, mechanisms, scale and seed; run; read.

The run goes through ``gt.Sim`` in a background thread (solara's task), so
the page stays responsive and shows a progress bar. The state below is
per browser session (solara's reactive variables live in the session's
kernel), so two users never see each other's runs.
"""

from __future__ import annotations

import solara
import solara.lab

from greatterror.dashboard.engine import (
    RUN_TIME_LIMIT,
    SCALES,
    InputProblem,
    RunOutcome,
    RunRequest,
    TimeLimitExceeded,
    run_model,
)
from greatterror.dashboard.guard import GUARD
from greatterror.dashboard.inputs import (
    MechanismSwitches,
    ParameterEditor,
    ScaleAndSeed,
    ScenarioPicker,
    input_errors,
)
from greatterror.dashboard.text import Prose
from greatterror.dashboard.widgets import Results

scenario = solara.reactive("historical")
scale = solara.reactive("1:10,000")
seed = solara.reactive(1)
pars: solara.Reactive[dict[str, float]] = solara.reactive({})
switches: solara.Reactive[dict[str, bool]] = solara.reactive({})
problem = solara.reactive("")


def current_request() -> RunRequest:
    return RunRequest(
        scenario=scenario.value,
        scale=SCALES[scale.value],
        seed=seed.value,
        pars=dict(pars.value),
        mechanisms=dict(switches.value),
    )


@solara.lab.task(prefer_threaded=True)
def run_task(request: RunRequest, session: str) -> RunOutcome:
    def progress(share: float) -> None:
        run_task.progress = round(100 * share, 1)

    with GUARD.hold(session):
        return run_model(request, progress)


def failure_text(error: BaseException | None) -> str:
    """What the page says when a run fails: the message for known problems, never a traceback."""
    if isinstance(error, InputProblem | TimeLimitExceeded):
        return str(error)
    return f"the run failed ({type(error).__name__}); please report it with the inputs used"


@solara.component
def RunControls() -> None:
    running = run_task.pending
    errors = input_errors(scenario.value, pars.value)

    def start() -> None:
        problem.value = ""
        if errors:
            problem.value = "; ".join(errors)
            return
        session = solara.get_session_id()
        if GUARD.busy(session):
            problem.value = "run: another run of yours is still going (one run at a time per user)"
            return
        run_task(current_request(), session)

    with solara.Row(style="align-items: center"):
        solara.Button(
            "Run",
            on_click=start,
            disabled=running,
            color="primary",
            classes=["gt-run"],
        )
        Prose(f"Runs up to 1:100 from this page; a run is stopped after {RUN_TIME_LIMIT:.0f} s.")
    if errors:
        solara.Error("Cannot run: " + "; ".join(errors), classes=["gt-run-problem"])
    if problem.value:
        solara.Error(problem.value, classes=["gt-run-problem"])
    if running:
        share = run_task.progress or 0.0
        solara.Text(f"Running {current_request().describe()}: {share:.0f}% of the days")
        solara.ProgressLinear(value=share)


@solara.component
def RunPage() -> None:
    solara.Title("greatterror: run")
    running = run_task.pending
    with solara.Columns([1, 2]):
        with solara.Column():
            Prose("### Run a scenario")
            ScenarioPicker(scenario, disabled=running)
            ScaleAndSeed(scale, seed, disabled=running)
            show_switches = solara.use_reactive(False)
            solara.Switch(label="show the mechanism switches", value=show_switches)
            if show_switches.value:
                MechanismSwitches(scenario.value, switches, disabled=running)
            ParameterEditor(scenario.value, pars, disabled=running)
        with solara.Column():
            RunControls()
            if run_task.error:
                solara.Error(failure_text(run_task.exception), classes=["gt-run-problem"])
            elif run_task.value is not None and not running:
                Results(run_task.value)
            elif not running:
                solara.Info(
                    "Choose a scenario and press Run. A run at 1:10,000 takes a few seconds. "
                    "Results are set against the archival record of the evidence base."
                )
