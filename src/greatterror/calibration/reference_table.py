"""A reference table: simulations of each hypothesis at parameter values drawn from its priors.

Why a table and not only the sequential fit. The joint ABC-SMC comparison
(calibration/compare.py) needs thousands of simulations per generation at the particles
per parameter that its proposal needs (docs/hypotheses.md, "The next comparison"), and a
night's run that this project's sessions (three hours on two cores, nothing running
between them) cannot give it. A table of prior draws can be built in pieces: every row
is an independent simulation, a piece interrupted at any moment loses only the rows not
yet written, and a later session adds rows with the same code. From it come two
readings of the same evidence (calibration/reference_choice.py): rejection ABC's model
probabilities at a tolerance (Grelaud et al. 2009), which need no perturbation kernel,
and a random forest's model choice with its prior error rates (Pudlo et al. 2016).

The table is a directory:

- ``manifest.json``: what defines the table (format and version, the scale, the
  hypotheses and their scenarios, the statistics and their archival values, the code
  that made it, ``provenance.code_identity``, and each block's seeds). Rows made by other
  code or settings are never added to it (``check_extension``).
- ``parts/*.parquet``: the rows, written one piece at a time, each file whole or absent
  (written beside its final name, then renamed). Columns: ``block``, ``hypothesis``,
  ``draw`` (from 1 within a block and hypothesis), ``runaway`` (the run was stopped as a
  runaway, calibration/simulator.py), ``seconds`` (the run's CPU time), ``sim:<target>``
  (the simulated value of each calibration target; NaN for a runaway) and ``par:<name>``
  (the drawn values; NaN where the hypothesis does not draw the parameter).

A block is one repeat: its own synthetic population (``fit_seed``, a fitting seed,
calibration/seeds.py) and its own draws (``draw_seed``). Three blocks are the issue's
three independent repeats.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from greatterror.calibration.simulator import RUNAWAY_STATISTIC
from greatterror.calibration.statistics import FLOOR

FORMAT = "greatterror-reference-table"
VERSION = 1
MANIFEST = "manifest.json"
PARTS = "parts"
SIM, PAR = "sim:", "par:"
#: the file a build holds locked (``build_lock``)
LOCK = ".lock"
#: the columns every part has before its statistics and parameters
KEYS = ("block", "hypothesis", "draw", "runaway", "seconds")


class ReferenceTableError(ValueError):
    """A table that cannot be read or extended as asked; the message names the field."""


@dataclass(frozen=True)
class Reference:
    """A reference table as read: its manifest and all its rows (pandas DataFrame)."""

    path: Path
    manifest: dict[str, Any]
    rows: Any

    @property
    def statistics(self) -> tuple[str, ...]:
        return tuple(self.manifest["statistics"])

    @property
    def hypotheses(self) -> tuple[str, ...]:
        return tuple(self.manifest["hypotheses"])


def read_manifest(path: Path) -> dict[str, Any]:
    """The table's manifest; ReferenceTableError if ``path`` is not a reference table."""
    file = Path(path) / MANIFEST
    if not Path(path).is_dir():
        raise ReferenceTableError(f"PATH: {path} is not a directory (expected a reference table)")
    if not file.is_file():
        raise ReferenceTableError(f"PATH: {path} holds no {MANIFEST}; it is not a reference table")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReferenceTableError(f"PATH: {file} cannot be read as JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ReferenceTableError(f"PATH: {file} is not a {FORMAT} manifest")
    if manifest.get("version") != VERSION:
        raise ReferenceTableError(
            f"PATH: {file} has version {manifest.get('version')!r}; this code reads {VERSION}"
        )
    value = manifest.get("prior_scale", 1.0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ReferenceTableError(
            f"PATH: {file} has prior_scale {value!r}; allowed: a positive finite number"
        )
    return manifest


def table_prior_scale(manifest: Mapping[str, Any]) -> float:
    """The factor by which the table's draws scaled every prior (``compare.scaled_prior``,
    ``reference build --prior-scale``); 1, the declared priors, for a table whose manifest
    has no ``prior_scale`` (those built before the option)."""
    return float(manifest.get("prior_scale", 1.0))


def write_manifest(path: Path, manifest: Mapping[str, Any]) -> None:
    """Write the manifest whole (beside its name, then renamed); ReferenceTableError naming
    ``--table`` if the folder cannot be made or written (a path under a file, no rights)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        _replace(path / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8"))
    except OSError as exc:
        raise ReferenceTableError(f"--table: {path} cannot be written ({exc.strerror})") from None


def _replace(final: Path, data: bytes) -> None:
    tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, final)


def write_part(path: Path, rows: Sequence[Mapping[str, Any]], name: str) -> Path:
    """Write ``rows`` (dicts with ``KEYS``, ``sim:`` and ``par:`` entries) as one part."""
    import pandas as pd

    if not rows:
        raise ValueError("a part holds at least one row")
    frame = pd.DataFrame(list(rows))
    sims = sorted(c for c in frame.columns if c.startswith(SIM))
    pars = sorted(c for c in frame.columns if c.startswith(PAR))
    frame = frame[[*KEYS, *sims, *pars]]
    frame = frame.astype({"block": "int32", "draw": "int32", "runaway": "bool"})
    folder = path / PARTS
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{name}-{uuid.uuid4().hex[:8]}.parquet"
    tmp = final.with_name(f".{final.name}.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, final)
    return final


def read_reference(path: Path | str) -> Reference:
    """The table at ``path``: its manifest and its rows, sorted by block, hypothesis, draw.

    A row repeated in two parts (a piece written twice) is a corrupt table: refused."""
    import pandas as pd

    path = Path(path)
    manifest = read_manifest(path)
    files = sorted((path / PARTS).glob("*.parquet")) if (path / PARTS).is_dir() else []
    frames = [pd.read_parquet(f) for f in files]
    part = np.repeat(np.arange(len(frames)), [len(f) for f in frames])
    columns = [*KEYS, *(SIM + s for s in manifest["statistics"])]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    missing = [c for c in columns if c not in rows.columns]
    if missing:
        raise ReferenceTableError(f"PATH: {path}'s parts lack the columns {', '.join(missing)}")
    twice = rows.duplicated(["block", "hypothesis", "draw"])
    if bool(twice.any()):
        first = rows[twice].iloc[0]
        key = ["block", "hypothesis", "draw"]
        same = (rows[key] == first[key]).all(axis=1).to_numpy()
        where = " and ".join(files[int(i)].name for i in np.unique(part[same]))
        raise ReferenceTableError(
            f"PATH: {path} holds block {first['block']}, {first['hypothesis']}, draw "
            f"{first['draw']} twice (in {where}, under {PARTS}/); a piece was written twice, "
            "as by two builds of one table at once: remove one of the files"
        )
    rows = rows.sort_values(["block", "hypothesis", "draw"], kind="stable").reset_index(drop=True)
    return Reference(path, manifest, rows)


@contextlib.contextmanager
def build_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the table (``LOCK`` in its folder, ``fcntl.flock``) while
    it is built: two builds of one table at once (two sessions) would write the same rows
    twice, and the table would then be refused by every command. The lock ends with the
    process, however it ends; a second build is refused (ReferenceTableError naming --table).

    It is taken before the manifest is read or written (review25 F8), so the folder is made
    here if missing; a build that leaves no manifest (refused before it wrote one) leaves the
    folders as it found them: the lock file removed, and the folders this made (the table's
    and any missing parent) too.

    Removing the lock file lets a build that opened it before the removal lock the removed
    file, while a third opens and locks a new one (review26 F3): so the lock is held only
    if, once taken, the file locked is still the one at ``LOCK`` (same inode); otherwise the
    build is refused ("try again"). The file is removed only by the holder of its lock."""
    import fcntl

    if path.exists() and not path.is_dir():
        raise ReferenceTableError(
            f"--table: {path} is a file; allowed: a directory (made if missing)"
        )
    made = _missing_folders(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        handle = open(path / LOCK, "a+b")  # noqa: SIM115 (held for the with block below)
    except OSError as exc:
        _remove_folders(made)
        raise ReferenceTableError(f"--table: {path} cannot be written ({exc.strerror})") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReferenceTableError(
                f"--table: {path} is being built by another process (it holds "
                f"{path / LOCK}); wait for that build to end, or stop it"
            ) from None
        if not _still_linked(handle, path / LOCK):
            fcntl.flock(handle, fcntl.LOCK_UN)
            raise ReferenceTableError(
                f"--table: {path}'s lock ({path / LOCK}) was removed by another build that "
                "ended as this one started; try again"
            )
        try:
            yield
        finally:
            if not (path / MANIFEST).exists():
                (path / LOCK).unlink(missing_ok=True)
                _remove_folders(made)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _missing_folders(path: Path) -> list[Path]:
    """The folders from ``path`` up that do not exist, deepest first (mkdir will make them)."""
    out = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        out.append(folder)
    return out


def _remove_folders(folders: list[Path]) -> None:
    """Remove the folders (deepest first) while they are empty; stop at the first that is not."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def _still_linked(handle: Any, lock: Path) -> bool:
    """Whether the open file ``handle`` is the file at ``lock`` (not one removed since)."""
    try:
        linked = lock.stat()
    except FileNotFoundError:
        return False
    mine = os.fstat(handle.fileno())
    return (mine.st_ino, mine.st_dev) == (linked.st_ino, linked.st_dev)


def log_ratio_features(ref: Reference) -> Any:
    """One column per statistic: log(max(simulated, 1) / archival), as
    ``statistics.log_ratios`` computes a run's; a runaway row gets ``RUNAWAY_STATISTIC``
    on every column, as the fit's statistics give it (``FitModel.__call__``). The archival
    record is then the zero vector (``statistics.observed``)."""
    import pandas as pd

    out = {}
    runaway = ref.rows["runaway"].to_numpy(dtype=bool)
    for sid in ref.statistics:
        sim = ref.rows[SIM + sid].to_numpy(dtype=float)
        archival = float(ref.manifest["archival"][sid])
        with np.errstate(invalid="ignore"):
            value = np.log(np.maximum(sim, FLOOR) / archival)
        out[sid] = np.where(runaway, RUNAWAY_STATISTIC, value)
    return pd.DataFrame(out, index=ref.rows.index)


def check_extension(stored: Mapping[str, Any], wanted: Mapping[str, Any]) -> None:
    """Refuse to add rows to a table defined otherwise: ``wanted`` is the manifest the
    new rows would have. The blocks may grow (a new block is a new repeat), nothing else
    may differ; the code must be the same (``provenance.code_change``)."""
    from greatterror.provenance import code_change

    mine, given = table_prior_scale(stored), table_prior_scale(wanted)
    if _differs(mine, given):
        raise ReferenceTableError(
            f"--prior-scale: the table was drawn with prior_scale {mine:g}, not {given:g}; "
            f"extend it with --prior-scale {mine:g} or start a new table"
        )
    for key in ("scale", "hypotheses", "statistics", "archival", "base_seed"):
        if _differs(stored.get(key), wanted.get(key)):
            raise ReferenceTableError(
                f"--table: the table was made with another {key} ({stored.get(key)!r}); "
                "start a new table"
            )
    for block, seeds in stored.get("blocks", {}).items():
        if block in wanted.get("blocks", {}) and wanted["blocks"][block] != seeds:
            raise ReferenceTableError(f"--table: block {block} was made with the seeds {seeds}")
    if changed := code_change(stored.get("code")):
        code = stored.get("code") or {}
        commit = str(code.get("commit") or "")[:12]
        if not commit:
            raise ReferenceTableError(f"--table: the table was {changed}; start a new table")
        dirty = " and its uncommitted changes" if code.get("dirty") else ""
        raise ReferenceTableError(
            f"--table: the table was {changed}; extend it from a checkout of {commit}{dirty}: "
            f"git worktree add --detach DIR {commit}, then build from DIR (or start a new table)"
        )


def _differs(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return not math.isclose(a, b, rel_tol=1e-12)
    return bool(a != b)
