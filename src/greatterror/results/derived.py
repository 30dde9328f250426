"""Files written into a finished run folder after the run: recorded in its marker.

A run folder is the run's record, and its marker (``greatterror-run.json``)
lets ``compare``, ``runs show``, ``runs rebuild`` and ``--overwrite`` check
that it still holds what the run wrote. ``greatterror report`` writes pages
into the folder afterwards: the interactive page, a page with ensemble
bands, or the static page again with newer code. Such a page is not the
run's own output, so it is recorded apart, under the marker's ``derived``
key, with its SHA-256, when it was written, what it was made from (the
ensemble's runs) and by which code; the run's own entries under ``files``
are never rewritten. A page written again byte for byte as the run wrote it
needs no entry (an old one is dropped).

The report's data are never derived: the tables and summary.json are only
written by the run, and the content hash covers only them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from greatterror.provenance import code_identity
from greatterror.results.rundir import MARKER_FILE, file_digest, read_marker

DERIVED_KEY = "derived"


def record_derived(
    folder: Path, name: str, kind: str, members: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any] | None:
    """Record ``folder/name`` in the folder's marker as derived; return the entry.

    Nothing is recorded in a folder without a marker (a run written before
    markers, or a folder being written by the run itself) or when the file
    is byte for byte the run's own. The marker is replaced atomically.
    """
    folder = Path(folder)
    marker = read_marker(folder)
    if marker is None:
        return None
    digest = file_digest(folder / name)
    derived = dict(marker.get(DERIVED_KEY) or {})
    entry: dict[str, Any] | None = None
    if marker["files"].get(name) == digest:
        derived.pop(name, None)
    else:
        code = code_identity()
        entry = {
            "sha256": digest,
            "created": datetime.now(UTC).replace(tzinfo=None).isoformat(),
            "kind": kind,
            "members": [{"run_id": m.get("run_id"), "seed": m.get("seed")} for m in members[1:]],
            "code": {k: code[k] for k in ("version", "commit", "dirty")},
        }
        derived[name] = entry
    marker = {**marker, DERIVED_KEY: derived}
    if not derived:
        marker.pop(DERIVED_KEY)
    partial = folder / f".{MARKER_FILE}.partial"
    partial.write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, folder / MARKER_FILE)
    return entry
