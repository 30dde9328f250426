"""Write the point a stored fit hands over into a scenario file, with its provenance.

Which point: calibration/choose.py (the rule: the archival scale, each target's median over
the re-check seeds weighed by its tolerance and its Monte Carlo error).

The file is rewritten only in its ``[parameters]`` table: the fitted values
are written in full, preceded by a comment naming the date, the database,
the fit's settings and the re-check. A value the scenario sets for a
parameter the fit did not vary is kept (for the historical scenario: a
fixed parameter whose default lies outside the priors of the hypothesis
scenarios that extend it, ``denunciation_rate``; data/parameters.csv says why); every other
parameter keeps the default of data/parameters.csv. The new text is checked by loading it as a
scenario before it replaces the file, so a failed apply leaves it unchanged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from greatterror.calibration.abc import FitSettings
from greatterror.calibration.seeds import population_seed
from greatterror.errors import GreatterrorError
from greatterror.model.params import BY_NAME


class ApplyError(GreatterrorError, ValueError):
    """The scenario file cannot take the fit's values; the message says why."""


def _value_text(name: str, value: float) -> str:
    if BY_NAME[name].integer:
        return f"{name} = {round(value)}"
    return f"{name} = {float(value)!r}"


def parameters_block(values: dict[str, float], provenance: Sequence[str]) -> str:
    """The ``[parameters]`` table: provenance comment lines, then the values in full."""
    lines = ["[parameters]", *(f"# {line}" for line in provenance)]
    lines += [_value_text(name, values[name]) for name in sorted(values)]
    return "\n".join(lines) + "\n"


def replace_parameters(text: str, block: str) -> str:
    """``text`` with its ``[parameters]`` table (header to the next table) replaced by ``block``."""
    match = re.search(r"^\[parameters\][^\n]*\n", text, flags=re.MULTILINE)
    if match is None:
        raise ApplyError("the scenario file has no [parameters] table to replace")
    following = re.search(r"^\[", text[match.end() :], flags=re.MULTILINE)
    end = match.end() + following.start() if following else len(text)
    return text[: match.start()] + block + "\n" + text[end:]


def temporary(path: Path) -> Path:
    """The file beside ``path`` that ``write_scenario`` writes and checks before it replaces it."""
    return path.with_name(f".{path.name}.apply-{os.getpid()}.toml")


def _unwritable(path: Path, exc: OSError) -> str:
    """An error naming the user's file, not the temporary copy beside it that failed."""
    return (
        f"{path} cannot be written ({exc.strerror or type(exc).__name__} on the temporary "
        "file beside it); give a scenario file in a folder you can write to"
    )


def check_writable(path: Path) -> None:
    """Refuse a scenario file that ``write_scenario`` could not replace, before any work.

    ``calibrate apply`` re-runs its candidates (minutes of simulation) before it writes; a
    folder it cannot write to is found here, by writing and removing the very temporary file
    the write will use, rather than after those runs.
    """
    tmp = temporary(path)
    try:
        tmp.write_text("", encoding="utf-8")
    except OSError as exc:
        raise ApplyError(_unwritable(path, exc)) from None
    finally:
        with contextlib.suppress(OSError):  # a folder in its place stays (unlink refuses it)
            tmp.unlink(missing_ok=True)


