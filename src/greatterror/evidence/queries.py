"""Questions users ask of the evidence base, answered from the DuckDB store.

Every function returns plain JSON-ready dictionaries so that the CLI, the
report and the dashboard share one set of answers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

import duckdb

Record = dict[str, Any]


def _records(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[Record]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [_jsonable(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def _jsonable(record: Record) -> Record:
    out: Record = {}
    for key, value in record.items():
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        out[key] = value
    return out


def sources_for(con: duckdb.DuckDBPyConnection, keys: list[str]) -> list[Record]:
    if not keys:
        return []
    found = {
        r["key"]: r
        for r in _records(con, "SELECT * FROM sources WHERE list_contains(?, key)", [keys])
    }
    return [found[k] for k in keys if k in found]


def list_facts(con: duckdb.DuckDBPyConnection, group: str | None = None) -> list[Record]:
    sql = "SELECT * FROM facts"
    params: list[Any] = []
    if group is not None:
        sql += ' WHERE "group" = ?'
        params.append(group)
    return _records(con, sql + " ORDER BY id", params)


def get_fact(con: duckdb.DuckDBPyConnection, fact_id: str) -> Record | None:
    rows = _records(con, "SELECT * FROM facts WHERE id = ?", [fact_id])
    if not rows:
        return None
    fact = rows[0]
    keys = list(dict.fromkeys([*fact["source"], *fact["low_source"], *fact["high_source"]]))
    fact["sources"] = sources_for(con, keys)
    return fact


def search_facts(con: duckdb.DuckDBPyConnection, text: str) -> list[Record]:
    """Case-insensitive search over facts and timeline titles; ``%`` and ``_`` match themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    facts = _records(
        con,
        "SELECT id, 'fact' AS kind, quantity AS text, scope, period_start AS date FROM facts "
        "WHERE id ILIKE ? ESCAPE '\\' OR quantity ILIKE ? ESCAPE '\\' OR scope ILIKE ? ESCAPE '\\' OR note ILIKE ? ESCAPE '\\'",
        [pattern] * 4,
    )
    events = _records(
        con,
        "SELECT id, 'event' AS kind, title AS text, NULL AS scope, date FROM timeline "
        "WHERE title ILIKE ? ESCAPE '\\' OR note ILIKE ? ESCAPE '\\'",
        [pattern] * 2,
    )
    trials = _records(
        con,
        "SELECT trial_id AS id, 'defendant' AS kind, name AS text, verdict AS scope, NULL AS date "
        "FROM trial_defendants WHERE name ILIKE ? ESCAPE '\\'",
        [pattern],
    )
    return facts + events + trials


def parse_bound(text: str, upper: bool) -> dt.date:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD; an upper bound extends to the period's end.

    The year has four digits: ``37`` is refused rather than read as the year 37.
    """
    allowed = "allowed: YYYY, YYYY-MM or YYYY-MM-DD with a 4-digit year, e.g. 1937 or 1937-08"
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text.strip()):
        shown = f"{text!r} is not a date" if text.strip() else "empty"
        raise ValueError(f"{shown}; {allowed}")
    text = text.strip()
    parts = text.split("-")
    try:
        if len(parts) == 1:
            year = int(parts[0])
            return dt.date(year, 12, 31) if upper else dt.date(year, 1, 1)
        if len(parts) == 2:
            year, month = int(parts[0]), int(parts[1])
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, last if upper else 1)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date; {allowed}") from None


def timeline(
    con: duckdb.DuckDBPyConnection, start: dt.date | None = None, end: dt.date | None = None
) -> list[Record]:
    sql = "SELECT * FROM timeline WHERE (? IS NULL OR date >= ?) AND (? IS NULL OR date <= ?)"
    return _records(con, sql + " ORDER BY date, id", [start, start, end, end])


def trials(con: duckdb.DuckDBPyConnection) -> list[Record]:
    rows = _records(con, "SELECT * FROM trials ORDER BY date_start")
    defendants = _records(con, "SELECT * FROM trial_defendants")
    for trial in rows:
        trial["named_defendants"] = [
            {k: d[k] for k in ("name", "verdict", "sentence_years")}
            for d in defendants
            if d["trial_id"] == trial["id"]
        ]
    return rows


def limits(con: duckdb.DuckDBPyConnection) -> dict[str, list[Record]]:
    return {
        "initial": _records(con, "SELECT * FROM limits ORDER BY id"),
        "increases": _records(con, "SELECT * FROM limit_increases ORDER BY date, id"),
    }


def sources(con: duckdb.DuckDBPyConnection) -> list[Record]:
    return _records(con, "SELECT * FROM sources ORDER BY key")


def summary(con: duckdb.DuckDBPyConnection) -> Record:
    """Counts per table and per group, and the headline archival figures."""

    def count(table: str) -> int:
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0

    groups = _records(con, 'SELECT "group", count(*) AS facts FROM facts GROUP BY 1 ORDER BY 1')
    headline_ids = [
        "G2-detained",
        "G2-shot",
        "G2-convicted",
        "G3-lim-total",
        "G4-all-conv",
        "G10-1937-total",
    ]
    headline = [
        {k: f[k] for k in ("id", "quantity", "value", "value_low", "value_high", "unit", "source")}
        for f in _records(
            con, "SELECT * FROM facts WHERE list_contains(?, id) ORDER BY id", [headline_ids]
        )
    ]
    return {
        "counts": {
            t: count(t)
            for t in (
                "sources",
                "facts",
                "timeline",
                "trials",
                "trial_defendants",
                "limits",
                "limit_increases",
            )
        },
        "groups": groups,
        "headline": headline,
    }
