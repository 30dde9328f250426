"""The `greatterror` command line."""

from __future__ import annotations

import os
import sys
import traceback
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from greatterror import __version__
from greatterror.cli import calibrate as calibrate_cli
from greatterror.cli import counterfactual as counterfactual_cli
from greatterror.cli import evidence, hypotheses, population
from greatterror.cli import params as params_cli
from greatterror.cli import report as report_cli
from greatterror.cli import run as run_cli
from greatterror.cli import sensitivity as sensitivity_cli
from greatterror.cli import serve as serve_cli
from greatterror.cli.output import error_console
from greatterror.errors import GreatterrorError

DEBUG_FLAG = "--debug"
#: exit code of an error that is a bug in greatterror (bad input exits with 2)
INTERNAL_ERROR = 1
#: exit code when the reader of the output went away (``greatterror ... | head``): 128 + SIGPIPE,
#: as a shell reports a process the signal ended
BROKEN_PIPE = 141


def _report(exc: Exception, debug: bool) -> int:
    """Print an error for a person and return the exit code.

    The project's own errors (:class:`GreatterrorError`) carry a message meant
    for the user and their exit code (2 for bad input). Anything else is a bug:
    a short report, exit code 1, and the traceback only with --debug.
    """
    if isinstance(exc, GreatterrorError):
        error_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return exc.exit_code
    if debug:
        traceback.print_exception(exc)
    else:
        error_console.print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n"
            "This is a bug in greatterror, not in your input. Run the same command as "
            f"`greatterror {DEBUG_FLAG} ...` to see the traceback, and please report it.",
            highlight=False,
            soft_wrap=True,
        )
    return INTERNAL_ERROR


def _reader_gone() -> int:
    """The reader closed the pipe (``greatterror ... | head``): not a bug. Point stdout at
    devnull so that the interpreter's final flush does not fail again, and stop quietly (the
    recipe of the Python documentation, "Note on SIGPIPE")."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return BROKEN_PIPE


class _Guarded(TyperGroup):
    """The root command: every command below it runs inside :func:`_report`'s net."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise typer.Exit(_reader_gone()) from None
        except Exception as exc:
            # exits, usage errors and aborts are click's (or typer's vendored click's) to handle
            if type(exc).__module__.split(".")[0] in ("click", "typer"):
                raise
            raise typer.Exit(_report(exc, bool(ctx.params.get("debug")))) from None


app = typer.Typer(
    name="greatterror",
    help=(
        "Agent-based simulation of Soviet state repression, 1934-1940, "
        "calibrated to the archival record."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=_Guarded,
)
app.add_typer(evidence.app, name="evidence")
app.add_typer(population.app, name="population")
app.add_typer(hypotheses.app, name="hypotheses")
app.add_typer(run_cli.runs_app, name="runs")
app.command("run")(run_cli.run)
app.command("compare")(run_cli.compare)
app.command("report")(report_cli.report)
app.command("serve")(serve_cli.serve)
app.command("params")(params_cli.params)
app.command("mechanisms")(run_cli.mechanisms)
app.command("calibrate")(calibrate_cli.calibrate)
app.command("sensitivity")(sensitivity_cli.sensitivity)
app.command("counterfactual")(counterfactual_cli.counterfactual)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"greatterror {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool | None,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = None,
    debug: Annotated[
        bool,
        typer.Option(DEBUG_FLAG, help="Show the full traceback of an internal error."),
    ] = False,
) -> None:
    """Agent-based simulation of Soviet state repression, 1934-1940."""


def main(argv: list[str] | None = None) -> None:
    """The console script; the net of the root command is repeated for errors raised outside it."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        app(args=args, prog_name="greatterror")
    except BrokenPipeError:
        raise SystemExit(_reader_gone()) from None
    except Exception as exc:
        raise SystemExit(_report(exc, DEBUG_FLAG in args)) from None
