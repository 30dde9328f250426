"""The out-of-sample figures stay out of the fit.

Facts whose id starts with ``V-`` form the validation set: they may never be a
calibration target, never a scenario event's evidence, never an input of the
limits tables, and each must be listed in docs/validation.md with the model
output it is compared with. Inputs that are not targets carry ``IN-`` and a
group ending in ``_input``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.evidence.usage import fact_usage
from greatterror.model.targets import TARGETS

DOCS = Path(__file__).resolve().parents[1] / "docs" / "validation.md"
SECTION = "## Out-of-sample figures (validation set, never fitted)"


@pytest.fixture(scope="module")
def evidence():
    return load_evidence()


@pytest.fixture(scope="module")
def validation_ids(evidence) -> set[str]:
    return {fact_id for fact_id in evidence.facts if fact_id.startswith("V-")}


def test_the_validation_set_is_not_empty(validation_ids) -> None:
    groups = {fid.split("-")[1] for fid in validation_ids}
    assert len(validation_ids) >= 50
    assert {"gulag", "army", "natop", "00447", "halt", "nkvd"} <= groups


def test_no_validation_fact_is_a_calibration_target(validation_ids) -> None:
    targets = {target.fact_id for target in TARGETS}
    assert not targets & validation_ids
    assert all(not fid.startswith(("V-", "IN-")) for fid in targets)


def test_no_validation_fact_is_used_by_the_model(validation_ids) -> None:
    uses = fact_usage()
    used = {fid: uses[fid] for fid in validation_ids if uses.get(fid)}
    assert used == {}


def test_validation_and_input_groups_are_kept_apart(evidence) -> None:
    for fact in evidence.facts.values():
        if fact.id.startswith("V-"):
            assert not fact.group.endswith("_input"), fact.id
        if fact.id.startswith("IN-"):
            assert fact.group.endswith("_input"), fact.id
        if fact.group.endswith("_input"):
            assert not fact.id.startswith("V-"), fact.id


def test_every_validation_fact_is_documented(validation_ids) -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert SECTION in text
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| (V-[^ |]+) \|", section, flags=re.MULTILINE))
    assert listed == validation_ids


def test_every_validation_fact_has_a_value_and_a_source(evidence, validation_ids) -> None:
    for fid in validation_ids:
        fact = evidence.fact(fid)
        assert fact.value is not None, fid
        assert fact.source, fid
        assert fact.note, fid
