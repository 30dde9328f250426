"""`greatterror evidence`: browse the sourced facts, timeline, trials and limits."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from greatterror.cli.output import console, emit_json, fail, print_table
from greatterror.evidence.errors import DataFileError

if TYPE_CHECKING:  # duckdb and the evidence store are imported by the commands that query
    import duckdb

    from greatterror.evidence import queries

app = typer.Typer(
    help="Browse the sourced evidence base: facts, timeline, trials, limits, sources."
)

T = TypeVar("T")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _queries() -> ModuleType:
    from greatterror.evidence import queries

    return queries


def query(action: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """Run one query on the evidence database (rebuilt from the CSV files if damaged)."""
    from greatterror.evidence.store import query_evidence

    try:
        return query_evidence(action)
    except DataFileError as exc:
        fail(f"the evidence data are invalid: {exc}", code=1)


def _value(fact: queries.Record) -> str:
    low, high, value = fact.get("value_low"), fact.get("value_high"), fact.get("value")
    text = "" if value is None else f"{value:,}"
    if low is not None and high is not None and low != high:
        text += f" ({low:,}–{high:,})"
    return text


@app.command("list")
def list_(
    group: Annotated[str | None, typer.Option(help="Only facts of this group.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the sourced facts."""
    facts = query(lambda con: _queries().list_facts(con, group))
    if group is not None and not facts:
        groups = sorted({f["group"] for f in query(_queries().list_facts)})
        fail(f"--group: unknown group {group!r}; allowed values: {', '.join(groups)}")
    if as_json:
        emit_json(facts)
        return
    print_table(
        "Facts" + (f" ({group})" if group else ""),
        ["id", "quantity", "period", "value", "unit", "source"],
        [
            [
                f["id"],
                f["quantity"],
                f"{f['period_start']} – {f['period_end']}",
                _value(f),
                f["unit"],
                f["source"],
            ]
            for f in facts
        ],
        caption=f"{len(facts)} facts",
    )


@app.command()
def show(
    fact_id: Annotated[str, typer.Argument(help="Fact id, e.g. G3-lim-cat1.")],
    as_json: JsonFlag = False,
) -> None:
    """Show one fact with its full sources."""
    fact = query(lambda con: _queries().get_fact(con, fact_id))
    if fact is None:
        fail(f"no fact with id {fact_id!r}; `greatterror evidence search TEXT` finds ids")
    from greatterror.evidence.usage import fact_usage

    fact["used_in"] = fact_usage().get(fact_id, [])
    if as_json:
        emit_json(fact)
        return
    rows = [
        ["id", fact["id"]],
        ["quantity", fact["quantity"]],
        ["scope", fact["scope"]],
        ["period", f"{fact['period_start']} – {fact['period_end']}"],
        ["value", _value(fact)],
        ["unit", fact["unit"]],
        ["confidence", fact["confidence"]],
        ["note", fact["note"]],
        ["used in", "; ".join(fact["used_in"]) or "not used by the model"],
    ]
    print_table(f"Fact {fact_id}", ["field", "value"], rows)
    for src in fact["sources"]:
        console.print(
            f"[bold]{src['key']}[/]: {src['authors']} ({src['year']}). {src['title']}."
            + (f" {src['publisher']}." if src["publisher"] else "")
            + (f" [{src['archive_ref']}]" if src["archive_ref"] else ""),
            highlight=False,
        )


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Text to look for (case-insensitive).")],
    as_json: JsonFlag = False,
) -> None:
    """Search facts, timeline events and trial defendants (the text is matched literally)."""
    if not text.strip():
        fail("text: give some text to look for; `greatterror evidence list` shows every fact")
    hits = query(lambda con: _queries().search_facts(con, text))
    if as_json:
        emit_json(hits)
        return
    print_table(
        f"Matches for {text!r}",
        ["id", "kind", "text", "scope", "date"],
        [[h["id"], h["kind"], h["text"], h["scope"], h["date"]] for h in hits],
        caption=f"{len(hits)} matches",
    )


