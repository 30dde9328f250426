"""`greatterror hypotheses reference build`: simulations of each hypothesis from its priors
(and `... reference choose`, cli/reference_choose.py: the model choice read from them).

The table is built in pieces and extended later (calibration/reference_table.py); every
option is checked against the table, and the hypotheses found, before the first run.
"""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from greatterror.cli import reference_choose
from greatterror.cli.output import error_console, fail, folder_path, warn_scale
from greatterror.preflight import check_scale

app = typer.Typer(
    help="A reference table: simulations of each hypothesis at draws from its priors, built "
    "in pieces, and the model choice read from it.",
    no_args_is_help=True,
)

#: the first block's fitting seed; blocks 2, 3 ... take the next ones (calibration/seeds.py)
DEFAULT_SEED = 141


@app.command("build")
def build(
    table: Annotated[
        Path, typer.Option("--table", help="The table's directory (made or extended).")
    ],
    hypotheses: Annotated[
        list[str] | None,
        typer.Argument(
            help="Ids (H1 H3 ...); all nine, H1e included, when none is named.", show_default=False
        ),
    ] = None,
    draws: Annotated[
        int,
        typer.Option(
            help="Draws of each hypothesis in each block, in all (rows already there count)."
        ),
    ] = 100,
    blocks: Annotated[
        int, typer.Option(help="Independent repeats: each its own population and draws.")
    ] = 3,
    scale: Annotated[float, typer.Option(help="Population scale (1:1,000 is 0.001).")] = 0.001,
    seed: Annotated[
        int, typer.Option(help="The first block's fitting seed; block b uses seed + b - 1.")
    ] = DEFAULT_SEED,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    prior_scale: Annotated[
        float,
        typer.Option(
            help="Draw from every prior scaled about its centre by this factor (compare's "
            "rule: above 1 widens, below 1 narrows); recorded in the table, which is extended "
            "at the same factor only."
        ),
    ] = 1.0,
) -> None:
    """Add simulations to a reference table until each hypothesis has --draws in each block.

    greatterror hypotheses reference build --table ref --draws 100 --blocks 3 --workers 2
    greatterror hypotheses reference build --table ref-wide --prior-scale 2   # widened priors
    """
    for name, value, least, most in (
        ("--draws", draws, 1, 1_000_000),
        ("--blocks", blocks, 1, 100),
        ("--workers", workers, 1, 1_024),
    ):
        if not least <= value <= most:
            fail(f"{name}: {value} is out of range; allowed: a whole number from {least} to {most}")
    if not (math.isfinite(prior_scale) and prior_scale > 0):
        fail(
            f"--prior-scale: {prior_scale:g} is not allowed; allowed: a positive finite number "
            "(1 the declared priors, above 1 widens every prior, below 1 narrows it)"
        )
    check_scale(scale)
    chosen = _resolve(list(hypotheses or []))
    from greatterror.calibration.reference_build import done_rows, pending, prepare
    from greatterror.calibration.reference_table import ReferenceTableError, build_lock
    from greatterror.calibration.seeds import SeedRangeError

    with contextlib.ExitStack() as held:
        try:  # the manifest and the rows read and written under the lock (review25 F8)
            held.enter_context(build_lock(table))
            manifest = prepare(table, chosen, scale, seed, blocks, prior_scale)
            pieces = pending(manifest, done_rows(table), draws)
        except (ReferenceTableError, SeedRangeError) as exc:
            fail(str(exc))
        warn_scale(scale, "a reference table")  # after every check: a refusal is one line
        _run(table, pieces, manifest, chosen, draws, workers)


def _run(
    table: Path,
    pieces: list[list[Any]],
    manifest: dict[str, Any],
    chosen: dict[str, str],
    draws: int,
    workers: int,
) -> None:
    """Run the pieces (the build's lock held), saying how many and how far."""
    from greatterror.calibration.reference_build import build as run_pieces

    total = sum(len(p) for p in pieces)
    if total == 0:
        error_console.print(f"{table}: every block already holds {draws} draws of each hypothesis")
        return
    error_console.print(
        f"{table}: {total} simulations to run in {len(pieces)} pieces "
        f"({len(manifest['blocks'])} blocks, {len(chosen)} hypotheses, up to {draws} draws each)",
        highlight=False,
    )

    def progress(done: int, wanted: int) -> None:
        error_console.print(f"  {done} of {wanted} simulations written", highlight=False)

    run_pieces(table, pieces, workers, progress)


