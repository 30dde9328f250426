"""Read a CSV data file into validated row models.

Kept apart from the evidence loader because the population data files are
read the same way: the same header check and the same file/line/field
error messages.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from greatterror.evidence.errors import DataFileError

M = TypeVar("M", bound=BaseModel)


def _describe(error: dict[str, object]) -> str:
    """Turn one pydantic error into a sentence with the allowed values, if any."""
    ctx = error.get("ctx")
    got = error.get("input")
    if isinstance(ctx, dict) and "expected" in ctx:
        return (
            f"{got!r} is not allowed; allowed values: {str(ctx['expected']).replace(chr(39), '')}"
        )
    message = str(error.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    if got is None:
        return f"{message} (the cell is empty)"
    if not isinstance(got, dict):
        return f"{message} (got {got!r})"
    return message


def read_rows(path: Path, model: type[M], label: str | None = None) -> list[tuple[int, M]]:
    """Return (line number, row) pairs; empty cells become None.

    The header must name exactly the model's fields, in any order, so that a
    renamed or missing column is caught rather than silently read as empty.
    """
    label = label or path.name
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise DataFileError(
            label, line, None, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise DataFileError(label, None, None, f"cannot be read ({exc.strerror or exc})") from None
    return _parse(text, model, label)


def _parse(text: str, model: type[M], label: str) -> list[tuple[int, M]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return _rows(reader, model, label)
    except csv.Error as exc:
        raise DataFileError(label, reader.line_num or None, None, f"not valid CSV: {exc}") from None


def _rows(reader: csv.DictReader[str], model: type[M], label: str) -> list[tuple[int, M]]:
    expected = list(model.model_fields)
    header = reader.fieldnames or []
    missing = [c for c in expected if c not in header]
    unexpected = [c for c in header if c not in expected]
    if missing or unexpected:
        problem = "header does not match the schema"
        if missing:
            problem += f"; missing columns: {', '.join(missing)}"
        if unexpected:
            problem += f"; unexpected columns: {', '.join(unexpected)}"
        raise DataFileError(label, 1, None, problem)
    rows: list[tuple[int, M]] = []
    for record in reader:
        line = reader.line_num
        if None in record:
            # checked first: the surplus cells come as a list under the key None
            extra = len(record[None])
            raise DataFileError(
                label,
                line,
                None,
                f"row has {len(header) + extra} cells but the header has {len(header)} "
                "(is a text cell with a comma missing its quotes?)",
            )
        cleaned = {k: (v.strip() if v and v.strip() else None) for k, v in record.items()}
        try:
            rows.append((line, model.model_validate(cleaned)))
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = first.get("loc") or ()
            field = str(loc[0]) if loc else None
            problem = _describe(dict(first))
            if field is None and ": " in problem:
                # model-level checks name their field as "field: problem"
                field, problem = problem.split(": ", 1)
            raise DataFileError(label, line, field, problem) from None
    return rows
