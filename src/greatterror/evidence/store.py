"""The evidence base as an embedded DuckDB database.

The CSV files are the reviewed source of truth; the database is a cache
built from them for querying. It is rebuilt whenever the files' hash
changes, into a temporary file that replaces the old one atomically, so a
reader never sees a half-built database. Being a cache, it is also rebuilt
when reading it fails in any way (a truncated or damaged file):
:func:`query_evidence` retries the query once on a fresh database.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
import pyarrow as pa

from greatterror.errors import GreatterrorError
from greatterror.evidence.loader import Evidence, digest_of, load_evidence
from greatterror.paths import evidence_dir, home_dir

SCHEMA_VERSION = "1"
T = TypeVar("T")


def default_db_path() -> Path:
    return home_dir() / "evidence.duckdb"


def _stored_digest(path: Path) -> str | None:
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'digest'").fetchone()
    except duckdb.Error:
        return None
    return str(row[0]) if row else None


def _wanted_digest(directory: Path) -> str:
    return f"{SCHEMA_VERSION}:{digest_of(directory)}"


def _table(rows: list[dict[str, object]]) -> pa.Table:
    return pa.Table.from_pylist(rows)


def _write(con: duckdb.DuckDBPyConnection, name: str, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    con.register("incoming", _table(rows))
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
    con.unregister("incoming")


def build_database(evidence: Evidence, path: Path, digest: str) -> None:
    """Write every evidence table into a fresh database at ``path``."""
    fd, tmp_name = tempfile.mkstemp(prefix=".evidence-", suffix=".duckdb", dir=path.parent)
    os.close(fd)
    os.unlink(tmp_name)  # DuckDB wants to create the file itself
    try:
        with duckdb.connect(tmp_name) as con:
            _write(con, "sources", [s.model_dump() for s in evidence.sources.values()])
            _write(con, "facts", [f.model_dump() for f in evidence.facts.values()])
            _write(con, "timeline", [e.model_dump() for e in evidence.timeline])
            _write(con, "trials", [t.model_dump() for t in evidence.trials.values()])
            _write(con, "trial_defendants", [d.model_dump() for d in evidence.defendants])
            _write(con, "limits", [lim.model_dump() for lim in evidence.limits])
            _write(con, "limit_increases", [i.model_dump() for i in evidence.increases])
            con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
            con.execute("INSERT INTO meta VALUES ('digest', ?)", [digest])
        os.replace(tmp_name, path)
    finally:
        for leftover in (tmp_name, tmp_name + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)


def open_database(
    path: Path | None = None, directory: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to an up-to-date evidence database."""
    directory = directory or evidence_dir()
    path = path or default_db_path()
    wanted = _wanted_digest(directory)
    if not path.exists() or _stored_digest(path) != wanted:
        build_database(load_evidence(directory), path, wanted)
    return duckdb.connect(str(path), read_only=True)


class EvidenceCacheError(GreatterrorError):
    """The evidence database cannot be used even after a rebuild; the message names it."""


def query_evidence(
    action: Callable[[duckdb.DuckDBPyConnection], T],
    path: Path | None = None,
    directory: Path | None = None,
) -> T:
    """``action`` on an up-to-date evidence database; a damaged one is rebuilt and tried again."""
    path = path or default_db_path()
    try:
        with open_database(path, directory) as con:
            return action(con)
    except duckdb.Error:
        pass
    for damaged in (path, Path(f"{path}.wal")):
        damaged.unlink(missing_ok=True)
    directory = directory or evidence_dir()
    try:
        build_database(load_evidence(directory), path, _wanted_digest(directory))
        with duckdb.connect(str(path), read_only=True) as con:
            return action(con)
    except duckdb.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise EvidenceCacheError(
            f"the evidence database {path} cannot be built or read ({first}); "
            f"check that {path.parent} is writable and has free space"
        ) from None
