"""The national operations' dates and registers (issue 9, national operations).

The launch of each national operation is the date of its own order or directive in the
timeline; each drawn line holds the number of people its data row states, with no person
on two lines; and the arrests of an operation are those of its lines. At 1:1,000.
"""

from __future__ import annotations

import numpy as np
import pytest

import greatterror.model.line_draws as lines_module
from greatterror.evidence.loader import load_evidence
from greatterror.model.lines import load_lines
from greatterror.model.scenario import load_scenario
from greatterror.vocabulary import LINES_OF

SCALE = 0.001
SEEDS = (1, 2, 3)
NATIONAL = [op for op in LINES_OF if op != "kulak_00447"]


def _launches() -> dict[str, object]:
    events = load_scenario("historical").events
    return {e.operation: e for e in events if e.action == "launch_operation" and e.operation}


def test_each_national_launch_is_the_date_of_its_own_order_in_the_timeline() -> None:
    timeline = {t.id: t for t in load_evidence().timeline}
    launches = _launches()
    evidence = [launches[op].evidence for op in NATIONAL]
    assert len(set(evidence)) == len(NATIONAL), "two operations dated by one directive"
    for op in NATIONAL:
        event = launches[op]
        assert event.date == timeline[event.evidence].date, op
    # the Latvian telegram of 30 November ordered the arrests for 3 December
    assert timeline["G12-22"].date.isoformat() == "1937-11-30"
    assert launches["national_latvian"].date.isoformat() == "1937-12-03"


def _registers(seed: int, scale: float = SCALE):
    import greatterror as gt

    return gt.Sim("historical", scale=scale, seed=seed).engine.world.registers


def test_each_drawn_line_holds_its_stated_size_and_no_one_is_on_two() -> None:
    """At 1:100, where a line of 25,000 is 250 people; a line's size is rounded region by
    region (stochastically), so it may miss by a few people per ten regions."""
    specs = load_lines()
    scale = 0.01
    reg = _registers(1, scale)
    slack = 2 * np.sqrt(len(reg.region_size))
    seen: set[int] = set()
    for name, spec in specs.items():
        if spec.operation == "kulak_00447":
            continue
        members = reg.lines[name].groups.members
        people = set(np.asarray(members).tolist())
        assert len(people) == len(members), f"{name}: someone listed twice"
        assert not people & seen, f"{name}: people already on another line"
        seen |= people
        if spec.register != "drawn":
            continue
        expected = spec.size * scale
        assert abs(len(people) - expected) <= slack + 0.02 * expected, (name, len(people))


def test_the_harbin_and_latvian_registers_grow_when_lines_are_filled(monkeypatch) -> None:
    """The direction of the change: drawn the former way (one draw, duplicates dropped, what
    the nationality lacked left out), the Harbin and Latvian lines hold fewer people."""
    after = {s: _registers(s) for s in SEEDS}

    def one_round(counts, groups, spec, pop, rng, taken, male_share):
        people, _ = real(counts, groups, spec, pop, rng, np.zeros_like(taken), male_share)
        return people, np.zeros_like(counts)

    real = lines_module._fill
    monkeypatch.setattr(lines_module, "FILL_ROUNDS", 1)
    monkeypatch.setattr(lines_module, "_fill", one_round)
    before = {s: _registers(s) for s in SEEDS}
    for names in (("har_cer", "har_widened"), ("lat_emigre", "lat_ties")):
        size = {
            label: sum(len(regs[s].lines[n].groups.members) for s in SEEDS for n in names)
            for label, regs in (("before", before), ("after", after))
        }
        assert size["after"] > size["before"], (names, size)


@pytest.fixture(scope="module")
def summaries():
    import greatterror as gt

    return [gt.Sim("historical", scale=SCALE, seed=s).run().results.summary for s in SEEDS]


def test_an_operations_arrests_are_its_lines_and_no_one_is_lost(summaries) -> None:
    """The lines' counts follow a person's last case, the operation's every arrest, so the two
    differ only by the few taken again by another route after a national case."""
    for summary in summaries:
        ops, lines = summary["operations"], summary["lines"]
        for op in NATIONAL:
            block = ops[op]
            on_lines = sum(lines[line]["arrested"] for line in LINES_OF[op])
            # at 1:1,000 a small operation has about ten sampled people: one retaken person
            # (weight 1 / SCALE) is more than 5% of it
            assert abs(on_lines - block["arrested"]) <= max(0.05 * block["arrested"], 1 / SCALE), op
            assert block["death_sentences"] <= block["convicted"] <= block["arrested"], op
            assert sum(lines[line]["named"] for line in LINES_OF[op]) <= on_lines, op
