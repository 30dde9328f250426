"""Rewrite every generated table of docs/ODD.md: parameters, components and mechanisms.

Usage: python scripts/update_odd_tables.py [--check]

The parameter section comes from src/greatterror/data/parameters.csv, the component and mechanism
tables from the components' declarations. Run it after any change to those, or after a merge that
touched them. With --check nothing is written; the exit code is 1 if docs/ODD.md is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from greatterror.model.components import components_markdown, mechanisms_markdown
from greatterror.model.params_doc import splice

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"


def _between(text: str, tag: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {tag}:begin -->\n).*?(<!-- {tag}:end -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"docs/ODD.md: markers <!-- {tag}:begin/end --> not found")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def main() -> None:
    current = ODD.read_text(encoding="utf-8")
    updated = splice(current)
    updated = _between(updated, "components", components_markdown())
    updated = _between(updated, "mechanisms", mechanisms_markdown())
    if "--check" in sys.argv[1:]:
        raise SystemExit(0 if updated == current else "docs/ODD.md: generated tables out of date")
    ODD.write_text(updated, encoding="utf-8")
    print(f"{ODD}: parameter, component and mechanism tables rewritten")


if __name__ == "__main__":
    main()
