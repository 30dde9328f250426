"""The calibration loss and the targets' wiring to the evidence base."""

from __future__ import annotations

import math

import pytest

from greatterror.calibration.search import FREE_PARAMETERS, loss
from greatterror.evidence.loader import load_evidence
from greatterror.model.params import BY_NAME
from greatterror.model.targets import TARGETS


def test_loss_is_mean_squared_log_ratio() -> None:
    exact = [{"simulated": 10.0, "archival": 10.0}, {"simulated": 5.0, "archival": 5.0}]
    assert loss(exact) == 0.0
    off = [{"simulated": 10.0 * math.e, "archival": 10.0}, {"simulated": 5.0, "archival": 5.0}]
    assert loss(off) == pytest.approx(0.5)


def test_every_target_is_a_sourced_fact_with_a_value() -> None:
    evidence = load_evidence()
    for target in TARGETS:
        assert evidence.value(target.fact_id) > 0, target.fact_id
        assert evidence.facts[target.fact_id].source


def test_free_parameters_are_declared() -> None:
    for name in FREE_PARAMETERS:
        assert name in BY_NAME
