"""Rewrite the parameter section of docs/ODD.md from src/greatterror/data/parameters.csv.

Usage: python scripts/update_odd_params.py [--check]

With --check nothing is written; the exit code is 1 if docs/ODD.md is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from greatterror.model.params_doc import splice

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"


def main() -> None:
    current = ODD.read_text(encoding="utf-8")
    updated = splice(current)
    if "--check" in sys.argv[1:]:
        raise SystemExit(0 if updated == current else "docs/ODD.md: parameter table out of date")
    ODD.write_text(updated, encoding="utf-8")
    print(f"{ODD}: parameter section rewritten")


if __name__ == "__main__":
    main()
