"""Markdown tables for docs/counterfactuals.md from `greatterror counterfactual --json` outputs.

    for n in no_kirov no_physical_methods limits_frozen_1937 yagoda_kept \\
             no_national_operations earlier_halt; do
        greatterror counterfactual $n --scale 0.001 --seeds 1-8 --json > out/$n.json
    done
    python3 scripts/counterfactuals_table.py out/*.json

The outputs of 6 December 2026 are kept in docs/counterfactuals-2026-12-06/ (the command
there re-makes the page's current table). Figures are full-population equivalents, rounded to the nearest thousand:
at 1:1,000 one sampled person stands for 1,000 people.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MEASURES = ("arrests", "death_sentences", "gulag_deaths")
PERIODS = ("total", "1937", "1938", "1939")


def thousands(value: float) -> str:
    return f"{value / 1000:+,.0f}k" if round(value / 1000) else "0"


def main(paths: list[str]) -> None:
    outputs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    print("| counterfactual | period | " + " | ".join(m.replace("_", " ") for m in MEASURES) + " |")
    print("|---|---|" + "---|" * len(MEASURES))
    for out in outputs:
        rows = {(r["period"], r["measure"]): r for r in out["differences"]}
        for period in PERIODS:
            cells = []
            for m in MEASURES:
                r = rows[(period, m)]
                cells.append(
                    f"{thousands(r['difference'])} ({thousands(r['low'])} to {thousands(r['high'])})"
                )
            label = "1934-40" if period == "total" else period
            print(f"| {out['counterfactual']} | {label} | " + " | ".join(cells) + " |")
    print()
    print("| counterfactual | inputs first differ | runs first differ (earliest to latest pair) |")
    print("|---|---|---|")
    for out in outputs:
        days = sorted(p["first_difference"] or "never" for p in out["pairs"])
        print(f"| {out['counterfactual']} | {out['first_change']} | {days[0]} to {days[-1]} |")
    print()
    for out in outputs:  # the runs' warnings (sim.results.warnings), counted over the runs
        said = "; ".join(f"{w['warning']} ({w['runs']} runs)" for w in out.get("warnings", []))
        finished = out.get("runs_finished", "?")
        print(f"- {out['counterfactual']}: {finished} runs finished; warnings: {said or 'none'}")
    first = outputs[0]
    print()
    print(
        f"Scale {first['scale']:g}, seeds {first['seeds'][0]}-{first['seeds'][-1]}, "
        f"version {first['version']}; posterior: {first['posterior'] or 'none'}."
    )
    print()
    print("| historical (median of the pairs) | " + " | ".join(MEASURES) + " |")
    print("|---|" + "---|" * len(MEASURES))
    rows = {(r["period"], r["measure"]): r for r in first["differences"]}
    for period in PERIODS:
        label = "1934-40" if period == "total" else period
        cells = [f"{rows[(period, m)]['base'] / 1000:,.0f}k" for m in MEASURES]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
