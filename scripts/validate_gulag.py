"""The Gulag's stocks, releases and deaths against the validation set (issue 9, item 6).

Usage: python scripts/validate_gulag.py [--scale 0.01] [--seeds 11,12,13]

Prints a Markdown table of the summary's ``gulag`` block (median and range over
the seeds) beside the out-of-sample figures ``V-gulag-*`` and ``V-prisons-*`` of the evidence base,
which are never fitted, the in-sample Gulag deaths ``G8-deaths-*`` (camps and colonies, not
transit: model/targets.py) with the colonies' part, and the camps' deaths of 1937-38 without the
colonies (``G2-gulag-deaths``, Getty, Rittersporn & Zemskov 1993). Use
validation-range seeds (below 1,000,000, where the fits' own seeds start:
greatterror.calibration.seeds) other than the in-sample table's (1-10), such as
11,12,13. The table is recorded in docs/validation.md.
"""

from __future__ import annotations

import argparse

import numpy as np

#: the prison counts of the validation set (and G8-prisons-1939, a fact no target uses)
PRISONS = (
    ("1939-01-01", "G8-prisons-1939"),
    ("1939-04-01", "V-prisons-1939-04"),
    ("1939-07-01", "V-prisons-1939-07"),
    ("1939-10-01", "V-prisons-1939-10"),
    ("1940-01-01", "V-prisons-1940-01"),
    ("1940-10-01", "V-prisons-1940-10"),
)


def _one(scale: float, seed: int) -> dict:
    from greatterror.model.run import simulate
    from greatterror.model.scenario import load_scenario

    summary = simulate(load_scenario("historical"), scale, seed).summary
    out = dict(summary["gulag"])
    out["deaths"] = {y: v["died_in_custody"] for y, v in summary["yearly"].items()}
    return out


def _cell(values: list[float]) -> str:
    return f"{np.median(values):,.0f} ({min(values):,.0f}-{max(values):,.0f})"


def main() -> None:
    from greatterror.calibration.holdout_gulag import OMZ_JOINT_LAST, PRISONS_R6
    from greatterror.evidence.loader import load_evidence

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seeds", default="11,12,13")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    runs = [_one(args.scale, s) for s in seeds]
    ev = load_evidence()
    print("| figure | record | simulated: median (range) | id |")
    print("|---|---|---|---|")
    for year in ("1936", "1938", "1939", "1940"):
        for kind, key in (("itl", "camps"), ("itk", "colonies")):
            fid = f"V-gulag-{kind}-{year}"
            sim = [r["stock_1jan"][year][key] for r in runs]
            label = f"{key} on 1 Jan {year}"
            print(f"| {label} | {ev.value(fid):,.0f} | {_cell(sim)} | `{fid}` |")
            if kind == "itk" and int(year) <= OMZ_JOINT_LAST:  # the OMZ's joint count
                joint = [
                    r["stock_1jan"][year][key] + r["stock_1jan"][year]["prisons"] for r in runs
                ]
                label = f"colonies and prisons on 1 Jan {year} (the record's OMZ count)"
                print(f"| {label} | {ev.value(fid):,.0f} | {_cell(joint)} | `{fid}` |")
    term = [r["yearly"]["1939"]["released_term"] for r in runs]
    review = [r["yearly"]["1939"]["released_review"] for r in runs]
    both = [a + b for a, b in zip(term, review, strict=True)]
    rel = ev.value("V-gulag-rel-1939")
    print(
        f"| released from camps and colonies, 1939 | {rel:,.0f} | {_cell(both)} | `V-gulag-rel-1939` |"
    )
    print(f"| of which at term end | — | {_cell(term)} | |")
    print(f"| of which by review | — | {_cell(review)} | |")
    for date, fid in PRISONS:
        sim = [r["prisons"][date] for r in runs]
        # branch halt3 chose the halt's review time after reading these (review19 F4)
        check = " (a check: informed by review_days, halt3)" if date in PRISONS_R6 else ""
        print(f"| in prisons on {date}{check} | {ev.value(fid):,.0f} | {_cell(sim)} | `{fid}` |")
    for year in ("1935", "1936", "1937", "1938", "1939", "1940"):
        fid = f"G8-deaths-{year}"
        camp = [r["yearly"][year]["died_camp"] for r in runs]
        colony = [r["yearly"][year]["died_colony"] for r in runs]
        transit = [r["yearly"][year]["died_transit"] for r in runs]
        holding = [r["yearly"][year]["died_holding"] for r in runs]
        print(
            f"| deaths in the camps and colonies, {year} (in-sample) | {ev.value(fid):,.0f} | "
            f"{_cell(camp)} | `{fid}` |"
        )
        print(f"| of which in the colonies, {year} | — | {_cell(colony)} | |")
        print(
            f"| deaths in transit (not in the series), {year} | not sourced | {_cell(transit)} | |"
        )
        print(f"| deaths in prisons awaiting the etap, {year} | not sourced | {_cell(holding)} | |")
    camps_only = [
        sum(r["yearly"][y]["died_camp"] - r["yearly"][y]["died_colony"] for y in ("1937", "1938"))
        for r in runs
    ]
    g2 = ev.value("G2-gulag-deaths")
    print(
        f"| deaths in the camps without the colonies, 1937-38 | {g2:,.0f} | {_cell(camps_only)} | "
        "`G2-gulag-deaths` |"
    )


if __name__ == "__main__":
    main()
