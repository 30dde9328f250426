"""The DuckDB store is built at first use and rebuilt when the data change."""

from __future__ import annotations

import shutil
from pathlib import Path

from greatterror.evidence.store import open_database
from greatterror.paths import evidence_dir


def test_store_builds_and_rebuilds(tmp_path: Path) -> None:
    data = tmp_path / "evidence"
    shutil.copytree(evidence_dir(), data)
    db = tmp_path / "evidence.duckdb"

    with open_database(db, data) as con:
        n_facts = con.execute("SELECT count(*) FROM facts").fetchone()[0]
    assert n_facts > 200
    first_mtime = db.stat().st_mtime_ns

    with open_database(db, data) as con:  # unchanged data: no rebuild
        pass
    assert db.stat().st_mtime_ns == first_mtime

    facts = data / "facts.csv"
    text = facts.read_text(encoding="utf-8")
    lines = text.splitlines()
    # drop a fact nothing else refers to, so the data stay valid
    removable = next(i for i, ln in enumerate(lines) if ln.startswith("G13-total,"))
    del lines[removable]
    facts.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with open_database(db, data) as con:
        assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == n_facts - 1
        assert con.execute("SELECT count(*) FROM facts WHERE id = 'G13-total'").fetchone()[0] == 0
