"""What identifies a run's inputs: the code, the scenario, and what may differ between runs.

A run's results are only comparable with another's when both were made by
the same code from the same inputs. The package version alone does not say
that: it stays "0.1.0" across every commit. So a run records

* ``code``: the package's git commit and whether its source folder differed
  from that commit (when run from a git checkout), and SHA-256 hashes of the
  package's Python source and of its data files (parameters.csv, population/
  and evidence/ data), which identify the code even outside git;
* ``scenario_source``: the scenario's file (if it was read from one) and a
  hash of its resolved content (dates, events, switches, parameters, priors,
  after ``extends``), so that a copy of ``historical.toml`` with another end
  date is not taken for the historical scenario.

:func:`identity_differences` lists every setting in which runs differ, for
``compare`` (shown as a table) and for ensembles (refused).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import subprocess
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from greatterror import __version__

PACKAGE_DIR = Path(__file__).parent
#: the keys of ``code`` that say whether two runs ran the same code (a new commit that
#: changes neither the source nor the data does not change the model)
CODE_IDENTITY = ("version", "source", "data")


def _tree_hash(root: Path, pattern: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob(pattern)):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(PACKAGE_DIR), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@lru_cache(maxsize=1)
def code_identity() -> dict[str, Any]:
    """The code this process runs: version, git commit and dirtiness, source and data hashes.

    Computed once per process (about 20 ms): the code a process runs is the
    code it imported. ``commit`` and ``dirty`` are None outside a git
    checkout; ``dirty`` considers only the package's own folder (tests and
    docs do not change a run).
    """
    # a checkout that tracks this package: not an unrelated repository that happens to
    # hold an installed copy (a virtual environment inside a project)
    tracked = _git("ls-files", "--error-unmatch", "__init__.py") is not None
    commit = _git("rev-parse", "HEAD") if tracked else None
    dirty: bool | None = None
    if commit is not None:
        status = _git("status", "--porcelain", "--", ".")
        dirty = None if status is None else bool(status)
    return {
        "version": __version__,
        "commit": commit,
        "dirty": dirty,
        "source": _tree_hash(PACKAGE_DIR, "*.py"),
        "data": _tree_hash(PACKAGE_DIR / "data", "*"),
    }


def code_label(code: Mapping[str, Any] | None) -> str:
    """A short reading of a ``code`` block: ``0.1.0 abc1234+dirty src 1a2b3c4d``."""
    if not code:
        return "not recorded"
    commit = code.get("commit")
    where = f" {str(commit)[:7]}{'+dirty' if code.get('dirty') else ''}" if commit else ""
    return f"{code.get('version')}{where} src {str(code.get('source'))[:8]} data {str(code.get('data'))[:8]}"


def same_code(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
    return all((a or {}).get(k) == (b or {}).get(k) for k in CODE_IDENTITY)


def code_change(stored: Mapping[str, Any] | None) -> str | None:
    """Why ``stored`` (a database's or a run's ``code`` block) is not this process's code, or
    None when it is, or when nothing was stored (databases made before 5 Dec 2026)."""
    if stored is None or same_code(stored, code_identity()):
        return None
    return f"made by code {code_label(stored)}, this is {code_label(code_identity())}"


def content_digest(value: Any) -> str:
    """SHA-256 of a JSON-able value written canonically (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scenario_source(scenario: Any) -> dict[str, Any]:
    """The scenario's file (None when made in Python) and the hash of its resolved content.

    The content is the scenario as defined (after ``extends``), before any
    ``--set`` or ``mechanisms=`` given for the run, which the summary
    records apart (``overrides``, ``mechanism_overrides``).
    """
    path = getattr(scenario, "path", None)
    content = scenario.model_dump(mode="json")
    if content.get("centre_reading") == "linear":
        # the default, the reading of every scenario before the field existed: left out, so
        # that a scenario's hash is the one its runs recorded before (model/centre_reading.py)
        del content["centre_reading"]
    return {"path": None if path is None else str(path), "hash": content_digest(content)}


def _differs(values: Sequence[Any]) -> bool:
    return any(v != values[0] for v in values[1:])


def identity_differences(summaries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every setting, other than the seeds, scale and code, in which the runs differ.

    Rows ``{"name", "kind", "values"}``: the scenario by name, by content
    (hash) and period; each mechanism switch; each parameter. A summary
    written before a field was recorded shows None there, which differs
    from a recorded value: an unknown setting is not taken as equal.
    """
    rows: list[dict[str, Any]] = []

    def add(name: str, kind: str, values: list[Any]) -> None:
        if _differs(values):
            rows.append({"name": name, "kind": kind, "values": values})

    add("scenario", "scenario", [s.get("scenario") for s in summaries])
    sources = [s.get("scenario_source") or {} for s in summaries]
    add(
        "scenario content (hash)", "scenario", [(x.get("hash") or "")[:12] or None for x in sources]
    )
    add("scenario start", "scenario", [s.get("start") for s in summaries])
    add("scenario end", "scenario", [s.get("end") for s in summaries])
    add("policy mode", "scenario", [s.get("policy_mode") for s in summaries])
    switches = [s.get("mechanisms") for s in summaries]
    names = dict.fromkeys(k for m in switches for k in m or {})
    for name in names:
        values = [None if m is None else m.get(name) for m in switches]
        add(
            f"mechanism {name}",
            "mechanism",
            ["on" if v else "off" if v is not None else None for v in values],
        )
    blocks = [s.get("parameters") or {} for s in summaries]
    for name in dict.fromkeys(k for b in blocks for k in b):
        add(name, "parameter", [b.get(name) for b in blocks])
    return rows


def output_provenance(
    scenarios: Mapping[str, Any], seeds: Sequence[int], scale: float
) -> dict[str, Any]:
    """The provenance block of an output that is not a run folder (counterfactual,
    sensitivity): an id (UTC time and six random hex digits, as a run id), when it
    was made, the code, and the scenarios' sources, seeds and scale it was made from."""
    created = datetime.now(UTC).replace(tzinfo=None)
    return {
        "id": f"{created:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}",
        "created": created.isoformat(),
        "version": __version__,
        "code": code_identity(),
        "scenarios": {k: scenario_source(v) for k, v in scenarios.items()},
        "seeds": list(seeds),
        "scale": scale,
    }
