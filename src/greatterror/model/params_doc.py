"""The parameter section of docs/ODD.md, generated from data/parameters.csv.

The section between the two markers below is written by
``python scripts/update_odd_tables.py`` (or printed by ``greatterror params
--markdown``), and a test checks that docs/ODD.md holds exactly this text, so
the documented parameters, counts and priors cannot drift from the file.
"""

from __future__ import annotations

from greatterror.model.params import PARAMETERS, Param

BEGIN = "<!-- parameters: generated from data/parameters.csv; do not edit by hand -->"
END = "<!-- parameters: end of generated section -->"


def _num(x: float) -> str:
    return f"{x:g}"


def _row(p: Param) -> str:
    unit = p.unit + (" (integer)" if p.integer else "")
    free = "yes" if p.free else "no"
    return (
        f"| `{p.name}` | {_num(p.default)} | {_num(p.low)}–{_num(p.high)} | {unit} | "
        f"{p.mechanism} | {p.prior.describe()} | {free} | {p.basis} |"
    )


def markdown() -> str:
    """The generated section: the counts in prose, then one table row per parameter."""
    n = len(PARAMETERS)
    n_free = sum(p.free for p in PARAMETERS)
    sourced = [p for p in PARAMETERS if not p.basis.startswith("no sourced value")]
    lines = [
        f"All {n} parameters are declared in `src/greatterror/data/parameters.csv` and checked "
        "by `model/params.py`; scenarios and `--set` can override them only within their "
        f"ranges. {n_free} are free: the historical fit varies them (`greatterror calibrate`), "
        f"and the other {n - n_free} keep their defaults unless a scenario sets them. "
        f"{len(sourced)} parameters have a basis beyond an assumed range. Every prior is "
        "proper and puts its mass inside the parameter's range; a normal prior is truncated "
        "to the range. The mechanism column is the label in the data file.",
        "",
        "| name | default | range | unit | mech. | prior | free | basis |",
        "|---|---|---|---|---|---|---|---|",
        *(_row(p) for p in PARAMETERS),
    ]
    return "\n".join(lines)


def splice(document: str) -> str:
    """``document`` with the generated section replaced by the current one."""
    head, found, rest = document.partition(BEGIN)
    _, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise ValueError(f"docs/ODD.md: the markers {BEGIN!r} and {END!r} are missing")
    return f"{head}{BEGIN}\n{markdown()}\n{END}{tail}"
