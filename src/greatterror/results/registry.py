"""The run registry: one row per finished run, so that runs can be found and compared later.

It is a DuckDB file under the home directory (``registry.duckdb``). The
parameters and the whole summary are stored as JSON text, so that a run can
be compared with another long after its output directory was moved away.
Times are UTC, so that run ids sort in the order the runs were made
whatever the machine's time zone.

Beside the database, ``registry-journal.jsonl`` receives one line per run
(its id, time, output folder and summary) before the run is inserted. The
journal is append-only text, so a damaged database can be recreated from it
and from the run folders' summary.json files (:mod:`greatterror.results.rebuild`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from greatterror.errors import GreatterrorError
from greatterror.faults import pause_point
from greatterror.paths import home_dir
from greatterror.results.outputs import RunOutputError, summary_json

COLUMNS = (
    "run_id",
    "created",
    "scenario",
    "scale",
    "seed",
    "version",
    "parameters",
    "out_dir",
    "summary",
)
_CREATE = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    created TIMESTAMP NOT NULL,
    scenario VARCHAR NOT NULL,
    scale DOUBLE NOT NULL,
    seed BIGINT NOT NULL,
    version VARCHAR NOT NULL,
    parameters VARCHAR NOT NULL,
    out_dir VARCHAR NOT NULL,
    summary VARCHAR NOT NULL
)
"""
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM runs"
_LOCK_WAIT_SECONDS = 10.0

T = TypeVar("T")


class AmbiguousRunId(GreatterrorError, LookupError):
    """A run id prefix matches more than one run; the message lists them."""


class RegistryError(GreatterrorError):
    """The registry file cannot be read or written; the message names the file."""


REBUILD_HINT = "`greatterror runs rebuild` recreates it from the run folders"


def default_registry_path() -> Path:
    return home_dir() / "registry.duckdb"


def journal_path(registry: Path) -> Path:
    return registry.with_name("registry-journal.jsonl")


def _with_connection(
    path: Path, read_only: bool, action: Callable[[duckdb.DuckDBPyConnection], T]
) -> T:
    """Run ``action`` on the registry, waiting while another process holds the file.

    DuckDB lets one process write a file at a time; runs started in parallel
    finish at nearly the same moment, and the second should wait, not fail.
    Any other failure of the file is reported as a :class:`RegistryError`
    that names it.
    """
    deadline = time.monotonic() + _LOCK_WAIT_SECONDS
    delay = 0.05
    while True:
        try:
            with duckdb.connect(str(path), read_only=read_only) as con:
                return action(con)
        except duckdb.IOException as exc:
            locked = "lock" in str(exc).lower()
            if not locked:
                raise _damaged(path, exc) from None
            if time.monotonic() > deadline:
                raise RegistryError(
                    f"the run registry {path} is locked by another process; try again when "
                    "it has finished"
                ) from None
        except (duckdb.Error, ValueError) as exc:
            raise _damaged(path, exc) from None
        time.sleep(delay)
        delay = min(delay * 2, 1.0)


def _damaged(path: Path, exc: Exception) -> RegistryError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return RegistryError(f"the run registry {path} is damaged ({first}); {REBUILD_HINT}")


def new_run_id(summary: Mapping[str, Any], created: datetime, salt: object = None) -> str:
    """The run's UTC time plus six hex digits of a hash of its inputs, time and a salt.

    Without a salt a random one is drawn, so that runs started in the same
    second with the same inputs (in parallel) still get distinct ids.
    """
    material = json.dumps(
        {
            "parameters": summary.get("parameters"),
            "scenario": summary["scenario"],
            "scale": summary["scale"],
            "seed": summary["seed"],
            "created": created.isoformat(),
            "salt": secrets.token_hex(8) if salt is None else salt,
        },
        sort_keys=True,
        default=str,
    )
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:6]
    return f"{created:%Y%m%d-%H%M%S}-{digest}"


def created_of(run_id: str) -> datetime:
    """The UTC time a run id encodes (naive, as the registry stores it)."""
    return datetime.strptime(run_id[:15], "%Y%m%d-%H%M%S")


def check_registry(path: Path | None = None) -> None:
    """Refuse, before any work, a registry that is damaged or cannot be written."""
    path = path or default_registry_path()
    if not path.exists():
        return
    if not path.is_file():
        raise RegistryError(f"the run registry {path} is not a file; move it away")
    if not os.access(path, os.R_OK | os.W_OK):
        raise RegistryError(f"the run registry {path} cannot be written (permission denied)")

    def probe(con: duckdb.DuckDBPyConnection) -> None:
        if _has_table(con):
            con.execute(f"{_SELECT} LIMIT 1").fetchall()

    _with_connection(path, True, probe)


