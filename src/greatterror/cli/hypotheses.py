"""`greatterror hypotheses list|show`: the competing explanations as shipped scenarios."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from greatterror.cli import compare_hypotheses, reference
from greatterror.cli.output import console, emit_json, fail, print_table
from greatterror.model.scenario import ScenarioError

app = typer.Typer(
    help="The competing explanations H1-H7, the variant H5b and the check H1e as scenarios: claims, mechanisms, priors, gaps.",
    no_args_is_help=True,
)


def _all() -> list[dict[str, Any]]:
    from greatterror.model.hypothesis_catalog import describe, hypothesis_scenarios

    try:
        return [describe(s) for s in hypothesis_scenarios()]
    except ScenarioError as exc:
        fail(str(exc), code=1)


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Every hypothesis: id, title, scenario to run, base, and mechanisms not yet implemented."""
    rows = _all()
    if as_json:
        emit_json(rows)
        return
    print_table(
        "Hypotheses (run one with: greatterror run SCENARIO)",
        ["id", "title", "scenario", "extends", "core", "missing", "gaps"],
        [
            [
                r["id"],
                r["title"],
                r["scenario"],
                r["extends"],
                ", ".join(r["mechanisms"]["core"]),
                ", ".join(r["mechanisms"]["missing"]) or "none",
                len(r["gaps"]),
            ]
            for r in rows
        ],
        caption="None of these scenarios has been fitted yet; `hypotheses show ID` gives the detail.",
    )


def _switch_text(row: dict[str, Any]) -> str:
    if not row["implemented"]:
        return "not implemented"
    state = "on" if row["on"] else "off"
    return f"{state} (departure)" if row["departure"] else state


@app.command("show")
def show(
    hypothesis: Annotated[
        str, typer.Argument(help="An id (H1) or a scenario name (h1_intentional).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One hypothesis: statement, sources, mechanisms, priors, gaps and predicted fingerprints."""
    from greatterror.model.hypothesis_catalog import describe, find_hypothesis

    try:
        info = describe(find_hypothesis(hypothesis))
    except ScenarioError as exc:
        fail(str(exc))
    if as_json:
        emit_json(info)
        return
    console.print(f"[bold]{info['id']}. {info['title']}[/]", highlight=False)
    console.print(info["statement"], highlight=False)
    console.print(
        f"\nscenario: {info['scenario']} (extends {info['extends']}, policy {info['policy']})\n"
        f"{info['base']}\nreference: {info['reference']}",
        highlight=False,
    )
    print_table(
        "Sources (line references into the seed texts)",
        ["author", "work", "passages"],
        [[s["author"], s["work"], s["passages"]] for s in info["sources"]],
    )
    print_table(
        "Mechanisms",
        ["id", "switch", "what", "role", "in this scenario"],
        [
            [r["id"], r["switch"], r["title"], r["role"], _switch_text(r)]
            for r in info["mechanisms"]["table"]
        ],
        caption="role: core, secondary, absent (absent or denied) or unaddressed (as in the base)",
    )
    if info["departures"]:
        print_table(
            "Departures from the seed table",
            ["mechanism", "switch", "reason"],
            [[d["mechanism"], "on" if d["on"] else "off", d["reason"]] for d in info["departures"]],
        )
    print_table(
        "Gaps: what this version of the model cannot express",
        ["mechanism", "what is missing"],
        [[g["mechanism"], g["what"]] for g in info["gaps"]],
    )
    print_table(
        "Priors of the parameters this hypothesis constrains",
        ["parameter", "mechanism", "prior", "start", "basis"],
        [
            [p["parameter"], p["mechanism"], p["prior"], p["start"], p["note"]]
            for p in info["priors"]
        ],
        caption="start: the value a run uses before any fit. Other parameters keep their declared priors.",
    )
    print_table(
        "Predicted fingerprints",
        ["aspect", "prediction"],
        [[k.replace("_", " "), v] for k, v in info["fingerprints"].items()],
    )


app.command("compare")(compare_hypotheses.compare)
app.add_typer(reference.app, name="reference")
