"""Operational lines: the categories of people each mass and national operation's order named.

Each order listed its "lines" (the former kulak, the churchman, the former prisoner of war of
the Polish army, the former employee of the Chinese Eastern Railway...), and each line was an
NKVD register of individuals, many of them not of the operation's nationality. Here each line
is a register of adults with the sex and age profile of data/population/lines.csv:

- ``mark`` lines are the register marks the population already carries
  (population/kernels_marks.py), so their sizes and profiles are the marks';
- ``drawn`` lines are drawn once, at the start, from a stream of their own
  (model/line_draws.py): ``national_share`` of their members from the adults of the
  operation's nationalities, the rest from the adults of any nationality in the regions where
  those nationalities live, each with the line's share of men and age range (rejection: only
  those who fit are taken); a person is on one drawn line at most, and a line holds its
  stated size (where the nationality runs short, the rest come from the same regions' adults);
- ``camps`` is the Gulag's own unit; ``profile`` (Order 00447's "other
  anti-Soviet elements") has no register and is drawn when arrested.

A line's size never comes from the operation's arrests or convictions. What the summary counts
by line after a run (``line_totals``, ``own_nationality_shares``) is in model/summary_groups.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from numba import njit
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from greatterror.evidence.csvrows import read_rows
from greatterror.evidence.errors import DataFileError
from greatterror.evidence.schema import split_keys
from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.paths import population_data_dir
from greatterror.population.codes import MIN_ARREST_AGE, Mark, Nationality
from greatterror.population.people import Population
from greatterror.vocabulary import LINES, LINES_OF, LN


class LineRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    line: str
    operation: str
    category: str
    kind: str = Field(pattern=r"^(mark:[A-Z_|]+|drawn|camps|profile)$")
    value: float | None = Field(default=None, gt=0)
    value_low: float | None = Field(default=None, gt=0)
    value_high: float | None = Field(default=None, gt=0)
    unit: Literal["persons"]
    male_share: float | None = Field(default=None, ge=0, le=1)
    male_share_low: float | None = Field(default=None, ge=0, le=1)
    male_share_high: float | None = Field(default=None, ge=0, le=1)
    category_share: float | None = Field(default=None, gt=0, le=1)
    category_share_low: float | None = Field(default=None, gt=0, le=1)
    category_share_high: float | None = Field(default=None, gt=0, le=1)
    age_low: int | None = Field(default=None, ge=MIN_ARREST_AGE, le=100)
    age_high: int | None = Field(default=None, ge=MIN_ARREST_AGE, le=100)
    nationalities: list[str] = Field(default_factory=list)
    national_share: float | None = Field(default=None, ge=0, le=1)
    source: list[str] = Field(min_length=1)
    confidence: Literal["high", "medium", "low"]
    prior: str | None = None
    note: str

    _split = field_validator("source", mode="before")(lambda v: split_keys(v))

    @field_validator("nationalities", mode="before")
    @classmethod
    def _nationalities(cls, v: object) -> list[str]:
        names = [] if v is None else [s.strip() for s in str(v).split(";") if s.strip()]
        allowed = [n.name for n in Nationality if n != Nationality.NONE]
        for name in names:
            if name not in allowed:
                raise ValueError(f"{name!r} is not allowed; allowed values: {', '.join(allowed)}")
        return names

    @model_validator(mode="after")
    def _complete(self) -> LineRow:
        if self.operation not in LINES_OF or self.line not in LINES_OF[self.operation]:
            known = ", ".join(f"{op}: {' '.join(lines)}" for op, lines in LINES_OF.items())
            raise ValueError(f"line {self.line!r} of {self.operation!r} is unknown; known: {known}")
        if self.kind.startswith("mark:"):
            for name in self.kind[5:].split("|"):
                if name not in Mark.__members__:
                    allowed = ", ".join(Mark.__members__)
                    raise ValueError(f"mark {name!r} is not allowed; allowed values: {allowed}")
        needs = {
            "drawn": ("value", "male_share", "age_low", "age_high", "national_share"),
            "profile": ("male_share", "age_low", "age_high"),
        }.get(self.kind, ())
        for name in needs:
            if getattr(self, name) is None:
                raise ValueError(f"a {self.kind!r} line needs {name} (the cell is empty)")
        if self.category_share is not None and not self.kind.startswith("mark:"):
            raise ValueError(
                "category_share applies to a 'mark' line only (a register wider than the category)"
            )
        if self.category_share is not None:
            low = self.category_share_low or self.category_share
            high = self.category_share_high or self.category_share
            if not low <= self.category_share <= high:
                raise ValueError(
                    f"category_share {self.category_share} is not allowed; allowed values: "
                    f"category_share_low {low} to category_share_high {high}"
                )
        if self.kind == "drawn" and not self.nationalities:
            raise ValueError("a 'drawn' line needs nationalities (the cell is empty)")
        if self.source == ["none"] and self.prior is None and self.kind == "drawn":
            raise ValueError("a line without a source needs a prior")
        return self


@dataclass(frozen=True)
class LineSpec:
    """One line as the model uses it."""

    name: str
    operation: str
    register: str
    size: float  # full-population persons (0 if the register is not drawn)
    male_share: float | None  # the order's category; None: the register's own
    age_low: int
    age_high: int
    nationalities: tuple[int, ...]
    national_share: float
    #: the share of the register's people the order's category names (1: all of them)
    category_share: float = 1.0

    @property
    def code(self) -> int:
        return LN[self.name]


def load_lines(path: Path | None = None) -> dict[str, LineSpec]:
    """The lines of data/population/lines.csv, one for each line of ``LINES_OF``."""
    path = path or population_data_dir() / "lines.csv"
    label = f"{path.parent.name}/{path.name}"
    out: dict[str, LineSpec] = {}
    for number, row in read_rows(path, LineRow, label):
        if row.line in out:
            raise DataFileError(label, number, "line", f"{row.line!r} is listed twice")
        out[row.line] = LineSpec(
            name=row.line,
            operation=row.operation,
            register=row.kind,
            size=float(row.value or 0.0),
            male_share=row.male_share,
            age_low=int(row.age_low or MIN_ARREST_AGE),
            age_high=int(row.age_high or 100),
            nationalities=tuple(int(Nationality[n]) for n in row.nationalities),
            national_share=float(row.national_share or 0.0),
            category_share=float(row.category_share or 1.0),
        )
    missing = [line for line in LINES[1:] if line not in out]
    if missing:
        raise DataFileError(label, None, "line", f"no row for {', '.join(missing)}")
    return out


def line_of_marks(marks: NDArray[np.uint8], specs: dict[str, LineSpec]) -> NDArray[np.uint8]:
    """Each person's Order 00447 line from his register marks, the first of the order's lines
    that lists one of them ("none" if no mark is on a line of the order)."""
    return lines_of_marks(marks, mark_lines(specs))


def lines_of_marks(marks: NDArray[np.uint8], found: list[tuple[int, int]]) -> NDArray[np.uint8]:
    """``line_of_marks`` with the lines' marks already read (``mark_lines``)."""
    out = np.zeros(len(marks), dtype=np.uint8)
    for bits, code in found:
        out[(marks & bits) != 0] = code
    return out


