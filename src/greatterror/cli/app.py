"""The `greatterror` command line."""

from __future__ import annotations

import contextlib
import os
import select
import sys
import traceback
from typing import Annotated, Any

from greatterror.interrupt import exit_quietly, interrupted

with exit_quietly():  # Ctrl-C while the commands' modules import: one line, exit 130
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


def _stdout_gone() -> bool:
    """Whether stdout's reader went away (``greatterror ... | head``), as opposed to a broken
    pipe of the command's own (a worker's, a socket's), which is a bug to report. A pipe whose
    reader has closed fails to flush, or (when nothing is left to flush) polls as an error."""
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        return True
    except OSError:
        return False
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file: a test's or a host's
        return False
    if not hasattr(select, "poll"):
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(event & (select.POLLERR | select.POLLHUP) for _, event in poller.poll(0))


def _reader_gone() -> int:
    """Stop quietly after stdout's reader went away: point stdout at devnull so that the
    interpreter's final flush does not fail again (the recipe of the Python documentation,
    "Note on SIGPIPE")."""
    with contextlib.suppress(OSError, ValueError):  # stdout may not be a real file
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return BROKEN_PIPE


#: what a value that fails the parser's type check should have been, by pydantic's error type
_KINDS = {"float_parsing": "a number", "int_parsing": "a whole number"}
_KINDS["int_from_float"] = _KINDS["int_parsing"]


def _bad_value(exc: typer.BadParameter) -> str:
    """A value the parser refused for its type (``--scale abc``, ``--seed 1.5``), in the words
    of the project's other errors: the option, the value, what is allowed (the option's help
    states the range), rather than typer's boxed usage text."""
    param = exc.param
    if param is None:
        return exc.format_message()
    name = max(param.opts, key=len) if getattr(param, "param_type_name", "") == "option" else None
    name = name or str(param.name)
    cause: Any = exc.__cause__  # typer's coercion raises from pydantic's ValidationError
    errors = cause.errors() if hasattr(cause, "errors") else []
    first = errors[0] if errors else {}
    kind = _KINDS.get(str(first.get("type")))
    if kind is None or "input" not in first:
        return f"{name}: {exc.message}"
    help_text = (getattr(param, "help", None) or "").strip().rstrip(".")
    allowed = f"{kind} ({help_text})" if help_text else kind
    return f"{name}: {first['input']!r} is not {kind}; allowed: {allowed}"


class _Guarded(TyperGroup):
    """The root command: every command below it runs inside :func:`_report`'s net."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except typer.BadParameter as exc:
            if type(exc) is not typer.BadParameter:  # a missing option: click's usage text
                raise
            error_console.print(
                f"[bold red]error:[/] {_bad_value(exc)}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(2) from None
        except KeyboardInterrupt:  # typer would exit 130 silently (greatterror/interrupt.py)
            raise typer.Exit(interrupted()) from None
        except BrokenPipeError as exc:
            if _stdout_gone():
                raise typer.Exit(_reader_gone()) from None
            raise typer.Exit(_report(exc, bool(ctx.params.get("debug")))) from None
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
    except KeyboardInterrupt:
        raise SystemExit(interrupted()) from None
    except BrokenPipeError as exc:
        if _stdout_gone():
            raise SystemExit(_reader_gone()) from None
        raise SystemExit(_report(exc, DEBUG_FLAG in args)) from None
    except Exception as exc:
        raise SystemExit(_report(exc, DEBUG_FLAG in args)) from None
