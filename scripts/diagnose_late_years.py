"""The years after the halt, 1939 and 1940, by the model's parts, over validation seeds.

A diagnostic for the misses of 1939-40 (issue 9; docs/design/late-years.md): ``G1-1940-conv``,
``G1-1939-death``, ``G1-1940-camps``, ``G8-deaths-1940`` and the prisons of 1939. It reads only
summary.json's blocks, so it takes any number of seeds (one run at a time, in this process)
and prints the median and the range over them of

- the arrests, convictions and death sentences of each year by operation (the arrest channel:
  ``operations_yearly``);
- the year's political sentences by kind beside the 1953 series (``yearly``; G1-*);
- the non-political convicts (``non_political``), which feed the camps and colonies too;
- the camps' and colonies' stocks on 1 January and the year's Gulag flows (``gulag``) beside
  the record (V-gulag-*, G8-deaths-*), and the deaths over the mean of the two 1 January
  stocks where both exist (1939);
- the people held in prisons (``gulag.prisons``) beside the prisons series (G8-prisons-1939,
  V-prisons-*).

The sentencing body and the case's origin are in scripts/diagnose_post_halt.py, the monthly
Gulag stocks and the deaths by rule in scripts/diagnose_gulag.py (one seed each). Counts are
full-population equivalents. The seeds must be validation seeds (never a fitting seed).

    python scripts/diagnose_late_years.py --scale 0.01 --seeds 1 2 3
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from validate_gulag import PRISONS  # the same rows of the validation set (scripts/ is on the path)

import greatterror as gt
from greatterror.api.options import check_scale
from greatterror.calibration.seeds import check_validation_seeds
from greatterror.evidence.loader import load_evidence

YEARS = ("1939", "1940")
KINDS = ("convicted", "death_sentences", "camp", "exile", "other")
#: the record's row for each of ``yearly``'s kinds (the 1953 series, data/evidence/facts.csv)
G1 = {
    "convicted": "conv",
    "death_sentences": "death",
    "camp": "camps",
    "exile": "exile",
    "other": "other",
}


def _record(ev: Any, fid: str) -> float | None:
    try:
        return float(ev.value(fid))
    except (KeyError, ValueError):
        return None


def _row(label: str, values: list[float], record: float | None = None) -> str:
    med = statistics.median(values)
    cells = f"{label:44s} {med:10,.0f}  ({min(values):,.0f}-{max(values):,.0f})"
    if record:
        cells += f"  record {record:,.0f}  ratio {med / record:.2f}"
    return cells


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    a = ap.parse_args()
    try:  # bad input: a usage line and one error line, exit 2, before any run
        check_scale(a.scale)
        seeds = check_validation_seeds(a.seeds)
    except ValueError as exc:
        ap.error(str(exc))
    runs = [gt.Sim("historical", scale=a.scale, seed=s).run().results.summary for s in seeds]
    ev = load_evidence()
    print(f"scale 1:{1 / a.scale:,.0f}, validation seeds {seeds}: median (min-max)")
    for year in YEARS:
        print(f"\n{year}: political sentences (summary 'yearly') and the 1953 series")
        for kind in KINDS:
            values = [float(s["yearly"][year][kind]) for s in runs]
            print("  " + _row(kind, values, _record(ev, f"G1-{year}-{G1[kind]}")))
        arrested = [float(s["yearly"][year]["arrested"]) for s in runs]
        print("  " + _row("arrested (political)", arrested, _record(ev, f"V-arrests-{year}")))
        print(f"{year}: by operation (the arrest channel): arrested / convicted / death sentences")
        for op in runs[0]["operations_yearly"]:
            rows = [s["operations_yearly"][op].get(year, {}) for s in runs]
            if not any(r.get("arrested", 0) or r.get("convicted", 0) for r in rows):
                continue
            for key in ("arrested", "convicted", "death_sentences"):
                print("  " + _row(f"{op} {key}", [float(r.get(key, 0.0)) for r in rows]))
        nonpol = [float(s["non_political"][year]["sentenced"]) for s in runs]
        print("  " + _row("non-political convicts (all kinds)", nonpol))
    print("\nGulag stocks on 1 January (camps, colonies) and the prisons")
    for year in YEARS:
        for key, fid in (("camps", "V-gulag-itl"), ("colonies", "V-gulag-itk")):
            values = [float(s["gulag"]["stock_1jan"][year][key]) for s in runs]
            print("  " + _row(f"{key} 1 Jan {year}", values, _record(ev, f"{fid}-{year}")))
    for date, fid in PRISONS:
        values = [float(s["gulag"]["prisons"].get(date, 0.0)) for s in runs]
        print("  " + _row(f"held in prisons {date}", values, _record(ev, fid)))
    print("\nGulag flows by year (the G8 series counts the camps' and colonies' deaths)")
    for year in YEARS:
        for key in ("admitted", "released_term", "released_review", "died_camp", "died_colony"):
            values = [float(s["gulag"]["yearly"][year][key]) for s in runs]
            rec = _record(ev, f"G8-deaths-{year}") if key == "died_camp" else None
            print("  " + _row(f"{year} {key}", values, rec))
    # 1939 has both 1 January stocks in the run; 1940 ends before 1 Jan 1941
    mean_stock = [
        sum(
            float(s["gulag"]["stock_1jan"][y][k])
            for y in ("1939", "1940")
            for k in ("camps", "colonies")
        )
        / 2.0
        for s in runs
    ]
    rate = [
        100.0 * float(s["gulag"]["yearly"]["1939"]["died_camp"]) / m
        for s, m in zip(runs, mean_stock, strict=True)
    ]
    print(
        f"  1939 deaths over the mean of the 1 January stocks (camps and colonies): "
        f"{statistics.median(rate):.2f}% ({min(rate):.2f}-{max(rate):.2f}) of "
        f"{statistics.median(mean_stock):,.0f}; the record's note gives 3.1% of its average"
    )


if __name__ == "__main__":
    main()
