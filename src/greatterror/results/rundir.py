"""Run folders: written atomically, marked as greatterror's, and checkable against the registry.

A finished run folder holds a marker file, ``greatterror-run.json``, with
the run's id, its content hash and the SHA-256 of every file it wrote. The
marker is what lets ``--overwrite`` replace a folder only when it holds a
previous run, and what lets ``compare`` and ``runs show`` tell whether the
folder still holds the run the registry describes (it may have been
overwritten by a later run, or edited).

The content hash covers the run's data: the two Parquet tables and the
summary without its ``run_id`` and ``content_hash`` keys. The summary holds
the run's provenance (the scenario's file and content hash, the switches,
parameters, scale, seeds and the ``code`` block: version, git commit, dirty
flag, hashes of the source and data), so two runs share a content hash when
all of these agree; their ids differ. A commit that changes only the
documentation changes the hash too, as does running the same code from a
checkout and from an installed copy (the commit is known only in the first).

Folders are written under a hidden sibling name that carries the writer's
process id (``.NAME.partial-PID-TOKEN``) and renamed into place when
complete. A writer killed half-way leaves such a folder behind; the next
write into the same parent folder removes it once that process is gone.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from greatterror.results.outputs import (
    CHANNELS_FILE,
    REPORT_FILE,
    SUMMARY_FILE,
    TIMESERIES_FILE,
    RunOutputError,
    summary_json,
)

MARKER_FILE = "greatterror-run.json"
#: the files whose bytes the content hash covers, besides the summary
DATA_FILES = (TIMESERIES_FILE, CHANNELS_FILE)
#: keys of summary.json that identify a run rather than describe its content
IDENTITY_KEYS = ("run_id", "content_hash")
_PARTIAL, _OLD = "partial", "old"
#: every file a run writes, marker aside
_OUTPUT_FILES = (*DATA_FILES, SUMMARY_FILE, REPORT_FILE)


class OutputNames(NamedTuple):
    """How the caller spells the output folder and the leave to replace it, for the messages:
    one check serves the command line (``--out``, ``--overwrite``) and ``Sim.save`` (``out=``,
    ``overwrite=True``), and each caller is told in the names it typed."""

    out: str
    overwrite: str


CLI_NAMES = OutputNames("--out", "--overwrite")
API_NAMES = OutputNames("out", "overwrite=True")


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_hash(folder: Path, summary: Mapping[str, Any]) -> str:
    """SHA-256 of the data tables in ``folder`` and the summary without its identity keys."""
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update(f"{name}\0{file_digest(folder / name)}\n".encode())
    content = {k: v for k, v in summary.items() if k not in IDENTITY_KEYS}
    digest.update(f"{SUMMARY_FILE}\0".encode() + summary_json(content).encode("utf-8"))
    return digest.hexdigest()


def write_marker(folder: Path, run_id: str, content: str, created: str) -> None:
    """The marker lists every file of the folder with its digest; written last."""
    files = {p.name: file_digest(p) for p in sorted(folder.iterdir()) if p.name != MARKER_FILE}
    marker = {"run_id": run_id, "content_hash": content, "created": created, "files": files}
    (folder / MARKER_FILE).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def recorded_files(marker: Mapping[str, Any]) -> dict[str, str]:
    """Every file the marker vouches for, with its SHA-256: the run's own files, and the
    files written into the folder later and recorded as derived (``results/derived.py``);
    a derived file of the same name (a report written again) replaces the run's entry."""
    files = {str(k): str(v) for k, v in marker["files"].items()}
    derived = marker.get("derived")
    if isinstance(derived, dict):
        for name, entry in derived.items():
            if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
                files[str(name)] = entry["sha256"]
    return files


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The folder's marker, or None when it has none or it is unreadable."""
    try:
        marker = json.loads((Path(folder) / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or not isinstance(marker.get("files"), dict):
        return None
    return marker


def folder_problem(folder: Path, run_id: str, content: str | None) -> str | None:
    """Why ``folder`` no longer holds run ``run_id`` as written, or None when it does.

    Checked before any file of the folder is used, so that a folder reused by
    a later run (``--overwrite``) or edited by hand is never read as this run.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return f"its output folder {folder} no longer exists"
    marker = read_marker(folder)
    if marker is None:
        return f"its output folder {folder} holds no readable {MARKER_FILE}"
    if marker.get("run_id") != run_id:
        return f"its output folder {folder} now holds another run ({marker.get('run_id')})"
    if content is not None and marker.get("content_hash") != content:
        return f"its output folder {folder} holds content that differs from the registry's"
    for name, digest in sorted(recorded_files(marker).items()):
        path = folder / name
        if not path.is_file():
            return f"{path} is missing"
        if file_digest(path) != digest:
            return f"{path} was changed after the run wrote it"
    return None


def _is_ancestor_or_same(path: Path, other: Path) -> bool:
    return path == other or path in other.parents


def _describe_entries(entries: Iterable[Path], limit: int = 5) -> str:
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in entries)
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def write_problem(folder: Path) -> str | None:
    """Why nothing can be created in ``folder``, or None when something can.

    Tried for real (a hidden folder is made and removed at once) rather than
    asked of ``os.access``, which says yes to root everywhere, even in /proc
    and /sys, and knows nothing of read-only mounts.
    """
    try:
        probe = tempfile.mkdtemp(prefix=".greatterror-probe-", dir=folder)
    except OSError as exc:
        return f"creating a file there fails: {exc.strerror or type(exc).__name__}"
    os.rmdir(probe)
    return None


def check_output_dir(out_dir: Path, overwrite: bool, spelling: OutputNames = CLI_NAMES) -> None:
    """Refuse an output folder that cannot be, or must not be, written; nothing is written.

    Allowed: a folder that does not exist yet (under a writable ancestor), an
    empty folder, or, with ``overwrite``, a folder that holds a previous
    greatterror run and nothing else. The messages use the caller's ``spelling``.
    """
    out_dir = Path(out_dir)
    where = f"{spelling.out}: {out_dir}"
    resolved = out_dir.resolve()
    if _is_ancestor_or_same(resolved, Path.cwd().resolve()):
        raise RunOutputError(
            f"{where} is the current folder or one of its parents; choose a new folder for the run"
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise RunOutputError(f"{where} exists and is not a folder; give a folder path")
    ancestor = resolved if out_dir.exists() else resolved.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise RunOutputError(f"{where}: {ancestor} is a file, not a folder")
    writable_parent = resolved.parent if out_dir.exists() else ancestor
    problem = write_problem(writable_parent)
    if problem:
        raise RunOutputError(f"{where}: cannot write in {writable_parent} ({problem})")
    if not out_dir.is_dir():
        return
    entries = list(out_dir.iterdir())
    if not entries:
        return
    if not overwrite:
        raise RunOutputError(
            f"{where} already exists and is not empty; choose another folder or pass "
            f"{spelling.overwrite}"
        )
    marker = read_marker(out_dir)
    names = {p.name for p in entries}
    if marker is None and SUMMARY_FILE in names and names <= set(_OUTPUT_FILES):
        return  # a run written before run folders had markers: its files and nothing else
    if marker is None:
        raise RunOutputError(
            f"{where} holds no previous greatterror run (no {MARKER_FILE}); "
            f"{spelling.overwrite} replaces only a run folder. Found: {_describe_entries(entries)}"
        )
    known = {*recorded_files(marker), MARKER_FILE}
    foreign = [p for p in entries if p.name not in known]
    if foreign:
        raise RunOutputError(
            f"{where} holds files that are not part of run {marker.get('run_id')}: "
            f"{_describe_entries(foreign)}; move them away or choose another folder"
        )


def check_output_file(path: Path, option: str = "--out") -> None:
    """Refuse a file path that cannot be written: a folder, or under a file or a read-only folder."""
    path = Path(path)
    if path.is_dir():
        raise RunOutputError(f"{option}: {path} is a folder; give a file path")
    ancestor = path.resolve().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise RunOutputError(f"{option}: {path}: {ancestor} is a file, not a folder")
    problem = write_problem(ancestor)
    if problem is None and path.exists():
        try:
            with path.open("ab"):  # appends nothing: the file is left as it is
                pass
        except OSError as exc:
            problem = exc.strerror or type(exc).__name__
    if problem:
        raise RunOutputError(f"{option}: {path} cannot be written ({problem})")


def check_plot_dir(path: Path, option: str = "--out") -> None:
    """Refuse a folder for plots or tables that cannot be made or written; nothing is written.

    The folder may exist (its files are replaced) or not (it is made with its parents).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise RunOutputError(f"{option}: {path} is a file; give a folder (made if missing)")
    ancestor = path.resolve()
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise RunOutputError(f"{option}: {path}: {ancestor} is a file, not a folder")
    problem = write_problem(ancestor)
    if problem:
        raise RunOutputError(f"{option}: {path} cannot be written in {ancestor} ({problem})")


def _sibling(out_dir: Path, tag: str) -> Path:
    # Hidden and in the same folder, so that the final rename stays on one
    # filesystem (and is therefore atomic); the pid tells a later run whether
    # the writer is still alive.
    return out_dir.parent / f".{out_dir.name}.{tag}-{os.getpid()}-{secrets.token_hex(4)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def clean_leftovers(out_dir: Path) -> list[Path]:
    """Remove the partial folders of killed writers next to ``out_dir``; return what was removed.

    A leftover ``.old`` folder is the previous run of an interrupted
    ``--overwrite``: it is put back if nothing replaced it, removed otherwise.
    """
    out_dir = Path(out_dir)
    parent = out_dir.parent
    if not parent.is_dir():
        return []
    removed = []
    for path in sorted(parent.glob(f".{glob.escape(out_dir.name)}.*-*-*")):
        tag, _, rest = path.name.removeprefix(f".{out_dir.name}.").partition("-")
        pid_text = rest.split("-", 1)[0]
        if tag not in (_PARTIAL, _OLD) or not pid_text.isdigit() or _pid_alive(int(pid_text)):
            continue
        if tag == _OLD and not out_dir.exists():
            path.rename(out_dir)
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def write_run_atomically(
    out_dir: Path,
    writer_fn: Callable[[Path], None],
    *,
    overwrite: bool = False,
    spelling: OutputNames = CLI_NAMES,
) -> Path:
    """Call ``writer_fn(tmp_dir)`` and move ``tmp_dir`` to ``out_dir`` only if it returned.

    ``out_dir`` is checked first (:func:`check_output_dir`): an existing
    non-empty folder is replaced only with ``overwrite`` and only when it
    holds a previous run; the old folder is removed after the new one is in
    place.
    """
    out_dir = Path(out_dir)
    check_output_dir(out_dir, overwrite, spelling)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out_dir)
    tmp = _sibling(out_dir, _PARTIAL)
    tmp.mkdir()
    try:
        writer_fn(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old: Path | None = None
    if out_dir.exists():
        old = _sibling(out_dir, _OLD)
        out_dir.rename(old)
    try:
        tmp.rename(out_dir)
    except BaseException:
        if old is not None:
            old.rename(out_dir)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return out_dir