def write_scenario(path: Path, values: dict[str, float], provenance: Sequence[str]) -> None:
    """Write the values into the scenario file at ``path``, checked before it is replaced.

    Every error names ``path``, the file the user gave, never the temporary copy beside it
    (``temporary``), which the user did not name and which is gone when the error is read.
    """
    from greatterror.model.scenario import ScenarioError, load_scenario

    unknown = [n for n in values if n not in BY_NAME]
    if unknown:
        raise ApplyError(f"parameters: unknown parameters {', '.join(unknown)}")
    try:
        text = path.read_text(encoding="utf-8")
        kept = tomllib.loads(text).get("parameters", {})
    except OSError as exc:
        raise ApplyError(f"{path} cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:  # changed since it was checked
        raise ApplyError(f"{path} is no longer a valid scenario file: {exc}") from None
    values = {**{k: float(v) for k, v in kept.items() if k not in values}, **values}
    new = replace_parameters(text, parameters_block(values, provenance))
    tmp = temporary(path)
    try:
        try:
            tmp.write_text(new, encoding="utf-8")
            shutil.copymode(path, tmp)  # the replaced file keeps its permissions, not the umask's
        except OSError as exc:
            raise ApplyError(_unwritable(path, exc)) from None
        try:
            load_scenario(tmp)
        except ScenarioError as exc:
            said = str(exc).replace(str(tmp), str(path)).replace(tmp.name, path.name)
            raise ApplyError(f"the new scenario would not load: {said}") from None
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise ApplyError(_unwritable(path, exc)) from None
    finally:
        with contextlib.suppress(OSError):  # a folder in its place stays (unlink refuses it)
            tmp.unlink(missing_ok=True)


def stated_provenance(text: str) -> list[str]:
    """The comment lines that open a scenario file's ``[parameters]`` table, without ``#``."""
    match = re.search(r"^\[parameters\][^\n]*\n((?:#[^\n]*\n)*)", text, flags=re.MULTILINE)
    if match is None:
        return []
    return [line[1:].removeprefix(" ") for line in match.group(1).splitlines()]


def held_lines(varied: Sequence[str], held: Sequence[str], before: Sequence[str]) -> list[str]:
    """What a conditional fit's provenance adds: which values it held, and where they came from.

    A fit that varied some free parameters (``calibrate --free``) decided only those; the
    values it held are those the file had, so their provenance (``before``, the file's comment
    until now) is kept under the new one rather than lost with the replaced comment.
    """
    if not held:
        return []
    before = still_held(before, varied)
    lines = [
        f"Conditional fit: only {', '.join(varied)} varied; the other free parameters",
        f"({', '.join(held)}) were held at the file's values, whose provenance read:",
    ]
    return lines + ([f"  {line}" for line in before] if before else ["  (none stated)"])


_CONDITIONAL = re.compile(r"Conditional fit: only (.+) varied; the other free parameters")


def still_held(before: Sequence[str], varied: Sequence[str]) -> list[str]:
    """``before`` less what it says of values a fit that varies ``varied`` replaces.

    When ``before`` is itself a conditional fit's comment and this fit varies every parameter
    that one varied (the same fit applied again, or a wider one), that fit's own lines are
    about values now replaced: only the provenance nested under its note, that of the values
    it held, still holds. Otherwise all of ``before`` does (a fit of other parameters holds
    the values the earlier one fitted)."""
    for i, line in enumerate(before):
        match = _CONDITIONAL.fullmatch(line)
        if match is not None:
            if set(match.group(1).split(", ")) <= set(varied):
                return [line.removeprefix("  ") for line in before[i + 2 :]]
            break
    return list(before)


def provenance(
    settings: FitSettings,
    db: Path,
    history: Any,
    distances: tuple[float, float],
    candidates: int,
    seeds: Sequence[int],
) -> list[str]:
    """The comment that says where the values come from.

    ``distances``: the chosen point's choosing distance and its median archival distance.
    """
    return [
        f"Fitted by ABC-SMC (greatterror calibrate, pyabc) on {dt.date.today().isoformat()}:",
        f"database {db.name}, scenario {settings.scenario}, scale 1:{1 / settings.scale:,.0f},",
        f"fit seed {settings.seed} (population seed {population_seed(settings.seed)}), "
        f"{settings.particles} particles,",
        f"{history.max_t + 1} generations, {history.total_nr_simulations} simulations, "
        f"greatterror {settings.version}.",
        f"Values: of the last generation's {candidates} particles closest to the record, the one",
        "with the smallest choosing distance (each target's median over the re-check runs over",
        "its archival tolerance and the median's Monte Carlo error) re-run on fitting seeds",
        f"{', '.join(map(str, seeds))} ({distances[0]:.2f}; median archival distance "
        f"{distances[1]:.2f}; greatterror.calibration.choose).",
        "Written by `greatterror calibrate apply`; docs/calibration.md. Parameters that are",
        "not free keep the defaults of data/parameters.csv, or the value below where its",
        "basis column says why.",
    ]
