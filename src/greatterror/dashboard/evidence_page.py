"""The Evidence page: search and browse the sourced facts, the timeline, the trials, the limits.

Every answer comes from ``evidence.queries`` (the same questions
``greatterror evidence ...`` answers), and every fact is shown with its full
sources: authors, title, year, publisher and archive reference.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import solara

from greatterror.dashboard.text import Prose
from greatterror.dashboard.widgets import TABLE_STYLE, html_table

#: at most this many search results are shown in full
MAX_SHOWN = 25
VIEWS = ("Search", "Timeline", "Trials", "Limits of Order 00447")


def _query(fn: Callable[..., Any], *args: Any) -> Any:
    """One read-only connection per question: DuckDB connections are not shared across threads."""
    from greatterror.evidence.store import open_database

    con = open_database()
    try:
        return fn(con, *args)
    finally:
        con.close()


def source_html(src: dict[str, Any]) -> str:
    parts = [
        src.get("authors"),
        src.get("title") and f"<i>{escape(str(src['title']))}</i>",
        src.get("publisher"),
        src.get("year"),
    ]
    text = ", ".join(escape(str(p)) if i != 1 else str(p) for i, p in enumerate(parts) if p)
    archive = src.get("archive_ref")
    archive_text = f"; archive: {escape(str(archive))}" if archive else ""
    return f'<li data-source="{escape(str(src.get("key")))}">[{escape(str(src.get("key")))}] {text}{archive_text}</li>'


def fact_html(fact: dict[str, Any]) -> str:
    value = fact.get("value")
    low, high = fact.get("value_low"), fact.get("value_high")
    shown = "no single figure" if value is None else f"{value:,}"
    if low is not None and high is not None and low != high:
        shown += f" (sources range {low:,} to {high:,})"
    sources = "".join(source_html(s) for s in fact.get("sources") or [])
    note = f"<p>{escape(str(fact['note']))}</p>" if fact.get("note") else ""
    return (
        f'<div class="gt-fact" data-fact="{escape(str(fact["id"]))}" style="margin:0.6em 0;'
        'padding:0.4em 0.8em;border-left:3px solid #4c72b0">'
        f"<b>{escape(str(fact['id']))}</b>: {escape(str(fact.get('quantity')))}, "
        f"{escape(str(fact.get('period_start')))} to {escape(str(fact.get('period_end')))}; "
        f"{escape(str(fact.get('scope') or ''))}<br>"
        f"<b>{escape(shown)}</b> {escape(str(fact.get('unit') or ''))}; confidence "
        f"{escape(str(fact.get('confidence')))}{note}<ul>{sources}</ul></div>"
    )


@solara.component
def Search() -> None:
    from greatterror.evidence import queries

    text = solara.use_reactive("")
    solara.InputText(
        "search facts, events and defendants (e.g. Tukhachevsky, G3-lim-cat1, Polish)",
        value=text,
        continuous_update=False,
        classes=["gt-evidence-search"],
    )
    term = text.value.strip()
    if not term:
        solara.Info("Type a word or a fact id and press Enter.")
        return
    if len(term) > 100:
        solara.Error("search: at most 100 characters")
        return
    hits = _query(queries.search_facts, term)
    Prose(
        f"{len(hits)} results for **{term}**"
        + (f"; the first {MAX_SHOWN} shown." if len(hits) > MAX_SHOWN else ".")
    )
    blocks = []
    for hit in hits[:MAX_SHOWN]:
        if hit["kind"] == "fact":
            fact = _query(queries.get_fact, hit["id"])
            if fact is not None:
                blocks.append(fact_html(fact))
                continue
        blocks.append(
            f'<div class="gt-hit" style="margin:0.4em 0">{escape(str(hit["kind"]))} '
            f"<b>{escape(str(hit['id']))}</b> {escape(str(hit.get('date') or ''))}: "
            f"{escape(str(hit['text']))} {escape(str(hit.get('scope') or ''))}</div>"
        )
    solara.HTML(tag="div", unsafe_innerHTML="".join(blocks))


@solara.component
def Timeline() -> None:
    from greatterror.evidence import queries

    start, end = solara.use_reactive("1937-07"), solara.use_reactive("1938-11")
    with solara.Row():
        solara.InputText("from (YYYY, YYYY-MM or YYYY-MM-DD)", value=start)
        solara.InputText("to", value=end)
    try:
        first = queries.parse_bound(start.value, upper=False)
        last = queries.parse_bound(end.value, upper=True)
    except ValueError as exc:
        solara.Error(f"timeline: {exc}")
        return
    rows = _query(queries.timeline, first, last)
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html_table(
            ["date", "id", "kind", "event", "source"],
            [[r["date"], r["id"], r["kind"], r["title"], "; ".join(r["source"])] for r in rows],
        ),
    )


@solara.component
def Trials() -> None:
    from greatterror.evidence import queries

    blocks = [TABLE_STYLE]
    for t in _query(queries.trials):
        names = ", ".join(f"{d['name']} ({d['verdict']})" for d in t.get("named_defendants") or [])
        blocks.append(
            f"<h4>{escape(str(t['name']))}</h4><p>{escape(str(t['date_start']))} to "
            f"{escape(str(t['date_end']))}; {escape(str(t['court']))}. Defendants "
            f"{escape(str(t['defendants']))}, death sentences {escape(str(t['death_sentences']))}"
            f"; sources {escape('; '.join(t['source']))}.</p><p>{escape(names)}</p>"
        )
    solara.HTML(tag="div", unsafe_innerHTML="".join(blocks))


@solara.component
def Limits() -> None:
    from greatterror.evidence import queries

    found = _query(queries.limits)
    Prose("Initial limits of Order No. 00447 (30 July 1937), by republic and region:")
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html_table(
            ["id", "region", "category 1", "category 2", "total", "source"],
            [
                [
                    r["id"],
                    r["region_name"],
                    r["cat1"],
                    r["cat2"],
                    r["total"],
                    "; ".join(r["source"]),
                ]
                for r in found["initial"]
            ],
            numeric={2, 3, 4},
        ),
    )
    Prose("Increases of the limits:")
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html_table(
            ["date", "id", "region", "category 1", "category 2", "source"],
            [
                [
                    r.get("date"),
                    r.get("id"),
                    r.get("region_code"),
                    r.get("cat1"),
                    r.get("cat2"),
                    "; ".join(r.get("source") or []),
                ]
                for r in found["increases"]
            ],
            numeric={3, 4},
        ),
    )


@solara.component
def EvidencePage() -> None:
    solara.Title("greatterror: evidence")
    view = solara.use_reactive(VIEWS[0])
    Prose(
        "### The evidence base\nArchival and published figures with their full sources. "
        "Where the sources disagree, both values are kept."
    )
    solara.ToggleButtonsSingle(value=view, values=list(VIEWS))
    {"Search": Search, "Timeline": Timeline, "Trials": Trials}.get(view.value, Limits)()