def _append_journal(path: Path, entry: Mapping[str, Any]) -> None:
    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
    try:
        with journal_path(path).open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise RegistryError(
            f"the run journal {journal_path(path)} cannot be written ({exc.strerror or exc})"
        ) from None


def insert_rows(con: duckdb.DuckDBPyConnection, rows: list[list[Any]]) -> None:
    con.execute(_CREATE)
    if rows:
        con.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def registry_row(
    run_id: str, created: datetime, summary: Mapping[str, Any], out_dir: str
) -> list[Any]:
    """One row of the table, in the order of :data:`COLUMNS`."""
    missing = [
        k for k in ("scenario", "scale", "seed", "version", "parameters") if k not in summary
    ]
    if missing:
        raise RunOutputError(f"summary lacks {missing}; cannot record the run")
    parameters = json.loads(summary_json(summary["parameters"]))
    return [
        run_id,
        created,
        str(summary["scenario"]),
        float(summary["scale"]),
        int(summary["seed"]),
        str(summary["version"]),
        json.dumps(parameters, ensure_ascii=False),
        out_dir,
        summary_json(summary),
    ]


def record_run(
    summary: Mapping[str, Any],
    out_dir: Path,
    *,
    path: Path | None = None,
    created: datetime | None = None,
) -> str:
    """Add a finished run to the registry and return its run id.

    The id is the summary's ``run_id`` when it has one (a run written by
    :func:`greatterror.model.run.save_run` carries it in its files); otherwise
    a new one is made, salted until it is unused.
    """
    path = path or default_registry_path()
    created = (created or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    out = str(Path(out_dir).resolve())
    given = summary.get("run_id")
    row = registry_row(str(given or ""), created, summary, out)

    def insert(con: duckdb.DuckDBPyConnection) -> str:
        con.execute(_CREATE)
        if given:
            run_id = str(given)
            if con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone():
                raise RegistryError(f"run id {run_id} is already in the registry {path}")
        else:
            salt = 0
            while True:
                run_id = new_run_id(summary, created, salt=[out, salt])
                if con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone() is None:
                    break
                salt += 1
        row[0] = run_id
        if given:
            pause_point("registry")
            _append_journal(
                path,
                {
                    "run_id": run_id,
                    "created": created.isoformat(),
                    "out_dir": out,
                    "summary": json.loads(summary_json(summary)),
                },
            )
        insert_rows(con, [row])
        return run_id

    return _with_connection(path, False, insert)


def _as_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(COLUMNS, row, strict=True))
    record["parameters"] = json.loads(record["parameters"])
    record["summary"] = json.loads(record["summary"])
    return record


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_name = 'runs'"
    ).fetchone()
    return found is not None


def list_runs(*, path: Path | None = None) -> list[dict[str, Any]]:
    """All recorded runs, oldest first; parameters and summary parsed back into dicts."""
    path = path or default_registry_path()
    if not path.exists():
        return []

    def select(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
        if not _has_table(con):
            return []
        rows = con.execute(f"{_SELECT} ORDER BY created, run_id").fetchall()
        return [_as_dict(r) for r in rows]

    return _with_connection(path, True, select)


def get_run(run_id: str, *, path: Path | None = None) -> dict[str, Any] | None:
    """The run with this id, or with this unique id prefix; None when there is none.

    A prefix that fits several runs raises :class:`AmbiguousRunId` rather
    than picking one, since acting on the wrong run would be silent.
    """
    path = path or default_registry_path()
    if not run_id or not path.exists():
        return None

    def select(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
        if not _has_table(con):
            return None
        exact = con.execute(f"{_SELECT} WHERE run_id = ?", [run_id]).fetchone()
        if exact is not None:
            return _as_dict(exact)
        rows = con.execute(
            f"{_SELECT} WHERE starts_with(run_id, ?) ORDER BY run_id", [run_id]
        ).fetchall()
        if len(rows) > 1:
            ids = ", ".join(str(r[0]) for r in rows)
            raise AmbiguousRunId(f"run id prefix '{run_id}' matches several runs: {ids}")
        return _as_dict(rows[0]) if rows else None

    return _with_connection(path, True, select)