def mark_lines(specs: dict[str, LineSpec]) -> list[tuple[int, int]]:
    """``(marks' bits, line code)`` of Order 00447's lines read from register marks, in the
    order ``lines_of_marks`` applies them (the last applied wins). ``Registers.mark_lines``
    keeps them for a run, so they are not read again on each of the operation's days (about
    20 Python-level calls each time); kept there rather than in this module, so that no run
    can see another's (review32 F1)."""
    found = []
    for name in reversed(LINES_OF["kulak_00447"]):
        spec = specs[name]
        if not spec.register.startswith("mark:"):
            continue
        bits = 0
        for mark in spec.register[5:].split("|"):
            bits |= int(Mark[mark])
        found.append((bits, spec.code))
    return found


def line_00447(
    marks: NDArray[np.uint8],
    region: NDArray[np.uint8],
    camps_region: int,
    found: list[tuple[int, int]],
    unregistered: int,
) -> NDArray[np.uint8]:
    """Order 00447 lines of people arrested under it: the camp line for the Gulag's own unit,
    else the line of their marks (``found``: ``mark_lines``), else ``unregistered`` (the line
    they were drawn by)."""
    out = lines_of_marks(marks, found)
    out[out == 0] = unregistered
    out[region.astype(np.int64) == camps_region] = LN["camp_prisoner"]
    return out


def naming_fit(male_share: NDArray[np.float64]) -> NDArray[np.float64]:
    """``fit[line, male]``: the chance that a name given under interrogation in a case of
    ``line`` is acted on, relative to a name of the line's majority sex.

    The interrogators built each case into an organisation of the line (a cell of the Polish
    Military Organisation, a kulak insurgent group), so the accomplices they took up were the
    kind of people the line held: a name is acted on in proportion to its sex's share of the
    line. Line 0 (cases outside the operations) is given the profile of ordinary convicts
    (model/registers.py ``ordinary_profile``).
    """
    share = np.clip(np.asarray(male_share, dtype=np.float64), 0.0, 1.0)
    top = np.maximum(np.maximum(share, 1.0 - share), 1e-12)
    return np.stack([(1.0 - share) / top, share / top], axis=1)