def _resolve(keys: list[str]) -> dict[str, str]:
    """Each hypothesis's id and scenario (every one in the catalog when none is named)."""
    from greatterror.model.hypothesis_catalog import FOLDER, find_hypothesis, hypothesis_scenarios
    from greatterror.model.scenario import ScenarioError

    try:
        chosen = [find_hypothesis(k) for k in keys] if keys else hypothesis_scenarios()
    except ScenarioError as exc:
        fail(str(exc))
    out: dict[str, str] = {
        s.hypothesis.id: f"{FOLDER}/{s.name}" for s in chosen if s.hypothesis is not None
    }
    if len(out) != len(chosen):
        fail(f"hypotheses: a hypothesis is named twice ({', '.join(keys)}); allowed: distinct ones")
    if len(out) < 2:
        fail("hypotheses: a table needs at least 2 hypotheses; allowed: H1 to H7, H5b and H1e")
    return out


@app.command("check")
def check(
    path: Annotated[Path, typer.Argument(help="The reference table's directory.")],
    fraction: Annotated[
        float, typer.Option(help="Accept in each block the rows closest to the record: this share.")
    ] = 0.05,
    draws: Annotated[
        int, typer.Option(help="Accepted draws of each hypothesis to run again.")
    ] = 10,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    out: Annotated[
        Path | None,
        typer.Option(
            parser=folder_path,
            help="Folder for reference_check.json/.csv (default: PATH name + _check, beside it).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Posterior predictive check: each hypothesis's accepted draws run again on validation
    seeds, against the in-sample targets and the validation figures.

    greatterror hypotheses reference check ref --fraction 0.05 --draws 10 --workers 2
    """
    from greatterror.cli.compare_check import print_check_tables, write_check_files
    from greatterror.cli.output import check_result_dir, console, emit_json, warn_of_runs

    if not 0 < fraction <= 1:
        fail(f"--fraction: {fraction:g} is out of range; allowed: above 0, at most 1")
    for name, value, most in (("--draws", draws, 10_000), ("--workers", workers, 1_024)):
        if not 1 <= value <= most:
            fail(f"{name}: {value} is out of range; allowed: a whole number from 1 to {most}")
    from greatterror.calibration.reference_check import (
        accepted_counts,
        accepted_rows,
        reference_check,
    )
    from greatterror.calibration.reference_choice import ReferenceChoiceError
    from greatterror.calibration.reference_summary import readable_table
    from greatterror.calibration.reference_table import ReferenceTableError, read_reference
    from greatterror.evidence.loader import load_evidence

    try:  # the table refused as choose refuses it, before any run
        ref = read_reference(path)
        bands, _ = readable_table(ref, load_evidence())
    except (ReferenceTableError, ReferenceChoiceError) as exc:
        fail(str(exc))
    result_dir = out or path.resolve().parent / f"{path.resolve().name}_check"  # as choose's
    check_result_dir(result_dir)
    keep = accepted_rows(ref, bands=bands, fraction=fraction)
    _warn_of_few(accepted_counts(ref, keep), draws)  # before the reruns (review25 F12)
    result = reference_check(ref, bands, fraction, draws, workers=workers, keep=keep)
    files = write_check_files(result, result_dir, "reference_check")
    warn_of_runs(result["warnings"], result["runs"])
    if as_json:
        emit_json(result)
        return
    notes = [
        f"accepted per block: in each of blocks {', '.join(map(str, result['blocks']))}, the "
        f"{fraction:g} of its rows closest to the record (archival distance; {result['rows']:,} "
        "rows in all); choose's pooled readings accept over all blocks at once"
    ]
    if result["code_change"]:
        notes.append(f"the table was {result['code_change']}: the model may differ")
    print_check_tables(result, notes, "accepted rows")
    console.print("written: " + ", ".join(str(p) for p in files), highlight=False)


def _warn_of_few(accepted: dict[str, int], draws: int) -> None:
    """Name, on stderr, each hypothesis to be checked from fewer accepted rows than the
    readings read (``MIN_ACCEPTED``), before its reruns: they repeat one or two parameter
    sets. A hypothesis with none is checked from its prior draws (said in the result)."""
    from greatterror.calibration.reference_choice import MIN_ACCEPTED

    for label, n in accepted.items():
        if 0 < n < MIN_ACCEPTED:
            error_console.print(
                f"warning: {label} is checked from {n} accepted rows only (fewer than "
                f"{MIN_ACCEPTED:g}): its {draws} reruns repeat them",
                highlight=False,
            )


app.command("choose")(reference_choose.choose)
