"""The run registry: one row per finished run, so that runs can be found and compared later.

It is a DuckDB file under the home directory (``registry.duckdb``). The
parameters and the whole summary are stored as JSON text, so that a run can
be compared with another long after its output directory was moved away.
Times are UTC, so that run ids sort in the order the runs were made
whatever the machine's time zone.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from greatterror.paths import home_dir
from greatterror.results.outputs import summary_json

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


class AmbiguousRunId(LookupError):
    """A run id prefix matches more than one run; the message lists them."""


def default_registry_path() -> Path:
    return home_dir() / "registry.duckdb"


def _with_connection(
    path: Path, read_only: bool, action: Callable[[duckdb.DuckDBPyConnection], T]
) -> T:
    """Run ``action`` on the registry, waiting while another process holds the file.

    DuckDB lets one process write a file at a time; runs started in parallel
    finish at nearly the same moment, and the second should wait, not fail.
    """
    deadline = time.monotonic() + _LOCK_WAIT_SECONDS
    delay = 0.05
    while True:
        try:
            with duckdb.connect(str(path), read_only=read_only) as con:
                return action(con)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 1.0)


def _run_id(summary: Mapping[str, Any], out_dir: Path, created: datetime, salt: int) -> str:
    material = json.dumps(
        {
            "parameters": summary.get("parameters"),
            "scenario": summary["scenario"],
            "scale": summary["scale"],
            "seed": summary["seed"],
            "created": created.isoformat(),
            "out_dir": str(out_dir),
            "salt": salt,
        },
        sort_keys=True,
        default=str,
    )
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:6]
    return f"{created:%Y%m%d-%H%M%S}-{digest}"


def record_run(
    summary: Mapping[str, Any],
    out_dir: Path,
    *,
    path: Path | None = None,
    created: datetime | None = None,
) -> str:
    """Add a finished run to the registry and return its new run id.

    The id reads as the run's UTC time plus six hex digits of a hash of its
    parameters, seed and time; should two runs still collide, the hash is
    salted until the id is new.
    """
    missing = [
        k for k in ("scenario", "scale", "seed", "version", "parameters") if k not in summary
    ]
    if missing:
        raise ValueError(f"summary lacks {missing}; cannot record the run")
    path = path or default_registry_path()
    created = (created or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    out = Path(out_dir).resolve()
    parameters = json.loads(summary_json(summary["parameters"]))

    def insert(con: duckdb.DuckDBPyConnection) -> str:
        con.execute(_CREATE)
        salt = 0
        while True:
            run_id = _run_id(summary, out, created, salt)
            if con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone() is None:
                break
            salt += 1
        con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                created,
                str(summary["scenario"]),
                float(summary["scale"]),
                int(summary["seed"]),
                str(summary["version"]),
                json.dumps(parameters, ensure_ascii=False),
                str(out),
                summary_json(summary),
            ],
        )
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
