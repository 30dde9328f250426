"""The single error type raised for broken data files."""

from __future__ import annotations

from greatterror.errors import GreatterrorError


class DataFileError(GreatterrorError, ValueError):
    """A data file is malformed; the message names the file, the line and the field."""

    #: the data files ship with the package, so a broken one is not the caller's input
    exit_code = 1

    def __init__(self, file: str, line: int | None, field: str | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.problem = problem
        where = file
        if line is not None:
            where += f", line {line}"
        if field is not None:
            where += f", field '{field}'"
        super().__init__(f"{where}: {problem}")
