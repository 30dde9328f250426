"""`greatterror params`: the declared parameters, and a scenario's values beside the defaults."""

from __future__ import annotations

from typing import Annotated

import typer

from greatterror.cli.output import emit_json, fail, fmt, print_table
from greatterror.model.params import PARAMETERS
from greatterror.model.scenario import ScenarioError, load_scenario


def params(
    scenario: Annotated[
        str | None,
        typer.Option("--scenario", help="Show this scenario's values (shipped name or TOML path)."),
    ] = None,
    free_only: Annotated[
        bool, typer.Option("--free", help="Only the free (fitted) parameters.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    markdown: Annotated[
        bool,
        typer.Option("--markdown", help="Print docs/ODD.md's generated parameter section."),
    ] = False,
) -> None:
    """Every model parameter: default, range, unit, prior, basis and meaning.

    With --scenario, the scenario's value of each parameter is shown beside the
    default (the scenario's own setting, or the default where it sets none).
    """
    if markdown and as_json:
        fail("--json, --markdown: give one of them; --markdown prints the ODD section as Markdown")
    if markdown:
        from greatterror.model.params_doc import markdown as odd_section

        typer.echo(odd_section())
        return
    values: dict[str, float] = {}
    if scenario is not None:
        try:
            chosen = load_scenario(scenario)
        except ScenarioError as exc:
            fail(str(exc))
        values = chosen.parameter_values()
        overridden = set(chosen.parameters)
    shown = [p for p in PARAMETERS if p.free or not free_only]
    if as_json:
        rows = []
        for p in shown:
            record = p.model_dump()
            record["prior"] = {"kind": p.prior.kind, "args": list(p.prior.args)}
            if scenario is not None:
                record["scenario"] = scenario
                record["value"] = values[p.name]
                record["set_by_scenario"] = p.name in overridden
            rows.append(record)
        emit_json(rows)
        return
    columns = ["name", "default"]
    if scenario is not None:
        columns.append(f"{scenario}")
    columns += ["range", "unit", "mech.", "prior", "free"]
    if scenario is None:  # beside a scenario's values, the long texts would crowd the table
        columns += ["basis", "meaning"]
    table = []
    for p in shown:
        row: list[object] = [p.name, fmt(p.default)]
        if scenario is not None:
            mark = "" if p.name in overridden else " (default)"
            row.append(f"{fmt(values[p.name])}{mark}")
        row += [
            f"{p.low:g} to {p.high:g}",
            p.unit,
            p.mechanism,
            p.prior.describe(),
            "yes" if p.free else "no",
        ]
        if scenario is None:
            row += [p.basis, p.meaning]
        table.append(row)
    n_free = sum(p.free for p in PARAMETERS)
    print_table(
        "Parameters" + (f" of scenario {scenario}" if scenario else ""),
        columns,
        table,
        caption=f"{len(PARAMETERS)} parameters, {n_free} free; src/greatterror/data/parameters.csv",
    )