@app.command()
def timeline(
    start: Annotated[
        str | None, typer.Option("--from", help="Start: YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="End (inclusive): YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """The dated events: orders, plenums, trials, changes of NKVD chief, the halt."""
    bounds = []
    for option, text, upper in (("--from", start, False), ("--to", end, True)):
        try:
            bounds.append(None if text is None else _queries().parse_bound(text, upper=upper))
        except ValueError as exc:
            fail(f"{option}: {exc}")
    lo, hi = bounds
    if lo and hi and lo > hi:
        fail("--from: the start is after the end (--to)")
    events = query(lambda con: _queries().timeline(con, lo, hi))
    if as_json:
        emit_json(events)
        return
    print_table(
        "Timeline",
        ["date", "id", "kind", "event", "source"],
        [[e["date"], e["id"], e["kind"], e["title"], e["source"]] for e in events],
        caption=f"{len(events)} events",
    )


@app.command()
def trials(as_json: JsonFlag = False) -> None:
    """The show trials: dates, defendants, verdicts."""
    rows = query(lambda con: _queries().trials(con))
    if as_json:
        emit_json(rows)
        return
    print_table(
        "Trials",
        ["id", "name", "dates", "defendants", "death", "other", "named"],
        [
            [
                t["id"],
                t["name"],
                f"{t['date_start']} – {t['date_end']}",
                t["defendants"],
                t["death_sentences"],
                t["other_sentences"],
                ", ".join(f"{d['name']} ({d['verdict']})" for d in t["named_defendants"]),
            ]
            for t in rows
        ],
    )


@app.command()
def limits(as_json: JsonFlag = False) -> None:
    """Order 00447 limits of 30 July 1937 and their later increases."""
    data = query(lambda con: _queries().limits(con))
    if as_json:
        emit_json(data)
        return
    print_table(
        "Order 00447: initial limits (30 July 1937)",
        ["id", "unit", "level", "cat. 1 (shooting)", "cat. 2 (camp)", "total", "source"],
        [
            [
                r["id"],
                r["region_name"],
                r["level"],
                r["cat1"]
                if r["cat1"] is not None
                else (f"{r['cat1_low']}–{r['cat1_high']}" if r["cat1_low"] else None),
                r["cat2"],
                r["total"],
                r["source"],
            ]
            for r in data["initial"]
        ],
    )
    print_table(
        "Order 00447: limit increases",
        ["id", "date", "scope", "cat. 1", "cat. 2", "total", "source"],
        [
            [
                r["id"],
                r["date"],
                r["scope"] or r["region_code"],
                r["cat1"],
                r["cat2"],
                r["total"],
                r["source"],
            ]
            for r in data["increases"]
        ],
    )


@app.command()
def sources(as_json: JsonFlag = False) -> None:
    """The bibliography every figure cites."""
    rows = query(lambda con: _queries().sources(con))
    if as_json:
        emit_json(rows)
        return
    print_table(
        "Sources",
        ["key", "authors", "year", "title", "publisher", "archive"],
        [
            [s["key"], s["authors"], s["year"], s["title"], s["publisher"], s["archive_ref"]]
            for s in rows
        ],
        caption=f"{len(rows)} works",
    )


@app.command()
def summary(as_json: JsonFlag = False) -> None:
    """What the evidence base holds, and the headline archival figures."""
    data = query(lambda con: _queries().summary(con))
    if as_json:
        emit_json(data)
        return
    print_table("Evidence base", ["table", "rows"], list(data["counts"].items()))
    print_table(
        "Facts by group", ["group", "facts"], [[g["group"], g["facts"]] for g in data["groups"]]
    )
    print_table(
        "Headline figures",
        ["id", "quantity", "value", "unit", "source"],
        [[h["id"], h["quantity"], _value(h), h["unit"], h["source"]] for h in data["headline"]],
    )


__all__ = ["DataFileError", "app"]