def line_male_shares(
    pop: Population,
    specs: dict[str, LineSpec],
    kulak_people: NDArray[np.integer],
    lines: dict[str, NDArray[np.int64]],
    camps_region: int,
) -> NDArray[np.float64]:
    """Each line's share of men on its register as built, by line code (a ``profile`` line,
    which has no register: its data row; line 0: 0.5).

    A ``drawn`` line with a share of men in its data row is drawn with that share
    (``draw_line``), so that is its register's share: the share among the few people
    a small sample puts on it is not used, as at 1:1,000 a line of 4,000 people has
    four, often all men, and ``acceptance`` would then refuse every man
    (docs/calibration.md, "Scale")."""
    male = pop["male"]
    out = np.full(len(LINES), 0.5)
    for spec in specs.values():
        if spec.male_share is not None:
            out[spec.code] = spec.male_share
    marks_line = line_of_marks(pop["marks"][kulak_people], specs)
    for code in np.unique(marks_line[marks_line > 0]).tolist():
        out[code] = float(male[kulak_people[marks_line == code]].mean())
    for name, people in lines.items():
        drawn = specs[name].register == "drawn" and specs[name].male_share is not None
        if len(people) and not drawn:
            out[LN[name]] = float(male[people].mean())
    if camps_region >= 0:
        # the mass rows are sorted by region; the codes are searched as the array's own
        # dtype: a Python int made NumPy search an int64 copy of every person's region code
        # (8 bytes a person, 1.3 GB at 1:1, the largest temporary of the set-up)
        region = pop["region"][: pop.n_mass]
        bounds = np.array([camps_region, camps_region + 1], dtype=region.dtype)
        start, end = (int(i) for i in np.searchsorted(region, bounds))
        held = male[start:end]
        if len(held):
            out[LN["camp_prisoner"]] = float(held.mean())
    return out


def list_male_shares(
    specs: dict[str, LineSpec], register: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The share of men of each line's arrest lists: the order's category where the data row
    gives one, else the register's own."""
    out = register.copy()
    for spec in specs.values():
        if spec.male_share is not None:
            out[spec.code] = spec.male_share
    return out


def acceptance(
    listed: NDArray[np.float64],
    register: NDArray[np.float64],
    category: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """``accept[line, male]``: the chance that a person drawn from a line's register is put on
    its arrest list, so that the lists have the category's share of men (``listed``) although
    the register has its own (``register``): the operational groups compiled lists from the
    registers by the order's category (a former kulak who returned from exile, not the widow
    who headed his household). The likelier sex is always taken, times ``category[line]``
    (default 1), the share of the register's people the order's category names at all: the
    prior-conviction mark holds everyone once convicted, the order's criminal line the
    recidivists who had served their terms or fled (data/population/lines.csv)."""
    reg = np.clip(register, 1e-9, 1 - 1e-9)
    ratio = np.stack([(1.0 - listed) / (1.0 - reg), listed / reg], axis=1)
    accept = ratio / ratio.max(axis=1, keepdims=True)
    return accept if category is None else accept * category[:, None]


#: Order 00447's lines whose lists existed before the order: the Politburo's decision of
#: 2 July 1937 (politburo_p51_94_1937, read as quoted in hoffmann2011; evidence G12-14) had
#: the regions take on record the kulaks and criminals who had returned to their home regions,
#: and report within five days. The order of 30 July (order00447, G12-16) added the other
#: categories: clergy and sectarians, former members of other parties and Whites, the camps'
#: prisoners and the anti-Soviet elements on no register.
JULY_LINES = ("former_kulak", "criminal")


def list_opening(days_since_order: int, compile_days: float) -> float:
    """How far the lines the order added are on Order 00447's lists ``days_since_order`` days
    after the order (0 to 1): their lists are compiled from the order's date over
    ``compile_days`` (parameter ``list_compile_days``), at an even pace, while the July
    lines' lists were ready at the start."""
    if compile_days <= 0:
        return 1.0
    return float(min(max(days_since_order / compile_days, 0.0), 1.0))


def opened_acceptance(accept: NDArray[np.float64], opening: float) -> NDArray[np.float64]:
    """``accept`` with the lines the order added taken at ``opening`` of their chance
    (``list_opening``); the July lines (``JULY_LINES``) and line 0 as they are."""
    gate = np.full(len(LINES), opening)
    gate[0] = 1.0
    for name in JULY_LINES:
        gate[LN[name]] = 1.0
    return accept * gate[:, None]


def category_shares(specs: dict[str, LineSpec]) -> NDArray[np.float64]:
    """Each line's ``category_share`` by line code (1 for line 0 and where the file gives none)."""
    out = np.ones(len(LINES))
    for spec in specs.values():
        out[spec.code] = spec.category_share
    return out


@njit(cache=True, **NO_CFUNC_WRAPPER)
def draw_accepting(
    counts, sizes, starts, members, line_at, male, accept, u, tries
):  # pragma: no cover - compiled
    """``counts[r]`` people of each non-empty group r of a register: person k tries positions
    ``starts[r] + int(u[2 * (k * tries + j)] * size)`` and takes the first accepted
    (``u[... + 1] < accept[line_at[pos], male[person]]``); -1 if none of ``tries`` is."""
    n = 0
    for r in range(counts.shape[0]):
        if sizes[r] > 0:
            n += counts[r]
    out = np.empty(n, dtype=np.int64)
    for i in range(n):  # a loop, not np.full: cheaper to compile (sorting.py)
        out[i] = -1
    k = 0
    for r in range(counts.shape[0]):
        size = sizes[r]
        if size <= 0:
            continue
        for _ in range(counts[r]):
            for j in range(tries):
                i = 2 * (k * tries + j)
                pos = starts[r] + np.int64(u[i] * size)
                person = np.int64(members[pos])
                if u[i + 1] < accept[line_at[pos], 1 if male[person] else 0]:
                    out[k] = person
                    break
            k += 1
    return out
