"""How many of those arrested really acted: the ``fifth_column`` block in words and a table.

Shared by the report (results/report.py) and the dashboard's run page, so
that both say the same thing. The people who "really acted" are the model's
drawn conspirators (M24, with the NKVD officers of its variant H5b),
dissidents (M25) and saboteurs (M11); they exist only under the hypotheses
that switch those mechanisms on (docs/outputs.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def guilt_text(summary: Mapping[str, Any]) -> str | None:
    """One paragraph on the block, or None if the summary has none (an older run)."""
    block = summary.get("fifth_column")
    if not isinstance(block, Mapping):
        return None
    arrested = float(block.get("arrested") or 0.0)
    acted = float(block.get("arrested_who_acted") or 0.0)
    provocation = block.get("provocation") or {}
    drawn = sum(
        float((block.get(k) or {}).get("represented") or 0.0)
        for k in ("conspirators", "dissidents")
    ) + float((provocation.get("officers") or {}).get("represented") or 0.0)
    if drawn == 0 and acted == 0:
        return (
            "This run draws no real conspirators, dissidents or saboteurs (mechanisms M11, "
            "M24 and M25 are off or drew no one): in the model every one of the "
            f"{arrested:,.0f} people arrested had done nothing it counts as real activity."
        )
    share = acted / arrested if arrested else 0.0
    elite, elite_acted = (
        block.get("elite_arrested") or 0,
        block.get("elite_arrested_who_acted") or 0,
    )
    return (
        f"Of the {arrested:,.0f} people arrested in this run, {acted:,.0f} ({share:.2%}) were "
        "among those the model drew as having really acted against the regime (real "
        "conspirators, dissidents or saboteurs, sized by the hypothesis' priors); "
        f"{arrested - acted:,.0f} were not. In the elite layer {elite_acted:,} of {elite:,} "
        "arrested persons had really acted. These are consequences of the scenario's "
        "assumptions, not archival findings: no archival series counts real conspirators."
        + _provocation_text(provocation)
    )


def _provocation_text(block: Mapping[str, Any]) -> str:
    """The variant H5b's sentence, or nothing when the run has no penetrated NKVD officers."""
    officers = block.get("officers") or {}
    if not officers.get("people"):
        return ""
    arrests = float(block.get("arrests") or 0.0)
    innocent = float(block.get("arrests_who_did_not") or 0.0)
    return (
        f" The run drew {officers.get('represented', 0):,.0f} NKVD officers as conspirators "
        f"(variant H5b); {officers.get('arrested', 0):,.0f} of them were arrested "
        f"({block.get('exposed_by_hunt', 0):,} found by the hunt for conspirators). They made "
        f"{arrests:,.0f} arrests on the conspiracy's behalf, {innocent:,.0f} of them of people "
        "who had not acted."
    )


def guilt_rows(summary: Mapping[str, Any]) -> list[list[Any]]:
    """Rows of (group, drawn, arrested, shot) in full-population equivalents."""
    block = summary.get("fifth_column")
    if not isinstance(block, Mapping):
        return []
    rows = []
    for key, label in (("conspirators", "real conspirators and agents (M24)"),
                       ("dissidents", "real opposition (M25)")):  # fmt: skip
        fate = block.get(key) or {}
        rows.append([label, fate.get("represented"), fate.get("arrested"), fate.get("shot")])
    provocation = block.get("provocation") or {}
    officers = provocation.get("officers") or {}
    if officers.get("people"):
        rows.append(["penetrated NKVD officers (M24, H5b)", officers.get("represented"),
                     officers.get("arrested"), officers.get("shot")])  # fmt: skip
        people = provocation.get("arrested_people") or {}
        rows.append(["arrested by them", None, people.get("arrested"), people.get("shot")])
    rows.append(["saboteurs arrested (M11)", None, block.get("saboteurs_arrested"), None])
    rows.append(["everyone arrested", None, block.get("arrested"), None])
    return rows
