"""The SQLite files of fits and comparisons, checked before pyabc opens them.

pyabc's ``History`` creates its schema in whatever file it is given: handed
an empty file, or any SQLite database, by a read-only command (``calibrate
show``, ``hypotheses compare check``), it would turn that file into an empty
pyabc database, and a text file would fail with SQLAlchemy's own wording.
The file is therefore read here first, read-only, and refused unless it is a
SQLite database holding pyabc's tables. A new database is tried for real
(one is made and removed in its folder) before a fit starts, since
``os.access`` says yes to root even in /proc and /sys.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from urllib.parse import quote

#: the first 16 bytes of every SQLite 3 database file
SQLITE_HEADER = b"SQLite format 3\x00"
#: the tables pyabc's History writes (pyabc/storage/db_model.py)
PYABC_TABLES = frozenset({"abc_smc", "populations", "models", "particles", "parameters", "samples"})


def file_problem(path: Path) -> str | None:
    """Why no database file can be read at ``path`` ("does not exist", "is a directory; ..."),
    or None for a regular file. A directory is named as one: "does not exist" for a folder
    that is there, after "exists; pass --resume" for the same path, sent users round in a
    circle (review8 F6)."""
    path = Path(path)
    if path.is_file():
        return None
    if path.is_dir():
        return "is a directory; give the database file"
    if path.exists():
        return "is not a regular file; give the database file"
    return "does not exist"


def stored_db_problem(path: Path) -> str | None:
    """Why ``path`` is not a pyabc database, or None when it is one; the file is not changed."""
    path = Path(path)
    unreadable = file_problem(path)
    if unreadable:
        return f"it {unreadable}"
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or type(exc).__name__})"
    if not header:
        return "it is empty"
    if header != SQLITE_HEADER:
        return "it is not a SQLite database"
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            tables = {row[0] for row in rows}
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return f"it cannot be read as a SQLite database ({exc})"
    missing = sorted(PYABC_TABLES - tables)
    if missing:
        return f"it is a SQLite database without pyabc's tables ({', '.join(missing)} missing)"
    return None


def new_db_problem(path: Path) -> str | None:
    """Why a new database cannot be written at ``path``, or None when one can.

    A scratch database is created in the same folder, written and removed.
    """
    folder = Path(path).parent
    if not folder.is_dir():
        return f"the directory {folder} does not exist"
    try:
        handle, scratch = tempfile.mkstemp(prefix=".greatterror-probe-", suffix=".db", dir=folder)
    except OSError as exc:
        return f"cannot write in {folder} ({exc.strerror or type(exc).__name__})"
    os.close(handle)
    try:
        connection = sqlite3.connect(scratch)
        try:
            connection.execute("CREATE TABLE probe (x INTEGER)")
            connection.commit()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return f"cannot write a SQLite database in {folder} ({exc})"
    finally:
        for leftover in (scratch, scratch + "-journal"):
            if os.path.exists(leftover):
                os.remove(leftover)
    return None


def resume_problem(db: Path, resume: bool) -> str | None:
    """Why ``--db`` does not suit ``--resume`` (or its absence), as the message after
    "--db: "; None if it does. One rule for the commands and scripts/refit_historical.py,
    which must judge its --db before step 1 runs ``calibrate`` (review34 F1)."""
    problem = file_problem(db)
    if db.exists() and problem:
        return f"{db} {problem}"
    if db.exists() and not resume:
        return f"{db} exists; pass --resume to continue it, or choose another path"
    if resume and not db.exists():
        return f"{db} does not exist, so there is nothing to resume"
    return None
