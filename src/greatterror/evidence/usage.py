"""Where each fact of the evidence base is used: as a model input or as a calibration target."""

from __future__ import annotations

from greatterror.paths import scenarios_dir


def fact_usage() -> dict[str, list[str]]:
    """Fact id -> plain descriptions of its uses, gathered from targets, scenarios and limits."""
    from greatterror.evidence.loader import load_evidence
    from greatterror.model.scenario import load_scenario
    from greatterror.model.targets import TARGETS

    uses: dict[str, list[str]] = {}
    for target in TARGETS:
        uses.setdefault(target.fact_id, []).append(f"calibration target: {target.label}")
    for path in sorted(scenarios_dir().glob("*.toml")):
        scenario = load_scenario(path)
        for event in scenario.events:
            uses.setdefault(event.evidence, []).append(
                f"scenario {scenario.name}: {event.action} on {event.date}"
            )
    evidence = load_evidence()
    for limit in evidence.limits:
        for fact_id in limit.fact_ids:
            uses.setdefault(fact_id, []).append(f"input: Order 00447 limit of {limit.region_name}")
    for inc in evidence.increases:
        if inc.fact_id:
            uses.setdefault(inc.fact_id, []).append(
                f"input: limit increase of {inc.date} ({inc.scope or inc.region_code})"
            )
    for trial in evidence.trials.values():
        if trial.fact_id:
            uses.setdefault(trial.fact_id, []).append(f"check: show trial {trial.id}")
    return uses
