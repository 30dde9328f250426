"""Write the best parameters of a calibration result into the historical scenario file.

Usage: python scripts/apply_fit.py FIT.json "description of the search"
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

SCENARIO = (
    Path(__file__).resolve().parents[1] / "src" / "greatterror" / "scenarios" / "historical.toml"
)


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        raise SystemExit(__doc__)
    fit = json.loads(Path(sys.argv[1]).read_text())
    text = SCENARIO.read_text(encoding="utf-8")
    # a search over some parameters (--free) keeps the fitted values of the others
    values = {**tomllib.loads(text).get("parameters", {}), **fit["best"]}
    start, end = text.index("[parameters]"), text.index("[[events]]")
    lines = [
        "[parameters]",
        f"# Fitted by greatterror.calibration.search: {sys.argv[2]};",
        f"# loss (mean squared log ratio over the targets, one seed) = {fit['loss']:.3f}.",
        "# Values are written in full so that the loss can be reproduced; a single seed's",
        "# loss is noisy, and docs/validation.md (ten seeds) is the reference.",
        "# Parameters not listed keep the defaults declared in greatterror/model/params.py.",
        *(f"{name} = {value!r}" for name, value in sorted(values.items())),
    ]
    SCENARIO.write_text(text[:start] + "\n".join(lines) + "\n\n" + text[end:], encoding="utf-8")


if __name__ == "__main__":
    main()
