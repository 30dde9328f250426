"""The `greatterror` command line."""

from __future__ import annotations

from typing import Annotated

import typer

from greatterror import __version__
from greatterror.cli import calibrate as calibrate_cli
from greatterror.cli import evidence, hypotheses, population
from greatterror.cli import params as params_cli
from greatterror.cli import run as run_cli
from greatterror.cli import sensitivity as sensitivity_cli

app = typer.Typer(
    name="greatterror",
    help=(
        "Agent-based simulation of Soviet state repression, 1934-1940, "
        "calibrated to the archival record."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(evidence.app, name="evidence")
app.add_typer(population.app, name="population")
app.add_typer(hypotheses.app, name="hypotheses")
app.add_typer(run_cli.runs_app, name="runs")
app.command("run")(run_cli.run)
app.command("compare")(run_cli.compare)
app.command("params")(params_cli.params)
app.command("mechanisms")(run_cli.mechanisms)
app.command("calibrate")(calibrate_cli.calibrate)
app.command("sensitivity")(sensitivity_cli.sensitivity)


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
) -> None:
    """Agent-based simulation of Soviet state repression, 1934-1940."""


def main() -> None:
    app()
